"""Joint batching, picker assignment and sequencing with due dates (several pickers).

The problem of Scholz, Schubert & Wäscher (2017): orders with release and due times are grouped
into batches that fit on a cart, every batch goes to one of several pickers, and each picker
works through a sequence of batches. A batch's processing time on a picker is its set-up time,
its tour length divided by the picker's speed and the time to pick its lines and units; all
orders of a batch are complete when the picker is back at the depot. The objective is the
total tardiness of the orders (or the makespan); ties are broken by the total tour length.

This module works on an abstract :class:`SchedulingProblem`: order data as arrays, the pickers,
and two callables from the batching layer, ``lengths`` (tour lengths of batches under the
routing policy) and the cart's capacity as additive loads (articles, volume, weight, totes).
It knows nothing of layouts or routing.

Methods
-------
- :func:`edd_sequences`: earliest due date constructions (next-fit or first-fit batching in EDD
  order, batches list-scheduled on the picker that finishes them first).
- :func:`fcfs_sequences`: the rule-based baseline (batches in arrival order, first-fit, list
  scheduling).
- :func:`improve_sequences`: the iterated local search of Scholz et al. (2017), here with a
  variable neighbourhood descent over batch moves (relocate and swap batches between positions
  and pickers), order moves (relocate an order to another batch or to a new batch anywhere,
  swap two orders between batches) and batch merges, and a perturbation of random order and
  batch moves with restarts from the best solution.

References
----------
Scholz, A., Schubert, D., Wäscher, G. (2017). Order picking with multiple pickers and due dates
- Simultaneous solution of order batching, batch assignment and sequencing, and picker routing
problems. European Journal of Operational Research 263(2), 461-478.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Literal

__all__ = [
    "OBJECTIVES",
    "Batch",
    "PickerSpec",
    "Schedule",
    "ScheduledBatch",
    "SchedulingProblem",
    "edd_sequences",
    "evaluate",
    "fcfs_sequences",
    "improve_sequences",
    "list_schedule",
]

Objective = Literal["tardiness", "makespan"]
#: Scheduling objectives: total tardiness of the orders, or the time the last batch ends.
OBJECTIVES: tuple[Objective, ...] = ("tardiness", "makespan")

Batch = tuple[int, ...]  # indices of orders, sorted
Sequences = list[list[Batch]]  # per picker, its batches in working order

# Two objective values closer than this are equal (times are seconds, lengths metres).
_EPS = 1e-7
# Order moves consider the batches this many nearest in start time (granular neighbourhoods).
_GRANULARITY = 24
# Most distinct batches whose data is cached before the cache is emptied (memory bound).
_CACHE_LIMIT = 200_000


@dataclass(frozen=True)
class PickerSpec:
    """One picker: walking speed, set-up time per batch, pick times, when it is free.

    Examples
    --------
    >>> PickerSpec("p1", speed=1.0, setup_s=60, per_line_s=10, per_unit_s=2).processing_s(
    ...     100.0, 3, 5
    ... )
    200.0
    """

    id: str
    speed: float = 1.0
    setup_s: float = 0.0
    per_line_s: float = 0.0
    per_unit_s: float = 0.0
    available_s: float = 0.0

    def processing_s(self, length: float, lines: int, units: float) -> float:
        """Seconds to set up, walk ``length`` and pick ``lines`` lines of ``units`` units."""
        return (
            self.setup_s + length / self.speed + self.per_line_s * lines + self.per_unit_s * units
        )


@dataclass(frozen=True)
class SchedulingProblem:
    """Orders (by index), pickers, and the batching layer's tour lengths and capacity check.

    Parameters
    ----------
    order_ids
        Names of the orders, by index.
    release, due
        Per order: when it may be started (seconds) and when it is due (``math.inf``: never
        tardy).
    lines, units
        Per order: its number of lines and of units (the pick time depends on both).
    pickers
        The pickers (each one individually).
    lengths
        ``lengths(batches)`` gives the tour length of each batch (a sorted tuple of order
        indices) under the instance's routing policy.
    loads, capacity
        Per order, what it takes of each capacity dimension (articles, litres, kg, totes...);
        a batch fits on a cart when its loads add up to at most ``capacity`` in every one.
    objective
        ``tardiness`` or ``makespan``.
    """

    order_ids: Sequence[str]
    release: Sequence[float]
    due: Sequence[float]
    lines: Sequence[int]
    units: Sequence[float]
    pickers: Sequence[PickerSpec]
    lengths: Callable[[Sequence[Batch]], Sequence[float]]
    loads: Sequence[Sequence[float]]
    capacity: Sequence[float]
    objective: Objective = "tardiness"

    @property
    def n_orders(self) -> int:
        """Number of orders."""
        return len(self.order_ids)


@dataclass(frozen=True)
class ScheduledBatch:
    """A batch on a picker: its orders, tour length, planned start and end (seconds)."""

    orders: Batch
    picker: int
    position: int
    length: float
    start: float
    end: float


@dataclass(frozen=True)
class Schedule:
    """Timed batches of every picker, with per-order completion and the objective's parts."""

    batches: tuple[ScheduledBatch, ...]
    completion: tuple[float, ...]
    total_tardiness: float
    makespan: float
    total_length: float
    tardy: tuple[int, ...]

    def objective(self, name: Objective) -> float:
        """The value of objective ``name``."""
        return self.total_tardiness if name == "tardiness" else self.makespan

    def sequences(self, n_pickers: int) -> Sequences:
        """The batches of each picker in working order."""
        out: Sequences = [[] for _ in range(n_pickers)]
        for b in sorted(self.batches, key=lambda b: (b.picker, b.position)):
            out[b.picker].append(b.orders)
        return out


# ---------------------------------------------------------------------- batch data
@dataclass(frozen=True)
class _BatchInfo:
    length: float
    release: float
    dues: tuple[float, ...]  # only the finite ones
    proc: tuple[float, ...]  # processing time on each picker


class _Batches:
    """Cached data of batches: tour length, release, due times, processing time per picker."""

    def __init__(self, problem: SchedulingProblem) -> None:
        self.p = problem
        self._info: dict[Batch, _BatchInfo] = {}
        self.evaluated = 0
        self.loads = [tuple(float(x) for x in row) for row in problem.loads]
        # The same rounding slack as the batching layer's cart check.
        self.capacity = tuple(float(c) * (1 + 1e-9) + 1e-9 for c in problem.capacity)
        self.dims = range(len(self.capacity))

    def load(self, batch: Sequence[int]) -> list[float]:
        """What ``batch`` takes of each capacity dimension."""
        total = [0.0] * len(self.capacity)
        for o in batch:
            row = self.loads[o]
            for d in self.dims:
                total[d] += row[d]
        return total

    def within(self, load: Sequence[float]) -> bool:
        """Whether ``load`` fits on a cart."""
        return all(x <= c for x, c in zip(load, self.capacity, strict=True))

    def fits(self, batch: Sequence[int]) -> bool:
        """Whether ``batch`` fits on a cart."""
        return self.within(self.load(batch))

    def prefetch(self, batches: Sequence[Batch]) -> None:
        """Compute the data of every batch not yet known, tour lengths in one call."""
        missing = list(dict.fromkeys(b for b in batches if b not in self._info))
        if not missing:
            return
        if len(self._info) + len(missing) > _CACHE_LIMIT:
            self._info.clear()
        p = self.p
        lengths = p.lengths(missing)
        self.evaluated += len(missing)
        for batch, length in zip(missing, lengths, strict=True):
            lines = sum(p.lines[o] for o in batch)
            units = sum(p.units[o] for o in batch)
            self._info[batch] = _BatchInfo(
                length=float(length),
                release=max(p.release[o] for o in batch),
                dues=tuple(d for o in batch if math.isfinite(d := p.due[o])),
                proc=tuple(k.processing_s(float(length), lines, units) for k in p.pickers),
            )

    def info(self, batch: Batch) -> _BatchInfo:
        found = self._info.get(batch)
        if found is None:
            self.prefetch([batch])
            found = self._info[batch]
        return found


# ---------------------------------------------------------------------- evaluation
def evaluate(problem: SchedulingProblem, sequences: Sequence[Sequence[Batch]]) -> Schedule:
    """Time the batches: each starts as soon as its picker is free and its orders are released.

    Parameters
    ----------
    problem
        The problem.
    sequences
        Per picker, its batches in working order.
    """
    return _timed(_Batches(problem), problem, sequences)


def _timed(
    cache: _Batches, problem: SchedulingProblem, sequences: Sequence[Sequence[Batch]]
) -> Schedule:
    cache.prefetch([b for seq in sequences for b in seq])
    completion = [math.nan] * problem.n_orders
    timed: list[ScheduledBatch] = []
    for k, seq in enumerate(sequences):
        t = problem.pickers[k].available_s
        for pos, batch in enumerate(seq):
            info = cache.info(batch)
            start = max(t, info.release)
            t = start + info.proc[k]
            timed.append(ScheduledBatch(batch, k, pos, info.length, start, t))
            for o in batch:
                completion[o] = t
    tardy = tuple(o for o in range(problem.n_orders) if completion[o] > problem.due[o] + _EPS)
    return Schedule(
        batches=tuple(timed),
        completion=tuple(completion),
        total_tardiness=sum(completion[o] - problem.due[o] for o in tardy),
        makespan=max((b.end for b in timed), default=0.0),
        total_length=sum(b.length for b in timed),
        tardy=tardy,
    )


# ---------------------------------------------------------------------- constructions
def _next_fit(cache: _Batches, orders: Sequence[int]) -> list[Batch]:
    """Orders in the given sequence fill one batch until the next does not fit."""
    batches: list[Batch] = []
    current: list[int] = []
    for o in orders:
        trial = tuple(sorted([*current, o]))
        if current and not cache.fits(trial):
            batches.append(tuple(sorted(current)))
            current = [o]
        else:
            current.append(o)
    if current:
        batches.append(tuple(sorted(current)))
    return batches


def _first_fit(cache: _Batches, orders: Sequence[int]) -> list[Batch]:
    """Each order, in the given sequence, joins the first open batch it fits in."""
    open_batches: list[list[int]] = []
    for o in orders:
        for members in open_batches:
            if cache.fits(tuple(sorted([*members, o]))):
                members.append(o)
                break
        else:
            open_batches.append([o])
    return [tuple(sorted(m)) for m in open_batches]


def _check_singletons(cache: _Batches, problem: SchedulingProblem) -> None:
    for o in range(problem.n_orders):
        if not cache.fits((o,)):
            raise ValueError(f"order {problem.order_ids[o]!r} alone does not fit on a cart")


def list_schedule(problem: SchedulingProblem, batches: Sequence[Batch]) -> Sequences:
    """Give each batch, in the order given, to the picker that would finish it first."""
    return _list_schedule(_Batches(problem), problem, batches)


def _list_schedule(
    cache: _Batches, problem: SchedulingProblem, batches: Sequence[Batch]
) -> Sequences:
    cache.prefetch(batches)
    free = [p.available_s for p in problem.pickers]
    out: Sequences = [[] for _ in problem.pickers]
    for batch in batches:
        info = cache.info(batch)
        ends = [max(free[k], info.release) + info.proc[k] for k in range(len(free))]
        k = min(range(len(free)), key=lambda j: (ends[j], j))
        out[k].append(batch)
        free[k] = ends[k]
    return out


def _edd_key(problem: SchedulingProblem) -> Callable[[int], tuple[float, float, int]]:
    return lambda o: (problem.due[o], problem.release[o], o)


def _batch_due(problem: SchedulingProblem) -> Callable[[Batch], tuple[float, float, Batch]]:
    return lambda b: (min(problem.due[o] for o in b), max(problem.release[o] for o in b), b)


def edd_sequences(
    problem: SchedulingProblem, batching: Literal["next-fit", "first-fit"] = "next-fit"
) -> Sequences:
    """Earliest due date: orders batched in EDD order, batches list-scheduled in EDD order.

    Raises ``ValueError`` when an order alone does not fit on a cart.
    """
    return _edd(_Batches(problem), problem, batching)


def _edd(cache: _Batches, problem: SchedulingProblem, batching: str) -> Sequences:
    _check_singletons(cache, problem)
    orders = sorted(range(problem.n_orders), key=_edd_key(problem))
    batches = _next_fit(cache, orders) if batching == "next-fit" else _first_fit(cache, orders)
    return _list_schedule(cache, problem, sorted(batches, key=_batch_due(problem)))


def fcfs_sequences(problem: SchedulingProblem) -> Sequences:
    """First come, first served: orders fill a cart in release order (the next cart opens when
    one is full) and batches are list-scheduled in that order (the rule-based WMS baseline).
    """
    cache = _Batches(problem)
    _check_singletons(cache, problem)
    orders = sorted(range(problem.n_orders), key=lambda o: (problem.release[o], o))
    return _list_schedule(cache, problem, _next_fit(cache, orders))


# ---------------------------------------------------------------------- the search
Cost = tuple[float, float]  # (primary objective, total tour length)


def _better(a: Cost, b: Cost) -> bool:
    """Whether ``a`` is strictly better than ``b`` (lexicographic, with a tolerance)."""
    if a[0] < b[0] - _EPS:
        return True
    return abs(a[0] - b[0]) <= _EPS and a[1] < b[1] - _EPS


@dataclass
class SearchStats:
    """What the search did: iterations, improvements, batches evaluated, whether stopped."""

    iterations: int = 0
    improvements: int = 0
    batches_evaluated: int = 0
    stopped: bool = False
    history: list[tuple[int, float]] = field(default_factory=list)


Change = tuple[int, list[Batch], int]  # picker, its new sequence, first position that differs


class _Search:
    """Iterated local search over batches, their assignment to pickers and their sequence.

    The current solution is kept with, per picker, the time it is free and the tardiness
    accumulated before each of its batches. A move only re-times the changed pickers from the
    first batch it changes, and gives up as soon as their tardiness (or end time) exceeds what
    would still improve the total; a move that does not shorten the tours must strictly improve
    the objective, which rejects most moves of a schedule without tardiness at once.
    """

    def __init__(
        self,
        problem: SchedulingProblem,
        cache: _Batches,
        rng: random.Random,
        stop: Callable[[], bool],
    ) -> None:
        self.p = problem
        self.cache = cache
        self.rng = rng
        self.stop = stop
        self.m = len(problem.pickers)
        self.tardiness = problem.objective == "tardiness"
        self.seqs: Sequences = [[] for _ in range(self.m)]
        self.t_pre: list[list[float]] = [[p.available_s] for p in problem.pickers]
        self.tard_pre: list[list[float]] = [[0.0] for _ in range(self.m)]
        self.length = 0.0
        self.active: set[int] = set()
        self.granularity = _GRANULARITY

    # -------------------------------------------------------------- state and costs
    def load(self, seqs: Sequences) -> None:
        """Make ``seqs`` the current solution."""
        self.seqs = [list(s) for s in seqs]
        self.cache.prefetch([b for s in self.seqs for b in s])
        self.length = sum(self.cache.info(b).length for s in self.seqs for b in s)
        for k in range(self.m):
            self._refresh(k)

    def _refresh(self, k: int) -> None:
        t = self.p.pickers[k].available_s
        tard = 0.0
        times, tards = [t], [tard]
        info = self.cache.info
        for batch in self.seqs[k]:
            inf = info(batch)
            t = max(t, inf.release) + inf.proc[k]
            for d in inf.dues:
                if t > d:
                    tard += t - d
            times.append(t)
            tards.append(tard)
        self.t_pre[k] = times
        self.tard_pre[k] = tards

    def cost(self) -> Cost:
        """The current solution's (objective, total tour length)."""
        if self.tardiness:
            return sum(t[-1] for t in self.tard_pre), self.length
        return max(self._ends(), default=0.0), self.length

    def _ends(self) -> list[float]:
        """When each picker finishes its last batch (``-inf`` for a picker without one: an
        idle picker does not set the makespan).
        """
        return [t[-1] if len(t) > 1 else -math.inf for t in self.t_pre]

    def solution(self) -> Sequences:
        return [list(s) for s in self.seqs]

    def _length(self, batch: Batch) -> float:
        return self.cache.info(batch).length if batch else 0.0

    def _suffix(self, k: int, seq: Sequence[Batch], j: int, limit: float) -> float | None:
        """Tardiness (or end time) of picker ``k`` on ``seq``, whose first ``j`` batches are
        the current ones; ``None`` as soon as it exceeds ``limit``.
        """
        t = self.t_pre[k][j]
        tard = self.tard_pre[k][j]
        info = self.cache.info
        tardiness = self.tardiness
        for pos in range(j, len(seq)):
            inf = info(seq[pos])
            t = max(t, inf.release) + inf.proc[k]
            if tardiness:
                for d in inf.dues:
                    if t > d:
                        tard += t - d
                if tard > limit:
                    return None
            elif t > limit:
                return None
        if tardiness:
            return tard
        return t if seq else -math.inf

    def _try(self, changes: Sequence[Change], dlen: float) -> bool:
        """Apply ``changes`` when they improve (objective, then tour length); ``dlen`` is the
        change of the total tour length.
        """
        shorter = dlen < -_EPS
        if self.tardiness:
            old = sum(self.tard_pre[k][-1] for k, _, _ in changes)
            limit = old + _EPS if shorter else old - _EPS
            floors = [self.tard_pre[k][j] for k, _, j in changes]
            if sum(floors) > limit:
                return False
            spent = 0.0
            for idx, (k, seq, j) in enumerate(changes):
                got = self._suffix(k, seq, j, limit - spent - sum(floors[idx + 1 :]))
                if got is None:
                    return False
                spent += got
        else:
            ends = self._ends()
            old = max(ends)
            limit = old + _EPS if shorter else old - _EPS
            changed = {k for k, _, _ in changes}
            if max((e for k, e in enumerate(ends) if k not in changed), default=-math.inf) > limit:
                return False
            for k, seq, j in changes:
                if self._suffix(k, seq, j, limit) is None:
                    return False
        for k, seq, _ in changes:
            before = set(self.seqs[k])
            self.active.update(o for batch in seq if batch not in before for o in batch)
            self.seqs[k] = seq
            self._refresh(k)
        self.length += dlen
        return True

    # -------------------------------------------------------------- local search
    def descend(self, seqs: Sequences, active: set[int] | None = None) -> Sequences:
        """Variable neighbourhood descent until no move improves (or the stop fires).

        ``active`` are the orders whose order moves are tried first (default: all).
        """
        self.load(seqs)
        self.active = set(range(self.p.n_orders)) if active is None else set(active)
        neighbourhoods = (self._batch_moves, self._order_moves, self._merges)
        i = 0
        while i < len(neighbourhoods) and not self.stop():
            if neighbourhoods[i]():
                i = 0
            else:
                i += 1
        return self.solution()

    def _positions(self) -> list[tuple[int, int]]:
        out = [(k, i) for k, s in enumerate(self.seqs) for i in range(len(s))]
        self.rng.shuffle(out)
        return out

    def _batch_moves(self) -> bool:
        """Relocate one batch to another position or picker; swap two batches."""
        improved = False
        seqs = self.seqs
        for k, i in self._positions():
            if self.stop():
                break
            if i >= len(seqs[k]):
                continue
            if self._relocate_batch(k, i) or self._swap_batch(k, i):
                improved = True
        return improved

    def _relocate_batch(self, k: int, i: int) -> bool:
        seqs = self.seqs
        batch = seqs[k][i]
        rest = seqs[k][:i] + seqs[k][i + 1 :]
        for k2 in range(self.m):
            base = rest if k2 == k else seqs[k2]
            for j in range(len(base) + 1):
                if k2 == k and j == i:
                    continue
                new = [*base[:j], batch, *base[j:]]
                changes: list[Change] = (
                    [(k, new, min(i, j))] if k2 == k else [(k, rest, i), (k2, new, j)]
                )
                if self._try(changes, 0.0):
                    return True
        return False

    def _swap_batch(self, k: int, i: int) -> bool:
        seqs = self.seqs
        batch = seqs[k][i]
        for k2 in range(k, self.m):
            for j in range(i + 1 if k2 == k else 0, len(seqs[k2])):
                other = seqs[k2][j]
                changes: list[Change]
                if k2 == k:
                    new = list(seqs[k])
                    new[i], new[j] = other, batch
                    changes = [(k, new, i)]
                else:
                    a, b = list(seqs[k]), list(seqs[k2])
                    a[i], b[j] = other, batch
                    changes = [(k, a, i), (k2, b, j)]
                if self._try(changes, 0.0):
                    return True
        return False

    def _order_moves(self) -> bool:
        """Move an order to another batch or a new one; swap two orders between batches.

        Only active orders are tried (don't-look bits): those of batches a move or the
        perturbation changed, and those on a picker with tardy orders; an order tried without
        success rests until its batch changes again.
        """
        improved = False
        for k in range(self.m):
            if self.tard_pre[k][-1] > _EPS:
                self.active.update(o for batch in self.seqs[k] for o in batch)
        orders = sorted(self.active)
        self.rng.shuffle(orders)
        for o in orders:
            if self.stop():
                break
            if o not in self.active:
                continue
            if self._relocate_order(o) or self._swap_order(o):
                improved = True
            else:
                self.active.discard(o)
        return improved

    def _near(self, k: int, i: int) -> list[tuple[int, int]]:
        """The other batches that start nearest in time to batch ``(k, i)`` (granular
        neighbourhoods: an order rarely gains by moving to a batch hours away).
        """
        here = self.t_pre[k][i]
        others = [
            (abs(times[j] - here), k2, j)
            for k2, times in enumerate(self.t_pre)
            for j in range(len(times) - 1)
            if (k2, j) != (k, i)
        ]
        if len(others) > self.granularity:
            others.sort()
            others = others[: self.granularity]
        return [(k2, j) for _, k2, j in others]

    def _near_slots(self, k: int, i: int) -> list[tuple[int, int]]:
        """Places for a new batch near in time to batch ``(k, i)``: before any of the
        nearest batches, or at the end of a picker's sequence.
        """
        here = self.t_pre[k][i]
        slots = [
            (abs(times[j] - here), k2, j)
            for k2, times in enumerate(self.t_pre)
            for j in range(len(times))
        ]
        if len(slots) > self.granularity:
            slots.sort()
            slots = slots[: self.granularity]
        return [(k2, j) for _, k2, j in slots]

    def _where(self, o: int) -> tuple[int, int]:
        for k, seq in enumerate(self.seqs):
            for i, batch in enumerate(seq):
                if o in batch:
                    return k, i
        raise AssertionError(f"order {o} is in no batch")

    @staticmethod
    def _replaced(seq: list[Batch], i: int, batch: Batch) -> list[Batch]:
        """``seq`` with batch ``i`` replaced (removed when ``batch`` is empty)."""
        return seq[:i] + ([batch] if batch else []) + seq[i + 1 :]

    def _two(self, k: int, i: int, a: Batch, k2: int, j: int, b: Batch) -> list[Change]:
        """Batch ``(k, i)`` becomes ``a`` and batch ``(k2, j)`` becomes ``b`` (empty: gone)."""
        seqs = self.seqs
        if k2 != k:
            return [(k, self._replaced(seqs[k], i, a), i), (k2, self._replaced(seqs[k2], j, b), j)]
        new: list[Batch] = list(seqs[k])
        new[i], new[j] = a, b
        return [(k, [x for x in new if x], min(i, j))]

    def _relocate_order(self, o: int) -> bool:
        seqs, cache = self.seqs, self.cache
        k, i = self._where(o)
        source = seqs[k][i]
        left = tuple(x for x in source if x != o)
        row = cache.loads[o]
        targets: list[tuple[int, int, Batch]] = []
        for k2, j in self._near(k, i):
            batch = seqs[k2][j]
            load = cache.load(batch)
            if cache.within([x + y for x, y in zip(load, row, strict=True)]):
                targets.append((k2, j, tuple(sorted((*batch, o)))))
        cache.prefetch([t[2] for t in targets] + ([left] if left else []) + [(o,)])
        base = self._length(left) - self._length(source)
        for k2, j, grown in targets:
            dlen = base + self._length(grown) - self._length(seqs[k2][j])
            if self._try(self._two(k, i, left, k2, j, grown), dlen):
                return True
        if not left:
            return False  # a batch of one order: relocating it is a batch move
        dlen = base + self._length((o,))
        shrunk = self._replaced(seqs[k], i, left)
        for k2, j in self._near_slots(k, i):
            extended = shrunk if k2 == k else seqs[k2]
            new = [*extended[:j], (o,), *extended[j:]]
            changes: list[Change] = (
                [(k, new, min(i, j))] if k2 == k else [(k, shrunk, i), (k2, new, j)]
            )
            if self._try(changes, dlen):
                return True
        return False

    def _swap_order(self, o: int) -> bool:
        seqs, cache = self.seqs, self.cache
        k, i = self._where(o)
        source = seqs[k][i]
        rest = tuple(x for x in source if x != o)
        loads = cache.loads
        # Room left in o's batch once o is out, and what o needs in the other batch.
        room = [c - x for c, x in zip(cache.capacity, cache.load(rest), strict=True)]
        need = loads[o]
        dims = cache.dims
        trials: list[tuple[int, int, Batch, Batch]] = []
        for k2, j in self._near(k, i):
            batch = seqs[k2][j]
            spare = [c - x for c, x in zip(cache.capacity, cache.load(batch), strict=True)]
            for o2 in batch:
                if o2 < o and len(batch) > 1 and len(source) > 1:
                    continue  # the pair is tried from o2's side as well
                row = loads[o2]
                if any(row[d] > room[d] or need[d] - row[d] > spare[d] for d in dims):
                    continue
                a = tuple(sorted((*rest, o2)))
                b = tuple(sorted((*(x for x in batch if x != o2), o)))
                trials.append((k2, j, a, b))
        cache.prefetch([x for t in trials for x in t[2:]])
        for k2, j, a, b in trials:
            dlen = (
                self._length(a) + self._length(b) - self._length(source) - self._length(seqs[k2][j])
            )
            if self._try(self._two(k, i, a, k2, j, b), dlen):
                return True
        return False

    def _merges(self) -> bool:
        """Merge two batches into one, at the place of either."""
        improved = False
        seqs = self.seqs
        for k, i in self._positions():
            if self.stop():
                break
            for k2 in range(self.m):
                done = False
                for j in range(len(seqs[k2])):
                    if i >= len(seqs[k]) or (k2, j) == (k, i):
                        continue
                    first, second = seqs[k][i], seqs[k2][j]
                    merged = tuple(sorted((*first, *second)))
                    if not self.cache.fits(merged):
                        continue
                    dlen = self._length(merged) - self._length(first) - self._length(second)
                    if self._try(self._two(k, i, merged, k2, j, ()), dlen):
                        improved = done = True
                        break
                if done:
                    break
        return improved

    # -------------------------------------------------------------- perturbation
    def perturb(self, seqs: Sequences, strength: int) -> tuple[Sequences, set[int]]:
        """``strength`` random moves: an order to another batch (or a new one), a swap of two
        orders, or a swap of two batches; capacity always holds. Also returns the orders of
        every batch touched.
        """
        seqs = [list(s) for s in seqs]
        rng = self.rng
        touched: set[int] = set()
        for _ in range(strength):
            kind = rng.random()
            placed = [(k, i) for k, s in enumerate(seqs) for i in range(len(s))]
            if kind < 0.3 and len(placed) > 1:
                (k, i), (k2, j) = rng.sample(placed, 2)
                seqs[k][i], seqs[k2][j] = seqs[k2][j], seqs[k][i]
                touched.update((*seqs[k][i], *seqs[k2][j]))
                continue
            o = rng.randrange(self.p.n_orders)
            k, i = next((k, i) for k, i in placed if o in seqs[k][i])
            source = seqs[k][i]
            left = tuple(x for x in source if x != o)
            k2, j = rng.choice(placed)
            if (k2, j) == (k, i):
                continue
            target = seqs[k2][j]
            touched.update((*source, *target))
            if kind < 0.65:
                grown = tuple(sorted((*target, o)))
                if self.cache.fits(grown):
                    seqs[k2][j] = grown
                    seqs[k][i] = left
                elif left:
                    seqs[k2].insert(j, (o,))
                    seqs[k][seqs[k].index(source)] = left
            else:
                o2 = rng.choice(target)
                a = tuple(sorted((*left, o2)))
                b = tuple(sorted((*(x for x in target if x != o2), o)))
                if self.cache.fits(a) and self.cache.fits(b):
                    seqs[k][i], seqs[k2][j] = a, b
            seqs = [[b for b in s if b] for s in seqs]
        return seqs, touched


def improve_sequences(
    problem: SchedulingProblem,
    start: Sequences,
    *,
    seed: int = 0,
    max_iterations: int | None = 200,
    stop: Callable[[], bool] | None = None,
    on_improvement: Callable[[Schedule], None] | None = None,
    restart_after: int = 20,
    _cache: _Batches | None = None,
) -> tuple[Schedule, SearchStats]:
    """Iterated local search from ``start``; returns the best schedule found and statistics.

    Parameters
    ----------
    problem
        The problem.
    start
        Initial sequences (e.g. :func:`edd_sequences`); every order in exactly one batch.
    seed
        Seeds the random order of neighbourhood scans and the perturbation (same seed and
        budget, same answer).
    max_iterations
        Perturbation rounds after the first descent (``None``: until ``stop``).
    stop
        Polled between moves; when it answers ``True`` the best schedule so far is returned.
    on_improvement
        Called with every new best schedule (progress, best so far).
    restart_after
        Rounds without a new best after which the search goes back to the best schedule.
    """
    cache = _cache or _Batches(problem)
    never = lambda: False  # noqa: E731
    search = _Search(problem, cache, random.Random(seed), stop or never)
    stats = SearchStats()
    current = search.descend(start)
    current_cost = search.cost()
    best, best_cost = current, current_cost
    stats.history.append((0, best_cost[0]))
    if on_improvement is not None:
        on_improvement(_timed(cache, problem, best))
    stale = 0
    while (max_iterations is None or stats.iterations < max_iterations) and not search.stop():
        if best_cost[0] <= _EPS and problem.objective == "tardiness" and stale > restart_after:
            break  # nothing is tardy and the tour length no longer improves
        stats.iterations += 1
        strength = 2 + stats.iterations % 4
        trial = search.descend(*search.perturb(current, strength))
        trial_cost = search.cost()
        if _better(trial_cost, best_cost):
            best, best_cost = trial, trial_cost
            stats.improvements += 1
            stats.history.append((stats.iterations, best_cost[0]))
            stale = 0
            if on_improvement is not None:
                on_improvement(_timed(cache, problem, best))
        else:
            stale += 1
        if not _better(current_cost, trial_cost):
            current, current_cost = trial, trial_cost
        if stale and stale % restart_after == 0:
            current, current_cost = best, best_cost
    stats.stopped = search.stop()
    stats.batches_evaluated = cache.evaluated
    return _timed(cache, problem, best), stats
