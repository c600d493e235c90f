"""Simulation study: what the "Did it work?" follow-up (analysis.did) is worth.

Organisations are drawn with known truth and the demo's unit sizes: 20 units of 5-30 staff,
respondent SD 18.5 points on 0-100 (a person part of 0.7 SD that stays between waves and an
occasion part), unit effects of ICC(1) = .10, 85% response per wave (a fresh draw of
respondents each wave). Between the two waves every unit's true score changes by
N(1, 3^2) points; one unit, the targeted one, changes by `effect` more. Each wave goes through
what the wave publishes: the unit means partially pooled by `analysis.evidence.pool_means`
(empirical Bayes among the units, finite-population corrected), as `PublishedCell.estimate100`
and its 95% interval; the follow-up then reads only those (the SE from the interval's width,
as services.followup does), widened about the unit (`analysis.did.unit_se`, the default) or
not (about the current staff), and calls `analysis.did.difference_in_differences` with the
targeted unit's own minimum detectable change, then the verdict of the evidence standard.

Scored per true effect (0, 10, 20, 30 points):

- coverage of the 95% interval of the true effect (goal 93-97%) and of the realised
  difference in the staff's mean answers (the targeted unit's change of all its staff's
  answers, respondents or not, minus the comparison units' mean such change);
- verdicts: "more" / "less" shares; at effect 0 every verdict is false (goal <= 5%), at an
  effect > 0 a "less" is a wrong sign;
- attenuation: mean estimate / true effect (shrinkage pulls small units' changes to 0);
- the same by the targeted unit's size (5-8 staff against 9-30).

    .venv/bin/python -m bench.did [--orgs 2000] [--seed 1] [--out bench/did.md]
"""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from scipy import stats

from analysis import evidence
from analysis.did import LESS, MORE, DidEstimate, difference_in_differences, unit_se
from analysis.pooling import minimum_detectable_change

ROOT = Path(__file__).resolve().parents[1]
SD = 18.5
PERSON = 0.7  # share of the respondent SD that is the person's own, stable between waves
ICC = 0.10
RESPONSE = 0.85
UNITS = 20
SIZES = (5, 6, 7, 8, 9, 10, 12, 15, 20, 30)
SIZE_P = (.12, .12, .12, .12, .1, .1, .1, .1, .06, .06)
CHANGE_MEAN, CHANGE_SD = 1.0, 3.0
EFFECTS = (0.0, 10.0, 20.0, 30.0)
Z = float(stats.norm.ppf(0.975))
ABOUT = ("unit", "current_staff")


@dataclass
class Tally:
    """Counts over the simulated organisations of one effect size (and unit size)."""

    runs: int = 0
    covered: int = 0
    covered_realised: int = 0
    more: int = 0
    less: int = 0
    estimates: list[float] = field(default_factory=list)

    def add(self, covered: bool, realised: bool, verdict: str, estimate: float) -> None:
        self.runs += 1
        self.covered += covered
        self.covered_realised += realised
        self.more += verdict == MORE
        self.less += verdict == LESS
        self.estimates.append(estimate)


def _wave(rng: np.random.Generator, staff: list[np.ndarray], unit_mean: np.ndarray
          ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """One wave's published pooled estimates (estimate, SE), each unit's n and SD, and the
    mean answer of all its current staff (respondents or not)."""
    occasion = SD * np.sqrt(1 - PERSON ** 2)
    means, sds, n = np.zeros(UNITS), np.zeros(UNITS), np.zeros(UNITS)
    staff_mean = np.zeros(UNITS)
    pooled_var = []
    for u, people in enumerate(staff):
        answered = rng.random(people.size) < RESPONSE
        everyone = unit_mean[u] + people + rng.normal(0, occasion, people.size)
        staff_mean[u] = everyone.mean()
        x = everyone[answered]
        n[u] = x.size
        means[u] = x.mean() if x.size else np.nan
        sds[u] = x.std(ddof=1) if x.size >= 2 else np.nan
        if x.size >= 2:
            pooled_var.append((x.size - 1, x.var(ddof=1)))
    within = sum(d * v for d, v in pooled_var) / sum(d for d, _ in pooled_var)
    population = np.array([p.size for p in staff], dtype=np.float64)
    eligible = (n >= 5)[:, None]
    res = evidence.pool_means(means[:, None], np.array([within]), n[:, None], population,
                              np.zeros(UNITS, dtype=int), eligible)
    est = np.where(eligible[:, 0], res.estimate[:, 0], np.nan)
    se = (res.ci_high[:, 0] - res.ci_low[:, 0]) / (2 * Z)
    return est, np.where(eligible[:, 0], se, np.nan), n, sds, staff_mean


def _organisation(rng: np.random.Generator, effect: float
                  ) -> tuple[dict[str, DidEstimate], float, int]:
    """One organisation: the follow-up of unit 0 with the SEs about the unit and about the
    current staff (services.followup's `about`), the realised difference in the staff's
    mean answers, and the targeted unit's staff."""
    size = rng.choice(SIZES, p=SIZE_P, size=UNITS)
    tau = SD * np.sqrt(ICC / (1 - ICC))
    staff = [rng.normal(0, SD * PERSON, s) for s in size]
    level = rng.normal(55.0, tau, UNITS)
    change = rng.normal(CHANGE_MEAN, CHANGE_SD, UNITS)
    change[0] += effect
    b_est, b_se, b_n, b_sd, b_staff = _wave(rng, staff, level)
    a_est, a_se, a_n, a_sd, a_staff = _wave(rng, staff, level + change)
    mdc = minimum_detectable_change(np.sqrt((b_sd[0] ** 2 + a_sd[0] ** 2) / 2), b_n[0], a_n[0])
    out = {}
    for about in ABOUT:
        sb, sa = b_se, a_se
        if about == "unit":  # as services.followup does by default
            sb, sa = unit_se(b_se, b_sd, b_n, size), unit_se(a_se, a_sd, a_n, size)
        out[about] = difference_in_differences(
            (b_est[0], a_est[0]), (sb[0], sa[0]), b_est[1:], a_est[1:], sb[1:], sa[1:],
            treated_mdc=float(mdc))
    shown = np.isfinite(b_est[1:]) & np.isfinite(a_est[1:])
    staff_change = a_staff - b_staff
    return out, float(staff_change[0] - staff_change[1:][shown].mean()), int(size[0])


def run(orgs: int, seed: int) -> tuple[dict[tuple[float, str, str], Tally], int]:
    """Tallies per (effect, about, "all" / "small" (5-8 staff) / "large" targeted unit), and
    the number of organisations whose targeted unit was hidden in a wave (not estimable)."""
    rng = np.random.default_rng(seed)
    out: dict[tuple[float, str, str], Tally] = {}
    hidden = 0
    for effect in EFFECTS:
        for _ in range(orgs):
            results, realised, size = _organisation(rng, effect)
            if not results["unit"].estimable:
                hidden += 1
                continue
            for about, r in results.items():
                for group in ("all", "small" if size <= 8 else "large"):
                    out.setdefault((effect, about, group), Tally()).add(
                        r.ci_low <= effect <= r.ci_high, r.ci_low <= realised <= r.ci_high,
                        r.verdict, r.difference)
    return out, hidden


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orgs", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    start = time.perf_counter()
    tallies, hidden = run(args.orgs, args.seed)
    seconds = time.perf_counter() - start
    text = report(tallies, hidden, args.orgs, args.seed, seconds)
    print(text)
    if args.out is not None:
        args.out.write_text(text + "\n")


def report(tallies: dict[tuple[float, str, str], Tally], hidden: int, orgs: int, seed: int,
           seconds: float) -> str:
    """The figures as a Markdown table."""
    lines = [f"{orgs} organisations per effect, seed {seed}, {seconds:.1f} s in all; "
             f"{hidden} targeted units hidden in a wave (not estimable) left out.", "",
             "| true effect | SE about | targeted unit | runs | coverage of the effect | "
             "coverage of the staff's realised difference | more | less | mean estimate | "
             "estimate / effect |", "|---|---|---|---|---|---|---|---|---|---|"]
    for (effect, about, group), t in sorted(tallies.items()):
        mean = float(np.mean(t.estimates))
        ratio = f"{mean / effect:.2f}" if effect else "–"
        lines.append(f"| {effect:g} | {about} | {group} | {t.runs} | {t.covered / t.runs:.3f} | "
                     f"{t.covered_realised / t.runs:.3f} | {t.more / t.runs:.3f} | "
                     f"{t.less / t.runs:.3f} | {mean:.2f} | {ratio} |")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
