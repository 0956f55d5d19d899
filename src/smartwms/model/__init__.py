"""Pydantic v2 data models: problem data (an :class:`Instance`) and solutions.

Everything here is plain, immutable data that serialises to JSON; solvers live elsewhere.
"""

from smartwms.model.instance import FORMAT_VERSION, Instance, Units
from smartwms.model.layout import (
    Arc,
    GraphLayout,
    GraphNode,
    GridLayout,
    Layout,
    ParallelAisleLayout,
)
from smartwms.model.slotting import Move, SlottingPlan
from smartwms.model.solutions import PickRoute, SolveStatus, TourStop
from smartwms.model.warehouse import (
    AgvClass,
    Battery,
    Fleet,
    Location,
    Order,
    OrderLine,
    PickerClass,
    Sku,
    Station,
    StockRecord,
)

__all__ = [
    "FORMAT_VERSION",
    "AgvClass",
    "Arc",
    "Battery",
    "Fleet",
    "GraphLayout",
    "GraphNode",
    "GridLayout",
    "Instance",
    "Layout",
    "Location",
    "Move",
    "Order",
    "OrderLine",
    "ParallelAisleLayout",
    "PickRoute",
    "PickerClass",
    "Sku",
    "SlottingPlan",
    "SolveStatus",
    "Station",
    "StockRecord",
    "TourStop",
    "Units",
]
