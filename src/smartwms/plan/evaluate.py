"""The plan's simulated worth: the plan and the baseline executed with common random numbers.

:func:`evaluate_plan` turns a :class:`~smartwms.plan.model.ShiftPlan` and the baseline's plan
into :class:`~smartwms.sim.shift.ShiftModel` s and simulates both for ``replications``
replications; replication ``r`` of both uses the same per-order handling noise, so the paired
difference (plan - baseline) per KPI has a narrow 95 % confidence interval. The plan's tours
follow its picker schedules; the baseline's tours go to whichever picker is free next, first
come first served, as single orders are released in most warehouses today.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from smartwms.layout import paired_distances
from smartwms.model import Instance, ParallelAisleLayout, PickerClass
from smartwms.plan.model import ShiftPlan
from smartwms.sim.experiment import confidence_interval
from smartwms.sim.shift import SHIFT_KPIS, ShiftModel, ShiftTour, simulate_shift, tour_legs
from smartwms.stopping import Stop

__all__ = ["Evaluation", "evaluate_plan", "shift_model"]

#: KPIs where more is better (the others: less is better).
HIGHER_IS_BETTER = frozenset(
    {"orders_per_hour", "orders_per_picker_hour", "on_time_rate", "picker_utilisation"}
)


def shift_model(
    instance: Instance,
    plan: ShiftPlan,
    *,
    dispatch: Literal["plan", "pool"],
    cv: float,
    aisle_capacity: int | None,
) -> ShiftModel:
    """The plan as the simulation executes it (tours, legs, releases, handling, due times)."""
    index = {o.id: k for k, o in enumerate(instance.orders)}
    classes = {c.id: c for c in instance.fleet.pickers} or {"picker": PickerClass()}
    pickers = [p.id for p in plan.pickers]
    picker_index = {p: k for k, p in enumerate(pickers)}
    speeds = tuple(classes.get(p.picker_class, PickerClass()).speed for p in plan.pickers)
    default = (
        classes.get(plan.pickers[0].picker_class, PickerClass()) if plan.pickers else PickerClass()
    )
    wave_release = {w.id: w.release_s for w in plan.waves}
    moved_ready: dict[str, float] = {}
    for m in plan.moves:
        if m.kind != "replenish" and m.planned_end_s > 0:
            moved_ready[m.sku] = max(moved_ready.get(m.sku, 0.0), m.planned_end_s)
    orders = instance.orders
    ready = [
        max([o.release_time, *(moved_ready.get(ln.sku, 0.0) for ln in o.lines)]) for o in orders
    ]
    depot = instance.depot.id
    layout = instance.layout
    aisle_of: dict[str, int] = {}
    n_aisles = 0
    if isinstance(layout, ParallelAisleLayout):
        n_aisles = layout.n_aisles
        aisle_of = {loc.id: int(loc.aisle) for loc in instance.locations if loc.aisle is not None}
    picks_at: dict[tuple[str, str], int] = {}
    for p in plan.picks:
        picks_at[(p.batch, p.location)] = picks_at.get((p.batch, p.location), 0) + 1
    picker_class = {p.id: classes.get(p.picker_class, default) for p in plan.pickers}
    batches = sorted(plan.batches, key=lambda b: (b.start_s, b.picker))
    walks = [[depot, *b.route, depot] for b in batches]
    pairs = [(a, z) for w in walks for a, z in itertools.pairwise(w)]
    legs_m = paired_distances(instance, [a for a, _ in pairs], [z for _, z in pairs]).tolist()
    at = 0
    tours = []
    for b, walk in zip(batches, walks, strict=True):
        mine = legs_m[at : at + len(walk) - 1]
        at += len(walk) - 1
        lines_at = {loc: picks_at.get((b.id, loc), 0) for loc in b.route}
        legs, back = tour_legs(b.route, mine, b.length_m, aisle_of, lines_at)
        ks = tuple(index[o] for o in b.orders)
        cls = picker_class[b.picker]
        handling = tuple(
            sum(
                cls.pick_time_per_line + cls.pick_time_per_unit * ln.quantity
                for ln in orders[k].lines
            )
            for k in ks
        )
        tours.append(
            ShiftTour(
                picker=picker_index[b.picker],
                release_s=max([wave_release.get(b.wave, 0.0), *(ready[k] for k in ks)]),
                orders=ks,
                order_handling_s=handling,
                lines=sum(len(orders[k].lines) for k in ks),
                legs=legs,
                return_m=back,
                travel_m=b.length_m,
            )
        )
    return ShiftModel(
        name=plan.method,
        picker_speeds=speeds,
        setup_s=plan.setup_s,
        tours=tuple(tours),
        release_s=tuple(o.release_time for o in orders),
        due_s=tuple(o.due_time for o in orders),
        n_aisles=n_aisles,
        aisle_capacity=aisle_capacity,
        cv=cv,
        dispatch=dispatch,
    )


def _clean(value: float) -> float | None:
    return None if math.isnan(value) else value


def _summary(rows: list[dict[str, float]]) -> dict[str, dict[str, Any]]:
    out = {}
    for name in SHIFT_KPIS:
        mean, lo, hi = confidence_interval([r[name] for r in rows])
        out[name] = {"mean": _clean(mean), "ci95": [_clean(lo), _clean(hi)]}
    return out


@dataclass
class Evaluation:
    """Plan vs baseline over paired replications; ``difference`` is plan minus baseline."""

    baseline: str
    replications: int
    seed: int
    plan_runs: list[dict[str, float]] = field(default_factory=list)
    baseline_runs: list[dict[str, float]] = field(default_factory=list)

    @property
    def kpis(self) -> dict[str, dict[str, Any]]:
        """The plan's KPIs: mean and 95 % CI."""
        return _summary(self.plan_runs)

    @property
    def baseline_kpis(self) -> dict[str, dict[str, Any]]:
        """The baseline's KPIs: mean and 95 % CI."""
        return _summary(self.baseline_runs)

    @property
    def difference(self) -> dict[str, dict[str, Any]]:
        """Per KPI: mean and 95 % CI of plan - baseline, relative change, significance."""
        out = {}
        for name in SHIFT_KPIS:
            diffs = [
                a[name] - b[name] for a, b in zip(self.plan_runs, self.baseline_runs, strict=True)
            ]
            mean, lo, hi = confidence_interval(diffs)
            base = (
                float(np.nanmean([b[name] for b in self.baseline_runs]))
                if self.baseline_runs
                else math.nan
            )
            rel = (
                mean / base
                if base not in (0.0,) and not math.isnan(base) and not math.isnan(mean)
                else math.nan
            )
            significant = not (math.isnan(lo) or math.isnan(hi)) and (lo > 0 or hi < 0)
            better = None
            if significant:
                better = (mean > 0) == (name in HIGHER_IS_BETTER)
            out[name] = {
                "mean": _clean(mean),
                "ci95": [_clean(lo), _clean(hi)],
                "relative": _clean(rel),
                "significant": significant,
                "better": better,
            }
        return out

    def to_dict(self) -> dict[str, Any]:
        """JSON form: baseline, replications, kpis, baseline_kpis, difference."""
        return {
            "baseline": self.baseline,
            "replications": len(self.plan_runs),
            "seed": self.seed,
            "kpis": self.kpis,
            "baseline_kpis": self.baseline_kpis,
            "difference": self.difference,
            "kpi_meaning": SHIFT_KPIS,
        }


def evaluate_plan(
    plan_model: ShiftModel,
    baseline_model: ShiftModel,
    baseline: str,
    replications: int,
    *,
    seed: int = 0,
    stop: Stop | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Evaluation:
    """Simulate plan and baseline, replication by replication (paired, same noise).

    ``stop`` is checked between replications; the pairs finished are kept.
    """
    result = Evaluation(baseline=baseline, replications=replications, seed=seed)
    for r in range(replications):
        if stop is not None and stop() and result.plan_runs:
            break
        result.plan_runs.append(simulate_shift(plan_model, seed=seed, replication=r))
        result.baseline_runs.append(simulate_shift(baseline_model, seed=seed, replication=r))
        if progress is not None:
            progress(r + 1, replications)
    return result
