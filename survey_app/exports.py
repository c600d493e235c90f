"""Exports of a closed wave's results for analysts' own tools (CSV, Excel, SPSS).

Two kinds (anonymity.md rules 4-7):

* aggregated (any HR user; a unit head only for their subtree): one row per unit × dimension
  and per unit × cut category × dimension, with the figures of `reporting.analyse_culture_wave`,
  the same analysis and the same suppression as the PDF reports;
* respondent-level (only users an admin gave the permission; every download audited): one row
  per response with the unit code, the raw answers and the cut, for units whose own
  respondents are a group the reports already disclose.

Only closed waves are exported (rule 6). Routes: blueprint `exports` under /hr/ekspor; CLI:
`flask export`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

import click
import numpy as np
import sqlalchemy as sa
from flask import Blueprint, Flask, Response, abort, g, has_request_context
from flask.cli import with_appcontext
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _

from analysis.scoring import to_score100
from instruments.model import Referent
from reports.build import instrument_dimensions

from .auth import login_required
from .extensions import db
from .forms import RespondentExportForm
from .models import Answer, Role, Wave, WaveState
from .models import Response as ResponseRow
from .reporting import ReportingError, WaveBundle, analyse_culture_wave, find_wave, safe_name
from .services import CUT_CHOICES, audit, subtree_ids
from .tables import FORMATS, MIMETYPES, Column, Table, spss_name, write_table

bp = Blueprint("exports", __name__, url_prefix="/hr/ekspor")

SHOWN = "shown"
SUPPRESSED = "suppressed"
EXTENSIONS = {"csv": "csv", "xlsx": "xlsx", "sav": "sav"}


class ExportRefused(ValueError):
    """A wave cannot be exported (the message says why)."""


# ---------------------------------------------------------------- what the reports show

def unit_fully_shown(bundle: WaveBundle, u: int) -> bool:
    """The reports show unit u's report with every dimension of every instrument.

    The unit report itself needs the unit shown in every instrument (reports.build)."""
    return all(bool(w.result.shown[u]) and bool(np.all(w.result.shown_dimension[u]))
               for w in bundle.waves)


def cut_fully_shown(bundle: WaveBundle, u: int, c: int) -> bool:
    """Unit u × cut category c is shown for the respondents and for every dimension."""
    for w in bundle.waves:
        r = w.result
        if r.cut_shown is None or r.disclosure.cut_shown is None:
            return False
        if not (bool(r.disclosure.cut_shown[u, c]) and bool(np.all(r.cut_shown[u, c]))):
            return False
    return True


def _children(bundle: WaveBundle) -> list[list[int]]:
    parent = np.asarray(bundle.waves[0].data.unit_parent)
    out: list[list[int]] = [[] for _ in bundle.units]
    for v, p in enumerate(parent.tolist()):
        if p >= 0:
            out[p].append(v)
    return out


# ---------------------------------------------------------------- aggregated

def _f(value: float) -> float | None:
    value = float(value)
    return None if math.isnan(value) else value


def _aggregated_columns(has_cut: bool) -> tuple[Column, ...]:
    status_labels = {1: _("ditampilkan"), 0: _("disembunyikan (kelompok kecil)")}
    cut = (Column("cut", _("Pemilahan (jabatan); kosong = seluruh unit"), "text",
                  codes={label: i + 1 for i, label in enumerate(CUT_CHOICES["jabatan"])},
                  value_labels={i + 1: label for i, label in
                                enumerate(CUT_CHOICES["jabatan"])}, measure="nominal"),
           ) if has_cut else ()
    return (
        Column("unit_code", _("Kode unit"), "text", measure="nominal"),
        Column("unit_name", _("Nama unit"), "text", measure="nominal"),
        Column("instrument", _("Instrumen"), "text", measure="nominal"),
        Column("dimension", _("Kode dimensi"), "text", measure="nominal"),
        Column("dimension_name", _("Nama dimensi"), "text", measure="nominal"),
        *cut,
        Column("status", _("Status: ditampilkan atau disembunyikan (k dan penyembunyian "
                           "komplementer, sama dengan laporan)"), "text",
               codes={SHOWN: 1, SUPPRESSED: 0}, value_labels=status_labels,
               measure="nominal"),
        Column("n", _("Jumlah responden dengan skor dimensi"), "int", measure="scale"),
        Column("mean", _("Rata-rata skor (skala 1..A)"), "float", measure="scale"),
        Column("sd", _("Simpangan baku skor"), "float", measure="scale"),
        Column("score100", _("Skor 0-100"), "float", measure="scale"),
        Column("score100_ci_low", _("Batas bawah IK 95 persen, skor 0-100"), "float",
               measure="scale"),
        Column("score100_ci_high", _("Batas atas IK 95 persen, skor 0-100"), "float",
               measure="scale"),
        Column("favourable", _("Proporsi jawaban positif"), "float", measure="scale"),
        Column("rwg_j", _("Kesepakatan dalam unit rwg(j)"), "float", measure="scale"),
        Column("agreement", _("Penilaian kesepakatan rwg(j)"), "text", measure="nominal"),
        Column("alpha_wave", _("Alpha Cronbach dimensi, seluruh gelombang"), "float",
               measure="scale"),
        Column("omega_wave", _("Omega total dimensi, seluruh gelombang"), "float",
               measure="scale"),
        Column("icc1_wave", _("ICC(1) dimensi, seluruh gelombang"), "float", measure="scale"),
        Column("icc2_wave", _("ICC(2) dimensi, seluruh gelombang"), "float", measure="scale"),
    )


def aggregated_table(bundle: WaveBundle, unit_ids: set[int] | None = None,
                     lang: str = "id") -> Table:
    """Unit × dimension (and unit × cut × dimension) figures of a closed wave.

    A suppressed cell is kept as a row with status ``suppressed`` and every figure empty
    (n too), not omitted: the file then lists every unit the PDFs list, the same way the
    PDFs say "not reported", and an analyst cannot mistake a suppressed unit for one that was
    not surveyed. A cell is shown exactly when the reports show it: the unit is shown in
    every instrument (the unit report's rule) and its dimension cell is shown
    (`WaveResult.shown_dimension`); a cut cell also needs `WaveResult.cut_shown`. Cut rows
    carry n, mean and score100 only (the analysis computes no other figure per cut cell).
    Whole-wave reliability is given only when the analysis allows it
    (`WaveResult.organisation_shown`).
    """
    has_cut = bundle.wave.cut is not None
    columns = _aggregated_columns(has_cut)
    rows = []
    for u, unit in enumerate(bundle.units):
        if unit_ids is not None and unit.id not in unit_ids:
            continue
        unit_shown = all(bool(w.result.shown[u]) for w in bundle.waves)
        for w in bundle.waves:
            for j, (scale, dim) in enumerate(instrument_dimensions(w.instrument)):
                head = (unit.code, unit.name, w.instrument.id, dim.code, dim.name.get(lang))
                shown = unit_shown and bool(w.result.shown_dimension[u, j])
                rows.append((*head, *((None,) if has_cut else ()),
                             *_unit_figures(w, u, j, scale, shown)))
                if has_cut:
                    rows += [(*head, label, *_cut_figures(w, u, c, j, scale.points,
                                                          shown and _cut_ok(w, u, c, j)))
                             for c, label in enumerate(CUT_CHOICES[bundle.wave.cut or ""])]
    return Table(columns, rows)


def _cut_ok(w, u: int, c: int, j: int) -> bool:  # type: ignore[no-untyped-def]
    r = w.result
    return (r.cut_shown is not None and bool(r.cut_shown[u, c, j])
            and bool(r.disclosure.cut_shown[u, c]))


def _unit_figures(w, u: int, j: int, scale, shown: bool) -> tuple:  # type: ignore[no-untyped-def]
    """status, n, mean, sd, score100 and CI, favourable, rwg(j), verdict, wave reliability."""
    if not shown:
        return (SUPPRESSED, *([None] * 13))
    r = w.result
    collective = scale.referent == Referent.COLLECTIVE
    rel = r.reliability[j]
    wave_level = ((_f(rel.alpha), _f(rel.omega_total), _f(r.icc1[j]), _f(r.icc2[j]))
                  if r.organisation_shown else (None,) * 4)
    return (SHOWN, int(r.n[u, j]), _f(r.mean[u, j]), _f(r.sd[u, j]), _f(r.score100[u, j]),
            _f(r.score100_ci_low[u, j]), _f(r.score100_ci_high[u, j]),
            _f(r.favourable[u, j]), _f(r.rwg_j[u, j]) if collective else None,
            str(r.rwg_verdict[u, j]) if collective else None, *wave_level)


def _cut_figures(w, u: int, c: int, j: int, points: int, shown: bool) -> tuple:  # type: ignore[no-untyped-def]
    if not shown:
        return (SUPPRESSED, *([None] * 13))
    r = w.result
    mean = _f(r.cut_mean[u, c, j])
    score = None if mean is None else float(to_score100(mean, points))
    return (SHOWN, int(r.cut_n[u, c, j]), mean, None, score, *([None] * 9))


# ---------------------------------------------------------------- respondent-level

def exportable_units(bundle: WaveBundle, direct: Sequence[int]) -> set[int]:
    """Report-unit indices whose own respondents may be exported.

    The rows of unit u are its direct respondents D_u, a group the reports never show as
    such. They may be exported only when the reports already disclose it: u is fully shown,
    every child of u is fully shown (so D_u = n(u) - sum n(children) is already derivable
    from the organisation report, and disclosure guarantees it is 0 or at least k), and
    D_u >= k. For a leaf unit this is just "u is fully shown".
    """
    k = bundle.wave.k
    children = _children(bundle)
    return {u for u in range(len(bundle.units))
            if direct[u] >= k and unit_fully_shown(bundle, u)
            and all(unit_fully_shown(bundle, v) for v in children[u])}


def visible_cuts(bundle: WaveBundle, u: int) -> set[int]:
    """Cut categories whose value may be shown on unit u's rows: the direct cell
    DC_uc = C_uc - sum over children C_vc must already be derivable, i.e. the cut cell is
    shown for u and for every child (stricter than "below k": a complementary-suppressed
    cut cell must not be recovered by counting rows either)."""
    children = _children(bundle)
    n_cut = len(CUT_CHOICES.get(bundle.wave.cut or "", ()))
    return {c for c in range(n_cut)
            if cut_fully_shown(bundle, u, c)
            and all(cut_fully_shown(bundle, v, c) for v in children[u])}


def _item_columns(bundle: WaveBundle, lang: str) -> tuple[list[Column], list[str]]:
    """One column per item of every culture instrument (value labels from its scale)."""
    columns: list[Column] = []
    codes: list[str] = []
    taken = ["unit_code", "cut"]
    for w in bundle.waves:
        scale_of = {dim.code: scale for scale, dim in instrument_dimensions(w.instrument)}
        for item in w.instrument.items:
            scale = scale_of[item.dimension]
            name = spss_name(item.code, taken)
            taken.append(name)
            columns.append(Column(
                name, item.text.get(lang), "int",
                value_labels={o.value: o.label.get(lang) for o in scale.options},
                measure="ordinal"))
            codes.append(item.code)
    return columns, codes


def respondent_table(bundle: WaveBundle, unit_ids: set[int] | None = None,
                     lang: str = "id") -> Table:
    """One row per response of an exportable unit: unit code, raw answers, cut.

    Never a response id, a date, or a unit whose group the reports suppress. Row order: by
    unit code, then by the answers, then by the cut, a function of the exported values only,
    so the order can carry nothing about submission (a random shuffle would too, but a
    sorted file is the same at every download and easier to check).
    """
    index = {unit.id: i for i, unit in enumerate(bundle.units)}
    responses = db.session.execute(
        sa.select(ResponseRow.id, ResponseRow.unit_id, ResponseRow.cut)
        .where(ResponseRow.wave_id == bundle.wave.id)).all()
    direct = [0] * len(bundle.units)
    for _rid, unit_id, _cut in responses:
        if unit_id in index:
            direct[index[unit_id]] += 1
    allowed = exportable_units(bundle, direct)
    if unit_ids is not None:
        allowed = {u for u in allowed if bundle.units[u].id in unit_ids}
    item_columns, item_codes = _item_columns(bundle, lang)
    labels = CUT_CHOICES.get(bundle.wave.cut or "", ())
    cuts = {u: {labels[c] for c in visible_cuts(bundle, u)} for u in allowed}
    answers = _answers(bundle.wave.id, item_codes)
    rows = []
    for rid, unit_id, cut in responses:
        u = index.get(unit_id, -1)
        if u not in allowed:
            continue
        given = answers.get(rid, {})
        values = tuple(given.get(code) for code in item_codes)
        tail = ((cut if cut in cuts[u] else None),) if labels else ()
        rows.append((bundle.units[u].code, *values, *tail))
    rows.sort(key=lambda row: tuple((v is not None, v) for v in row))
    cut_column = (Column("cut", _("Pemilahan (jabatan); kosong = tidak dijawab atau "
                                  "kelompok terlalu kecil"), "text",
                         codes={label: i + 1 for i, label in enumerate(labels)},
                         value_labels={i + 1: label for i, label in enumerate(labels)},
                         measure="nominal"),) if labels else ()
    columns = (Column("unit_code", _("Kode unit"), "text", measure="nominal"), *item_columns,
               *cut_column)
    return Table(columns, rows)


def _answers(wave_id: int, item_codes: list[str]) -> dict:  # type: ignore[type-arg]
    """Raw answers by response id and item code."""
    out: dict = {}  # type: ignore[type-arg]
    query = (sa.select(Answer.response_id, Answer.item_code, Answer.value)
             .join(ResponseRow, ResponseRow.id == Answer.response_id)
             .where(ResponseRow.wave_id == wave_id, Answer.item_code.in_(item_codes)))
    for rid, code, value in db.session.execute(query):
        out.setdefault(rid, {})[code] = int(value)
    return out


# ---------------------------------------------------------------- shared by web and CLI

def export_bytes(wave: Wave, fmt: str, *, respondents: bool, actor: str,
                 unit_ids: set[int] | None = None, lang: str = "id") -> tuple[bytes, str, int]:
    """(file content, file name, rows); a respondent-level export is audited (the caller
    commits)."""
    if fmt not in FORMATS:
        raise ExportRefused(_("Format tidak dikenal: %(f)s (pilih csv, xlsx atau sav).", f=fmt))
    if wave.state != WaveState.CLOSED:
        raise ExportRefused(_("Gelombang %(w)s belum ditutup; hasil hanya dapat diekspor "
                              "setelah gelombang ditutup.", w=wave.name))
    try:
        bundle = analyse_culture_wave(wave)
    except ReportingError as exc:
        raise ExportRefused(str(exc)) from exc
    make = respondent_table if respondents else aggregated_table
    table = make(bundle, unit_ids, lang)
    data = write_table(table, fmt)
    kind = "responden" if respondents else "agregat"
    name = f"lentera-{safe_name(wave.period)}-{kind}.{EXTENSIONS[fmt]}"
    if respondents:
        audit(actor, "export.respondents", wave.id, f"format={fmt} rows={len(table.rows)}")
    return data, name, len(table.rows)


# ---------------------------------------------------------------- routes

def _download(data: bytes, filename: str, fmt: str) -> Response:
    response = Response(data, content_type=MIMETYPES[fmt])
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


def _wave_or_404(wave_id: int) -> Wave:
    wave = db.session.get(Wave, wave_id)
    if wave is None:
        abort(404)
    return wave


def _closed_or_409(wave: Wave) -> None:
    if wave.state != WaveState.CLOSED:
        abort(409, description=_("Gelombang %(w)s belum ditutup; hasil hanya dapat diekspor "
                                 "setelah gelombang ditutup.", w=wave.name))


def _lang() -> str:
    return str(get_locale() or "id") if has_request_context() else "id"


@bp.route("/<int:wave_id>/agregat.<fmt>")
@login_required()
def aggregated(wave_id: int, fmt: str):  # type: ignore[no-untyped-def]
    """The aggregated results; a unit head gets the units of their own subtree only."""
    wave = _wave_or_404(wave_id)
    if fmt not in FORMATS:
        abort(404)
    _closed_or_409(wave)
    units = subtree_ids(g.user.unit_id) if g.user.role == Role.UNIT_HEAD else None
    try:
        data, name, _rows = export_bytes(wave, fmt, respondents=False, actor=g.user.username,
                                         unit_ids=units, lang=_lang())
    except ExportRefused as exc:
        abort(409, description=str(exc))
    return _download(data, name, fmt)


@bp.route("/<int:wave_id>/responden", methods=["POST"])
@login_required()
def respondents(wave_id: int):  # type: ignore[no-untyped-def]
    """The respondent-level data (a POST: every download is written to the audit log)."""
    wave = _wave_or_404(wave_id)
    if not g.user.can_export_respondents:
        abort(403, description=_("Ekspor data per responden memerlukan izin khusus yang "
                                 "diberikan oleh admin di halaman Pengguna."))
    _closed_or_409(wave)
    form = RespondentExportForm()
    if not form.validate_on_submit():
        abort(400)
    units = subtree_ids(g.user.unit_id) if g.user.role == Role.UNIT_HEAD else None
    try:
        data, name, _rows = export_bytes(wave, form.fmt.data, respondents=True,
                                         actor=g.user.username, unit_ids=units, lang=_lang())
    except ExportRefused as exc:
        db.session.rollback()
        abort(409, description=str(exc))
    db.session.commit()
    return _download(data, name, form.fmt.data)


# ---------------------------------------------------------------- CLI

@click.command("export")
@with_appcontext
@click.option("--wave", "ident", required=True, help="Wave id, name or period (2026-Q4).")
@click.option("--format", "fmt", required=True, type=click.Choice(FORMATS))
@click.option("--respondents", is_flag=True,
              help="Respondent-level data (audited with actor cli) instead of aggregates.")
@click.option("--lang", default="id", show_default=True, type=click.Choice(["id", "en"]))
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path))
def export_command(ident: str, fmt: str, respondents: bool, lang: str, out: Path) -> None:
    """Export a closed wave's results (aggregated by default) as CSV, Excel or SPSS."""
    with force_locale(lang):
        try:
            wave = find_wave(ident)
            data, _name, rows = export_bytes(wave, fmt, respondents=respondents, actor="cli",
                                             lang=lang)
        except (ReportingError, ExportRefused) as exc:
            db.session.rollback()
            raise click.ClickException(str(exc)) from exc
    out.write_bytes(data)
    db.session.commit()  # the audit entry, once the file is written
    click.echo(f"{rows} baris / rows -> {out}")


def init_app(app: Flask) -> None:
    """Register the export routes and `flask export`."""
    app.register_blueprint(bp)
    app.cli.add_command(export_command)
