"""``solve_routing``: the one entry point of picker routing, and its :class:`RoutingResult`."""

from __future__ import annotations

import gc
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np
from pydantic import Field

from smartwms.errors import InstanceValidationError, SmartwmsError
from smartwms.model import Instance, ParallelAisleLayout, PickRoute, SolveStatus
from smartwms.model.base import Frozen
from smartwms.routing.bulk import BulkRouter
from smartwms.routing.exact import MAX_EXACT_BLOCKS, optimal_tour, optimal_tour_scattered
from smartwms.routing.heuristics import HEURISTICS, heuristic_order, tour_length
from smartwms.routing.ortools_tsp import solve_tsp
from smartwms.routing.problem import (
    RoutingProblem,
    StockIndex,
    build_problem,
    station_id,
    tours_of,
)
from smartwms.routing.small import HELD_KARP_MAX_STOPS, held_karp
from smartwms.stopping import Stop

__all__ = ["METHODS", "RoutingResult", "greedy_selection", "solve_problem", "solve_routing"]

#: Every routing method: ``optimal``, the classic heuristics and ``ortools``.
METHODS = ("optimal", *HEURISTICS, "ortools")

_DEFAULT_PARAMS: dict[str, Any] = {
    "time_limit": 1.0,  # seconds of OR-Tools search per tour
    "solution_limit": None,  # OR-Tools: stop after this many solutions (deterministic budget)
    "start": None,  # depot station id (default: the instance's first depot)
    "end": None,  # depot the tour ends at (default: the start)
}
# Heuristics tried for the OR-Tools warm start (the cheap ones; combined-opt costs more).
_WARM_START = ("sshape", "return", "midpoint", "largest-gap", "combined", "combined-plus")
_UNIT_TOLERANCE = 1e-9
# Most tours routed by one call of the compiled DP (the stop is checked between calls).
_MAX_BATCH = 256

Picks = dict[str, dict[str, float]]  # location -> {sku: units}


class RoutingResult(Frozen):
    """Outcome of :func:`solve_routing`: one route per tour, status, objective and timings."""

    method: str
    status: SolveStatus
    objective: float = Field(description="total length of all routes")
    routes: list[PickRoute]
    seconds: float = Field(ge=0, description="wall-clock seconds of the whole solve")
    seed: int = 0
    kpis: dict[str, float] = Field(default_factory=dict)

    def summary(self) -> str:
        """A few human-readable lines about the solve."""
        lines = [
            f"routing ({self.method}): {self.status.value}",
            f"  routes: {len(self.routes)}, total length {self.objective:g}",
            f"  seconds: {self.seconds:.3f}",
        ]
        lines += [f"  {key}: {value:g}" for key, value in self.kpis.items()]
        return "\n".join(lines)


@dataclass
class _Tour:
    """A solved tour in problem terms: location ids in order and what each stop takes."""

    locations: list[str]
    picks: Picks
    length: float
    status: SolveStatus


# ---------------------------------------------------------------------- parameters
def _params(params: dict[str, Any] | None) -> dict[str, Any]:
    merged = dict(_DEFAULT_PARAMS)
    for key, value in (params or {}).items():
        if key not in _DEFAULT_PARAMS:
            raise InstanceValidationError(
                [(f"params.{key}", f"unknown parameter; known: {', '.join(_DEFAULT_PARAMS)}")]
            )
        merged[key] = value
    limit = merged["time_limit"]
    if not isinstance(limit, int | float) or limit <= 0:
        raise InstanceValidationError([("params.time_limit", f"must be > 0 seconds, got {limit}")])
    return merged


# ---------------------------------------------------------------------- location choice
def greedy_selection(problem: RoutingProblem) -> Picks:
    """Choose where to take each SKU when it sits in several locations (the WMS "before").

    SKUs are served in the order of the lines; each takes units from the candidate nearest to
    a stop already chosen (the depot first), so that nearby picks are grouped.
    """
    dist = problem.distances
    chosen_rows = [problem.start_index]
    picks: Picks = {}
    for sku, units in problem.demand:
        remaining = units
        cands = sorted(problem.candidates_by_sku[sku], key=lambda c: (-c.available, c.location))
        used: set[str] = set()
        while remaining > _UNIT_TOLERANCE:
            options = [c for c in cands if c.location not in used]
            rows = [problem.index_of[c.location] for c in options]
            near = dist[np.ix_(rows, chosen_rows)].min(axis=1)
            best = options[int(np.argmin(near))]
            # A SKU's only home serves it in full (see build_problem).
            take = remaining if len(cands) == 1 else min(best.available, remaining)
            picks.setdefault(best.location, {})[sku] = take
            remaining -= take
            used.add(best.location)
            chosen_rows.append(problem.index_of[best.location])
    return picks


# ---------------------------------------------------------------------- fixed locations
def _length_fn(problem: RoutingProblem, rows: list[int]) -> Any:
    dist = problem.distances
    start, end = problem.start_index, problem.end_index

    def length_of(order: list[int]) -> float:
        return tour_length(dist, start, end, [rows[i] for i in order])

    return length_of


def _aisle_positions(problem: RoutingProblem, locs: list[str]) -> tuple[list[int], list[int]]:
    aisles, cells = [], []
    for loc_id in locs:
        loc = problem.location(loc_id)
        assert loc.aisle is not None and loc.cell is not None
        aisles.append(loc.aisle)
        cells.append(loc.cell)
    return aisles, cells


def _heuristic(problem: RoutingProblem, method: str, locs: list[str]) -> list[int]:
    layout = problem.instance.layout
    if not isinstance(layout, ParallelAisleLayout):
        raise SmartwmsError(
            f"method {method!r} needs a parallel-aisle layout; use 'ortools' or 'optimal' for "
            f"{layout.kind} layouts"
        )
    rows = [problem.index_of[loc] for loc in locs]
    aisles, cells = _aisle_positions(problem, locs)
    return heuristic_order(
        method,
        layout,
        problem.start_station,
        aisles,
        cells,
        problem.distances,
        problem.start_index,
        problem.end_index,
        rows,
    )


def _nearest_neighbour(problem: RoutingProblem, rows: list[int]) -> list[int]:
    dist = problem.distances
    left = list(range(len(rows)))
    here = problem.start_index
    order: list[int] = []
    while left:
        nxt = min(left, key=lambda i: (dist[here, rows[i]], i))
        order.append(nxt)
        left.remove(nxt)
        here = rows[nxt]
    return order


def _warm_start(problem: RoutingProblem, locs: list[str]) -> list[int]:
    rows = [problem.index_of[loc] for loc in locs]
    length_of = _length_fn(problem, rows)
    if problem.parallel_aisle:
        tries = [_heuristic(problem, m, locs) for m in _WARM_START]
    else:
        tries = [_nearest_neighbour(problem, rows)]
    return min(tries, key=length_of)


def _aisle_dp_applies(problem: RoutingProblem) -> bool:
    """Whether the exact aisle DP covers the tour: few blocks, one depot at an aisle."""
    layout = problem.instance.layout
    return (
        isinstance(layout, ParallelAisleLayout)
        and layout.n_blocks <= MAX_EXACT_BLOCKS
        and problem.start == problem.end
        and problem.start_station.aisle is not None
    )


def _optimal_order(
    problem: RoutingProblem, locs: list[str], rows: list[int]
) -> tuple[list[int], float] | None:
    """A proven shortest visiting order and its length, or ``None`` when no exact method
    covers the tour. The aisle DP needs no distance matrix (it is not even computed)."""
    if _aisle_dp_applies(problem):
        layout = problem.instance.layout
        assert isinstance(layout, ParallelAisleLayout)
        aisles, cells = _aisle_positions(problem, locs)
        length, order = optimal_tour(layout, problem.start_station, aisles, cells)
        return order, length
    if len(locs) <= HELD_KARP_MAX_STOPS:
        length, node_order = held_karp(
            problem.distances, problem.start_index, problem.end_index, rows
        )
        position = {row: i for i, row in enumerate(rows)}
        return [position[r] for r in node_order], length
    return None


def _route_fixed(
    problem: RoutingProblem, method: str, picks: Picks, params: dict[str, Any], stop: Stop | None
) -> _Tour:
    locs = list(picks)
    rows = [problem.index_of[loc] for loc in locs]
    exact = _optimal_order(problem, locs, rows) if method == "optimal" else None
    if exact is not None:
        order, length = exact
        return _Tour([locs[i] for i in order], picks, length, SolveStatus.OPTIMAL)
    status = SolveStatus.FEASIBLE
    if method in HEURISTICS:
        order = _heuristic(problem, method, locs)
    else:
        initial = _warm_start(problem, locs)
        # Only the chosen locations (not every candidate) are nodes of the OR-Tools model.
        first = problem.first_location_index
        sub = [*range(first), *rows]
        outcome = solve_tsp(
            problem.distances[np.ix_(sub, sub)],
            problem.start_index,
            problem.end_index,
            [first + i for i in initial],
            time_limit=params["time_limit"],
            stop=stop,
            solution_limit=params["solution_limit"],
        )
        order = [node - first for node in outcome.order]
        status = _search_status(outcome.cancelled, stop)
    ordered = [locs[i] for i in order]
    return _Tour(ordered, picks, _length_fn(problem, rows)(order), status)


# ---------------------------------------------------------------------- scattered storage
def _route_disjunctions(
    problem: RoutingProblem, params: dict[str, Any], stop: Stop | None
) -> _Tour:
    """OR-Tools with one node per (location, SKU) that holds the SKU's whole demand."""
    demand = dict(problem.demand)
    by_sku = problem.candidates_by_sku
    nodes: list[tuple[str, str]] = [
        (c.location, c.sku)
        for c in problem.candidates
        if c.available + _UNIT_TOLERANCE >= demand[c.sku] or len(by_sku[c.sku]) == 1
    ]
    depots = list(range(problem.first_location_index))
    rows = depots + [problem.index_of[loc] for loc, _ in nodes]
    dist = problem.distances[np.ix_(rows, rows)]
    first = len(depots)
    groups = [
        [first + k for k, (_, sku) in enumerate(nodes) if sku == want] for want, _ in problem.demand
    ]
    greedy = greedy_selection(problem)
    warm_locs = _warm_start(problem, list(greedy))
    node_of = {node: first + k for k, node in enumerate(nodes)}
    initial: list[int] = []
    for i in warm_locs:
        loc = list(greedy)[i]
        initial += [node_of[(loc, sku)] for sku in greedy[loc] if (loc, sku) in node_of]
    # The greedy choice may split a SKU; fall back to any full candidate for those.
    covered = {nodes[k - first][1] for k in initial}
    initial += [
        g[0] for g, (sku, _) in zip(groups, problem.demand, strict=True) if sku not in covered
    ]
    outcome = solve_tsp(
        dist,
        problem.start_index,
        problem.end_index,
        initial,
        groups=groups,
        time_limit=params["time_limit"],
        stop=stop,
        solution_limit=params["solution_limit"],
    )
    picks: Picks = {}
    for k in outcome.order:
        loc, sku = nodes[k - first]
        picks.setdefault(loc, {})[sku] = demand[sku]
    locs = list(picks)
    tour_rows = [problem.index_of[loc] for loc in locs]
    length = tour_length(problem.distances, problem.start_index, problem.end_index, tour_rows)
    return _Tour(locs, picks, length, _search_status(outcome.cancelled, stop))


def _route_scattered_exact(
    problem: RoutingProblem, params: dict[str, Any], stop: Stop | None
) -> _Tour:
    """Exact branch and bound of the aisle DP over which locations to visit (SPRP-SS).

    It runs under ``params["time_limit"]`` (and the caller's stop); unfinished, it returns its
    best tour with status ``time_limit`` (or ``cancelled``).
    """
    layout = problem.instance.layout
    assert isinstance(layout, ParallelAisleLayout)
    cands = problem.candidates
    aisles, cells = _aisle_positions(problem, [c.location for c in cands])
    demand = dict(problem.demand)
    by_sku = problem.candidates_by_sku
    # A SKU's only home serves it in full (see build_problem).
    available = [
        max(c.available, demand[c.sku]) if len(by_sku[c.sku]) == 1 else c.available for c in cands
    ]
    budget = Stop(
        time_limit=params["time_limit"],
        external=(lambda: stop.cancelled) if stop is not None else None,
    )
    length, taken, proven = optimal_tour_scattered(
        layout,
        problem.start_station,
        aisles,
        cells,
        [c.sku for c in cands],
        available,
        demand,
        stop=budget,
    )
    picks: Picks = {}
    for k, units in taken:
        cand = cands[k]
        here = picks.setdefault(cand.location, {})
        here[cand.sku] = here.get(cand.sku, 0.0) + units
    if proven:
        status = SolveStatus.OPTIMAL
    elif stop is not None and stop.cancelled:
        status = SolveStatus.CANCELLED
    else:
        status = SolveStatus.TIME_LIMIT
    return _Tour(list(picks), picks, length, status)


def _route_scattered_search(
    problem: RoutingProblem, params: dict[str, Any], stop: Stop | None
) -> _Tour:
    """OR-Tools under scattered storage: the better of two searches sharing the budget.

    One routes the greedy choice of locations (which may split a SKU over several of them);
    the other, when every SKU fits in one location, lets disjunctions choose the locations.
    """
    if not problem.single_location_suffices:
        return _route_fixed(problem, "ortools", greedy_selection(problem), params, stop)
    half = {**params, "time_limit": params["time_limit"] / 2}
    tours = [
        _route_fixed(problem, "ortools", greedy_selection(problem), half, stop),
        _route_disjunctions(problem, half, stop),
    ]
    return min(tours, key=lambda t: t.length)


def _search_status(stopped: bool, stop: Stop | None) -> SolveStatus:
    """Feasible after the full budget; cancelled or time limit when the ``Stop`` ended it."""
    if not stopped or stop is None:
        return SolveStatus.FEASIBLE
    return SolveStatus.CANCELLED if stop.cancelled else SolveStatus.TIME_LIMIT


def solve_problem(
    problem: RoutingProblem,
    method: str = "optimal",
    params: dict[str, Any] | None = None,
    stop: Stop | None = None,
) -> PickRoute:
    """Route one :class:`RoutingProblem` (one tour) with ``method``."""
    if method not in METHODS:
        raise InstanceValidationError(
            [("method", f"unknown method {method!r}; use one of {', '.join(METHODS)}")]
        )
    merged = _params(params)
    fixed = problem.fixed_picks()
    if fixed is not None:
        tour = _route_fixed(problem, method, fixed, merged, stop)
    elif method == "optimal" and _aisle_dp_applies(problem):
        tour = _route_scattered_exact(problem, merged, stop)
    elif method in ("ortools", "optimal"):
        tour = _route_scattered_search(problem, merged, stop)
    else:
        tour = _route_fixed(problem, method, greedy_selection(problem), merged, stop)
    return _to_route(problem, method, tour)


def _to_route(problem: RoutingProblem, method: str, tour: _Tour) -> PickRoute:
    inst = problem.instance
    locations = inst.location_index
    # Plain dicts validated once by PickRoute: the fastest validated path in pydantic (this
    # is the hot path when routing a year of orders).
    stops: list[dict[str, Any]] = [_depot_stop(inst, problem.start)]
    for loc_id in tour.locations:
        loc = locations[loc_id]
        stops.append(
            {
                "kind": "pick",
                "id": loc_id,
                "aisle": loc.aisle,
                "cell": loc.cell,
                "node": loc.node,
                "picks": tour.picks[loc_id],
            }
        )
    stops.append(_depot_stop(inst, problem.end))
    return PickRoute.model_validate(
        {
            "orders": list(problem.orders),
            "method": method,
            "stops": stops,
            "length": tour.length,
            "status": tour.status,
        }
    )


def _depot_stop(instance: Instance, station: str) -> dict[str, Any]:
    st = instance.station_index[station]
    return {"kind": "depot", "id": st.id, "aisle": st.aisle, "cell": st.cell, "node": st.node}


# ---------------------------------------------------------------------- entry point
def solve_routing(
    instance: Instance,
    orders: Sequence[str | Sequence[str]] | None = None,
    method: str = "optimal",
    params: dict[str, Any] | None = None,
    seed: int = 0,
    stop: Stop | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> RoutingResult:
    """Route pick tours through a warehouse.

    Parameters
    ----------
    instance
        The warehouse with its stock and orders.
    orders
        One entry per tour: an order id, or a list of order ids picked together (a batch).
        ``None`` routes every order of the instance on its own tour.
    method
        ``optimal`` (exact where the tour allows: the aisle DP, i.e. Ratliff & Rosenthal,
        Roodbergen & de Koster and Pansart, Catusse & Cambazard's multi-block DP, on
        parallel-aisle layouts of at most :data:`~smartwms.routing.exact.MAX_EXACT_BLOCKS`
        (3) blocks with one depot at an aisle; Held-Karp on tours of at most 12 pick locations
        elsewhere; otherwise OR-Tools, status ``feasible``), one of the heuristics
        ``sshape``, ``return``, ``midpoint``, ``largest-gap``, ``combined``, ``combined-plus``
        (Roodbergen & de Koster's combined+), ``combined-opt`` (combined, then 2-opt/or-opt),
        or ``ortools`` (guided local search, warm-started from the best heuristic).
    params
        ``time_limit`` (seconds of OR-Tools search per tour, default 1), ``solution_limit``
        (a deterministic OR-Tools budget), ``start`` and ``end`` (depot station ids).
    seed
        Recorded in the result; every method is deterministic for a fixed budget.
    stop
        Cooperative stop: when it fires, the running search returns its best tour and the
        remaining tours are routed by the fast S-shape heuristic (status ``cancelled``, or
        ``time_limit`` when the stop's own time limit ended the solve).
    progress
        Called as ``progress(done, total)`` after every tour, or after every batch of tours
        routed together by the exact DP (drives progress bars).

    Examples
    --------
    >>> from smartwms.model import (Location, Order, OrderLine, ParallelAisleLayout, Sku,
    ...                             Station, StockRecord)
    >>> lay = ParallelAisleLayout(n_aisles=3, aisle_spacing=3, cells_per_block=10,
    ...                           cell_length=1, cross_aisle_widths=1)
    >>> inst = Instance(layout=lay,
    ...     locations=[Location(id="A", aisle=0, cell=5), Location(id="B", aisle=2, cell=3)],
    ...     skus=[Sku(id="a"), Sku(id="b")],
    ...     stock=[StockRecord(sku="a", location="A"), StockRecord(sku="b", location="B")],
    ...     orders=[Order(id="O1", lines=[OrderLine(sku="a"), OrderLine(sku="b")])],
    ...     stations=[Station(id="depot", aisle=0, cross_aisle=1)])
    >>> result = solve_routing(inst)
    >>> result.status.value, result.objective, [s.id for s in result.routes[0].stops]
    ('optimal', 34.0, ['depot', 'B', 'A', 'depot'])
    """
    started = time.perf_counter()
    merged = _params(params)
    if method not in METHODS:
        raise InstanceValidationError(
            [("method", f"unknown method {method!r}; use one of {', '.join(METHODS)}")]
        )
    with _collector_paused():
        tours = tours_of(instance, orders)
        index = StockIndex.of(instance)  # once for all tours: an order touches few SKUs
        start = station_id(instance, merged["start"], "start")
        end = station_id(instance, merged["end"] if merged["end"] is not None else start, "end")
        bulk = BulkRouter.of(instance, index, start, end) if method == "optimal" else None
        routes: list[PickRoute] = []
        while len(routes) < len(tours):
            done = len(routes)
            # Exact tours go to the compiled DP in growing batches (the stop and the progress
            # callback are served between batches); every other tour goes alone.
            size = min(_MAX_BATCH, max(1, done)) if bulk is not None else 1
            batch = tours[done : done + size]
            if bulk is not None and not (stop is not None and stop()):
                solved = bulk.route(batch)
            else:
                solved = [None] * len(batch)
            for tour, route in zip(batch, solved, strict=True):
                if route is None:
                    problem = build_problem(instance, tour, start, end, index)
                    route = _solve_or_fall_back(problem, method, merged, stop)
                routes.append(route)
            if progress is not None:
                progress(len(routes), len(tours))
        return _result(method, routes, time.perf_counter() - started, seed)


def _solve_or_fall_back(
    problem: RoutingProblem, method: str, params: dict[str, Any], stop: Stop | None
) -> PickRoute:
    """``solve_problem``, or the fast S-shape tour (marked stopped) once ``stop`` has fired."""
    if stop is not None and stop():
        fallback = "sshape" if problem.parallel_aisle else "ortools"
        route = solve_problem(problem, fallback, {**params, "time_limit": 0.001}, stop)
        return route.model_copy(update={"status": _search_status(True, stop), "method": method})
    return solve_problem(problem, method, params, stop)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while a batch of tours is routed.

    Routing a year of orders allocates millions of short-lived, acyclic objects (freed by
    reference counting anyway); each allocation burst otherwise triggers collections that
    rescan the whole instance, which cost about a third of the time per order.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _result(method: str, routes: list[PickRoute], seconds: float, seed: int) -> RoutingResult:
    statuses = {r.status for r in routes}
    if SolveStatus.CANCELLED in statuses:
        status = SolveStatus.CANCELLED
    elif SolveStatus.TIME_LIMIT in statuses:
        status = SolveStatus.TIME_LIMIT
    elif statuses == {SolveStatus.OPTIMAL}:
        status = SolveStatus.OPTIMAL
    else:
        status = SolveStatus.FEASIBLE
    total = float(sum(r.length for r in routes))
    picks = sum(sum(1 for s in r.stops if s.kind == "pick") for r in routes)
    kpis = {
        "routes": float(len(routes)),
        "orders": float(sum(len(r.orders) for r in routes)),
        "pick_stops": float(picks),
        "mean_route_length": total / len(routes),
    }
    return RoutingResult(
        method=method,
        status=status,
        objective=total,
        routes=routes,
        seconds=seconds,
        seed=seed,
        kpis=kpis,
    )
