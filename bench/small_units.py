"""Simulation study: what the reports' verdicts about small units are worth (issue #13).

Organisations are drawn with known truth and the demo's unit sizes, and every wave goes
through the reports' own analysis (`analysis.wave.analyse_wave`): a root office, 3 sections
and 20 units below them, 5-15 staff per unit (a few 20-30), 85% response per wave; respondent
SD 18.5 points on 0-100 with unit effects of ICC(1) = .10; no true change in most units and a
real change of the given size in 3 of them. Scored on the same draws:

- changes since the previous wave, before (Welch test per unit, Benjamini-Hochberg across
  units, a verdict where q < .05) and after (`WaveTrend.verdict`, the evidence standard of
  `analysis.evidence`): the share of verdicts with the wrong sign or on no true change (goal
  <= 5%), exaggeration of right-sign verdicts (mean |estimate| / |truth|), real changes found,
  and the coverage of every shown unit's 95% interval of its change (goal 93-97%);
- unit vs rest of the organisation, before (Welch interval excludes 0) and after
  (`WaveComparison.evidence`): the share of wrong-sign verdicts;
- unit scores: coverage of the 95% interval of the current staff's mean, before (t interval
  of the respondents' mean) and after (pooled, finite-population corrected).

Truth is exact for every unit subtree: staff-weighted true means and changes, and the mean of
all current staff (respondents and non-respondents).

    .venv/bin/python -m bench.small_units [--orgs 3000] [--seed 1] [--out bench/small_units.md]
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from analysis import evidence
from analysis.scoring import roll_up, subtree_members
from analysis.wave import WaveData, analyse_wave

ROOT = Path(__file__).resolve().parents[1]
SD = 18.5
ICC = 0.10
REAL_CHANGES = 3
RESPONSE = 0.85
K = 5
#: Parent of each unit: root 0, sections 1-3, 20 units below the sections.
PARENT = np.array([-1, 0, 0, 0] + [1 + i % 3 for i in range(20)])
LEAVES = np.arange(4, PARENT.size)
SIZES = (5, 6, 7, 8, 9, 10, 12, 15, 20, 30)
SIZE_P = (.12, .12, .12, .12, .1, .1, .1, .1, .06, .06)


@dataclass
class Tally:
    """Counts over all simulated unit subtrees of one decision rule."""

    verdicts: int = 0
    wrong: int = 0
    found: int = 0
    real: int = 0
    covered: int = 0
    intervals: int = 0
    exaggeration: list[float] = field(default_factory=list)
    reports: int = 0
    reports_wrong: int = 0

    def add(self, truth, estimate, low, high, verdict, eligible) -> None:  # type: ignore[no-untyped-def]
        truth, estimate, low, high = (a[eligible] for a in (truth, estimate, low, high))
        verdict = verdict[eligible]
        no_change = np.isclose(truth, 0.0)
        sign = np.sign(estimate)
        self.verdicts += int(verdict.sum())
        wrong = int(np.sum(verdict & (no_change | (np.sign(truth) != sign))))
        self.wrong += wrong
        self.reports += 1
        self.reports_wrong += wrong > 0
        right = verdict & ~no_change & (np.sign(truth) == sign)
        self.found += int(right.sum())
        self.real += int(np.sum(~no_change))
        self.exaggeration += list(np.abs(estimate[right] / truth[right]))
        self.covered += int(np.sum((low <= truth) & (truth <= high)))
        self.intervals += truth.size

    @property
    def wrong_share(self) -> float:
        """Share of verdicts with the wrong sign or on no true change."""
        return self.wrong / self.verdicts if self.verdicts else 0.0

    @property
    def coverage(self) -> float:
        """Share of intervals that hold the truth."""
        return self.covered / self.intervals if self.intervals else float("nan")

    def row(self, name: str) -> str:
        exag = float(np.mean(self.exaggeration)) if self.exaggeration else float("nan")
        wrong = f"{self.wrong_share:.1%}" if self.verdicts else "–"
        reports = f"{self.reports_wrong / self.reports:.2%}" if self.reports else "–"
        return (f"| {name} | {self.verdicts} | {wrong} | {reports} | {self.found} / "
                f"{self.real} | {exag:.2f} | {self.coverage:.1%} |")


@dataclass
class Study:
    """Both rules for changes, comparisons and scores."""

    change_before: Tally = field(default_factory=Tally)
    change_after: Tally = field(default_factory=Tally)
    change_after_units: Tally = field(default_factory=Tally)
    change_after_parents: Tally = field(default_factory=Tally)
    compare_before: Tally = field(default_factory=Tally)
    compare_after: Tally = field(default_factory=Tally)
    score_before: Tally = field(default_factory=Tally)
    score_after: Tally = field(default_factory=Tally)


def _wave(rng: np.random.Generator, staff: np.ndarray, mu: np.ndarray):  # type: ignore[no-untyped-def]
    """One wave: every staff member's score, who answered, and the WaveData of the answers."""
    unit = np.repeat(np.arange(staff.size), staff)
    score = np.clip(np.rint(mu[unit] + rng.normal(0.0, SD * np.sqrt(1 - ICC), unit.size)),
                    0, 100)
    answered = rng.random(unit.size) < RESPONSE
    data = WaveData(values=(score[answered] + 1.0)[:, None], unit=unit[answered],
                    item_dimension=np.array([0]), item_reverse=np.array([False]),
                    dimension_points=np.array([101]), dimension_collective=np.array([True]),
                    unit_parent=PARENT, unit_population=staff.astype(np.float64))
    members = subtree_members(PARENT)[:, unit]  # (U, staff)
    staff_mean = members @ (score + 1.0) / members.sum(axis=1)
    return data, staff_mean


def simulate_org(rng: np.random.Generator, study: Study, effect: float) -> None:
    """One organisation: two waves analysed as the reports analyse them, then scored."""
    staff = rng.choice(SIZES, size=PARENT.size, p=SIZE_P)
    mu = 50.0 + rng.normal(0.0, SD * np.sqrt(ICC), PARENT.size)
    change = np.zeros(PARENT.size)
    change[rng.choice(LEAVES, REAL_CHANGES, replace=False)] = rng.choice([-effect, effect],
                                                                          REAL_CHANGES)
    previous, _ = _wave(rng, staff, mu)
    current, staff_mean = _wave(rng, staff, mu + change)
    res = analyse_wave(current, k=K, previous=previous)
    sub_staff = roll_up(PARENT, staff.astype(np.float64))
    true_change = roll_up(PARENT, staff * change) / sub_staff
    t = res.trend
    assert t is not None
    shown = t.shown[:, 0]
    study.change_before.add(true_change, t.diff[:, 0], t.ci_low[:, 0], t.ci_high[:, 0],
                            t.q[:, 0] < 0.05, shown)
    e = t.evidence
    said = np.isin(t.verdict[:, 0], ("up", "down"))
    leaf = np.isin(np.arange(PARENT.size), LEAVES)
    for tally, where in ((study.change_after, shown), (study.change_after_units, shown & leaf),
                         (study.change_after_parents, shown & ~leaf)):
        tally.add(true_change, e.estimate[:, 0], e.ci_low[:, 0], e.ci_high[:, 0], said, where)
    true_mean = roll_up(PARENT, staff * (mu + change)) / sub_staff + 1.0
    with np.errstate(invalid="ignore", divide="ignore"):
        rest = ((true_mean[0] * sub_staff[0] - true_mean * sub_staff)
                / (sub_staff[0] - sub_staff))
    true_diff = np.where(sub_staff < sub_staff[0], true_mean - rest, np.nan)
    c = res.comparison
    ok = c.shown[:, 0] & (c.rest_n[:, 0] > 0)
    study.compare_before.add(true_diff, c.diff[:, 0], c.ci_low[:, 0], c.ci_high[:, 0],
                             (c.ci_low[:, 0] > 0) | (c.ci_high[:, 0] < 0), ok)
    ce = c.evidence
    study.compare_after.add(true_diff, ce.estimate[:, 0], ce.ci_low[:, 0], ce.ci_high[:, 0],
                            np.isin(ce.verdict[:, 0], (evidence.HIGHER, evidence.LOWER)), ok)
    none = np.zeros(PARENT.size, dtype=bool)
    sm = res.shown_dimension[:, 0]
    study.score_before.add(staff_mean, res.mean[:, 0], res.ci_low[:, 0], res.ci_high[:, 0],
                           none, sm)
    p = res.pooled
    study.score_after.add(staff_mean, p.estimate[:, 0], p.ci_low[:, 0], p.ci_high[:, 0],
                          none, sm)


def run(orgs: int, seed: int, effect: float) -> Study:
    """Score both rules on `orgs` simulated organisations."""
    rng = np.random.default_rng(seed)
    study = Study()
    for _ in range(orgs):
        simulate_org(rng, study, effect)
    return study


def report(orgs: int, seed: int, results: dict[float, Study]) -> str:
    """The markdown summary, one block per size of the real changes."""
    head = ("| true change | rule | verdicts | wrong sign or no true change | organisations "
            "with a wrong verdict | real changes found | exaggeration (right sign) | 95% "
            "interval coverage |\n|---|---|---|---|---|---|---|---|")
    after = (f"after: pooled 95% interval excludes 0, BH q <= {evidence.FDR:g}, "
             f"MDC <= {evidence.MDC_FACTOR:g} x estimate")
    lines = ["# Small-unit verdicts by simulation (`bench/small_units.py`)", "",
             f"{orgs} organisations per block (seed {seed}), each a root office, 3 sections "
             f"and 20 units ({PARENT.size} unit subtrees), 5-30 staff per unit, "
             f"{RESPONSE:.0%} response per wave, SD {SD} on 0-100, ICC(1) {ICC}, "
             f"{REAL_CHANGES} units with a true change of the size given, the others none. "
             "Every wave goes through `analysis.wave.analyse_wave`, as the reports do.", "",
             "## Changes since the previous wave", "", head]
    for effect, s in results.items():
        lines.append(f"| ±{effect:g} " + s.change_before.row("before: Welch + BH q < .05"))
        lines.append(f"| ±{effect:g} " + s.change_after.row(after))
    lines += ["", "The same \"after\" verdicts split by level: the 20 units without sub-units, "
              "and the root and 3 sections (whose true change is a staff-weighted share of "
              "their units' changes, so it is small but rarely exactly 0).", "", head]
    for effect, s in results.items():
        lines.append(f"| ±{effect:g} " + s.change_after_units.row("after, units"))
        lines.append(f"| ±{effect:g} " + s.change_after_parents.row("after, root and sections"))
    lines += ["", "## Unit against the rest of the organisation", "", head]
    for effect, s in results.items():
        lines.append(f"| ±{effect:g} " + s.compare_before.row(
            "before: Welch 95% interval excludes 0"))
        lines.append(f"| ±{effect:g} " + s.compare_after.row(after))
    lines += ["", "(Every unit differs a little from the rest, so \"no true change\" does not "
              "arise here; a verdict is wrong when its sign is.)", "",
              "## Unit scores about the current staff", "",
              "| true change | interval | units | 95% interval coverage |", "|---|---|---|---|"]
    for effect, s in results.items():
        for name, t in (("before: t interval of the respondents' mean", s.score_before),
                        ("after: pooled, finite-population corrected", s.score_after)):
            lines.append(f"| ±{effect:g} | {name} | {t.intervals} | {t.coverage:.1%} |")
    lines += ["", "Goals: wrong <= 5%, coverage 93-97%.", ""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run the study and write the report."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orgs", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "small_units.md")
    args = parser.parse_args(argv)
    text = report(args.orgs, args.seed,
                  {effect: run(args.orgs, args.seed, effect) for effect in (10.0, 20.0)})
    print(text)
    args.out.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
