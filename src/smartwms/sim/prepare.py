"""Turn a :class:`~smartwms.sim.scenario.Scenario` into the numbers the SimPy model consumes.

Everything that does not change between replications is computed once here: the order pool,
each order's pick locations under the scenario's slotting, its tour (routing method), and the
per-aisle legs of that tour. Replications then only draw arrival times, which pool order
arrives, and handling-time noise from their own random streams.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from smartwms.errors import InputFileError, SmartwmsError
from smartwms.io import load_instance
from smartwms.layout import distance_matrix
from smartwms.layout.gridmap import WarehouseGrid, parking_cells, warehouse_grid
from smartwms.model import GridLayout, Instance, Order, OrderLine, ParallelAisleLayout
from smartwms.sim.scenario import Scenario, ScenarioError
from smartwms.sim.travel import Tour, route_orders

__all__ = [
    "AgvGrid",
    "Leg",
    "OrderPlan",
    "Prepared",
    "load_plan_assignment",
    "prepare",
    "scenario_instance",
]


@dataclass(frozen=True)
class Leg:
    """Part of a tour: walk ``approach_m`` to an aisle, then stay in it for ``inside_m``.

    ``aisle`` is ``-1`` where aisles are not modelled (graph layouts, travel off); ``lines``
    is the number of order lines picked there (handling time is shared by lines).
    """

    aisle: int
    approach_m: float
    inside_m: float
    lines: int


@dataclass(frozen=True)
class OrderPlan:
    """One pool order as the model needs it."""

    id: str
    lines: int
    units: float
    handling_s: float
    travel_m: float
    legs: tuple[Leg, ...]
    return_m: float
    slots: tuple[int, ...]
    quantities: tuple[float, ...]
    agv_m: tuple[float, ...]
    agv_cells: tuple[int, ...] = ()


@dataclass(frozen=True)
class AgvGrid:
    """The goods-to-person fleet on the warehouse's grid map (``agv.fidelity = grid``).

    ``ports[s]`` is the cell of pick station ``s`` and ``queues[s]`` where the next AGV for it
    waits; ``starts`` the AGVs' start cells (the free cells nearest the depot); one move is
    ``cell_m`` long.
    """

    layout: GridLayout
    cell_m: float
    ports: tuple[int, ...]
    queues: tuple[int, ...]
    starts: tuple[int, ...]


@dataclass(frozen=True)
class Prepared:
    """A scenario ready to simulate: its policy and the pool of routed orders."""

    scenario: Scenario
    plans: tuple[OrderPlan, ...]
    replay_times: tuple[float, ...] | None
    replay_due: tuple[float | None, ...] | None
    n_aisles: int
    slot_ids: tuple[str, ...]
    slot_depot_m: tuple[float, ...]
    slot_aisle: tuple[int, ...]
    routing_used: str
    tours: tuple[Tour, ...] | None = None
    agv_grid: AgvGrid | None = None


# ---------------------------------------------------------------------- instance and slotting
def scenario_instance(scenario: Scenario) -> Instance | None:
    """The scenario's instance (read from its path, relative to the scenario file)."""
    if scenario.instance is None or isinstance(scenario.instance, Instance):
        return scenario.instance
    return load_instance(scenario.resolve(scenario.instance))


def load_plan_assignment(scenario: Scenario) -> dict[str, list[str]] | None:
    """The slotting plan's ``sku -> locations`` assignment, or ``None`` for current stock."""
    plan = scenario.slotting.plan
    if plan is None or isinstance(plan, dict):
        return plan
    path = scenario.resolve(plan)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputFileError(path, exc.strerror or str(exc)) from None
    except json.JSONDecodeError as exc:
        raise InputFileError(path, f"invalid JSON: {exc.msg}", line=exc.lineno) from None
    assignment = data.get("assignment") if isinstance(data, dict) else None
    if not isinstance(assignment, dict):
        raise InputFileError(path, "a slotting plan needs an 'assignment' object sku -> locations")
    return {str(k): [str(x) for x in v] for k, v in assignment.items()}


def _sku_slots(instance: Instance, assignment: dict[str, list[str]] | None) -> dict[str, str]:
    """The slot each SKU is picked from (the first of its locations)."""
    if assignment is None:
        return {sku.id: locs[0] for sku in instance.skus if (locs := instance.locations_of(sku.id))}
    known = instance.location_index
    out = {}
    for sku, locs in assignment.items():
        if sku not in instance.sku_index:
            raise ScenarioError(f"slotting.plan: unknown SKU {sku!r}")
        for loc in locs:
            if loc not in known:
                raise ScenarioError(f"slotting.plan: SKU {sku!r} in unknown location {loc!r}")
        if locs:
            out[sku] = locs[0]
    return out


# ---------------------------------------------------------------------- order pool
def _generated_pool(scenario: Scenario, skus: list[str], weights: np.ndarray) -> list[Order]:
    prof = scenario.orders
    rng = np.random.default_rng([prof.seed, 7])
    orders = []
    for i in range(prof.pool_size):
        n_lines = 1 + int(rng.poisson(prof.lines_mean - 1))
        if skus:
            n_lines = min(n_lines, len(skus))
            picked = rng.choice(len(skus), size=n_lines, replace=False, p=weights)
            names = [skus[int(k)] for k in picked]
        else:
            names = [f"line{j}" for j in range(n_lines)]
        lines = [
            OrderLine(sku=name, quantity=1 + int(rng.poisson(prof.units_mean - 1)))
            for name in names
        ]
        orders.append(Order(id=f"P{i:05d}", lines=lines))
    return orders


def _order_pool(
    scenario: Scenario, instance: Instance | None, slots: dict[str, str]
) -> list[Order]:
    if scenario.arrivals.process == "replay" or scenario.orders.source == "instance":
        assert instance is not None  # guaranteed by Scenario validation
        if not instance.orders:
            raise ScenarioError("orders.source: the instance has no orders to replay or sample")
        missing = sorted({ln.sku for o in instance.orders for ln in o.lines} - set(slots))
        if missing:
            raise ScenarioError(f"instance orders ask for SKUs with no location: {missing[:5]}")
        return list(instance.orders)
    if instance is None:
        return _generated_pool(scenario, [], np.ones(0))
    skus = sorted(slots)
    if not skus:
        raise ScenarioError("instance: no SKU has stock in a location, so no order can be picked")
    demand = np.array([instance.sku_index[s].demand for s in skus], dtype=float)
    weights = demand if demand.sum() > 0 else np.ones(len(skus))
    return _generated_pool(scenario, skus, weights / weights.sum())


def _routing_instance(instance: Instance, slots: dict[str, str], pool: list[Order]) -> Instance:
    """The instance with one slot per SKU (the simulated slotting) and the pool as its orders."""
    quantity: dict[str, float] = {}
    for rec in instance.stock:
        quantity[rec.sku] = quantity.get(rec.sku, 0.0) + rec.quantity
    data = instance.model_dump(exclude={"stock", "orders"})
    data["stock"] = [
        {"sku": sku, "location": loc, "quantity": quantity.get(sku, 1.0)}
        for sku, loc in sorted(slots.items())
    ]
    data["orders"] = [o.model_dump() for o in pool]
    data["shared_locations"] = True  # a plan may park two SKUs where one used to be
    return Instance.model_validate(data)


# ---------------------------------------------------------------------- tours -> legs
def _legs(
    tour: Tour,
    depot: str,
    index: dict[str, int],
    dist: np.ndarray,
    aisle_of: dict[str, int],
    lines_at: dict[str, int],
) -> tuple[tuple[Leg, ...], float]:
    """Split a tour into per-aisle legs and the walk back to the depot.

    Between consecutive stops a router may walk further than the shortest path (an S-shape
    tour crosses whole aisles), so every shortest-path leg is stretched by
    ``length / sum(shortest legs)``: the legs always add up to the tour's length.
    """
    points = [depot, *tour.stops, depot]
    raw = [float(dist[index[a], index[b]]) for a, b in itertools.pairwise(points)]
    total = sum(raw)
    scale = tour.length / total if total > 0 else 0.0
    legs: list[Leg] = []
    for k, stop in enumerate(tour.stops):
        aisle = aisle_of.get(stop, -1)
        walk = raw[k] * scale
        if legs and aisle >= 0 and legs[-1].aisle == aisle:
            last = legs[-1]
            legs[-1] = Leg(
                aisle, last.approach_m, last.inside_m + walk, last.lines + lines_at[stop]
            )
        else:
            legs.append(Leg(aisle, walk, 0.0, lines_at[stop]))
    return tuple(legs), raw[-1] * scale


def prepare(
    scenario: Scenario, *, seed: int = 0, progress: Callable[[int, int], None] | None = None
) -> Prepared:
    """Build the order pool and route it under the scenario's slotting and routing method.

    Parameters
    ----------
    scenario
        The scenario.
    seed
        Passed to the routing method (heuristics with randomness).
    progress
        Called as ``progress(done, total)`` while the pool is routed.
    """
    instance = scenario_instance(scenario)
    slots: dict[str, str] = {}
    if instance is not None:
        slots = _sku_slots(instance, load_plan_assignment(scenario))
    pool = _order_pool(scenario, instance, slots)
    pt = scenario.pick_time

    depot_id = ""
    index: dict[str, int] = {}
    dist = np.zeros((0, 0))
    aisle_of: dict[str, int] = {}
    n_aisles = 0
    needs_geometry = instance is not None and (
        scenario.travel.enabled or scenario.agv.enabled or scenario.replenishment.enabled
    )
    if needs_geometry:
        assert instance is not None
        depot_id = instance.depot.id
        used = sorted({slots[ln.sku] for o in pool for ln in o.lines})
        ids = [depot_id, *used]
        index = {ident: i for i, ident in enumerate(ids)}
        dist = distance_matrix(instance, ids)
        if isinstance(instance.layout, ParallelAisleLayout):
            n_aisles = instance.layout.n_aisles
            aisle_of = {
                loc: int(a) for loc in used if (a := instance.location_index[loc].aisle) is not None
            }

    tours: list[Tour] | None = None
    routing_used = "none (travel off)"
    if scenario.travel.enabled and not scenario.agv.enabled:
        assert instance is not None
        tours = route_orders(
            _routing_instance(instance, slots, pool),
            scenario.travel.routing,
            seed=seed,
            progress=progress,
        )
        routing_used = scenario.travel.routing
    elif scenario.agv.enabled and scenario.agv.fidelity == "grid":
        routing_used = f"agv (grid map, {scenario.agv.planner} online planner)"
    elif scenario.agv.enabled:
        routing_used = "agv (aisle-network distance x detour factor)"
    agv_grid: AgvGrid | None = None
    wgrid: WarehouseGrid | None = None
    if scenario.agv.enabled and scenario.agv.fidelity == "grid":
        assert instance is not None
        wgrid = _warehouse_grid(instance, scenario)
        agv_grid = AgvGrid(
            layout=wgrid.layout,
            cell_m=wgrid.cell_m,
            ports=wgrid.ports,
            queues=wgrid.queues,
            starts=_agv_starts(wgrid, scenario.agv.count),
        )

    slot_ids = sorted({slots[ln.sku] for o in pool for ln in o.lines}) if needs_geometry else []
    slot_index = {s: i for i, s in enumerate(slot_ids)}
    plans = []
    for k, order in enumerate(pool):
        n_lines = len(order.lines)
        units = float(sum(ln.quantity for ln in order.lines))
        handling = pt.mean_s + pt.per_line_s * n_lines + pt.per_unit_s * units
        locs = [slots[ln.sku] for ln in order.lines] if needs_geometry else []
        if tours is not None:
            lines_at = {s: locs.count(s) for s in tours[k].stops}
            legs, return_m = _legs(tours[k], depot_id, index, dist, aisle_of, lines_at)
            travel_m = tours[k].length
        else:
            legs, return_m, travel_m = (Leg(-1, 0.0, 0.0, n_lines),), 0.0, 0.0
        agv_m = (
            tuple(
                float(dist[index[depot_id], index[loc]]) * scenario.agv.detour_factor
                for loc in locs
            )
            if scenario.agv.enabled
            else ()
        )
        if scenario.agv.enabled:
            travel_m = 3 * sum(agv_m)
        plans.append(
            OrderPlan(
                id=order.id,
                lines=n_lines,
                units=units,
                handling_s=handling,
                travel_m=travel_m,
                legs=legs,
                return_m=return_m,
                slots=tuple(slot_index[s] for s in locs) if scenario.replenishment.enabled else (),
                quantities=tuple(float(ln.quantity) for ln in order.lines),
                agv_m=agv_m,
                agv_cells=tuple(wgrid.access[loc] for loc in locs) if wgrid is not None else (),
            )
        )

    replay_times = replay_due = None
    if scenario.arrivals.process == "replay":
        replay_times = tuple(o.release_time for o in pool)
        replay_due = tuple(o.due_time for o in pool)
    slot_depot = tuple(float(dist[index[depot_id], index[s]]) for s in slot_ids)
    slot_aisle = tuple(aisle_of.get(s, -1) for s in slot_ids)
    if not plans:
        raise SmartwmsError("the scenario has no orders")
    return Prepared(
        scenario=scenario,
        plans=tuple(plans),
        replay_times=replay_times,
        replay_due=replay_due,
        n_aisles=n_aisles,
        slot_ids=tuple(slot_ids),
        slot_depot_m=slot_depot,
        slot_aisle=slot_aisle,
        routing_used=routing_used,
        tours=tuple(tours) if tours is not None else None,
        agv_grid=agv_grid,
    )


def _warehouse_grid(instance: Instance, scenario: Scenario) -> WarehouseGrid:
    try:
        return warehouse_grid(instance, ports=scenario.agv.stations)
    except SmartwmsError as exc:
        raise ScenarioError(f"agv.fidelity=grid: {exc}") from None


def _agv_starts(wgrid: WarehouseGrid, count: int) -> tuple[int, ...]:
    try:
        return parking_cells(wgrid, count)
    except SmartwmsError as exc:
        raise ScenarioError(f"agv.count: {exc}") from None
