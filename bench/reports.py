"""Benchmark of the PDF reports: one unit report, a batch of 100 units, the time split.

    .venv/bin/python -m bench.reports [--quick] [--units 100] [--workers 2]

Synthetic organisation: a city root, kecamatan and kelurahan (100 units), the three shipped
culture instruments (resistance, readiness, learning: 50 items), four quarterly waves, some
units below k. Measures
- analysis: `analyse_wave` of the current wave for the three instruments (with the previous
  wave for trends), once per batch;
- one unit report (median of 5): context build, charts (matplotlib SVG), Jinja template and
  WeasyPrint, each timed separately;
- the floor: WeasyPrint alone rendering the same final HTML (median of 5), and the ratio of
  the whole per-unit pipeline to it;
- a batch of every unit report plus the organisation report with N worker processes, wall
  time and the peak resident memory (ru_maxrss) of each worker.
Writes the figures as Markdown to stdout (copy them into bench/reports.md).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

from analysis.wave import WaveData, analyse_wave
from instruments import load_instrument
from reports import charts  # noqa: F401  (import cost outside the timings)
from reports.batch import RenderJob, render_batch
from reports.build import (
    InstrumentWave,
    WaveInfo,
    build_org_context,
    build_unit_context,
    instrument_layout,
    shown_scores100,
)
from reports.documents import render_unit_report, unit_report_data
from reports.render import render_html, render_pdf

WAVES = ("2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4")
INSTRUMENTS = ("resistance", "readiness", "learning")


def organisation(n_units: int, rng: np.random.Generator):
    """Unit names, parents and respondents per unit: root, kecamatan, kelurahan."""
    n_kec = max(1, n_units // 10)
    parent = [-1] + [0] * n_kec + [1 + (i % n_kec) for i in range(n_units - 1 - n_kec)]
    names = ["Pemerintah Kota Contoh"] + [f"Kecamatan {i + 1}" for i in range(n_kec)] + [
        f"Kelurahan {i + 1}" for i in range(n_units - 1 - n_kec)]
    size = rng.integers(3, 30, size=n_units)  # some below k = 5
    size[0] = 20
    return names, np.array(parent), size


def wave_data(instrument, parent, size, effect, rng) -> WaveData:
    """Random answers with a unit effect, in the layout the reports builder expects."""
    layout = instrument_layout(instrument)
    unit = np.repeat(np.arange(size.size), size)
    points = layout["dimension_points"][layout["item_dimension"]]
    centre = (points + 1) / 2 + effect[unit][:, None]
    values = np.clip(np.rint(centre + rng.normal(0, 1.0, (unit.size, points.size))), 1, points)
    values[rng.random(values.shape) < 0.03] = np.nan
    return WaveData(values=values.astype(np.float64), unit=unit, unit_parent=parent, **layout)


def analyse_all(instruments, parent, size, rng):
    """Analyse every wave of every instrument; return the InstrumentWaves of the last wave
    and the seconds spent analysing the last wave."""
    effect = rng.normal(0, 0.5, size=size.size)
    out, seconds = [], 0.0
    for instrument in instruments:
        history, previous_data = [], None
        for w in range(len(WAVES)):
            data = wave_data(instrument, parent, size, effect + 0.1 * w, rng)
            start = time.perf_counter()
            result = analyse_wave(data, k=5, previous=previous_data)
            if w == len(WAVES) - 1:
                seconds += time.perf_counter() - start
            history.append(shown_scores100(result))
            previous_data = data
        out.append(InstrumentWave(instrument, data, result, tuple(history[:-1])))
    return out, seconds


def median_time(fn, repeat: int = 5) -> tuple[float, object]:
    """Median wall time of `repeat` calls and the last value."""
    times, value = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        value = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), value


def one_unit(unit, names, waves, info):
    """Median seconds of each stage of one unit report, of the whole pipeline, and of the
    floor (WeasyPrint alone on the same final HTML); pipeline and floor runs alternate so
    that both see the same machine load."""
    t_ctx, ctx = median_time(lambda: build_unit_context(unit, names, waves, info, n_invited=40))
    t_charts, data = median_time(lambda: unit_report_data(ctx, "id"))
    t_tpl, html = median_time(lambda: render_html("unit.html", "id", **data))
    whole, floor, whole_cpu, floor_cpu = [], [], [], []
    for _ in range(5):
        start, cpu = time.perf_counter(), time.process_time()
        pdf = render_unit_report(build_unit_context(unit, names, waves, info, n_invited=40))
        whole.append(time.perf_counter() - start)
        whole_cpu.append(time.process_time() - cpu)
        start, cpu = time.perf_counter(), time.process_time()
        render_pdf(html)
        floor.append(time.perf_counter() - start)
        floor_cpu.append(time.process_time() - cpu)
    return {"context": t_ctx, "charts": t_charts, "template": t_tpl,
            "weasyprint": statistics.median(floor), "whole": statistics.median(whole),
            "floor": statistics.median(floor), "bytes": len(pdf),
            "whole_cpu": statistics.median(whole_cpu),
            "floor_cpu": statistics.median(floor_cpu)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="20 units instead of 100")
    parser.add_argument("--units", type=int, default=100)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    n_units = 20 if args.quick else args.units
    rng = np.random.default_rng(2026)
    names, parent, size = organisation(n_units, rng)
    instruments = [load_instrument(key) for key in INSTRUMENTS]
    waves, t_analysis = analyse_all(instruments, parent, size, rng)
    info = WaveInfo("Pemerintah Kota Contoh", WAVES[-1], "Oktober–Desember 2026", WAVES,
                    previous_wave_label=WAVES[-2], generated_on="2027-01-05")
    shown = [u for u in range(n_units) if waves[0].result.shown[u]]
    unit = max(shown[1:], key=lambda u: size[u])  # a kelurahan or kecamatan that is shown
    stages = one_unit(unit, names, waves, info)
    _print_unit(stages, t_analysis, n_units)
    _batch(names, waves, info, n_units, args.workers, t_analysis)


def _print_unit(s: dict, t_analysis: float, n_units: int) -> None:
    share = t_analysis / n_units
    print("## One unit report (median of 5)\n")
    print("| stage | seconds |\n|---|---|")
    print(f"| analysis of the wave, 3 instruments ({n_units} units; once per batch) "
          f"| {t_analysis:.3f} (= {share:.4f} per unit) |")
    for key in ("context", "charts", "template", "weasyprint"):
        print(f"| {key} | {s[key]:.3f} |")
    print(f"| **whole pipeline for one unit (context -> PDF bytes, timed end to end)** "
          f"| **{s['whole']:.3f}** |")
    print(f"| WeasyPrint alone on the final HTML (floor) | {s['floor']:.3f} |")
    print(f"| CPU time: whole pipeline / floor | {s['whole_cpu']:.3f} / {s['floor_cpu']:.3f} |")
    print(f"\nRatio pipeline / floor: **{s['whole'] / s['floor']:.2f}** "
          f"(with the analysis share per unit: {(s['whole'] + share) / s['floor']:.2f}); "
          f"PDF {s['bytes'] / 1024:.0f} KiB. CPU-time ratio (insensitive to other load on the "
          f"machine): **{s['whole_cpu'] / s['floor_cpu']:.2f}**.\n")


def _batch(names, waves, info, n_units, workers, t_analysis) -> None:
    start = time.perf_counter()
    jobs = [RenderJob(f"unit-{u:03d}.pdf", build_unit_context(u, names, waves, info))
            for u in range(n_units)]
    jobs.append(RenderJob("organisation.pdf", build_org_context(names, waves, info)))
    t_contexts = time.perf_counter() - start
    with tempfile.TemporaryDirectory() as out:
        start = time.perf_counter()
        outcomes = render_batch(jobs, out, workers=workers)
        wall = time.perf_counter() - start
        files = len(list(Path(out).glob("*.pdf")))
    errors = [o for o in outcomes if o.error]
    print(f"## Batch: {n_units} unit reports + the organisation report, {workers} workers\n")
    print("| figure | value |\n|---|---|")
    print(f"| analysis (3 instruments) | {t_analysis:.2f} s |")
    print(f"| building {len(jobs)} contexts | {t_contexts:.2f} s |")
    print(f"| rendering (wall, incl. worker start) | {wall:.2f} s |")
    print(f"| **total** | **{t_analysis + t_contexts + wall:.2f} s** |")
    print(f"| PDFs written / errors | {files} / {len(errors)} |")
    print(f"| peak memory per worker (max ru_maxrss) | {max(o.max_rss_mb for o in outcomes):.0f}"
          f" MB |")
    cpu = sum(o.cpu_seconds for o in outcomes)
    print(f"| CPU time of all renders (in the workers) | {cpu:.1f} s |")
    print(f"| = wall time on {workers} otherwise idle cores, at best | {cpu / workers:.1f} s |")
    print(f"| slowest single render | {max(o.seconds for o in outcomes):.2f} s |")
    print(f"| median single render (wall / CPU) | "
          f"{statistics.median(o.seconds for o in outcomes):.2f} / "
          f"{statistics.median(o.cpu_seconds for o in outcomes):.2f} s |")


if __name__ == "__main__":
    main()
