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

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np
from numpy.typing import NDArray

from smartwms.errors import InfeasibleError, InstanceValidationError, SmartwmsError
from smartwms.layout import location_points
from smartwms.model import ParallelAisleLayout, Station
from smartwms.routing._dp_kernel import batch_lengths, block_costs, sweep, visiting_order
from smartwms.routing._dp_tables import Tables, tables_for
from smartwms.stopping import Stop

__all__ = [
    "MAX_EXACT_BLOCKS",
    "optimal_tour",
    "optimal_tour_length",
    "optimal_tour_scattered",
]

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

    def picks(self, idx: NDArray[np.int64]) -> _Problem:
        """The same problem with only the picks ``idx`` (same layout, tables and depot)."""
        return replace(self, col=self.col[idx], block=self.block[idx], y=self.y[idx])


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
        *t.kernel_args(),
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
    depot_node = p.depot_col * p.tables.n_cross + p.depot_cross
    order = visiting_order(configs, hcodes, p.tables.n_cross, p.col, p.block, p.y, depot_node)
    if len(order) != len(aisles):
        raise SmartwmsError("the exact routing DP's tour misses a pick (inconsistent tables)")
    return length, order.tolist()


# --- scattered storage ---------------------------------------------------------------------


class _SubsetRouter:
    """Exact tour lengths through subsets of a fixed set of positions (memoised)."""

    def __init__(self, problem: _Problem) -> None:
        self.p = problem
        self.memo: dict[frozenset[int], float] = {frozenset(): 0.0}

    def length(self, positions: frozenset[int]) -> float:
        known = self.memo.get(positions)
        if known is not None:
            return known
        idx = np.fromiter(positions, dtype=np.int64, count=len(positions))
        value = _solve(self.p.picks(idx))[0]
        self.memo[positions] = value
        return value

    def lengths_with(self, positions: frozenset[int], extras: list[int]) -> list[float]:
        """Tour lengths through ``positions`` plus each of ``extras`` (one compiled call)."""
        p, t = self.p, self.p.tables
        idx = np.fromiter(positions, dtype=np.int64, count=len(positions))
        add = np.asarray(extras, dtype=np.int64)
        values = batch_lengths(
            p.col[idx],
            p.block[idx],
            p.y[idx],
            p.col[add],
            p.block[add],
            p.y[add],
            p.n_cols,
            p.layout.n_blocks,
            p.cross_y,
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
            t.final_ok,
            t.nonzero,
        )
        return list((values + 2.0 * p.spur).tolist())


class _Search:
    """Depth-first branch and bound over the positions to visit (SPRP with scattered storage).

    A node fixes positions to visit (``chosen``) and positions to skip (``banned``). Tour length
    is monotone in the visited set, so for every article still short of its demand, the
    shortest tour through ``chosen`` plus one more of its allowed positions bounds the node
    from below (any completion adds at least one). The node branches on the article with the
    strongest such bound: first visit its best position (so the first dive is a greedy
    construction), then ban it.
    """

    def __init__(
        self,
        router: _SubsetRouter,
        supply: dict[str, dict[int, float]],
        demand: dict[str, float],
        stop: Stop | None,
    ) -> None:
        self.router = router
        self.supply = supply
        self.demand = demand
        self.stop = stop
        self.best = float("inf")
        self.best_set: frozenset[int] = frozenset()
        self.stopped = False
        self.polished = False
        self.nodes = 0
        self.units_at: dict[int, dict[str, float]] = {}
        for article, offer in supply.items():
            for pos, units in offer.items():
                self.units_at.setdefault(pos, {})[article] = units

    def improve(self, chosen: frozenset[int], length: float) -> tuple[float, frozenset[int]]:
        """Improve a new incumbent: local search, then ruin and recreate.

        A ruin empties one aisle of the chosen positions; the recreate step adds positions
        greedily until every article has its demand again (:meth:`repair`), and the local
        search polishes the result. Kept when shorter; repeated while one aisle helps.
        (A tighter incumbent also prunes more of the search tree.)
        """
        length, chosen = self.local_search(chosen, length)
        col = self.router.p.col
        improved = True
        while improved:
            improved = False
            for aisle in sorted({int(col[pos]) for pos in chosen}):
                repaired = self.repair(frozenset(p for p in chosen if int(col[p]) != aisle))
                if repaired is None:  # stopped
                    return length, chosen
                value, candidate = self.local_search(repaired, self.router.length(repaired))
                if value < length - 1e-9:
                    chosen, length, improved = candidate, value, True
                    break
        return length, chosen

    def half_time_gone(self) -> bool:
        """Whether half of the stop's time limit has passed (never without a limit)."""
        stop = self.stop
        return (
            stop is not None
            and stop.time_limit is not None
            and (stop.elapsed >= stop.time_limit / 2)
        )

    def missing(self, chosen: frozenset[int]) -> dict[str, float]:
        """Units each article still lacks when the tour visits ``chosen``."""
        out: dict[str, float] = {}
        for article, need in self.demand.items():
            lack = need - sum(u for pos, u in self.supply[article].items() if pos in chosen)
            if lack > 1e-9:
                out[article] = lack
        return out

    def repair(self, chosen: frozenset[int]) -> frozenset[int] | None:
        """Add positions until every demand is met (``None`` when stopped).

        Each step adds the position with the smallest tour increase per share of the missing
        units it supplies (the greedy rule of weighted set cover); one compiled call
        evaluates every candidate position.
        """
        while True:
            lack = self.missing(chosen)
            if not lack:
                return chosen
            if self.stop is not None and self.stop():
                return None
            extras = sorted({pos for a in lack for pos in self.supply[a]} - chosen)
            base = self.router.length(chosen)
            best_rate, best_pos = float("inf"), extras[0]
            for pos, value in zip(extras, self.router.lengths_with(chosen, extras), strict=True):
                share = sum(
                    min(units, lack[a]) / lack[a]
                    for a, units in self.units_at[pos].items()
                    if a in lack
                )
                rate = (value - base) / share
                if rate < best_rate - 1e-12:
                    best_rate, best_pos = rate, pos
            chosen = chosen | {best_pos}

    def local_search(self, chosen: frozenset[int], length: float) -> tuple[float, frozenset[int]]:
        """Drop a position, or swap one for another position of an article it serves, while
        that shortens the tour (first improvement)."""
        units_at = self.units_at
        have = {
            a: sum(u for p, u in offer.items() if p in chosen) for a, offer in self.supply.items()
        }

        def keeps_demand(drop: int, add: int | None) -> bool:
            gain = units_at[add] if add is not None else {}
            return all(
                have[a] - u + gain.get(a, 0.0) >= self.demand[a] - 1e-9
                for a, u in units_at[drop].items()
            )

        improved = True
        while improved:
            improved = False
            for drop in sorted(chosen):
                if self.stop is not None and self.stop():
                    return length, chosen
                rest = chosen - {drop}
                adds = sorted({q for a in units_at[drop] for q in self.supply[a]} - chosen)
                adds = [q for q in adds if keeps_demand(drop, q)]
                # Dropping first, then each swap in order; all swaps in one compiled call.
                values = self.router.lengths_with(rest, adds) if adds else []
                moves: list[tuple[int | None, float]] = list(zip(adds, values, strict=True))
                if keeps_demand(drop, None):
                    moves.insert(0, (None, self.router.length(rest)))
                for add, value in moves:
                    if value < length - 1e-9:
                        for a, u in units_at[drop].items():
                            have[a] -= u
                        for a, u in (units_at[add] if add is not None else {}).items():
                            have[a] += u
                        chosen = rest if add is None else rest | {add}
                        length, improved = self.router.length(chosen), True
                        break
                if improved:
                    break
        return length, chosen

    def run(self, chosen: frozenset[int], banned: frozenset[int], length: float) -> None:
        self.nodes += 1
        if self.best < float("inf") and self.stop is not None and self.stop():
            self.stopped = True
            return
        if self.best < float("inf") and not self.polished and self.half_time_gone():
            # A hard instance: spend effort on the incumbent (ruin and recreate); a shorter
            # one also prunes more of the rest of the tree. Easy ones never get here.
            self.polished = True
            self.best, self.best_set = self.improve(self.best_set, self.best)
        short: dict[str, float] = {}
        for article, need in self.demand.items():
            offer = self.supply[article]
            missing = need - sum(u for pos, u in offer.items() if pos in chosen)
            if missing > 1e-9:
                short[article] = missing
        extras = sorted(
            {
                pos
                for a in short
                for pos in self.supply[a]
                if pos not in chosen and pos not in banned
            }
        )
        value_of = dict(zip(extras, self.router.lengths_with(chosen, extras), strict=True))
        # Adding a position that already reaches the incumbent can never pay off below here.
        banned = banned | {pos for pos, v in value_of.items() if v >= self.best - 1e-9}
        bound, branch = length, -1
        for article, missing in short.items():
            offer = self.supply[article]
            allowed = [pos for pos in offer if pos in value_of and pos not in banned]
            if sum(offer[pos] for pos in allowed) < missing - 1e-9:
                return  # too few units left outside the banned positions
            value, pos = min((value_of[pos], pos) for pos in allowed)
            if branch < 0 or value > bound:
                bound, branch = value, pos
        if branch < 0:
            if length < self.best - 1e-9:
                self.best, self.best_set = self.local_search(chosen, length)
            return
        self.run(chosen | {branch}, banned, bound)
        if not self.stopped:
            self.run(chosen, banned | {branch}, length)


def optimal_tour_scattered(
    layout: ParallelAisleLayout,
    depot: Station,
    aisles: Sequence[int],
    cells: Sequence[int],
    skus: Sequence[str],
    available: Sequence[float],
    demand: Mapping[str, float],
    stop: Stop | None = None,
) -> tuple[float, list[tuple[int, float]], bool]:
    """Shortest tour collecting every demanded article from any of its storage positions.

    Scattered storage (SPRP-SS): candidate ``i`` at ``(aisles[i], cells[i])`` holds
    ``available[i]`` units of article ``skus[i]``; the tour must collect ``demand[sku]`` units
    of every demanded article. Exact branch and bound whose nodes are bounded with the exact
    DP of :func:`optimal_tour`.

    Parameters
    ----------
    layout, depot
        As for :func:`optimal_tour`.
    aisles, cells, skus, available
        The candidates: position, article and units on hand.
    demand
        Units wanted per article.
    stop
        Stops the search (time limit, cancellation); the best tour found so far is returned.

    Returns
    -------
    length, picks, proven_optimal
        Tour length; ``(candidate index, units taken)`` in visiting order; whether the search
        finished (the tour is then optimal).

    Raises
    ------
    InfeasibleError
        When an article's candidates hold fewer units than its demand.

    Examples
    --------
    >>> lay = ParallelAisleLayout(n_aisles=3, aisle_spacing=3, cells_per_block=10,
    ...                           cell_length=1, cross_aisle_widths=1)
    >>> depot = Station(id="depot", aisle=0, cross_aisle=1)
    >>> optimal_tour_scattered(lay, depot, [2, 0, 1], [3, 8, 5], ["A", "A", "B"],
    ...                        [1, 2, 1], {"A": 2, "B": 1})
    (20.0, [(2, 1.0), (1, 2.0)], True)
    """
    n = len(aisles)
    problems: list[tuple[str, str]] = []
    for name, values in (("skus", skus), ("available", available)):
        if len(values) != n:
            problems.append((name, f"{len(values)} values for {n} candidates"))
    for article, units in demand.items():
        if not units >= 0:
            problems.append((f"demand[{article!r}]", f"must be >= 0, got {units}"))
    if any(not units >= 0 for units in available):
        problems.append(("available", "units on hand must be >= 0"))
    if problems:
        raise InstanceValidationError(problems)
    wanted = {a: float(u) for a, u in demand.items() if u > 0}
    candidates = _prepare(layout, depot, aisles, cells)
    # Positions: distinct (aisle, cell); an article's supply per position sums its candidates.
    position_of: dict[tuple[int, int], int] = {}
    first_candidate: list[int] = []
    supply: dict[str, dict[int, float]] = {a: {} for a in wanted}
    for i, (aisle, cell, article, units) in enumerate(
        zip(aisles, cells, skus, available, strict=True)
    ):
        if article not in wanted or units <= 0:
            continue
        key = (int(aisle), int(cell))
        if key not in position_of:
            position_of[key] = len(first_candidate)
            first_candidate.append(i)
        pos = position_of[key]
        supply[article][pos] = supply[article].get(pos, 0.0) + float(units)
    short = [
        (a, need, sum(supply[a].values()))
        for a, need in wanted.items()
        if sum(supply[a].values()) < need - 1e-9
    ]
    if short:
        a, need, have = short[0]
        raise InfeasibleError(f"demand[{a!r}]: {need:g} units wanted, only {have:g} on hand")
    if not wanted:
        return 0.0, [], True
    idx = np.asarray(first_candidate, dtype=np.int64)
    positions = candidates.picks(idx)
    search = _Search(_SubsetRouter(positions), supply, wanted, stop)
    search.run(frozenset(), frozenset(), 0.0)
    chosen = sorted(search.best_set)
    _, order = optimal_tour(
        layout,
        depot,
        [int(aisles[first_candidate[p]]) for p in chosen],
        [int(cells[first_candidate[p]]) for p in chosen],
    )
    at_position: dict[int, list[int]] = {}
    for i, (aisle, cell) in enumerate(zip(aisles, cells, strict=True)):
        found = position_of.get((int(aisle), int(cell)))
        if found is not None:
            at_position.setdefault(found, []).append(i)
    remaining = dict(wanted)
    picks: list[tuple[int, float]] = []
    for j in order:
        for i in at_position[chosen[j]]:
            article = skus[i]
            take = min(float(available[i]), remaining.get(article, 0.0))
            if take > 1e-9:
                picks.append((i, take))
                remaining[article] -= take
    return search.best, picks, not search.stopped
