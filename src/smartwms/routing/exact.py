"""Exact picker routing in parallel-aisle warehouses: the column dynamic program.

:func:`optimal_tour` returns a provably shortest closed tour from the depot through every pick
position. It is the dynamic program of Ratliff & Rosenthal (1983) for one block, of Roodbergen
& de Koster (2001) for two blocks and, in the general form of Pansart, Catusse & Cambazard
(2018), for a few more: the aisles are swept from left to right and a small *frontier state*
(degree parity and connectivity of the current aisle's cross-aisle vertices) summarises every
partial tour. The DP's choices give a tour subgraph whose Euler circuit is the visiting order.

:func:`optimal_tour_scattered` solves scattered storage (SPRP-SS: an article sits in several
positions, pick enough units from any of them) by branch and bound over the positions to visit,
each node bounded by the exact tour through the positions chosen so far.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

import numpy as np
from numpy.typing import NDArray

from smartwms.errors import InstanceValidationError, SmartwmsError
from smartwms.layout import location_points
from smartwms.model import ParallelAisleLayout, Station
from smartwms.routing._dp_kernel import block_costs, sweep
from smartwms.routing._dp_tables import BOTTOM, GAP, PASS1, PASS2, TOP, Tables, tables_for

__all__ = ["MAX_EXACT_BLOCKS", "optimal_tour", "optimal_tour_length"]

MAX_EXACT_BLOCKS = 3
"""Largest number of blocks the exact DP handles (its state space grows fast with blocks)."""


@dataclass(frozen=True)
class _Problem:
    """Picks and depot in the DP's terms: aisles shifted so the first relevant one is ``0``."""

    layout: ParallelAisleLayout
    tables: Tables
    cross_y: NDArray[np.float64]
    first_col: int
    n_cols: int
    col: NDArray[np.int64]
    block: NDArray[np.int64]
    y: NDArray[np.float64]
    depot_col: int
    depot_cross: int
    spur: float


def _prepare(
    layout: ParallelAisleLayout, depot: Station, aisles: Sequence[int], cells: Sequence[int]
) -> _Problem:
    if not isinstance(layout, ParallelAisleLayout):
        raise SmartwmsError("the exact routing DP needs a parallel-aisle layout")
    if layout.n_blocks > MAX_EXACT_BLOCKS:
        raise SmartwmsError(
            f"the exact routing DP supports at most {MAX_EXACT_BLOCKS} blocks, "
            f"the layout has {layout.n_blocks}; use a heuristic or OR-Tools"
        )
    if depot.aisle is None:
        raise SmartwmsError(
            f"the exact routing DP needs the depot '{depot.id}' at an aisle (set its 'aisle')"
        )
    problems: list[tuple[str, str]] = []
    if not 0 <= depot.aisle < layout.n_aisles:
        problems.append(("depot.aisle", f"{depot.aisle} outside 0..{layout.n_aisles - 1}"))
    if depot.cross_aisle is None or not 0 <= depot.cross_aisle <= layout.n_blocks:
        problems.append(("depot.cross_aisle", f"{depot.cross_aisle} outside 0..{layout.n_blocks}"))
    if len(aisles) != len(cells):
        problems.append(("cells", f"{len(cells)} cells for {len(aisles)} aisles"))
    col = np.asarray(aisles, dtype=np.int64).reshape(-1)
    cell = np.asarray(cells, dtype=np.int64).reshape(-1)
    if not problems and len(col):
        if col.min() < 0 or col.max() >= layout.n_aisles:
            bad = int(col[(col < 0) | (col >= layout.n_aisles)][0])
            problems.append(("aisles", f"aisle {bad} outside 0..{layout.n_aisles - 1}"))
        if cell.min() < 0 or cell.max() >= layout.cells_per_aisle:
            bad = int(cell[(cell < 0) | (cell >= layout.cells_per_aisle)][0])
            problems.append(("cells", f"cell {bad} outside 0..{layout.cells_per_aisle - 1}"))
    if problems:
        raise InstanceValidationError(problems)
    assert depot.cross_aisle is not None
    first = min(int(col.min()), depot.aisle) if len(col) else depot.aisle
    last = max(int(col.max()), depot.aisle) if len(col) else depot.aisle
    return _Problem(
        layout=layout,
        tables=tables_for(layout.n_cross_aisles),
        cross_y=np.asarray(layout.cross_aisle_y, dtype=np.float64),
        first_col=first,
        n_cols=last - first + 1,
        col=col - first,
        block=cell // layout.cells_per_block,
        y=location_points(layout, col, cell).y,  # type: ignore[arg-type]
        depot_col=depot.aisle - first,
        depot_cross=depot.cross_aisle,
        spur=depot.spur,
    )


def _solve(p: _Problem) -> tuple[float, NDArray[np.int64], NDArray[np.int64]]:
    t = p.tables
    cost, has = block_costs(p.n_cols, p.layout.n_blocks, p.cross_y, p.col, p.block, p.y)
    length, configs, hcodes = sweep(
        cost,
        has,
        float(p.layout.aisle_spacing),
        p.depot_col,
        p.depot_cross,
        len(t.states),
        t.empty,
        t.v_src,
        t.v_dst,
        t.v_cfg,
        t.v_off,
        t.h_src,
        t.h_dst,
        t.h_sum,
        t.h_fin,
        t.h_code,
        t.final_ok,
        t.nonzero,
    )
    if not length < float("inf"):
        raise SmartwmsError("the exact routing DP found no tour (inconsistent tables)")
    return float(length) + 2.0 * p.spur, configs, hcodes


def optimal_tour_length(
    layout: ParallelAisleLayout, depot: Station, aisles: Sequence[int], cells: Sequence[int]
) -> float:
    """Length of the shortest closed tour from the depot through every pick (no order).

    Same as ``optimal_tour(...)[0]`` without building the visiting order.
    """
    if len(aisles) == 0:
        _prepare(layout, depot, aisles, cells)
        return 0.0
    return _solve(_prepare(layout, depot, aisles, cells))[0]


def optimal_tour(
    layout: ParallelAisleLayout, depot: Station, aisles: Sequence[int], cells: Sequence[int]
) -> tuple[float, list[int]]:
    """Shortest closed tour from the depot through every pick position and back.

    Exact for one block (Ratliff & Rosenthal), two blocks (Roodbergen & de Koster) and up to
    :data:`MAX_EXACT_BLOCKS` blocks (the general multi-block DP); linear in the number of aisles.

    Parameters
    ----------
    layout
        A parallel-aisle layout.
    depot
        The start and end of the tour: a station on a cross aisle at an aisle (its spur is
        walked out and back).
    aisles, cells
        Pick positions ``(aisles[i], cells[i])``; positions may repeat.

    Returns
    -------
    length, order
        The tour length and the indices of the picks in visiting order (each index once).

    Raises
    ------
    SmartwmsError
        For more than :data:`MAX_EXACT_BLOCKS` blocks or a depot between aisles.
    InstanceValidationError
        For a pick or depot outside the layout.

    Examples
    --------
    >>> lay = ParallelAisleLayout(n_aisles=3, aisle_spacing=3, cells_per_block=10,
    ...                           cell_length=1, cross_aisle_widths=1)
    >>> depot = Station(id="depot", aisle=0, cross_aisle=1)
    >>> optimal_tour(lay, depot, [2, 0, 2], [3, 5, 7])
    (34.0, [2, 0, 1])
    """
    if len(aisles) == 0:
        _prepare(layout, depot, aisles, cells)
        return 0.0, []
    p = _prepare(layout, depot, aisles, cells)
    length, configs, hcodes = _solve(p)
    return length, _visiting_order(p, configs, hcodes)


def _visiting_order(
    p: _Problem, configs: NDArray[np.int64], hcodes: NDArray[np.int64]
) -> list[int]:
    """Build the DP's tour subgraph, walk its Euler circuit from the depot, list first visits."""
    n_cross = p.tables.n_cross
    # Nodes: cross-aisle vertex (c, k) is c * n_cross + k; pick positions follow.
    position_of: dict[tuple[int, float], int] = {}
    members: list[list[int]] = []
    in_block: dict[tuple[int, int], list[tuple[float, int]]] = {}
    base = p.n_cols * n_cross
    cols, blocks, ys = p.col.tolist(), p.block.tolist(), p.y.tolist()
    for i, (c, b, y) in enumerate(zip(cols, blocks, ys, strict=True)):
        node = position_of.get((c, y))
        if node is None:
            node = position_of[(c, y)] = base + len(members)
            members.append([])
            in_block.setdefault((c, b), []).append((y, node))
        members[node - base].append(i)
    edges: list[tuple[int, int]] = []
    config_rows = configs.tolist()
    for c in range(p.n_cols):
        for b, config in enumerate(config_rows[c]):
            top, bottom = c * n_cross + b, c * n_cross + b + 1
            points = sorted(in_block.get((c, b), ()))
            _block_edges(edges, config, top, bottom, points)
        if c < p.n_cols - 1:
            code = int(hcodes[c])
            for k in reversed(range(n_cross)):  # cross aisle 0 is the most significant digit
                code, mult = divmod(code, 3)
                edges += [(c * n_cross + k, (c + 1) * n_cross + k)] * mult
    walk = _euler_circuit(base + len(members), edges, p.depot_col * n_cross + p.depot_cross)
    order: list[int] = []
    seen = bytearray(len(members))
    for node in walk:
        if node >= base and not seen[node - base]:
            seen[node - base] = 1
            order += members[node - base]
    return order


def _block_edges(
    edges: list[tuple[int, int]],
    config: int,
    top: int,
    bottom: int,
    points: list[tuple[float, int]],
) -> None:
    nodes = [node for _, node in points]
    if config in (PASS1, PASS2):
        chain = [top, *nodes, bottom]
        edges += list(pairwise(chain)) * (1 if config == PASS1 else 2)
    elif config == TOP:
        chain = [top, *nodes]
        edges += list(pairwise(chain)) * 2
    elif config == BOTTOM:
        chain = [*nodes, bottom]
        edges += list(pairwise(chain)) * 2
    elif config == GAP:
        ys = [y for y, _ in points]
        split = max(range(1, len(ys)), key=lambda i: ys[i] - ys[i - 1])
        upper, lower = [top, *nodes[:split]], [*nodes[split:], bottom]
        edges += list(pairwise(upper)) * 2
        edges += list(pairwise(lower)) * 2


def _euler_circuit(n_nodes: int, edges: list[tuple[int, int]], start: int) -> list[int]:
    """Hierholzer's algorithm on a connected multigraph whose degrees are all even."""
    adjacency: list[list[tuple[int, int]]] = [[] for _ in range(n_nodes)]
    for e, (u, v) in enumerate(edges):
        adjacency[u].append((v, e))
        adjacency[v].append((u, e))
    used = bytearray(len(edges))
    pointer = [0] * n_nodes
    stack, circuit = [start], []
    while stack:
        u = stack[-1]
        adj, i = adjacency[u], pointer[u]
        while i < len(adj) and used[adj[i][1]]:
            i += 1
        pointer[u] = i
        if i == len(adj):
            circuit.append(stack.pop())
        else:
            v, e = adj[i]
            used[e] = 1
            stack.append(v)
    return circuit
