"""Adaptive large neighbourhood search for order batching, after Žulj, Kramer & Schneider (2018).

The search starts from savings improved by local search. Every iteration destroys part of the
current plan, repairs it, improves the touched part with local search (shift, swap and
exchange moves) and accepts the result by simulated annealing; operators that find better plans
are chosen more often (adaptive roulette weights, as in Ropke & Pisinger 2006).

Destroy operators remove ``q`` orders: *random*, *worst* (largest saving when removed, with
noise), *related* (orders whose pick locations are near a random order's, Shaw removal) and
*batch* (every order of a few random or badly filled batches). Repair operators insert them
back: *greedy* (cheapest insertion first, a new batch allowed) and *regret-2* (the order that
loses most by not getting its best batch first). Insertion costs are kept in a table and only
re-computed for the batch that changed.

The search ends when the stop fires or after ``params.iterations`` iterations (a default budget
of a few hundred iterations per 100 orders when neither is given).
"""

from __future__ import annotations

import math

import numpy as np

from smartwms.batching.constructive import savings
from smartwms.batching.local import Solution, local_search
from smartwms.batching.search import Outcome, Search

__all__ = ["alns"]

_DESTROY = ("random", "worst", "related", "batch")
_REPAIR = ("greedy", "regret")
_SCORES = (8.0, 4.0, 1.0)  # new best, better than current, accepted
_REACTION = 0.2
_SEGMENT = 25
_EPS = 1e-9


class _Adaptive:
    """Roulette-wheel operator choice with weights adapted every segment."""

    def __init__(self, names: tuple[str, ...]) -> None:
        self.names = names
        self.weights = [1.0] * len(names)
        self.scores = [0.0] * len(names)
        self.uses = [0] * len(names)

    def choose(self, rng: object) -> int:
        total = sum(self.weights)
        pick = rng.random() * total  # type: ignore[attr-defined]
        for k, w in enumerate(self.weights):
            pick -= w
            if pick <= 0:
                return k
        return len(self.weights) - 1

    def reward(self, k: int, score: float) -> None:
        self.scores[k] += score
        self.uses[k] += 1

    def update(self) -> None:
        for k in range(len(self.weights)):
            if self.uses[k]:
                self.weights[k] = (1 - _REACTION) * self.weights[k] + _REACTION * (
                    self.scores[k] / self.uses[k]
                )
                self.weights[k] = max(self.weights[k], 0.05)
            self.scores[k] = 0.0
            self.uses[k] = 0


# ---------------------------------------------------------------------- destroy
def _removal_gains(sol: Solution) -> dict[int, float]:
    """Length saved by taking each unit out of its batch."""
    gains: dict[int, float] = {}
    rests: list[list[int]] = []
    owners: list[int] = []
    for b in sol.batches:
        for i in b:
            rests.append([j for j in b if j != i])
            owners.append(i)
    values = sol.ctx.lengths.lengths(rests)
    for i, rest_len in zip(owners, values, strict=True):
        gains[i] = sol.lengths[sol.where[i]] - rest_len
    return gains


def _destroy(kind: str, sol: Solution, q: int, ctx: Search, positions: np.ndarray) -> list[int]:
    rng = ctx.rng
    units = [i for b in sol.batches for i in b]
    if kind == "random":
        return rng.sample(units, q)
    if kind == "worst":
        gains = _removal_gains(sol)
        ranked = sorted(units, key=lambda i: -gains[i] * (0.8 + 0.4 * rng.random()))
        return ranked[:q]
    if kind == "related":
        seed = rng.choice(units)
        dist = np.abs(positions[units] - positions[seed]).sum(axis=1)
        noise = np.asarray([0.8 + 0.4 * rng.random() for _ in units])
        ranked = [units[k] for k in np.argsort(dist * noise, kind="stable")]
        return ranked[:q]
    # batch: whole batches, the badly filled ones more likely
    live = [k for k, b in enumerate(sol.batches) if b]
    fill = {k: len(sol.batches[k]) for k in live}
    out: list[int] = []
    for k in sorted(live, key=lambda k: fill[k] * rng.random()):
        if len(out) >= q:
            break
        out += sol.batches[k]
    return out


# ---------------------------------------------------------------------- repair
class _Inserter:
    """Insertion costs of removed units into the current batches, updated per insertion."""

    def __init__(self, sol: Solution, units: list[int]) -> None:
        self.sol = sol
        self.units = list(units)
        self.cost: dict[int, dict[int, float]] = {i: {} for i in units}
        self.alone = dict(zip(units, sol.ctx.lengths.lengths([[i] for i in units]), strict=True))
        for k in range(len(sol.batches)):
            if sol.batches[k]:
                self._refresh(k, self.units)

    def _refresh(self, k: int, units: list[int]) -> None:
        sol = self.sol
        problem = sol.problem
        fitting = [i for i in units if sol.fits(sol.loads[k] + problem.orders[i].load)]
        for i in units:
            self.cost[i].pop(k, None)
        if not fitting or not sol.batches[k]:
            return
        new = sol.ctx.lengths.uncached([[*sol.batches[k], i] for i in fitting])
        base = sol.lengths[k]
        for i, value in zip(fitting, new.tolist(), strict=True):
            self.cost[i][k] = value - base

    def options(self, i: int) -> list[tuple[float, int]]:
        """Insertion options of unit ``i``, cheapest first (batch ``-1``: a new batch)."""
        opts = sorted((c, k) for k, c in self.cost[i].items())
        opts.append((self.alone[i], -1))
        opts.sort()
        return opts

    def insert(self, i: int, k: int) -> None:
        sol = self.sol
        if k < 0:
            k = sol.add_batch([i])
        else:
            sol.set_batch(k, [*sol.batches[k], i])
        self.units.remove(i)
        del self.cost[i]
        self._refresh(k, self.units)


def _repair(kind: str, sol: Solution, removed: list[int], ctx: Search) -> None:
    ins = _Inserter(sol, removed)
    while ins.units:
        best_unit, best_batch, best_key = -1, -1, math.inf
        for i in ins.units:
            opts = ins.options(i)
            if kind == "greedy":
                key = opts[0][0]
            else:  # regret-2: the largest loss from missing the best option first
                second = opts[1][0] if len(opts) > 1 else opts[0][0] + 1e6
                key = -(second - opts[0][0])
            key += 1e-7 * ctx.rng.random()
            if key < best_key:
                best_unit, best_batch, best_key = i, opts[0][1], key
        ins.insert(best_unit, best_batch)


# ---------------------------------------------------------------------- main loop
def _positions(ctx: Search) -> np.ndarray:
    """Mean (x, y) of every unit's pick locations (for related removal)."""
    from smartwms.layout import location_points
    from smartwms.model import ParallelAisleLayout

    inst = ctx.problem.routing_instance
    out = np.zeros((ctx.problem.n, 2))
    if not isinstance(inst.layout, ParallelAisleLayout):
        return out
    locs = inst.location_index
    for unit in ctx.problem.orders:
        aisles = [int(locs[loc].aisle or 0) for loc in unit.locations]
        cells = [int(locs[loc].cell or 0) for loc in unit.locations]
        pts = location_points(inst.layout, aisles, cells)
        out[unit.index] = (float(np.mean(pts.x)), float(np.mean(pts.y)))
    return out


def _budget(ctx: Search) -> int | None:
    if ctx.params.iterations is not None:
        return ctx.params.iterations
    if ctx.stop is not None and ctx.stop.time_limit is not None:
        return None
    return 300 * max(1, ctx.problem.n // 100 + 1)


def alns(ctx: Search) -> Outcome:
    """ALNS with local search (see the module docstring)."""
    problem = ctx.problem
    current = Solution(ctx, savings(ctx).batches)
    local_search(current)
    current.compact()
    best = current.copy()
    ctx.improved(best.total, 0.0)
    if problem.n < 2:
        return Outcome(best.batches)
    positions = _positions(ctx)
    destroy, repair = _Adaptive(_DESTROY), _Adaptive(_REPAIR)
    budget = _budget(ctx)
    start_temp = 0.01 * best.total / max(1, len(best.batches))
    q_max = max(2, min(40, problem.n // 3))
    seen: set[frozenset[frozenset[int]]] = {current.key()}
    iteration = 0
    while not ctx.stopped() and (budget is None or iteration < budget):
        iteration += 1
        progress = iteration / budget if budget else (ctx.fraction_of_time() or 0.0)
        temp = start_temp * max(0.0, 1.0 - progress) + 1e-9
        d, r = destroy.choose(ctx.rng), repair.choose(ctx.rng)
        q = ctx.rng.randint(2, q_max) if q_max > 2 else 2
        cand = current.copy()
        removed = _destroy(_DESTROY[d], cand, min(q, problem.n), ctx, positions)
        cand.remove(removed)
        _repair(_REPAIR[r], cand, removed, ctx)
        cand.compact()
        local_search(cand)
        total = cand.total
        key = cand.key()
        score = 0.0
        if total < best.total - _EPS:
            best = cand.copy()
            ctx.improved(best.total, progress)
            score = _SCORES[0]
        elif key not in seen and total < current.total - _EPS:
            score = _SCORES[1]
        accept = total < current.total - _EPS or ctx.rng.random() < math.exp(
            -(total - current.total) / temp
        )
        if accept:
            if key not in seen and score == 0.0:
                score = _SCORES[2]
            current = cand
        seen.add(key)
        destroy.reward(d, score)
        repair.reward(r, score)
        if iteration % _SEGMENT == 0:
            destroy.update()
            repair.update()
            ctx.report(progress)
    stats = {"iterations": float(iteration)}
    return Outcome([b for b in best.batches if b], stopped=ctx.stopped(), stats=stats)
