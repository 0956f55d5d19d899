"""Turn the stages' decisions into timed instructions.

The optimisation stages decide *what*: where SKUs go (slotting moves), which orders travel
together (batches, waves) and in which order a tour visits its slots (routes). This module
decides *when*, with one timing model the plan checker re-computes independently:

* a relocation takes its slotting move's labour time; moves touching the same slot or SKU keep
  their sequence, the others run in parallel on the relocation workers;
* an order can be picked once it is released and every SKU it needs sits in its new slot;
* a batch lasts ``setup_s`` + its walk / the picker's speed + per line
  ``pick_time_per_line + pick_time_per_unit x units``; each pick starts when the picker
  reaches its slot (walking the route's legs) and has finished the picks before it.
"""

from __future__ import annotations

import itertools
import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from smartwms.errors import InstanceValidationError
from smartwms.layout import paired_distances
from smartwms.model import Instance, Move, Order, PickerClass, PickRoute, StockRecord
from smartwms.model.slotting import BUFFER
from smartwms.plan.model import OrderOutcome, PickerShift, PlannedBatch, PlannedPick, Relocation

__all__ = [
    "BatchDraft",
    "TimedBatch",
    "instance_after",
    "list_schedule",
    "move_quantities",
    "order_outcomes",
    "order_ready_times",
    "pick_offsets",
    "picker_shifts",
    "planned_batch",
    "schedule_relocations",
    "sku_ready_times",
    "split_route",
    "time_batches",
]


# ---------------------------------------------------------------------- relocations
def move_quantities(instance: Instance, moves: Sequence[Move]) -> list[float]:
    """Units each move carries: all the SKU's units in its source when the move runs."""
    held: dict[tuple[str, str], float] = defaultdict(float)
    for rec in instance.stock:
        held[(rec.location, rec.sku)] += rec.quantity
    out = []
    for m in moves:
        units = held.pop((m.source, m.sku), 0.0) if m.source is not None else 0.0
        held[(m.target, m.sku)] += units
        out.append(units)
    return out


def schedule_relocations(
    instance: Instance, moves: Sequence[Move], free: dict[str, float]
) -> list[Relocation]:
    """Time the slotting moves on the workers of ``free``, keeping the order of moves that
    interact.

    ``free`` says when each worker can start (and is updated). A move waits for every earlier
    move that touches one of its slots or its SKU (its target must have been emptied, its
    stock must have arrived); independent moves run in parallel on whichever worker is free
    first.
    """
    workers = sorted(free)
    if moves and not workers:
        raise InstanceValidationError([("relocation_workers", "relocations need a worker")])
    start_s = min(free.values(), default=0.0)
    last_touch: dict[str, float] = {}
    out: list[Relocation] = []
    for seq, (move, units) in enumerate(zip(moves, move_quantities(instance, moves), strict=True)):
        keys = [f"sku:{move.sku}", f"loc:{move.target}"]
        if move.source is not None:
            keys.append(f"loc:{move.source}")
        ready = max((last_touch.get(k, start_s) for k in keys), default=start_s)
        worker = min(workers, key=lambda w: (max(free[w], ready), w))
        begin = max(free[worker], ready)
        end = begin + move.labour_s
        free[worker] = end
        for k in keys:
            if k != f"loc:{BUFFER}":
                last_touch[k] = end
        out.append(
            Relocation(
                sequence=seq + 1,
                step=move.step,
                sku=move.sku,
                from_location=move.source,
                to_location=move.target,
                quantity=units,
                kind=move.kind,
                worker=worker,
                planned_start_s=begin,
                planned_end_s=end,
            )
        )
    return out


def sku_ready_times(relocations: Sequence[Relocation]) -> dict[str, float]:
    """When each relocated SKU sits in its final slot (its last move's end)."""
    ready: dict[str, float] = {}
    for r in relocations:
        ready[r.sku] = max(ready.get(r.sku, 0.0), r.planned_end_s)
    return ready


def order_ready_times(
    instance: Instance,
    relocations: Sequence[Relocation],
    waits: dict[str, float] | None = None,
) -> dict[str, float]:
    """Earliest pick start of every order: its release, its SKUs in their new slots, and
    ``waits`` (order -> time, e.g. the end of a replenishment it needs)."""
    sku_ready = sku_ready_times(relocations)
    waits = waits or {}
    return {
        o.id: max(
            [o.release_time, waits.get(o.id, 0.0), *(sku_ready.get(ln.sku, 0.0) for ln in o.lines)]
        )
        for o in instance.orders
    }


def instance_after(instance: Instance, assignment: dict[str, list[str]]) -> Instance:
    """The instance with its stock where ``assignment`` puts it (the state after the moves).

    Each SKU's units are spread over its new locations in proportion to what its old ones
    held (a relocation moves a slot's whole content); SKUs the assignment leaves out keep
    their stock.
    """
    by_sku: dict[str, list[StockRecord]] = defaultdict(list)
    for rec in instance.stock:
        by_sku[rec.sku].append(rec)
    stock: list[dict[str, object]] = []
    for sku, records in by_sku.items():
        target = assignment.get(sku)
        old = sorted({r.location for r in records})
        if target is None or sorted(target) == old:
            stock += [r.model_dump() for r in records]
            continue
        total = sum(r.quantity for r in records)
        share = total / len(target)
        stock += [{"sku": sku, "location": loc, "quantity": share} for loc in target]
    data = instance.model_dump(exclude={"stock"})
    data["stock"] = stock
    return Instance.model_validate(data)


# ---------------------------------------------------------------------- batches
@dataclass(frozen=True)
class BatchDraft:
    """A batch before it is timed: its orders, wave and (optionally) its picker."""

    id: str
    wave: str
    orders: tuple[str, ...]
    picker: str | None = None


@dataclass(frozen=True)
class _Take:
    order: str
    line: int
    sku: str
    quantity: float


def split_route(
    index: dict[str, Order], orders: Sequence[str], route: PickRoute
) -> list[list[_Take]]:
    """Per pick stop of ``route``, which order line takes how many units there.

    A stop's ``picks`` add up the batch's demand per SKU; they are handed to the batch's
    lines of that SKU in order (a line served from two slots gets two picks).
    """
    queue: dict[str, list[_Take]] = defaultdict(list)  # lines still to collect, per SKU
    for oid in orders:
        for j, line in enumerate(index[oid].lines):
            queue[line.sku].append(_Take(oid, j, line.sku, line.quantity))
    out: list[list[_Take]] = []
    for stop in route.stops:
        if stop.kind != "pick":
            continue
        takes: list[_Take] = []
        for sku, units in stop.picks.items():
            left = units
            lines = queue[sku]
            while left > 1e-9 and lines:
                need = lines[0]
                take = min(need.quantity, left)
                takes.append(_Take(need.order, need.line, sku, take))
                left -= take
                if need.quantity - take <= 1e-9:
                    lines.pop(0)
                else:
                    lines[0] = _Take(need.order, need.line, sku, need.quantity - take)
        out.append(takes)
    missing = {sku: len(v) for sku, v in queue.items() if v}
    if missing:
        raise AssertionError(f"route of {list(orders)} does not collect every line: {missing}")
    return out


@dataclass(frozen=True)
class TimedBatch:
    """A batch with its route, ready to be scheduled: duration and picks relative to start."""

    draft: BatchDraft
    route: list[str]
    length_m: float
    release_s: float
    due_s: float | None
    takes: list[list[_Take]]
    legs_m: list[float]  # walk before each pick stop, then the walk back to the depot

    def duration_s(self, cls: PickerClass, setup_s: float) -> float:
        """How long a picker of class ``cls`` needs for this batch."""
        handling = sum(_handling(cls, t.quantity) for stop in self.takes for t in stop)
        return setup_s + self.length_m / cls.speed + handling


def _handling(cls: PickerClass, quantity: float) -> float:
    return cls.pick_time_per_line + cls.pick_time_per_unit * quantity


def time_batches(
    instance: Instance,
    drafts: Sequence[BatchDraft],
    routes: Sequence[PickRoute],
    ready: dict[str, float],
) -> list[TimedBatch]:
    """Attach to every batch its route, walking legs, release and due time."""
    index = {o.id: o for o in instance.orders}
    stops = [[s.id for s in route.stops] for route in routes]
    pairs = [(a, b) for ids in stops for a, b in itertools.pairwise(ids)]
    legs = paired_distances(instance, [a for a, _ in pairs], [b for _, b in pairs]).tolist()
    out = []
    at = 0
    for draft, route, ids in zip(drafts, routes, stops, strict=True):
        mine = legs[at : at + len(ids) - 1]
        at += len(ids) - 1
        dues = [d for oid in draft.orders if (d := index[oid].due_time) is not None]
        out.append(
            TimedBatch(
                draft=draft,
                route=[s.id for s in route.stops if s.kind == "pick"],
                length_m=float(sum(mine)),
                release_s=max(ready[oid] for oid in draft.orders),
                due_s=min(dues) if dues else None,
                takes=split_route(index, draft.orders, route),
                legs_m=mine,
            )
        )
    return out


def list_schedule(
    batches: Sequence[TimedBatch],
    pickers: Sequence[tuple[str, PickerClass]],
    wave_release: dict[str, float],
    setup_s: float,
    rule: str = "edd",
) -> list[tuple[TimedBatch, str, float]]:
    """Give every batch a picker and a start: list scheduling by ``rule``.

    Batches are taken in rule order (``edd``: earliest due first, then release; ``fcfs``:
    release, then the order they came in; batches with a picker keep it) and each goes to the
    picker that can finish it first. Returns ``(batch, picker, start)`` per batch.
    """
    if not pickers:
        raise InstanceValidationError([("pickers", "a shift needs at least one picker")])

    def key(item: tuple[int, TimedBatch]) -> tuple[float, ...]:
        k, b = item
        release = max(b.release_s, wave_release[b.draft.wave])
        if rule == "edd":
            return (b.due_s if b.due_s is not None else math.inf, release, k)
        return (release, k)

    free = {p: 0.0 for p, _ in pickers}
    classes = dict(pickers)
    out = []
    for _, b in sorted(enumerate(batches), key=key):
        release = max(b.release_s, wave_release[b.draft.wave])
        options = [b.draft.picker] if b.draft.picker is not None else list(free)

        def finish(p: str, b: TimedBatch = b, release: float = release) -> tuple[float, str]:
            return (max(free[p], release) + b.duration_s(classes[p], setup_s), p)

        picker = min(options, key=finish)
        start = max(free[picker], release)
        free[picker] = start + b.duration_s(classes[picker], setup_s)
        out.append((b, picker, start))
    return out


def pick_offsets(b: TimedBatch, cls: PickerClass, setup_s: float) -> list[tuple[str, _Take, float]]:
    """Every pick of the batch as ``(location, take, seconds after the batch's start)``."""
    clock = setup_s
    out = []
    for location, leg, takes in zip(b.route, b.legs_m, b.takes, strict=False):
        clock += leg / cls.speed
        for t in takes:
            out.append((location, t, clock))
            clock += _handling(cls, t.quantity)
    return out


def planned_batch(
    b: TimedBatch, picker: str, cls: PickerClass, start: float, setup_s: float
) -> tuple[PlannedBatch, list[PlannedPick]]:
    """The batch and its picks, timed from ``start`` by the picker's speed and pick times."""
    totes = {oid: f"{b.draft.id}-T{k + 1}" for k, oid in enumerate(b.draft.orders)}
    picks = [
        PlannedPick(
            picker=picker,
            wave=b.draft.wave,
            batch=b.draft.id,
            sequence=k + 1,
            order=t.order,
            line=t.line,
            sku=t.sku,
            location=location,
            quantity=t.quantity,
            tote=totes[t.order],
            planned_start_s=start + offset,
        )
        for k, (location, t, offset) in enumerate(pick_offsets(b, cls, setup_s))
    ]
    batch = PlannedBatch(
        id=b.draft.id,
        wave=b.draft.wave,
        picker=picker,
        orders=list(b.draft.orders),
        totes=totes,
        route=list(b.route),
        length_m=b.length_m,
        start_s=start,
        end_s=start + b.duration_s(cls, setup_s),
    )
    return batch, picks


def order_outcomes(instance: Instance, batches: Sequence[PlannedBatch]) -> list[OrderOutcome]:
    """Planned completion and tardiness of every order (its batch's end against its due)."""
    by_order = {oid: b for b in batches for oid in b.orders}
    out = []
    for o in instance.orders:
        b = by_order[o.id]
        late = 0.0 if o.due_time is None else max(0.0, b.end_s - o.due_time)
        out.append(
            OrderOutcome(
                order=o.id,
                wave=b.wave,
                batch=b.id,
                picker=b.picker,
                release_s=o.release_time,
                due_s=o.due_time,
                completion_s=b.end_s,
                tardiness_s=late,
                on_time=None if o.due_time is None else late <= 0.0,
            )
        )
    return out


def picker_shifts(
    pickers: Sequence[tuple[str, PickerClass]], batches: Sequence[PlannedBatch]
) -> list[PickerShift]:
    """Every picker with its batches in working order and its busy time."""
    mine: dict[str, list[PlannedBatch]] = defaultdict(list)
    for b in batches:
        mine[b.picker].append(b)
    out = []
    for pid, cls in pickers:
        own = sorted(mine.get(pid, []), key=lambda b: b.start_s)
        out.append(
            PickerShift(
                id=pid,
                picker_class=cls.id,
                batches=[b.id for b in own],
                busy_s=sum(b.end_s - b.start_s for b in own),
            )
        )
    return out
