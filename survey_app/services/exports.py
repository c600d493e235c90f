"""Exports of a closed wave's results for analysts' own tools (CSV, Excel, SPSS).

Two kinds (anonymity.md rules 4-7):

* aggregated (any HR user; a unit head only for their subtree): one row per unit × dimension
  and per unit × cut category × dimension: the cells the wave published when it closed
  (`services.publication`), from the analysis of the PDF reports and with its suppression;
* respondent-level (only users an admin gave the permission; every download audited): one row
  per response with the unit code, the raw answers and the cut, for units whose own
  respondents are a group the reports already disclose.

Only closed waves are exported (rule 6). Routes: `hr/exports.py`; CLI: `flask export`.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _

from instruments.model import Instrument
from reports.build import instrument_dimensions

from ..extensions import db
from ..instrument_store import get_instrument
from ..models import Answer, PublishedCell, Wave, WaveState, WaveUnit
from ..models import Response as ResponseRow
from .publication import ReportingError, cells_of, culture_keys, layout
from .reports import safe_name
from .responses import CUT_CHOICES
from .tables import FORMATS, Cell, Column, Table, spss_name, write_table
from .waves import add_audit_entry

SHOWN = "shown"
SUPPRESSED = "suppressed"
EXTENSIONS = {"csv": "csv", "xlsx": "xlsx", "sav": "sav"}


class ExportRefused(ValueError):
    """A wave cannot be exported (the message says why)."""


# ---------------------------------------------------------------- the published cells

@dataclass
class Publication:
    """A closed wave as it was published: frozen layout, instruments, cells by key."""

    wave: Wave
    units: list[WaveUnit]
    instruments: list[Instrument]
    cells: dict[tuple[int, str, str, str], PublishedCell]

    def cell(self, u: int, key: str, dim: str, cut: str = "") -> PublishedCell | None:
        """The published cell, None where the wave has none (e.g. no such cut)."""
        return self.cells.get((u, key, dim, cut))

    def fully_shown(self, u: int, cut: str = "") -> bool:
        """Unit u (or its cut cell) is published for every dimension of every instrument."""
        return all((c := self.cell(u, i.key, d.code, cut)) is not None and c.shown
                   for i in self.instruments for _, d in instrument_dimensions(i))


def load_publication(wave: Wave) -> Publication:
    """The published results of a closed culture wave (never recomputed)."""
    if wave.state != WaveState.CLOSED:
        raise ExportRefused(_("Gelombang %(w)s belum ditutup; hasil hanya dapat diekspor "
                              "setelah gelombang ditutup.", w=wave.name))
    keys = culture_keys(wave)
    if not keys:
        raise ExportRefused(f"Gelombang {wave.name} tidak memiliki instrumen budaya. / "
                            f"Wave {wave.name} has no culture instrument.")
    try:
        rows = cells_of(wave)
    except ReportingError as exc:
        raise ExportRefused(str(exc)) from exc
    cells = {(c.position, c.instrument_key, c.dimension, c.cut): c for c in rows}
    return Publication(wave, layout(wave), [get_instrument(k) for k in keys], cells)


def _children(pub: Publication) -> list[list[int]]:
    out: list[list[int]] = [[] for _ in pub.units]
    for v, unit in enumerate(pub.units):
        if unit.parent_position is not None:
            out[unit.parent_position].append(v)
    return out


# ---------------------------------------------------------------- aggregated

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
        Column("favourable", _("Proporsi jawaban pada sisi yang baik (di atas titik tengah; "
                               "di bawahnya untuk skala yang makin tinggi makin buruk)"),
               "float", measure="scale"),
        Column("rwg_j", _("Kesepakatan dalam unit rwg(j)"), "float", measure="scale"),
        Column("agreement", _("Penilaian kesepakatan rwg(j)"), "text", measure="nominal"),
        Column("alpha_wave", _("Alpha Cronbach dimensi, seluruh gelombang"), "float",
               measure="scale"),
        Column("omega_wave", _("Omega total dimensi, seluruh gelombang"), "float",
               measure="scale"),
        Column("icc1_wave", _("ICC(1) dimensi, seluruh gelombang"), "float", measure="scale"),
        Column("icc2_wave", _("ICC(2) dimensi, seluruh gelombang"), "float", measure="scale"),
        Column("estimate100", _("Perkiraan skor unit 0-100 (partial pooling, tentang pegawai "
                                "unit saat ini)"), "float", measure="scale"),
        Column("estimate100_ci_low", _("Batas bawah IK 95 persen, perkiraan skor unit"),
               "float", measure="scale"),
        Column("estimate100_ci_high", _("Batas atas IK 95 persen, perkiraan skor unit"),
               "float", measure="scale"),
        Column("mean_reliability", _("Keandalan rata-rata unit pada jumlah respondennya "
                                     "(Spearman-Brown dari ICC(1))"), "float", measure="scale"),
        Column("change_verdict", _("Penilaian perubahan sejak gelombang lalu"), "text",
               measure="nominal"),
        Column("comparison_verdict", _("Penilaian unit dibanding bagian lain organisasi"),
               "text", measure="nominal"),
    )


FIGURES = ("n", "mean", "sd", "score100", "score100_ci_low", "score100_ci_high", "favourable",
           "rwg_j", "agreement", "alpha_wave", "omega_wave", "icc1_wave", "icc2_wave",
           "estimate100", "estimate100_ci_low", "estimate100_ci_high", "mean_reliability",
           "change_verdict", "comparison_verdict")


def aggregated_table(pub: Publication, unit_ids: set[int] | None = None,
                     lang: str = "id") -> Table:
    """Unit × dimension (and unit × cut × dimension) cells as the wave published them.

    A suppressed cell is kept as a row with status ``suppressed`` and every figure empty
    (n too), not omitted: the file then lists every unit the PDFs list, the same way the
    PDFs say "not reported", and an analyst cannot mistake a suppressed unit for one that was
    not surveyed. Which cells are shown was decided once, when the wave closed
    (`services.publication.published_cells`).
    """
    has_cut = pub.wave.cut is not None
    labels = CUT_CHOICES.get(pub.wave.cut or "", ())
    rows = []
    for u, unit in enumerate(pub.units):
        if unit_ids is not None and unit.unit_id not in unit_ids:
            continue
        for instrument in pub.instruments:
            for _scale, dim in instrument_dimensions(instrument):
                head = (unit.code, unit.name, instrument.id, dim.code, dim.name.get(lang))
                for cut in ("", *labels) if has_cut else ("",):
                    tail = ((cut or None),) if has_cut else ()
                    cell = pub.cell(u, instrument.key, dim.code, cut)
                    rows.append((*head, *tail, *_figures(cell)))
    return Table(_aggregated_columns(has_cut), rows)


def _figures(cell: PublishedCell | None) -> tuple[Cell, ...]:
    """status and the figures of a published cell (all empty where it is hidden)."""
    if cell is None or not cell.shown:
        return (SUPPRESSED, *([None] * len(FIGURES)))
    return (SHOWN, *(getattr(cell, name) for name in FIGURES))


# ---------------------------------------------------------------- respondent-level

def exportable_units(pub: Publication, direct: Sequence[int]) -> set[int]:
    """Layout positions whose own respondents may be exported.

    The rows of unit u are its direct respondents D_u, a group the reports never show as
    such. They may be exported only when the reports already disclose it: u is fully shown,
    every child of u is fully shown (so D_u = n(u) - sum n(children) is already derivable
    from the organisation report, and disclosure guarantees it is 0 or at least k), and
    D_u >= k. For a leaf unit this is just "u is fully shown".
    """
    k = pub.wave.k
    children = _children(pub)
    return {u for u in range(len(pub.units))
            if direct[u] >= k and pub.fully_shown(u)
            and all(pub.fully_shown(v) for v in children[u])}


def visible_cuts(pub: Publication, u: int) -> set[str]:
    """Cut categories whose value may be shown on unit u's rows: the direct cell
    DC_uc = C_uc - sum over children C_vc must already be derivable, i.e. the cut cell is
    shown for u and for every child (stricter than "below k": a complementary-suppressed
    cut cell must not be recovered by counting rows either)."""
    children = _children(pub)
    return {label for label in CUT_CHOICES.get(pub.wave.cut or "", ())
            if pub.fully_shown(u, label)
            and all(pub.fully_shown(v, label) for v in children[u])}


def _item_columns(pub: Publication, lang: str) -> tuple[list[Column], list[str]]:
    """One column per item of every culture instrument (value labels from its scale)."""
    columns: list[Column] = []
    codes: list[str] = []
    taken = ["unit_code", "cut"]
    for instrument in pub.instruments:
        scale_of = {dim.code: scale for scale, dim in instrument_dimensions(instrument)}
        for item in instrument.items:
            scale = scale_of[item.dimension]
            name = spss_name(item.code, taken)
            taken.append(name)
            columns.append(Column(
                name, item.text.get(lang), "int",
                value_labels={o.value: o.label.get(lang) for o in scale.options},
                measure="ordinal"))
            codes.append(item.code)
    return columns, codes


def respondent_table(pub: Publication, unit_ids: set[int] | None = None,
                     lang: str = "id") -> Table:
    """One row per response of an exportable unit: unit code, raw answers, cut.

    Never a response id, a date, or a unit whose group the reports suppress. Row order: by
    unit code, then by the answers, then by the cut, a function of the exported values only,
    so the order can carry nothing about submission (a random shuffle would too, but a
    sorted file is the same at every download and easier to check).
    """
    index = {unit.unit_id: i for i, unit in enumerate(pub.units)}
    responses = db.session.execute(
        sa.select(ResponseRow.id, ResponseRow.unit_id, ResponseRow.cut)
        .where(ResponseRow.wave_id == pub.wave.id)).all()
    direct = [0] * len(pub.units)
    for _rid, unit_id, _cut in responses:
        if unit_id in index:
            direct[index[unit_id]] += 1
    allowed = exportable_units(pub, direct)
    if unit_ids is not None:
        allowed = {u for u in allowed if pub.units[u].unit_id in unit_ids}
    item_columns, item_codes = _item_columns(pub, lang)
    labels = CUT_CHOICES.get(pub.wave.cut or "", ())
    cuts = {u: visible_cuts(pub, u) for u in allowed}
    answers = _answers(pub.wave.id, item_codes)
    rows = []
    for rid, unit_id, cut in responses:
        u = index.get(unit_id, -1)
        if u not in allowed:
            continue
        given = answers.get(rid, {})
        values = tuple(given.get(code) for code in item_codes)
        tail = ((cut if cut in cuts[u] else None),) if labels else ()
        rows.append((pub.units[u].code, *values, *tail))
    rows.sort(key=lambda row: tuple((v is not None, v) for v in row))
    cut_column = (Column("cut", _("Pemilahan (jabatan); kosong = tidak dijawab atau "
                                  "kelompok terlalu kecil"), "text",
                         codes={label: i + 1 for i, label in enumerate(labels)},
                         value_labels={i + 1: label for i, label in enumerate(labels)},
                         measure="nominal"),) if labels else ()
    columns = (Column("unit_code", _("Kode unit"), "text", measure="nominal"), *item_columns,
               *cut_column)
    return Table(columns, rows)


def _answers(wave_id: int, item_codes: list[str]) -> dict[uuid.UUID, dict[str, int]]:
    """Raw answers by response id and item code."""
    out: dict[uuid.UUID, dict[str, int]] = {}
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
    pub = load_publication(wave)
    make = respondent_table if respondents else aggregated_table
    table = make(pub, unit_ids, lang)
    data = write_table(table, fmt)
    kind = "responden" if respondents else "agregat"
    name = f"lentera-{safe_name(wave.period)}-{kind}.{EXTENSIONS[fmt]}"
    if respondents:
        add_audit_entry(actor, "export.respondents", wave.id,
                        f"format={fmt} rows={len(table.rows)}")
    return data, name, len(table.rows)
