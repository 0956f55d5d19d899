"""Exact order batching: set partitioning over every feasible batch.

1. A short ALNS run gives a plan of length ``U``.
2. Every batch that fits on the cart is enumerated (depth first; a subset of a feasible batch
   is feasible) and its tour length computed in bulk.
3. The linear relaxation (every order covered once, at least as many batches as the cart
   limits need; HiGHS) gives a lower bound ``B`` and duals. A plan shorter than ``U`` uses
   only batches whose reduced cost is below ``U - B`` (reduced-cost fixing), so the others
   are dropped; a batch ``S`` is also dropped when splitting off one of its orders never costs
   more (``L(S) >= L(S - i) + L({i})``).
4. CP-SAT solves the set partitioning over the remaining batches, warm-started from the plan;
   its optimum there is the optimum, and its bound (or ``B``) the proven lower bound.

The enumeration is bounded by ``params.exact_max_columns``; beyond it the method reports the
ALNS plan instead (status ``feasible``, no lower bound, kpi ``exact_fallback`` = 1).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from smartwms.batching.partition import lp_bound, reduced_costs, set_partition
from smartwms.batching.problem import BatchingProblem, Load
from smartwms.batching.search import Outcome, Search

__all__ = ["enumerate_batches", "exact", "exact_applies"]

# Enumerations are counted up to this many batches to decide whether ``auto`` runs exact.
_AUTO_COLUMNS = 300_000
# Batches whose lengths are computed per compiled call (the stop is checked between calls).
_CHUNK = 20_000
# ALNS iterations of the upper bound.
_UPPER_ITERATIONS = 300
# Largest enumeration whose columns are checked for dominance (it indexes every column).
_PRUNE_COLUMNS = 300_000


class _TooMany(Exception):
    pass


def enumerate_batches(problem: BatchingProblem, limit: int) -> list[tuple[int, ...]]:
    """Every non-empty batch of units that fits on the cart, at most ``limit`` of them.

    Raises ``_TooMany`` (internal) when there are more.
    """
    cart = problem.cart
    loads = [u.load for u in problem.orders]
    # Heavier units first: the depth-first search fails sooner.
    order = sorted(range(problem.n), key=lambda i: (-loads[i].articles, -loads[i].volume, i))
    out: list[tuple[int, ...]] = []
    stack: list[tuple[tuple[int, ...], Load, int]] = [((), Load(), 0)]
    while stack:
        members, load, start = stack.pop()
        for pos in range(start, len(order)):
            i = order[pos]
            new = load + loads[i]
            if new.excess(cart):
                continue
            batch = (*members, i)
            out.append(batch)
            if len(out) > limit:
                raise _TooMany
            stack.append((batch, new, pos + 1))
    return out


def exact_applies(problem: BatchingProblem, limit: int = _AUTO_COLUMNS) -> bool:
    """Whether the enumeration of feasible batches stays within ``limit`` (for ``auto``)."""
    try:
        enumerate_batches(problem, limit)
    except _TooMany:
        return False
    return True


def _prune(columns: list[tuple[int, ...]], lengths: np.ndarray, candidates: list[int]) -> list[int]:
    """The candidate columns not beaten by splitting off one order (module docstring)."""
    if len(columns) > _PRUNE_COLUMNS:
        return candidates
    index = {frozenset(c): k for k, c in enumerate(columns)}
    keep = []
    for k in candidates:
        col = columns[k]
        whole = frozenset(col)
        if len(col) > 1 and any(
            lengths[k] >= lengths[index[whole - {i}]] + lengths[index[frozenset((i,))]] - 1e-9
            for i in col
        ):
            continue
        keep.append(k)
    return keep


def _upper_bound(ctx: Search) -> list[list[int]]:
    """A good plan to start from: a short ALNS run (on the same stop)."""
    from smartwms.batching.alns import alns

    iterations = ctx.params.iterations
    short = replace(
        ctx,
        params=ctx.params.model_copy(
            update={
                "iterations": _UPPER_ITERATIONS
                if iterations is None
                else min(iterations, _UPPER_ITERATIONS)
            }
        ),
    )
    outcome = alns(short)
    ctx.best = short.best
    return outcome.batches


def exact(ctx: Search) -> Outcome:
    """Proven optimal batches by set partitioning (see the module docstring)."""
    problem = ctx.problem
    start = _upper_bound(ctx)
    upper = ctx.total(start)
    ctx.improved(upper, 0.0)
    try:
        columns = enumerate_batches(problem, ctx.params.exact_max_columns)
    except _TooMany:
        from smartwms.batching.alns import alns

        outcome = alns(ctx)
        outcome.stats["exact_fallback"] = 1.0
        return outcome
    lengths = np.empty(len(columns))
    for lo in range(0, len(columns), _CHUNK):
        if ctx.stopped():
            return Outcome(start, stopped=True, stats={"columns": float(len(columns))})
        chunk = columns[lo : lo + _CHUNK]
        lengths[lo : lo + len(chunk)] = ctx.lengths.uncached(chunk)
        ctx.report(0.5 * (lo + len(chunk)) / len(columns))
    stats = {"columns": float(len(columns))}
    relaxed, duals, cut = lp_bound(problem, columns, lengths)
    stats["lp_bound"] = relaxed
    if relaxed >= upper - 1e-6:
        return Outcome(start, lower_bound=upper, proven=True, stats=stats)
    rc = reduced_costs(columns, lengths, duals, cut)
    promising = np.flatnonzero(rc <= upper - relaxed + 1e-6).tolist()
    keep = _prune(columns, lengths, promising)
    cols = [columns[k] for k in keep]
    stats["columns_kept"] = float(len(cols))
    found = set_partition(ctx, cols, lengths[keep], hint=start, workers=2)
    if found is None or found.total > upper - 1e-9:
        batches, total = start, upper
    else:
        batches, total = found.batches, found.total
    ctx.improved(total, 1.0)
    stats["cpsat_seconds"] = found.seconds if found is not None else 0.0
    proven = found is not None and found.optimal
    lower = total if proven else max(relaxed, min(total, found.bound if found else relaxed))
    return Outcome(
        batches,
        lower_bound=max(0.0, lower),
        proven=proven,
        stopped=not proven and ctx.stopped(),
        stats=stats,
    )
