"""The respondent's code form (Flask-WTF, CSRF-protected); the survey itself is built from the
wave's instruments (`services.responses.validate_answers`)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, SubmitField
from wtforms.validators import DataRequired, Length


class CodeForm(FlaskForm):
    """The respondent types (or the page script fills in) the participation code."""

    code = StringField(_l("Kode partisipasi"), validators=[DataRequired(), Length(max=40)],
                       render_kw={"autocomplete": "off", "autocapitalize": "characters",
                                  "spellcheck": "false", "inputmode": "text"})
    submit = SubmitField(_l("Lanjut"))
