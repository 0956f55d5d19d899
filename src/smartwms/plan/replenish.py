"""Replenishment: keep every pick supplied, topping slots up from reserve just in time.

The day's orders may ask for more units of a SKU than its pick slot holds, or more than the
slot can hold at once (a WMS refills pick faces from reserve storage during the shift). Given
the pickers' batch sequences, :func:`supply_picks` walks the batches in start-time order and
keeps a timeline of every slot's stock. When a pick would find its slot short, the first free
member of the replenishment crew brings units from reserve (the depot): as many as the rest
of the day needs from that slot and its capacity allows, starting after the slot's previous
pick and finishing before this one. When the crew cannot make it in time the batch starts
later, by just enough (and the picker's later batches with it). The result is correct by
construction: at every pick the slot holds its units, and a top-up never overfills a slot.

A replenishment takes ``handling_s`` plus the walk from the depot to the slot and back.
"""

from __future__ import annotations

import bisect
import heapq
import math
from collections import defaultdict
from dataclasses import dataclass, field

from smartwms.errors import InfeasibleError
from smartwms.layout import distance_matrix
from smartwms.model import Instance, PickerClass
from smartwms.plan.assemble import TimedBatch, pick_offsets
from smartwms.plan.model import Relocation

__all__ = ["Supplied", "supply_picks"]

_EPS = 1e-9


@dataclass
class _Slot:
    """A slot's stock over time: ``times`` sorted, ``deltas`` the change at each."""

    times: list[float] = field(default_factory=list)
    deltas: list[float] = field(default_factory=list)

    def add(self, t: float, delta: float) -> None:
        k = bisect.bisect_right(self.times, t)
        self.times.insert(k, t)
        self.deltas.insert(k, delta)

    def balances_from(self, t: float) -> tuple[float, float, float]:
        """Stock at ``t`` (after what happens at ``t``), and its minimum and maximum from
        ``t`` on."""
        k = bisect.bisect_right(self.times, t)
        before = sum(self.deltas[:k])
        low = high = level = before
        for d in self.deltas[k:]:
            level += d
            low, high = min(low, level), max(high, level)
        return before, low, high

    def last_time(self) -> float:
        return self.times[-1] if self.times else 0.0


@dataclass(frozen=True)
class Supplied:
    """Batch starts after supply (batch id -> start) and the replenishment tasks."""

    starts: dict[str, float]
    tasks: list[Relocation]


def _capacity_units(instance: Instance, location: str, sku: str) -> float:
    loc = instance.location_index[location]
    item = instance.sku_index[sku]
    cap = math.inf
    for limit, unit in (
        (loc.volume_capacity, item.unit_volume),
        (loc.weight_capacity, item.unit_weight),
    ):
        if limit is not None and unit > 0:
            cap = min(cap, math.floor(limit / unit + _EPS))
    return cap


def supply_picks(
    instance: Instance,
    sequences: dict[str, list[tuple[TimedBatch, float]]],
    classes: dict[str, PickerClass],
    setup_s: float,
    crew_free: dict[str, float],
    *,
    handling_s: float,
    speed: float,
    replenish: bool = True,
) -> Supplied:
    """Time every batch so its picks find their units; plan the replenishments they need.

    Parameters
    ----------
    instance
        The stock as the picks find it (after the relocations).
    sequences
        Per picker, its batches in working order with their earliest start.
    classes
        Picker id -> class (speed and pick times).
    setup_s
        Set-up time per batch.
    crew_free
        When each crew member can start (updated as tasks are given out).
    handling_s, speed
        Replenishment handling time and the crew's walking speed.
    replenish
        Without replenishment a short slot is an error.

    Raises
    ------
    InfeasibleError
        When a slot cannot hold even one pick's units, or ``replenish`` is off and a pick
        finds its slot short.
    """
    slots: dict[tuple[str, str], _Slot] = defaultdict(_Slot)
    for rec in instance.stock:
        slots[(rec.location, rec.sku)].add(-math.inf, rec.quantity)
    left: dict[tuple[str, str], float] = defaultdict(float)
    for picker, seq in sequences.items():
        for b, _ in seq:
            for location, t, _off in pick_offsets(b, classes[picker], setup_s):
                left[(location, t.sku)] += t.quantity
    walk = _walks(instance, {loc for loc, _ in left})
    starts: dict[str, float] = {}
    tasks: list[Relocation] = []
    heap: list[tuple[float, str, int]] = []
    for picker, seq in sequences.items():
        if seq:
            heapq.heappush(heap, (seq[0][1], picker, 0))
    while heap:
        start, picker, k = heapq.heappop(heap)
        b, _earliest = sequences[picker][k]
        planned: list[tuple[tuple[str, str], float, float]] = [
            ((location, t.sku), start + off, t.quantity)
            for location, t, off in pick_offsets(b, classes[picker], setup_s)
        ]
        delay, wanted = _shortages(
            instance, slots, planned, left, crew_free, walk, handling_s, speed
        )
        if wanted and not replenish:
            key = wanted[0][0]
            raise InfeasibleError(f"slot {key[0]} runs out of SKU {key[1]!r} (replenish is off)")
        if delay > _EPS:
            heapq.heappush(heap, (start + delay, picker, k))
            continue
        for key, _when, units, worker, begin, end in wanted:
            slots[key].add(end, units)
            crew_free[worker] = end
            tasks.append(_task(key, units, worker, begin, end))
        for key, when, q in planned:
            slots[key].add(when, -q)
            left[key] -= q
        starts[b.draft.id] = start
        free = start + b.duration_s(classes[picker], setup_s)
        if k + 1 < len(sequences[picker]):
            _next, earliest = sequences[picker][k + 1]
            heapq.heappush(heap, (max(earliest, free), picker, k + 1))
    return Supplied(starts, tasks)


def _walks(instance: Instance, locations: set[str]) -> dict[str, float]:
    ordered = sorted(locations)
    if not ordered:
        return {}
    dist = distance_matrix(instance, [instance.depot.id], ordered)[0]
    return {loc: float(d) for loc, d in zip(ordered, dist, strict=True)}


Wanted = tuple[tuple[str, str], float, float, str, float, float]


def _shortages(
    instance: Instance,
    slots: dict[tuple[str, str], _Slot],
    planned: list[tuple[tuple[str, str], float, float]],
    left: dict[tuple[str, str], float],
    crew_free: dict[str, float],
    walk: dict[str, float],
    handling_s: float,
    speed: float,
) -> tuple[float, list[Wanted]]:
    """The delay this batch needs (0 when it can go) and the top-ups it then takes.

    Top-ups are tentative here: the crew's clock is only moved when the batch is committed.
    """
    free = dict(crew_free)
    wanted: list[Wanted] = []
    extra: dict[tuple[str, str], float] = defaultdict(float)  # this batch's own picks so far
    added: dict[tuple[str, str], float] = defaultdict(float)  # and its own top-ups
    delay = 0.0
    for key, when, q in planned:
        slot = slots[key]
        _before, low, _high = slot.balances_from(when)
        need = q + extra[key] - added[key] - low
        extra[key] += q
        if need <= _EPS:
            continue
        cap = _capacity_units(instance, *key)
        worker = min(free, key=lambda w: (free[w], w))
        # After the slot's last pick so far, so that the top-up has room.
        begin = max(free[worker], slot.last_time(), 0.0)
        end = begin + handling_s + 2 * walk.get(key[0], 0.0) / speed
        _b, _low_end, high_end = slot.balances_from(end)
        room = cap - max(high_end, 0.0) - added[key]
        # Bring what the rest of the day needs here, as far as the slot holds it.
        units = min(max(left[key] - max(low, 0.0), need), room)
        if units + _EPS < need:
            if slot.last_time() <= when:
                raise InfeasibleError(
                    f"a batch takes {extra[key]:g} units of SKU {key[1]!r} from slot {key[0]}, "
                    f"which holds at most {cap:g}"
                )
            # The slot is still too full: go after the picks that will empty it.
            delay = max(delay, slot.last_time() - when + 1.0)
            continue
        if end > when + _EPS:
            delay = max(delay, end - when)
        free[worker] = end
        added[key] += units
        wanted.append((key, when, units, worker, begin, end))
    return delay, wanted


def _task(key: tuple[str, str], units: float, worker: str, begin: float, end: float) -> Relocation:
    return Relocation(
        sequence=1,  # numbered with the relocations by the chain
        step=0,
        sku=key[1],
        from_location=None,
        to_location=key[0],
        quantity=units,
        kind="replenish",
        worker=worker,
        planned_start_s=begin,
        planned_end_s=end,
    )
