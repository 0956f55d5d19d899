"""Picker routing: exact dynamic programs, the classic heuristics and OR-Tools for any layout.

One entry point, :func:`solve_routing`, turns an instance and its orders into
:class:`RoutingResult` (one :class:`~smartwms.model.PickRoute` per tour); :func:`check_route`
independently validates any route.
"""

from smartwms.routing.check import RouteCheckError, check_route, route_problems
from smartwms.routing.heuristics import HEURISTICS, heuristic_order, tour_length
from smartwms.routing.problem import Candidate, RoutingProblem, build_problem, problems_for_orders
from smartwms.routing.solve import (
    METHODS,
    RoutingResult,
    greedy_selection,
    solve_problem,
    solve_routing,
)

__all__ = [
    "HEURISTICS",
    "METHODS",
    "Candidate",
    "RouteCheckError",
    "RoutingProblem",
    "RoutingResult",
    "build_problem",
    "check_route",
    "greedy_selection",
    "heuristic_order",
    "problems_for_orders",
    "route_problems",
    "solve_problem",
    "solve_routing",
    "tour_length",
]
