"""The job kinds smartwms ships: one registration per public solver API.

Each payload model is the request schema the API publishes for that kind; each ``run`` function
calls the solver's public entry point with the job's :class:`~smartwms.stopping.Stop` and returns
JSON-ready data.
"""

from __future__ import annotations

import math
import time
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from smartwms.jobs.instances import InstancePayload, PayloadMismatch
from smartwms.jobs.kinds import JobKind, Progress, register_kind
from smartwms.model import GridLayout, Instance, Order
from smartwms.routing import METHODS
from smartwms.sim import Scenario
from smartwms.slotting import METHODS as SLOTTING_METHODS
from smartwms.slotting import SlottingParams
from smartwms.stopping import Stop

__all__ = [
    "DispatchOrder",
    "DispatchPayload",
    "DistanceMatrixPayload",
    "RoutingParams",
    "RoutingPayload",
    "SimulationPayload",
    "SlottingPayload",
    "run_dispatch",
    "run_distance_matrix",
    "run_routing",
    "run_simulation",
    "run_slotting",
]

# Rows per call of distance_matrix adapt so that one call takes about this much CPU time:
# a stop request or the time limit is honoured within it (on a busy machine a fixed block of
# 32 rows of a big grid map took 0.36 s of CPU, tens of seconds of wall time), and calls stay
# large enough to be vectorised on small maps.
_BLOCK_CPU_SECONDS = 0.05
_MAX_ROWS_PER_BLOCK = 256


class DistanceMatrixPayload(InstancePayload):
    """Walking (or driving) distances between points of one warehouse."""

    points: list[str] | None = Field(
        default=None,
        description="location or station ids of the rows; default: every station and location",
    )
    targets: list[str] | None = Field(
        default=None, description="ids of the columns; default: the same as points"
    )

    def check_against(self, instance: Instance) -> None:
        """Every point and target is a location or a station of ``instance``."""
        for field in ("points", "targets"):
            for i, ident in enumerate(getattr(self, field) or []):
                if ident not in instance.location_index and ident not in instance.station_index:
                    raise PayloadMismatch(
                        f"{field}[{i}]", f"{ident!r} is neither a location nor a station"
                    )


def _points(payload: DistanceMatrixPayload) -> tuple[list[str], list[str]]:
    inst = payload.resolved()
    points = payload.points
    if points is None:
        points = [st.id for st in inst.stations] + [loc.id for loc in inst.locations]
    targets = points if payload.targets is None else payload.targets
    return list(points), list(targets)


def _matrix_size(payload: DistanceMatrixPayload) -> int:
    points, targets = _points(payload)
    return len(points) * len(targets)


def run_distance_matrix(
    payload: DistanceMatrixPayload, stop: Stop, progress: Progress
) -> dict[str, Any]:
    """Compute the matrix in blocks of rows, stopping early (with the rows done) when asked.

    Unreachable pairs are ``null`` in the JSON (``inf`` in numpy).

    Examples
    --------
    >>> from smartwms.model import ParallelAisleLayout, Location, Station
    >>> lay = ParallelAisleLayout(n_aisles=2, aisle_spacing=3, cells_per_block=4, cell_length=1)
    >>> inst = Instance(layout=lay, locations=[Location(id="L", aisle=1, cell=0)],
    ...                 stations=[Station(id="D", aisle=0, cross_aisle=1)])
    >>> out = run_distance_matrix(DistanceMatrixPayload(instance=inst), Stop(), lambda **k: None)
    >>> out["matrix"], out["complete"]
    ([[0.0, 7.0], [7.0, 0.0]], True)
    """
    from smartwms.layout import distance_matrix

    points, targets = _points(payload)
    instance = payload.resolved()
    rows: list[list[float | None]] = []
    size = 1
    while len(rows) < len(points) and not stop():
        started = time.thread_time()
        block = distance_matrix(instance, points[len(rows) : len(rows) + size], targets)
        rows.extend([None if math.isinf(v) else float(v) for v in row] for row in block.tolist())
        progress(fraction=len(rows) / max(1, len(points)), message=f"{len(rows)} rows computed")
        spent = time.thread_time() - started
        grow = 2.0 if spent <= 0 else _BLOCK_CPU_SECONDS / spent
        size = max(1, min(_MAX_ROWS_PER_BLOCK, int(size * min(2.0, grow))))
    complete = len(rows) == len(points)
    return {
        "points": points[: len(rows)],
        "targets": targets,
        "matrix": rows,
        "complete": complete,
        "status": "complete" if complete else ("cancelled" if stop.cancelled else "time_limit"),
    }


register_kind(
    JobKind(
        name="distance-matrix",
        payload_model=DistanceMatrixPayload,
        run=run_distance_matrix,
        summary="Shortest walking/driving distances between locations and stations.",
        size=_matrix_size,
        sync_limit=250_000,
    )
)


# ---------------------------------------------------------------------- routing
class RoutingParams(BaseModel):
    """Options of :func:`smartwms.routing.solve_routing` (unset: the solver's defaults)."""

    model_config = ConfigDict(extra="forbid")

    time_limit: float | None = Field(
        default=None, gt=0, description="seconds of OR-Tools search per tour (default 1)"
    )
    solution_limit: int | None = Field(
        default=None, ge=1, description="OR-Tools: stop after this many solutions"
    )
    start: str | None = Field(default=None, description="depot station id where tours start")
    end: str | None = Field(default=None, description="depot station id where tours end")


class RoutingPayload(InstancePayload):
    """Pick tours through a warehouse: one tour per order, or per batch of orders."""

    pick_orders: list[Order] | None = Field(
        default=None,
        description="orders given with this job, added to the instance's orders (e.g. the "
        "orders of the hour against a stored warehouse); when given and 'orders' is absent, "
        "exactly these are routed, each on its own tour",
    )
    orders: list[str | list[str]] | None = Field(
        default=None,
        description="one entry per tour: an order id or a list of order ids picked together; "
        "default: every order of the instance on its own tour",
    )
    method: str = Field(
        default="optimal",
        description="routing method",
        json_schema_extra={"enum": list(METHODS)},
    )
    params: RoutingParams = Field(default_factory=RoutingParams)
    seed: int = Field(default=0, ge=0)

    @model_validator(mode="after")
    def _known_method(self) -> RoutingPayload:
        if self.method not in METHODS:
            raise ValueError(f"method: unknown method {self.method!r}; use one of {METHODS}")
        return self

    def check_against(self, instance: Instance) -> None:
        """Added orders are new and pick known SKUs; every routed order exists."""
        known = {order.id for order in instance.orders}
        for i, order in enumerate(self.pick_orders or []):
            if order.id in known:
                raise PayloadMismatch(f"pick_orders[{i}].id", f"duplicate order id {order.id!r}")
            known.add(order.id)
            for j, line in enumerate(order.lines):
                if line.sku not in instance.sku_index:
                    raise PayloadMismatch(
                        f"pick_orders[{i}].lines[{j}].sku", f"unknown SKU {line.sku!r}"
                    )
            if order.due_time is not None and order.due_time < order.release_time:
                raise PayloadMismatch(f"pick_orders[{i}].due_time", "due before release")
        for i, entry in enumerate(self.orders or []):
            for ident in [entry] if isinstance(entry, str) else entry:
                if ident not in known:
                    raise PayloadMismatch(f"orders[{i}]", f"unknown order {ident!r}")
        if not known:
            raise PayloadMismatch("instance.orders", "no order to route")

    def routed_instance(self) -> Instance:
        """The instance with the added orders (the resolved one when there are none)."""
        instance = self.resolved()
        if not self.pick_orders:
            return instance
        # Checked by check_against: the added orders are new and pick known SKUs. Every cached
        # index of the instance is about locations, SKUs and stock, which stay the same.
        return instance.model_copy(update={"orders": [*instance.orders, *self.pick_orders]})

    def tours(self) -> list[str | list[str]] | None:
        """The tours to route (``None``: every order of the instance)."""
        if self.orders is None and self.pick_orders:
            return [order.id for order in self.pick_orders]
        return self.orders


def _routing_size(payload: RoutingPayload) -> int:
    """Order lines routed (the synchronous endpoint's cap counts these)."""
    instance = payload.routed_instance()
    lines = {order.id: len(order.lines) for order in instance.orders}
    tours = payload.tours()
    if tours is None:
        return sum(lines.values())
    return sum(
        lines[ident] for entry in tours for ident in ([entry] if isinstance(entry, str) else entry)
    )


def run_routing(payload: RoutingPayload, stop: Stop, progress: Progress) -> dict[str, Any]:
    """Solve with :func:`smartwms.routing.solve_routing`; the result is its JSON form."""
    from smartwms.routing import solve_routing

    def tours_done(done: int, total: int) -> None:
        progress(fraction=done / max(1, total), message=f"{done} of {total} tours routed")

    result = solve_routing(
        payload.routed_instance(),
        payload.tours(),
        method=payload.method,
        params=payload.params.model_dump(exclude_none=True),
        seed=payload.seed,
        stop=stop,
        progress=tours_done,
    )
    return result.model_dump(mode="json")


register_kind(
    JobKind(
        name="routing",
        payload_model=RoutingPayload,
        run=run_routing,
        summary="Picker routing: shortest pick tours per order or batch (exact, heuristics, "
        "OR-Tools).",
        size=_routing_size,
        sync_limit=100,
    )
)


# ---------------------------------------------------------------------- slotting
class SlottingPayload(InstancePayload):
    """Storage location assignment: which SKU goes where, and the moves to get there."""

    method: str = Field(
        default="optimal",
        description="slotting method",
        json_schema_extra={"enum": list(SLOTTING_METHODS)},
    )
    params: SlottingParams = Field(default_factory=SlottingParams)
    seed: int = Field(default=0, ge=0)

    @model_validator(mode="after")
    def _known_method(self) -> SlottingPayload:
        if self.method not in SLOTTING_METHODS:
            raise ValueError(f"method: unknown method {self.method!r}; use {SLOTTING_METHODS}")
        return self


def run_slotting(payload: SlottingPayload, stop: Stop, progress: Progress) -> dict[str, Any]:
    """Solve with :func:`smartwms.slotting.solve_slotting`; the result is its JSON form."""
    from smartwms.slotting import solve_slotting

    result = solve_slotting(
        payload.resolved(), payload.method, payload.params, seed=payload.seed, stop=stop
    )
    return result.model_dump(mode="json")


register_kind(
    JobKind(
        name="slotting",
        payload_model=SlottingPayload,
        run=run_slotting,
        summary="Slotting: assign SKUs to storage locations and plan the moves.",
        size=lambda payload: len(payload.resolved().skus),
        sync_limit=200,
    )
)


# ---------------------------------------------------------------------- AGV dispatch
class DispatchOrder(BaseModel):
    """A transport order: carry ``load`` from the ``pickup`` cell to the ``delivery`` cell."""

    model_config = ConfigDict(extra="forbid")

    id: str
    pickup: int = Field(ge=0, description="cell row*width+col")
    delivery: int = Field(ge=0, description="cell row*width+col")
    load: int = Field(default=1, ge=1)
    ready: int = Field(default=0, ge=0, description="earliest pickup step")
    due: int | None = Field(default=None, ge=0, description="latest delivery step")
    service: int = Field(default=0, ge=0, description="steps at pickup and at delivery")


class DispatchPayload(BaseModel):
    """Offline AGV dispatch: routes through every order's pickup then delivery on a grid map."""

    model_config = ConfigDict(extra="forbid")

    layout: GridLayout
    starts: list[int] = Field(min_length=1, description="start cell of each AGV")
    orders: list[DispatchOrder] = Field(min_length=1)
    capacity: int = Field(default=1, ge=1, description="loads an AGV carries at once")
    method: str = Field(
        default="local",
        description="local (deterministic local optimum) or gls (guided local search)",
        json_schema_extra={"enum": ["local", "gls"]},
    )
    seed: int = Field(default=0, ge=0)

    @model_validator(mode="after")
    def _known_method(self) -> DispatchPayload:
        if self.method not in ("local", "gls"):
            raise ValueError(f"method: expected local or gls, got {self.method!r}")
        return self


def run_dispatch(payload: DispatchPayload, stop: Stop, progress: Progress) -> dict[str, Any]:
    """Solve with :func:`smartwms.agv.solve_dispatch`; the result is its JSON form."""
    from smartwms.agv import TransportOrder, solve_dispatch

    orders = [TransportOrder(**order.model_dump()) for order in payload.orders]
    result = solve_dispatch(
        payload.layout,
        payload.starts,
        orders,
        capacity=payload.capacity,
        method=payload.method,
        time_limit=stop.remaining(),
        seed=payload.seed,
        stop=stop,
    )
    return result.to_dict()


register_kind(
    JobKind(
        name="dispatch",
        payload_model=DispatchPayload,
        run=run_dispatch,
        summary="AGV dispatch: pickup-and-delivery routes for a fleet on a grid map.",
        size=lambda payload: len(payload.orders),
        sync_limit=30,
    )
)


# ---------------------------------------------------------------------- simulation
class SimulationPayload(BaseModel):
    """Replications of a SimPy warehouse scenario, every KPI with its 95 % confidence interval.

    Over the API a scenario is self-contained: its instance and slotting plan are given inline,
    never as file paths (the server does not read files on a client's behalf).
    """

    model_config = ConfigDict(extra="forbid")

    scenario: Scenario
    replications: int = Field(default=10, ge=1, le=100)
    seed: int = Field(default=0, ge=0)

    @model_validator(mode="after")
    def _inline_only(self) -> SimulationPayload:
        scenario = self.scenario
        if isinstance(scenario.instance, str):
            raise ValueError("scenario.instance: give the instance inline, not a file path")
        if isinstance(scenario.slotting.plan, str):
            raise ValueError("scenario.slotting.plan: give the assignment inline, not a path")
        if scenario.base_dir is not None:
            raise ValueError("scenario.base_dir: not accepted over the API")
        return self


def run_simulation(payload: SimulationPayload, stop: Stop, progress: Progress) -> dict[str, Any]:
    """Replicate with :func:`smartwms.sim.run_experiment` (one process; stops between runs)."""
    from smartwms.sim import run_experiment

    def replications_done(done: int, total: int) -> None:
        progress(fraction=done / max(1, total), message=f"{done} of {total} replications")

    experiment = run_experiment(
        payload.scenario,
        payload.replications,
        seed=payload.seed,
        workers=1,
        progress=replications_done,
        stop=stop,
    )
    return experiment.to_dict()


register_kind(
    JobKind(
        name="simulation",
        payload_model=SimulationPayload,
        run=run_simulation,
        summary="Simulation: replications of a SimPy warehouse scenario with 95 % CIs.",
    )
)
