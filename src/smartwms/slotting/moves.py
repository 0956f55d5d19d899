"""Move plans: turn the current stock into a target assignment, one safe move at a time.

A move takes all of a SKU's stock from one location to another. A location never holds two
SKUs: a SKU moves into its target only once the target's occupant has left. Cycles (A wants
B's slot, B wants A's) are broken by parking one SKU in a location that stays empty in the
target, or else in the buffer (``"BUFFER"``, a staging lane at the depot).

:func:`limit_moves` spends a budget of K moves where they save the most travel per second of
move labour.
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Callable

import numpy as np
from numpy.typing import NDArray

from smartwms.errors import InfeasibleError
from smartwms.layout import distance_matrix
from smartwms.model import Move
from smartwms.model.slotting import BUFFER
from smartwms.slotting.costs import Tables

__all__ = ["BUFFER", "current_assignment", "limit_moves", "plan_moves"]

IntArray = NDArray[np.int64]


def current_assignment(tables: Tables) -> dict[str, list[str]]:
    """The instance's stock as ``{sku: [locations]}`` (SKUs without stock map to ``[]``)."""
    return {sku: tables.instance.locations_of(sku) for sku in tables.skus.ids}


def _labour(tables: Tables, pairs: list[tuple[str, str]]) -> list[tuple[float, float]]:
    """Distance and labour seconds of each (source, target) pair (buffer = the depot)."""
    if not pairs:
        return []
    depot = tables.instance.depot.id
    points = sorted({p if p != BUFFER else depot for pair in pairs for p in pair})
    index = {p: i for i, p in enumerate(points)}
    dist = distance_matrix(tables.instance, points)
    params = tables.params
    out = []
    for source, target in pairs:
        a = index[depot if source == BUFFER else source]
        b = index[depot if target == BUFFER else target]
        d = float(dist[a, b])
        out.append((d, params.handling_s + d / params.picker_speed))
    return out


def plan_moves(
    tables: Tables, current: dict[str, list[str]], target: dict[str, list[str]]
) -> list[Move]:
    """An ordered, conflict-free list of moves from ``current`` to ``target``.

    ``target`` gives one location per SKU. SKUs stocked today in several locations are
    consolidated into their target; SKUs without stock are put away.
    """
    occupant: dict[str, set[str]] = defaultdict(set)
    for sku, locs in current.items():
        for loc in locs:
            occupant[loc].add(sku)
    final_empty = set(tables.slots.ids) - {loc for locs in target.values() for loc in locs}
    pending = deque(sorted(s for s in target if sorted(current.get(s, [])) != target[s]))
    where = {s: list(current.get(s, [])) for s in target}
    raw: list[tuple[str, str | None, str, str]] = []
    sku_index = {s: i for i, s in enumerate(tables.skus.ids)}

    def blocked(sku: str) -> bool:
        return bool(occupant[target[sku][0]] - {sku})

    def relocate(sku: str, source: str | None, dest: str, kind: str) -> None:
        raw.append((sku, source, dest, kind))
        if source is not None:
            occupant[source].discard(sku)
            where[sku].remove(source)
        occupant[dest].add(sku)
        where[sku].append(dest)

    parked: dict[str, str] = {}
    stalled = 0
    while pending:
        sku = pending.popleft()
        if blocked(sku):
            pending.append(sku)
            stalled += 1
            if stalled <= len(pending):
                continue
            parked[sku] = _park(sku, where, occupant, final_empty, tables, sku_index, relocate)
            stalled = 0
            continue
        stalled = 0
        dest = target[sku][0]
        sources = [loc for loc in where[sku] if loc != dest]
        for n, loc in enumerate(sources):
            kind = "from_buffer" if n == 0 and parked.pop(sku, None) == loc else "relocate"
            relocate(sku, loc, dest, kind)
    # SKUs without stock today are put away from inbound.
    for sku in sorted(target):
        if not current.get(sku):
            raw.append((sku, None, target[sku][0], "put_away"))
    costs = _labour(tables, [(s, t) for _, s, t, _ in raw if s is not None])
    moves = []
    it = iter(costs)
    for step, (sku, source, dest, kind) in enumerate(raw):
        distance, labour = next(it) if source is not None else (0.0, tables.params.handling_s)
        moves.append(
            Move(
                step=step,
                sku=sku,
                source=source,
                target=dest,
                kind=kind,
                distance=distance,
                labour_s=labour,
            )
        )
    return moves


def _park(
    sku: str,
    where: dict[str, list[str]],
    occupant: dict[str, set[str]],
    final_empty: set[str],
    tables: Tables,
    sku_index: dict[str, int],
    relocate: Callable[[str, str | None, str, str], None],
) -> str:
    """Break a cycle: move ``sku`` to a free location that stays empty, else to the buffer."""
    i = sku_index[sku]
    spot = BUFFER
    for loc in sorted(final_empty):
        if not occupant[loc] and tables.eligible_pair(i, tables.slot_position[loc]):
            spot = loc
            break
    for loc in list(where[sku]):
        relocate(sku, loc, spot, "to_buffer")
    return spot


def limit_moves(tables: Tables, current: IntArray, target: IntArray, budget: int) -> IntArray:
    """The best assignment reachable from ``current`` towards ``target`` in ``budget`` moves.

    The differences between the two assignments form chains (ending in a slot that is free
    today) and cycles (which need one extra move through a parking spot). Whole cycles and
    prefixes of chains are taken greedily by travel saved per second of move labour.

    Raises
    ------
    InfeasibleError
        When a SKU has no current location or several (the budget counts single moves).
    """
    if np.any(current < 0):
        bad = [tables.skus.ids[i] for i in np.flatnonzero(current < 0)[:5]]
        raise InfeasibleError(
            f"a move budget needs every SKU in exactly one location today; {bad} have none"
        )
    w = tables.skus.weight
    cost = tables.slots.cost
    saving = w * (cost[current] - cost[target])
    holder = {int(current[i]): i for i in range(len(current))}
    moving = [i for i in range(len(current)) if current[i] != target[i]]
    pairs = [(tables.slots.ids[current[i]], tables.slots.ids[target[i]]) for i in moving]
    labour = dict(zip(moving, (lab for _, lab in _labour(tables, pairs)), strict=True))
    units = _units(moving, current, target, holder)
    result = current.copy()
    left = budget
    progress = {id(u): 0 for u, _ in units}
    while left > 0:
        best: tuple[float, int, list[int], int] | None = None
        for k, (unit, is_cycle) in enumerate(units):
            done = progress[id(unit)]
            if done >= len(unit):
                continue
            options = [len(unit)] if is_cycle else range(done + 1, len(unit) + 1)
            for end in options:
                part = unit[done:end]
                n_moves = len(part) + (1 if is_cycle else 0)
                if n_moves > left:
                    break
                gain = float(sum(saving[i] for i in part))
                if gain <= 0:
                    continue
                ratio = gain / max(sum(labour[i] for i in part), 1e-9)
                if best is None or ratio > best[0]:
                    best = (ratio, k, part, end)
        if best is None:
            break
        _, k, part, end = best
        unit, is_cycle = units[k]
        for i in part:
            result[i] = target[i]
        left -= len(part) + (1 if is_cycle else 0)
        progress[id(unit)] = end
    return result


def _units(
    moving: list[int], current: IntArray, target: IntArray, holder: dict[int, int]
) -> list[tuple[list[int], bool]]:
    """Chains (listed from the SKU that moves into a free slot) and cycles of SKU moves."""
    moving_set = set(moving)
    wants: dict[int, int] = {int(target[i]): i for i in moving}
    seen: set[int] = set()
    units: list[tuple[list[int], bool]] = []
    # A chain starts with a SKU whose target slot is free today (holder absent or not moving).
    for i in moving:
        if i in seen or (int(target[i]) in holder and holder[int(target[i])] in moving_set):
            continue
        chain = [i]
        seen.add(i)
        nxt = wants.get(int(current[i]))
        while nxt is not None and nxt not in seen:
            chain.append(nxt)
            seen.add(nxt)
            nxt = wants.get(int(current[nxt]))
        units.append((chain, False))
    for i in moving:
        if i in seen:
            continue
        cycle = [i]
        seen.add(i)
        nxt = wants.get(int(current[i]))
        while nxt is not None and nxt not in seen:
            cycle.append(nxt)
            seen.add(nxt)
            nxt = wants.get(int(current[nxt]))
        units.append((cycle, True))
    return units
