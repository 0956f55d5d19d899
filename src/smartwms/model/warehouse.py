"""Things that live in a warehouse: locations, SKUs, stock, orders, resources and stations."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from smartwms.model.base import Frozen

__all__ = [
    "AgvClass",
    "Battery",
    "Fleet",
    "Location",
    "Order",
    "OrderLine",
    "PickerClass",
    "Sku",
    "Station",
    "StockRecord",
]


class Location(Frozen):
    """A storage slot.

    Where it is depends on the layout: ``aisle`` and ``cell`` (cell 0 next to the back/top
    cross aisle) in a parallel-aisle layout; ``node`` in a graph layout; ``cell`` as the linear
    index ``row * width + col`` in a grid map. ``level`` 0 is the floor level.
    """

    id: str
    aisle: int | None = Field(default=None, ge=0)
    cell: int | None = Field(default=None, ge=0)
    node: str | None = None
    side: Literal["left", "right"] | None = None
    level: int = Field(default=0, ge=0)
    zone: str | None = None
    volume_capacity: float | None = Field(default=None, gt=0, description="litres")
    weight_capacity: float | None = Field(default=None, gt=0, description="kg")


class Sku(Frozen):
    """A stock-keeping unit.

    ``demand`` is the expected units picked per day (used by slotting); ``pick_frequency`` the
    expected order lines per day (when unknown, slotting estimates it from the orders).
    ``zones`` restricts the zones it may be stored in (``None``: any); ``hazard`` names a
    segregation class; ``family`` groups SKUs that should be stored together.
    """

    id: str
    unit_volume: float = Field(default=0.0, ge=0, description="litres per unit")
    unit_weight: float = Field(default=0.0, ge=0, description="kg per unit")
    demand: float = Field(default=0.0, ge=0, description="units per day")
    pick_frequency: float | None = Field(default=None, ge=0, description="lines per day")
    family: str | None = None
    zones: list[str] | None = None
    hazard: str | None = None
    name: str | None = None


class StockRecord(Frozen):
    """``quantity`` units of ``sku`` stored in ``location`` (the current assignment)."""

    sku: str
    location: str
    quantity: float = Field(default=1.0, ge=0)


class OrderLine(Frozen):
    """One line of an order: ``quantity`` units of ``sku``."""

    sku: str
    quantity: float = Field(default=1.0, gt=0)


class Order(Frozen):
    """A customer order; times are seconds from the start of the horizon."""

    id: str
    lines: list[OrderLine] = Field(min_length=1)
    release_time: float = Field(default=0.0, ge=0)
    due_time: float | None = Field(default=None, ge=0)


class PickerClass(Frozen):
    """A group of identical human pickers."""

    id: str = "picker"
    count: int = Field(default=1, ge=0)
    speed: float = Field(default=1.0, gt=0, description="m/s")
    pick_time_per_line: float = Field(default=10.0, ge=0, description="s")
    pick_time_per_unit: float = Field(default=2.0, ge=0, description="s")
    cart_capacity_volume: float | None = Field(default=None, gt=0, description="litres")
    cart_capacity_weight: float | None = Field(default=None, gt=0, description="kg")
    cart_capacity_orders: int | None = Field(default=None, ge=1)
    cart_capacity_articles: float | None = Field(
        default=None, gt=0, description="units (articles) the cart holds"
    )
    cart_totes: int | None = Field(default=None, ge=1, description="totes on the cart")
    tote_volume: float | None = Field(default=None, gt=0, description="litres per tote")
    setup_time: float = Field(default=0.0, ge=0, description="s per batch (at the depot)")


class Battery(Frozen):
    """AGV battery in percent of a full charge."""

    consumption_per_move: float = Field(default=0.05, ge=0, description="% per grid move")
    consumption_per_step_idle: float = Field(default=0.0, ge=0, description="% per idle step")
    charge_per_step: float = Field(default=1.0, gt=0, description="% per step on a charger")
    threshold: float = Field(default=20.0, ge=0, le=100, description="% that sends it to charge")
    initial: float = Field(default=100.0, ge=0, le=100)


class AgvClass(Frozen):
    """A group of identical automated guided vehicles."""

    id: str = "agv"
    count: int = Field(default=1, ge=0)
    speed: float = Field(default=1.0, gt=0, description="m/s (one grid cell per step on maps)")
    capacity: float = Field(default=1.0, gt=0, description="loads carried at once")
    battery: Battery | None = None


class Fleet(Frozen):
    """The resources that move goods."""

    pickers: list[PickerClass] = Field(default_factory=list)
    agvs: list[AgvClass] = Field(default_factory=list)


class Station(Frozen):
    """A depot, I/O point, pick, pickup, delivery or charging station.

    Position: in a parallel-aisle layout on cross aisle ``cross_aisle`` (0 = back/top,
    ``n_blocks`` = front/bottom) at aisle ``aisle`` or at ``x``, optionally at the end of a
    spur of length ``spur`` leading off the cross aisle; ``node`` in a graph layout; ``cell``
    (linear index) in a grid map.
    """

    id: str
    kind: Literal["depot", "io", "pick", "pickup", "delivery", "charging"] = "depot"
    aisle: int | None = Field(default=None, ge=0)
    x: float | None = None
    cross_aisle: int | None = Field(default=None, ge=0)
    spur: float = Field(default=0.0, ge=0)
    node: str | None = None
    cell: int | None = Field(default=None, ge=0)
