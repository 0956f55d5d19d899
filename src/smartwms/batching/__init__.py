"""Order batching: group orders into cart loads of least total tour length.

One entry point, :func:`solve_batching`, turns an instance (or a :class:`BatchingProblem`)
into a :class:`BatchingResult`: batches with their orders, totes, routes and lengths.
:func:`check_batching` independently validates any plan.

Stable API for other modules (waves, picker scheduling, the simulation, the service):
:class:`Cart`, :class:`Pickers`, :class:`BatchOrder`, :class:`Load`, :class:`BatchingProblem`,
:func:`build_batching_problem`, :class:`BatchingParams`, :class:`Batch`,
:class:`BatchingResult`, :class:`TourLengths`, :func:`solve_batching`, :func:`check_batching`.
"""

from smartwms.batching.check import (
    BatchingCheckError,
    batching_problems,
    check_batching,
    policy_length,
)
from smartwms.batching.evaluate import TourLengths
from smartwms.batching.params import (
    BATCHING_METHODS,
    SEED_RULES,
    SIMILARITIES,
    BatchingParams,
)
from smartwms.batching.problem import (
    ROUTING_POLICIES,
    BatchingProblem,
    BatchOrder,
    Cart,
    Load,
    Pickers,
    build_batching_problem,
)
from smartwms.batching.result import PICK_LIST_COLUMNS, Batch, BatchingResult
from smartwms.batching.solve import METHODS, build_result, solve_batching

__all__ = [
    "BATCHING_METHODS",
    "METHODS",
    "PICK_LIST_COLUMNS",
    "ROUTING_POLICIES",
    "SEED_RULES",
    "SIMILARITIES",
    "Batch",
    "BatchOrder",
    "BatchingCheckError",
    "BatchingParams",
    "BatchingProblem",
    "BatchingResult",
    "Cart",
    "Load",
    "Pickers",
    "TourLengths",
    "batching_problems",
    "build_batching_problem",
    "build_result",
    "check_batching",
    "policy_length",
    "solve_batching",
]
