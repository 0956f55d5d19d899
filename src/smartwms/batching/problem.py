"""Order batching problem data: the orders to batch, the cart and the pickers.

Stable API (other modules, e.g. waves and picker scheduling, build on it; fields are only ever
added): :data:`ROUTING_POLICIES`, :class:`Cart`, :class:`Pickers`, :class:`BatchOrder`,
:class:`Load`, :class:`BatchingProblem` and :func:`build_batching_problem`.

A :class:`BatchingProblem` is immutable. Each :class:`BatchOrder` is one unit the batcher places
in exactly one batch: a whole order, or (only with ``split_orders``) a part of an order too big
for one cart. Its locations are resolved once from the instance's stock.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Literal, get_args

import numpy as np
from numpy.typing import NDArray
from pydantic import Field, model_validator

from smartwms.errors import InfeasibleError, InstanceValidationError
from smartwms.model import Instance, Order
from smartwms.model.base import Frozen

__all__ = [
    "ROUTING_POLICIES",
    "BatchOrder",
    "BatchingProblem",
    "Cart",
    "Load",
    "Pickers",
    "RoutingPolicy",
    "build_batching_problem",
]

RoutingPolicy = Literal["optimal", "sshape", "return", "midpoint", "largest-gap", "combined"]
#: Routing policies a batch's tour may follow (the objective's tour length).
ROUTING_POLICIES: tuple[str, ...] = get_args(RoutingPolicy)

# Rounding slack for capacities given in decimal units.
_TOLERANCE = 1e-9


class Cart(Frozen):
    """The picking device one batch fills; every limit left ``None`` is unlimited.

    Parameters
    ----------
    articles
        Units (articles) the cart holds (the Henn-Wäscher capacity ``C``).
    volume, weight
        Litres and kilograms the cart holds (from the SKUs' unit volume and weight).
    orders
        Most orders in one batch.
    totes
        Number of totes ``K`` on the cart. An order needs ``ceil(volume / tote_volume)``
        totes (at least one) and never shares one; without ``tote_volume`` one tote each.
    tote_volume
        Litres per tote (needs ``totes``).
    """

    articles: float | None = Field(default=None, gt=0)
    volume: float | None = Field(default=None, gt=0)
    weight: float | None = Field(default=None, gt=0)
    orders: int | None = Field(default=None, ge=1)
    totes: int | None = Field(default=None, ge=1)
    tote_volume: float | None = Field(default=None, gt=0)

    @model_validator(mode="after")
    def _tote_volume_needs_totes(self) -> Cart:
        if self.tote_volume is not None and self.totes is None:
            raise ValueError("tote_volume: needs totes (the number of totes on the cart)")
        return self

    @classmethod
    def of(cls, instance: Instance) -> Cart:
        """The cart of the instance's first picker class (unlimited without pickers)."""
        if not instance.fleet.pickers:
            return cls()
        p = instance.fleet.pickers[0]
        return cls(
            articles=p.cart_capacity_articles,
            volume=p.cart_capacity_volume,
            weight=p.cart_capacity_weight,
            orders=p.cart_capacity_orders,
            totes=p.cart_totes,
            tote_volume=p.tote_volume,
        )

    def totes_for(self, volume: float) -> int:
        """Totes an order of ``volume`` litres needs (0 when the cart has no totes)."""
        if self.totes is None:
            return 0
        if self.tote_volume is None:
            return 1
        return max(1, math.ceil(volume / self.tote_volume - _TOLERANCE))

    @property
    def limits(self) -> dict[str, float]:
        """The limits that are set, by name."""
        return {
            name: float(value)
            for name in ("articles", "volume", "weight", "orders", "totes")
            if (value := getattr(self, name)) is not None
        }


class Pickers(Frozen):
    """The pickers who walk the batches (used for times and schedules).

    A batch takes ``setup_time + length / speed + pick_time_per_line * lines +
    pick_time_per_unit * units`` seconds (:meth:`BatchingProblem.service_time`).
    """

    count: int = Field(default=1, ge=1)
    speed: float = Field(default=1.0, gt=0, description="length units per second")
    pick_time_per_line: float = Field(default=10.0, ge=0, description="s per order line")
    pick_time_per_unit: float = Field(default=2.0, ge=0, description="s per unit")
    setup_time: float = Field(default=0.0, ge=0, description="s per batch")

    @classmethod
    def of(cls, instance: Instance) -> Pickers:
        """The pickers of the instance's first picker class (one default picker without)."""
        if not instance.fleet.pickers:
            return cls()
        p = instance.fleet.pickers[0]
        return cls(
            count=max(1, sum(q.count for q in instance.fleet.pickers)),
            speed=p.speed,
            pick_time_per_line=p.pick_time_per_line,
            pick_time_per_unit=p.pick_time_per_unit,
            setup_time=p.setup_time,
        )


@dataclass(frozen=True)
class Load:
    """What a set of batch orders puts on the cart."""

    articles: float = 0.0
    volume: float = 0.0
    weight: float = 0.0
    orders: int = 0
    totes: int = 0

    def __add__(self, other: Load) -> Load:
        return Load(
            self.articles + other.articles,
            self.volume + other.volume,
            self.weight + other.weight,
            self.orders + other.orders,
            self.totes + other.totes,
        )

    def excess(self, cart: Cart) -> list[str]:
        """The cart limits this load breaks, e.g. ``["articles 31 > 30"]`` (empty: it fits)."""
        out = []
        for name, limit in cart.limits.items():
            value = getattr(self, name)
            if value > limit * (1 + _TOLERANCE) + _TOLERANCE:
                out.append(f"{name} {value:g} > {limit:g}")
        return out


@dataclass(frozen=True, eq=False)
class BatchOrder:
    """One unit of batching: an order (or, with ``split_orders``, a part of one).

    Attributes
    ----------
    index
        Position in :attr:`BatchingProblem.orders`.
    order
        The instance's order id.
    lines
        Indices of the order's lines in this unit (all of them unless the order is split).
    part
        ``None`` for a whole order, else the part's number (0, 1, ...).
    load
        Articles, volume, weight, totes (and ``orders=1``).
    locations
        Distinct location ids its lines are picked from (resolved from the stock).
    release, due
        The order's release and due times (seconds).
    """

    index: int
    order: str
    lines: tuple[int, ...]
    part: int | None
    load: Load
    locations: tuple[str, ...]
    release: float
    due: float | None
    n_lines: int

    @property
    def id(self) -> str:
        """The order id, with ``#<part>`` for a part of a split order."""
        return self.order if self.part is None else f"{self.order}#{self.part}"


@dataclass(frozen=True, eq=False)
class BatchingProblem:
    """Immutable data of one batching problem; build it with :func:`build_batching_problem`.

    Attributes
    ----------
    instance
        The warehouse, its stock and orders.
    orders
        The units to batch, each placed in exactly one batch.
    cart, pickers
        The picking device and the pickers.
    routing
        The routing policy of every batch's tour (the objective's tour length).
    depot
        Station id where every tour starts and ends.
    split_orders
        Whether orders too big for one cart were split into parts.
    single_home
        Whether every SKU ordered sits in exactly one location (the tour has no choice of
        where to pick; otherwise :attr:`BatchOrder.locations` lists every candidate).
    """

    instance: Instance
    orders: tuple[BatchOrder, ...]
    cart: Cart
    pickers: Pickers
    routing: RoutingPolicy
    depot: str
    split_orders: bool = False
    single_home: bool = True

    @property
    def n(self) -> int:
        """Number of units to batch."""
        return len(self.orders)

    @cached_property
    def order_index(self) -> dict[str, list[int]]:
        """Units of every order id (one unit unless the order was split)."""
        out: dict[str, list[int]] = {}
        for unit in self.orders:
            out.setdefault(unit.order, []).append(unit.index)
        return out

    @cached_property
    def routing_instance(self) -> Instance:
        """The instance whose orders are the units (itself unless orders were split).

        A part ``k`` of order ``O`` becomes the order ``O#k`` holding its lines, so routing
        and checking see every unit as an order.
        """
        if not any(u.part is not None for u in self.orders):
            return self.instance
        kept = {u.order for u in self.orders if u.part is None}
        parts = [
            Order(
                id=u.id,
                lines=[self.order_of(u).lines[i] for i in u.lines],
                release_time=u.release,
                due_time=u.due,
            )
            for u in self.orders
            if u.part is not None
        ]
        whole = [o for o in self.instance.orders if o.id in kept]
        return self.instance.model_copy(update={"orders": whole + parts})

    @cached_property
    def load_matrix(self) -> NDArray[np.float64]:
        """Every unit's load as a row: articles, volume, weight, orders, totes."""
        return np.asarray(
            [
                [u.load.articles, u.load.volume, u.load.weight, u.load.orders, u.load.totes]
                for u in self.orders
            ],
            dtype=np.float64,
        ).reshape(self.n, 5)

    @cached_property
    def limit_vector(self) -> NDArray[np.float64]:
        """The cart's limits in the columns of :attr:`load_matrix` (``inf`` where unlimited)."""
        c = self.cart
        return np.asarray(
            [
                np.inf if v is None else float(v)
                for v in (c.articles, c.volume, c.weight, c.orders, c.totes)
            ],
            dtype=np.float64,
        )

    @cached_property
    def max_batch_size(self) -> int:
        """Most units one batch can hold (the smallest units first, limit by limit)."""
        most = self.n
        loads, limits = self.load_matrix, self.limit_vector
        for d in range(5):
            if not np.isfinite(limits[d]):
                continue
            sizes = np.sort(loads[:, d])
            fits = int(np.searchsorted(np.cumsum(sizes), limits[d] * (1 + 1e-9) + 1e-9, "right"))
            most = min(most, max(1, fits))
        return max(1, most)

    def load(self, members: Iterable[int]) -> Load:
        """The cart load of a batch of units."""
        total = Load()
        for i in members:
            total = total + self.orders[i].load
        return total

    def fits(self, members: Iterable[int]) -> bool:
        """Whether a batch of units fits on the cart."""
        return not self.load(members).excess(self.cart)

    def service_time(self, members: Sequence[int], length: float) -> float:
        """Seconds a picker needs for a batch whose tour is ``length`` long."""
        p = self.pickers
        units = [self.orders[i] for i in members]
        return (
            p.setup_time
            + length / p.speed
            + p.pick_time_per_line * sum(u.n_lines for u in units)
            + p.pick_time_per_unit * sum(u.load.articles for u in units)
        )

    @cached_property
    def _order_pos(self) -> dict[str, int]:
        return {o.id: i for i, o in enumerate(self.instance.orders)}

    def order_of(self, unit: BatchOrder) -> Order:
        """The instance's order a unit belongs to."""
        return self.instance.orders[self._order_pos[unit.order]]


def _sku_loads(instance: Instance) -> tuple[dict[str, float], dict[str, float]]:
    sku = instance.sku_index
    return (
        {s: sku[s].unit_volume for s in sku},
        {s: sku[s].unit_weight for s in sku},
    )


def _homes(instance: Instance) -> dict[str, list[str]]:
    """Locations holding each SKU, most units first (the first is where its units are counted)."""
    held: dict[str, dict[str, float]] = {}
    for rec in instance.stock:
        if rec.quantity > 0:
            here = held.setdefault(rec.sku, {})
            here[rec.location] = here.get(rec.location, 0.0) + rec.quantity
    return {s: sorted(h, key=lambda loc: (-h[loc], loc)) for s, h in held.items()}


def _unit(
    index: int,
    order: Order,
    lines: Sequence[int],
    part: int | None,
    cart: Cart,
    vol: dict[str, float],
    wgt: dict[str, float],
    homes: dict[str, list[str]],
) -> BatchOrder:
    articles = sum(order.lines[i].quantity for i in lines)
    volume = sum(order.lines[i].quantity * vol[order.lines[i].sku] for i in lines)
    weight = sum(order.lines[i].quantity * wgt[order.lines[i].sku] for i in lines)
    locations: dict[str, None] = {}
    for i in lines:
        for loc in homes[order.lines[i].sku]:
            locations[loc] = None
    return BatchOrder(
        index=index,
        order=order.id,
        lines=tuple(lines),
        part=part,
        load=Load(articles, volume, weight, 1, cart.totes_for(volume)),
        locations=tuple(locations),
        release=order.release_time,
        due=order.due_time,
        n_lines=len(lines),
    )


def _split(
    order: Order, cart: Cart, vol: dict[str, float], wgt: dict[str, float]
) -> list[list[int]]:
    """The order's lines in consecutive parts, each filled as far as the cart allows."""
    parts: list[list[int]] = [[]]
    load = Load()
    for i, line in enumerate(order.lines):
        add = Load(line.quantity, line.quantity * vol[line.sku], line.quantity * wgt[line.sku], 0)
        trial = load + add
        trial = Load(trial.articles, trial.volume, trial.weight, 1, cart.totes_for(trial.volume))
        if parts[-1] and trial.excess(cart):
            parts.append([])
            load = Load()
            trial = Load(add.articles, add.volume, add.weight, 1, cart.totes_for(add.volume))
        if trial.excess(cart):
            raise InfeasibleError(
                f"order {order.id!r}: line {i} (SKU {line.sku!r}) alone exceeds the cart "
                f"({', '.join(trial.excess(cart))}); lines are never split"
            )
        parts[-1].append(i)
        load = trial
    return parts


def build_batching_problem(
    instance: Instance,
    orders: Sequence[str] | None = None,
    cart: Cart | None = None,
    pickers: Pickers | None = None,
    routing: RoutingPolicy = "optimal",
    split_orders: bool = False,
    depot: str | None = None,
) -> BatchingProblem:
    """Resolve the orders to batch against the instance, the cart and the pickers.

    Parameters
    ----------
    instance
        The warehouse with its stock and orders.
    orders
        Ids of the orders to batch (default: every order of the instance).
    cart, pickers
        Default: from the instance's first picker class (:meth:`Cart.of`, :meth:`Pickers.of`).
    routing
        One of :data:`ROUTING_POLICIES`.
    split_orders
        Let an order too big for one cart be split into parts (its lines in consecutive
        groups, each filling a cart); otherwise such an order is an error.
    depot
        Station id where tours start and end (default: the instance's first depot).

    Raises
    ------
    InstanceValidationError
        For an unknown or repeated order id, an unknown depot or routing policy.
    InfeasibleError
        When an order does not fit on the cart (naming the order and the limit), or a SKU it
        asks for has no stock.

    Examples
    --------
    >>> from smartwms.model import (Location, OrderLine, ParallelAisleLayout, Sku, Station,
    ...                             StockRecord)
    >>> lay = ParallelAisleLayout(n_aisles=2, aisle_spacing=3, cells_per_block=4, cell_length=1)
    >>> inst = Instance(layout=lay, locations=[Location(id="L", aisle=1, cell=0)],
    ...                 skus=[Sku(id="S")], stock=[StockRecord(sku="S", location="L")],
    ...                 orders=[Order(id="O", lines=[OrderLine(sku="S", quantity=3)])],
    ...                 stations=[Station(id="D", aisle=0, cross_aisle=1)])
    >>> p = build_batching_problem(inst, cart=Cart(articles=5))
    >>> p.orders[0].load.articles, p.orders[0].locations
    (3.0, ('L',))
    """
    if routing not in ROUTING_POLICIES:
        raise InstanceValidationError(
            [("routing", f"unknown policy {routing!r}; use one of {', '.join(ROUTING_POLICIES)}")]
        )
    cart = cart if cart is not None else Cart.of(instance)
    pickers = pickers if pickers is not None else Pickers.of(instance)
    if depot is None:
        depot = instance.depot.id
    elif depot not in instance.station_index:
        raise InstanceValidationError([("depot", f"unknown station {depot!r}")])
    by_id = {o.id: o for o in instance.orders}
    ids = [o.id for o in instance.orders] if orders is None else list(orders)
    if not ids:
        raise InstanceValidationError([("orders", "no order to batch")])
    seen: set[str] = set()
    for i, oid in enumerate(ids):
        if oid not in by_id:
            raise InstanceValidationError([(f"orders[{i}]", f"unknown order {oid!r}")])
        if oid in seen:
            raise InstanceValidationError([(f"orders[{i}]", f"order {oid!r} given twice")])
        seen.add(oid)
    vol, wgt = _sku_loads(instance)
    homes = _homes(instance)
    units: list[BatchOrder] = []
    for oid in ids:
        order = by_id[oid]
        for line in order.lines:
            if line.sku not in homes:
                raise InfeasibleError(f"order {oid!r}: no location holds SKU {line.sku!r}")
        whole = _unit(len(units), order, range(len(order.lines)), None, cart, vol, wgt, homes)
        excess = whole.load.excess(cart)
        if not excess:
            units.append(whole)
            continue
        if not split_orders:
            raise InfeasibleError(
                f"order {oid!r} does not fit on the cart ({', '.join(excess)}); "
                "allow split_orders or use a bigger cart"
            )
        for k, part in enumerate(_split(order, cart, vol, wgt)):
            units.append(_unit(len(units), order, part, k, cart, vol, wgt, homes))
    return BatchingProblem(
        instance=instance,
        orders=tuple(units),
        cart=cart,
        pickers=pickers,
        routing=routing,
        depot=depot,
        split_orders=split_orders,
        single_home=all(len(homes[line.sku]) == 1 for o in ids for line in by_id[o].lines),
    )
