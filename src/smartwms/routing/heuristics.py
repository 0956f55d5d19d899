"""The classic picker-routing heuristics of parallel-aisle warehouses (the WMS "before").

Every heuristic plans a *walk* along aisle and cross-aisle centre lines, with any number of
blocks, following Roodbergen & de Koster, "Routing methods for warehouses with multiple cross
aisles" (IJPR 39(9), 2001). Blocks are numbered from the depot's cross aisle outwards; the
*front* of a block is its cross aisle nearer to the depot, a *subaisle* is the part of an aisle
inside one block. The common skeleton of the multi-block methods:

1. The *left pick aisle* is the leftmost aisle with a pick, the *farthest block* the block
   farthest from the depot with a pick. The picker walks from the depot to the left pick
   aisle and up it to the front of the farthest block, taking its picks on the way.
2. The blocks are then done one by one, from the farthest back towards the depot; each one is
   entered at its back cross aisle (the farthest at its front) and left at its front. A block
   without picks is passed through along the current aisle.
3. Back along the front cross aisle to the depot.

Within a block (the method's own rule):

- **S-shape** (traversal): from the nearer of the leftmost and rightmost pick subaisles, every
  pick subaisle is traversed entirely, alternating direction; the last one is entered and left
  from the front when the picker is at the front (so it always leaves the block at its front).
- **Return**: every pick subaisle is entered and left from the front cross aisle (in a block
  entered from the back, the first one is walked through to reach the front).
- **Largest gap**: in the farthest block the first pick subaisle is traversed; then the picker
  walks along the back cross aisle to the pick subaisle farthest away, entering each subaisle
  on the way from the back up to its *largest gap* (between neighbouring picks, or a pick and a
  cross aisle), traverses that last subaisle, and returns along the front cross aisle taking
  the rest of each subaisle from the front (the paper's multi-block largest gap).
- **Midpoint**: the same walk, each subaisle split at its midpoint instead of its largest gap
  (the paper publishes largest gap for many blocks; midpoint is its natural analogue).
- **Combined**: from the nearer extreme pick subaisle, each pick subaisle is either traversed
  or entered and left from the same side, as a two-state dynamic program decides (ending at
  the block's front); the paper's combined heuristic.
- **Combined+**: combined's walk through each block, but the direction in which each block is
  swept (and so where the picker leaves it for the next block) is chosen by a dynamic program
  over all blocks instead of greedily (the nearer extreme), counting the cross-aisle walk to
  the next block and back to the depot. This is our reading of the paper's improved combined
  ("combined+") with its block-by-block choices. Its planned walk is never longer than
  combined's, hence never longer than S-shape's or return's (each of their per-block walks is
  one of the dynamic program's options).
- **Combined-opt**: combined, then 2-opt and or-opt moves on the closed-form distances (a local
  search, not a literature heuristic).

Every heuristic is also run on the mirror image of the layout (right pick aisle instead of the
left one) and the shorter tour is kept. A depot on a middle cross aisle splits the warehouse
into the blocks on either side, each routed as above from the depot and back.

The picker is handed the *visiting sequence*: a tour's length is re-computed from the
closed-form shortest distances between consecutive stops, never longer than the planned walk
(:func:`heuristic_walk` gives both).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from smartwms.model import ParallelAisleLayout, Station

__all__ = [
    "HEURISTICS",
    "Walk",
    "heuristic_order",
    "heuristic_walk",
    "improve_order",
    "tour_length",
]

#: Names of the heuristics :func:`heuristic_order` knows.
HEURISTICS = (
    "sshape",
    "return",
    "midpoint",
    "largest-gap",
    "combined",
    "combined-plus",
    "combined-opt",
)

Order = list[int]
_EPS = 1e-9


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


@dataclass(frozen=True)
class Walk:
    """A heuristic's plan: the picks in visiting order and the length of its planned walk.

    ``order`` lists indices into the pick positions given to :func:`heuristic_walk`;
    ``length`` is the walk along aisle and cross-aisle centre lines from the depot and back to
    it (its spur off the cross aisle walked twice).
    """

    order: list[int]
    length: float


# ---------------------------------------------------------------------- geometry of one side
@dataclass(frozen=True)
class _Pick:
    index: int
    aisle: int
    depth: float  # distance along the aisle from the front cross aisle of its block


Groups = dict[int, dict[int, list[_Pick]]]  # block rank -> aisle -> picks


@dataclass(frozen=True)
class _Side:
    """The blocks on one side of the depot's cross aisle, ranked from the depot outwards.

    Heights are measured from the depot's cross aisle; ``xs`` may be mirrored (negated).
    """

    xs: tuple[float, ...]  # x of every aisle
    fronts: tuple[float, ...]  # height of the front cross aisle of every block rank
    lengths: tuple[float, ...]  # front-to-back length (cross-aisle centre lines) per rank
    groups: Groups
    depot_x: float


def _sides(
    layout: ParallelAisleLayout,
    depot: Station,
    aisles: Sequence[int],
    cells: Sequence[int],
    mirror: bool,
) -> list[_Side]:
    """The picks split by side of the depot's cross aisle (farther side first)."""
    cross_y = layout.cross_aisle_y
    k = depot.cross_aisle if depot.cross_aisle is not None else layout.n_blocks
    depot_y = cross_y[k]
    sign = -1.0 if mirror else 1.0
    xs = tuple(sign * layout.aisle_x(a) for a in range(layout.n_aisles))
    depot_x = sign * (layout.aisle_x(depot.aisle) if depot.aisle is not None else depot.x or 0.0)
    above: Groups = {}  # blocks b < k (towards the back), rank k - 1 - b
    below: Groups = {}  # blocks b >= k (towards the front), rank b - k
    for i, (a, c) in enumerate(zip(aisles, cells, strict=True)):
        b = layout.block_of_cell(c)
        y = layout.cell_y(c)
        if b < k:
            above.setdefault(k - 1 - b, {}).setdefault(a, []).append(
                _Pick(i, a, cross_y[b + 1] - y)
            )
        else:
            below.setdefault(b - k, {}).setdefault(a, []).append(_Pick(i, a, y - cross_y[b]))
    sides = []
    if above:
        ranks = range(k)  # rank r is block k - 1 - r
        sides.append(
            _Side(
                xs,
                tuple(depot_y - cross_y[k - r] for r in ranks),
                tuple(cross_y[k - r] - cross_y[k - 1 - r] for r in ranks),
                above,
                depot_x,
            )
        )
    if below:
        ranks = range(layout.n_blocks - k)  # rank r is block k + r
        sides.append(
            _Side(
                xs,
                tuple(cross_y[k + r] - depot_y for r in ranks),
                tuple(cross_y[k + r + 1] - cross_y[k + r] for r in ranks),
                below,
                depot_x,
            )
        )
    return sides


# ---------------------------------------------------------------------- the walker
class _Walker:
    """Walks along centre lines of one side, adding up the planned length."""

    def __init__(self, side: _Side) -> None:
        self.side = side
        self.x = side.depot_x
        self.h = 0.0
        self.length = 0.0
        self.order: Order = []

    def to_x(self, x: float) -> None:
        self.length += abs(x - self.x)
        self.x = x

    def to_aisle(self, aisle: int) -> None:
        self.to_x(self.side.xs[aisle])

    def to_h(self, h: float) -> None:
        self.length += abs(h - self.h)
        self.h = h

    def at_front(self, rank: int) -> bool:
        return abs(self.h - self.side.fronts[rank]) < _EPS

    def take(self, rank: int, picks: list[_Pick], upwards: bool) -> None:
        """Take ``picks`` of one subaisle walking away from (or towards) the front."""
        front = self.side.fronts[rank]
        ordered = sorted(picks, key=lambda p: (p.depth, p.index))
        for p in ordered if upwards else reversed(ordered):
            self.to_h(front + p.depth)
            self.order.append(p.index)

    def traverse(self, rank: int, picks: list[_Pick]) -> None:
        """Walk the whole subaisle to the other cross aisle of the block."""
        front = self.side.fronts[rank]
        back = front + self.side.lengths[rank]
        upwards = self.at_front(rank)
        self.take(rank, picks, upwards)
        self.to_h(back if upwards else front)

    def dip(self, rank: int, picks: list[_Pick]) -> None:
        """Enter the subaisle from the current cross aisle, take ``picks`` and come back."""
        start = self.h
        self.take(rank, picks, self.at_front(rank))
        self.to_h(start)


# ---------------------------------------------------------------------- rules within a block
BlockRule = Callable[[_Walker, int, dict[int, list[_Pick]], bool], None]


def _sweep(walker: _Walker, aisles: dict[int, list[_Pick]]) -> list[int]:
    """Pick subaisles by x, starting from the extreme nearer to the picker."""
    xs = walker.side.xs
    seq = sorted(aisles, key=lambda a: xs[a])
    if abs(walker.x - xs[seq[0]]) > abs(walker.x - xs[seq[-1]]) + _EPS:
        seq.reverse()
    return seq


def _sshape_block(w: _Walker, rank: int, aisles: dict[int, list[_Pick]], farthest: bool) -> None:
    seq = _sweep(w, aisles)
    for i, a in enumerate(seq):
        w.to_aisle(a)
        if i == len(seq) - 1 and w.at_front(rank):
            w.dip(rank, aisles[a])  # the last subaisle, from the front
        else:
            w.traverse(rank, aisles[a])


def _return_block(w: _Walker, rank: int, aisles: dict[int, list[_Pick]], farthest: bool) -> None:
    for a in _sweep(w, aisles):
        w.to_aisle(a)
        if w.at_front(rank):
            w.dip(rank, aisles[a])
        else:
            w.traverse(rank, aisles[a])  # entered from the back: walk through to the front


Split = Callable[[list[_Pick], float], tuple[list[_Pick], list[_Pick]]]


def _split_midpoint(picks: list[_Pick], length: float) -> tuple[list[_Pick], list[_Pick]]:
    front = [p for p in picks if p.depth <= length / 2]
    return front, [p for p in picks if p.depth > length / 2]


def _split_largest_gap(picks: list[_Pick], length: float) -> tuple[list[_Pick], list[_Pick]]:
    ordered = sorted(picks, key=lambda p: (p.depth, p.index))
    gaps = np.diff([0.0, *(p.depth for p in ordered), length])
    # Gap j lies before ordered[j]: picks before it come from the front, the rest from the back.
    j = int(np.argmax(gaps))
    return ordered[:j], ordered[j:]


def _gap_rule(split: Split) -> BlockRule:
    """Largest gap (or midpoint) in one block, after Roodbergen & de Koster (2001)."""

    def rule(w: _Walker, rank: int, aisles: dict[int, list[_Pick]], farthest: bool) -> None:
        length = w.side.lengths[rank]
        seq = _sweep(w, aisles)
        if farthest:  # entered from the front: traverse the first pick subaisle
            w.to_aisle(seq[0])
            if len(seq) == 1:
                w.dip(rank, aisles[seq[0]])
                return
            w.traverse(rank, aisles[seq[0]])
            seq = seq[1:]
        xs = w.side.xs
        # Along the back cross aisle to the subaisle farthest away, through the nearer end.
        seq.sort(key=lambda a: xs[a])
        if abs(w.x - xs[seq[0]]) > abs(w.x - xs[seq[-1]]) + _EPS:
            seq.reverse()
        *others, last = seq
        parts = {a: split(aisles[a], length) for a in others}
        for a in others:
            if parts[a][1]:
                w.to_aisle(a)
                w.dip(rank, parts[a][1])
        w.to_aisle(last)
        w.traverse(rank, aisles[last])
        for a in reversed(others):  # home along the front cross aisle
            if parts[a][0]:
                w.to_aisle(a)
                w.dip(rank, parts[a][0])

    return rule


def _block_dp(
    picks: list[list[_Pick]], length: float, start_front: bool
) -> tuple[float, list[bool]]:
    """Traverse (``True``) or enter-and-return for each subaisle in turn, ending at the front.

    A two-state dynamic program over the cross aisle the picker is on (0 front, 1 back);
    returns the vertical walk and the choices. Horizontal walking is the same either way.
    """
    inf = float("inf")
    cost = [0.0, inf] if start_front else [inf, 0.0]
    steps: list[tuple[tuple[int, bool], tuple[int, bool]]] = []
    for group in picks:
        deepest = max(p.depth for p in group)
        shallowest = min(p.depth for p in group)
        dips = (2 * deepest, 2 * (length - shallowest))
        new: list[float] = []
        step: list[tuple[int, bool]] = []
        for s in (0, 1):
            stay, cross = cost[s] + dips[s], cost[1 - s] + length
            if stay <= cross:
                new.append(stay)
                step.append((s, False))
            else:
                new.append(cross)
                step.append((1 - s, True))
        cost = new
        steps.append((step[0], step[1]))
    choices: list[bool] = []
    state = 0
    for step_pair in reversed(steps):
        state, crossed = step_pair[state]
        choices.append(crossed)
    choices.reverse()
    return cost[0], choices


def _walk_block(w: _Walker, rank: int, aisles: dict[int, list[_Pick]], seq: list[int]) -> None:
    """Combined's walk through a block along ``seq``, choices by :func:`_block_dp`."""
    groups = [aisles[a] for a in seq]
    _, choices = _block_dp(groups, w.side.lengths[rank], w.at_front(rank))
    for a, crossed in zip(seq, choices, strict=True):
        w.to_aisle(a)
        if crossed:
            w.traverse(rank, aisles[a])
        else:
            w.dip(rank, aisles[a])


def _combined_block(w: _Walker, rank: int, aisles: dict[int, list[_Pick]], farthest: bool) -> None:
    _walk_block(w, rank, aisles, _sweep(w, aisles))


_BLOCK_RULES: dict[str, BlockRule] = {
    "sshape": _sshape_block,
    "return": _return_block,
    "midpoint": _gap_rule(_split_midpoint),
    "largest-gap": _gap_rule(_split_largest_gap),
    "combined": _combined_block,
}


# ---------------------------------------------------------------------- whole side
def _access(w: _Walker, groups: Groups) -> int:
    """Steps 1-2 of the skeleton: up the left pick aisle to the farthest block; its rank."""
    xs = w.side.xs
    far = max(groups)
    left = min((a for g in groups.values() for a in g), key=lambda a: (xs[a], a))
    w.to_aisle(left)
    for rank in range(far):
        if left in groups.get(rank, {}):
            w.take(rank, groups[rank].pop(left), upwards=True)
    w.to_h(w.side.fronts[far])
    return far


def _route_side(side: _Side, rule: BlockRule) -> _Walker:
    w = _Walker(side)
    groups = {r: dict(g) for r, g in side.groups.items()}
    far = _access(w, groups)
    for rank in range(far, -1, -1):
        aisles = groups.get(rank)
        if aisles:
            rule(w, rank, aisles, rank == far)
        else:
            w.to_h(side.fronts[rank])  # nothing here: straight through along this aisle
    w.to_x(side.depot_x)
    return w


def _route_side_combined_plus(side: _Side) -> _Walker:
    """Combined with the sweep direction of every block chosen by a DP over the blocks."""
    w = _Walker(side)
    groups = {r: dict(g) for r, g in side.groups.items()}
    far = _access(w, groups)
    xs = side.xs
    # State: x where the picker leaves the last block done -> (cost so far, sweeps chosen).
    states: dict[float, tuple[float, list[tuple[int, list[int]]]]] = {w.x: (0.0, [])}
    for rank in range(far, -1, -1):
        aisles = groups.get(rank)
        if not aisles:
            continue
        ordered = sorted(aisles, key=lambda a: xs[a])
        span = xs[ordered[-1]] - xs[ordered[0]]
        sweeps = (ordered, ordered[::-1])
        vertical = [
            _block_dp([aisles[a] for a in seq], side.lengths[rank], rank == far)[0]
            for seq in sweeps
        ]
        new: dict[float, tuple[float, list[tuple[int, list[int]]]]] = {}
        for x, (cost, plan) in states.items():
            for seq, v in zip(sweeps, vertical, strict=True):
                total = cost + abs(x - xs[seq[0]]) + span + v
                exit_x = xs[seq[-1]]
                if exit_x not in new or total < new[exit_x][0] - _EPS:
                    new[exit_x] = (total, [*plan, (rank, seq)])
        states = new
    _, plan = min(states.items(), key=lambda s: s[1][0] + abs(s[0] - side.depot_x))[1]
    chosen = dict(plan)
    for rank in range(far, -1, -1):
        if rank in chosen:
            _walk_block(w, rank, groups[rank], chosen[rank])
        else:
            w.to_h(side.fronts[rank])
    w.to_x(side.depot_x)
    return w


# ---------------------------------------------------------------------- public entry points
def heuristic_walk(
    method: str,
    layout: ParallelAisleLayout,
    depot: Station,
    aisles: Sequence[int],
    cells: Sequence[int],
    mirror: bool = False,
) -> Walk:
    """The walk a heuristic plans through the picks ``(aisles[i], cells[i])``.

    Parameters
    ----------
    method
        One of :data:`HEURISTICS` except ``combined-opt`` (a local search on distances).
    layout, depot
        The warehouse and the depot the tour starts from and returns to.
    aisles, cells
        Pick positions.
    mirror
        Plan on the mirror image of the layout (the right pick aisle leads the way).

    Examples
    --------
    Up aisle 0 (11), across the back (3), down aisle 1 (11), back to the depot (3):

    >>> lay = ParallelAisleLayout(n_aisles=3, aisle_spacing=3, cells_per_block=10,
    ...                           cell_length=1, cross_aisle_widths=1)
    >>> depot = Station(id="d", aisle=0, cross_aisle=1)
    >>> heuristic_walk("sshape", lay, depot, [0, 1], [2, 5])
    Walk(order=[0, 1], length=28.0)
    """
    if method not in _BLOCK_RULES and method != "combined-plus":
        raise ValueError(f"no planned walk for {method!r}; use one of {', '.join(HEURISTICS[:-1])}")
    order: Order = []
    length = 2 * depot.spur
    for side in _sides(layout, depot, aisles, cells, mirror):
        if method == "combined-plus":
            w = _route_side_combined_plus(side)
        else:
            w = _route_side(side, _BLOCK_RULES[method])
        order += w.order
        length += w.length
    return Walk(order, length)


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
        row ``rows[i]``; used to keep the shorter of the plan and its mirror image (and by
        combined-opt to improve the tour).

    Examples
    --------
    >>> lay = ParallelAisleLayout(n_aisles=3, aisle_spacing=3, cells_per_block=10,
    ...                           cell_length=1, cross_aisle_widths=1)
    >>> depot = Station(id="d", aisle=0, cross_aisle=1)
    >>> heuristic_order("sshape", lay, depot, [0, 2, 0], [8, 3, 2], np.zeros((4, 4)), 0, 0,
    ...                 [1, 2, 3])
    [0, 2, 1]
    """
    if method not in HEURISTICS:
        raise ValueError(f"unknown heuristic {method!r}; use one of {', '.join(HEURISTICS)}")
    if len(aisles) == 0:
        return []
    plan = "combined" if method == "combined-opt" else method
    best: Order | None = None
    best_len = float("inf")
    for mirror in (False, True):
        order = heuristic_walk(plan, layout, depot, aisles, cells, mirror).order
        if method == "combined-opt":
            order = improve_order(order, dist, start, end, rows)
        length = tour_length(dist, start, end, [rows[i] for i in order])
        if length < best_len - 1e-9:
            best, best_len = order, length
    assert best is not None
    return best


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
