"""Offline dispatch: a known set of transport orders routed over an AGV fleet (OR-Tools PDP).

Each order is a pickup cell and a delivery cell with a load, an earliest pickup time and a
latest delivery time. :func:`solve_dispatch` builds a pickup-and-delivery routing model (same
vehicle picks up and delivers, pickup before delivery, a load dimension with the AGV capacity
so an AGV may carry several orders at once, a time dimension with the windows; routes are open:
an AGV stays wherever it finishes) and returns a :class:`DispatchResult`. Travel is counted in
grid moves (one move per step) from :func:`smartwms.layout.grid_distances`; an order that no
AGV can serve within its window is left out at a large penalty and listed in ``unserved``.

All OR-Tools index handling stays in the private ``_RoutingAdapter``.
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray
from ortools.constraint_solver import pywrapcp, routing_enums_pb2

from smartwms.errors import InstanceValidationError
from smartwms.layout import grid_distances
from smartwms.model import GridLayout, SolveStatus
from smartwms.stopping import Stop

__all__ = ["DispatchResult", "DispatchStop", "TransportOrder", "solve_dispatch"]

_HORIZON = 10**6
_UNREACHABLE_COST = 10**7


@dataclass(frozen=True)
class TransportOrder:
    """Carry ``load`` from ``pickup`` to ``delivery`` (cells), picked up no earlier than
    ``ready`` and delivered no later than ``due`` (steps; ``None``: no deadline)."""

    id: str
    pickup: int
    delivery: int
    load: int = 1
    ready: int = 0
    due: int | None = None
    service: int = 0  # steps spent at the pickup and at the delivery


@dataclass(frozen=True)
class DispatchStop:
    """A visit of an AGV route: ``kind`` is ``pickup`` or ``delivery``."""

    order: str
    kind: str
    cell: int
    arrival: int
    load_after: int


@dataclass
class DispatchResult:
    """Routes per AGV, objective (total moves), status, timings and KPIs."""

    routes: list[list[DispatchStop]]
    starts: list[int]
    objective: int
    status: SolveStatus
    seconds: float
    unserved: list[str] = field(default_factory=list)
    method: str = "ortools-pdp"

    @property
    def makespan(self) -> int:
        """Last delivery time over all AGVs."""
        return max((r[-1].arrival for r in self.routes if r), default=0)

    def summary(self) -> dict[str, Any]:
        """The KPIs: objective, served orders, makespan, status, seconds."""
        return {
            "method": self.method,
            "status": str(self.status),
            "objective": self.objective,
            "orders_served": sum(len(r) for r in self.routes) // 2,
            "orders_unserved": len(self.unserved),
            "agvs_used": sum(1 for r in self.routes if r),
            "makespan": self.makespan,
            "seconds": round(self.seconds, 3),
        }

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready content: summary plus the routes."""
        return {
            **self.summary(),
            "starts": self.starts,
            "unserved": self.unserved,
            "routes": [[asdict(s) for s in route] for route in self.routes],
        }

    def to_json(self) -> str:
        """The result as JSON text."""
        return json.dumps(self.to_dict())


def _validate(
    layout: GridLayout, starts: Sequence[int], orders: Sequence[TransportOrder], capacity: int
) -> None:
    problems = []
    if not starts:
        problems.append(("starts", "no AGV"))
    if capacity < 1:
        problems.append(("capacity", f"must be >= 1, got {capacity}"))
    for i, cell in enumerate(starts):
        if not layout.is_free(cell):
            problems.append((f"starts[{i}]", f"cell {cell} is not a free cell of the map"))
    ids = set()
    for i, o in enumerate(orders):
        if o.id in ids:
            problems.append((f"orders[{i}].id", f"duplicate id {o.id!r}"))
        ids.add(o.id)
        for kind in ("pickup", "delivery"):
            if not layout.is_free(getattr(o, kind)):
                problems.append((f"orders[{i}].{kind}", f"cell {getattr(o, kind)} is not free"))
        if o.load < 1 or o.load > capacity:
            problems.append((f"orders[{i}].load", f"must be 1..capacity {capacity}"))
        if o.ready < 0 or o.service < 0:
            problems.append((f"orders[{i}]", "ready and service must be >= 0"))
        if o.due is not None and o.due < o.ready:
            problems.append((f"orders[{i}].due", "due before ready"))
    if problems:
        raise InstanceValidationError(problems)


class _RoutingAdapter:
    """OR-Tools model: nodes 0..A-1 are AGV starts, then pickup/delivery pairs, then one
    open-route end node per AGV (free to reach from anywhere)."""

    def __init__(
        self,
        dist: NDArray[np.int64],
        n_agvs: int,
        orders: Sequence[TransportOrder],
        capacity: int,
    ) -> None:
        self.n_agvs = n_agvs
        self.orders = orders
        n_pd = 2 * len(orders)
        self.n_nodes = n_agvs + n_pd + n_agvs
        ends = list(range(n_agvs + n_pd, self.n_nodes))
        self.manager = pywrapcp.RoutingIndexManager(self.n_nodes, n_agvs, list(range(n_agvs)), ends)
        self.routing = pywrapcp.RoutingModel(self.manager)
        self.dist = dist
        self.service = [0] * n_agvs + [o.service for o in orders for _ in (0, 1)] + [0] * n_agvs
        self.demand = [0] * n_agvs + [d for o in orders for d in (o.load, -o.load)] + [0] * n_agvs
        self._build(capacity)

    def _arc(self, i: int, j: int) -> int:
        if j >= self.n_agvs + 2 * len(self.orders):  # the open-route end
            return 0
        return int(self.dist[i, j])

    def _build(self, capacity: int) -> None:
        routing, manager = self.routing, self.manager

        def travel(a: int, b: int) -> int:
            return self._arc(manager.IndexToNode(a), manager.IndexToNode(b))

        def transit(a: int, b: int) -> int:
            i = manager.IndexToNode(a)
            return self.service[i] + self._arc(i, manager.IndexToNode(b))

        travel_cb = routing.RegisterTransitCallback(travel)
        routing.SetArcCostEvaluatorOfAllVehicles(travel_cb)
        time_cb = routing.RegisterTransitCallback(transit)
        routing.AddDimension(time_cb, _HORIZON, _HORIZON, True, "time")
        self.time = routing.GetDimensionOrDie("time")
        load_cb = routing.RegisterUnaryTransitCallback(
            lambda a: self.demand[manager.IndexToNode(a)]
        )
        routing.AddDimensionWithVehicleCapacity(load_cb, 0, [capacity] * self.n_agvs, True, "load")
        self.load = routing.GetDimensionOrDie("load")
        solver = routing.solver()
        for k, order in enumerate(self.orders):
            p = manager.NodeToIndex(self.n_agvs + 2 * k)
            d = manager.NodeToIndex(self.n_agvs + 2 * k + 1)
            routing.AddPickupAndDelivery(p, d)
            solver.Add(routing.VehicleVar(p) == routing.VehicleVar(d))
            solver.Add(self.time.CumulVar(p) <= self.time.CumulVar(d))
            self.time.CumulVar(p).SetMin(order.ready)
            if order.due is not None:
                self.time.CumulVar(d).SetMax(order.due)
            routing.AddDisjunction([p, d], _UNREACHABLE_COST, 2)
        for v in range(self.n_agvs):
            routing.AddVariableMinimizedByFinalizer(self.time.CumulVar(routing.End(v)))

    def solve(
        self, time_limit: float | None, stop: Stop | None, guided: bool
    ) -> pywrapcp.Assignment | None:
        params = pywrapcp.DefaultRoutingSearchParameters()
        params.first_solution_strategy = (
            routing_enums_pb2.FirstSolutionStrategy.PARALLEL_CHEAPEST_INSERTION
        )
        if guided:
            params.local_search_metaheuristic = (
                routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
            )
        if time_limit is not None:
            params.time_limit.FromMilliseconds(int(time_limit * 1000))
        if stop is not None:
            routing = self.routing
            routing.AddAtSolutionCallback(lambda: routing.CancelSearch() if stop() else None)
        return self.routing.SolveWithParameters(params)

    def routes(self, solution: pywrapcp.Assignment) -> list[list[DispatchStop]]:
        """Each AGV's visits with the earliest feasible times (waiting only for ``ready``)."""
        routing, manager = self.routing, self.manager
        out = []
        for v in range(self.n_agvs):
            stops = []
            prev, clock, load = v, 0, 0
            index = solution.Value(routing.NextVar(routing.Start(v)))
            while not routing.IsEnd(index):
                node = manager.IndexToNode(index)
                k, is_delivery = divmod(node - self.n_agvs, 2)
                order = self.orders[k]
                clock += self.service[prev] + self._arc(prev, node)
                if not is_delivery:
                    clock = max(clock, order.ready)
                load += self.demand[node]
                stops.append(
                    DispatchStop(
                        order=order.id,
                        kind="delivery" if is_delivery else "pickup",
                        cell=order.delivery if is_delivery else order.pickup,
                        arrival=clock,
                        load_after=load,
                    )
                )
                prev = node
                index = solution.Value(routing.NextVar(index))
            out.append(stops)
        return out


def solve_dispatch(
    layout: GridLayout,
    starts: Sequence[int],
    orders: Sequence[TransportOrder],
    *,
    capacity: int = 1,
    method: str = "local",
    time_limit: float | None = 10.0,
    seed: int = 0,
    stop: Stop | None = None,
) -> DispatchResult:
    """Route AGVs (starting at ``starts``) through every order's pickup then delivery.

    Parameters
    ----------
    layout
        The grid map.
    starts
        Start cell of each AGV.
    orders
        The transport orders.
    capacity
        Loads an AGV carries at once.
    method
        ``local`` (cheapest insertion + local search to a local optimum: deterministic) or
        ``gls`` (guided local search until ``time_limit``/``stop``).
    time_limit
        Seconds for the search.
    seed
        Kept for the common solver signature; the OR-Tools search used here has no randomness.
    stop
        Cooperative stop; the best routes found so far are returned.

    Examples
    --------
    >>> lay = GridLayout(height=1, width=6, rows=["......"])
    >>> res = solve_dispatch(lay, [0], [TransportOrder("a", 1, 3), TransportOrder("b", 4, 5)])
    >>> res.objective, [(s.order, s.kind) for s in res.routes[0]]
    (5, [('a', 'pickup'), ('a', 'delivery'), ('b', 'pickup'), ('b', 'delivery')])
    """
    if method not in ("local", "gls"):
        raise InstanceValidationError([("method", f"expected local or gls, got {method!r}")])
    _validate(layout, starts, orders, capacity)
    began = time.perf_counter()
    cells = list(starts) + [c for o in orders for c in (o.pickup, o.delivery)]
    raw = grid_distances(layout, cells, cells)
    dist = np.where(np.isfinite(raw), raw, _UNREACHABLE_COST).astype(np.int64)
    adapter = _RoutingAdapter(dist, len(starts), orders, capacity)
    solution = adapter.solve(time_limit, stop, guided=method == "gls")
    seconds = time.perf_counter() - began
    if solution is None:
        routes: list[list[DispatchStop]] = [[] for _ in starts]
        status = SolveStatus.INFEASIBLE
    else:
        routes = adapter.routes(solution)
        if stop is not None and stop.cancelled:
            status = SolveStatus.CANCELLED
        elif method == "gls" and time_limit is not None and seconds >= time_limit * 0.98:
            status = SolveStatus.TIME_LIMIT
        else:
            status = SolveStatus.FEASIBLE
    served = {s.order for r in routes for s in r}
    position = {o.id: k for k, o in enumerate(orders)}
    objective = 0
    for v, route in enumerate(routes):
        prev = v
        for s in route:
            k = position[s.order]
            node = len(starts) + 2 * k + (1 if s.kind == "delivery" else 0)
            objective += int(dist[prev, node])
            prev = node
    return DispatchResult(
        routes=routes,
        starts=list(starts),
        objective=objective,
        status=status,
        seconds=seconds,
        unserved=[o.id for o in orders if o.id not in served],
        method=f"ortools-pdp-{method}",
    )
