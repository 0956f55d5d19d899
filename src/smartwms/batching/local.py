"""Local search on a batching: shift, swap and exchange of orders between batches.

A :class:`Solution` keeps the batches, their loads and tour lengths. :func:`local_search`
applies improving moves until none is left (best improvement per order):

- **shift**: move one order to another batch (or to a new batch of its own);
- **swap**: exchange one order of batch A with one order of batch B;
- **exchange**: exchange two orders of batch A with one order of batch B.

Candidate batches for an order are evaluated in one compiled call (see
:meth:`~smartwms.batching.evaluate.TourLengths.uncached`). The ``local`` method runs savings,
then this local search.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from smartwms.batching.constructive import savings
from smartwms.batching.problem import BatchingProblem, Load
from smartwms.batching.search import Outcome, Search

__all__ = ["Solution", "local_search", "local_search_method"]

_EPS = 1e-9


class Solution:
    """Batches (lists of unit indices) with their loads and tour lengths, kept up to date."""

    def __init__(self, ctx: Search, batches: Sequence[Sequence[int]]) -> None:
        self.ctx = ctx
        self.problem: BatchingProblem = ctx.problem
        self.batches: list[list[int]] = [list(b) for b in batches if b]
        self.loads: list[Load] = [self.problem.load(b) for b in self.batches]
        self.lengths: list[float] = ctx.lengths.lengths(self.batches)
        self.where: dict[int, int] = {i: k for k, b in enumerate(self.batches) for i in b}

    def copy(self) -> Solution:
        """An independent copy."""
        other = Solution.__new__(Solution)
        other.ctx, other.problem = self.ctx, self.problem
        other.batches = [list(b) for b in self.batches]
        other.loads = list(self.loads)
        other.lengths = list(self.lengths)
        other.where = dict(self.where)
        return other

    @property
    def total(self) -> float:
        """Total tour length."""
        return float(sum(self.lengths))

    def fits(self, load: Load) -> bool:
        """Whether a load fits on the cart."""
        return not load.excess(self.problem.cart)

    def set_batch(self, k: int, members: list[int], length: float | None = None) -> None:
        """Replace batch ``k`` (an empty list removes its contents)."""
        self.batches[k] = members
        self.loads[k] = self.problem.load(members)
        self.lengths[k] = self.ctx.lengths.length(members) if length is None else length
        for i in members:
            self.where[i] = k

    def add_batch(self, members: list[int]) -> int:
        """Append a new batch; returns its index."""
        self.batches.append([])
        self.loads.append(Load())
        self.lengths.append(0.0)
        self.set_batch(len(self.batches) - 1, members)
        return len(self.batches) - 1

    def remove(self, units: Sequence[int]) -> None:
        """Take units out of their batches (batches may become empty)."""
        touched: dict[int, list[int]] = {}
        for i in units:
            touched.setdefault(self.where.pop(i), []).append(i)
        for k, gone in touched.items():
            drop = set(gone)
            self.set_batch(k, [i for i in self.batches[k] if i not in drop])

    def compact(self) -> None:
        """Drop empty batches."""
        keep = [k for k, b in enumerate(self.batches) if b]
        self.batches = [self.batches[k] for k in keep]
        self.loads = [self.loads[k] for k in keep]
        self.lengths = [self.lengths[k] for k in keep]
        self.where = {i: k for k, b in enumerate(self.batches) for i in b}

    def key(self) -> frozenset[frozenset[int]]:
        """The batching as a set of sets (equal for equal batchings)."""
        return frozenset(frozenset(b) for b in self.batches if b)


# ---------------------------------------------------------------------- moves
def _best_shift(sol: Solution, i: int) -> tuple[float, int] | None:
    """Best batch to move unit ``i`` to (``-1``: a new batch), with the change in length."""
    ctx, problem = sol.ctx, sol.problem
    a = sol.where[i]
    unit = problem.orders[i].load
    rest = [j for j in sol.batches[a] if j != i]
    gain = sol.lengths[a] - (ctx.lengths.length(rest) if rest else 0.0)
    targets = [
        k for k, b in enumerate(sol.batches) if k != a and b and sol.fits(sol.loads[k] + unit)
    ]
    best: tuple[float, int] | None = None
    if targets:
        new = ctx.lengths.uncached([[*sol.batches[k], i] for k in targets])
        deltas = new - np.asarray([sol.lengths[k] for k in targets])
        pos = int(np.argmin(deltas))
        if deltas[pos] - gain < -_EPS:
            best = (float(deltas[pos] - gain), targets[pos])
    if rest:
        alone = ctx.lengths.length([i]) - gain
        if alone < -_EPS and (best is None or alone < best[0]):
            best = (alone, -1)
    return best


def _apply_shift(sol: Solution, i: int, target: int) -> None:
    a = sol.where[i]
    sol.set_batch(a, [j for j in sol.batches[a] if j != i])
    if target < 0:
        sol.add_batch([i])
    else:
        sol.set_batch(target, [*sol.batches[target], i])


def _best_swap(sol: Solution, i: int, pairs: int) -> tuple[float, list[int], int, list[int]] | None:
    """Best exchange of ``pairs`` units of ``i``'s batch (``i`` among them) with one other unit.

    Returns the change in length, the units leaving ``i``'s batch, the other batch and the
    unit leaving it (as a one-element list).
    """
    ctx, problem = sol.ctx, sol.problem
    a = sol.where[i]
    batch_a = sol.batches[a]
    out_sets: list[list[int]] = [[i]] if pairs == 1 else [[i, j] for j in batch_a if j != i]
    best: tuple[float, list[int], int, list[int]] | None = None
    for leaving in out_sets:
        keep_a = [j for j in batch_a if j not in leaving]
        leave_load = problem.load(leaving)
        cand_a: list[list[int]] = []
        cand_b: list[list[int]] = []
        meta: list[tuple[int, int]] = []
        for k, b in enumerate(sol.batches):
            if k == a or not b:
                continue
            for j in b:
                ld = problem.orders[j].load
                if not sol.fits(sol.loads[a] + ld + _neg(leave_load)):
                    continue
                if not sol.fits(sol.loads[k] + leave_load + _neg(ld)):
                    continue
                cand_a.append([*keep_a, j])
                cand_b.append([*(x for x in b if x != j), *leaving])
                meta.append((k, j))
        if not meta:
            continue
        new = ctx.lengths.uncached(cand_a + cand_b)
        m = len(meta)
        old = np.asarray([sol.lengths[a] + sol.lengths[k] for k, _ in meta])
        deltas = new[:m] + new[m:] - old
        pos = int(np.argmin(deltas))
        if deltas[pos] < -_EPS and (best is None or deltas[pos] < best[0]):
            k, j = meta[pos]
            best = (float(deltas[pos]), leaving, k, [j])
    return best


def _neg(load: Load) -> Load:
    return Load(-load.articles, -load.volume, -load.weight, -load.orders, -load.totes)


def _apply_swap(sol: Solution, leaving: list[int], k: int, entering: list[int]) -> None:
    a = sol.where[leaving[0]]
    gone_a = set(leaving)
    gone_b = set(entering)
    new_a = [j for j in sol.batches[a] if j not in gone_a] + entering
    new_b = [j for j in sol.batches[k] if j not in gone_b] + leaving
    sol.set_batch(a, new_a)
    sol.set_batch(k, new_b)


def local_search(sol: Solution, exchange: bool = True) -> Solution:
    """Apply improving shift, swap (and exchange) moves until none is left; in place."""
    ctx = sol.ctx
    improved = True
    while improved and not ctx.stopped():
        improved = False
        for i in range(sol.problem.n):
            if ctx.stopped():
                break
            move = _best_shift(sol, i)
            if move is not None:
                _apply_shift(sol, i, move[1])
                improved = True
                continue
            swap = _best_swap(sol, i, 1)
            if swap is None and exchange and len(sol.batches[sol.where[i]]) > 1:
                swap = _best_swap(sol, i, 2)
            if swap is not None:
                _apply_swap(sol, swap[1], swap[2], swap[3])
                improved = True
        sol.compact()
    return sol


def local_search_method(ctx: Search) -> Outcome:
    """Savings, then shift/swap/exchange local search."""
    start = savings(ctx)
    sol = Solution(ctx, start.batches)
    ctx.improved(sol.total)
    local_search(sol)
    ctx.improved(sol.total)
    return Outcome([b for b in sol.batches if b], stopped=ctx.stopped())
