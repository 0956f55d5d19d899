"""The shift plan: one job from today's orders, stock, pickers and robots to instructions.

* :func:`plan_shift` - the chain: re-slotting with a move budget, relocations, waves, batches,
  routes, picker schedules with due dates, AGV tasks, and the plan's simulated worth against
  a baseline (:class:`PlanParams`, :class:`Baseline`).
* :class:`ShiftPlan` - the plan as data (``plan.json``); :func:`write_plan_folder` writes the
  instruction folder (``picks.csv``, ``moves.csv``, pick lists, AGV task lists, waves).
* :func:`write_report` - the KPI report with pictures under ``DIR/report/``.
* :func:`check_shift_plan` / :func:`check_plan_folder` - the independent plan checker behind
  ``smartwms check-plan``.
"""

from smartwms.plan.chain import plan_shift, validate_shift
from smartwms.plan.check import PlanCheck, PlanProblem, check_plan_folder, check_shift_plan
from smartwms.plan.io import write_plan_folder
from smartwms.plan.model import (
    AgvSchedule,
    AgvTask,
    OrderOutcome,
    PickerShift,
    PlannedBatch,
    PlannedPick,
    Relocation,
    ShiftPlan,
    Wave,
    picker_roster,
)
from smartwms.plan.params import Baseline, PlanParams
from smartwms.plan.report import write_report

__all__ = [
    "AgvSchedule",
    "AgvTask",
    "Baseline",
    "OrderOutcome",
    "PickerShift",
    "PlanCheck",
    "PlanParams",
    "PlanProblem",
    "PlannedBatch",
    "PlannedPick",
    "Relocation",
    "ShiftPlan",
    "Wave",
    "check_plan_folder",
    "check_shift_plan",
    "picker_roster",
    "plan_shift",
    "validate_shift",
    "write_plan_folder",
    "write_report",
]
