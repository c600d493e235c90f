"""Simulation study: what change verdicts for small units are worth (issue #13).

Organisations are drawn with known truth, with the demo's unit sizes: 24 units of 5-15
respondents (a few larger), respondent SD 18.5 points on 0-100, unit effects with ICC(1) = .10,
no true change in most units and a real change of +/-10 points in 3 of them, and wave-to-wave
non-response. Two decision rules are scored on the same draws:

- before: each unit's Welch test, Benjamini-Hochberg across units, "naik"/"turun" where q < .05
  (what `analysis.wave` reports as a trend verdict);
- after: the units' changes pooled by empirical Bayes (`analysis.pooling.eb_pool`), a verdict
  where the 95% interval of the pooled change excludes 0 and the unit's minimum detectable
  change is at most `MDC_FACTOR` times the pooled estimate.

Scored: the share of verdicts with the wrong sign or on a unit with no true change (goal
<= 5%), the exaggeration of right-sign verdicts (mean |estimate| / |truth|), the coverage of
the 95% intervals of every unit's change (goal 93-97%), and how many real changes are found.

    .venv/bin/python -m bench.small_units [--orgs 300] [--seed 1] [--out bench/small_units.md]
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from analysis import trends
from analysis.pooling import eb_pool, minimum_detectable_change

ROOT = Path(__file__).resolve().parents[1]
SD = 18.5
ICC = 0.10
UNITS = 24
REAL_CHANGES = 3
EFFECT = 10.0
MDC_FACTOR = 2.0
#: Level of the pooled interval that must exclude 0 (95% gave 35% wrong verdicts at 10 points).
VERDICT_CONFIDENCE = 0.99


@dataclass
class Tally:
    """Counts over all simulated units of one decision rule."""

    verdicts: int = 0
    wrong: int = 0
    found: int = 0
    real: int = 0
    covered: int = 0
    intervals: int = 0
    exaggeration: list[float] = field(default_factory=list)

    def add(self, truth, estimate, low, high, verdict) -> None:  # type: ignore[no-untyped-def]
        sign = np.sign(estimate)
        self.verdicts += int(verdict.sum())
        self.wrong += int(np.sum(verdict & ((truth == 0) | (np.sign(truth) != sign))))
        right = verdict & (truth != 0) & (np.sign(truth) == sign)
        self.found += int(right.sum())
        self.real += int(np.sum(truth != 0))
        self.exaggeration += list(np.abs(estimate[right] / truth[right]))
        self.covered += int(np.sum((low <= truth) & (truth <= high)))
        self.intervals += truth.size

    def row(self, name: str) -> str:
        wrong = self.wrong / self.verdicts if self.verdicts else float("nan")
        exag = float(np.mean(self.exaggeration)) if self.exaggeration else float("nan")
        return (f"| {name} | {self.verdicts} | {wrong:.1%} | {self.found} / {self.real} | "
                f"{exag:.2f} | {self.covered / self.intervals:.1%} |")


def draw_wave(rng: np.random.Generator, effect: np.ndarray, sizes: np.ndarray):  # type: ignore[no-untyped-def]
    """Per unit: n, mean and sample variance of one wave's respondents."""
    n = np.maximum(rng.binomial(sizes, 0.85), 2)
    means, variances = np.empty(effect.size), np.empty(effect.size)
    for u in range(effect.size):
        x = 50.0 + effect[u] + rng.normal(0.0, SD, n[u])
        means[u], variances[u] = x.mean(), x.var(ddof=1)
    return n, means, variances


def simulate_org(rng: np.random.Generator, before: Tally, after: Tally,
                 effect: float = EFFECT) -> None:
    """One organisation: two waves, both decision rules scored."""
    sizes = rng.choice([5, 6, 7, 8, 9, 10, 12, 15, 20, 30], size=UNITS,
                       p=[.12, .12, .12, .12, .1, .1, .1, .1, .06, .06])
    unit = rng.normal(0.0, SD * np.sqrt(ICC / (1 - ICC)), UNITS)
    truth = np.zeros(UNITS)
    truth[rng.choice(UNITS, REAL_CHANGES, replace=False)] = rng.choice([-effect, effect],
                                                                        REAL_CHANGES)
    n1, m1, v1 = draw_wave(rng, unit, sizes)
    n2, m2, v2 = draw_wave(rng, unit + truth, sizes)
    welch = trends.welch_from_stats(n1, m1, v1, n2, m2, v2)
    q = trends.benjamini_hochberg(welch.p)
    before.add(truth, welch.diff, welch.ci_low, welch.ci_high, q < 0.05)
    pooled_var = (np.sum((n1 - 1) * v1) + np.sum((n2 - 1) * v2)) / (np.sum(n1 + n2) - 2 * UNITS)
    variance = pooled_var * (1.0 / n1 + 1.0 / n2)
    res = eb_pool(m2 - m1, variance)
    strict = eb_pool(m2 - m1, variance, confidence=VERDICT_CONFIDENCE)
    mdc = minimum_detectable_change(np.sqrt(pooled_var), n1, n2)
    excludes = (strict.ci_low > 0) | (strict.ci_high < 0)
    after.add(truth, res.estimate, res.ci_low, res.ci_high,
              excludes & (mdc <= MDC_FACTOR * np.abs(res.estimate)))


def run(orgs: int, seed: int, effect: float = EFFECT) -> tuple[Tally, Tally]:
    """Score both rules on `orgs` simulated organisations."""
    rng = np.random.default_rng(seed)
    before, after = Tally(), Tally()
    for _ in range(orgs):
        simulate_org(rng, before, after, effect)
    return before, after


def report(orgs: int, seed: int, results: dict[float, tuple[Tally, Tally]]) -> str:
    """The markdown summary, one block per size of the real changes."""
    lines = ["# Small-unit verdicts by simulation (`bench/small_units.py`)", "",
             f"{orgs} organisations per row block (seed {seed}), {UNITS} units each of 5-30 "
             f"respondents (85% response per wave), SD {SD} on 0-100, ICC(1) {ICC}, "
             f"{REAL_CHANGES} units with a true change of the size given, the others none.", "",
             "| true change | rule | verdicts | wrong sign or no true change | real changes "
             "found | exaggeration (right sign) | 95% interval coverage |",
             "|---|---|---|---|---|---|---|"]
    for effect, (before, after) in results.items():
        lines.append(f"| +/-{effect:g} " + before.row("before: Welch + BH q < .05"))
        lines.append(f"| +/-{effect:g} " + after.row(
            f"after: pooled {VERDICT_CONFIDENCE:.0%} interval excludes 0, "
            f"MDC <= {MDC_FACTOR:g} x estimate"))
    lines += ["", "Goals: wrong <= 5%, coverage 93-97%. Coverage is that of the 95% interval "
              "of every unit's change (Welch CI before, pooled after).", ""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run the study and write the report."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orgs", type=int, default=300)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "small_units.md")
    args = parser.parse_args(argv)
    text = report(args.orgs, args.seed,
                  {effect: run(args.orgs, args.seed, effect) for effect in (EFFECT, 20.0)})
    print(text)
    args.out.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
