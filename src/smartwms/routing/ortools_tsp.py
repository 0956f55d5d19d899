"""The one OR-Tools adapter of picker routing: a single-vehicle tour over a distance matrix.

All OR-Tools index juggling stays here. The matrix is integer-scaled and registered once with
``RegisterTransitMatrix`` (the arc costs never cross into Python during the search); guided
local search runs under a time limit, warm-started from a given tour; a :class:`Stop` is polled
by a search monitor that calls ``CancelSearch``, so a cancelled search returns its best tour.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from ortools.constraint_solver import pywrapcp, routing_enums_pb2

from smartwms.errors import InfeasibleError
from smartwms.stopping import Stop

__all__ = ["OrToolsOutcome", "solve_tsp"]

# Distances are scaled to integers; integral matrices (SPRP) keep their exact values.
_FRACTIONAL_SCALE = 1000
# How many monitor events pass between two polls of the stopping criterion.
_POLL_EVERY = 32


@dataclass(frozen=True)
class OrToolsOutcome:
    """What the search returned: the visiting order of the nodes and how it ended."""

    order: list[int]
    cancelled: bool


class _StopMonitor(pywrapcp.SearchMonitor):
    """Polls a :class:`Stop` during the search and cancels the routing search when it fires."""

    def __init__(self, routing: pywrapcp.RoutingModel, stop: Stop) -> None:
        super().__init__(routing.solver())
        self._routing = routing
        self._stop = stop
        self._events = 0
        self.fired = False

    def _poll(self) -> None:
        self._events += 1
        if not self.fired and self._events % _POLL_EVERY == 0 and self._stop():
            self.fired = True
            self._routing.CancelSearch()

    def BeginNextDecision(self, decision_builder: object) -> None:
        self._poll()

    def AcceptNeighbor(self) -> None:
        self._poll()


def _scale(dist: NDArray[np.float64]) -> tuple[list[list[int]], float]:
    if not np.all(np.isfinite(dist)):
        raise InfeasibleError("some pick location cannot be reached from the others")
    integral = np.allclose(dist, np.rint(dist))
    scale = 1.0 if integral else float(_FRACTIONAL_SCALE)
    return np.rint(dist * scale).astype(np.int64).tolist(), scale


def solve_tsp(
    dist: NDArray[np.float64],
    start: int,
    end: int,
    initial: Sequence[int],
    groups: Sequence[Sequence[int]] | None = None,
    time_limit: float = 1.0,
    stop: Stop | None = None,
    solution_limit: int | None = None,
    seed: int = 0,
) -> OrToolsOutcome:
    """Shortest walk ``start -> every node (or one node per group) -> end``.

    Parameters
    ----------
    dist
        Square distance matrix over every node (depots included).
    start, end
        Rows of the depots.
    initial
        A feasible visiting order (without the depots) to start from.
    groups
        When given, exactly one node of each group is visited (disjunctions); nodes outside
        every group and other than the depots are not visited. Otherwise every node is.
    time_limit
        Seconds of search.
    stop
        Cooperative stop; when it fires the best tour so far is returned.
    solution_limit
        Stop after this many solutions (a deterministic budget, unlike the time limit).
    seed
        Reserved for reproducibility: the search is deterministic for a given budget.

    Examples
    --------
    >>> d = np.array([[0, 1, 9, 1], [1, 0, 1, 9], [9, 1, 0, 1], [1, 9, 1, 0]], dtype=float)
    >>> solve_tsp(d, 0, 0, initial=[2, 1, 3], time_limit=1, solution_limit=50).order
    [1, 2, 3]
    """
    del seed  # the GLS of OR-Tools has no random component to seed
    n = dist.shape[0]
    matrix, _ = _scale(dist)
    manager = pywrapcp.RoutingIndexManager(n, 1, [start], [end])
    routing = pywrapcp.RoutingModel(manager)
    transit = routing.RegisterTransitMatrix(matrix)
    routing.SetArcCostEvaluatorOfAllVehicles(transit)
    depots = {start, end}
    if groups is not None:
        grouped = {node for g in groups for node in g}
        for node in range(n):
            if node not in depots and node not in grouped:
                # Not a candidate: a zero-penalty disjunction lets the solver leave it out.
                routing.AddDisjunction([manager.NodeToIndex(node)], 0)
        for group in groups:
            routing.AddDisjunction([manager.NodeToIndex(node) for node in group])
    monitor = _StopMonitor(routing, stop) if stop is not None else None
    if monitor is not None:
        routing.AddSearchMonitor(monitor)
    params = pywrapcp.DefaultRoutingSearchParameters()
    params.local_search_metaheuristic = (
        routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    )
    limit = (
        time_limit
        if stop is None or stop.remaining() is None
        else min(time_limit, stop.remaining() or 0.0)
    )
    params.time_limit.FromMilliseconds(max(1, int(limit * 1000)))
    if solution_limit is not None:
        params.solution_limit = solution_limit
    routing.CloseModelWithParameters(params)
    warm = routing.ReadAssignmentFromRoutes([[manager.NodeToIndex(n) for n in initial]], True)
    if warm is None:
        raise InfeasibleError("the initial tour is not feasible for the OR-Tools model")
    solution = routing.SolveFromAssignmentWithParameters(warm, params)
    cancelled = monitor is not None and monitor.fired
    if solution is None:  # cancelled before the first solution: the warm start stands
        return OrToolsOutcome(list(initial), cancelled=cancelled)
    return OrToolsOutcome(_read_route(routing, manager, solution), cancelled=cancelled)


def _read_route(
    routing: pywrapcp.RoutingModel,
    manager: pywrapcp.RoutingIndexManager,
    solution: pywrapcp.Assignment,
) -> list[int]:
    order: list[int] = []
    index = solution.Value(routing.NextVar(routing.Start(0)))
    while not routing.IsEnd(index):
        order.append(manager.IndexToNode(index))
        index = solution.Value(routing.NextVar(index))
    return order
