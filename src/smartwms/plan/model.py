"""The shift plan: what every picker, relocation worker and AGV does, and when.

A :class:`ShiftPlan` is plain data (it serialises to ``plan.json``). Every instruction traces
back to its source: a pick to its order and the line's index in that order, a relocation to the
slotting move it executes, an AGV task to the relocation or batch it serves. Times are seconds
from the start of the shift, lengths in the instance's unit (metres).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from smartwms.model import Instance, PickerClass, SolveStatus
from smartwms.model.base import Frozen

__all__ = [
    "PLAN_FORMAT",
    "AgvSchedule",
    "AgvTask",
    "OrderOutcome",
    "PickerShift",
    "PlannedBatch",
    "PlannedPick",
    "Relocation",
    "ShiftPlan",
    "Wave",
    "picker_roster",
]

PLAN_FORMAT: Literal["smartwms-shift-plan"] = "smartwms-shift-plan"


class PlannedPick(Frozen):
    """One pick: ``quantity`` units of order ``order``'s line ``line`` (index from 0).

    ``sequence`` is the position in the batch's walking order (from 1); ``tote`` the tote on
    the cart that collects the order; ``planned_start_s`` when the picker starts this pick.
    """

    picker: str
    wave: str
    batch: str
    sequence: int = Field(ge=1)
    order: str
    line: int = Field(ge=0)
    sku: str
    location: str
    quantity: float = Field(gt=0)
    tote: str
    planned_start_s: float = Field(ge=0)


class Relocation(Frozen):
    """A relocation task: move ``quantity`` units of ``sku`` from one slot to another.

    ``sequence`` is the order to do them in (from 1; a move may need an earlier one to empty
    its target); ``step`` the slotting move it executes. ``from_location`` is ``None`` for a
    put-away from receiving; ``BUFFER`` is the staging lane that breaks swap cycles.
    """

    sequence: int = Field(ge=1)
    step: int = Field(ge=0, description="the slotting plan's move step")
    sku: str
    from_location: str | None
    to_location: str
    quantity: float = Field(ge=0)
    kind: str = "relocate"
    worker: str = Field(description="relocation worker (or AGV) that does it")
    planned_start_s: float = Field(description="negative: before the shift starts")
    planned_end_s: float


class PlannedBatch(Frozen):
    """Orders picked together on one cart tour.

    ``route`` lists the pick locations in walking order (the depot at both ends is implied);
    ``length_m`` is that walk; ``totes`` says which tote holds which order.
    """

    id: str
    wave: str
    picker: str
    orders: list[str] = Field(min_length=1)
    totes: dict[str, str]
    route: list[str]
    length_m: float = Field(ge=0)
    start_s: float = Field(ge=0)
    end_s: float = Field(ge=0)


class Wave(Frozen):
    """A wave: orders released to the floor together at ``release_s``."""

    id: str
    release_s: float = Field(ge=0)
    orders: list[str]
    batches: list[str]
    start_s: float | None = None
    end_s: float | None = None


class PickerShift(Frozen):
    """One picker of the shift and the batches it works through, in order."""

    id: str
    picker_class: str
    batches: list[str] = Field(default_factory=list)
    busy_s: float = Field(default=0.0, ge=0)


class OrderOutcome(Frozen):
    """When an order is planned to be complete, against its due time."""

    order: str
    wave: str
    batch: str
    picker: str
    release_s: float
    due_s: float | None
    completion_s: float
    tardiness_s: float = Field(ge=0)
    on_time: bool | None = Field(description="None when the order has no due time")


class AgvTask(Frozen):
    """An AGV task: drive through ``errands`` (grid cells) in order.

    ``kind``: ``relocation`` (a slot-to-slot move), ``tote`` (a batch's totes from the depot
    to a station) or ``rack`` (a rack to a pick station and back). ``ref`` names what it serves
    (``move 3``, ``batch B0007``). Steps are the AGV plan's clock (``step_s`` seconds each).
    """

    id: int
    agent: int = Field(ge=0)
    kind: Literal["relocation", "tote", "rack"]
    ref: str
    errands: list[int] = Field(min_length=1)
    assigned_at: int = Field(ge=0)
    completed_at: int | None = None
    planned_start_s: float
    planned_end_s: float | None = None


class AgvSchedule(Frozen):
    """The AGV part of the plan: map, clock, every AGV's position per step and the tasks.

    ``positions`` and ``tasks`` follow the PLAN.json contract of ``smartwms agv run``, so
    :func:`smartwms.agv.check_plan` validates them (no vertex, swap or obstacle conflict).
    """

    height: int = Field(ge=1)
    width: int = Field(ge=1)
    rows: list[str]
    ports: int = Field(default=0, ge=0, description="pick-station ports of the map")
    step_s: float = Field(gt=0)
    start_s: float = Field(default=0.0, description="time of step 0 (negative: before the shift)")
    cell_m: float = Field(gt=0)
    steps: int = Field(ge=0)
    agents: list[str]
    positions: list[list[int]]
    tasks: list[AgvTask]

    def plan_dict(self) -> dict[str, Any]:
        """The PLAN.json form (cells as ``row*width+col``)."""
        return {
            "map": "",
            "height": self.height,
            "width": self.width,
            "steps": self.steps,
            "positions": self.positions,
            "tasks": [
                {
                    "id": t.id,
                    "agent": t.agent,
                    "errands": t.errands,
                    "assigned_at": t.assigned_at,
                    "completed_at": t.completed_at,
                }
                for t in self.tasks
            ],
        }


class ShiftPlan(Frozen):
    """A whole shift: relocations, waves, batches, picks, picker schedules, AGV tasks, KPIs.

    ``objective`` is the planned walking distance of all batches; ``assignment`` the slotting
    in force once the relocations are done; ``kpis`` the plan's own figures (travel, tardiness,
    makespan) and ``simulation`` its simulated worth against the baseline, when evaluated.
    """

    format: Literal["smartwms-shift-plan"] = PLAN_FORMAT
    format_version: str = "1.0"
    instance: str
    method: str
    status: SolveStatus = SolveStatus.FEASIBLE
    seed: int = 0
    seconds: float = Field(default=0.0, ge=0)
    stages: dict[str, float] = Field(default_factory=dict)
    horizon_s: float = Field(gt=0)
    setup_s: float = Field(ge=0, description="set-up time per batch at the depot")
    objective: float = Field(ge=0)
    assignment: dict[str, list[str]]
    moves: list[Relocation] = Field(default_factory=list)
    waves: list[Wave] = Field(default_factory=list)
    batches: list[PlannedBatch] = Field(default_factory=list)
    picks: list[PlannedPick] = Field(default_factory=list)
    pickers: list[PickerShift] = Field(default_factory=list)
    orders: list[OrderOutcome] = Field(default_factory=list)
    agv: AgvSchedule | None = None
    kpis: dict[str, Any] = Field(default_factory=dict)
    simulation: dict[str, Any] | None = None
    notes: list[str] = Field(default_factory=list)


def picker_roster(instance: Instance, count: int | None = None) -> list[tuple[str, PickerClass]]:
    """The pickers of a shift as ``(id, class)``: ``<class id>-<k>`` for k from 1.

    ``count`` overrides the fleet's picker count (pickers of the first class); an instance
    without picker classes gets ``count`` default pickers.

    Examples
    --------
    >>> from smartwms.model import Fleet, ParallelAisleLayout
    >>> lay = ParallelAisleLayout(n_aisles=1, aisle_spacing=3, cells_per_block=2, cell_length=1)
    >>> inst = Instance(layout=lay, fleet=Fleet(pickers=[PickerClass(count=2)]))
    >>> [p for p, _ in picker_roster(inst)]
    ['picker-1', 'picker-2']
    """
    classes = list(instance.fleet.pickers)
    if count is not None:
        base = classes[0] if classes else PickerClass()
        classes = [base.model_copy(update={"count": count})]
    return [(f"{cls.id}-{k + 1}", cls) for cls in classes for k in range(cls.count)]
