"""Experiments: replications in parallel, confidence intervals, paired comparisons, sweeps.

Replication ``r`` of every scenario uses the random streams ``(seed, r)``, so comparing two
scenarios replication by replication is a paired design with common random numbers: the
confidence interval of the difference is much narrower than the two separate intervals suggest.
"""

from __future__ import annotations

import csv
import json
import math
import os
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from smartwms.sim.model import KPI_NAMES, ReplicationResult, simulate
from smartwms.sim.prepare import Prepared, prepare
from smartwms.sim.scenario import Scenario, ScenarioError, apply_overrides
from smartwms.stopping import Stop

__all__ = [
    "Comparison",
    "Experiment",
    "Sweep",
    "compare",
    "confidence_interval",
    "run_experiment",
    "sweep",
    "write_csv",
]

Progress = Callable[[int, int], None]


def confidence_interval(values: Sequence[float], level: float = 0.95) -> tuple[float, float, float]:
    """Mean and two-sided Student-t confidence interval of independent observations.

    Examples
    --------
    >>> m, lo, hi = confidence_interval([1.0, 2.0, 3.0])
    >>> m, round(lo, 3), round(hi, 3)
    (2.0, -0.484, 4.484)
    """
    x = np.asarray([v for v in values if not math.isnan(v)], dtype=float)
    if len(x) == 0:
        return math.nan, math.nan, math.nan
    mean = float(np.mean(x))
    if len(x) == 1:
        return mean, math.nan, math.nan
    # Student's t quantile from scipy.special, imported here: scipy.stats cost every process
    # importing smartwms.sim (the API server and each worker among them) 1.2 s of CPU.
    from scipy.special import stdtrit

    quantile = float(stdtrit(len(x) - 1, 0.5 + level / 2))
    half = quantile * float(np.std(x, ddof=1)) / math.sqrt(len(x))
    return mean, mean - half, mean + half


def _summary(per_rep: list[dict[str, float]]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for name in KPI_NAMES:
        mean, lo, hi = confidence_interval([r[name] for r in per_rep])
        out[name] = {"mean": _clean(mean), "ci95": [_clean(lo), _clean(hi)]}
    return out


def _clean(value: float) -> float | None:
    """JSON has no NaN: undefined statistics are ``null``."""
    return None if math.isnan(value) else value


@dataclass
class Experiment:
    """Replications of one scenario and their KPI summary."""

    scenario: str
    seed: int
    replications: list[ReplicationResult]
    routing_used: str
    kpis: dict[str, dict[str, Any]] = field(default_factory=dict)
    complete: bool = True

    def to_dict(self) -> dict[str, Any]:
        """The JSON contract: ``{"replications", "kpis": {name: {"mean", "ci95"}}}`` and more."""
        return {
            "scenario": self.scenario,
            "seed": self.seed,
            "replications": len(self.replications),
            "routing": self.routing_used,
            "complete": self.complete,
            "kpis": self.kpis,
            "per_replication": [r.kpis for r in self.replications],
        }


@dataclass
class Comparison:
    """A paired before/after comparison; ``difference`` is after minus before."""

    before: Experiment
    after: Experiment
    difference: dict[str, dict[str, Any]]

    def to_dict(self) -> dict[str, Any]:
        """``before``, ``after`` and ``difference`` (with ``relative`` change of the means)."""
        return {
            "replications": len(self.before.replications),
            "seed": self.before.seed,
            "before": self.before.to_dict(),
            "after": self.after.to_dict(),
            "kpis": self.after.kpis,
            "difference": self.difference,
        }


# ---------------------------------------------------------------------- parallel runs
_WORKER_PREPARED: Prepared | None = None


def _init_worker(prepared: Prepared) -> None:
    global _WORKER_PREPARED
    _WORKER_PREPARED = prepared


def _run_in_worker(seed: int, replication: int) -> ReplicationResult:
    assert _WORKER_PREPARED is not None
    return simulate(_WORKER_PREPARED, seed=seed, replication=replication)


def default_workers() -> int:
    """Worker processes to use: every core this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def run_replications(
    prepared: Prepared,
    replications: int,
    *,
    seed: int = 0,
    workers: int | None = None,
    progress: Progress | None = None,
    stop: Stop | None = None,
) -> list[ReplicationResult]:
    """Simulate replications ``0..replications-1``, in worker processes when ``workers > 1``.

    ``stop`` is checked between replications (one replication takes seconds at most): when it
    fires, replications not yet started are cancelled and the finished ones are returned.
    """
    if replications < 1:
        raise ScenarioError("--replications: must be at least 1")
    workers = min(default_workers() if workers is None else workers, replications)
    results: list[ReplicationResult] = []
    if stop is not None and stop():
        return results
    if workers <= 1:
        for r in range(replications):
            if stop is not None and stop():
                break
            results.append(simulate(prepared, seed=seed, replication=r))
            if progress:
                progress(len(results), replications)
        return results
    with ProcessPoolExecutor(
        max_workers=workers, initializer=_init_worker, initargs=(prepared,)
    ) as pool:
        pending = {pool.submit(_run_in_worker, seed, r) for r in range(replications)}
        while pending:
            done, pending = wait(pending, timeout=0.2, return_when=FIRST_COMPLETED)
            for fut in done:
                if not fut.cancelled():
                    results.append(fut.result())
                    if progress:
                        progress(len(results), replications)
            if stop is not None and stop():
                for fut in pending:
                    fut.cancel()
                done, _ = wait(pending)
                results.extend(f.result() for f in done if not f.cancelled())
                break
    return sorted(results, key=lambda r: r.replication)


def run_experiment(
    scenario: Scenario | Prepared,
    replications: int = 10,
    *,
    seed: int = 0,
    workers: int | None = None,
    progress: Progress | None = None,
    stop: Stop | None = None,
) -> Experiment:
    """Replicate a scenario and summarise every KPI with its 95 % confidence interval.

    Examples
    --------
    >>> sc = Scenario(travel={"enabled": False}, horizon_s=7200, warmup_s=600,
    ...               pickers={"count": 2, "setup_s": 0}, arrivals={"rate_per_hour": 60},
    ...               pick_time={"distribution": "exponential", "mean_s": 60,
    ...                          "per_line_s": 0, "per_unit_s": 0})
    >>> exp = run_experiment(sc, replications=3, seed=1, workers=1)
    >>> 0 < exp.kpis["picker_utilisation"]["mean"] < 1
    True
    """
    prepared = scenario if isinstance(scenario, Prepared) else prepare(scenario, seed=seed)
    reps = run_replications(
        prepared, replications, seed=seed, workers=workers, progress=progress, stop=stop
    )
    if not reps:
        raise ScenarioError("stopped before the first replication finished")
    return Experiment(
        scenario=prepared.scenario.name,
        seed=seed,
        replications=reps,
        routing_used=prepared.routing_used,
        kpis=_summary([r.kpis for r in reps]),
        complete=len(reps) == replications,
    )


def paired_difference(before: Experiment, after: Experiment) -> dict[str, dict[str, Any]]:
    """Per KPI: mean and 95 % CI of ``after - before`` over paired replications."""
    out: dict[str, dict[str, Any]] = {}
    for name in KPI_NAMES:
        diffs = [
            a.kpis[name] - b.kpis[name]
            for a, b in zip(after.replications, before.replications, strict=True)
        ]
        mean, lo, hi = confidence_interval(diffs)
        base = before.kpis[name]["mean"]
        relative = mean / base if base not in (None, 0) and not math.isnan(mean) else math.nan
        significant = not (math.isnan(lo) or math.isnan(hi)) and (lo > 0 or hi < 0)
        out[name] = {
            "mean": _clean(mean),
            "ci95": [_clean(lo), _clean(hi)],
            "relative": _clean(relative),
            "significant": significant,
        }
    return out


def compare(
    before: Scenario | Prepared,
    after: Scenario | Prepared,
    replications: int = 10,
    *,
    seed: int = 0,
    workers: int | None = None,
    progress: Progress | None = None,
    stop: Stop | None = None,
) -> Comparison:
    """Paired comparison, common random numbers: replication ``r`` of both uses ``(seed, r)``."""
    total = 2 * replications

    def shifted(offset: int) -> Progress | None:
        if progress is None:
            return None
        return lambda done, _n: progress(done + offset, total)

    a = run_experiment(
        before, replications, seed=seed, workers=workers, progress=shifted(0), stop=stop
    )
    b = run_experiment(
        after,
        len(a.replications),
        seed=seed,
        workers=workers,
        progress=shifted(replications),
        stop=stop,
    )
    # Pair only replications both sides finished (a stop may cut the second one short).
    a.replications = a.replications[: len(b.replications)]
    a.kpis = _summary([r.kpis for r in a.replications])
    return Comparison(before=a, after=b, difference=paired_difference(a, b))


@dataclass
class Sweep:
    """One experiment per value of a scenario field."""

    key: str
    values: list[Any]
    experiments: list[Experiment]

    def to_dict(self) -> dict[str, Any]:
        """``{"key", "points": [{"value", "replications", "kpis"}]}``."""
        return {
            "key": self.key,
            "points": [
                {"value": v, "replications": len(e.replications), "kpis": e.kpis}
                for v, e in zip(self.values, self.experiments, strict=True)
            ],
        }


def sweep(
    scenario: Scenario,
    key: str,
    values: Sequence[Any],
    replications: int = 10,
    *,
    seed: int = 0,
    workers: int | None = None,
    progress: Progress | None = None,
    stop: Stop | None = None,
) -> Sweep:
    """Run the scenario once per value of the dotted field ``key`` (same seeds for all)."""
    experiments: list[Experiment] = []
    total = len(values) * replications
    for i, value in enumerate(values):
        variant = apply_overrides(scenario, {key: value})
        step = None
        if progress is not None:
            offset = i * replications

            def step(done: int, _n: int, offset: int = offset) -> None:
                progress(offset + done, total)

        if stop is not None and stop() and experiments:
            break
        experiments.append(
            run_experiment(
                variant, replications, seed=seed, workers=workers, progress=step, stop=stop
            )
        )
    return Sweep(key=key, values=list(values)[: len(experiments)], experiments=experiments)


# ---------------------------------------------------------------------- files
def write_csv(path: Path, rows: list[dict[str, Any]]) -> None:
    """Write dictionaries as CSV (columns from the first row)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]) if rows else [])
        writer.writeheader()
        writer.writerows(rows)


def summary_rows(kpis: dict[str, dict[str, Any]], **extra: Any) -> list[dict[str, Any]]:
    """One CSV row per KPI: ``kpi, mean, ci95_low, ci95_high`` plus ``extra`` columns."""
    return [
        {
            **extra,
            "kpi": name,
            "mean": v["mean"],
            "ci95_low": v["ci95"][0],
            "ci95_high": v["ci95"][1],
        }
        for name, v in kpis.items()
    ]


def write_json(path: Path, obj: Any) -> None:
    """Write an object as indented JSON."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(obj, indent=2) + "\n", encoding="utf-8")
