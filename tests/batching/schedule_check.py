"""An independent checker and a brute-force solver for picker schedules (tests only).

The checker re-computes everything a schedule claims from the problem data alone: every order
in exactly one batch, capacity, no two batches of one picker overlapping, no batch starting
before its orders are released or its picker is free, each batch's duration from its tour
length, the picker's speed, set-up and pick times, and the tardiness of every order.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

TOL = 1e-6


@dataclass(frozen=True)
class Picker:
    speed: float
    setup_s: float
    per_line_s: float
    per_unit_s: float
    available_s: float = 0.0


@dataclass(frozen=True)
class Timed:
    """One batch as a schedule claims it: orders, picker, tour length, start and end."""

    orders: tuple[int, ...]
    picker: int
    length: float
    start: float
    end: float


def check_schedule(
    *,
    n_orders: int,
    release: Sequence[float],
    due: Sequence[float],
    lines: Sequence[int],
    units: Sequence[float],
    pickers: Sequence[Picker],
    length_of: Callable[[tuple[int, ...]], float],
    fits: Callable[[tuple[int, ...]], bool],
    batches: Sequence[Timed],
    claimed_tardiness: float | None = None,
    claimed_tardy: Sequence[int] | None = None,
    claimed_makespan: float | None = None,
) -> float:
    """Raise ``AssertionError`` on the first inconsistency; return the re-computed tardiness."""
    seen = sorted(o for b in batches for o in b.orders)
    assert seen == list(range(n_orders)), f"orders not each in exactly one batch: {seen}"
    completion = [math.nan] * n_orders
    by_picker: dict[int, list[Timed]] = {}
    for b in batches:
        assert b.orders, "empty batch"
        assert fits(tuple(sorted(b.orders))), f"batch {b.orders} over capacity"
        assert 0 <= b.picker < len(pickers), f"unknown picker {b.picker}"
        length = length_of(tuple(sorted(b.orders)))
        assert abs(b.length - length) <= TOL * max(1.0, length), (b.length, length)
        p = pickers[b.picker]
        duration = (
            p.setup_s
            + length / p.speed
            + p.per_line_s * sum(lines[o] for o in b.orders)
            + p.per_unit_s * sum(units[o] for o in b.orders)
        )
        assert abs((b.end - b.start) - duration) <= TOL * max(1.0, duration), (b, duration)
        assert b.start >= max(release[o] for o in b.orders) - TOL, f"{b} starts before release"
        assert b.start >= p.available_s - TOL, f"{b} starts before its picker is free"
        by_picker.setdefault(b.picker, []).append(b)
        for o in b.orders:
            completion[o] = b.end
    for k, own in by_picker.items():
        own.sort(key=lambda b: b.start)
        for a, b in itertools.pairwise(own):
            assert b.start >= a.end - TOL, f"picker {k}: {a} and {b} overlap"
    tardy = [o for o in range(n_orders) if completion[o] > due[o] + TOL]
    tardiness = sum(completion[o] - due[o] for o in tardy)
    if claimed_tardiness is not None:
        assert abs(claimed_tardiness - tardiness) <= TOL * max(1.0, tardiness)
    if claimed_tardy is not None:
        assert sorted(claimed_tardy) == tardy, (claimed_tardy, tardy)
    if claimed_makespan is not None:
        assert abs(claimed_makespan - max(b.end for b in batches)) <= TOL
    return tardiness


# ---------------------------------------------------------------------- brute force
def _partitions(items: list[int]) -> Iterator[list[list[int]]]:
    if not items:
        yield []
        return
    first, rest = items[0], items[1:]
    for part in _partitions(rest):
        for i in range(len(part)):
            yield [*part[:i], [first, *part[i]], *part[i + 1 :]]
        yield [[first], *part]


def _assignments(batches: list[tuple[int, ...]], m: int) -> Iterator[list[list[tuple[int, ...]]]]:
    """Every way to give the batches to ``m`` pickers, each with its own working order."""
    b = len(batches)
    for perm in itertools.permutations(batches):
        for cuts in itertools.combinations_with_replacement(range(b + 1), m - 1):
            bounds = [0, *cuts, b]
            yield [list(perm[bounds[k] : bounds[k + 1]]) for k in range(m)]


def brute_force(
    *,
    n_orders: int,
    release: Sequence[float],
    due: Sequence[float],
    lines: Sequence[int],
    units: Sequence[float],
    pickers: Sequence[Picker],
    length_of: Callable[[tuple[int, ...]], float],
    fits: Callable[[tuple[int, ...]], bool],
    objective: str = "tardiness",
) -> tuple[float, float]:
    """The optimum ``(objective, total length)`` (lexicographic) by enumeration.

    Every partition into batches that fit, every assignment and sequence, each batch started as
    early as possible (optimal for a given sequence: both objectives are regular).
    """
    best = (math.inf, math.inf)
    for part in _partitions(list(range(n_orders))):
        batches = [tuple(sorted(b)) for b in part]
        if not all(fits(b) for b in batches):
            continue
        length = {b: length_of(b) for b in batches}
        total_length = sum(length.values())
        for seqs in _assignments(batches, len(pickers)):
            tard, ends = 0.0, []
            for k, seq in enumerate(seqs):
                p, t = pickers[k], pickers[k].available_s
                for b in seq:
                    t = max(t, max(release[o] for o in b)) + (
                        p.setup_s
                        + length[b] / p.speed
                        + p.per_line_s * sum(lines[o] for o in b)
                        + p.per_unit_s * sum(units[o] for o in b)
                    )
                    tard += sum(max(0.0, t - due[o]) for o in b)
                if seq:  # an idle picker does not set the makespan
                    ends.append(t)
            value = tard if objective == "tardiness" else max(ends)
            cand = (round(value, 6), round(total_length, 6))
            best = min(best, cand)
    return best


# ---------------------------------------------------------------------- schedule results
def check_schedule_result(instance, result, pickers: Sequence[Picker], ids: Sequence[str]) -> None:  # type: ignore[no-untyped-def]
    """Check a :class:`~smartwms.batching.schedule.ScheduleResult` against the instance alone.

    The batches are checked by the batching checker (every order once, capacity, routes and
    lengths re-computed); the schedule by :func:`check_schedule` with tour lengths re-computed
    by :func:`~smartwms.batching.policy_length` from the locations of the orders' SKUs, and
    the pick times from the instance's order lines. ``pickers`` are the pickers, named ``ids``.
    """
    from smartwms.batching import check_batching, policy_length

    check_batching(instance, result)
    orders = [o for o in instance.orders if any(o.id in b.orders for b in result.batches)]
    pos = {o.id: i for i, o in enumerate(orders)}
    locs = instance.location_index
    home = {rec.sku: rec.location for rec in instance.stock}

    def length_of(batch: tuple[int, ...]) -> float:
        spots = sorted({home[line.sku] for i in batch for line in orders[i].lines})
        aisles = [int(locs[s].aisle or 0) for s in spots]
        cells = [int(locs[s].cell or 0) for s in spots]
        return policy_length(instance, result.routing, aisles, cells)

    capacity = result.cart.articles
    size = [sum(line.quantity for line in o.lines) for o in orders]
    picker_of = {name: k for k, name in enumerate(ids)}
    batches = [
        Timed(
            tuple(sorted(pos[o] for o in b.orders)),
            picker_of[b.picker],
            b.length,
            b.start,
            b.end,
        )
        for b in result.batches
    ]
    due = [math.inf if o.due_time is None else o.due_time for o in orders]
    tardiness = check_schedule(
        n_orders=len(orders),
        release=[o.release_time for o in orders],
        due=due,
        lines=[len(o.lines) for o in orders],
        units=[sum(line.quantity for line in o.lines) for o in orders],
        pickers=pickers,
        length_of=length_of,
        fits=lambda b: capacity is None or sum(size[i] for i in b) <= capacity + 1e-9,
        batches=batches,
        claimed_tardiness=result.total_tardiness,
        claimed_tardy=[pos[t.order] for t in result.tardy_orders],
        claimed_makespan=result.makespan,
    )
    assert abs(
        result.objective
        - (tardiness if result.objective_name == "total_tardiness" else result.makespan)
    ) <= TOL * max(1.0, result.objective)
    for t in result.tardy_orders:
        assert abs(t.tardiness - (t.completion - due[pos[t.order]])) <= TOL
    starts = [b.start for b in result.batches]
    assert starts == sorted(starts), "batches are listed in order of their start"
    for wave in result.waves:
        mine = [b for b in result.batches if b.wave == wave.id]
        assert sorted(b.id for b in mine) == sorted(wave.batches)
        assert sorted(o for b in mine for o in b.orders) == sorted(wave.orders)
        assert all(b.start >= wave.start - TOL for b in mine), f"wave {wave.id} starts late"
        assert all(instance_release(instance, o) <= wave.start + TOL for o in wave.orders)
        finish = max((b.end for b in mine), default=wave.start)
        assert abs(finish - wave.finish) <= TOL
        assert wave.overrun == (wave.end is not None and finish > wave.end + TOL)
    if result.waves:
        assert sorted(o for w in result.waves for o in w.orders) == sorted(o.id for o in orders)


def instance_release(instance, order_id: str) -> float:  # type: ignore[no-untyped-def]
    return next(o.release_time for o in instance.orders if o.id == order_id)
