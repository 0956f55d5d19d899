"""The :class:`Instance`: one warehouse with its stock, orders and resources."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from functools import cached_property
from typing import Literal

from pydantic import Field, field_validator, model_validator

from smartwms.errors import InstanceValidationError
from smartwms.model.base import Frozen
from smartwms.model.layout import GraphLayout, GridLayout, Layout, ParallelAisleLayout
from smartwms.model.warehouse import Fleet, Location, Order, Sku, Station, StockRecord

__all__ = ["FORMAT_VERSION", "Instance", "Units"]

FORMAT_VERSION = "1.0"
# Rounding slack when summing capacities given in decimal units.
_CAPACITY_TOLERANCE = 1e-9


class Units(Frozen):
    """Units of the instance's numbers (lengths may be the source's own unit)."""

    length: str = "m"
    time: str = "s"


class Instance(Frozen):
    """A warehouse: layout, storage locations, SKUs, current stock, orders, fleet, stations.

    Building an instance checks every cross reference; a problem raises
    :class:`~smartwms.errors.InstanceValidationError` naming the field and the reason.

    Examples
    --------
    >>> from smartwms.model import ParallelAisleLayout, Location, Sku, Station, StockRecord
    >>> lay = ParallelAisleLayout(n_aisles=2, aisle_spacing=3, cells_per_block=4, cell_length=1)
    >>> inst = Instance(
    ...     layout=lay,
    ...     locations=[Location(id="L1", aisle=0, cell=2)],
    ...     skus=[Sku(id="S1")],
    ...     stock=[StockRecord(sku="S1", location="L1", quantity=5)],
    ...     stations=[Station(id="depot", aisle=0, cross_aisle=1)],
    ... )
    >>> inst.locations_of("S1")
    ['L1']
    """

    format: Literal["smartwms-instance"] = "smartwms-instance"
    format_version: str = FORMAT_VERSION
    name: str = "unnamed"
    description: str | None = None
    source: str | None = Field(default=None, description="provenance of converted instances")
    units: Units = Field(default_factory=Units)
    layout: Layout
    locations: list[Location] = Field(default_factory=list)
    skus: list[Sku] = Field(default_factory=list)
    stock: list[StockRecord] = Field(default_factory=list)
    orders: list[Order] = Field(default_factory=list)
    fleet: Fleet = Field(default_factory=Fleet)
    stations: list[Station] = Field(default_factory=list)
    shared_locations: bool = Field(
        default=False, description="whether one location may hold several SKUs"
    )

    @field_validator("format_version")
    @classmethod
    def _supported_version(cls, value: str) -> str:
        if value.split(".")[0] != FORMAT_VERSION.split(".")[0]:
            raise ValueError(
                f"unsupported format version {value!r}; this smartwms reads {FORMAT_VERSION}"
            )
        return value

    @model_validator(mode="after")
    def _check_references(self) -> Instance:
        problems = list(_reference_problems(self))
        if problems:
            raise InstanceValidationError(problems)
        return self

    # ------------------------------------------------------------------ look-ups
    @cached_property
    def location_index(self) -> dict[str, Location]:
        """Locations by id."""
        return {loc.id: loc for loc in self.locations}

    @cached_property
    def sku_index(self) -> dict[str, Sku]:
        """SKUs by id."""
        return {sku.id: sku for sku in self.skus}

    @cached_property
    def station_index(self) -> dict[str, Station]:
        """Stations by id."""
        return {st.id: st for st in self.stations}

    @cached_property
    def _locations_by_sku(self) -> dict[str, list[str]]:
        by_sku: dict[str, list[str]] = defaultdict(list)
        for rec in self.stock:
            if rec.location not in by_sku[rec.sku]:
                by_sku[rec.sku].append(rec.location)
        return dict(by_sku)

    def locations_of(self, sku: str) -> list[str]:
        """Ids of the locations that hold ``sku`` (several under scattered storage)."""
        return list(self._locations_by_sku.get(sku, []))

    @property
    def depots(self) -> list[Station]:
        """Stations where pick tours start and end (kind ``depot`` or ``io``)."""
        return [st for st in self.stations if st.kind in ("depot", "io")]

    @property
    def depot(self) -> Station:
        """The first depot; raises if the instance has none."""
        depots = self.depots
        if not depots:
            raise InstanceValidationError([("stations", "no station of kind 'depot' or 'io'")])
        return depots[0]

    def summary(self) -> dict[str, object]:
        """A small dictionary describing the instance (used by ``smartwms info``)."""
        layout = self.layout
        out: dict[str, object] = {"name": self.name, "layout": layout.kind}
        if isinstance(layout, ParallelAisleLayout):
            out.update(
                aisles=layout.n_aisles,
                blocks=layout.n_blocks,
                cells_per_aisle=layout.cells_per_aisle,
                levels=layout.levels,
            )
        elif isinstance(layout, GraphLayout):
            out.update(nodes=len(layout.nodes), arcs=len(layout.arcs))
        else:
            out.update(height=layout.height, width=layout.width)
        out.update(
            locations=len(self.locations),
            skus=len(self.skus),
            stock_records=len(self.stock),
            orders=len(self.orders),
            order_lines=sum(len(o.lines) for o in self.orders),
            pickers=sum(p.count for p in self.fleet.pickers),
            agvs=sum(a.count for a in self.fleet.agvs),
            stations=len(self.stations),
        )
        return out


# ---------------------------------------------------------------------- checks
def _duplicates(kind: str, ids: list[str]) -> Iterator[tuple[str, str]]:
    seen: set[str] = set()
    for i, ident in enumerate(ids):
        if ident in seen:
            yield f"{kind}[{i}].id", f"duplicate id {ident!r}"
        seen.add(ident)


def _location_problems(inst: Instance) -> Iterator[tuple[str, str]]:
    layout = inst.layout
    for i, loc in enumerate(inst.locations):
        field = f"locations[{i}]"
        if isinstance(layout, ParallelAisleLayout):
            if loc.aisle is None or loc.cell is None:
                yield field, "a parallel-aisle location needs 'aisle' and 'cell'"
                continue
            if loc.aisle >= layout.n_aisles:
                yield f"{field}.aisle", f"aisle {loc.aisle} outside 0..{layout.n_aisles - 1}"
            if loc.cell >= layout.cells_per_aisle:
                yield f"{field}.cell", f"cell {loc.cell} outside 0..{layout.cells_per_aisle - 1}"
            if loc.level >= layout.levels:
                yield f"{field}.level", f"level {loc.level} outside 0..{layout.levels - 1}"
        elif isinstance(layout, GraphLayout):
            if loc.node is None:
                yield field, "a graph-layout location needs 'node'"
            elif loc.node not in _node_ids(layout):
                yield f"{field}.node", f"unknown node {loc.node!r}"
        elif loc.cell is None or not layout.is_free(loc.cell):
            yield f"{field}.cell", f"cell {loc.cell} is not a free cell of the {_grid_size(layout)}"


def _station_problems(inst: Instance) -> Iterator[tuple[str, str]]:
    layout = inst.layout
    for i, st in enumerate(inst.stations):
        field = f"stations[{i}]"
        if isinstance(layout, ParallelAisleLayout):
            if st.cross_aisle is None or st.cross_aisle > layout.n_blocks:
                yield (
                    f"{field}.cross_aisle",
                    (
                        f"station {st.id!r} must sit on a cross aisle 0..{layout.n_blocks}"
                        f" (got {st.cross_aisle}): it is off the aisle network"
                    ),
                )
            if (st.aisle is None) == (st.x is None):
                yield field, f"station {st.id!r} needs exactly one of 'aisle' or 'x'"
            elif st.aisle is not None and st.aisle >= layout.n_aisles:
                yield (
                    f"{field}.aisle",
                    (f"aisle {st.aisle} outside 0..{layout.n_aisles - 1}: off the aisle network"),
                )
            elif st.x is not None and not layout.x_range[0] <= st.x <= layout.x_range[1]:
                lo, hi = layout.x_range
                yield (
                    f"{field}.x",
                    (f"x={st.x} is outside the cross aisles ({lo}..{hi}): off the aisle network"),
                )
        elif isinstance(layout, GraphLayout):
            if st.node is None or st.node not in _node_ids(layout):
                yield f"{field}.node", f"station {st.id!r} is not on a node of the graph"
        elif st.cell is None or not layout.is_free(st.cell):
            yield f"{field}.cell", f"cell {st.cell} is not a free cell of the {_grid_size(layout)}"


def _stock_problems(inst: Instance) -> Iterator[tuple[str, str]]:
    locations = inst.location_index
    skus = inst.sku_index
    volume: dict[str, float] = defaultdict(float)
    weight: dict[str, float] = defaultdict(float)
    holders: dict[str, set[str]] = defaultdict(set)
    for i, rec in enumerate(inst.stock):
        if rec.sku not in skus:
            yield f"stock[{i}].sku", f"unknown SKU {rec.sku!r}"
            continue
        if rec.location not in locations:
            yield (
                f"stock[{i}].location",
                f"SKU {rec.sku!r} is in a missing location {rec.location!r}",
            )
            continue
        sku = skus[rec.sku]
        volume[rec.location] += rec.quantity * sku.unit_volume
        weight[rec.location] += rec.quantity * sku.unit_weight
        holders[rec.location].add(rec.sku)
    for loc_id, loc in locations.items():
        if loc.volume_capacity is not None and volume[loc_id] > loc.volume_capacity * (
            1 + _CAPACITY_TOLERANCE
        ):
            yield (
                f"locations[{loc_id}]",
                (
                    f"over capacity: stock volume {volume[loc_id]:g} > volume_capacity "
                    f"{loc.volume_capacity:g}"
                ),
            )
        if loc.weight_capacity is not None and weight[loc_id] > loc.weight_capacity * (
            1 + _CAPACITY_TOLERANCE
        ):
            yield (
                f"locations[{loc_id}]",
                (
                    f"over capacity: stock weight {weight[loc_id]:g} > weight_capacity "
                    f"{loc.weight_capacity:g}"
                ),
            )
        if not inst.shared_locations and len(holders[loc_id]) > 1:
            yield (
                f"locations[{loc_id}]",
                (f"holds several SKUs {sorted(holders[loc_id])} but shared_locations is false"),
            )


def _order_problems(inst: Instance) -> Iterator[tuple[str, str]]:
    skus = inst.sku_index
    for i, order in enumerate(inst.orders):
        for j, line in enumerate(order.lines):
            if line.sku not in skus:
                yield f"orders[{i}].lines[{j}].sku", f"unknown SKU {line.sku!r}"
        if order.due_time is not None and order.due_time < order.release_time:
            yield f"orders[{i}].due_time", "due before release"


def _reference_problems(inst: Instance) -> Iterator[tuple[str, str]]:
    yield from _duplicates("locations", [x.id for x in inst.locations])
    yield from _duplicates("skus", [x.id for x in inst.skus])
    yield from _duplicates("orders", [x.id for x in inst.orders])
    yield from _duplicates("stations", [x.id for x in inst.stations])
    yield from _location_problems(inst)
    yield from _station_problems(inst)
    yield from _stock_problems(inst)
    yield from _order_problems(inst)


def _node_ids(layout: GraphLayout) -> set[str]:
    return {n.id for n in layout.nodes}


def _grid_size(layout: GridLayout) -> str:
    return f"{layout.height}x{layout.width} map"
