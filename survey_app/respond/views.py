"""Public respondent flow (blueprint `respond`): code -> what is stored -> survey -> receipt.

No login, no identifying cookie, no code in any URL or log: the code travels in POST bodies
only (a QR link carries it in the `#fragment`, which browsers never send).

The survey comes in pages (`pages.paginate`). Between pages nothing is stored on the server,
under the code or under anything else: every page is one form whose hidden fields carry the
code, the entry token and every answer given on the other pages, so the answers exist only in
the respondent's page and in the POST bodies it sends. Each page POST checks the code again,
refuses a field the survey does not have, and takes the respondent to the page of any answer
out of range (only a forged form has one). Next also asks for every required question up to
the page; Back and the language switch ask for nothing. The final POST (the last page's send
button, or a POST without `go`) validates every answer and stores through
`services.store_response`, exactly as a single-page survey would.

Pages answer POST with a page (no redirect: a GET could not carry the code), and respond
pages are `no-store`, so the browser's own Back button asks to send that earlier page's form
again; sent again, it carries every answer given up to that page, and with JavaScript
`static/survey.js` puts back the later ones from the phone's storage. The page's own Back
button keeps every answer, on both pages.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

from flask import Blueprint, current_app, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError

from ..config import RESPOND_PREFIX
from ..extensions import compress
from ..i18n import current_lang
from ..instrument_store import get_instrument
from ..models import COMMENT_MAX_LENGTH
from ..ops.errors import error_page
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
from ..services.comments import COMMENT_K
from ..services.responses import CodeInfo, CodeWave
from .forms import CodeForm
from .pages import Page, paginate

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
                               parts=len(survey_pages(code.wave)), entry=entry_token(code),
                               comment_k=max(COMMENT_K, code.wave.k))
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


@bp.errorhandler(CSRFError)
def expired_form(error: CSRFError) -> ResponseReturnValue:
    """A survey page posted with an expired or missing form token (a page left open too long):
    nothing is stored and the code is not checked, but every answer given stays in the page,
    ready to be sent again with a new token. Any other form gets the error page."""
    if request.endpoint != "respond.survey" or "code" not in request.form:
        return error_page(error)
    kept = [(k, v) for k, v in request.form.items(multi=True) if k not in ("csrf_token", "relang")]
    return render_template(
        "respond/kept.html", form=CodeForm(formdata=None), kept=kept,
        error=_("Halaman ini terbuka terlalu lama, sehingga formulirnya kedaluwarsa. Belum ada "
                "yang disimpan."),
        advice=_("Jawaban Anda tidak hilang: semuanya masih ada di halaman ini, di perangkat "
                 "Anda. Tekan tombol di bawah untuk melanjutkan.")), 400


@bp.route("/survei", methods=["POST"])
@code_limited(too_many_for_answers)
def survey() -> ResponseReturnValue:
    """Show a survey page (first time, Next, Back, language switch) or store the answers."""
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
        pages = survey_pages(code.wave)
        if "answers" not in request.form:
            return _render_page(code, pages, 1, {}, {})
        number, go = _position(len(pages))
        if "relang" in request.form:  # the language switch: the same page, nothing stored
            return _turn(code, pages, number, number, "relang")
        if go != "send":
            return _turn(code, pages, number, number + (1 if go == "next" else -1), go)
        answers, cut = validate_answers(wave_instruments(code.wave), code.wave.cut,
                                        _answer_fields())
        receipt = store_response(code, answers, cut,  # commits, or stores nothing
                                 request.form.get("comment"))
    except CodeRefused as exc:
        return render_template("respond/enter.html", form=CodeForm(formdata=None),
                               error=refusal_message(exc.reason)), 409
    except AnswersInvalid as exc:
        return _render_errors(code, pages, exc.errors), 422
    except FormTampered as exc:
        return render_template("respond/enter.html", form=CodeForm(formdata=None), error=_(
            "Formulir berisi isian yang tidak dikenal (%(fields)s). Tidak ada yang disimpan.",
            fields=", ".join(exc.fields))), 400
    return render_template("respond/receipt.html", receipt=receipt, wave=code.wave,
                           rows=_receipt_rows(code.wave.instrument_keys, receipt.answers),
                           k=code.wave.k)


# Fields of the survey form that are neither answers nor known to `validate_answers`: the
# marker of a survey page, its page number, the button pressed, the language switch.
NAVIGATION_FIELDS = frozenset({"answers", "page", "go", "relang"})
Go = Literal["next", "back", "send"]
GOES: dict[str, Go] = {"next": "next", "back": "back", "send": "send"}


def survey_pages(wave: CodeWave) -> tuple[Page, ...]:
    """The wave's pages; kept per app, because a wave's pinned instruments never change."""
    cache: dict[tuple[tuple[str, ...], bool], tuple[Page, ...]] = \
        current_app.extensions.setdefault("lentera_survey_pages", {})
    key = (wave.instrument_keys, wave.cut is not None)
    if key not in cache:
        cache[key] = paginate(wave_instruments(wave), wave.cut is not None)
    return cache[key]


def _position(total: int) -> tuple[int, Go]:
    """The posted page number and button; FormTampered if either is not one the pages send.
    A POST without them (a single-page form) is the final one."""
    page, go = request.form.get("page", "1"), GOES.get(request.form.get("go", "send"))
    if not (page.isascii() and page.isdigit() and len(page) <= 3 and 1 <= int(page) <= total):
        raise FormTampered(["page"])
    if go is None:
        raise FormTampered(["go"])
    return int(page), go


def _turn(code: CodeInfo, pages: tuple[Page, ...], number: int, target: int,
          go: str) -> ResponseReturnValue:
    """Page `target`, after checking everything the form carries (module docstring): the
    first page with an answer out of range, or (Next) with a required question unanswered up
    to page `number`, is shown instead with its errors."""
    given = _answer_fields()
    try:
        validate_answers(wave_instruments(code.wave), code.wave.cut, given)
        return _render_page(code, pages, min(max(target, 1), len(pages)), given, {})
    except AnswersInvalid as exc:
        page_of = {f: p.number for p in pages for f in p.form_fields}
        blocking = {f: why for f, why in exc.errors.items()
                    if why != "missing" or (go == "next" and page_of[f] <= number)}
        if blocking:
            return _render_errors(code, pages, blocking), 422
        return _render_page(code, pages, min(max(target, 1), len(pages)), given, {})


def _render_errors(code: CodeInfo, pages: tuple[Page, ...], errors: Mapping[str, str]) -> str:
    """The first page with an error, showing that page's errors and every answer given."""
    first = next(p for p in pages if any(f in errors for f in p.form_fields))
    return _render_page(code, pages, first.number, _answer_fields(),
                        {f: errors[f] for f in first.form_fields if f in errors})


def _answer_fields() -> dict[str, str]:
    """The posted fields without those that say which page was sent and how."""
    return {k: v for k, v in request.form.items() if k not in NAVIGATION_FIELDS}


def _render_page(code: CodeInfo, pages: tuple[Page, ...], number: int,
                 given: Mapping[str, str], errors: Mapping[str, str]) -> str:
    """Survey page `number` with the answers `given` (those of the other pages in hidden
    fields) and `errors` of its questions."""
    form = CodeForm()  # the posted code again, with a CSRF token for the next POST
    page = pages[number - 1]
    numbers = {c: n for n, c in enumerate((f for p in pages for f in p.fields), start=1)}
    carried = [(f, given.get(f, "")) for p in pages if p is not page for f in p.form_fields]
    return render_template("respond/survey.html", form=form, wave=code.wave, unit=code.unit,
                           page=page, total=len(pages), given=given, errors=errors,
                           carried=carried, numbers=numbers,
                           bad=sorted(errors, key=lambda c: numbers.get(c, 0)),
                           cut_choices=CUT_CHOICES.get(code.wave.cut or "", ()),
                           entry=entry_token(code),
                           keep=current_app.config["LENTERA_CODE_TOKEN_SECONDS"],
                           comment_k=max(COMMENT_K, code.wave.k),
                           comment_max=COMMENT_MAX_LENGTH)


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
