"""Set partitioning over candidate batches: the exact method's core and the search's recombiner.

:func:`set_partition` picks, from candidate batches with their tour lengths, batches covering
every unit exactly once at least total length (CP-SAT, warm-started from a known plan, with
the cut "at least as many batches as the cart limits need"). :func:`lp_bound` solves its
linear relaxation (HiGHS) and gives the duals with which :func:`reduced_costs` prices columns:
a plan shorter than ``upper`` uses only columns whose reduced cost is below
``upper - bound``, so the others may be dropped without losing the optimum.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from ortools.sat.python import cp_model
from scipy.optimize import linprog
from scipy.sparse import csc_matrix

from smartwms.batching.problem import BatchingProblem
from smartwms.batching.search import Search

__all__ = ["Partition", "fewest_batches", "lp_bound", "reduced_costs", "set_partition"]

_SCALES = (1, 2, 4, 10, 20, 100, 1000)


@dataclass
class Partition:
    """An answer of :func:`set_partition`: batches, the solver's bound, whether proven."""

    batches: list[list[int]]
    total: float
    bound: float
    optimal: bool
    seconds: float


def fewest_batches(problem: BatchingProblem) -> int:
    """A lower bound on the number of batches: every cart limit's total over its capacity."""
    total = problem.load(range(problem.n))
    need = 1
    for name, limit in problem.cart.limits.items():
        need = max(need, math.ceil(getattr(total, name) / limit - 1e-9))
    return need


def integer_scale(costs: NDArray[np.float64]) -> int | None:
    """A scale making every cost an integer (``None`` when none of the usual ones does)."""
    for s in _SCALES:
        scaled = costs * s
        if np.all(np.abs(scaled - np.round(scaled)) < 1e-6):
            return s
    return None


def _matrix(n: int, columns: Sequence[Sequence[int]]) -> csc_matrix:
    rows = np.fromiter((i for c in columns for i in c), dtype=np.int64)
    cols = np.repeat(np.arange(len(columns)), [len(c) for c in columns])
    return csc_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, len(columns)))


def lp_bound(
    problem: BatchingProblem, columns: Sequence[Sequence[int]], costs: NDArray[np.float64]
) -> tuple[float, NDArray[np.float64], float]:
    """The linear relaxation's value, the row duals and the batch-count cut's dual.

    Relaxation: ``min c x`` subject to every unit covered once, ``sum x >= fewest_batches``,
    ``x >= 0`` (``x <= 1`` is implied). For any plan ``x``: ``c x >= value + sum_j rc_j x_j``
    with the reduced costs of :func:`reduced_costs`.
    """
    a = _matrix(problem.n, columns)
    k = fewest_batches(problem)
    res = linprog(
        costs,
        A_eq=a,
        b_eq=np.ones(problem.n),
        A_ub=-np.ones((1, len(columns))),
        b_ub=[-k],
        bounds=(0, None),
        method="highs",
    )
    if res.status != 0:
        raise RuntimeError(f"the set partitioning relaxation failed: {res.message}")
    duals = np.asarray(res.eqlin.marginals, dtype=np.float64)
    cut = float(-res.ineqlin.marginals[0])
    return float(res.fun), duals, max(0.0, cut)


def reduced_costs(
    columns: Sequence[Sequence[int]],
    costs: NDArray[np.float64],
    duals: NDArray[np.float64],
    cut: float,
) -> NDArray[np.float64]:
    """``c_j - sum of its units' duals - the cut's dual`` for every column."""
    a = _matrix(len(duals), columns)
    return costs - a.T @ duals - cut


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


def set_partition(
    ctx: Search,
    columns: Sequence[Sequence[int]],
    costs: NDArray[np.float64],
    hint: Sequence[Sequence[int]] | None = None,
    time_limit: float | None = None,
    workers: int = 1,
) -> Partition | None:
    """Least-length batches among ``columns`` covering every unit once (``None``: none found).

    Costs are scaled to integers when a usual scale makes them integral; otherwise they are
    rounded at 1/1000 and the result is never marked optimal. ``hint`` (a plan made of some
    of the columns) warm-starts the search. Honours ``ctx.stop`` and ``time_limit``.
    """
    problem = ctx.problem
    scale = integer_scale(costs)
    exact_costs = scale is not None
    scale = scale or _SCALES[-1]
    model = cp_model.CpModel()
    x = [model.new_bool_var(f"b{k}") for k in range(len(columns))]
    covering: list[list[int]] = [[] for _ in range(problem.n)]
    for k, col in enumerate(columns):
        for i in col:
            covering[i].append(k)
    if any(not c for c in covering):
        return None
    for i in range(problem.n):
        model.add_exactly_one(x[k] for k in covering[i])
    model.add(sum(x) >= fewest_batches(problem))
    model.minimize(sum(round(c * scale) * v for c, v in zip(costs.tolist(), x, strict=True)))
    if hint is not None:
        chosen = {frozenset(b) for b in hint}
        for k, col in enumerate(columns):
            model.add_hint(x[k], frozenset(col) in chosen)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = ctx.seed
    remaining = ctx.stop.remaining() if ctx.stop is not None else None
    limits = [t for t in (time_limit, remaining) if t is not None]
    if limits:
        solver.parameters.max_time_in_seconds = max(0.01, min(limits))
    done = _watch(ctx, solver)
    try:
        status = solver.solve(model)
    finally:
        done.set()
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    picked = [k for k in range(len(columns)) if solver.value(x[k])]
    return Partition(
        batches=[list(columns[k]) for k in picked],
        total=float(sum(costs[k] for k in picked)),
        bound=solver.best_objective_bound / scale,
        optimal=status == cp_model.OPTIMAL and exact_costs,
        seconds=float(solver.wall_time),
    )
