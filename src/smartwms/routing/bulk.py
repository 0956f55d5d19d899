"""Exact routes for many orders at once: the hot path of ``solve_routing(method="optimal")``.

Routing a year of order history through one :class:`~smartwms.routing.RoutingProblem` per
order spends most of its time outside the dynamic program: resolving SKUs to locations,
preparing the DP's arrays and validating every stop of every route. :class:`BulkRouter`
does the per-instance work once (the home location of every SKU, the DP coordinates of every
location), routes a whole batch of orders in one call of the compiled DP, and builds each
distinct pick stop once.

It covers the tours the aisle DP solves directly: a parallel-aisle layout of at most
:data:`~smartwms.routing.exact.MAX_EXACT_BLOCKS` blocks, one depot at an aisle, and SKUs that
each sit in exactly one location. Other tours (scattered storage, missing stock) are left to
the general path, which also raises the errors about them. The routes are the same as the
general path's, stop for stop (a property test holds both to it).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from smartwms.errors import SmartwmsError
from smartwms.layout import location_points
from smartwms.model import (
    Instance,
    Order,
    ParallelAisleLayout,
    PickRoute,
    SolveStatus,
    Station,
    TourStop,
)
from smartwms.routing._dp_kernel import route_tours
from smartwms.routing._dp_tables import Tables, tables_for
from smartwms.routing.exact import MAX_EXACT_BLOCKS
from smartwms.routing.problem import StockIndex

__all__ = ["BulkRouter", "TourBatch"]

Picks = dict[int, dict[str, float]]  # location (row of Instance.locations) -> {sku: units}


@dataclass(frozen=True)
class TourBatch:
    """Tours resolved to locations, as the compiled DP reads them.

    ``picks[k]`` is tour ``k``'s location -> units per SKU (``None`` when the bulk path does
    not cover the tour); the DP's picks of tour ``k`` are ``offsets[k] <= i < offsets[k + 1]``
    of ``locations`` (rows of ``Instance.locations``).
    """

    tours: list[list[str]]
    picks: list[Picks | None]
    offsets: NDArray[np.int64]
    locations: NDArray[np.int64]


class BulkRouter:
    """Per-instance tables that route many single-home tours with the exact aisle DP.

    Build it with :meth:`of` (``None`` when the DP does not apply to the instance), then
    :meth:`route` batches of tours. The three stages are public so that the benchmark can
    time them apart: :meth:`prepare`, :meth:`solve`, :meth:`routes`.
    """

    def __init__(self, instance: Instance, index: StockIndex, depot: Station) -> None:
        layout = instance.layout
        assert isinstance(layout, ParallelAisleLayout) and depot.aisle is not None
        assert depot.cross_aisle is not None  # guaranteed by Instance validation
        self.instance = instance
        self.layout = layout
        self.depot = depot
        self.orders: dict[str, Order] = index.orders
        row = {loc.id: i for i, loc in enumerate(instance.locations)}
        # A SKU's home: its only location with stock. Scattered SKUs have none here.
        self.home: dict[str, int] = {
            sku: row[next(iter(held))] for sku, held in index.stock.items() if len(held) == 1
        }
        aisles = np.asarray([loc.aisle for loc in instance.locations], dtype=np.int64)
        cells = np.asarray([loc.cell for loc in instance.locations], dtype=np.int64)
        self.col = aisles
        self.block = cells // layout.cells_per_block
        self.y = location_points(layout, aisles, cells).y  # type: ignore[arg-type]
        self.cross_y = np.asarray(layout.cross_aisle_y, dtype=np.float64)
        self.tables: Tables = tables_for(layout.n_cross_aisles)
        self.depot_stop = TourStop.model_validate(
            {
                "kind": "depot",
                "id": depot.id,
                "aisle": depot.aisle,
                "cell": depot.cell,
                "node": depot.node,
            }
        )
        self._stops: dict[tuple[int, tuple[tuple[str, float], ...]], TourStop] = {}

    @classmethod
    def of(cls, instance: Instance, index: StockIndex, start: str, end: str) -> BulkRouter | None:
        """A router for tours from ``start`` back to ``end``, or ``None`` when the aisle DP
        does not route them (other layouts, many blocks, two depots, a depot between aisles).
        """
        layout = instance.layout
        depot = instance.station_index[start]
        if (
            not isinstance(layout, ParallelAisleLayout)
            or layout.n_blocks > MAX_EXACT_BLOCKS
            or start != end
            or depot.aisle is None
        ):
            return None
        return cls(instance, index, depot)

    # ------------------------------------------------------------------ stages
    def prepare(self, tours: Sequence[Sequence[str]]) -> TourBatch:
        """Resolve every tour's order lines to the home locations of their SKUs.

        Lines of one SKU are summed and SKUs sharing a location make one stop, in the order
        of the lines (as :func:`~smartwms.routing.build_problem` does).
        """
        home, orders = self.home, self.orders
        all_picks: list[Picks | None] = []
        offsets = [0]
        flat: list[int] = []
        for tour in tours:
            demand: dict[str, float] = {}
            for oid in tour:
                for line in orders[oid].lines:
                    demand[line.sku] = demand.get(line.sku, 0.0) + line.quantity
            picks: Picks = {}
            covered = True
            for sku, units in demand.items():
                loc = home.get(sku)
                if loc is None:
                    covered = False  # scattered or missing stock: the general path decides
                    break
                here = picks.get(loc)
                if here is None:
                    picks[loc] = {sku: units}
                else:
                    here[sku] = units
            all_picks.append(picks if covered else None)
            if covered:
                flat += picks
            offsets.append(len(flat))
        return TourBatch(
            tours=[list(t) for t in tours],
            picks=all_picks,
            offsets=np.asarray(offsets, dtype=np.int64),
            locations=np.asarray(flat, dtype=np.int64),
        )

    def solve(self, batch: TourBatch) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
        """Tour lengths and, per tour, the indices of its stops in visiting order."""
        t, depot, locs = self.tables, self.depot, batch.locations
        assert depot.aisle is not None and depot.cross_aisle is not None
        lengths, order = route_tours(
            batch.offsets,
            self.col[locs],
            self.block[locs],
            self.y[locs],
            self.layout.n_blocks,
            self.cross_y,
            float(self.layout.aisle_spacing),
            depot.aisle,
            depot.cross_aisle,
            *t.kernel_args(),
        )
        if not np.all(lengths < float("inf")) or (len(order) and order.min() < 0):
            raise SmartwmsError("the exact routing DP found no tour (inconsistent tables)")
        return lengths, order

    def routes(
        self, batch: TourBatch, lengths: NDArray[np.float64], order: NDArray[np.int64]
    ) -> list[PickRoute | None]:
        """The :class:`~smartwms.model.PickRoute` of every covered tour (``None`` for others).

        Each distinct stop (location and what is taken there) is validated once and shared:
        stops are immutable.
        """
        spur = 2.0 * self.depot.spur
        depot_stop = self.depot_stop
        offsets = batch.offsets.tolist()
        visit = order.tolist()
        all_lengths = lengths.tolist()
        out: list[PickRoute | None] = []
        for k, picks in enumerate(batch.picks):
            if picks is None:
                out.append(None)
                continue
            lo, hi = offsets[k], offsets[k + 1]
            rows = list(picks)
            stops = [depot_stop]
            stops += [self._stop(rows[i], picks[rows[i]]) for i in visit[lo:hi]]
            stops.append(depot_stop)
            route: dict[str, Any] = {
                "orders": batch.tours[k],
                "method": "optimal",
                "stops": stops,
                # An empty tour stays at the depot (no spur walked), as in optimal_tour.
                "length": all_lengths[k] + spur if hi > lo else 0.0,
                "status": SolveStatus.OPTIMAL,
            }
            out.append(PickRoute.model_validate(route))
        return out

    def route(self, tours: Sequence[Sequence[str]]) -> list[PickRoute | None]:
        """Exact routes of ``tours`` (``None`` for a tour the bulk path does not cover)."""
        batch = self.prepare(tours)
        return self.routes(batch, *self.solve(batch))

    # ------------------------------------------------------------------ helpers
    def _stop(self, row: int, picks: dict[str, float]) -> TourStop:
        key = (row, tuple(picks.items()))
        stop = self._stops.get(key)
        if stop is None:
            loc = self.instance.locations[row]
            stop = TourStop.model_validate(
                {
                    "kind": "pick",
                    "id": loc.id,
                    "aisle": loc.aisle,
                    "cell": loc.cell,
                    "node": loc.node,
                    "picks": picks,
                }
            )
            self._stops[key] = stop
        return stop
