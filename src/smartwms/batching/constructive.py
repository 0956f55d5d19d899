"""Constructive batching: first come first served, seed algorithms and Clarke-Wright savings.

- :func:`fcfs`: orders in release order (ties: as given), a new batch whenever the next order
  does not fit (the WMS default and the literature's baseline).
- :func:`seed_batches`: open a batch with a *seed* order
  (:data:`~smartwms.batching.params.SEED_RULES`), add the most *similar* fitting order until
  none fits (:data:`~smartwms.batching.params.SIMILARITIES`); de Koster, van der Poort &
  Wolters (1999), Ho & Tseng (2006).
- :func:`savings`: Clarke & Wright for batching: start with one batch per order and merge the
  pair of batches with the largest saving ``L(A) + L(B) - L(A ∪ B)`` that fits, re-computing
  the savings of the merged batch (the "C&W (ii)" variant of de Koster et al.).
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence

import numpy as np

from smartwms.batching.problem import BatchingProblem, Load
from smartwms.batching.search import Outcome, Search
from smartwms.layout import distance_matrix

__all__ = ["fcfs", "release_order", "savings", "seed_batches"]


def release_order(problem: BatchingProblem) -> list[int]:
    """Units by release time, ties in the order given."""
    return sorted(range(problem.n), key=lambda i: (problem.orders[i].release, i))


def fcfs(ctx: Search) -> Outcome:
    """First come, first served: fill a cart in release order, open the next when full."""
    problem = ctx.problem
    cart = problem.cart
    batches: list[list[int]] = []
    load = Load()
    for i in release_order(problem):
        unit = problem.orders[i].load
        if batches and not (load + unit).excess(cart):
            batches[-1].append(i)
            load = load + unit
        else:
            batches.append([i])
            load = unit
    return Outcome(batches)


# ---------------------------------------------------------------------- seed
def _aisles(problem: BatchingProblem) -> list[frozenset[int]]:
    locs = problem.routing_instance.location_index
    return [
        frozenset(int(locs[loc].aisle or 0) for loc in unit.locations) for unit in problem.orders
    ]


def _gravity(problem: BatchingProblem) -> np.ndarray:
    """Centre of gravity (mean aisle, mean cell) of every unit's locations."""
    locs = problem.routing_instance.location_index
    out = np.zeros((problem.n, 2))
    for unit in problem.orders:
        pts = [(float(locs[loc].aisle or 0), float(locs[loc].cell or 0)) for loc in unit.locations]
        out[unit.index] = np.mean(pts, axis=0) if pts else (0.0, 0.0)
    return out


def _seed_keys(ctx: Search, left: list[int]) -> dict[int, float]:
    """Seed priority of every unit (larger opens a batch first)."""
    problem, rule = ctx.problem, ctx.params.seed_rule
    if rule == "first":
        return {i: -float(rank) for rank, i in enumerate(release_order(problem))}
    if rule == "largest":
        return {i: problem.orders[i].load.articles for i in left}
    if rule == "most-aisles":
        aisles = _aisles(problem)
        return {i: float(len(aisles[i])) for i in left}
    if rule == "random":
        return {i: ctx.rng.random() for i in left}
    if rule == "farthest":
        inst = problem.routing_instance
        ids = list(dict.fromkeys(loc for i in left for loc in problem.orders[i].locations))
        from_depot = distance_matrix(inst, [problem.depot], ids)[0]
        far = dict(zip(ids, from_depot.tolist(), strict=True))
        return {i: max(far[loc] for loc in problem.orders[i].locations) for i in left}
    singles = ctx.lengths.lengths([[i] for i in left])  # "longest": longest own tour
    return dict(zip(left, singles, strict=True))


def seed_batches(ctx: Search) -> Outcome:
    """Seed algorithm: a seed order opens each batch, the most similar fitting orders join."""
    problem = ctx.problem
    cart = problem.cart
    left = list(range(problem.n))
    keys = _seed_keys(ctx, left)
    similarity = ctx.params.similarity
    aisles = _aisles(problem) if similarity in ("aisles", "shared-aisles") else None
    gravity = _gravity(problem) if similarity == "gravity" else None
    batches: list[list[int]] = []
    unassigned = set(left)
    while unassigned:
        seed = max(unassigned, key=lambda i: (keys[i], -i))
        batch, load = [seed], problem.orders[seed].load
        unassigned.discard(seed)
        while True:
            fitting = [
                i for i in sorted(unassigned) if not (load + problem.orders[i].load).excess(cart)
            ]
            if not fitting:
                break
            if similarity == "tour":
                base = ctx.lengths.length(batch)
                extra = ctx.lengths.uncached([[*batch, i] for i in fitting]) - base
                pick = fitting[int(np.argmin(extra))]
            elif aisles is not None:
                here = frozenset().union(*(aisles[j] for j in batch))
                if similarity == "aisles":
                    score = [len(aisles[i] - here) for i in fitting]
                    pick = fitting[int(np.argmin(score))]
                else:
                    shared = [len(aisles[i] & here) / max(1, len(aisles[i])) for i in fitting]
                    pick = fitting[int(np.argmax(shared))]
            else:
                assert gravity is not None
                centre = gravity[batch].mean(axis=0)
                dist = np.abs(gravity[fitting] - centre).sum(axis=1)
                pick = fitting[int(np.argmin(dist))]
            batch.append(pick)
            load = load + problem.orders[pick].load
            unassigned.discard(pick)
        batches.append(batch)
        if ctx.stopped():
            # Out of time: finish quickly, first come first served.
            rest = sorted(unassigned)
            batches += _next_fit(problem, rest)
            break
    return Outcome(batches)


def _next_fit(problem: BatchingProblem, units: Sequence[int]) -> list[list[int]]:
    out: list[list[int]] = []
    load = Load()
    for i in units:
        unit = problem.orders[i].load
        if out and not (load + unit).excess(problem.cart):
            out[-1].append(i)
            load = load + unit
        else:
            out.append([i])
            load = unit
    return out


# ---------------------------------------------------------------------- savings
def savings(ctx: Search) -> Outcome:
    """Clarke & Wright savings, re-computed for every merged batch."""
    problem = ctx.problem
    cart = problem.cart
    lengths = ctx.lengths
    batches: dict[int, list[int]] = {i: [i] for i in range(problem.n)}
    loads: dict[int, Load] = {i: problem.orders[i].load for i in range(problem.n)}
    single = lengths.lengths([[i] for i in range(problem.n)])
    own: dict[int, float] = dict(enumerate(single))
    heap: list[tuple[float, int, int]] = []

    def push_pairs(a: int, others: Sequence[int]) -> None:
        cands = [b for b in others if b != a and not (loads[a] + loads[b]).excess(cart)]
        if not cands:
            return
        merged = lengths.uncached([[*batches[a], *batches[b]] for b in cands])
        for b, m in zip(cands, merged.tolist(), strict=True):
            saving = own[a] + own[b] - m
            if saving > 1e-9:
                heapq.heappush(heap, (-saving, min(a, b), max(a, b)))

    ids = list(batches)
    for k, a in enumerate(ids):
        push_pairs(a, ids[k + 1 :])
        if ctx.stopped():
            break
    next_id = problem.n
    while heap and not ctx.stopped():
        _, a, b = heapq.heappop(heap)
        if a not in batches or b not in batches:
            continue  # a stale pair: one side was merged already
        merged = [*batches.pop(a), *batches.pop(b)]
        load = loads.pop(a) + loads.pop(b)
        own.pop(a)
        own.pop(b)
        c = next_id
        next_id += 1
        batches[c], loads[c] = merged, load
        own[c] = lengths.length(merged)
        push_pairs(c, list(batches))
    return Outcome([sorted(b) for b in batches.values()], stopped=ctx.stopped())
