"""Windowed prioritised planning: space-time A* against a reservation table (WHCA*-style).

Every ``replan_every`` steps, agents in priority order each plan ``window`` steps ahead with a
space-time A* (moves and waits cost 1, heuristic = BFS distance to the goal) that avoids the
cells and the edges (in either direction) already reserved by higher-priority agents, then
reserve their own path. These paths are the agents' *preferred* next moves; PIBT executes the
step and keeps it collision-free whatever happens (an agent whose path failed, or that was
pushed off its path, simply falls back to PIBT's own choice until the next replanning). This
is the quality option: it looks ahead and lets agents wait for each other instead of meeting
head-on, at a higher planning cost than plain PIBT.
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from smartwms.agv.grid import Grid

__all__ = ["WindowedPlanner"]


class WindowedPlanner:
    """Prioritised space-time A* with a rolling window.

    Parameters
    ----------
    grid
        The map.
    window
        Steps each agent plans ahead.
    replan_every
        Steps between replanning rounds (default: half the window).
    expansion_limit
        Search nodes one agent's A* may expand before giving up (then it has no preference).

    Examples
    --------
    >>> from smartwms.model import GridLayout
    >>> g = Grid(GridLayout(height=2, width=3, rows=["...", "..."]))
    >>> wp = WindowedPlanner(g, window=4)
    >>> wp.preferred(0, [0, 2], [2, 0], [0, 1])  # the second agent detours below
    [1, 5]
    """

    def __init__(
        self,
        grid: Grid,
        window: int = 8,
        replan_every: int | None = None,
        expansion_limit: int = 2000,
    ) -> None:
        self.grid = grid
        self.window = window
        self.replan_every = replan_every or max(1, window // 2)
        self.expansion_limit = expansion_limit
        self._paths: list[list[int]] = []
        self._planned_at = -(10**9)
        self.failures = 0

    def preferred(
        self,
        now: int,
        pos: Sequence[int],
        goals: Sequence[int],
        order: Sequence[int],
        fields: Sequence[NDArray[np.int32]] | None = None,
    ) -> list[int]:
        """Each agent's preferred next cell (``-1``: no preference)."""
        n = len(pos)
        if len(self._paths) != n or now - self._planned_at >= self.replan_every:
            self._replan(pos, goals, order, fields)
            self._planned_at = now
        offset = now - self._planned_at
        out = []
        for i in range(n):
            path = self._paths[i]
            if len(path) > offset + 1 and path[offset] == pos[i]:
                out.append(path[offset + 1])
            else:
                out.append(-1)
        return out

    def _replan(
        self,
        pos: Sequence[int],
        goals: Sequence[int],
        order: Sequence[int],
        fields: Sequence[NDArray[np.int32]] | None,
    ) -> None:
        n = len(pos)
        vertex: set[tuple[int, int]] = set()
        edge: set[tuple[int, int, int]] = set()
        self._paths = [[] for _ in range(n)]
        # Reservations grow as agents plan in priority order; lower-priority agents still in
        # the way are moved by PIBT when the plan is executed.
        for i in order:
            field = fields[i] if fields is not None else self.grid.distances_to(goals[i])
            path = self._search(pos[i], goals[i], field, vertex, edge)
            if path is None:
                self.failures += 1
                path = [pos[i]]
            for t, cell in enumerate(path):
                vertex.add((t, cell))
                if t:
                    edge.add((t, path[t - 1], cell))
            # The agent keeps its last cell for the rest of the window.
            for t in range(len(path), self.window + 1):
                vertex.add((t, path[-1]))
            self._paths[i] = path

    def _search(
        self,
        start: int,
        goal: int,
        field: NDArray[np.int32],
        vertex: set[tuple[int, int]],
        edge: set[tuple[int, int, int]],
    ) -> list[int] | None:
        window = self.window
        nbrs = self.grid.neighbours
        start_node = (start, 0)
        parent: dict[tuple[int, int], tuple[int, int] | None] = {start_node: None}
        frontier = [(int(field[start]), 0, start)]
        best: tuple[int, int] | None = None
        best_key = (10**9, 0)
        expanded = 0
        while frontier and expanded < self.expansion_limit:
            f, t, cell = heapq.heappop(frontier)
            expanded += 1
            h = f - t
            key = (h, -t)
            if key < best_key:
                best_key, best = key, (cell, t)
            if cell == goal or t == window:
                best = (cell, t)
                break
            for nxt in (*nbrs[cell], cell):
                child = (nxt, t + 1)
                if child in parent or (t + 1, nxt) in vertex or (t + 1, nxt, cell) in edge:
                    continue
                parent[child] = (cell, t)
                heapq.heappush(frontier, (t + 1 + int(field[nxt]), t + 1, nxt))
        if best is None or best == start_node:
            return None if best is None else [start]
        path = []
        node: tuple[int, int] | None = best
        while node is not None:
            path.append(node[0])
            node = parent[node]
        return path[::-1]
