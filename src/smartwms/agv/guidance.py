"""Traffic-flow guidance for PIBT (after Chen et al., AAAI 2024).

Plain PIBT lets every agent descend the plain distance field to its goal, so agents pile into
the same shortest corridors from both ends and stall head-on. Here each agent, when it gets a
new goal, plans a *guide path* with Dijkstra on move costs that grow with the traffic the
other agents' guide paths already put on the grid: a move ``u -> v`` costs
``1 + contraflow * (guide paths using v -> u) + vertex * (guide paths through v)``. The agent's
PIBT heuristic is then its congestion-aware cost-to-goal field, so traffic spreads over
parallel aisles and opposite flows separate. The field is exact for its costs (so PIBT's
descent still reaches the goal) and is recomputed only when the agent's goal changes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from smartwms.agv.grid import Grid

__all__ = ["TrafficGuidance"]


class TrafficGuidance:
    """Per-agent congestion-aware distance fields and the guide-path traffic they create.

    Parameters
    ----------
    grid
        The map.
    contraflow
        Extra cost of a move per guide path using the opposite move.
    vertex
        Extra cost of entering a cell per guide path through it.

    Examples
    --------
    >>> from smartwms.model import GridLayout
    >>> g = Grid(GridLayout(height=2, width=3, rows=["...", "..."]))
    >>> guide = TrafficGuidance(g)
    >>> field_of = guide.fields([0, 5], [2, 3])
    >>> float(field_of(0)[0]) >= 2.0
    True
    """

    def __init__(self, grid: Grid, contraflow: float = 0.6, vertex: float = 0.15) -> None:
        self.grid = grid
        self.contraflow = contraflow
        self.vertex = vertex
        src, dst = [], []
        for u, nbrs in enumerate(grid.neighbours):
            for v in nbrs:
                src.append(u)
                dst.append(v)
        self.src = np.asarray(src, dtype=np.int64)
        self.dst = np.asarray(dst, dtype=np.int64)
        edge_id = {(u, v): e for e, (u, v) in enumerate(zip(src, dst, strict=True))}
        self.edge_id = edge_id
        self.opposite = np.asarray([edge_id[(v, u)] for u, v in zip(src, dst, strict=True)])
        n_edges = len(src)
        # Reversed graph (v -> u carries the cost of u -> v): Dijkstra from a goal gives
        # cost-to-goal. Keep the CSR structure and only rewrite its data per query.
        probe = csr_matrix(
            (np.arange(1, n_edges + 1, dtype=float), (self.dst, self.src)),
            shape=(grid.size, grid.size),
        )
        self._csr = probe
        self._perm = probe.data.astype(np.int64) - 1
        self.edge_flow = np.zeros(n_edges, dtype=np.int32)
        self.vertex_flow = np.zeros(grid.size, dtype=np.int32)
        self._goal: list[int] = []
        self._field: list[NDArray[np.float32]] = []
        self._path_edges: list[list[int]] = []
        self.recomputed = 0

    def _costs(self) -> NDArray[np.float64]:
        return (
            1.0
            + self.contraflow * self.edge_flow[self.opposite]
            + self.vertex * self.vertex_flow[self.dst]
        )

    def _field_to(self, goal: int) -> NDArray[np.float32]:
        self._csr.data = self._costs()[self._perm]
        self.recomputed += 1
        # float32 halves the memory of the per-agent fields (costs are small sums).
        return np.asarray(dijkstra(self._csr, directed=True, indices=goal), dtype=np.float32)

    def _guide_path(self, start: int, field: NDArray[np.float32]) -> list[int]:
        edges = []
        here = start
        nbrs = self.grid.neighbours
        for _ in range(self.grid.size):
            if field[here] <= 0 or not np.isfinite(field[here]):
                break
            nxt = min(nbrs[here], key=lambda v: field[v])
            if field[nxt] >= field[here]:
                break
            edges.append(self.edge_id[(here, nxt)])
            here = nxt
        return edges

    def _replan(self, agent: int, start: int, goal: int) -> None:
        old = self._path_edges[agent]
        if old:
            np.subtract.at(self.edge_flow, old, 1)
            np.subtract.at(self.vertex_flow, self.dst[old], 1)
        field = self._field_to(goal)
        path = self._guide_path(start, field)
        if path:
            np.add.at(self.edge_flow, path, 1)
            np.add.at(self.vertex_flow, self.dst[path], 1)
        self._goal[agent] = goal
        self._field[agent] = field
        self._path_edges[agent] = path

    def fields(self, pos: Sequence[int], goals: Sequence[int]) -> Callable[[int], NDArray[Any]]:
        """Update guide paths of agents whose goal changed; return ``agent -> field``."""
        n = len(pos)
        if len(self._goal) != n:
            self._goal = [-1] * n
            self._field = [np.zeros(0, dtype=np.float32)] * n
            self._path_edges = [[] for _ in range(n)]
        for i in range(n):
            if goals[i] != self._goal[i]:
                self._replan(i, pos[i], goals[i])
        fields = self._field
        return fields.__getitem__
