"""Tour lengths of batches under a routing policy: the objective every method minimises.

:class:`TourLengths` answers "how long is the tour of these orders?" for any set of units,
caches every answer, and evaluates many candidate batches in one compiled call where it can:

- ``optimal`` on parallel-aisle layouts of at most three blocks with the depot at an aisle
  and every SKU in one location: the exact aisle DP over the union of the orders' locations
  (:meth:`smartwms.routing.bulk.BulkRouter.union_lengths`);
- the heuristic policies on single-block layouts under the same conditions: closed-form planned
  walks (:mod:`smartwms.batching._policy_kernel`, the same walks as
  :func:`smartwms.routing.heuristics.heuristic_walk`);
- anything else: one :func:`smartwms.routing.solve_routing` (or planned walk) per batch.

A heuristic's tour length is its *planned walk* from the leftmost pick aisle (never its mirror
image), as the batching literature counts it (this reproduces the published values of every
policy on the Henn-Wäscher instances); ``optimal`` is the shortest tour. A batch's route (its
stops, from :func:`~smartwms.routing.solve_routing`) walks shortest paths between its stops, so
``route.length`` is never longer than the policy's length.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
from numpy.typing import NDArray

from smartwms.batching._policy_kernel import POLICY_CODES, policy_lengths
from smartwms.batching.problem import BatchingProblem
from smartwms.layout import location_points
from smartwms.model import ParallelAisleLayout, PickRoute
from smartwms.routing import solve_routing
from smartwms.routing.bulk import BulkRouter
from smartwms.routing.heuristics import heuristic_walk
from smartwms.routing.problem import StockIndex

__all__ = ["TourLengths"]


class TourLengths:
    """Cached tour lengths of batches (sets of unit indices) of one :class:`BatchingProblem`.

    Examples
    --------
    >>> from smartwms.batching.problem import Cart, build_batching_problem
    >>> from smartwms.model import (Instance, Location, Order, OrderLine, ParallelAisleLayout,
    ...                             Sku, Station, StockRecord)
    >>> lay = ParallelAisleLayout(n_aisles=3, aisle_spacing=3, cells_per_block=10,
    ...                           cell_length=1, cross_aisle_widths=1)
    >>> inst = Instance(layout=lay,
    ...     locations=[Location(id="A", aisle=0, cell=5), Location(id="B", aisle=2, cell=3)],
    ...     skus=[Sku(id="a"), Sku(id="b")],
    ...     stock=[StockRecord(sku="a", location="A"), StockRecord(sku="b", location="B")],
    ...     orders=[Order(id="1", lines=[OrderLine(sku="a")]),
    ...             Order(id="2", lines=[OrderLine(sku="b")])],
    ...     stations=[Station(id="depot", aisle=0, cross_aisle=1)])
    >>> lengths = TourLengths(build_batching_problem(inst, cart=Cart(articles=2)))
    >>> lengths.length([0]), lengths.length([1]), lengths.length([0, 1])
    (10.0, 26.0, 34.0)
    """

    def __init__(self, problem: BatchingProblem) -> None:
        self.problem = problem
        self.cache: dict[frozenset[int], float] = {}
        self.evaluations = 0
        self._bulk: BulkRouter | None = None
        self._policy: int | None = None
        instance = problem.routing_instance
        self._groups: tuple[NDArray[np.int64], NDArray[np.int64]] | None = None
        if not problem.single_home:
            return
        row = {loc.id: i for i, loc in enumerate(instance.locations)}
        flat = [row[loc] for unit in problem.orders for loc in unit.locations]
        offsets = np.cumsum([0, *(len(u.locations) for u in problem.orders)])
        groups = (np.asarray(offsets, dtype=np.int64), np.asarray(flat, dtype=np.int64))
        if problem.routing == "optimal":
            self._bulk = BulkRouter.of(
                instance, StockIndex.of(instance), problem.depot, problem.depot
            )
            if self._bulk is not None:
                self._groups = groups
        elif _policy_kernel_applies(problem):
            layout = instance.layout
            assert isinstance(layout, ParallelAisleLayout)
            aisles = np.asarray([loc.aisle for loc in instance.locations], dtype=np.int64)
            cells = np.asarray([loc.cell for loc in instance.locations], dtype=np.int64)
            self._policy = POLICY_CODES[problem.routing]
            self._col = aisles
            self._y = location_points(layout, aisles, cells).y  # type: ignore[arg-type]
            self._groups = groups

    @property
    def compiled(self) -> bool:
        """Whether lengths come from a compiled kernel (fast) rather than one solve per batch."""
        return self._groups is not None

    # ------------------------------------------------------------------ queries
    def length(self, members: Iterable[int]) -> float:
        """Tour length of one batch."""
        key = frozenset(members)
        known = self.cache.get(key)
        if known is not None:
            return known
        return self.lengths([key])[0]

    def lengths(self, batches: Sequence[Iterable[int]]) -> list[float]:
        """Tour lengths of many batches (the unknown ones in one compiled call)."""
        keys = [frozenset(b) for b in batches]
        cache = self.cache
        todo = [k for k in dict.fromkeys(keys) if k not in cache]
        if todo:
            for key, value in zip(todo, self._compute(todo), strict=True):
                cache[key] = value
            self.evaluations += len(todo)
        return [cache[k] for k in keys]

    def uncached(self, batches: Sequence[Sequence[int]]) -> NDArray[np.float64]:
        """Tour lengths of many batches, bypassing the cache (for one-off candidate scans)."""
        self.evaluations += len(batches)
        if self._groups is None:
            return np.asarray(self.lengths(batches), dtype=np.float64)
        return self._kernel(batches)

    # ------------------------------------------------------------------ computing
    def _compute(self, keys: list[frozenset[int]]) -> list[float]:
        if self._groups is not None:
            return self._kernel([sorted(k) for k in keys]).tolist()
        return [self._slow(sorted(k)) for k in keys]

    def _kernel(self, batches: Sequence[Sequence[int]]) -> NDArray[np.float64]:
        assert self._groups is not None
        offsets = np.zeros(len(batches) + 1, dtype=np.int64)
        offsets[1:] = np.cumsum([len(b) for b in batches])
        members = np.fromiter(
            (i for b in batches for i in b), dtype=np.int64, count=int(offsets[-1])
        )
        group_offsets, group_locations = self._groups
        if self._bulk is not None:
            return self._bulk.union_lengths(offsets, members, group_offsets, group_locations)
        instance = self.problem.routing_instance
        layout = instance.layout
        assert isinstance(layout, ParallelAisleLayout) and self._policy is not None
        depot = instance.station_index[self.problem.depot]
        assert depot.aisle is not None
        lengths = policy_lengths(
            self._policy,
            offsets,
            members,
            group_offsets,
            group_locations,
            self._col,
            self._y,
            float(layout.aisle_spacing),
            layout.aisle_x(0),
            layout.cross_aisle_y[1] - layout.cross_aisle_y[0],
            layout.cross_aisle_y[int(depot.cross_aisle or 0)],
            int(depot.aisle),
        )
        return np.where(np.diff(offsets) > 0, lengths + 2.0 * depot.spur, 0.0)

    def _slow(self, members: list[int]) -> float:
        problem = self.problem
        if not members:
            return 0.0
        instance = problem.routing_instance
        ids = [problem.orders[i].id for i in members]
        layout = instance.layout
        depot = instance.station_index[problem.depot]
        if (
            problem.routing != "optimal"
            and problem.single_home
            and isinstance(layout, ParallelAisleLayout)
        ):
            locs = instance.location_index
            aisles = [
                int(locs[loc].aisle or 0) for i in members for loc in problem.orders[i].locations
            ]
            cells = [
                int(locs[loc].cell or 0) for i in members for loc in problem.orders[i].locations
            ]
            return heuristic_walk(problem.routing, layout, depot, aisles, cells).length
        result = solve_routing(
            instance, [ids], method=problem.routing, params={"start": problem.depot}
        )
        return result.routes[0].length

    def routes(self, batches: Sequence[Sequence[int]]) -> list[PickRoute]:
        """The tour (stops in walking order) of every batch, from :func:`solve_routing`."""
        problem = self.problem
        tours = [[problem.orders[i].id for i in b] for b in batches]
        result = solve_routing(
            problem.routing_instance,
            tours,
            method=problem.routing,
            params={"start": problem.depot},
        )
        return result.routes


def _policy_kernel_applies(problem: BatchingProblem) -> bool:
    layout = problem.routing_instance.layout
    depot = problem.routing_instance.station_index[problem.depot]
    return (
        isinstance(layout, ParallelAisleLayout)
        and layout.n_blocks == 1
        and depot.aisle is not None
        and depot.cross_aisle is not None
        and problem.routing in POLICY_CODES
    )
