"""Tour lengths of batches under a routing policy: the objective every method minimises.

:class:`TourLengths` answers "how long is the tour of these orders?" for any set of units,
caches every answer, and evaluates many candidate batches in one compiled call where it can
(:mod:`smartwms.batching._engine`: every order a bit mask of its positions):

- ``optimal`` on parallel-aisle layouts of at most three blocks with the depot at an aisle
  and every SKU in one location: the exact aisle DP of :mod:`smartwms.routing`;
- the heuristic policies on single-block layouts under the same conditions;
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

from smartwms.batching._engine import OPTIMAL, POLICY_CODES, Engine
from smartwms.batching.problem import BatchingProblem
from smartwms.layout import location_points
from smartwms.model import ParallelAisleLayout, PickRoute
from smartwms.routing import solve_routing
from smartwms.routing._dp_tables import tables_for
from smartwms.routing.exact import MAX_EXACT_BLOCKS
from smartwms.routing.heuristics import heuristic_walk

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
        self.engine: Engine | None = _engine_for(problem)
        """The compiled kernels (``None`` where lengths come from one routing per batch)."""

    @property
    def compiled(self) -> bool:
        """Whether lengths come from the compiled kernels (fast) rather than one solve each."""
        return self.engine is not None

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
            for key, value in zip(todo, self._compute([sorted(k) for k in todo]), strict=True):
                cache[key] = value
        return [cache[k] for k in keys]

    def uncached(self, batches: Sequence[Sequence[int]]) -> NDArray[np.float64]:
        """Tour lengths of many batches, bypassing the cache (for one-off candidate scans)."""
        return np.asarray(self._compute(batches), dtype=np.float64)

    # ------------------------------------------------------------------ computing
    def _compute(self, batches: Sequence[Sequence[int]]) -> list[float]:
        if self.engine is None:
            self.evaluations += len(batches)
            return [self._slow(list(b)) for b in batches]
        offsets = np.zeros(len(batches) + 1, dtype=np.int64)
        offsets[1:] = np.cumsum([len(b) for b in batches])
        members = np.fromiter(
            (i for b in batches for i in b), dtype=np.int64, count=int(offsets[-1])
        )
        before = self.engine.evaluations
        out = self.engine.batch_lengths(offsets, members).tolist()
        self.evaluations += self.engine.evaluations - before
        self.engine.evaluations = before
        return out

    def _slow(self, members: list[int]) -> float:
        problem = self.problem
        if not members:
            return 0.0
        instance = problem.routing_instance
        layout = instance.layout
        depot = instance.station_index[problem.depot]
        if (
            problem.routing != "optimal"
            and problem.single_home
            and isinstance(layout, ParallelAisleLayout)
        ):
            locs = instance.location_index
            spots = [locs[loc] for i in members for loc in problem.orders[i].locations]
            aisles = [int(loc.aisle or 0) for loc in spots]
            cells = [int(loc.cell or 0) for loc in spots]
            return heuristic_walk(problem.routing, layout, depot, aisles, cells).length
        ids = [problem.orders[i].id for i in members]
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


def _engine_for(problem: BatchingProblem) -> Engine | None:
    """The compiled kernels when they cover the problem (see the module docstring)."""
    instance = problem.routing_instance
    layout = instance.layout
    depot = instance.station_index[problem.depot]
    if (
        not problem.single_home
        or not isinstance(layout, ParallelAisleLayout)
        or depot.aisle is None
        or depot.cross_aisle is None
    ):
        return None
    if problem.routing == "optimal":
        if layout.n_blocks > MAX_EXACT_BLOCKS:
            return None
        kind, tables = OPTIMAL, tables_for(layout.n_cross_aisles)
    elif layout.n_blocks == 1 and problem.routing in POLICY_CODES:
        kind, tables = POLICY_CODES[problem.routing], tables_for(2)
    else:
        return None
    cpb = layout.cells_per_block
    words = (cpb + 63) // 64
    stride = layout.n_blocks * words
    masks = np.zeros((problem.n, layout.n_aisles * stride), dtype=np.uint64)
    locs = instance.location_index
    for unit in problem.orders:
        for loc_id in unit.locations:
            loc = locs[loc_id]
            assert loc.aisle is not None and loc.cell is not None
            block, within = divmod(loc.cell, cpb)
            word = loc.aisle * stride + block * words + within // 64
            masks[unit.index, word] |= np.uint64(1) << np.uint64(within % 64)
    cells = np.arange(layout.cells_per_aisle, dtype=np.int64)
    cell_y = np.asarray(
        location_points(layout, np.zeros_like(cells), cells).y,  # type: ignore[arg-type]
        dtype=np.float64,
    )
    args = tables.kernel_args()
    return Engine(
        kind,
        masks,
        cell_y,
        np.asarray(layout.cross_aisle_y, dtype=np.float64),
        (layout.n_aisles, layout.n_blocks, words, cpb, int(depot.aisle), int(depot.cross_aisle)),
        (
            float(layout.aisle_spacing),
            layout.aisle_x(0),
            layout.cross_aisle_y[1] - layout.cross_aisle_y[0],
            layout.cross_aisle_y[depot.cross_aisle],
            layout.aisle_x(depot.aisle),
            2.0 * depot.spur,
        ),
        (*args[:10], args[11], args[12]),  # the DP tables without h_code
        problem.load_matrix,
        problem.limit_vector,
        problem.max_batch_size,
    )


def warm_up_kernels() -> None:
    """Call every compiled batching kernel once on a tiny warehouse (loads or builds them).

    Used by the service's worker warm-up, so no job pays for compiling them.
    """
    from smartwms.batching.problem import Cart, build_batching_problem
    from smartwms.model import Instance, Location, Order, OrderLine, Sku, Station, StockRecord

    layout = ParallelAisleLayout(
        n_aisles=3, aisle_spacing=3, cells_per_block=10, cell_length=1, cross_aisle_widths=1
    )
    spots = [("A", 0, 5), ("B", 2, 3), ("C", 1, 8)]
    instance = Instance(
        layout=layout,
        locations=[Location(id=s, aisle=a, cell=c) for s, a, c in spots],
        skus=[Sku(id=s) for s, _, _ in spots],
        stock=[StockRecord(sku=s, location=s) for s, _, _ in spots],
        orders=[Order(id=s, lines=[OrderLine(sku=s)]) for s, _, _ in spots],
        stations=[Station(id="depot", aisle=0, cross_aisle=1)],
    )
    engine = TourLengths(build_batching_problem(instance, cart=Cart(articles=2))).engine
    assert engine is not None
    assign = np.arange(3, dtype=np.int64)
    neighbours = np.asarray([[1, 2], [0, 2], [0, 1]], dtype=np.int64)
    engine.batch_lengths(np.asarray([0, 2], dtype=np.int64), np.asarray([0, 1], dtype=np.int64))
    engine.removal_gains(assign)
    engine.local_search(assign, np.ones(3, dtype=np.bool_), neighbours)
    assign[0] = -1
    engine.insert(assign, np.asarray([0], dtype=np.int64), False, np.zeros(1))
    engine.price(np.arange(3, dtype=np.int64), np.ones(3), 0.0, neighbours)
