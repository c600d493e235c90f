"""Command line for analysts' own data files (one row per respondent).

    python -m analysis reliability FILE --items A1,A2,A3 [--reverse A1] --points 6
        [--missing listwise|pairwise] [--json]
    python -m analysis agreement FILE --group COL --items A,B,C --points 5 [--json]
    python -m analysis icc FILE --group COL --value COL [--json]
    python -m analysis compare FILE --group COL --value COL --a LEVEL --b LEVEL [--json]
    python -m analysis skm FILE [--population N] [--json]

FILE is CSV (',', ';' or tab; UTF-8 with or without BOM, UTF-16 with BOM, or cp1252 with a
note on stderr) or an .xlsx workbook (first sheet); see analysis.tabular. ``--items`` with
``--points`` are item answers: whole numbers 1..points. ``icc`` takes any numeric column (a
scale mean, a count), for which ``agreement``'s rwg(j) is not defined. ``reliability`` warns
on stderr about items with a negative corrected item-total r (``negative_r_drop`` in the
JSON), usually a forgotten ``--reverse``.

Bad input (a cell that is not a number, a fraction or an out-of-range item answer, a
duplicate column name, a row with more or fewer cells than the header, an unreadable format)
exits with code 2 and a message (Bahasa Indonesia, then English) naming the line and column.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Sequence
from typing import SupportsFloat

import numpy as np

from analysis import agreement, reliability, skm, trends
from analysis.errors import AnalysisInputError
from analysis.scoring import reverse_key, scale_scores
from analysis.tabular import Table, read_table

EXIT_BAD_INPUT = 2
MISSING_TOKENS = {"", "NA", "NaN", "nan", "."}


class CliInputError(AnalysisInputError):
    """Bad input data; the message names the line and column."""


def _load(path: str) -> Table:
    """The table in `path`; notes about how it was read go to stderr."""
    table = read_table(path)
    for note in table.notes:
        print(f"catatan / note: {note}", file=sys.stderr)
    return table


def _need(columns: Sequence[str], wanted: Sequence[str]) -> None:
    for col in wanted:
        if col not in columns:
            raise CliInputError(f"kolom '{col}' tidak ada / column '{col}' not found "
                                f"(line 1 has: {', '.join(c for c in columns if c)})")


def _numbers(table: Table, cols: Sequence[str], points: int | None = None) -> np.ndarray:
    """Numeric matrix of `cols`; empty/NA = NaN; messages name the row's line in the file.

    With `points`, every answer must be a whole number in 1..points (an item answer).
    """
    out = np.full((len(table.rows), len(cols)), np.nan)
    for i, (row, line) in enumerate(zip(table.rows, table.lines, strict=True)):
        for j, col in enumerate(cols):
            cell = (row.get(col) or "").strip()
            if cell not in MISSING_TOKENS:
                out[i, j] = _cell_value(cell, f"{line}, kolom '{col}'",
                                        f"{line}, column '{col}'", points)
    return out


def _cell_value(cell: str, where_id: str, where_en: str, points: int | None) -> float:
    """One checked number; `where_*` is "<line>, column '<name>'" in each language."""
    try:
        v = float(cell.replace(",", "."))  # decimal comma (id-ID locale)
    except ValueError:
        raise CliInputError(f"baris {where_id}: '{cell}' bukan angka / "
                            f"line {where_en}: '{cell}' is not a number") from None
    if not math.isfinite(v):
        raise CliInputError(f"baris {where_id}: nilai {cell} bukan bilangan terhingga / "
                            f"line {where_en}: value {cell} is not a finite number")
    if points is not None and not v.is_integer():
        raise CliInputError(f"baris {where_id}: nilai {cell} bukan bilangan bulat (jawaban "
                            f"butir 1..{points}) / line {where_en}: value {cell} is not a whole "
                            f"number (item answers are 1..{points})")
    if points is not None and not 1 <= v <= points:
        raise CliInputError(f"baris {where_id}: nilai {cell} di luar 1..{points} / "
                            f"line {where_en}: value {cell} outside 1..{points}")
    return v


def _num(v: SupportsFloat) -> float | None:
    f = float(v)
    return f if math.isfinite(f) else None


def run_reliability(args: argparse.Namespace) -> dict[str, object]:
    """Reliability command; warns on stderr about items with a negative r_drop."""
    items, x = _scale_items(args)
    res = reliability.cronbach_alpha(x, missing=args.missing)
    per_item = _item_stats(items, res)
    dropped = [c for i, c in enumerate(items) if i not in set(res.items_used.tolist())]
    warnings = list(res.warnings) + ([f"dropped:{','.join(dropped)}"] if dropped and
                                     res.reason is None else [])
    if res.reason:
        warnings.append(f"{res.reason}: {res.message}")
    negative = [c for c, v in per_item.items() if v["r_drop"] is not None and v["r_drop"] < 0]
    if negative:
        _warn(NEGATIVE_R_DROP.format(items=", ".join(negative)))
    return {"n": res.n, "k": res.k, "alpha": _num(res.alpha), "alpha_std": _num(res.alpha_std),
            "alpha_ci": [_num(res.alpha_ci[0]), _num(res.alpha_ci[1])],
            "omega_total": _num(res.omega_total), "items": per_item, "warnings": warnings,
            "negative_r_drop": negative, "missing": args.missing}


NEGATIVE_R_DROP = (
    "butir {items} berkorelasi negatif dengan butir lain di skalanya (r butir-total terkoreksi "
    "< 0): lupa membalik skor? periksa --reverse / items {items} correlate negatively with the "
    "rest of their scale (corrected item-total r < 0): a forgotten reverse-key? check --reverse")


def _scale_items(args: argparse.Namespace) -> tuple[list[str], np.ndarray]:
    """The --items names and their answers, reverse-keyed as --reverse asks."""
    items = _split(args.items)
    table = _load(args.file)
    _need(table.columns, items)
    reverse = _split(args.reverse) if args.reverse else []
    unknown = [r for r in reverse if r not in items]
    if unknown:
        raise CliInputError(f"--reverse {unknown[0]} bukan bagian dari --items / "
                            f"is not one of --items")
    x = reverse_key(_numbers(table, items, args.points), [c in reverse for c in items],
                    args.points)
    return items, x


def _item_stats(items: list[str], res: reliability.ReliabilityResult
                ) -> dict[str, dict[str, float | None]]:
    """r_drop and alpha if deleted per item name (None for items alpha did not use)."""
    per_item: dict[str, dict[str, float | None]] = {
        c: {"r_drop": None, "alpha_if_deleted": None} for c in items}
    for pos, idx in enumerate(res.items_used):
        per_item[items[idx]] = {"r_drop": _num(res.r_drop[pos]),
                                "alpha_if_deleted": _num(res.alpha_if_deleted[pos])}
    return per_item


def _warn(message: str) -> None:
    print(f"peringatan / warning: {message}", file=sys.stderr)


def run_agreement(args: argparse.Namespace) -> dict[str, object]:
    """Agreement command: rwg(j) per group, ICC(1), ICC(2) of the scale score."""
    items = _split(args.items)
    table = _load(args.file)
    _need(table.columns, [args.group, *items])
    x = _numbers(table, items, args.points)
    codes, group = _groups(table, args.group)
    rwg = agreement.rwg_j(x, group, len(codes), args.points)
    icc = agreement.icc(scale_scores(x, np.zeros(len(items), np.intp), 1)[:, 0], group,
                        len(codes))
    n_rows = np.bincount(group, minlength=len(codes))
    groups = {str(c): {"n": int(n_rows[i]), "n_complete": int(rwg.n[i]),
                       "rwg_j": _num(rwg.rwg_j[i]),
                       "verdict": agreement.rwg_verdict(rwg.rwg_j[i])}
              for i, c in enumerate(codes)}
    finite = rwg.rwg_j[np.isfinite(rwg.rwg_j)]
    return {"icc1": _num(icc.icc1), "icc2": _num(icc.icc2), "icc_reason": icc.reason,
            "icc1_verdict": agreement.icc1_verdict(icc.icc1),
            "icc2_verdict": agreement.icc2_verdict(icc.icc2), "groups": groups,
            "mean_rwg_j": _num(finite.mean()) if finite.size else None}


def run_icc(args: argparse.Namespace) -> dict[str, object]:
    """ICC command: ICC(1), ICC(2) and the one-way ANOVA of any numeric column by group."""
    table = _load(args.file)
    _need(table.columns, [args.group, args.value])
    y = _numbers(table, [args.value])[:, 0]
    codes, group = _groups(table, args.group)
    res = agreement.icc(y, group, len(codes))
    n = np.bincount(group[~np.isnan(y)], minlength=len(codes))
    return {"n": int(n.sum()), "n_groups": int(np.count_nonzero(n)), "icc1": _num(res.icc1),
            "icc2": _num(res.icc2), "icc1_verdict": agreement.icc1_verdict(res.icc1),
            "icc2_verdict": agreement.icc2_verdict(res.icc2), "msb": _num(res.msb),
            "msw": _num(res.msw), "df_between": res.df_between, "df_within": res.df_within,
            "f": _num(res.f), "p": _num(res.p), "reason": res.reason,
            "groups": {str(c): int(n[i]) for i, c in enumerate(codes)}}


def _groups(table: Table, col: str) -> tuple[np.ndarray, np.ndarray]:
    """Sorted group labels of column `col` and each row's index into them.

    A blank label is refused rather than read as one more group: the rows of respondents
    whose unit is unknown would otherwise form a group of their own.
    """
    for row, line in zip(table.rows, table.lines, strict=True):
        if not row[col].strip():
            raise CliInputError(
                f"baris {line}: kolom kelompok '{col}' kosong; isi atau hapus baris itu / "
                f"line {line}: group column '{col}' is blank; fill it in or remove the row")
    labels = np.array([row[col] for row in table.rows], dtype=object)
    codes, group = np.unique(labels, return_inverse=True)
    return codes, group.astype(np.intp)


def run_compare(args: argparse.Namespace) -> dict[str, object]:
    """Compare command: Welch t and Hedges' g of level b minus level a."""
    table = _load(args.file)
    _need(table.columns, [args.group, args.value])
    y = _numbers(table, [args.value])[:, 0]
    labels = np.array([row[args.group] for row in table.rows], dtype=object)
    for level in (args.a, args.b):
        if not (labels == level).any():
            raise CliInputError(f"kolom '{args.group}' tidak memuat '{level}' / "
                                f"column '{args.group}' has no rows with '{level}'")
    a, b = y[labels == args.a], y[labels == args.b]
    w = trends.welch_t(a, b)
    h = trends.hedges_g(a, b)
    reason = str(w.reason) or str(h.reason) or None
    return {"n_a": int(w.n_a), "n_b": int(w.n_b), "mean_a": _num(w.mean_a),
            "mean_b": _num(w.mean_b), "t": _num(w.t), "df": _num(w.df), "p": _num(w.p),
            "ci": [_num(w.ci_low), _num(w.ci_high)], "hedges_g": _num(h.g),
            "g_ci": [_num(h.g_ci_low), _num(h.g_ci_high)], "reason": reason}


def run_skm(args: argparse.Namespace) -> dict[str, object]:
    """SKM command: NRR per unsur, IKM, converted score and mutu."""
    table = _load(args.file)
    names = [f"U{i}" for i in range(1, skm.N_UNSUR + 1)]
    _need(table.columns, names)
    res = skm.skm_index(_numbers(table, names, skm.SKM_POINTS))
    n = len(table.rows)
    out = {"n": n, "nrr": {c: float(v) for c, v in zip(names, res.nrr, strict=True)},
           "ikm": res.ikm, "converted": res.converted, "mutu": res.mutu,
           "kinerja": res.kinerja}
    if args.population is not None:
        adequacy = skm.sample_adequacy(n, args.population)
        out.update(required_sample=adequacy.required, sample_adequate=adequacy.adequate)
    return out


def _split(text: str) -> list[str]:
    parts = [p.strip() for p in text.split(",") if p.strip()]
    if not parts:
        raise CliInputError("daftar kolom kosong / empty column list")
    return parts


#: Table labels, Bahasa Indonesia / English (JSON keys stay as they are).
LABELS = {
    "n": "n responden / respondents", "k": "k butir / items", "alpha": "alpha Cronbach",
    "alpha_std": "alpha terstandar / standardized", "alpha_ci": "IK 95% alpha (Feldt) / 95% CI",
    "omega_total": "omega total", "items": "butir / items",
    "r_drop": "r butir-total terkoreksi / corrected item-total r",
    "alpha_if_deleted": "alpha jika butir dihapus / if item deleted",
    "warnings": "peringatan / warnings",
    "negative_r_drop": "butir r_drop negatif / negative r_drop items",
    "missing": "data hilang / missing data",
    "icc1": "ICC(1)", "icc2": "ICC(2)", "n_groups": "jumlah kelompok / number of groups",
    "msb": "KT antar kelompok / MS between", "msw": "KT dalam kelompok / MS within",
    "df_between": "db antar / df between", "df_within": "db dalam / df within", "f": "F",
    "icc_reason": "alasan / reason",
    "icc1_verdict": "penilaian ICC(1) / verdict", "icc2_verdict": "penilaian ICC(2) / verdict",
    "groups": "kelompok / groups", "n_complete": "n lengkap / complete",
    "rwg_j": "rwg(j)", "verdict": "penilaian / verdict",
    "mean_rwg_j": "rata-rata rwg(j) / mean rwg(j)", "n_a": "n a", "n_b": "n b",
    "mean_a": "rata-rata a / mean a", "mean_b": "rata-rata b / mean b", "t": "t (Welch)",
    "df": "df", "p": "p", "ci": "IK 95% selisih b - a / 95% CI of b - a",
    "hedges_g": "g Hedges", "g_ci": "IK 95% g / 95% CI of g", "reason": "alasan / reason",
    "nrr": "NRR per unsur", "ikm": "IKM", "converted": "nilai konversi / converted score",
    "mutu": "mutu pelayanan / service quality", "kinerja": "kinerja / performance",
    "required_sample": "sampel minimal (Krejcie & Morgan) / required sample",
    "sample_adequate": "sampel memadai / sample adequate",
}


def _table(result: dict[str, object], prefix: str = "") -> list[str]:
    lines = []
    for key, val in result.items():
        label = LABELS.get(key, key)
        if isinstance(val, dict):
            lines.append(f"{prefix}{label}:")
            lines.extend(_table(val, prefix + "  "))
        else:
            lines.append(f"{prefix}{label:<50} {_fmt(val)}")
    return lines


def _fmt(val: object) -> str:
    if isinstance(val, float):
        return f"{val:.4f}"
    if isinstance(val, list):
        return "[" + ", ".join(_fmt(v) for v in val) + "]" if val else "-"
    return "-" if val is None else str(val)


def build_parser() -> argparse.ArgumentParser:
    """The argparse parser of the five commands."""
    p = argparse.ArgumentParser(prog="python -m analysis", description=__doc__.split("\n")[0])
    sub = p.add_subparsers(dest="command", required=True)
    r = sub.add_parser("reliability", help="alpha, omega and item statistics of one scale")
    r.add_argument("file")
    r.add_argument("--items", required=True)
    r.add_argument("--reverse", default="")
    r.add_argument("--points", type=int, required=True)
    r.add_argument("--missing", choices=["listwise", "pairwise"], default="listwise")
    r.set_defaults(run=run_reliability)
    a = sub.add_parser("agreement", help="rwg(j) per group, ICC(1), ICC(2)")
    a.add_argument("file")
    a.add_argument("--group", required=True)
    a.add_argument("--items", required=True)
    a.add_argument("--points", type=int, required=True)
    a.set_defaults(run=run_agreement)
    i = sub.add_parser("icc", help="ICC(1), ICC(2) of any numeric column by group")
    i.add_argument("file")
    i.add_argument("--group", required=True)
    i.add_argument("--value", required=True, help="numeric column, e.g. a scale mean")
    i.set_defaults(run=run_icc)
    c = sub.add_parser("compare", help="Welch t and Hedges' g of two groups (b - a)")
    c.add_argument("file")
    c.add_argument("--group", required=True)
    c.add_argument("--value", required=True)
    c.add_argument("--a", required=True)
    c.add_argument("--b", required=True)
    c.set_defaults(run=run_compare)
    s = sub.add_parser("skm", help="IKM (Permenpan RB 14/2017) from columns U1..U9")
    s.add_argument("file")
    s.add_argument("--population", type=int, default=None,
                   help="people served in the period: adds the Krejcie & Morgan sample check")
    s.set_defaults(run=run_skm)
    for sp in (r, a, i, c, s):
        sp.add_argument("--json", action="store_true", help="print JSON instead of a table")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code (2 for bad input)."""
    args = build_parser().parse_args(argv)
    if getattr(args, "points", 2) < 2:
        print("galat / error: --points harus >= 2 / must be >= 2", file=sys.stderr)
        return EXIT_BAD_INPUT
    try:
        result = args.run(args)
    except AnalysisInputError as exc:
        print(f"galat / error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    if args.json:
        print(json.dumps(result, indent=2, ensure_ascii=False))
    else:
        print("\n".join(_table(result)))
    return 0
