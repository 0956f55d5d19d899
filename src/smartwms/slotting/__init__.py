"""Storage location assignment (slotting): which SKU lives in which slot, and how to get there.

One entry point, :func:`solve_slotting`, over methods that share the same slot costs and
eligibility (:mod:`smartwms.slotting.costs`): baselines (``current``, ``random``, ``abc``,
``coi``), the exact ``optimal`` assignment by min-cost flow, ``cpsat`` with side constraints
and a move budget, and ``affinity`` local search on historical pick tours. Every plan comes
with an executable move list (:mod:`smartwms.slotting.moves`) and can be checked
independently (:mod:`smartwms.slotting.validate`).
"""

from smartwms.slotting.costs import SlottingParams, build_tables
from smartwms.slotting.solve import METHODS, SlottingResult, solve_slotting
from smartwms.slotting.validate import (
    plan_problems,
    replay_moves,
    side_constraint_problems,
    validate_plan,
)

__all__ = [
    "METHODS",
    "SlottingParams",
    "SlottingResult",
    "build_tables",
    "plan_problems",
    "replay_moves",
    "side_constraint_problems",
    "solve_slotting",
    "validate_plan",
]
