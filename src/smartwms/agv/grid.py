"""The grid an AGV fleet drives on: free cells, 4-neighbours and cached distance-to-goal fields.

A distance field (moves from every cell to one goal, on the free cells) is computed once per
goal by a breadth-first search on the sparse grid graph of :func:`smartwms.layout.grid_graph`
and kept in a bounded least-recently-used cache: lifelong planners ask for the same goals again
and again (a LoRR task file reuses a few hundred cells on ``warehouse_small``).
"""

from __future__ import annotations

from collections import OrderedDict

import numpy as np
from numpy.typing import NDArray
from scipy.sparse.csgraph import shortest_path

from smartwms.layout import grid_graph
from smartwms.model import GridLayout

__all__ = ["UNREACHABLE", "Grid"]

#: Distance stored for cells that cannot reach the goal (and for obstacles).
UNREACHABLE = np.iinfo(np.int32).max // 4


class Grid:
    """A 4-connected grid map with neighbour tables and per-goal distance fields.

    Parameters
    ----------
    layout
        The map.
    cache_bytes
        Memory budget of the distance-field cache.

    Examples
    --------
    >>> g = Grid(GridLayout(height=2, width=3, rows=["..@", "..."]))
    >>> g.neighbours[0]
    (1, 3)
    >>> int(g.distances_to(2 * 3 - 1)[0])
    3
    >>> g.is_free(2)
    False
    """

    def __init__(self, layout: GridLayout, cache_bytes: int = 512 * 2**20) -> None:
        self.layout = layout
        self.height = layout.height
        self.width = layout.width
        self.size = layout.height * layout.width
        self.free: NDArray[np.bool_] = np.array(
            [[ch not in GridLayout.OBSTACLES for ch in row] for row in layout.rows], dtype=bool
        ).reshape(-1)
        self._graph = grid_graph(layout)
        self.neighbours: list[tuple[int, ...]] = self._neighbour_lists()
        degree = np.array([len(nb) for nb in self.neighbours])
        #: Free cells with two or more free neighbours (parking spots that are not dead ends).
        self.parkable: NDArray[np.bool_] = self.free & (degree >= 2)
        self._cache: OrderedDict[int, NDArray[np.int32]] = OrderedDict()
        self._cache_limit = max(8, cache_bytes // (4 * self.size))
        self.bfs_count = 0

    def _neighbour_lists(self) -> list[tuple[int, ...]]:
        out: list[tuple[int, ...]] = []
        w, h = self.width, self.height
        free = self.free
        for cell in range(self.size):
            if not free[cell]:
                out.append(())
                continue
            r, c = divmod(cell, w)
            cand = []
            if r > 0:
                cand.append(cell - w)
            if c > 0:
                cand.append(cell - 1)
            if c < w - 1:
                cand.append(cell + 1)
            if r < h - 1:
                cand.append(cell + w)
            out.append(tuple(sorted(v for v in cand if free[v])))
        return out

    def reserve(self, fields: int) -> None:
        """Let the cache hold at least ``fields`` distance fields (e.g. two per agent), so a
        large fleet does not evict the fields it uses every step."""
        self._cache_limit = max(self._cache_limit, fields)

    def is_free(self, cell: int) -> bool:
        """Whether ``cell`` is on the map and not an obstacle."""
        return 0 <= cell < self.size and bool(self.free[cell])

    @property
    def free_cells(self) -> NDArray[np.int64]:
        """Linear indices of the free cells."""
        return np.flatnonzero(self.free)

    def distances_to(self, goal: int) -> NDArray[np.int32]:
        """Moves from every cell to ``goal`` (:data:`UNREACHABLE` where there is no path)."""
        hit = self._cache.get(goal)
        if hit is not None:
            self._cache.move_to_end(goal)
            return hit
        raw = shortest_path(self._graph, directed=False, unweighted=True, indices=goal)
        field = np.where(np.isfinite(raw), raw, UNREACHABLE).astype(np.int32)
        field.setflags(write=False)
        self.bfs_count += 1
        self._cache[goal] = field
        if len(self._cache) > self._cache_limit:
            self._cache.popitem(last=False)
        return field

    def distance(self, a: int, b: int) -> int:
        """Moves between two cells (:data:`UNREACHABLE` if none)."""
        return int(self.distances_to(b)[a])

    def cell(self, row: int, col: int) -> int:
        """Linear index of ``(row, col)``."""
        return row * self.width + col

    def row_col(self, cell: int) -> tuple[int, int]:
        """``(row, col)`` of a linear index."""
        return divmod(cell, self.width)
