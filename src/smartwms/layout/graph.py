"""Graph views of layouts: networkx graphs and sparse shortest paths.

Graph layouts (Foodmart, irregular sites) use these as their production distance path; for
parallel-aisle layouts :func:`aisle_network` builds the equivalent walking network, which the
tests use to check the closed form and the plotting module uses to draw it.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import networkx as nx
import numpy as np
from numpy.typing import NDArray
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from smartwms.layout.geometry import AislePoints
from smartwms.model import GraphLayout, GridLayout, ParallelAisleLayout

__all__ = [
    "aisle_network",
    "graph_distances",
    "grid_distances",
    "grid_graph",
    "layout_graph",
]

_EPS = 1e-12  # stands in for zero-length arcs


def aisle_network(layout: ParallelAisleLayout, points: AislePoints) -> tuple[nx.Graph, list[str]]:
    """The walking network of a parallel-aisle layout through the given points.

    Returns the graph (edge attribute ``length``) and the node name of each point.
    Aisles run from the back to the front cross aisle; cross aisles span the first to the last
    aisle and any station between or beyond them.
    """
    graph = nx.Graph()
    cross_y = layout.cross_aisle_y
    aisle_stops: dict[int, set[float]] = {a: set(cross_y) for a in range(layout.n_aisles)}
    cross_stops: dict[int, set[float]] = {
        k: {layout.aisle_x(a) for a in range(layout.n_aisles)} for k in range(len(cross_y))
    }
    names: list[str] = []
    for i in range(len(points)):
        x, y = float(points.x[i]), float(points.y[i])
        aisle, cross = int(points.aisle[i]), int(points.cross[i])
        if aisle >= 0:
            aisle_stops[aisle].add(y)
        if cross >= 0:
            cross_stops[cross].add(x)
        anchor = _node(x, y)
        if points.spur[i] > 0:
            name = f"spur{i}"
            graph.add_edge(name, anchor, length=float(points.spur[i]))
            names.append(name)
        else:
            names.append(anchor)
    for a, ys in aisle_stops.items():
        _chain(graph, [(layout.aisle_x(a), y) for y in sorted(ys)])
    for k, xs in cross_stops.items():
        _chain(graph, [(x, cross_y[k]) for x in sorted(xs)])
    return graph, names


def _node(x: float, y: float) -> str:
    return f"{round(x, 9)!r},{round(y, 9)!r}"


def _chain(graph: nx.Graph, coords: list[tuple[float, float]]) -> None:
    for (x1, y1), (x2, y2) in itertools.pairwise(coords):
        length = abs(x1 - x2) + abs(y1 - y2)
        graph.add_edge(_node(x1, y1), _node(x2, y2), length=length)


def layout_graph(layout: GraphLayout) -> nx.Graph | nx.DiGraph:
    """The networkx graph of a graph layout (directed if any arc is one-way)."""
    directed = any(arc.directed for arc in layout.arcs)
    graph: nx.Graph | nx.DiGraph = nx.DiGraph() if directed else nx.Graph()
    graph.add_nodes_from((n.id, {"x": n.x, "y": n.y}) for n in layout.nodes)
    for arc in layout.arcs:
        _add_shorter(graph, arc.tail, arc.head, arc.length)
        if directed and not arc.directed:
            _add_shorter(graph, arc.head, arc.tail, arc.length)
    return graph


def _add_shorter(graph: nx.Graph | nx.DiGraph, u: str, v: str, length: float) -> None:
    # Parallel arcs: only the shortest matters for walking.
    if graph.has_edge(u, v) and graph[u][v]["length"] <= length:
        return
    graph.add_edge(u, v, length=length)


# A small cache of sparse matrices: layouts are immutable, and solvers ask again and again.
_CSR_CACHE: dict[int, tuple[object, csr_matrix, dict[str, int]]] = {}
_CSR_CACHE_SIZE = 8


def _sparse(layout: GraphLayout) -> tuple[csr_matrix, dict[str, int]]:
    hit = _CSR_CACHE.get(id(layout))
    if hit is not None and hit[0] is layout:
        return hit[1], hit[2]
    index = {n.id: i for i, n in enumerate(layout.nodes)}
    n = len(index)
    rows, cols, lengths = [], [], []
    for arc in layout.arcs:
        t, h = index[arc.tail], index[arc.head]
        rows.append(t)
        cols.append(h)
        lengths.append(arc.length or _EPS)  # csgraph treats explicit zeros as missing arcs
        if not arc.directed:
            rows.append(h)
            cols.append(t)
            lengths.append(arc.length or _EPS)
    matrix = _min_duplicates(rows, cols, lengths, n)
    if len(_CSR_CACHE) >= _CSR_CACHE_SIZE:
        _CSR_CACHE.pop(next(iter(_CSR_CACHE)))
    _CSR_CACHE[id(layout)] = (layout, matrix, index)
    return matrix, index


def _min_duplicates(rows: list[int], cols: list[int], lengths: list[float], n: int) -> csr_matrix:
    best: dict[tuple[int, int], float] = {}
    for r, c, w in zip(rows, cols, lengths, strict=True):
        if (r, c) not in best or w < best[(r, c)]:
            best[(r, c)] = w
    keys = list(best)
    return csr_matrix(
        ([best[k] for k in keys], ([k[0] for k in keys], [k[1] for k in keys])), shape=(n, n)
    )


def graph_distances(
    layout: GraphLayout, sources: Sequence[str], targets: Sequence[str] | None = None
) -> NDArray[np.float64]:
    """Shortest-path lengths between nodes of a graph layout (``inf`` where unreachable)."""
    matrix, index = _sparse(layout)
    src = [index[s] for s in sources]
    tgt = src if targets is None else [index[t] for t in targets]
    unique_src, inverse = np.unique(np.asarray(src, dtype=np.int64), return_inverse=True)
    dist = dijkstra(matrix, directed=True, indices=unique_src)
    return np.asarray(np.atleast_2d(dist)[inverse][:, tgt], dtype=np.float64)


def grid_graph(layout: GridLayout) -> csr_matrix:
    """The 4-connected graph of a grid map's free cells, indexed by linear cell index."""
    free = np.array([[ch not in GridLayout.OBSTACLES for ch in row] for row in layout.rows])
    h, w = free.shape
    idx = np.arange(h * w).reshape(h, w)
    right = free[:, :-1] & free[:, 1:]
    down = free[:-1, :] & free[1:, :]
    src = np.concatenate([idx[:, :-1][right], idx[:-1, :][down]])
    dst = np.concatenate([idx[:, 1:][right], idx[1:, :][down]])
    ones = np.ones(len(src) * 2)
    return csr_matrix(
        (ones, (np.concatenate([src, dst]), np.concatenate([dst, src]))), shape=(h * w, h * w)
    )


def grid_distances(
    layout: GridLayout, sources: Sequence[int], targets: Sequence[int] | None = None
) -> NDArray[np.float64]:
    """Shortest 4-neighbour move counts between cells of a grid map (``inf`` if unreachable)."""
    graph = grid_graph(layout)
    tgt = list(sources if targets is None else targets)
    dist = dijkstra(graph, directed=False, unweighted=True, indices=list(sources))
    return np.atleast_2d(dist)[:, tgt]
