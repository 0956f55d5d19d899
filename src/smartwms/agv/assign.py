"""Task assignment for pooled tasks: greedy nearest (baseline) and optimal batch assignment.

Both see the agents that are free or hold a task they have not started (first errand not yet
reached) and the open tasks nobody has started; travel estimates are BFS distances from the
agent's cell to the task's first errand plus the task's own errand chain, from the grid's
cached distance fields.

* ``greedy``: an agent keeps the unstarted task it holds; every open task in release order
  takes the nearest free agent.
* ``optimal``: each step, a minimum-cost matching of all those agents and tasks (OR-Tools
  linear sum assignment), so a task an agent holds but has not started may move to a closer
  agent; holding on to the current task gets a one-move bonus to avoid flapping.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray
from ortools.graph.python import linear_sum_assignment

from smartwms.agv.grid import UNREACHABLE, Grid
from smartwms.agv.tasks import Task
from smartwms.errors import SmartwmsError

__all__ = ["ASSIGNERS", "assign_greedy", "assign_optimal", "chain_length"]

ASSIGNERS = ("greedy", "optimal")
_BIG = 10**7


def chain_length(grid: Grid, task: Task) -> int:
    """Moves along a task's errands from its first to its last."""
    return sum(grid.distance(a, b) for a, b in zip(task.errands, task.errands[1:], strict=False))


def _costs(grid: Grid, cells: Sequence[int], tasks: Sequence[Task]) -> NDArray[np.int64]:
    """``cost[i, j]``: moves for the agent at ``cells[i]`` to finish ``tasks[j]``."""
    idx = np.asarray(cells, dtype=np.int64)
    cols = [
        grid.distances_to(t.errands[t.visited])[idx].astype(np.int64) + chain_length(grid, t)
        for t in tasks
    ]
    cost = np.stack(cols, axis=1) if cols else np.zeros((len(cells), 0), dtype=np.int64)
    return np.minimum(cost, UNREACHABLE)


def assign_greedy(
    grid: Grid,
    agents: Sequence[int],
    cells: Sequence[int],
    held: dict[int, Task],
    open_: list[Task],
) -> dict[int, Task]:
    """Greedy nearest: held unstarted tasks stay; each open task, oldest first, takes the
    nearest free agent.

    Returns the new ``agent -> task`` map for ``agents`` (agents absent stay idle).
    """
    out = {a: t for a, t in held.items() if a in set(agents)}
    taken = {id(t) for t in out.values()}
    free_tasks = [t for t in open_ if id(t) not in taken]
    if not free_tasks:
        return out
    free_agents = [(a, c) for a, c in zip(agents, cells, strict=True) if a not in out]
    if not free_agents:
        return out
    cost = _costs(grid, [c for _, c in free_agents], free_tasks).astype(float)
    for col, task in enumerate(free_tasks):  # oldest task first takes the nearest free agent
        row = int(np.argmin(cost[:, col]))
        if cost[row, col] >= UNREACHABLE:
            continue
        out[free_agents[row][0]] = task
        cost[row, :] = np.inf
    return out


def assign_optimal(
    grid: Grid,
    agents: Sequence[int],
    cells: Sequence[int],
    held: dict[int, Task],
    open_: list[Task],
) -> dict[int, Task]:
    """Minimum total travel matching of agents and unstarted tasks (OR-Tools).

    ``open_`` must include the tasks in ``held``; they are all up for reassignment.
    """
    if not agents or not open_:
        return {}
    cost = _costs(grid, cells, open_)
    index = {id(t): j for j, t in enumerate(open_)}
    for row, agent in enumerate(agents):
        task = held.get(agent)
        if task is not None and id(task) in index:
            cost[row, index[id(task)]] -= 1  # keep what you hold when it is as good
    k, m = cost.shape
    size = max(k, m)
    square = np.full((size, size), 0, dtype=np.int64)
    square[:k, :m] = np.minimum(cost + 1, _BIG)  # +1 keeps the stickiness bonus >= 0
    left, right = np.meshgrid(np.arange(size), np.arange(size), indexing="ij")
    solver = linear_sum_assignment.SimpleLinearSumAssignment()
    solver.add_arcs_with_cost(left.ravel(), right.ravel(), square.ravel())
    status = solver.solve()
    if status != solver.OPTIMAL:
        raise SmartwmsError(f"linear sum assignment failed with status {status}")
    out: dict[int, Task] = {}
    for row, agent in enumerate(agents):
        j = solver.right_mate(row)
        if j < m and cost[row, j] < UNREACHABLE - 1:
            out[agent] = open_[j]
    return out
