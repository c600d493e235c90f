"""Public respondent flow (blueprint `respond`): code -> what is stored -> survey -> receipt.

No login, no identifying cookie, no code in any URL or log: the code travels in POST bodies
only (a QR link carries it in the `#fragment`, which browsers never send).
"""

from __future__ import annotations

from collections.abc import Mapping

from flask import Blueprint, current_app, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from ..config import RESPOND_PREFIX
from ..extensions import compress
from ..i18n import current_lang
from ..instrument_store import get_instrument
from ..ops.ratelimit import (
    Refusal,
    check_code_limited,
    code_limited,
    entry_token,
    refusal_text,
    too_many,
)
from ..services import (
    CUT_CHOICES,
    AnswersInvalid,
    CodeRefused,
    FormTampered,
    StoredAnswer,
    store_response,
    validate_answers,
    wave_instruments,
)
from ..services.responses import CodeInfo
from .forms import CodeForm

bp = Blueprint("respond", __name__, url_prefix=RESPOND_PREFIX, template_folder="templates")
bp.after_request(compress.after_request)  # 2xx HTML only; SECURITY.md on BREACH


def refusal_message(reason: str) -> str:
    """Plain-language reason why a code cannot be used."""
    messages: dict[str, str] = {
        "format": _("Kode tidak dikenali. Kode terdiri dari 12 huruf dan angka, "
                    "misalnya ABCD-EFGH-JKMN. Periksa kembali kode pada slip Anda."),
        "unknown": _("Kode tidak dikenali. Periksa kembali kode pada slip Anda."),
        "used": _("Kode ini sudah dipakai. Setiap kode hanya dapat dipakai sekali; "
                  "jawaban Anda yang pertama sudah tersimpan dan tidak ada yang disimpan lagi."),
        "closed": _("Survei untuk kode ini tidak sedang dibuka. Tidak ada yang disimpan."),
    }
    return messages[reason]


def too_many_codes(refusal: Refusal) -> tuple[str, int, dict[str, str]]:
    """The code page again, saying how long this address must wait."""
    return too_many(refusal, render_template("respond/enter.html", form=CodeForm(formdata=None),
                                             error=refusal_text(refusal)))


@bp.route("", methods=["GET", "POST"])
@code_limited(too_many_codes)
def enter() -> ResponseReturnValue:
    """Ask for the code; a valid code leads to the page that states what is stored."""
    if request.method == "GET":
        return render_template("respond/enter.html", form=CodeForm(), error=None)
    form = CodeForm()
    if form.validate_on_submit():
        try:
            code = check_code_limited(form.code.data)
        except CodeRefused as exc:
            return render_template("respond/enter.html", form=form,
                                   error=refusal_message(exc.reason)), 422
        instruments = wave_instruments(code.wave)
        return render_template("respond/intro.html", form=form, wave=code.wave,
                               unit=code.unit, instruments=instruments,
                               entry=entry_token(code))
    status = 400 if request.method == "POST" else 200
    error = _("Formulir kedaluwarsa atau tidak lengkap; silakan coba lagi.") if status == 400 \
        else None
    return render_template("respond/enter.html", form=form, error=error), status


def too_many_for_answers(refusal: Refusal) -> tuple[str, int, dict[str, str]]:
    """A survey POST over the limits: nothing is stored and the code is not checked, but every
    answer given stays in the page (hidden fields of a form that sends them again)."""
    if "answers" not in request.form:
        return too_many_codes(refusal)
    kept = [(k, v) for k, v in request.form.items(multi=True) if k not in ("csrf_token", "relang")]
    return too_many(refusal, render_template("respond/kept.html", form=CodeForm(formdata=None),
                                             kept=kept, error=refusal_text(refusal)))


@bp.route("/survei", methods=["POST"])
@code_limited(too_many_for_answers)
def survey() -> ResponseReturnValue:
    """Show the survey (first time) or store the answers (when submitted)."""
    # CSRFProtect has checked the token before any POST view runs, so this form only reads the
    # code, without signing a new token; the pages that post again build a CodeForm with one.
    form = CodeForm(meta={"csrf": False})
    if not form.validate():
        return render_template("respond/enter.html", form=CodeForm(), error=_(
            "Formulir kedaluwarsa atau tidak lengkap; silakan masukkan kode lagi.")), 400
    try:
        # The entry token (from the intro or survey page) exempts a code accepted earlier
        # from the limits: a finished survey is stored whatever others did meanwhile.
        code = check_code_limited(form.code.data, request.form.get("entry"))
        if "answers" not in request.form:
            return _render_survey(code, {}, {})
        if "relang" in request.form:  # the language switch: the same answers, nothing stored
            return _render_survey(code, request.form, {})
        answers, cut = validate_answers(wave_instruments(code.wave), code.wave.cut,
                                        _answer_fields())
        receipt = store_response(code, answers, cut)  # commits, or stores nothing
    except CodeRefused as exc:
        return render_template("respond/enter.html", form=CodeForm(formdata=None),
                               error=refusal_message(exc.reason)), 409
    except AnswersInvalid as exc:
        return _render_survey(code, request.form, exc.errors), 422
    except FormTampered as exc:
        return render_template("respond/enter.html", form=CodeForm(formdata=None), error=_(
            "Formulir berisi isian yang tidak dikenal (%(fields)s). Tidak ada yang disimpan.",
            fields=", ".join(exc.fields))), 400
    return render_template("respond/receipt.html", receipt=receipt, wave=code.wave,
                           rows=_receipt_rows(code.wave.instrument_keys, receipt.answers),
                           k=code.wave.k)


def _answer_fields() -> dict[str, str]:
    """The posted fields without the marker that says the survey page was submitted."""
    return {k: v for k, v in request.form.items() if k != "answers"}


def _render_survey(code: CodeInfo, given: Mapping[str, str], errors: Mapping[str, str]) -> str:
    form = CodeForm()  # the posted code again, with a CSRF token for the next POST
    instruments = wave_instruments(code.wave)
    codes = [i.code for inst in instruments for i in inst.items] + [
        q.code for inst in instruments for q in inst.respondent_questions] + ["cut"]
    numbers = {c: n for n, c in enumerate(codes, start=1)}
    return render_template("respond/survey.html", form=form, wave=code.wave, unit=code.unit,
                           instruments=instruments, given=given, errors=errors,
                           numbers=numbers, bad=sorted(errors, key=lambda c: numbers.get(c, 0)),
                           cut_choices=CUT_CHOICES.get(code.wave.cut or "", ()),
                           entry=entry_token(code))


def _receipt_rows(keys: tuple[str, ...],
                  answers: tuple[StoredAnswer, ...]) -> list[tuple[str, str, int]]:
    """(question, answer label, value) of every stored answer, in the current language."""
    labels = _answer_labels(keys, current_lang())
    return [(*labels[a.item_code, a.value], a.value) for a in answers]


def _answer_labels(keys: tuple[str, ...], lang: str) -> dict[tuple[str, int], tuple[str, str]]:
    """(item code, value) -> (question, answer label); kept per app, because an instrument
    version never changes."""
    cache: dict[tuple[tuple[str, ...], str], dict[tuple[str, int], tuple[str, str]]] = \
        current_app.extensions.setdefault("lentera_answer_labels", {})
    if (keys, lang) in cache:
        return cache[keys, lang]
    labels: dict[tuple[str, int], tuple[str, str]] = {}
    for key in keys:
        inst = get_instrument(key)
        for scale in inst.scales:
            labels.update({(i.code, o.value): (i.text.get(lang), o.label.get(lang))
                           for i in scale.items for o in scale.options})
        labels.update({(q.code, o.value): (q.text.get(lang), o.label.get(lang))
                       for q in inst.respondent_questions for o in q.choices})
    cache[keys, lang] = labels
    return labels
