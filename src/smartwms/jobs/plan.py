"""The ``plan`` job kind: a whole shift plan (:func:`smartwms.plan.plan_shift`) as a job.

Progress is reported per stage (``"routing: 120 of 400"``), with the plan's walking distance
as the best objective once the tours are known. Cancelling (or the job's time limit) keeps what
is finished: the running stage returns its best so far, the remaining stages take their fastest
method and the simulation is skipped, so the result is still a complete, checked plan.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from smartwms.jobs.instances import InstancePayload
from smartwms.jobs.kinds import JobKind, Progress, register_kind
from smartwms.plan.params import PlanParams
from smartwms.stopping import Stop

__all__ = ["PlanPayload", "run_plan"]

# Share of a job's progress bar each stage takes (the simulation is most of the time).
_WEIGHTS = {
    "validate": 0.01,
    "slotting": 0.15,
    "relocations": 0.04,
    "batching": 0.15,
    "routing": 0.15,
    "scheduling": 0.05,
    "baseline": 0.1,
    "simulation": 0.3,
    "contributions": 0.05,
}


class PlanPayload(InstancePayload):
    """Plan a shift: today's orders, stock, pickers and robots to timed instructions."""

    params: PlanParams = Field(default_factory=PlanParams)
    seed: int = Field(default=0, ge=0)


class _StageProgress:
    """Turns ``(stage, done, total)`` into the job's fraction and message."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.finished = 0.0
        self.stage = ""

    def __call__(
        self, stage: str, done: float, total: float | None = None, best: float | None = None
    ) -> None:
        if stage != self.stage:
            self.finished += _WEIGHTS.get(self.stage, 0.0)
            self.stage = stage
        within = min(1.0, done / total) if total else 0.0
        fraction = min(1.0, self.finished + _WEIGHTS.get(stage, 0.0) * within)
        message = f"{stage}: {done:g} of {total:g}" if total else stage
        self.progress(fraction=fraction, best_objective=best, message=message)


def run_plan(payload: PlanPayload, stop: Stop, progress: Progress) -> dict[str, Any]:
    """Plan with :func:`smartwms.plan.plan_shift`; the result is the plan's JSON.

    Stage timings stay out of the result (they differ from run to run; ``seconds`` is the
    whole plan's time); the progress messages show each stage as it runs.
    """
    from smartwms.plan import plan_shift

    plan = plan_shift(
        payload.resolved(),
        payload.params,
        seed=payload.seed,
        stop=stop,
        progress=_StageProgress(progress),
    )
    progress(fraction=1.0, best_objective=plan.objective, message="plan complete")
    return plan.model_dump(mode="json", exclude={"stages"})


register_kind(
    JobKind(
        name="plan",
        payload_model=PlanPayload,
        run=run_plan,
        summary="Shift plan: relocations, waves, batches, routes, picker schedules and AGV "
        "tasks, simulated against a baseline.",
    )
)
