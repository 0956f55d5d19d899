"""The routing problem: which units to collect where, from which depot, back to which depot.

A :class:`RoutingProblem` is built from an :class:`~smartwms.model.Instance` and one or more of
its orders (several orders make a *batch* picked in one tour). Order lines are resolved to the
locations that hold their SKU; when a SKU sits in several locations (scattered storage) the
picker may take it from any of them, as long as enough units are collected.

The problem owns its distance matrix (computed once, through
:func:`smartwms.layout.distance_matrix`); every solver and the checker read it from here.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np
from numpy.typing import NDArray

from smartwms.errors import InfeasibleError, InstanceValidationError
from smartwms.layout import distance_matrix
from smartwms.model import Instance, Location, Order, ParallelAisleLayout, Station

__all__ = [
    "Candidate",
    "RoutingProblem",
    "StockIndex",
    "build_problem",
    "problems_for_orders",
    "station_id",
    "tours_of",
]

# Units below this count as "nothing left to pick" (quantities may be decimals).
_UNIT_TOLERANCE = 1e-9


@dataclass(frozen=True)
class Candidate:
    """A location the picker may take ``sku`` from, holding ``available`` units of it."""

    location: str
    sku: str
    available: float


@dataclass(frozen=True, eq=False)
class RoutingProblem:
    """Immutable data of one pick tour.

    Attributes
    ----------
    instance
        The warehouse.
    orders
        Ids of the orders picked in this tour.
    start, end
        Station ids where the tour starts and ends (usually the same depot).
    demand
        ``(sku, units)`` pairs to collect, one per SKU (lines of the same SKU are summed).
    candidates
        Every ``(location, sku, available units)`` the demand may be taken from.
    """

    instance: Instance
    orders: tuple[str, ...]
    start: str
    end: str
    demand: tuple[tuple[str, float], ...]
    candidates: tuple[Candidate, ...]

    # ------------------------------------------------------------------ structure
    @cached_property
    def locations(self) -> tuple[str, ...]:
        """Distinct candidate location ids, in first-appearance order."""
        return tuple(dict.fromkeys(c.location for c in self.candidates))

    @cached_property
    def point_ids(self) -> tuple[str, ...]:
        """Rows of :attr:`distances`: the start, the end (if different), then the locations."""
        depots = (self.start,) if self.start == self.end else (self.start, self.end)
        return (*depots, *self.locations)

    @property
    def start_index(self) -> int:
        """Row of the start depot in :attr:`distances`."""
        return 0

    @property
    def end_index(self) -> int:
        """Row of the end depot in :attr:`distances`."""
        return 0 if self.start == self.end else 1

    @property
    def first_location_index(self) -> int:
        """Row of the first location in :attr:`distances`."""
        return 1 if self.start == self.end else 2

    @cached_property
    def index_of(self) -> dict[str, int]:
        """Row of every location id in :attr:`distances`."""
        first = self.first_location_index
        return {loc: first + i for i, loc in enumerate(self.locations)}

    @cached_property
    def distances(self) -> NDArray[np.float64]:
        """Walking distances between :attr:`point_ids` (computed once)."""
        return distance_matrix(self.instance, list(self.point_ids))

    @cached_property
    def candidates_by_sku(self) -> dict[str, list[Candidate]]:
        """Candidates of every demanded SKU."""
        out: dict[str, list[Candidate]] = {sku: [] for sku, _ in self.demand}
        for cand in self.candidates:
            out[cand.sku].append(cand)
        return out

    @property
    def scattered(self) -> bool:
        """Whether some SKU may be taken from more than one location."""
        return any(len(c) > 1 for c in self.candidates_by_sku.values())

    @property
    def single_location_suffices(self) -> bool:
        """Whether every SKU can be taken in full from any one of its candidates it fits in.

        Precisely: each SKU has at least one candidate holding its whole demand, so a tour
        only needs to choose one location per SKU (OR-Tools disjunctions model this).
        """
        demand = dict(self.demand)
        return all(
            len(cands) == 1 or any(c.available + _UNIT_TOLERANCE >= demand[sku] for c in cands)
            for sku, cands in self.candidates_by_sku.items()
        )

    @property
    def start_station(self) -> Station:
        """The start depot."""
        return self.instance.station_index[self.start]

    def location(self, loc_id: str) -> Location:
        """A location of the instance by id."""
        return self.instance.location_index[loc_id]

    @property
    def parallel_aisle(self) -> bool:
        """Whether the layout is a parallel-aisle warehouse (closed-form geometry)."""
        return isinstance(self.instance.layout, ParallelAisleLayout)

    def fixed_picks(self) -> dict[str, dict[str, float]] | None:
        """Location -> {sku: units} when there is no choice of location, else ``None``."""
        if self.scattered:
            return None
        picks: dict[str, dict[str, float]] = {}
        for sku, units in self.demand:
            (cand,) = self.candidates_by_sku[sku]
            picks.setdefault(cand.location, {})[sku] = units
        return picks


@dataclass(frozen=True)
class StockIndex:
    """Orders by id and stock by SKU (``sku -> {location: units}``) of an instance."""

    orders: dict[str, Order]
    stock: dict[str, dict[str, float]]

    @classmethod
    def of(cls, instance: Instance) -> StockIndex:
        """Index an instance (linear in its stock records)."""
        stock: dict[str, dict[str, float]] = {}
        for rec in instance.stock:
            if rec.quantity > 0:
                here = stock.setdefault(rec.sku, {})
                here[rec.location] = here.get(rec.location, 0.0) + rec.quantity
        return cls({o.id: o for o in instance.orders}, stock)


def station_id(instance: Instance, station: str | None, role: str) -> str:
    """The id of station ``station`` (the first depot when ``None``), checked to exist.

    ``role`` names the parameter in the error (``start`` or ``end``).
    """
    if station is None:
        return instance.depot.id
    if station not in instance.station_index:
        raise InstanceValidationError([(role, f"unknown station {station!r}")])
    return station


def build_problem(
    instance: Instance,
    orders: Sequence[str] | None = None,
    start: str | None = None,
    end: str | None = None,
    _index: StockIndex | None = None,
) -> RoutingProblem:
    """Resolve the lines of ``orders`` (one tour; all orders when ``None``) to locations.

    Raises
    ------
    InstanceValidationError
        For an unknown order or station id.
    InfeasibleError
        When a SKU has no stock, or sits in several locations that together hold less than
        the orders ask for. A SKU with a single location is taken there in full whatever
        its recorded quantity (which is often a placeholder, as in Foodmart).

    Examples
    --------
    >>> from smartwms.model import (Location, Order, OrderLine, ParallelAisleLayout, Sku,
    ...                             Station, StockRecord)
    >>> lay = ParallelAisleLayout(n_aisles=2, aisle_spacing=3, cells_per_block=4, cell_length=1)
    >>> inst = Instance(layout=lay, locations=[Location(id="L", aisle=1, cell=0)],
    ...                 skus=[Sku(id="S")], stock=[StockRecord(sku="S", location="L")],
    ...                 orders=[Order(id="O", lines=[OrderLine(sku="S")])],
    ...                 stations=[Station(id="D", aisle=0, cross_aisle=1)])
    >>> problem = build_problem(inst, ["O"])
    >>> problem.point_ids, problem.distances[0, 1]
    (('D', 'L'), np.float64(7.0))
    """
    index = _index if _index is not None else StockIndex.of(instance)
    order_ids = list(index.orders) if orders is None else list(orders)
    demand: dict[str, float] = {}
    for i, oid in enumerate(order_ids):
        if oid not in index.orders:
            raise InstanceValidationError([(f"orders[{i}]", f"unknown order {oid!r}")])
        for line in index.orders[oid].lines:
            demand[line.sku] = demand.get(line.sku, 0.0) + line.quantity
    stock = {(loc, sku): qty for sku in demand for loc, qty in index.stock.get(sku, {}).items()}
    candidates = tuple(Candidate(loc, sku, qty) for (loc, sku), qty in stock.items())
    held: dict[str, float] = {}
    places: dict[str, int] = {}
    for cand in candidates:
        held[cand.sku] = held.get(cand.sku, 0.0) + cand.available
        places[cand.sku] = places.get(cand.sku, 0) + 1
    for sku, units in demand.items():
        if sku not in held:
            raise InfeasibleError(
                f"SKU {sku!r}: orders {', '.join(order_ids)} ask for it but no location holds it"
            )
        # A SKU with one home is taken there in full: its recorded quantity may be a
        # placeholder (Foodmart). Quantities decide only between several homes.
        if places[sku] > 1 and held[sku] + _UNIT_TOLERANCE < units:
            raise InfeasibleError(
                f"SKU {sku!r}: orders {', '.join(order_ids)} ask for {units:g} units but only "
                f"{held.get(sku, 0.0):g} are in stock"
            )
    return RoutingProblem(
        instance=instance,
        orders=tuple(order_ids),
        start=station_id(instance, start, "start"),
        end=station_id(instance, end if end is not None else start, "end"),
        demand=tuple(demand.items()),
        candidates=candidates,
    )


def tours_of(
    instance: Instance, orders: Sequence[str | Sequence[str]] | None = None
) -> list[list[str]]:
    """The order ids of every tour (each entry an order id or a batch), checked to exist.

    ``None`` puts every order of the instance on its own tour.
    """
    tours: list[list[str]] = (
        [[o.id] for o in instance.orders]
        if orders is None
        else [[t] if isinstance(t, str) else list(t) for t in orders]
    )
    if not tours:
        raise InstanceValidationError([("orders", "the instance has no order to route")])
    known = {o.id for o in instance.orders}
    for i, tour in enumerate(tours):
        for oid in tour:
            if oid not in known:
                raise InstanceValidationError([(f"orders[{i}]", f"unknown order {oid!r}")])
    return tours


def problems_for_orders(
    instance: Instance,
    orders: Sequence[str | Sequence[str]] | None = None,
    start: str | None = None,
    end: str | None = None,
) -> Iterator[RoutingProblem]:
    """One problem per tour, built lazily (few objects alive when routing a year of orders).

    Each entry of ``orders`` is an order id or a batch of ids; ``None`` routes every order of
    the instance on its own tour. Unknown orders raise before the first problem is built.
    """
    tours = tours_of(instance, orders)
    index = StockIndex.of(instance)  # once for all tours: an order touches few SKUs
    return (build_problem(instance, tour, start, end, index) for tour in tours)
