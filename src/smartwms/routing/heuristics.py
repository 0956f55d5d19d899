"""The classic picker-routing heuristics of parallel-aisle warehouses (the WMS "before").

Each heuristic turns a set of pick positions into a *visiting sequence*; the picker walks the
shortest path between consecutive stops, so a tour's length is re-computed from the closed-form
distances along that sequence (never shorter than the textbook walk of the heuristic, which
may take a longer path between two stops).

- **S-shape** (traversal): every aisle with picks is walked end to end, alternating direction.
- **Return**: every aisle with picks is entered and left from the same (front) cross aisle.
- **Midpoint**: the first and last aisles are traversed; the picks of the other aisles in the
  back half are taken from the back cross aisle, the others from the front.
- **Largest gap**: like midpoint, but each middle aisle is split at its largest gap between
  neighbouring picks (or a cross aisle).
- **Combined** (Roodbergen & de Koster): a small dynamic program decides, aisle by aisle,
  whether to traverse it or to enter and return, so that the picker ends each block at the
  cross aisle that is cheaper for the aisles still to come. Every aisle with picks is
  visited once, so on one block it is never longer than S-shape or return (both are among
  its choices), but it can lose to largest gap, which serves one aisle from both ends.
- **Combined+** (here): combined, then improved by 2-opt and or-opt moves on the closed-form
  distances. This is a local-search variant, not Roodbergen & de Koster's (2001) combined+
  rule set for multi-block layouts.

Layouts with several blocks are handled block by block, farthest block from the depot first,
sweeping the aisles of successive blocks in alternate directions (Roodbergen & de Koster's
multi-block scheme); the "front" of a block is its cross aisle nearer to the depot. Every
heuristic tries both sweep directions of the first block and keeps the shorter tour.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from smartwms.model import ParallelAisleLayout, Station

__all__ = ["HEURISTICS", "heuristic_order", "improve_order", "tour_length"]

#: Names of the heuristics :func:`heuristic_order` knows.
HEURISTICS = ("sshape", "return", "midpoint", "largest-gap", "combined", "combined-plus")

Order = list[int]


@dataclass(frozen=True)
class _Pick:
    index: int
    aisle: int
    depth: float  # distance along the aisle from the block's front cross aisle


def tour_length(dist: NDArray[np.float64], start: int, end: int, stops: Sequence[int]) -> float:
    """Length of the walk ``start -> stops... -> end`` over a distance matrix.

    Examples
    --------
    >>> d = np.array([[0.0, 2, 5], [2, 0, 4], [5, 4, 0]])
    >>> tour_length(d, 0, 0, [1, 2])
    11.0
    """
    path = [start, *stops, end]
    return float(dist[path[:-1], path[1:]].sum())


# ---------------------------------------------------------------------- per-block orderings
def _by_aisle(picks: list[_Pick]) -> dict[int, list[_Pick]]:
    out: dict[int, list[_Pick]] = {}
    for p in picks:
        out.setdefault(p.aisle, []).append(p)
    return out


def _asc(picks: list[_Pick]) -> Order:
    return [p.index for p in sorted(picks, key=lambda p: (p.depth, p.index))]


def _desc(picks: list[_Pick]) -> Order:
    return [p.index for p in sorted(picks, key=lambda p: (-p.depth, p.index))]


def _sshape(aisles: list[list[_Pick]], length: float) -> Order:
    out: Order = []
    for k, picks in enumerate(aisles):
        out += _asc(picks) if k % 2 == 0 else _desc(picks)
    return out


def _return(aisles: list[list[_Pick]], length: float) -> Order:
    out: Order = []
    for picks in aisles:
        out += _asc(picks)
    return out


def _split_midpoint(picks: list[_Pick], length: float) -> tuple[list[_Pick], list[_Pick]]:
    front = [p for p in picks if p.depth <= length / 2]
    return front, [p for p in picks if p.depth > length / 2]


def _split_largest_gap(picks: list[_Pick], length: float) -> tuple[list[_Pick], list[_Pick]]:
    ordered = sorted(picks, key=lambda p: (p.depth, p.index))
    depths = [0.0, *(p.depth for p in ordered), length]
    gaps = np.diff(depths)
    # Gap j lies before ordered[j]: picks before it come from the front, the rest from the back.
    j = int(np.argmax(gaps))
    return ordered[:j], ordered[j:]


def _split_sweep(
    split: Callable[[list[_Pick], float], tuple[list[_Pick], list[_Pick]]],
) -> Callable[[list[list[_Pick]], float], Order]:
    """Midpoint-like routing: out along the back, home along the front."""

    def route(aisles: list[list[_Pick]], length: float) -> Order:
        if len(aisles) == 1:
            return _asc(aisles[0])
        parts = [split(picks, length) for picks in aisles[1:-1]]
        out = _asc(aisles[0])
        for _, back in parts:
            out += _desc(back)
        out += _desc(aisles[-1])
        for front, _ in reversed(parts):
            out += _asc(front)
        return out

    return route


def _combined(aisles: list[list[_Pick]], length: float) -> Order:
    """Traverse or return per aisle, chosen by a two-state dynamic program.

    State: the cross aisle the picker is on after an aisle (0 front, 1 back). The horizontal
    walk is the same either way, so only the vertical walk counts; the picker starts at the
    front and must end at the front (an empty aisle walk of ``length`` if it ends at the back).
    """
    inf = float("inf")
    cost = [0.0, inf]
    choices: list[tuple[int, int]] = []  # per aisle: previous state for state 0 and 1
    for picks in aisles:
        deepest = max(p.depth for p in picks)
        shallowest_from_back = length - min(p.depth for p in picks)
        stay_front = cost[0] + 2 * deepest
        stay_back = cost[1] + 2 * shallowest_from_back
        new_front = min((stay_front, 0), (cost[1] + length, 1))
        new_back = min((stay_back, 1), (cost[0] + length, 0))
        cost = [new_front[0], new_back[0]]
        choices.append((new_front[1], new_back[1]))
    state = 0 if cost[0] <= cost[1] + length else 1
    moves: list[tuple[int, int]] = []
    for prev in reversed(choices):
        before = prev[state]
        moves.append((before, state))
        state = before
    moves.reverse()
    out: Order = []
    for picks, (before, _after) in zip(aisles, moves, strict=True):
        # Entering from the front means walking away from it (ascending depth).
        out += _asc(picks) if before == 0 else _desc(picks)
    return out


_BLOCK_ROUTINES: dict[str, Callable[[list[list[_Pick]], float], Order]] = {
    "sshape": _sshape,
    "return": _return,
    "midpoint": _split_sweep(_split_midpoint),
    "largest-gap": _split_sweep(_split_largest_gap),
    "combined": _combined,
    "combined-plus": _combined,
}


# ---------------------------------------------------------------------- whole layout
def _picks_by_block(
    layout: ParallelAisleLayout, depot: Station, aisles: Sequence[int], cells: Sequence[int]
) -> tuple[list[int], dict[int, list[_Pick]]]:
    """Picks per block with their depth from the block's front, blocks far to near."""
    cross_y = layout.cross_aisle_y
    depot_y = cross_y[depot.cross_aisle if depot.cross_aisle is not None else layout.n_blocks]
    blocks: dict[int, list[_Pick]] = {}
    for i, (a, c) in enumerate(zip(aisles, cells, strict=True)):
        b = layout.block_of_cell(c)
        y = layout.cell_y(c)
        top, bottom = cross_y[b], cross_y[b + 1]
        front_is_top = abs(depot_y - top) <= abs(depot_y - bottom)
        depth = y - top if front_is_top else bottom - y
        blocks.setdefault(b, []).append(_Pick(i, a, depth))

    def remoteness(b: int) -> tuple[float, int]:
        centre = (cross_y[b] + cross_y[b + 1]) / 2
        return (-abs(centre - depot_y), b)

    return sorted(blocks, key=remoteness), blocks


def heuristic_order(
    method: str,
    layout: ParallelAisleLayout,
    depot: Station,
    aisles: Sequence[int],
    cells: Sequence[int],
    dist: NDArray[np.float64],
    start: int,
    end: int,
    rows: Sequence[int],
) -> Order:
    """Visiting order of the picks ``(aisles[i], cells[i])`` under a classic heuristic.

    Parameters
    ----------
    method
        One of :data:`HEURISTICS`.
    layout, depot
        The warehouse and the depot the tour starts from.
    aisles, cells
        Pick positions.
    dist, start, end, rows
        Walking distances: the tour runs from row ``start`` to row ``end`` and pick ``i`` is
        row ``rows[i]``; used to keep the better of the two sweep directions (and by
        combined+ to improve the tour).

    Examples
    --------
    >>> lay = ParallelAisleLayout(n_aisles=3, aisle_spacing=3, cells_per_block=10,
    ...                           cell_length=1, cross_aisle_widths=1)
    >>> depot = Station(id="d", aisle=0, cross_aisle=1)
    >>> heuristic_order("sshape", lay, depot, [0, 2, 0], [8, 3, 2], np.zeros((4, 4)), 0, 0,
    ...                 [1, 2, 3])
    [0, 2, 1]
    """
    if method not in _BLOCK_ROUTINES:
        raise ValueError(f"unknown heuristic {method!r}; use one of {', '.join(HEURISTICS)}")
    if len(aisles) == 0:
        return []
    routine = _BLOCK_ROUTINES[method]
    block_order, blocks = _picks_by_block(layout, depot, aisles, cells)
    best: Order | None = None
    best_len = float("inf")
    for first_direction in (1, -1):
        order: Order = []
        direction = first_direction
        for b in block_order:
            groups = _by_aisle(blocks[b])
            sweep = sorted(groups, reverse=direction < 0)
            order += routine([groups[a] for a in sweep], _block_length(layout, b))
            direction = -direction
        if method == "combined-plus":
            order = improve_order(order, dist, start, end, rows)
        length = tour_length(dist, start, end, [rows[i] for i in order])
        if length < best_len - 1e-9:
            best, best_len = order, length
    assert best is not None
    return best


def _block_length(layout: ParallelAisleLayout, block: int) -> float:
    return layout.cross_aisle_y[block + 1] - layout.cross_aisle_y[block]


def improve_order(
    order: Order,
    dist: NDArray[np.float64],
    start: int,
    end: int,
    rows: Sequence[int],
) -> Order:
    """2-opt and or-opt (moving runs of 1-3 stops) until no move shortens the tour.

    ``rows[i]`` is the row of pick ``i`` in ``dist``. Moves are scored by their change in
    length (constant time each) and kept only if the re-computed tour is really shorter, so
    the result is never longer than ``order``. Deterministic first-improvement search.
    """
    d = dist.tolist()
    path = [start, *(rows[i] for i in order), end]
    pick_of = {rows[i]: i for i in order}
    best_len = tour_length(dist, start, end, path[1:-1])
    improved = True
    while improved:
        improved = False
        m = len(path) - 2
        for i in range(1, m):
            for j in range(i + 1, m + 1):
                delta = (
                    d[path[i - 1]][path[j]]
                    + d[path[i]][path[j + 1]]
                    - d[path[i - 1]][path[i]]
                    - d[path[j]][path[j + 1]]
                )
                if delta < -1e-9:
                    cand = path[:i] + path[i : j + 1][::-1] + path[j + 1 :]
                    cand_len = tour_length(dist, start, end, cand[1:-1])
                    if cand_len < best_len - 1e-9:
                        path, best_len, improved = cand, cand_len, True
        for run in (1, 2, 3):
            i = 1
            while i + run <= m + 1:
                first, last = path[i], path[i + run - 1]
                gain = (
                    d[path[i - 1]][first] + d[last][path[i + run]] - d[path[i - 1]][path[i + run]]
                )
                rest = path[:i] + path[i + run :]
                moved = False
                for k in range(1, len(rest)):
                    if k == i:
                        continue
                    cost = d[rest[k - 1]][first] + d[last][rest[k]] - d[rest[k - 1]][rest[k]]
                    if cost - gain < -1e-9:
                        cand = rest[:k] + path[i : i + run] + rest[k:]
                        cand_len = tour_length(dist, start, end, cand[1:-1])
                        if cand_len < best_len - 1e-9:
                            path, best_len, improved, moved = cand, cand_len, True, True
                            break
                if not moved:
                    i += 1
    return [pick_of[r] for r in path[1:-1]]
