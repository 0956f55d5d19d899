"""PIBT: priority inheritance with backtracking (Okumura et al., 2019/2022), one step at a time.

Each step, agents in priority order pick their best free neighbour (or stay) by distance to
their goal; an agent that wants a cell held by a lower-priority agent that has not moved yet
lends it its priority, and that agent must move away first (backtracking when it cannot). The
result has no vertex and no swap conflict by construction, and the highest-priority agent
always gets closer to its goal, which with priorities that grow while an agent waits gives
reachability in lifelong runs.

Deadlock and livelock handling: every agent counts the steps since its distance to its goal
last improved; past ``stuck_after`` steps it is flagged (``stuck_events`` counts the flags),
ranked above every unflagged agent and sent on a short random detour, so symmetric cycles
(agents pushing each other back and forth, two agents meeting head-on in a corridor where PIBT
alone keeps pushing the same one back) break. The lifelong runner also moves idle agents off
cells other agents need (see :func:`smartwms.agv.lifelong.run_lifelong`). An optional
``field_of`` replaces the plain distance fields by congestion-aware ones
(see :mod:`smartwms.agv.guidance`).
"""

from __future__ import annotations

import random
import sys
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from smartwms.agv.grid import Grid

__all__ = ["PIBT"]

# A distance field provider: agent -> array of moves-to-go per cell.
FieldOf = Callable[[int], NDArray[Any]]


class PIBT:
    """One-step PIBT planner with stuck (dead/livelock) detection and resolution.

    Parameters
    ----------
    grid
        The map.
    seed
        Tie-breaking seed.
    stuck_after
        Steps without progress after which an agent is flagged as stuck (default: twice the
        map's height plus width).
    detour_radius
        Largest distance of a stuck agent's detour goal.

    Examples
    --------
    >>> from smartwms.model import GridLayout
    >>> grid = Grid(GridLayout(height=1, width=4, rows=["...."]))
    >>> PIBT(grid).step([0, 3], goals=[3, 0], order=[0, 1])  # head-on in a corridor
    [1, 2]
    """

    def __init__(
        self, grid: Grid, seed: int = 0, stuck_after: int | None = None, detour_radius: int = 6
    ) -> None:
        self.grid = grid
        self.rng = random.Random(seed)
        self.stuck_after = stuck_after or 2 * (grid.height + grid.width)
        self.stuck_events = 0
        self.detour_radius = detour_radius
        self._detour: list[int] = []
        self._detour_left: list[int] = []
        self._best: list[float] = []
        self._since: list[int] = []
        self._goal_seen: list[int] = []

    # ---------------------------------------------------------------- progress bookkeeping
    def _track(
        self, pos: Sequence[int], goals: Sequence[int], fields: list[NDArray[Any]]
    ) -> list[bool]:
        """Flag agents without progress for ``stuck_after`` steps and send them on a detour.

        A flagged agent gets a short-lived detour goal: a random non-dead-end cell a few moves
        away. Walking there moves it (and whoever it pushes) out of the symmetric pattern that
        held it; afterwards it resumes its own goal with a fresh progress count.
        """
        n = len(pos)
        if len(self._best) != n:
            self._best = [float("inf")] * n
            self._since = [0] * n
            self._goal_seen = list(goals)
            self._detour = [-1] * n
            self._detour_left = [0] * n
        stuck = [False] * n
        for i in range(n):
            if self._detour_left[i] > 0:
                self._detour_left[i] -= 1
                if pos[i] == self._detour[i] or self._detour_left[i] == 0:
                    self._detour_left[i] = 0
                    self._best[i] = float("inf")  # restart the progress count
                else:
                    fields[i] = self.grid.distances_to(self._detour[i])
                    stuck[i] = True
                    continue
            d = float(fields[i][pos[i]])
            if goals[i] != self._goal_seen[i] or d < self._best[i] or d == 0:
                self._goal_seen[i] = goals[i]
                self._best[i] = d
                self._since[i] = 0
                continue
            self._since[i] += 1
            if self._since[i] >= self.stuck_after:
                self.stuck_events += 1
                self._since[i] = 0
                self._start_detour(i, pos[i])
                if self._detour_left[i] > 0:
                    fields[i] = self.grid.distances_to(self._detour[i])
                    stuck[i] = True
        return stuck

    def _start_detour(self, agent: int, here: int) -> None:
        near = self.grid.distances_to(here)
        radius = self.rng.randint(2, self.detour_radius)
        options = np.flatnonzero(self.grid.parkable & (near >= 1) & (near <= radius))
        if options.size == 0:
            return
        self._detour[agent] = int(options[self.rng.randrange(options.size)])
        self._detour_left[agent] = 3 * radius

    # ---------------------------------------------------------------- the step
    def step(
        self,
        pos: Sequence[int],
        goals: Sequence[int],
        order: Sequence[int],
        field_of: FieldOf | None = None,
        prefer: Sequence[int] | None = None,
    ) -> list[int]:
        """Next cell of every agent.

        Parameters
        ----------
        pos
            Current cell of each agent (distinct).
        goals
            Goal cell of each agent (its current cell when idle).
        order
            Agents from highest to lowest priority.
        field_of
            Distance field per agent (default: BFS distance to its goal).
        prefer
            A preferred next cell per agent (``-1``: none), tried before the others, e.g.
            from :class:`~smartwms.agv.windowed.WindowedPlanner`.
        """
        n = len(pos)
        fields = (
            [field_of(i) for i in range(n)]
            if field_of is not None
            else [self.grid.distances_to(g) for g in goals]
        )
        stuck = self._track(pos, goals, fields)
        if any(stuck):
            order = [i for i in order if stuck[i]] + [i for i in order if not stuck[i]]
        occ_now: dict[int, int] = {c: i for i, c in enumerate(pos)}
        occ_next: dict[int, int] = {}
        nxt = [-1] * n
        nbrs = self.grid.neighbours
        rand = self.rng.random

        def plan(i: int, parent_cell: int) -> bool:
            here = pos[i]
            field = fields[i]
            cands = [*nbrs[here], here]
            want = prefer[i] if prefer is not None and not stuck[i] else -1
            keyed = [(c != want, float(field[c]), c in occ_now, rand(), c) for c in cands]
            keyed.sort()
            for item in keyed:
                c = item[-1]
                if c in occ_next or c == parent_cell:
                    continue
                occ_next[c] = i
                nxt[i] = c
                k = occ_now.get(c, -1)
                if k != -1 and k != i and nxt[k] == -1 and not plan(k, here):
                    continue
                return True
            occ_next[here] = i
            nxt[i] = here
            return False

        limit = sys.getrecursionlimit()
        if limit < 4 * n + 200:
            sys.setrecursionlimit(4 * n + 200)
        try:
            for i in order:
                if nxt[i] == -1:
                    plan(i, -1)
        finally:
            sys.setrecursionlimit(limit)
        return nxt
