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
                ends.append(t)
            value = tard if objective == "tardiness" else max(ends)
            cand = (round(value, 6), round(total_length, 6))
            best = min(best, cand)
    return best
