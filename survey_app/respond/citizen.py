"""The citizens' SKM form without codes (blueprint `citizen`, /skm): reached from a unit's QR
poster or a kiosk at the counter, and the public results of a closed SKM period.

A citizen is never identified: the poster URL names the (wave, unit) only; the form carries a
signed token (`services.citizens.issue_form_token`) that is refused when posted sooner than
`LENTERA_SKM_MIN_SECONDS` after it was issued, after `LENTERA_SKM_FORM_SECONDS`, or twice;
each stored submission takes one from the address's allowance (`ops.ratelimit.citizen_refusal`,
an HMAC of the address, never the address), or from the kiosk's when the tablet carries a
registered kiosk cookie. Every refusal of a flood's kind (forged, replayed, too fast,
tampered, over the allowance) adds one to the unit's aggregate count, and every refused page
keeps the answers given. The page works without JavaScript; it lives under
/skm, which is `no-store` and kept out of our access logs like /isi (ops/).
"""

from __future__ import annotations

from collections.abc import Mapping

from flask import (
    Blueprint,
    abort,
    current_app,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError

from ..config import CITIZEN_PREFIX
from ..extensions import compress, db
from ..i18n import current_lang
from ..models import COMMENT_MAX_LENGTH, WaveState
from ..ops.errors import error_page
from ..ops.ratelimit import citizen_refusal, refusal_text, too_many
from ..services import AnswersInvalid, FormTampered, StoredAnswer, validate_answers
from ..services.citizens import (
    KIOSK_COOKIE,
    FormTokenInvalid,
    Target,
    TargetClosed,
    TargetUnknown,
    activate_kiosk,
    count_refusal,
    issue_form_token,
    kiosk_of,
    kiosk_to_activate,
    nonce_digest,
    poster_token,
    public_result,
    read_form_token,
    resolve_target,
    target_of,
    today,
)
from ..services.comments import comment_k
from ..services.responses import CitizenRefused, store_citizen_response
from .forms import CitizenForm, KioskActivateForm

bp = Blueprint("citizen", __name__, url_prefix=CITIZEN_PREFIX, template_folder="templates")
bp.after_request(compress.after_request)

# Fields of the citizen form that are not answers.
OWN_FIELDS = frozenset({"t", "relang"})
KIOSK_COOKIE_SECONDS = 400 * 24 * 60 * 60  # the longest lifetime browsers keep
# A kiosk's thank-you is a banner above the next citizen's blank form, reached by a redirect
# (POST -> 303 -> GET): the form is empty at once and Back shows only blank forms. A timed
# <meta http-equiv=refresh> would fail WCAG 2.2.1 (axe-core's meta-refresh rule).
THANKS_ARG = "terkirim"


def _target(token: str) -> Target:
    """The open SKM wave unit of the URL, or the page that says why not (404/410)."""
    try:
        return resolve_target(token)
    except TargetUnknown:
        abort(404, description=_("Alamat survei ini tidak dikenal. Periksa kembali tautan atau "
                                 "pindai lagi kode QR di loket layanan."))
    except TargetClosed as exc:
        if exc.wave.state == WaveState.CLOSED:
            abort(410, description=_("Survei kepuasan %(w)s sudah ditutup, sehingga tidak "
                                     "menerima jawaban lagi. Terima kasih atas perhatian "
                                     "Anda.", w=exc.wave.name))
        abort(404, description=_("Survei kepuasan %(w)s belum dibuka.", w=exc.wave.name))


def _render(target: Target, token: str, *, given: Mapping[str, str] | None = None,
            errors: Mapping[str, str] | None = None, message: str | None = None,
            form_token: str | None = None, thanks: bool = False) -> str:
    """The form, blank or with the answers `given` and their `errors`, with a form token."""
    form = CitizenForm(formdata=None)
    form.t.data = form_token or issue_form_token(target)
    return render_template("citizen/form.html", target=target, token=token, form=form,
                           given=given or {}, errors=errors or {}, message=message,
                           thanks=thanks, comment_k=comment_k(target.wave),
                           comment_max=COMMENT_MAX_LENGTH)


def _kiosk(target: Target) -> int | None:
    kiosk = kiosk_of(request.cookies.get(KIOSK_COOKIE), target)
    return None if kiosk is None else kiosk.id


def _answers() -> dict[str, str]:
    return {k: v for k, v in request.form.items() if k not in OWN_FIELDS}


@bp.errorhandler(CSRFError)
def expired_form(error: CSRFError) -> ResponseReturnValue:
    """A citizen form posted without a valid CSRF token (the phone dropped its cookie): nothing
    is stored, the form of an open wave comes back with every answer and a fresh token; any
    other request gets the error page."""
    token = (request.view_args or {}).get("token")
    if request.endpoint != "citizen.form" or not isinstance(token, str):
        return error_page(error)
    try:
        target = resolve_target(token)
    except (TargetUnknown, TargetClosed):
        return error_page(error)
    return _render(target, token, given=_answers(), message=_(
        "Pemeriksaan keamanan formulir gagal (mungkin cookie di perangkat ini terhapus). "
        "Belum ada yang disimpan; jawaban Anda masih ada di bawah. Tekan Kirim lagi.")), 400


@bp.route("/<token>", methods=["GET", "POST"])
def form(token: str) -> ResponseReturnValue:
    """The SKM form of a poster's unit; a POST stores it or says why not, keeping the answers."""
    target = _target(token)
    if request.method == "GET":
        thanks = THANKS_ARG in request.args and _kiosk(target) is not None
        return _render(target, token, thanks=thanks)
    given = _answers()
    posted = request.form.get("t", "")
    if "relang" in request.form:  # the language switch: the same answers, nothing stored
        return _render(target, token, given=given, form_token=posted or None)
    try:
        nonce, age = read_form_token(posted, target)
    except FormTokenInvalid as exc:
        if exc.reason == "expired":
            return _render(target, token, given=given, message=_(
                "Halaman ini terbuka terlalu lama, sehingga formulirnya kedaluwarsa. Belum ada "
                "yang disimpan; jawaban Anda masih ada di bawah. Periksa, lalu tekan Kirim.")), 400
        count_refusal(target)
        return _render(target, token, given=given, message=_(
            "Formulir ini tidak berasal dari halaman survei ini. Belum ada yang disimpan; "
            "periksa jawaban di bawah, lalu tekan Kirim.")), 400
    if age < _min_seconds():
        count_refusal(target)
        return _render(target, token, given=given, message=_(
            "Formulir dikirim terlalu cepat setelah dibuka, lebih cepat dari waktu yang "
            "dibutuhkan untuk membaca pertanyaannya. Belum ada yang disimpan; periksa jawaban "
            "di bawah, lalu tekan Kirim lagi.")), 429
    try:
        answers, _cut = validate_answers(target.instruments, None, given)
    except AnswersInvalid as exc:
        return _render(target, token, given=given, errors=exc.errors,
                       form_token=posted), 422
    except FormTampered as exc:
        count_refusal(target)
        return _render(target, token, message=_(
            "Formulir berisi isian yang tidak dikenal (%(fields)s). Tidak ada yang disimpan.",
            fields=", ".join(exc.fields))), 400
    return _store(target, token, given, answers, nonce)


def _min_seconds() -> int:
    return int(current_app.config["LENTERA_SKM_MIN_SECONDS"])


def _store(target: Target, token: str, given: Mapping[str, str],
           answers: list[StoredAnswer], nonce: str) -> ResponseReturnValue:
    """Store under the address's (or kiosk's) allowance; the thank-you page, or why not."""
    kiosk = _kiosk(target)
    refusal = citizen_refusal(kiosk)
    if refusal is not None:
        count_refusal(target)
        return too_many(refusal, _render(target, token, given=given,
                                         message=refusal_text(refusal)))
    try:
        saran = store_citizen_response(target.wave.id, target.unit.id, nonce_digest(nonce),
                                       answers, today(), given.get("comment"))
    except CitizenRefused as exc:
        db.session.rollback()  # nothing of this submission stays
        if exc.reason == "closed":  # closed meanwhile: a citizen, not a flood
            abort(410, description=_("Survei kepuasan ini sudah ditutup; jawaban Anda tidak "
                                     "disimpan."))
        count_refusal(target)
        return render_template("citizen/used.html", target=target, token=token), 409
    if kiosk is not None:  # the next citizen's blank form, with the thank-you above it
        return redirect(url_for("citizen.form", token=token) + f"?{THANKS_ARG}=1", 303)
    return render_template("citizen/thanks.html", target=target, token=token,
                           rows=_receipt_rows(target, answers), saran=saran)


def _receipt_rows(target: Target, answers: list[StoredAnswer]) -> list[tuple[str, str]]:
    """(question, answer label) of each stored answer, in the page's language."""
    lang = current_lang()
    labels: dict[tuple[str, int], tuple[str, str]] = {}
    for inst in target.instruments:
        for scale in inst.scales:
            labels.update({(i.code, o.value): (i.text.get(lang), o.label.get(lang))
                           for i in scale.items for o in scale.options_for(i)})
        labels.update({(q.code, o.value): (q.text.get(lang), o.label.get(lang))
                       for q in inst.respondent_questions for o in q.choices})
    return [labels[a.item_code, a.value] for a in answers]


@bp.route("/kiosk/<token>", methods=["GET", "POST"])
def kiosk(token: str) -> ResponseReturnValue:
    """HR opens the one-time activation link on the counter's tablet and presses the button:
    the tablet gets the kiosk cookie and shows the unit's blank form."""
    found = kiosk_to_activate(token)
    if found is None:
        abort(404, description=_("Tautan aktivasi kiosk ini tidak dikenal, sudah dipakai atau "
                                 "sudah dicabut. Buat kiosk baru di halaman gelombang."))
    target = target_of(found.wave_id, found.unit_id, open_only=False)
    form = KioskActivateForm()
    if not form.validate_on_submit():
        return render_template("citizen/kiosk.html", target=target, form=form, kiosk=found)
    secret = activate_kiosk(found)
    response = make_response(redirect(url_for("citizen.form",
                                              token=poster_token(target.wave, target.unit))))
    response.set_cookie(KIOSK_COOKIE, secret, max_age=KIOSK_COOKIE_SECONDS, path=CITIZEN_PREFIX,
                        httponly=True, samesite="Lax")
    return response


@bp.route("/hasil/<int:wave_id>/<int:unit_id>")
def results(wave_id: int, unit_id: int) -> ResponseReturnValue:
    """The published SKM result of a unit and period (the regulation requires publication):
    aggregates only, after the period closes, nothing below k."""
    try:
        target = target_of(wave_id, unit_id, open_only=False)
    except TargetUnknown:
        abort(404, description=_("Hasil survei ini tidak dikenal."))
    if target.wave.state != WaveState.CLOSED:
        abort(404, description=_("Hasil survei kepuasan %(w)s diterbitkan setelah survei "
                                 "ditutup.", w=target.wave.name))
    return render_template("citizen/results.html", target=target,
                           result=public_result(target))
