"""Exact order batching: set partitioning over every feasible batch.

Every batch that fits on the cart is enumerated (depth first; a subset of a feasible batch is
feasible) and its tour length computed in bulk. A batch ``S`` is dropped when splitting off one
of its orders never costs more (``L(S) >= L(S - i) + L({i})``): any plan using it is matched by
one using the two smaller batches. CP-SAT then chooses batches covering every order exactly
once at least total length, with the cut "at least as many batches as the articles need carts"
(it closes most of the relaxation's gap), warm-started from the local search's plan; its bound
is the proven lower bound.

The enumeration is bounded by ``params.exact_max_columns``; beyond it the method runs ALNS
instead (status ``feasible``, no lower bound, kpi ``exact_fallback`` = 1).
"""

from __future__ import annotations

import math
import threading

import numpy as np
from ortools.sat.python import cp_model

from smartwms.batching.problem import BatchingProblem, Load
from smartwms.batching.search import Outcome, Search

__all__ = ["enumerate_batches", "exact", "exact_applies"]

# Enumerations are counted up to this many batches to decide whether ``auto`` runs exact.
_AUTO_COLUMNS = 300_000
# Batches whose lengths are computed per compiled call (the stop is checked between calls).
_CHUNK = 20_000
_SCALES = (1, 2, 4, 10, 20, 100, 1000)


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


def _scale(costs: np.ndarray) -> tuple[int, bool]:
    """An integer scale making every cost integral (``exact`` False when none does)."""
    for s in _SCALES:
        scaled = costs * s
        if np.all(np.abs(scaled - np.round(scaled)) < 1e-6):
            return s, True
    return _SCALES[-1], False


def _prune(columns: list[tuple[int, ...]], lengths: np.ndarray) -> list[int]:
    """Columns not beaten by splitting off one order (see the module docstring)."""
    index = {frozenset(c): k for k, c in enumerate(columns)}
    keep = []
    for k, col in enumerate(columns):
        if len(col) == 1:
            keep.append(k)
            continue
        whole = frozenset(col)
        dominated = False
        for i in col:
            rest = index[whole - {i}]
            single = index[frozenset((i,))]
            if lengths[k] >= lengths[rest] + lengths[single] - 1e-9:
                dominated = True
                break
        if not dominated:
            keep.append(k)
    return keep


def _fewest_batches(problem: BatchingProblem) -> int:
    """A lower bound on the number of batches: every cart limit's total over its capacity."""
    total = problem.load(range(problem.n))
    need = 1
    for name, limit in problem.cart.limits.items():
        need = max(need, math.ceil(getattr(total, name) / limit - 1e-9))
    return need


def _watch(ctx: Search, solver: cp_model.CpSolver) -> threading.Event:
    """Poll the stop from a thread so cancellation also ends a search between solutions."""
    done = threading.Event()

    def poll() -> None:
        while not done.wait(0.1):
            if ctx.stopped():
                solver.stop_search()
                return

    threading.Thread(target=poll, daemon=True).start()
    return done


def _warm_start(ctx: Search) -> list[list[int]]:
    from smartwms.batching.constructive import savings
    from smartwms.batching.local import Solution, local_search

    sol = Solution(ctx, savings(ctx).batches)
    local_search(sol)
    return [b for b in sol.batches if b]


def exact(ctx: Search) -> Outcome:
    """Proven optimal batches by set partitioning (see the module docstring)."""
    problem = ctx.problem
    start = _warm_start(ctx)
    start_total = ctx.total(start)
    ctx.improved(start_total, 0.0)
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
    keep = _prune(columns, lengths)
    cols = [columns[k] for k in keep]
    costs = lengths[keep]
    scale, integral = _scale(costs)
    model = cp_model.CpModel()
    x = [model.new_bool_var(f"b{k}") for k in range(len(cols))]
    covering: list[list[int]] = [[] for _ in range(problem.n)]
    for k, col in enumerate(cols):
        for i in col:
            covering[i].append(k)
    for i in range(problem.n):
        model.add_exactly_one(x[k] for k in covering[i])
    model.add(sum(x) >= _fewest_batches(problem))
    weights = [round(c * scale) for c in costs]
    model.minimize(sum(w * v for w, v in zip(weights, x, strict=True)))
    chosen = {frozenset(b) for b in start}
    by_key = {frozenset(c): k for k, c in enumerate(cols)}
    if all(b in by_key for b in chosen):
        for k in range(len(cols)):
            model.add_hint(x[k], frozenset(cols[k]) in chosen)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 2
    solver.parameters.random_seed = ctx.seed
    if ctx.stop is not None and ctx.stop.time_limit is not None:
        solver.parameters.max_time_in_seconds = max(0.01, ctx.stop.remaining() or 0.0)
    done = _watch(ctx, solver)
    try:
        status = solver.solve(model)
    finally:
        done.set()
    stats = {
        "columns": float(len(columns)),
        "columns_kept": float(len(cols)),
        "cpsat_seconds": float(solver.wall_time),
    }
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return Outcome(start, stopped=ctx.stopped(), stats=stats)
    batches = [list(cols[k]) for k in range(len(cols)) if solver.value(x[k])]
    total = ctx.total(batches)
    if total > start_total + 1e-9:
        batches, total = start, start_total
    ctx.improved(total, 1.0)
    bound = solver.best_objective_bound / scale
    # With rounded costs the bound is only good up to the rounding of every chosen batch.
    slack = 0.0 if integral else problem.n * 0.5 / scale
    lower = (
        min(total, math.ceil(bound * scale - 1e-6) / scale - slack) if integral else bound - slack
    )
    proven = status == cp_model.OPTIMAL and integral
    return Outcome(
        batches,
        lower_bound=max(0.0, lower),
        proven=proven,
        stopped=not proven and ctx.stopped(),
        stats=stats,
    )
