"""What the HR views share: roles, the wave of a URL, file downloads, rule refusals."""

from __future__ import annotations

from flask import Response, abort, flash, g, request
from flask_babel import gettext as _

from instruments.model import Instrument

from ..extensions import db
from ..i18n import LANGUAGES, current_lang
from ..instrument_store import UnknownInstrument, available_instruments, get_instrument
from ..messages import rule_message
from ..models import Role, Unit, Wave, WaveState
from ..services import subtree_ids

HR = (Role.ADMIN, Role.ANALYST)
# The shipped culture instruments in the order a survey asks them (the CLI's default order);
# the others follow by id, SKM instruments last. A wave pins its instruments in this order.
SURVEY_ORDER = ("resistance", "readiness", "learning")


def visible_unit_ids() -> set[int] | None:
    """Units the current user may see: all (None) for HR, the own subtree for a unit head."""
    if g.user.role == Role.UNIT_HEAD:
        return subtree_ids(g.user.unit_id)
    return None


def wave_or_404(wave_id: int) -> Wave:
    """The wave of the URL."""
    wave = db.session.get(Wave, wave_id)
    if wave is None:
        abort(404)
    return wave


def closed_or_409(wave: Wave) -> Wave:
    """`wave`, refused until it is closed (anonymity.md rule 6)."""
    if wave.state != WaveState.CLOSED:
        abort(409, description=_("Gelombang %(w)s belum ditutup; hasil tersedia setelah "
                                 "gelombang ditutup.", w=wave.name))
    return wave


def closed_wave_or_409(wave_id: int) -> Wave:
    """The closed wave of the URL."""
    return closed_or_409(wave_or_404(wave_id))


def unit_or_400(unit_id: int) -> Unit:
    """The unit a form posted; an id that names no unit is a bad request."""
    unit = db.session.get(Unit, unit_id)
    if unit is None:
        abort(400, description=_("Unit tidak dikenal: %(d)s.", d=unit_id))
    return unit


def download(data: bytes, filename: str, mimetype: str) -> Response:
    """A file the browser saves and does not keep in its cache."""
    response = Response(data, content_type=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


def report_lang() -> str:
    """The language of a report: `?lang=` if given (else 400), otherwise the page's."""
    asked = request.args.get("lang")
    if asked is not None and asked not in LANGUAGES:
        abort(400, description="lang harus id atau en / lang must be id or en")
    return asked or current_lang()


def refuse(exc: Exception) -> None:
    """Undo the request's changes and tell the user why the rule refused them."""
    db.session.rollback()
    flash(rule_message(exc))


def instrument_label(instrument: Instrument) -> str:
    """An instrument version by its name in the page's language and its version."""
    return str(_("%(title)s, versi %(version)s", title=instrument.title.get(current_lang()),
                 version=instrument.version))


def pickable_instruments() -> list[Instrument]:
    """Every instrument version a new wave may pin, in SURVEY_ORDER, versions oldest first."""
    rank = {ident: i for i, ident in enumerate(SURVEY_ORDER)}
    return sorted(available_instruments(),
                  key=lambda i: (i.kind == "skm", rank.get(i.id, len(rank)), i.id))


def default_instruments(instruments: list[Instrument]) -> list[str]:
    """The newest version of each SURVEY_ORDER instrument among `instruments`."""
    newest = {i.id: i.key for i in instruments if i.id in SURVEY_ORDER}  # versions ascend
    return list(newest.values())


def pinned_labels(keys: list[str]) -> list[str]:
    """A wave's pinned instrument versions by name (the key when a version no longer loads)."""
    labels = []
    for key in keys:
        try:
            labels.append(instrument_label(get_instrument(key)))
        except UnknownInstrument:
            labels.append(key)
    return labels
