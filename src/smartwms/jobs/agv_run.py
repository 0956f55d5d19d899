"""The ``agv-run`` job kind: a lifelong AGV run (PIBT family) on a grid map, as a solve job.

``smartwms agv run`` as a job: a map, a fleet (a number of agents placed with the seed, or
their start cells), tasks (pickup -> delivery errands given, or generated with the seed) and a
horizon. The result is the run's summary and its plan (positions of every agent at every step
and the task records, as PLAN.json), checked for conflicts before it is returned.
"""

from __future__ import annotations

import random
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from smartwms.jobs.kinds import JobKind, Progress, register_kind
from smartwms.model import GridLayout
from smartwms.stopping import Stop

__all__ = ["AgvRunPayload", "run_agv"]

#: Largest plan a job may ask for (agents x steps), so a result stays a few megabytes.
MAX_AGENT_STEPS = 2_000_000
_TIMING_KEYS = ("plan_ms_mean", "plan_ms_p95", "plan_ms_max", "preprocess_s")


class AgvRunPayload(BaseModel):
    """A lifelong run: ``agents`` AGVs serve ``tasks`` on ``layout`` for ``steps`` steps."""

    model_config = ConfigDict(extra="forbid")

    layout: GridLayout
    agents: int | list[int] = Field(
        description="number of agents (start cells drawn with the seed) or their start cells"
    )
    tasks: list[list[int]] | None = Field(
        default=None,
        description="errand cells of each task (e.g. [pickup, delivery]), pooled; "
        "default: pickup -> delivery tasks generated with the seed",
    )
    task_frequency: float = Field(
        default=1.0, gt=0, le=100, description="generated tasks released per step"
    )
    steps: int = Field(default=500, ge=1, le=10_000, description="horizon in steps")
    assign: Literal["greedy", "optimal"] = "greedy"
    planner: Literal["auto", "pibt", "guided", "windowed"] = "auto"
    seed: int = Field(default=0, ge=0)

    @model_validator(mode="after")
    def _fits(self) -> AgvRunPayload:
        layout = self.layout
        free = sum(1 for c in range(layout.height * layout.width) if layout.is_free(c))
        n = self.agents if isinstance(self.agents, int) else len(self.agents)
        if not 1 <= n <= free:
            raise ValueError(f"agents: expected 1..{free} agents (free cells), got {n}")
        if isinstance(self.agents, list):
            for i, cell in enumerate(self.agents):
                if not layout.is_free(cell):
                    raise ValueError(f"agents[{i}]: cell {cell} is not a free cell of the map")
            if len(set(self.agents)) != len(self.agents):
                raise ValueError("agents: two agents start on the same cell")
        for i, errands in enumerate(self.tasks or []):
            if not errands:
                raise ValueError(f"tasks[{i}]: a task needs at least one errand cell")
            for j, cell in enumerate(errands):
                if not layout.is_free(cell):
                    raise ValueError(f"tasks[{i}][{j}]: cell {cell} is not a free cell of the map")
        if n * self.steps > MAX_AGENT_STEPS:
            raise ValueError(
                f"steps: agents x steps = {n * self.steps} exceeds {MAX_AGENT_STEPS} per job"
            )
        return self


def run_agv(payload: AgvRunPayload, stop: Stop, progress: Progress) -> dict[str, Any]:
    """Run :func:`smartwms.agv.run_lifelong`; the result is its summary and checked plan."""
    from smartwms.agv import Grid, TaskPool, check_plan, generated_tasks, run_lifelong
    from smartwms.agv.scenario import choose_planner

    layout = payload.layout
    grid = Grid(layout)
    free = [int(c) for c in grid.free_cells]
    if isinstance(payload.agents, int):
        starts = random.Random(payload.seed).sample(free, payload.agents)
    else:
        starts = list(payload.agents)
    if payload.tasks is None:
        count = max(1, int(payload.steps * payload.task_frequency))
        tasks = generated_tasks(free, free, count, payload.task_frequency, payload.seed)
    else:
        tasks = TaskPool(schedule=[(0, tuple(errands)) for errands in payload.tasks])

    def stepped(done: int, total: int) -> None:
        if done % 10 == 0 or done == total:
            progress(fraction=done / max(1, total), message=f"step {done} of {total}")

    result = run_lifelong(
        layout,
        starts,
        tasks,
        payload.steps,
        assign=payload.assign,
        planner=choose_planner(payload.planner, len(starts), layout),
        seed=payload.seed,
        stop=stop,
        progress=stepped,
        grid=grid,
    )
    plan = result.plan_dict()
    conflicts = check_plan(plan, layout.rows)
    summary = result.summary()
    # Planning times differ from run to run: apart, so the rest is the same for the same seed.
    timings = {k: summary.pop(k) for k in _TIMING_KEYS if k in summary}
    return {
        **summary,
        "objective": summary["tasks_completed"],
        "conflicts": len(conflicts),
        "timings": timings,
        "plan": {k: v for k, v in plan.items() if k != "map"},
    }


register_kind(
    JobKind(
        name="agv-run",
        payload_model=AgvRunPayload,
        run=run_agv,
        summary="AGV run: a lifelong, collision-free fleet run on a grid map (PIBT family), "
        "with its plan step by step.",
        size=lambda payload: (
            (payload.agents if isinstance(payload.agents, int) else len(payload.agents))
            * payload.steps
        ),
        sync_limit=20_000,
    )
)
