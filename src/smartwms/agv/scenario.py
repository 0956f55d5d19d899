"""Build a lifelong run from files: a LoRR problem, or a map with agents and (optional) tasks.

This is what ``smartwms agv run`` and the benchmark call; it only turns file names and
options into :func:`~smartwms.agv.lifelong.run_lifelong` arguments and checks them, naming the
option at fault.

* ``--problem LORR.json``: tasks follow the file's ``taskAssignmentStrategy`` (roundrobin),
  unless ``assign`` pools them (greedy or optimal).
* ``--map MAP --agents FILE_OR_N``: ``N`` agents start on distinct cells drawn with the seed
  (the ``.pd`` endpoints when a ``MAP.pd`` file exists, else any free cell). With ``--tasks``
  the LoRR task file is used (roundrobin unless ``assign``); without, pickup -> delivery tasks
  are generated with the seed (``.pd`` pickup/delivery cells when present), pooled.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path

from smartwms.agv.battery import BatteryPolicy
from smartwms.agv.grid import Grid
from smartwms.agv.lifelong import AgvRunResult, Progress, run_lifelong
from smartwms.agv.tasks import RoundRobinTasks, TaskPool, generated_tasks, lorr_pool
from smartwms.errors import InstanceValidationError, SmartwmsError
from smartwms.io.mapf import read_agents, read_lorr_problem, read_map, read_pd, read_tasks
from smartwms.model import Battery, GridLayout
from smartwms.stopping import Stop

__all__ = ["AUTO_GUIDED_LIMIT", "RunOptions", "choose_planner", "run_from_options"]

#: ``planner="auto"`` uses traffic guidance while agents x cells stays under this (memory).
AUTO_GUIDED_LIMIT = 20_000_000


@dataclass(frozen=True)
class RunOptions:
    """The options of ``smartwms agv run``."""

    problem: Path | None = None
    map_file: Path | None = None
    agents: str | None = None
    tasks_file: Path | None = None
    steps: int = 500
    seed: int = 0
    assign: str | None = None
    planner: str = "auto"
    task_count: int | None = None
    task_frequency: float = 1.0
    battery: bool = False
    chargers: str | None = None


def choose_planner(planner: str, n_agents: int, layout: GridLayout) -> str:
    """Resolve ``auto``: guided on maps where per-agent fields fit in memory, else PIBT."""
    if planner != "auto":
        return planner
    cells = layout.height * layout.width
    return "guided" if n_agents * cells <= AUTO_GUIDED_LIMIT else "pibt"


def _option_error(option: str, reason: str) -> SmartwmsError:
    return InstanceValidationError([(option, reason)])


def _starts(agents: str, layout: GridLayout, pd_ends: tuple[int, ...], seed: int) -> list[int]:
    if agents.strip().isdigit():
        count = int(agents)
        grid_free = [c for c in range(layout.height * layout.width) if layout.is_free(c)]
        pool = list(pd_ends) if len(pd_ends) >= count else grid_free
        if not 1 <= count <= len(pool):
            raise _option_error("--agents", f"expected 1..{len(pool)} agents, got {count}")
        return random.Random(seed).sample(pool, count)
    path = Path(agents)
    if not path.exists():
        raise _option_error("--agents", f"{agents!r} is neither a number nor an existing file")
    return list(read_agents(path, layout))


def _problem_run(
    opts: RunOptions,
) -> tuple[GridLayout, list[int], RoundRobinTasks | TaskPool, str]:
    if opts.problem is None:
        raise _option_error("--problem", "missing")
    if not opts.problem.exists():
        raise _option_error("--problem", f"no such file {str(opts.problem)!r}")
    prob = read_lorr_problem(opts.problem)
    starts = list(prob.starts)
    tasks: RoundRobinTasks | TaskPool
    if opts.assign is None:
        tasks = RoundRobinTasks(prob.tasks, len(starts), prob.num_tasks_reveal)
    else:
        tasks = lorr_pool(prob.tasks, len(starts), prob.num_tasks_reveal)
    return prob.layout, starts, tasks, prob.map_path


def _map_run(opts: RunOptions) -> tuple[GridLayout, list[int], RoundRobinTasks | TaskPool, str]:
    assert opts.map_file is not None
    if not opts.map_file.exists():
        raise _option_error("--map", f"no such file {str(opts.map_file)!r}")
    if opts.agents is None:
        raise _option_error("--agents", "needed with --map (a .agents file or a number)")
    layout = read_map(opts.map_file)
    pd_path = opts.map_file.with_name(opts.map_file.name + ".pd")
    pd = read_pd(pd_path, layout) if pd_path.exists() else None
    starts = _starts(opts.agents, layout, pd.endpoints if pd else (), opts.seed)
    tasks: RoundRobinTasks | TaskPool
    if opts.tasks_file is not None:
        if not opts.tasks_file.exists():
            raise _option_error("--tasks", f"no such file {str(opts.tasks_file)!r}")
        cells = read_tasks(opts.tasks_file, layout)
        if not cells:
            raise _option_error("--tasks", "the file lists no task")
        tasks = (
            RoundRobinTasks(cells, len(starts))
            if opts.assign is None
            else lorr_pool(cells, len(starts))
        )
    else:
        free = [c for c in range(layout.height * layout.width) if layout.is_free(c)]
        pickups = list(pd.pickup) if pd and pd.pickup else free
        deliveries = list(pd.delivery) if pd and pd.delivery else free
        count = opts.task_count
        if count is None:
            count = max(1, int(opts.steps * opts.task_frequency))
        if count < 1:
            raise _option_error("--task-count", f"must be >= 1, got {count}")
        if opts.task_frequency <= 0:
            raise _option_error("--task-frequency", f"must be > 0, got {opts.task_frequency}")
        try:
            tasks = generated_tasks(pickups, deliveries, count, opts.task_frequency, opts.seed)
        except ValueError as exc:
            raise _option_error("tasks", str(exc)) from None
    return layout, starts, tasks, str(opts.map_file)


def run_from_options(
    opts: RunOptions, progress: Progress | None = None, stop: Stop | None = None
) -> AgvRunResult:
    """Load the inputs the options name, run, and return the result."""
    if (opts.problem is None) == (opts.map_file is None):
        raise _option_error("--problem/--map", "give exactly one of --problem or --map")
    if opts.steps < 1:
        raise _option_error("--steps", f"must be >= 1, got {opts.steps}")
    if opts.assign not in (None, "greedy", "optimal"):
        raise _option_error("--assign", f"expected greedy or optimal, got {opts.assign!r}")
    if opts.planner not in ("auto", "pibt", "guided", "windowed"):
        raise _option_error(
            "--planner", f"expected auto, pibt, guided or windowed, got {opts.planner!r}"
        )
    if opts.problem is not None:
        layout, starts, tasks, map_path = _problem_run(opts)
    else:
        layout, starts, tasks, map_path = _map_run(opts)
    grid = Grid(layout)
    policy = None
    if opts.battery:
        policy = _battery(opts, grid, len(starts))
    return run_lifelong(
        layout,
        starts,
        tasks,
        opts.steps,
        assign=opts.assign or "greedy",
        planner=choose_planner(opts.planner, len(starts), layout),
        seed=opts.seed,
        stop=stop,
        progress=progress,
        battery=policy,
        map_path=map_path,
        grid=grid,
    )


def _battery(opts: RunOptions, grid: Grid, n_agents: int) -> BatteryPolicy:
    if opts.chargers:
        try:
            cells = [int(c) for c in opts.chargers.split(",") if c.strip()]
        except ValueError:
            raise _option_error(
                "--chargers", f"expected cell numbers, got {opts.chargers!r}"
            ) from None
    else:
        # Default chargers: up to 8 cells spread along the first row that has free cells.
        free = grid.free_cells
        edge = [int(c) for c in free if c // grid.width in (free[0] // grid.width,)]
        cells = edge[:: max(1, len(edge) // 8)][:8]
    try:
        return BatteryPolicy(grid, Battery(), cells, n_agents)
    except ValueError as exc:
        raise _option_error("--chargers", str(exc)) from None
