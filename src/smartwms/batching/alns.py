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
import time

import numpy as np

from smartwms.batching.constructive import savings
from smartwms.batching.local import Solution, local_search
from smartwms.batching.partition import lp_bound, set_partition
from smartwms.batching.search import Outcome, Search

__all__ = ["alns"]

_DESTROY = ("random", "worst", "related", "batch")
_REPAIR = ("greedy", "regret")
_SCORES = (8.0, 4.0, 1.0)  # new best, better than current, accepted
_REACTION = 0.2
_SEGMENT = 25
_EPS = 1e-9
# Units whose batches a unit may join or swap with in the compiled local search.
_NEIGHBOURS = 30
# Iterations without a new best after which the search restarts from the best plan.
_RESTART = 2000
# Orders that seed the pricing of one column generation round (all of them up to this many).
_PRICING_SEEDS = 200


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
    if ctx.lengths.engine is not None:
        return _alns_compiled(ctx)
    return _alns_python(ctx)


def _alns_python(ctx: Search) -> Outcome:
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


# ---------------------------------------------------------------------- compiled search
def neighbour_lists(positions: np.ndarray, k: int) -> np.ndarray:
    """For every unit, the ``k`` units with the nearest centres, nearest first."""
    n = positions.shape[0]
    k = min(k, n - 1)
    out = np.full((n, max(k, 1)), -1, dtype=np.int64)
    if k <= 0:
        return out
    for lo in range(0, n, 512):
        block = positions[lo : lo + 512]
        dist = np.abs(block[:, None, :] - positions[None, :, :]).sum(axis=2)
        for row in range(block.shape[0]):
            dist[row, lo + row] = np.inf
        near = np.argsort(dist, axis=1, kind="stable")[:, :k]
        out[lo : lo + block.shape[0], :k] = near
    return out


def _assignment(batches: list[list[int]], n: int) -> np.ndarray:
    assign = np.full(n, -1, dtype=np.int64)
    for k, b in enumerate(batches):
        assign[b] = k
    return assign


def _batches(assign: np.ndarray) -> list[list[int]]:
    groups: dict[int, list[int]] = {}
    for i, b in enumerate(assign.tolist()):
        groups.setdefault(b, []).append(i)
    return list(groups.values())


def _compiled_destroy(
    kind: str, assign: np.ndarray, q: int, ctx: Search, positions: np.ndarray, engine: object
) -> list[int]:
    rng = ctx.rng
    n = assign.shape[0]
    if kind == "random":
        return rng.sample(range(n), q)
    if kind == "worst":
        gains = engine.removal_gains(assign)  # type: ignore[attr-defined]
        noise = np.asarray([0.7 + 0.6 * rng.random() for _ in range(n)])
        return [int(i) for i in np.argsort(-gains * noise, kind="stable")[:q]]
    if kind == "related":
        seed = rng.randrange(n)
        dist = np.abs(positions - positions[seed]).sum(axis=1)
        noise = np.asarray([0.7 + 0.6 * rng.random() for _ in range(n)])
        return [int(i) for i in np.argsort(dist * noise, kind="stable")[:q]]
    batches = _batches(assign)
    rng.shuffle(batches)
    batches.sort(key=len)  # small batches first (stable: random among equals)
    out: list[int] = []
    for b in batches:
        if len(out) >= q:
            break
        if rng.random() < 0.7:
            out += b
    return out or batches[0]


class _Pool:
    """Every batch of the local optima met so far, with its length (for recombination)."""

    def __init__(self) -> None:
        self.lengths: dict[frozenset[int], float] = {}
        self.rounds = 0

    def add(self, assign: np.ndarray, blen: np.ndarray) -> None:
        for members in _batches(assign):
            key = frozenset(members)
            if key not in self.lengths:
                self.lengths[key] = float(blen[assign[members[0]]])

    def recombine(
        self,
        ctx: Search,
        best: np.ndarray,
        neighbours: np.ndarray,
        seconds: float,
    ) -> np.ndarray | None:
        """Grow the pool by column generation, then the best plan of pooled batches.

        Rounds of: the set partitioning relaxation over the pool (HiGHS), batches of negative
        reduced cost grown from every order by the compiled pricing, until none is found or
        half of ``seconds`` is spent; then set partitioning (CP-SAT) over the pool, hinted by
        ``best``. ``None`` when that finds nothing.
        """
        engine = ctx.lengths.engine
        assert engine is not None
        problem = ctx.problem
        started = time.perf_counter()
        singles = engine.batch_lengths(
            np.arange(problem.n + 1, dtype=np.int64), np.arange(problem.n, dtype=np.int64)
        )
        for i in range(problem.n):
            self.lengths.setdefault(frozenset((i,)), float(singles[i]))
        rounds = 0
        while time.perf_counter() - started < seconds / 2 and not ctx.stopped():
            columns = [sorted(k) for k in self.lengths]
            costs = np.fromiter(self.lengths.values(), dtype=np.float64, count=len(columns))
            _, duals, cut = lp_bound(problem, columns, costs)
            seeds = np.arange(problem.n, dtype=np.int64)
            if problem.n > _PRICING_SEEDS:
                seeds = np.asarray(ctx.rng.sample(range(problem.n), _PRICING_SEEDS), dtype=np.int64)
            new, lengths, _ = engine.price(seeds, duals, cut, neighbours)
            added = 0
            for col, length in zip(new, lengths.tolist(), strict=True):
                key = frozenset(col)
                if key not in self.lengths:
                    self.lengths[key] = length
                    added += 1
            rounds += 1
            if not added:
                break
        self.rounds += rounds
        columns = [sorted(k) for k in self.lengths]
        costs = np.fromiter(self.lengths.values(), dtype=np.float64, count=len(columns))
        left = max(0.1, seconds - (time.perf_counter() - started))
        found = set_partition(ctx, columns, costs, hint=_batches(best), time_limit=left)
        if found is None:
            return None
        return _assignment(found.batches, best.shape[0])


def _recombination_points(ctx: Search, budget: int | None) -> list[float]:
    """Fractions of the run after which the pool is recombined."""
    del ctx, budget
    return [0.3, 0.6, 0.9]


def _alns_compiled(ctx: Search) -> Outcome:
    problem = ctx.problem
    engine = ctx.lengths.engine
    assert engine is not None
    n = problem.n
    current = _assignment(savings(ctx).batches, n)
    positions = _positions(ctx)
    neighbours = neighbour_lists(positions, _NEIGHBOURS)
    blen = engine.local_search(current, np.ones(n, dtype=np.bool_), neighbours)
    cur_total = float(blen.sum())
    best, best_total = current.copy(), cur_total
    ctx.improved(best_total, 0.0)
    pool = _Pool()
    pool.add(current, blen)
    iteration = 0
    recombined = 0
    if n >= 2:
        destroy, repair = _Adaptive(_DESTROY), _Adaptive(_REPAIR)
        budget = _budget(ctx)
        points = _recombination_points(ctx, budget)
        start_temp = 0.003 * best_total
        q_lo, q_hi = 2, max(3, min(60, int(0.3 * n)))
        since_best = 0
        while not ctx.stopped() and (budget is None or iteration < budget):
            iteration += 1
            progress = iteration / budget if budget else (ctx.fraction_of_time() or 0.0)
            if points and progress >= points[0]:
                points.pop(0)
                seconds = _recombination_seconds(ctx)
                merged = pool.recombine(ctx, best, neighbours, seconds)
                recombined += 1
                if merged is not None:
                    blen = engine.local_search(merged, np.ones(n, dtype=np.bool_), neighbours)
                    total = float(blen.sum())
                    if total < best_total - _EPS:
                        best, best_total = merged.copy(), total
                        ctx.improved(best_total, progress)
                        current, cur_total = merged, total
                continue
            temp = start_temp * (1.0 - progress) + 1e-9
            d, r = destroy.choose(ctx.rng), repair.choose(ctx.rng)
            q = min(n, ctx.rng.randint(q_lo, q_hi))
            cand = current.copy()
            removed = _compiled_destroy(_DESTROY[d], cand, q, ctx, positions, engine)
            removed_arr = np.asarray(sorted(set(removed)), dtype=np.int64)
            cand[removed_arr] = -1
            scale = 0.002 * best_total / max(1, n)
            noise = np.asarray([scale * ctx.rng.random() for _ in removed_arr])
            engine.insert(cand, removed_arr, _REPAIR[r] == "regret", noise)
            focus = np.isin(cand, np.unique(cand[removed_arr]))
            blen = engine.local_search(cand, focus, neighbours)
            total = float(blen.sum())
            pool.add(cand, blen)
            score = 0.0
            if total < best_total - _EPS:
                best, best_total = cand.copy(), total
                ctx.improved(best_total, progress)
                score = _SCORES[0]
                since_best = 0
            else:
                since_best += 1
            delta = total - cur_total
            if delta < -_EPS:
                score = max(score, _SCORES[1])
            if delta < -_EPS or ctx.rng.random() < math.exp(-max(delta, 0.0) / temp):
                if abs(delta) > _EPS:
                    score = max(score, _SCORES[2])
                current, cur_total = cand, total
            if since_best > _RESTART:
                current, cur_total, since_best = best.copy(), best_total, 0
            destroy.reward(d, score)
            repair.reward(r, score)
            if iteration % _SEGMENT == 0:
                destroy.update()
                repair.update()
                ctx.report(progress)
    stats = {
        "iterations": float(iteration),
        "pool": float(len(pool.lengths)),
        "recombinations": float(recombined),
        "pricing_rounds": float(pool.rounds),
    }
    ctx.lengths.evaluations += engine.evaluations
    engine.evaluations = 0
    return Outcome(_batches(best), stopped=ctx.stopped(), stats=stats)


def _recombination_seconds(ctx: Search) -> float:
    """Time for one recombination: a tenth of the time limit (one second without one)."""
    if ctx.stop is not None and ctx.stop.time_limit is not None:
        return max(0.2, 0.1 * ctx.stop.time_limit)
    return 1.0
