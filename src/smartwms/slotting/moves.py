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

__all__ = ["BUFFER", "current_assignment", "limit_moves", "moves_needed", "plan_moves"]

IntArray = NDArray[np.int64]
_CHUNK = 512


def current_assignment(tables: Tables) -> dict[str, list[str]]:
    """The instance's stock as ``{sku: [locations]}`` (SKUs without stock map to ``[]``)."""
    return {sku: tables.instance.locations_of(sku) for sku in tables.skus.ids}


def _labour(tables: Tables, pairs: list[tuple[str, str]]) -> list[tuple[float, float]]:
    """Distance and labour seconds of each (source, target) pair (buffer = the depot)."""
    depot = tables.instance.depot.id
    params = tables.params
    out: list[tuple[float, float]] = []
    # Pairwise distances in chunks: the diagonal of small rectangular matrices.
    for start in range(0, len(pairs), _CHUNK):
        chunk = pairs[start : start + _CHUNK]
        sources = [depot if s == BUFFER else s for s, _ in chunk]
        targets = [depot if t == BUFFER else t for _, t in chunk]
        dist = np.diagonal(distance_matrix(tables.instance, sources, targets))
        out.extend((float(d), params.handling_s + float(d) / params.picker_speed) for d in dist)
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
    where = {s: list(current.get(s, [])) for s in target}
    pending = {s for s in target if where[s] and sorted(where[s]) != target[s]}
    raw: list[tuple[str, str | None, str, str]] = []
    # SKUs waiting for a location to empty, woken when its last occupant leaves.
    waiting: dict[str, list[str]] = defaultdict(list)
    ready: deque[str] = deque()

    def relocate(sku: str, source: str | None, dest: str, kind: str) -> None:
        raw.append((sku, source, dest, kind))
        if source is not None:
            occupant[source].discard(sku)
            where[sku].remove(source)
            if not occupant[source]:
                ready.extend(waiting.pop(source, []))
        occupant[dest].add(sku)
        where[sku].append(dest)

    def queue(sku: str) -> None:
        dest = target[sku][0]
        if occupant[dest] - {sku}:
            waiting[dest].append(sku)
        else:
            ready.append(sku)

    for sku in sorted(pending):
        queue(sku)
    parked: dict[str, str] = {}
    while pending:
        if not ready:
            # Only cycles are left: park the first SKU of one to free its slot.
            sku = min(pending)
            waiting[target[sku][0]].remove(sku)
            parked[sku] = _park(sku, where, occupant, final_empty, tables, relocate)
            if sku not in ready:
                queue(sku)
            continue
        sku = ready.popleft()
        if sku not in pending:
            continue
        dest = target[sku][0]
        if occupant[dest] - {sku}:
            waiting[dest].append(sku)  # woken too early: another SKU arrived first
            continue
        pending.discard(sku)
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
    relocate: Callable[[str, str | None, str, str], None],
) -> str:
    """Break a cycle: move ``sku`` to a free location that stays empty, else to the buffer."""
    i = tables.sku_position[sku]
    spot = BUFFER
    for loc in sorted(final_empty):
        if not occupant[loc] and tables.eligible_pair(i, tables.slot_position[loc]):
            spot = loc
            break
    for loc in list(where[sku]):
        relocate(sku, loc, spot, "to_buffer")
    return spot


def limit_moves(
    tables: Tables,
    current: IntArray,
    target: IntArray,
    budget: int,
    admit: Callable[[list[int]], bool] | None = None,
) -> IntArray:
    """The best assignment reachable from ``current`` towards ``target`` in ``budget`` moves.

    The differences between the two assignments form chains (ending in a slot that is free
    today) and cycles (which need one extra move through a parking spot). Whole cycles and
    prefixes of chains are taken greedily by travel saved per second of move labour.
    ``admit(skus)``, when given, is asked before a group of SKUs moves to its target; it
    returns whether the group may move (and then records it, e.g. aisle loads for a
    balance cap), so side constraints keep holding at every step.

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
        options_now: list[tuple[float, int, list[int], int]] = []
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
                options_now.append((ratio, k, part, end))
        options_now.sort(key=lambda o: (-o[0], o[1], o[3]))
        best = next((o for o in options_now if admit is None or admit(o[2])), None)
        if best is None:
            break
        _, k, part, end = best
        unit, is_cycle = units[k]
        for i in part:
            result[i] = target[i]
        left -= len(part) + (1 if is_cycle else 0)
        progress[id(unit)] = end
    return result


def moves_needed(current: IntArray, target: IntArray) -> int:
    """Moves :func:`plan_moves` makes from ``current`` to ``target`` (one slot per SKU).

    One per SKU that changes slot (a put-away for a SKU without one today), plus one parking
    move per cycle of SKUs that want each other's slots.
    """
    moving = [i for i in range(len(current)) if current[i] != target[i]]
    holder = {int(j): i for i, j in enumerate(current.tolist()) if j >= 0}
    cycles = sum(1 for _unit, is_cycle in _units(moving, current, target, holder) if is_cycle)
    return len(moving) + cycles


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
