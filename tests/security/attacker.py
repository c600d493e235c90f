"""An attacker who solves everything published about a wave jointly (integer programming).

Unknowns: the direct respondents of every unit per cut category (the last category is "cut
not answered"), at one or more moments of the wave. What the attacker knows, as constraints:
every published count (a subtree total, a subtree cut cell, a per-dimension n) as an
equality, every band of an open wave's page as bounds, every hidden cell of a closed wave as
"at most k - 1 or complementary" (nothing: hidden means unknown), units that are not surveyed
as 0, codes issued per unit as upper bounds, and that counts never fall between two looks.
For every group of 1..k-1 respondents (a unit's own respondents, a subtree, a cut cell, at
any moment) the attacker minimises and maximises its size; equal bounds mean the group's
size is derived, which is a leak.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp


@dataclass
class Snapshot:
    """What one look at the wave shows: exact counts and bands, per subtree (and cut)."""

    exact: dict[tuple[int, int | None], int] = field(default_factory=dict)  # (unit, cut|None)
    bands: dict[tuple[int, int | None], tuple[int, int]] = field(default_factory=dict)


@dataclass
class Attack:
    """The published record of one wave on a fixed layout."""

    parent: list[int]
    n_cut: int  # cut categories (0 = no cut); one more column holds "not answered"
    surveyed: list[bool]
    invited: list[int] | None
    snapshots: list[Snapshot]

    @property
    def columns(self) -> int:
        return self.n_cut + 1

    def _subtree(self, u: int) -> list[int]:
        out, stack = [], [u]
        while stack:
            v = stack.pop()
            out.append(v)
            stack.extend(w for w, p in enumerate(self.parent) if p == v)
        return out

    def _var(self, t: int, u: int, c: int) -> int:
        return (t * len(self.parent) + u) * self.columns + c

    def group(self, t: int, units: list[int], cut: int | None) -> np.ndarray:
        """Indicator row of a group's size at moment t."""
        row = np.zeros(len(self.snapshots) * len(self.parent) * self.columns)
        cats = range(self.columns) if cut is None else [cut]
        for u in units:
            for c in cats:
                row[self._var(t, u, c)] = 1.0
        return row

    def constraints(self) -> tuple[list[LinearConstraint], Bounds]:
        rows, lo, hi = [], [], []
        size = len(self.snapshots) * len(self.parent) * self.columns
        upper = np.full(size, 1000.0)  # finite, so that every problem is bounded
        for t, snap in enumerate(self.snapshots):
            for (u, cut), value in snap.exact.items():
                rows.append(self.group(t, self._subtree(u), cut))
                lo.append(value)
                hi.append(value)
            for (u, cut), (a, b) in snap.bands.items():
                rows.append(self.group(t, self._subtree(u), cut))
                lo.append(a)
                hi.append(b)
            for u in range(len(self.parent)):
                if not self.surveyed[u]:
                    upper[[self._var(t, u, c) for c in range(self.columns)]] = 0
                elif self.invited is not None:
                    rows.append(self.group(t, [u], None))
                    lo.append(0)
                    hi.append(self.invited[u])
                if t:  # counts never fall
                    for c in range(self.columns):
                        row = np.zeros(size)
                        row[self._var(t, u, c)], row[self._var(t - 1, u, c)] = 1.0, -1.0
                        rows.append(row)
                        lo.append(0)
                        hi.append(np.inf)
        cons = [LinearConstraint(np.array(rows), lo, hi)] if rows else []
        return cons, Bounds(0, upper)

    def derived(self, row: np.ndarray) -> int | None:
        """The group's size if the published record pins it, else None."""
        cons, bounds = self.constraints()
        integrality = np.ones(row.size)
        found = []
        for sign in (1.0, -1.0):
            res = milp(sign * row, constraints=cons, bounds=bounds, integrality=integrality)
            assert res.success, res.message  # the truth is feasible
            found.append(round(sign * res.fun))
        return found[0] if found[0] == found[1] else None

    def leaks(self, truth: np.ndarray, k: int) -> list[str]:
        """Groups of 1..k-1 whose size the record pins; truth is (T, U, columns) direct counts."""
        out = []
        for t in range(len(self.snapshots)):
            for u in range(len(self.parent)):
                for units, label in ((self._subtree(u), "subtree"), ([u], "own")):
                    for cut in [None, *range(self.n_cut)]:
                        cats = slice(None) if cut is None else cut
                        true = int(truth[t, units][:, cats].sum())
                        if not 1 <= true < k:
                            continue
                        if self.derived(self.group(t, units, cut)) is not None:
                            out.append(f"t={t} {label} of unit {u} cut={cut}: {true}")
        return out
