"""The respondent's code form (Flask-WTF, CSRF-protected); the survey itself is built from the
wave's instruments (`services.responses.validate_answers`)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField, SubmitField
from wtforms.validators import DataRequired, Length


class CodeForm(FlaskForm):
    """The respondent types (or the page script fills in) the participation code."""

    code = StringField(_l("Kode partisipasi"), validators=[DataRequired(), Length(max=40)],
                       render_kw={"autocomplete": "off", "autocapitalize": "characters",
                                  "spellcheck": "false", "inputmode": "text"})
    submit = SubmitField(_l("Lanjut"))


class CitizenForm(FlaskForm):
    """The citizen SKM form's fixed fields: CSRF and the signed form token (`t`); the unsur and
    the respondent questions are built from the wave's SKM instrument."""

    t = HiddenField()
    submit = SubmitField(_l("Kirim jawaban"))


class KioskActivateForm(FlaskForm):
    """HR, at the counter, turns this tablet into the registered kiosk (one button)."""

    submit = SubmitField(_l("Jadikan perangkat ini kiosk"))
