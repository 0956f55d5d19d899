"""Affinity-aware slotting: SKUs ordered together end up near each other.

Starting from the optimal frequency-based assignment, a local search swaps SKUs between slots
(or moves one into a free slot) and keeps a change when the total pick-tour length of the
historical orders it touches gets shorter. Candidate slots come from affinity: the slots next
to a SKU's most frequent order partners, plus random slots for diversity.

Tours are scored by :class:`TourScorer` over shortest-path distances between pick points
(``smartwms.layout.distance_matrix``): exactly (Held-Karp dynamic programme) for orders with
at most ``exact_stops`` stops, otherwise by nearest neighbour and 2-opt. The search itself uses
the fast nearest-neighbour + 2-opt score; benchmarks re-score with the exact one.
"""

from __future__ import annotations

import itertools
from collections import Counter, defaultdict
from typing import Any

import numpy as np
from numpy.typing import NDArray

from smartwms.model import GraphLayout, Instance, Location, ParallelAisleLayout, SolveStatus
from smartwms.slotting.costs import Tables
from smartwms.stopping import Stop

__all__ = ["TourScorer", "improve_affinity"]

IntArray = NDArray[np.int64]
_ITERATIONS_PER_SKU = 20


def _point_key(layout: object, loc: Location) -> object:
    if isinstance(layout, GraphLayout):
        return loc.node
    if isinstance(layout, ParallelAisleLayout):
        return (loc.aisle, loc.cell)
    return loc.cell


class TourScorer:
    """Pick-tour lengths of orders, given the location of every pick.

    Locations at the same pick point (same graph node, or same aisle and cell on any level or
    side) are one stop. The depot is the instance's first depot.

    Parameters
    ----------
    instance
        The warehouse.
    method
        ``fast``: nearest neighbour + 2-opt over shortest-path distances (the local search's
        score). ``exact``: the exact picker-routing DP of :mod:`smartwms.routing.exact` on
        parallel-aisle layouts (up to its block limit); elsewhere Held-Karp for at most
        ``exact_stops`` stops and nearest neighbour + 2-opt beyond (counted in
        :attr:`approximate`).
    exact_stops
        Largest order (in stops) solved by Held-Karp with ``method="exact"``.
    """

    def __init__(self, instance: Instance, method: str = "fast", exact_stops: int = 12) -> None:
        from smartwms.layout import distance_matrix

        keys: dict[object, int] = {}
        reps: list[Location] = []
        point = []
        for loc in instance.locations:
            key = _point_key(instance.layout, loc)
            if key not in keys:
                keys[key] = len(reps) + 1
                reps.append(loc)
            point.append(keys[key])
        self.location_point = {loc.id: p for loc, p in zip(instance.locations, point, strict=True)}
        self.slot_point = np.asarray(point, dtype=np.int64)
        self.dist = distance_matrix(instance, [instance.depot.id, *(r.id for r in reps)])
        self._rows: list[list[float]] = self.dist.tolist()
        self.method = method
        self.exact_stops = exact_stops if method == "exact" else 0
        self.approximate = 0
        self._dp = None
        layout = instance.layout
        if method == "exact" and isinstance(layout, ParallelAisleLayout):
            from smartwms.routing.exact import MAX_EXACT_BLOCKS

            if layout.n_blocks <= MAX_EXACT_BLOCKS and instance.depot.aisle is not None:
                self._dp = (
                    layout,
                    instance.depot,
                    [0, *(int(r.aisle or 0) for r in reps)],
                    [0, *(int(r.cell or 0) for r in reps)],
                )

    @property
    def label(self) -> str:
        """How tours are scored, for reports."""
        if self._dp is not None:
            return "exact picker-routing DP (smartwms.routing.exact)"
        if self.exact_stops:
            return f"exact Held-Karp up to {self.exact_stops} stops, else NN + 2-opt"
        return "nearest neighbour + 2-opt over shortest paths"

    def length(self, points: set[int] | list[int]) -> float:
        """Length of a closed tour from the depot (point 0) through ``points``."""
        stops = sorted(set(points) - {0})
        if not stops:
            return 0.0
        if self._dp is not None:
            from smartwms.routing.exact import optimal_tour_length

            layout, depot, aisles, cells = self._dp
            return optimal_tour_length(
                layout, depot, [aisles[p] for p in stops], [cells[p] for p in stops]
            )
        if len(stops) <= self.exact_stops:
            return _held_karp(self.dist, stops)
        if self.method == "exact":
            self.approximate += 1
        return _two_opt(self._rows, stops)


def _held_karp(dist: NDArray[np.float64], stops: list[int]) -> float:
    """Exact shortest closed tour from point 0 through ``stops`` (dynamic programme)."""
    nodes = [0, *stops]
    d = dist[np.ix_(nodes, nodes)]
    k = len(stops)
    if k == 1:
        return float(d[0, 1] + d[1, 0])
    full = 1 << k
    best = np.full((full, k), np.inf)
    bits = 1 << np.arange(k)
    best[bits, np.arange(k)] = d[0, 1:]
    inner = d[1:, 1:]
    for mask in range(1, full):
        outside = (mask & bits) == 0
        if not outside.any():
            continue
        # Extend every path ending inside ``mask`` by one stop outside it.
        value = np.min(best[mask][:, None] + inner[:, outside], axis=0)
        targets = mask | bits[outside]
        cols = np.flatnonzero(outside)
        best[targets, cols] = np.minimum(best[targets, cols], value)
    return float(np.min(best[full - 1] + d[1:, 0]))


def _two_opt(rows: list[list[float]], stops: list[int]) -> float:
    """Nearest-neighbour tour improved by 2-opt (a closed tour from point 0)."""
    tour = [0]
    left = set(stops)
    while left:
        here = rows[tour[-1]]
        nxt = min(left, key=lambda p: (here[p], p))
        tour.append(nxt)
        left.remove(nxt)
    tour.append(0)
    improved = True
    while improved:
        improved = False
        for a in range(1, len(tour) - 2):
            for b in range(a + 1, len(tour) - 1):
                p, q, r, s = tour[a - 1], tour[a], tour[b], tour[b + 1]
                if rows[p][r] + rows[q][s] < rows[p][q] + rows[r][s] - 1e-9:
                    tour[a : b + 1] = tour[a : b + 1][::-1]
                    improved = True
    return float(sum(rows[tour[i]][tour[i + 1]] for i in range(len(tour) - 1)))


def _history(tables: Tables) -> list[list[int]]:
    """Historical orders as lists of SKU indices (at most ``max_orders`` of them)."""
    pos = tables.sku_position
    orders = tables.instance.orders[: tables.params.max_orders]
    return [sorted({pos[line.sku] for line in order.lines}) for order in orders]


def improve_affinity(
    tables: Tables, start: IntArray, seed: int = 0, stop: Stop | None = None
) -> tuple[IntArray, SolveStatus, dict[str, Any]]:
    """Local search on historical tour length from ``start`` (slot index per SKU)."""
    stop = stop or Stop(time_limit=tables.params.time_limit)
    rng = np.random.default_rng(seed)
    scorer = TourScorer(tables.instance, method=tables.params.affinity_scorer)
    orders = _history(tables)
    slot_of = start.copy()
    point = scorer.slot_point
    holder = {int(j): i for i, j in enumerate(slot_of.tolist())}
    orders_of: dict[int, list[int]] = defaultdict(list)
    partners: dict[int, Counter[int]] = defaultdict(Counter)
    for o, skus in enumerate(orders):
        for i in skus:
            orders_of[i].append(o)
        for a, b in itertools.combinations(skus, 2):
            partners[a][b] += 1
            partners[b][a] += 1
    length = [scorer.length([int(point[slot_of[i]]) for i in skus]) for skus in orders]
    before = float(sum(length))
    active = np.asarray(sorted(orders_of), dtype=np.int64)
    ranked = {i: [k for k, _ in partners[i].most_common(5)] for i in orders_of}
    by_point: dict[int, list[int]] = defaultdict(list)
    for j, p in enumerate(point.tolist()):
        by_point[p].append(j)
    n_slots = len(point)
    iterations = _ITERATIONS_PER_SKU * max(len(active), 1)
    accepted = done = 0
    status = SolveStatus.FEASIBLE
    for done in range(iterations):  # noqa: B007 - the count is reported
        if stop():
            status = SolveStatus.CANCELLED if stop.cancelled else SolveStatus.TIME_LIMIT
            break
        if len(active) == 0:
            break
        i = int(active[rng.integers(len(active))])
        if ranked[i] and rng.random() < 0.7:
            k = ranked[i][int(rng.integers(len(ranked[i])))]
            near = by_point[int(point[slot_of[k]])]
            j = near[int(rng.integers(len(near)))]
        else:
            j = int(rng.integers(n_slots))
        if _try_swap(tables, i, j, slot_of, holder, orders, orders_of, length, scorer):
            accepted += 1
    after = float(sum(length))
    info = {
        "history_orders": len(orders),
        "history_tour_before": round(before, 3),
        "history_tour_after": round(after, 3),
        "iterations": done + 1 if iterations else 0,
        "accepted": accepted,
        "scorer": scorer.label,
    }
    return slot_of, status, info


def _try_swap(
    tables: Tables,
    i: int,
    j: int,
    slot_of: IntArray,
    holder: dict[int, int],
    orders: list[list[int]],
    orders_of: dict[int, list[int]],
    length: list[float],
    scorer: TourScorer,
) -> bool:
    """Swap SKU ``i`` with slot ``j``'s occupant (or move it there); keep it if tours shorten."""
    here = int(slot_of[i])
    if j == here or not tables.eligible_pair(i, j):
        return False
    other = holder.get(j)
    if other is not None and not tables.eligible_pair(other, here):
        return False
    touched = sorted(set(orders_of[i]) | (set(orders_of[other]) if other is not None else set()))
    slot_of[i] = j
    if other is not None:
        slot_of[other] = here
    point = scorer.slot_point
    new = [scorer.length([int(point[slot_of[s]]) for s in orders[o]]) for o in touched]
    if sum(new) < sum(length[o] for o in touched) - 1e-9:
        for o, value in zip(touched, new, strict=True):
            length[o] = value
        holder[j] = i
        if other is not None:
            holder[here] = other
        else:
            del holder[here]
        return True
    slot_of[i] = here
    if other is not None:
        slot_of[other] = j
    return False
