"""Disclosure control: minimum group size k and complementary suppression over the unit tree
and the pre-declared cut (anonymity.md rules 4 and 5).

What is guaranteed
------------------
Consider these cells: every unit's subtree total T_u (displayable), every unit × cut category
subtree cell C_uc (displayable), and the pseudo-cells nobody displays but an attacker can
reason about: the unit's own direct respondents D_u, the respondents who did not answer the
cut N_u (subtree) and DN_u (direct), and the direct cut cells DC_uc. They are tied by the
relations

* T_u = D_u + sum of T_v over the children v         (parent minus shown children)
* T_u = sum_c C_uc + N_u                              (unit total minus cut cells)
* C_uc = DC_uc + sum of C_vc over the children v      (cut cells roll up the tree)
* N_u = DN_u + sum of N_v over the children v
* D_u = sum_c DC_uc + DN_u

An attacker knows every shown cell and every empty cell (count 0). :func:`suppress` returns a
selection such that, after repeatedly applying single relations (any relation with one
unknown cell reveals it, and the revealed cell is then known for the next relation):

1. no shown cell has fewer than k respondents;
2. no cell with 1..k-1 respondents is revealed;
3. in every relation whose total is known, the unknown parts together hold 0 or at least k
   respondents (so no group below k is revealed as a sum of siblings either).

What is NOT guaranteed
----------------------
Solving several relations simultaneously (general linear algebra over the whole table, e.g.
subtracting a combination of tree and cut relations that no single relation gives) is not
checked; nor is outside knowledge (someone who knows how a colleague answered). Complementary
suppression is greedy (the smallest shown cell of the relation is suppressed next), which is
safe but not minimal; should it ever find no cell to suppress, it hides every cell rather
than show a derivable group. The selection depends only on counts, so it is the same in every view,
PDF and export that uses it.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from numpy.typing import ArrayLike, NDArray

from analysis.errors import AnalysisInputError
from analysis.scoring import roll_up, tree_depth

#: Smallest k allowed by anonymity.md rule 4.
MIN_K = 3
#: Reason codes of a cell that is not shown ("" = shown).
BELOW_K = "below_k"
COMPLEMENTARY = "complementary"
EMPTY = "empty"


@dataclass(frozen=True)
class DisclosureResult:
    """Which cells may be shown. ``cut_*`` are None when no cut was given."""

    k: int
    counts: NDArray[np.int64]  # (U,) subtree respondents
    shown: NDArray[np.bool_]  # (U,)
    reason: NDArray[np.str_]  # (U,) "", "below_k", "complementary", "empty"
    cut_counts: NDArray[np.int64] | None = None  # (U, C) subtree respondents per category
    cut_shown: NDArray[np.bool_] | None = None
    cut_reason: NDArray[np.str_] | None = None


class _Structure:
    """Cell ids and subtraction relations of a unit tree with C cut categories.

    Cell ids: T_u = u; D_u = U + u; with a cut also C_uc, N_u, DC_uc and DN_u (see
    :func:`_Structure.__init__`). Each relation lists its total first, then its parts.
    """

    def __init__(self, parent: NDArray[np.intp], n_cut: int):
        u = parent.size
        children: list[list[int]] = [[] for _ in range(u)]
        for v, p in enumerate(parent.tolist()):
            if p >= 0:
                children[p].append(v)
        rel = [[t, u + t, *children[t]] for t in range(u)]
        n_cells = 2 * u
        self.cut_ids = np.zeros(0, dtype=np.intp)
        if n_cut:
            c = n_cut
            base_c, base_n = 2 * u, 2 * u + u * c
            base_dc, base_dn = base_n + u, base_n + u + u * c
            n_cells = base_dn + u
            for t in range(u):
                rel.append([t, *(base_c + t * c + j for j in range(c)), base_n + t])
                for j in range(c):
                    rel.append([base_c + t * c + j, base_dc + t * c + j,
                                *(base_c + v * c + j for v in children[t])])
                rel.append([base_n + t, base_dn + t, *(base_n + v for v in children[t])])
                rel.append([u + t, *(base_dc + t * c + j for j in range(c)), base_dn + t])
            self.cut_ids = np.arange(base_c, base_n)
        self.n_units, self.n_cut, self.n_cells = u, n_cut, n_cells
        self.relations = rel
        self.member_of: list[list[int]] = [[] for _ in range(n_cells)]
        for r, cells in enumerate(rel):
            for cell in cells:
                self.member_of[cell].append(r)
        sizes = np.array([len(cells) for cells in rel])
        self.ptr = np.concatenate([[0], np.cumsum(sizes)])
        self.cells = np.fromiter((c for cells in rel for c in cells), dtype=np.intp)
        self.rel_of_entry = np.repeat(np.arange(len(rel)), sizes)
        self.is_part = np.ones(self.cells.size, dtype=bool)
        self.is_part[self.ptr[:-1]] = False
        self.displayable = np.zeros(n_cells, dtype=bool)
        self.displayable[:u] = True
        self.displayable[self.cut_ids] = True

    def counts(self, parent: NDArray[np.intp], direct: NDArray[np.int64],
               cut_direct: NDArray[np.int64] | None) -> NDArray[np.int64]:
        """Count of every cell from the direct counts."""
        total = roll_up(parent, direct)
        parts = [total, direct]
        if cut_direct is not None:
            cut_total = roll_up(parent, cut_direct)
            parts += [cut_total.ravel(), total - cut_total.sum(axis=1), cut_direct.ravel(),
                      direct - cut_direct.sum(axis=1)]
        return np.concatenate(parts).astype(np.int64)


@lru_cache(maxsize=8)
def _structure(parent_bytes: bytes, n_cut: int) -> _Structure:
    return _Structure(np.frombuffer(parent_bytes, dtype=np.intp), n_cut)


class _Table:
    """A structure with the counts of one suppression problem."""

    def __init__(self, structure: _Structure, count: NDArray[np.int64]):
        self.s = structure
        self.count = count
        self.relations = structure.relations
        self.displayable = structure.displayable
        self.cut_ids = structure.cut_ids

    def closure(self, shown: NDArray[np.bool_]) -> tuple[NDArray[np.bool_], NDArray[np.intp]]:
        """Cells known from shown and empty cells by repeated single relations.

        Returns the known mask and, per cell, the relation that revealed it (-1 if none).
        Vectorised in rounds: every relation with exactly one unknown cell reveals it, all
        at once, until no relation does (the same fixed point as one-at-a-time).
        """
        s = self.s
        known = shown | (self.count == 0)
        derived_by = np.full(s.n_cells, -1, dtype=np.intp)
        unknown = ~known[s.cells]
        left = np.add.reduceat(unknown.astype(np.int64), s.ptr[:-1])
        while True:
            entries = unknown & (left == 1)[s.rel_of_entry]
            if not entries.any():
                return known, derived_by
            cells, first = np.unique(s.cells[entries], return_index=True)
            known[cells] = True
            derived_by[cells] = s.rel_of_entry[entries][first]
            newly = unknown & known[s.cells]
            unknown &= ~newly
            left -= np.add.reduceat(newly.astype(np.int64), s.ptr[:-1])

    def hidden_part_sums(self, known: NDArray[np.bool_]) -> NDArray[np.int64]:
        """Per relation: respondents in its parts that are not known."""
        s = self.s
        hidden = np.where(s.is_part & ~known[s.cells], self.count[s.cells], 0)
        return np.add.reduceat(hidden, s.ptr[:-1])


def suppress(parent: ArrayLike, direct_counts: ArrayLike, k: int = 5,
             cut_counts: ArrayLike | None = None) -> DisclosureResult:
    """Minimum group size k with complementary suppression over the unit tree and the cut.

    Parameters
    ----------
    parent : (U,) parent unit index, -1 for a root.
    direct_counts : (U,) respondents whose own unit is u (a unit's shown count is its
        whole subtree's respondents).
    k : minimum group size (anonymity.md: default 5, at least 3).
    cut_counts : optional (U, C) respondents of unit u (direct) in each cut category;
        respondents who did not answer the cut are ``direct_counts - cut_counts.sum(1)``.

    Returns
    -------
    DisclosureResult with ``shown`` per unit and ``cut_shown`` per unit × category, each
    hidden cell with a reason code. See the module docstring for the guarantee.
    """
    par, direct, cut, k = _validate(parent, direct_counts, k, cut_counts)
    structure = _structure(par.tobytes(), 0 if cut is None else cut.shape[1])
    table = _Table(structure, structure.counts(par, direct, cut))
    shown = table.displayable & (table.count >= k)
    for _ in range(table.count.size + 1):
        known, derived_by = table.closure(shown)
        bad, fixes = _fixes(table, shown, known, derived_by, k)
        if not bad:
            break
        if not fixes:  # no cell found to hide: fail safe rather than show a derivable group
            shown[:] = False
            break
        shown[list(fixes)] = False
    return _package(table, shown, k, par.size, None if cut is None else cut.shape[1])


def _validate(parent: ArrayLike, direct_counts: ArrayLike, k: int, cut_counts: ArrayLike | None
              ) -> tuple[NDArray[np.intp], NDArray[np.int64], NDArray[np.int64] | None, int]:
    par = np.ascontiguousarray(parent, dtype=np.intp)
    tree_depth(par)
    direct = np.asarray(direct_counts)
    if direct.shape != par.shape or not np.issubdtype(direct.dtype, np.integer) or \
            (direct < 0).any():
        raise AnalysisInputError("direct_counts must be one non-negative integer per unit")
    if int(k) != k or k < MIN_K:
        raise AnalysisInputError(f"k must be an integer >= {MIN_K} (anonymity rule 4)")
    cut = None
    if cut_counts is not None:
        cut = np.asarray(cut_counts)
        if cut.ndim != 2 or cut.shape[0] != par.size or (cut < 0).any() or \
                not np.issubdtype(cut.dtype, np.integer):
            raise AnalysisInputError("cut_counts must be a (units x categories) count array")
        if (cut.sum(axis=1) > direct).any():
            raise AnalysisInputError("a unit's cut counts exceed its respondents")
        cut = cut.astype(np.int64)
    return par, direct.astype(np.int64), cut, int(k)


def _fixes(table: _Table, shown: NDArray[np.bool_], known: NDArray[np.bool_],
           derived_by: NDArray[np.intp], k: int) -> tuple[int, set[int]]:
    """Relations that reveal a group of 1..k-1 respondents, and one cell to hide for each."""
    fixes: set[int] = set()
    bad_relations: set[int] = set()
    revealed = np.flatnonzero(derived_by >= 0)
    small = revealed[(table.count[revealed] > 0) & (table.count[revealed] < k)]
    bad_relations.update(derived_by[small].tolist())
    hidden = table.hidden_part_sums(known)
    totals_known = known[table.s.cells[table.s.ptr[:-1]]]
    bad_relations.update(np.flatnonzero(totals_known & (hidden > 0) & (hidden < k)).tolist())
    for r in sorted(bad_relations):
        cell = _pick(table, shown, derived_by, r, set())
        if cell is not None:
            fixes.add(cell)
    return len(bad_relations), fixes


def _pick(table: _Table, shown: NDArray[np.bool_], derived_by: NDArray[np.intp], r: int,
          seen: set[int]) -> int | None:
    """Smallest shown member of relation r (else its total); else break a derivation."""
    seen.add(r)
    cells = table.relations[r]
    members = [c for c in cells[1:] if shown[c] and table.count[c] > 0]
    if members:
        return min(members, key=lambda c: (table.count[c], c))
    if shown[cells[0]]:
        return cells[0]
    for c in cells:
        r2 = int(derived_by[c])
        if r2 >= 0 and r2 not in seen:
            pick = _pick(table, shown, derived_by, r2, seen)
            if pick is not None:
                return pick
    return None


def _package(table: _Table, shown: NDArray[np.bool_], k: int, u: int, c: int | None
             ) -> DisclosureResult:
    count = table.count
    reason = np.where(shown, "", np.where(count == 0, EMPTY,
                                          np.where(count < k, BELOW_K, COMPLEMENTARY)))
    if c is None:
        return DisclosureResult(k=k, counts=count[:u], shown=shown[:u], reason=reason[:u])
    ids = table.cut_ids
    return DisclosureResult(k=k, counts=count[:u], shown=shown[:u], reason=reason[:u],
                            cut_counts=count[ids].reshape(u, c),
                            cut_shown=shown[ids].reshape(u, c),
                            cut_reason=reason[ids].reshape(u, c))
