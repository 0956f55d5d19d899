"""Wave planning: orders grouped by release windows and carrier cut-offs into waves.

A wave is a set of orders released to the floor together at its start time; its batches must be
picked before the next wave starts (its planned end). Orders join a wave only once released;
among the released orders waiting, the most urgent (earliest carrier cut-off, i.e. due time)
go first, as many as the pickers can pick before the wave ends; the others wait for the next
wave. Inside each wave the orders are batched, assigned to pickers and sequenced
(:mod:`smartwms.batching.scheduling`), each picker starting when the wave starts or when it
finishes its previous wave, whichever is later.

How the wave times are given (:class:`WaveSpec`):

- ``every``: release windows of ``every_s`` seconds from ``start_s`` (default: the first
  release);
- ``at``: wave start times ``times_s``;
- ``cutoffs``: a wave ends at every distinct due time (carrier cut-off) of the orders;
- ``explicit``: waves listed one by one (id, start, optional end and orders); a wave with
  orders keeps exactly those, the others fill up as above.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, ValidationError, model_validator

from smartwms.batching.scheduling import (
    Batch,
    PickerSpec,
    Schedule,
    SchedulingProblem,
    edd_sequences,
    evaluate,
    improve_sequences,
)
from smartwms.errors import InputFileError, InstanceValidationError
from smartwms.model.base import Frozen

__all__ = [
    "PlannedWave",
    "WaveDefinition",
    "WavePlan",
    "WaveSpec",
    "parse_time",
    "parse_wave_spec",
    "plan_waves",
    "read_wave_file",
    "wave_windows",
]


class WaveDefinition(Frozen):
    """One wave of an explicit spec: its id, start, optional planned end and orders."""

    id: str = Field(min_length=1)
    start: float = Field(ge=0, description="s: when the wave is released")
    end: float | None = Field(default=None, ge=0, description="s: when it should be done")
    orders: list[str] | None = Field(
        default=None, description="ids of its orders (default: filled by urgency and capacity)"
    )

    @model_validator(mode="after")
    def _end_after_start(self) -> WaveDefinition:
        if self.end is not None and self.end <= self.start:
            raise ValueError(
                f"wave {self.id!r}: end {self.end:g} is not after start {self.start:g}"
            )
        return self


class WaveSpec(Frozen):
    """How waves are formed; see the module documentation."""

    mode: Literal["every", "at", "cutoffs", "explicit"]
    every_s: float | None = Field(default=None, gt=0)
    start_s: float | None = Field(default=None, ge=0)
    times_s: list[float] | None = None
    waves: list[WaveDefinition] | None = None

    @model_validator(mode="after")
    def _consistent(self) -> WaveSpec:
        if self.mode == "every" and self.every_s is None:
            raise ValueError("every_s: needed for waves every so many seconds")
        if self.mode == "at":
            if not self.times_s:
                raise ValueError("times_s: needs at least one wave time")
            if any(t < 0 for t in self.times_s):
                raise ValueError("times_s: wave times must be >= 0")
            if sorted(set(self.times_s)) != list(self.times_s):
                raise ValueError("times_s: wave times must be increasing")
        if self.mode == "explicit":
            if not self.waves:
                raise ValueError("waves: an explicit spec needs at least one wave")
            ids = [w.id for w in self.waves]
            if len(set(ids)) != len(ids):
                dup = next(i for i in ids if ids.count(i) > 1)
                raise ValueError(f"waves: wave id {dup!r} given twice")
            starts = [w.start for w in self.waves]
            if starts != sorted(starts):
                raise ValueError("waves: waves must be listed in order of their start")
        return self


# ---------------------------------------------------------------------- parsing
def parse_time(text: str, field: str = "time") -> float:
    """Seconds from ``"5400"``, ``"90m"``, ``"1.5h"`` or a clock time ``"HH:MM[:SS]"``.

    Examples
    --------
    >>> parse_time("5400"), parse_time("90m"), parse_time("1.5h"), parse_time("08:30")
    (5400.0, 5400.0, 5400.0, 30600.0)
    """
    raw = text.strip()
    try:
        if ":" in raw:
            parts = [float(p) for p in raw.split(":")]
            if len(parts) not in (2, 3) or any(p < 0 for p in parts):
                raise ValueError(raw)
            return parts[0] * 3600 + parts[1] * 60 + (parts[2] if len(parts) == 3 else 0.0)
        scale = {"h": 3600.0, "m": 60.0, "s": 1.0}.get(raw[-1:].lower())
        value = float(raw[:-1]) * scale if scale is not None else float(raw)
    except ValueError:
        raise InstanceValidationError(
            [(field, f"expected seconds, 90m, 1.5h or HH:MM, got {text!r}")]
        ) from None
    if not math.isfinite(value) or value < 0:
        raise InstanceValidationError([(field, f"must be a time >= 0, got {text!r}")])
    return value


def parse_wave_spec(text: str) -> WaveSpec:
    """A wave spec from the command line.

    ``every=DURATION[,start=TIME]`` (release windows), ``at=TIME,TIME,...`` (wave start
    times), ``cutoffs`` (a wave ends at every distinct due time), or the path of a JSON file
    ``{"waves": [{"id", "start", "end", "orders"}]}`` or a CSV file with the columns
    ``wave,order`` and optionally ``start,end`` (:func:`read_wave_file`). Times are seconds,
    ``90m``, ``1.5h`` or ``HH:MM``.

    Raises :class:`~smartwms.errors.InstanceValidationError` naming the field that is wrong.

    Examples
    --------
    >>> parse_wave_spec("every=1h,start=08:00").model_dump(exclude_none=True)
    {'mode': 'every', 'every_s': 3600.0, 'start_s': 28800.0}
    >>> parse_wave_spec("at=0,30m,1h").times_s
    [0.0, 1800.0, 3600.0]
    """
    raw = text.strip()
    if raw == "cutoffs":
        return WaveSpec(mode="cutoffs")
    if raw.startswith("every="):
        fields = dict(_pairs(raw, "every"))
        unknown = sorted(set(fields) - {"every", "start"})
        if unknown:
            raise InstanceValidationError(
                [(f"--waves {unknown[0]}", "unknown key; use every=DURATION[,start=TIME]")]
            )
        every = parse_time(fields["every"], "--waves every")
        if every <= 0:
            raise InstanceValidationError([("--waves every", "must be > 0")])
        start = parse_time(fields["start"], "--waves start") if "start" in fields else None
        return WaveSpec(mode="every", every_s=every, start_s=start)
    if raw.startswith("at="):
        times = [parse_time(t, "--waves at") for t in raw[3:].split(",") if t.strip()]
        if not times:
            raise InstanceValidationError([("--waves at", "needs at least one wave time")])
        if sorted(set(times)) != times:
            raise InstanceValidationError([("--waves at", "wave times must be increasing")])
        return WaveSpec(mode="at", times_s=times)
    path = Path(raw)
    if path.suffix.lower() in (".json", ".csv") or path.exists():
        return read_wave_file(path)
    raise InstanceValidationError(
        [
            (
                "--waves",
                f"expected every=DURATION[,start=TIME], at=TIME,..., cutoffs or a .json/.csv "
                f"file, got {text!r}",
            )
        ]
    )


def _pairs(raw: str, first: str) -> list[tuple[str, str]]:
    out = []
    for part in raw.split(","):
        key, sep, value = part.partition("=")
        if not sep or not value.strip():
            raise InstanceValidationError(
                [(f"--waves {key.strip() or first}", "expected key=value")]
            )
        out.append((key.strip(), value.strip()))
    return out


def read_wave_file(path: str | Path) -> WaveSpec:
    """Explicit waves from a JSON or CSV file.

    JSON: ``{"waves": [{"id": "W1", "start": "08:00", "end": "09:00", "orders": ["1", "2"]}]}``
    (``end`` and ``orders`` optional; a wave without orders is filled by urgency). CSV: one row
    per order with the columns ``wave,order`` and optionally ``start,end`` (a wave's start and
    end on any of its rows; waves in order of their start). Errors name the file, the line or
    the field.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputFileError(path, exc.strerror or str(exc)) from None
    if path.suffix.lower() == ".csv":
        waves = _waves_from_csv(path, text)
    else:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputFileError(path, f"invalid JSON: {exc.msg}", line=exc.lineno) from None
        if not isinstance(data, dict) or not isinstance(data.get("waves"), list):
            raise InputFileError(path, 'expected an object {"waves": [...]}')
        waves = [_wave_entry(path, i, w) for i, w in enumerate(data["waves"])]
    try:
        return WaveSpec(mode="explicit", waves=waves)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "waves"
        raise InputFileError(
            path, f"{where}: {first['msg'].removeprefix('Value error, ')}"
        ) from None


def _wave_entry(path: Path, i: int, entry: Any) -> dict[str, Any]:
    if not isinstance(entry, dict):
        raise InputFileError(path, f"waves[{i}]: expected an object with id and start")
    unknown = sorted(set(entry) - {"id", "start", "end", "orders"})
    if unknown:
        raise InputFileError(path, f"waves[{i}].{unknown[0]}: unknown field")
    if "id" not in entry or "start" not in entry:
        raise InputFileError(path, f"waves[{i}]: needs 'id' and 'start'")
    out: dict[str, Any] = {"id": str(entry["id"])}
    for key in ("start", "end"):
        if entry.get(key) is not None:
            out[key] = parse_time(str(entry[key]), f"{path}: waves[{i}].{key}")
    if entry.get("orders") is not None:
        if not isinstance(entry["orders"], list):
            raise InputFileError(path, f"waves[{i}].orders: expected a list of order ids")
        out["orders"] = [str(o) for o in entry["orders"]]
    return out


def _waves_from_csv(path: Path, text: str) -> list[dict[str, Any]]:
    reader = csv.DictReader(io.StringIO(text))
    columns = [c.strip() for c in reader.fieldnames or []]
    missing = [c for c in ("wave", "order") if c not in columns]
    if missing:
        raise InputFileError(
            path, f"missing column {missing[0]!r} (need wave,order[,start,end])", 1
        )
    waves: dict[str, dict[str, Any]] = {}
    for row in reader:
        line = reader.line_num
        row = {k.strip(): (v or "").strip() for k, v in row.items() if k is not None}
        wave, order = row.get("wave", ""), row.get("order", "")
        if not wave or not order:
            raise InputFileError(path, "every row needs a wave and an order", line)
        entry = waves.setdefault(wave, {"id": wave, "orders": []})
        entry["orders"].append(order)
        for key in ("start", "end"):
            if row.get(key):
                value = parse_time(row[key], f"{path}:{line}: {key}")
                if key in entry and entry[key] != value:
                    raise InputFileError(path, f"wave {wave!r}: two different {key} times", line)
                entry[key] = value
    for entry in waves.values():
        if "start" not in entry:
            raise InputFileError(path, f"wave {entry['id']!r}: no start time on any of its rows")
    return sorted(waves.values(), key=lambda w: w["start"])


@dataclass(frozen=True)
class _Window:
    id: str
    start: float
    end: float  # math.inf: open-ended (the last wave)
    fixed: tuple[int, ...] | None


def wave_windows(
    spec: WaveSpec, order_ids: Sequence[str], release: Sequence[float], due: Sequence[float]
) -> list[_Window]:
    """The waves' ids, starts, planned ends and fixed orders (indices).

    Raises :class:`~smartwms.errors.InstanceValidationError` naming an unknown order id or an
    order listed in two waves.
    """
    first = min(release, default=0.0)
    if spec.mode == "every":
        assert spec.every_s is not None
        start = first if spec.start_s is None else spec.start_s
        latest = max(release, default=0.0)
        # Enough waves that the last one starts once every order is released.
        count = max(1, math.ceil((latest - start) / spec.every_s - 1e-9) + 1)
        starts = [start + k * spec.every_s for k in range(count)]
        return _consecutive(starts, last_end=starts[-1] + spec.every_s)
    if spec.mode == "at":
        assert spec.times_s is not None
        return _consecutive(list(spec.times_s), last_end=math.inf)
    if spec.mode == "cutoffs":
        cutoffs = sorted({d for d in due if math.isfinite(d) and d > first})
        if not cutoffs:
            raise InstanceValidationError(
                [("waves", "mode 'cutoffs' needs orders with due times (carrier cut-offs)")]
            )
        starts = [first, *cutoffs[:-1]]
        windows = _consecutive(starts, last_end=cutoffs[-1])
        latest = max(release)
        if latest > windows[-1].start:  # orders released after the last wave starts
            windows.append(
                _Window(f"W{len(windows) + 1}", max(latest, cutoffs[-1]), math.inf, None)
            )
        return windows
    assert spec.waves is not None
    index = {oid: i for i, oid in enumerate(order_ids)}
    owner: dict[str, str] = {}
    out = []
    for w_pos, wave in enumerate(spec.waves):
        fixed = None
        if wave.orders is not None:
            members = []
            for j, oid in enumerate(wave.orders):
                field = f"waves[{w_pos}].orders[{j}]"
                if oid not in index:
                    raise InstanceValidationError(
                        [(field, f"wave {wave.id!r}: unknown order id {oid!r}")]
                    )
                if oid in owner:
                    raise InstanceValidationError(
                        [(field, f"order {oid!r} is in waves {owner[oid]!r} and {wave.id!r}")]
                    )
                owner[oid] = wave.id
                members.append(index[oid])
            fixed = tuple(members)
        following = spec.waves[w_pos + 1].start if w_pos + 1 < len(spec.waves) else math.inf
        end = wave.end if wave.end is not None else following
        out.append(_Window(wave.id, wave.start, end, fixed))
    return out


def _consecutive(starts: list[float], last_end: float) -> list[_Window]:
    ends = [*starts[1:], last_end]
    return [
        _Window(f"W{k + 1}", s, e, None) for k, (s, e) in enumerate(zip(starts, ends, strict=True))
    ]


# ---------------------------------------------------------------------- planning
@dataclass(frozen=True)
class PlannedWave:
    """A wave of the plan: its orders (indices), batches with pickers and times, tardiness.

    ``end`` is the planned end (``math.inf`` for an open-ended last wave); ``finish`` when its
    last batch is done; ``overrun`` whether that is after ``end``.
    """

    id: str
    start: float
    end: float
    orders: tuple[int, ...]
    schedule: Schedule
    tardy: tuple[int, ...]

    @property
    def finish(self) -> float:
        """When the wave's last batch ends (its start when it has no order)."""
        return max((b.end for b in self.schedule.batches), default=self.start)

    @property
    def overrun(self) -> bool:
        """Whether the wave's batches end after its planned end."""
        return self.finish > self.end + 1e-7


@dataclass(frozen=True)
class WavePlan:
    """Every wave in order, and the totals over the horizon."""

    waves: tuple[PlannedWave, ...]
    total_tardiness: float
    makespan: float
    total_length: float
    tardy: tuple[int, ...]


class _Sub:
    """A :class:`SchedulingProblem` over some orders of a parent problem, released no earlier
    than a wave's start, for pickers free at given times.
    """

    def __init__(
        self,
        parent: SchedulingProblem,
        orders: Sequence[int],
        not_before: float,
        free: Sequence[float],
    ) -> None:
        self.orders = tuple(orders)
        glob = self.orders
        p = parent

        def lengths(batches: Sequence[Batch]) -> Sequence[float]:
            return p.lengths([tuple(sorted(glob[o] for o in b)) for b in batches])

        self.problem = SchedulingProblem(
            order_ids=[p.order_ids[o] for o in glob],
            release=[max(p.release[o], not_before) for o in glob],
            due=[p.due[o] for o in glob],
            lines=[p.lines[o] for o in glob],
            units=[p.units[o] for o in glob],
            pickers=[
                PickerSpec(k.id, k.speed, k.setup_s, k.per_line_s, k.per_unit_s, t)
                for k, t in zip(p.pickers, free, strict=True)
            ],
            lengths=lengths,
            loads=[p.loads[o] for o in glob],
            capacity=p.capacity,
            objective=p.objective,
        )

    def to_parent(self, schedule: Schedule, n_parent: int) -> Schedule:
        """The schedule with order indices of the parent problem (``n_parent`` orders; the
        completion of orders not in this one is ``nan``).
        """
        glob = self.orders
        batches = tuple(
            dataclasses.replace(b, orders=tuple(sorted(glob[o] for o in b.orders)))
            for b in schedule.batches
        )
        completion = [math.nan] * n_parent
        for local, o in enumerate(glob):
            completion[o] = schedule.completion[local]
        return Schedule(
            batches=batches,
            completion=tuple(completion),
            total_tardiness=schedule.total_tardiness,
            makespan=schedule.makespan,
            total_length=schedule.total_length,
            tardy=tuple(sorted(glob[o] for o in schedule.tardy)),
        )


def _fill(
    parent: SchedulingProblem,
    pool: list[int],
    window: _Window,
    free: Sequence[float],
) -> list[int]:
    """The most urgent orders of ``pool`` that the pickers can pick before the wave ends.

    Orders are taken in EDD order; the longest prefix whose EDD schedule ends by the wave's
    end is found by bisection (at least one order, so that the plan always moves on).
    """
    if not math.isfinite(window.end) or not pool:
        return list(pool)
    ranked = sorted(pool, key=lambda o: (parent.due[o], parent.release[o], o))

    def fits(count: int) -> bool:
        sub = _Sub(parent, ranked[:count], window.start, free)
        return evaluate(sub.problem, edd_sequences(sub.problem, "first-fit")).makespan <= (
            window.end + 1e-7
        )

    lo, hi = 1, len(ranked)
    if fits(hi):
        return ranked
    while lo < hi:  # largest count that fits (fits(1) is taken even when it fails)
        mid = (lo + hi + 1) // 2
        if fits(mid):
            lo = mid
        else:
            hi = mid - 1
    return ranked[:lo]


def plan_waves(
    problem: SchedulingProblem,
    spec: WaveSpec,
    *,
    seed: int = 0,
    iterations_per_wave: int | None = 50,
    stop: Callable[[], bool] | None = None,
    on_wave: Callable[[int, int], None] | None = None,
) -> WavePlan:
    """Form the waves, then batch, assign and sequence the orders of each one.

    Parameters
    ----------
    problem
        All orders and pickers (the pickers' ``available_s`` is when they start the shift).
    spec
        How the waves are formed.
    seed, iterations_per_wave
        The iterated local search inside each wave (:func:`improve_sequences`).
    stop
        Polled by the search; when it fires, each remaining wave keeps its EDD schedule.
    on_wave
        Called as ``on_wave(done, total)`` after each wave.

    Raises
    ------
    InstanceValidationError
        For an unknown or repeated order id in an explicit spec, or an order that no wave can
        take (released after the last wave starts).
    """
    windows = wave_windows(spec, problem.order_ids, problem.release, problem.due)
    fixed = {o for w in windows if w.fixed is not None for o in w.fixed}
    open_waves = [w for w in windows if w.fixed is None]
    for o in range(problem.n_orders):
        if o in fixed:
            continue
        if not open_waves:
            raise InstanceValidationError(
                [("waves", f"order {problem.order_ids[o]!r} is in no wave")]
            )
        if problem.release[o] > open_waves[-1].start + 1e-9:
            raise InstanceValidationError(
                [
                    (
                        "waves",
                        f"order {problem.order_ids[o]!r} is released at "
                        f"{problem.release[o]:g} s, after the last wave that takes orders "
                        f"starts ({open_waves[-1].id!r} at {open_waves[-1].start:g} s)",
                    )
                ]
            )
    free = [k.available_s for k in problem.pickers]
    waiting = sorted(set(range(problem.n_orders)) - fixed)
    never = stop or (lambda: False)
    planned: list[PlannedWave] = []
    periodic = spec.mode == "every"
    w_pos = 0
    while w_pos < len(windows):
        window = windows[w_pos]
        released = [o for o in waiting if problem.release[o] <= window.start + 1e-9]
        if window.fixed is not None:
            members = list(window.fixed)
        elif window is open_waves[-1] and not periodic:
            members = list(waiting)  # the last wave that takes orders takes what is left
        else:
            members = _fill(problem, released, window, free)
        chosen = set(members)
        waiting = [o for o in waiting if o not in chosen]
        wave = _schedule_wave(
            problem, window, members, free, seed + w_pos, iterations_per_wave, never
        )
        planned.append(wave)
        for b in wave.schedule.batches:
            free[b.picker] = max(free[b.picker], b.end)
        if periodic and waiting and w_pos == len(windows) - 1:
            # Periodic waves go on until every order is picked (each wave takes one at least).
            span = window.end - window.start
            windows.append(_Window(f"W{len(windows) + 1}", window.end, window.end + span, None))
            open_waves.append(windows[-1])
        w_pos += 1
        if on_wave is not None:
            on_wave(w_pos, len(windows))
    return WavePlan(
        waves=tuple(planned),
        total_tardiness=sum(w.schedule.total_tardiness for w in planned),
        makespan=max((w.finish for w in planned if w.orders), default=0.0),
        total_length=sum(w.schedule.total_length for w in planned),
        tardy=tuple(sorted(o for w in planned for o in w.tardy)),
    )


def _schedule_wave(
    problem: SchedulingProblem,
    window: _Window,
    members: Sequence[int],
    free: Sequence[float],
    seed: int,
    iterations: int | None,
    stop: Callable[[], bool],
) -> PlannedWave:
    start_free = [max(t, window.start) for t in free]
    if not members:
        empty = Schedule((), (math.nan,) * problem.n_orders, 0.0, 0.0, 0.0, ())
        return PlannedWave(window.id, window.start, window.end, (), empty, ())
    sub = _Sub(problem, members, window.start, start_free)
    start = edd_sequences(sub.problem, "first-fit")
    if stop():
        schedule = evaluate(sub.problem, start)
    else:
        schedule, _ = improve_sequences(
            sub.problem, start, seed=seed, max_iterations=iterations, stop=stop
        )
    mapped = sub.to_parent(schedule, problem.n_orders)
    return PlannedWave(
        window.id, window.start, window.end, tuple(sorted(members)), mapped, mapped.tardy
    )
