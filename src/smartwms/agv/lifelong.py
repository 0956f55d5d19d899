"""Lifelong AGV runs: tasks revealed over time, assigned, and planned one step at a time.

:func:`run_lifelong` is the one entry point: it owns the clock, reveals tasks (LoRR
roundrobin ownership or a pool with greedy/optimal assignment), asks the planner for the next
step of every agent, records errands as agents reach them, and returns an
:class:`AgvRunResult` with the full plan, per-step planning times and KPIs.

An errand counts when its agent stands on it at the end of a step (one errand per agent per
step); a task completed at step ``t`` frees its agent at ``t``, and under roundrobin the agent's
next task is revealed (assigned) at ``t``.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from smartwms.agv.assign import assign_greedy, assign_optimal
from smartwms.agv.battery import BatteryPolicy
from smartwms.agv.grid import Grid
from smartwms.agv.guidance import TrafficGuidance
from smartwms.agv.pibt import PIBT
from smartwms.agv.tasks import RoundRobinTasks, Task, TaskPool
from smartwms.agv.windowed import WindowedPlanner
from smartwms.errors import InstanceValidationError
from smartwms.model import GridLayout, SolveStatus
from smartwms.stopping import Stop

__all__ = ["PLANNERS", "AgvRunResult", "run_lifelong"]

PLANNERS = ("pibt", "guided", "windowed")
Progress = Callable[[int, int], None]


@dataclass
class AgvRunResult:
    """A lifelong run: plan (positions per agent and step), tasks, timings and KPIs."""

    layout: GridLayout
    positions: NDArray[np.int32]  # (agents, steps + 1)
    tasks: list[Task]
    plan_ms: list[float]
    assignment: str
    planner: str
    seed: int
    status: SolveStatus = SolveStatus.FEASIBLE
    map_path: str = ""
    stuck_events: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def steps(self) -> int:
        """Steps simulated."""
        return int(self.positions.shape[1] - 1)

    @property
    def completed(self) -> list[Task]:
        """Tasks finished within the run."""
        return [t for t in self.tasks if t.completed_at is not None]

    def summary(self) -> dict[str, Any]:
        """The KPIs of the CLI's summary JSON."""
        ms = np.asarray(self.plan_ms or [0.0])
        done = self.completed
        service = [t.completed_at - t.released_at for t in done if t.completed_at is not None]
        moves = int(np.count_nonzero(self.positions[:, 1:] != self.positions[:, :-1]))
        out = {
            "agents": int(self.positions.shape[0]),
            "steps": self.steps,
            "tasks_completed": len(done),
            "throughput": len(done) / self.steps if self.steps else 0.0,
            "plan_ms_mean": float(ms.mean()),
            "plan_ms_p95": float(np.percentile(ms, 95)),
            "plan_ms_max": float(ms.max()),
            "assignment": self.assignment,
            "planner": self.planner,
            "seed": self.seed,
            "status": str(self.status),
            "service_time_mean": float(np.mean(service)) if service else None,
            "moves": moves,
            "stuck_events": self.stuck_events,
        }
        out.update(self.extra)
        return out

    def plan_dict(self) -> dict[str, Any]:
        """PLAN.json: map, size, steps, positions per agent and the task records."""
        return {
            "map": self.map_path,
            "height": self.layout.height,
            "width": self.layout.width,
            "steps": self.steps,
            "positions": self.positions.tolist(),
            "tasks": [t.to_dict() for t in self.tasks if t.agent is not None],
        }

    def write_plan(self, path: str | Path) -> None:
        """Write PLAN.json."""
        Path(path).write_text(json.dumps(self.plan_dict(), separators=(",", ":")) + "\n")


def check_starts(grid: Grid, starts: Sequence[int]) -> None:
    """Raise naming the agent when a start cell is not free or is shared."""
    problems = []
    seen: dict[int, int] = {}
    for i, cell in enumerate(starts):
        if not grid.is_free(cell):
            problems.append((f"agents[{i}]", f"start cell {cell} is not a free cell of the map"))
        elif cell in seen:
            problems.append((f"agents[{i}]", f"start cell {cell} is also agent {seen[cell]}'s"))
        seen[cell] = i
    if not starts:
        problems.append(("agents", "no agent"))
    if problems:
        raise InstanceValidationError(problems)


class _Fleet:
    """Mutable state of the agents during a run."""

    def __init__(self, starts: Sequence[int], seed: int) -> None:
        n = len(starts)
        self.pos = list(starts)
        self.queue: list[list[Task]] = [[] for _ in range(n)]  # tasks owned, in order
        self.elapsed = [0] * n
        rng = random.Random(seed)
        self.tie = [rng.random() for _ in range(n)]

    def goal(self, i: int) -> int:
        return self.queue[i][0].next_errand if self.queue[i] else self.pos[i]

    def order(self) -> list[int]:
        """Priority: agents with a task, then longest since their last goal, then tie-break."""
        return sorted(
            range(len(self.pos)),
            key=lambda i: (not self.queue[i], -self.elapsed[i], -self.tie[i]),
        )


def run_lifelong(
    layout: GridLayout,
    starts: Sequence[int],
    tasks: RoundRobinTasks | TaskPool,
    steps: int,
    *,
    assign: str = "greedy",
    planner: str = "pibt",
    seed: int = 0,
    stop: Stop | None = None,
    progress: Progress | None = None,
    battery: BatteryPolicy | None = None,
    map_path: str = "",
    grid: Grid | None = None,
) -> AgvRunResult:
    """Run a fleet for ``steps`` steps (or until a pool of tasks is exhausted and done).

    Parameters
    ----------
    layout, starts
        The map and each agent's start cell (distinct free cells).
    tasks
        :class:`RoundRobinTasks` (each agent owns its tasks) or a :class:`TaskPool`
        (``assign`` decides who does what).
    steps
        Horizon in steps.
    assign
        ``greedy`` or ``optimal`` for pooled tasks (ignored under roundrobin).
    planner
        ``pibt`` (plain PIBT), ``guided`` (PIBT on congestion-aware guide fields) or
        ``windowed`` (prioritised space-time A* over a rolling window, executed by PIBT).
    seed
        Tie-breaking seed; the same inputs and seed give the same run.
    stop
        Cooperative stop: the run ends early with status ``cancelled``/``time_limit``.
    progress
        Called as ``progress(step, steps)`` after every step.
    battery
        Battery and charging policy (off when ``None``).

    Examples
    --------
    >>> lay = GridLayout(height=3, width=3, rows=["...", ".@.", "..."])
    >>> res = run_lifelong(lay, [0, 8], RoundRobinTasks([8, 0, 2, 6], 2), steps=12)
    >>> res.summary()["tasks_completed"] >= 2
    True
    """
    if steps < 1:
        raise InstanceValidationError([("steps", f"must be >= 1, got {steps}")])
    if planner not in PLANNERS:
        raise InstanceValidationError([("planner", f"expected one of {PLANNERS}, got {planner!r}")])
    if assign not in ("greedy", "optimal"):
        raise InstanceValidationError([("assign", f"expected greedy or optimal, got {assign!r}")])
    grid = grid or Grid(layout)
    check_starts(grid, starts)
    n = len(starts)
    grid.reserve(2 * n + 64)
    fleet = _Fleet(starts, seed)
    pibt = PIBT(grid, seed=seed)
    guide = TrafficGuidance(grid) if planner == "guided" else None
    windowed = WindowedPlanner(grid) if planner == "windowed" else None
    assignment = assign if isinstance(tasks, TaskPool) else "roundrobin"
    open_tasks: list[Task] = []
    if isinstance(tasks, RoundRobinTasks):
        for i in range(n):
            for _ in range(tasks.reveal_count):
                fleet.queue[i] += tasks.reveal(i, 0)
    for c in [*_errand_cells(tasks)]:
        if not grid.is_free(c):
            raise InstanceValidationError([("tasks", f"errand cell {c} is not a free cell")])
    # Preprocessing (as in the League of Robot Runners, outside the per-step budget): the
    # distance fields of the goals known at the start.
    began = time.perf_counter()
    initial = [fleet.goal(i) for i in range(n)]
    if isinstance(tasks, TaskPool):
        initial += [errands[0] for release, errands in tasks.schedule if release == 0]
    for goal in dict.fromkeys(initial):
        grid.distances_to(goal)
    if guide is not None and isinstance(tasks, RoundRobinTasks):
        guide.fields(fleet.pos, [fleet.goal(i) for i in range(n)])
    preprocess_s = time.perf_counter() - began
    history = np.empty((n, steps + 1), dtype=np.int32)
    history[:, 0] = starts
    plan_ms: list[float] = []
    status = SolveStatus.FEASIBLE
    t = 0
    for t in range(steps):
        if stop is not None and stop():
            status = SolveStatus.CANCELLED if stop.cancelled else SolveStatus.TIME_LIMIT
            break
        began = time.perf_counter()
        if isinstance(tasks, TaskPool):
            open_tasks += tasks.release(t)
            _assign_pool(grid, fleet, open_tasks, assign, t)
        if battery is not None:
            battery.before_step(fleet.pos, fleet.queue, t)
        goals = [fleet.goal(i) for i in range(n)]
        parking = make_way(grid, fleet.pos, [bool(q) for q in fleet.queue], goals)
        if battery is not None:
            goals = battery.goals(goals, fleet.pos)
        field_of = guide.fields(fleet.pos, goals) if guide is not None else None
        order = fleet.order()
        if parking:  # agents making way move first, so they can leave dead ends
            order = parking + [i for i in order if i not in set(parking)]
        prefer = windowed.preferred(t, fleet.pos, goals, order) if windowed is not None else None
        nxt = pibt.step(fleet.pos, goals, order, field_of, prefer)
        plan_ms.append((time.perf_counter() - began) * 1000.0)
        if battery is not None:
            battery.after_step(fleet.pos, nxt)
        fleet.pos = nxt
        history[:, t + 1] = nxt
        finished = _record_errands(fleet, t + 1)
        for agent, task in finished:
            if isinstance(tasks, RoundRobinTasks):
                fleet.queue[agent] += tasks.reveal(agent, t + 1)
            else:
                open_tasks.remove(task)
                refill = tasks.refill(t + 1)
                if refill is not None:
                    open_tasks.append(refill)
        if progress is not None:
            progress(t + 1, steps)
        if (
            isinstance(tasks, TaskPool)
            and tasks.exhausted
            and not open_tasks
            and not any(fleet.queue)
        ):
            t += 1
            history = history[:, : t + 1]
            break
    else:
        t = steps
    if t < steps and status != SolveStatus.FEASIBLE:
        history = history[:, : t + 1]
    extra: dict[str, Any] = {"bfs_count": grid.bfs_count, "preprocess_s": preprocess_s}
    if battery is not None:
        extra.update(battery.kpis())
    return AgvRunResult(
        layout=layout,
        positions=history,
        tasks=list(tasks.tasks),
        plan_ms=plan_ms,
        assignment=assignment,
        planner=planner,
        seed=seed,
        status=status,
        map_path=map_path,
        stuck_events=pibt.stuck_events,
        extra=extra,
    )


def make_way(
    grid: Grid, pos: Sequence[int], has_task: Sequence[bool], goals: list[int]
) -> list[int]:
    """Idle agents standing on another agent's goal get a nearby parking goal instead.

    An idle agent's goal is its own cell, and PIBT cannot push an agent out of a dead end
    towards the agent that wants in; sending the idle one to the nearest cell that is nobody's
    goal, not a dead end and not occupied, with top priority for that step, resolves that
    deadlock before it happens. ``goals`` is updated in place; returns the agents sent to park.
    """
    wanted = {g for i, g in enumerate(goals) if has_task[i]}
    blocking = [i for i in range(len(goals)) if not has_task[i] and pos[i] in wanted]
    if not blocking:
        return []
    taken = np.zeros(grid.size, dtype=bool)
    taken[list(wanted | set(pos) | set(goals))] = True
    parkable = grid.parkable & ~taken
    for i in blocking:
        dist = grid.distances_to(pos[i])
        options = np.flatnonzero(parkable)
        if options.size == 0:
            continue
        goal = int(options[np.argmin(dist[options])])
        goals[i] = goal
        parkable[goal] = False
    return blocking


def _errand_cells(tasks: RoundRobinTasks | TaskPool) -> set[int]:
    if isinstance(tasks, RoundRobinTasks):
        return set(tasks.cells)
    cells = {c for _, errands in tasks.schedule for c in errands}
    for errands in tasks.refill_source or []:
        cells.update(errands)
    return cells


def _record_errands(fleet: _Fleet, now: int) -> list[tuple[int, Task]]:
    finished = []
    for i, queue in enumerate(fleet.queue):
        if not queue:
            fleet.elapsed[i] = 0
            continue
        task = queue[0]
        if fleet.pos[i] == task.next_errand:
            task.visited += 1
            fleet.elapsed[i] = 0
            if task.visited == len(task.errands):
                task.completed_at = now
                queue.pop(0)
                finished.append((i, task))
        else:
            fleet.elapsed[i] += 1
    return finished


def _assign_pool(grid: Grid, fleet: _Fleet, open_tasks: list[Task], assign: str, now: int) -> None:
    """(Re)assign pooled tasks to agents that are free or have not started theirs."""
    agents = [i for i, q in enumerate(fleet.queue) if not q or not q[0].started]
    if not agents:
        return
    held = {i: fleet.queue[i][0] for i in agents if fleet.queue[i]}
    candidates = [t for t in open_tasks if not t.started]
    if assign == "optimal":
        new = assign_optimal(grid, agents, [fleet.pos[i] for i in agents], held, candidates)
    else:
        unheld = [t for t in candidates if t.agent is None]
        new = assign_greedy(grid, agents, [fleet.pos[i] for i in agents], held, unheld)
    for i in agents:
        old = held.get(i)
        task = new.get(i)
        if old is not None and old is not task and old.agent == i:
            old.agent, old.assigned_at = None, None
        fleet.queue[i] = [task] if task is not None else []
    for i in agents:
        task = new.get(i)
        if task is not None and task.agent != i:
            task.agent, task.assigned_at = i, now
