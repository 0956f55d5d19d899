"""The end-to-end demo behind ``smartwms demo``: what optimisation is worth, with CIs.

1. A medium warehouse (generated, or the instance given), its current slotting random.
2. Baseline: current slotting, S-shape routing.
3. Optimised: the slotting solver's plan and optimal routing (whatever of both this version
   provides; the report says which were used).
4. Both simulated with common random numbers: the same orders arrive at the same times with the
   same handling noise, so the paired difference isolates the effect of the decisions.
5. A report folder: JSON, CSV and PNG charts (KPI comparison, pick heat maps, an example route).

The arrival rate is set 15 % above what the baseline can pick, so that throughput (not
only travel) shows the difference: the baseline falls behind, the optimised warehouse keeps up.
"""

from __future__ import annotations

import dataclasses
import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from smartwms.io import load_instance, write_instance
from smartwms.model import (
    Instance,
    Location,
    ParallelAisleLayout,
    PickRoute,
    Sku,
    Station,
    StockRecord,
    TourStop,
)
from smartwms.sim.experiment import (
    Comparison,
    compare,
    paired_difference,
    run_experiment,
    write_csv,
    write_json,
)
from smartwms.sim.prepare import Prepared, prepare
from smartwms.sim.report import write_comparison
from smartwms.sim.scenario import Scenario
from smartwms.sim.travel import BUILTIN_METHODS, available_methods

__all__ = ["DemoReport", "demo_instance", "demo_scenario", "run_demo"]

DemoProgress = Callable[[str, int, int], None]


def demo_instance(seed: int = 0) -> Instance:
    """The demo's medium warehouse: 20 aisles, 2 blocks, 1,000 slots, 1,000 SKUs.

    Demand follows a Pareto law (a few SKUs are picked very often) and the current slotting is
    random, as in a warehouse that was filled in order of arrival. Deterministic for a seed.
    """
    layout = ParallelAisleLayout(
        n_aisles=20, aisle_spacing=3.0, cells_per_block=25, cell_length=1.0, n_blocks=2
    )
    locations = [
        Location(id=f"A{a:02d}-C{c:02d}", aisle=a, cell=c)
        for a in range(layout.n_aisles)
        for c in range(layout.cells_per_aisle)
    ]
    rng = np.random.default_rng([seed, 11])
    demand = np.round(rng.pareto(1.1, size=len(locations)) * 5 + 0.5, 2)
    skus = [Sku(id=f"SKU{i:04d}", demand=float(d)) for i, d in enumerate(demand)]
    slots = rng.permutation(len(locations))
    stock = [
        StockRecord(sku=sku.id, location=locations[int(j)].id, quantity=40)
        for sku, j in zip(skus, slots, strict=True)
    ]
    return Instance(
        name="demo-medium",
        description="smartwms demo warehouse: 20 aisles x 2 blocks, random current slotting",
        layout=layout,
        locations=locations,
        skus=skus,
        stock=stock,
        stations=[Station(id="depot", aisle=0, cross_aisle=layout.n_blocks)],
    )


def demo_scenario(instance: Instance | str, **changes: Any) -> Scenario:
    """The demo's operating policy (an 8-hour shift, 12 pickers, narrow aisles)."""
    data: dict[str, Any] = {
        "name": "baseline",
        "instance": instance,
        "horizon_s": 8 * 3600.0,
        "warmup_s": 1800.0,
        "drain_s": 4 * 3600.0,
        "arrivals": {"process": "poisson", "rate_per_hour": 150.0, "due_after_s": 3600.0},
        "orders": {"source": "generated", "pool_size": 600, "lines_mean": 4, "units_mean": 1.5},
        "pickers": {"count": 12, "speed_mps": 1.0, "setup_s": 30.0},
        "pick_time": {"distribution": "gamma", "per_line_s": 8.0, "per_unit_s": 2.0, "cv": 0.3},
        "travel": {"enabled": True, "routing": "sshape"},
        "congestion": {"enabled": True, "aisle_capacity": 2},
    }
    data.update(changes)
    return Scenario.model_validate(data)


@dataclass
class DemoReport:
    """What the demo did and found."""

    labels: tuple[str, str]
    comparison: Comparison
    notes: list[str]
    headline: list[str]
    files: list[Path] = field(default_factory=list)


def _optional(module: str, name: str) -> Any | None:
    try:
        return getattr(importlib.import_module(module), name, None)
    except ImportError:
        return None


def _optimise_slotting(instance: Instance, seed: int) -> tuple[dict[str, list[str]] | None, str]:
    solve_slotting = _optional("smartwms.slotting", "solve_slotting")
    if solve_slotting is None:
        return None, "slotting: not available in this version, current slotting kept"
    result = solve_slotting(instance, seed=seed)
    plan = result.plan
    return dict(plan.assignment), f"slotting: smartwms.slotting.solve_slotting ({plan.method})"


def _service_capacity(prepared: Prepared) -> float:
    """Orders per hour the pickers can handle (no waiting, no congestion) for the pool."""
    sc = prepared.scenario
    mean_s = float(
        np.mean(
            [
                sc.pickers.setup_s + p.travel_m / sc.pickers.speed_mps + p.handling_s
                for p in prepared.plans
            ]
        )
    )
    return sc.pickers.count * 3600.0 / mean_s


def run_demo(
    out_dir: Path,
    *,
    replications: int = 10,
    seed: int = 0,
    instance_path: Path | None = None,
    workers: int | None = None,
    progress: DemoProgress | None = None,
) -> DemoReport:
    """Run the demo and write its report folder; see the module documentation."""
    from smartwms.plotting.routes import plot_routes
    from smartwms.plotting.slotting import plot_slotting_heatmap

    def step(text: str, done: int = 0, total: int = 0) -> None:
        if progress is not None:
            progress(text, done, total)

    out_dir.mkdir(parents=True, exist_ok=True)
    notes: list[str] = []
    step("building the warehouse")
    if instance_path is not None:
        instance = load_instance(instance_path)
        notes.append(f"warehouse: {instance_path}")
    else:
        instance = demo_instance(seed)
        notes.append(
            "warehouse: generated (20 aisles x 2 blocks, 1,000 slots and SKUs, random slotting)"
        )
    write_instance(instance, out_dir / "instance.json")

    methods = available_methods()
    routing_ok = "sshape" in methods and "optimal" in methods
    before_method, after_method = ("sshape", "optimal") if routing_ok else (BUILTIN_METHODS[0],) * 2
    if not routing_ok:
        notes.append(
            "routing: smartwms.routing is not available in this version; both sides use the "
            "built-in nearest-neighbour tours, so only slotting is compared"
        )
    step("optimising slotting")
    assignment, slot_note = _optimise_slotting(instance, seed)
    notes.append(slot_note)
    notes.append(f"routing: baseline {before_method}, optimised {after_method}")

    baseline = demo_scenario(instance, name="baseline", travel={"routing": before_method})
    step("routing the baseline order pool")
    prep_before = prepare(baseline, seed=seed, progress=lambda d, t: step("routing baseline", d, t))
    # Demand above what the baseline can pick: the difference then shows in throughput.
    rate = round(1.15 * _service_capacity(prep_before), 1)
    baseline = baseline.model_copy(
        update={"arrivals": baseline.arrivals.model_copy(update={"rate_per_hour": rate})}
    )
    prep_before = dataclasses.replace(prep_before, scenario=baseline)
    optimised = demo_scenario(
        instance,
        name="optimised",
        travel={"routing": after_method},
        slotting={"plan": assignment},
        arrivals={"process": "poisson", "rate_per_hour": rate, "due_after_s": 3600.0},
    )
    step("routing the optimised order pool")
    prep_after = prepare(
        optimised, seed=seed, progress=lambda d, t: step("routing optimised", d, t)
    )
    notes.append(
        f"demand: {rate:g} orders/h (15 % above the baseline's picking capacity), "
        f"{baseline.pickers.count} pickers, 8-hour shift, narrow aisles (2 pickers each); "
        "throughput cannot exceed the demand, so a side that keeps up shows the demand rate"
    )

    cmp = compare(
        prep_before,
        prep_after,
        replications,
        seed=seed,
        workers=workers,
        progress=lambda d, t: step("simulating", d, t),
    )
    labels = ("baseline", "optimised")
    files = write_comparison(cmp, out_dir, labels=labels)
    contributions = []
    if assignment is not None and routing_ok:
        step("separating the effects of slotting and routing")
        contributions = _contributions(
            cmp, baseline, optimised, before_method, after_method, replications, seed, workers
        )
        write_csv(out_dir / "contributions.csv", contributions)
        files.append(out_dir / "contributions.csv")

    step("drawing")
    before = {sku: instance.locations_of(sku) for sku in instance.sku_index}
    files.append(
        plot_slotting_heatmap(
            instance,
            before,
            assignment or before,
            {sku.id: sku.demand for sku in instance.skus},
            out_dir / "slotting_heatmap.png",
        )
    )
    example = max(range(len(prep_before.plans)), key=lambda i: prep_before.plans[i].lines)
    files.append(
        plot_routes(
            instance,
            [
                _route(prep_before, example, instance.depot.id, f"baseline ({before_method})"),
                _route(prep_after, example, instance.depot.id, f"optimised ({after_method})"),
            ],
            out_dir / "example_route.png",
            title=f"order {prep_before.plans[example].id}: baseline vs optimised tour (m)",
        )
    )
    headline = _headline(cmp)
    for row in contributions:
        headline.append(
            f"{row['change']}: travel/order {row['travel_per_order_m']:+.1f} m "
            f"[{row['travel_ci95_low']:+.1f}, {row['travel_ci95_high']:+.1f}], orders/h "
            f"{row['orders_per_hour']:+.1f} [{row['orders_ci95_low']:+.1f}, "
            f"{row['orders_ci95_high']:+.1f}]"
        )
    write_json(
        out_dir / "demo.json",
        {"notes": notes, "headline": headline, "contributions": contributions, **cmp.to_dict()},
    )
    files.append(out_dir / "demo.json")
    files.append(out_dir / "instance.json")
    return DemoReport(labels, cmp, notes, headline, files)


def _route(prepared: Prepared, k: int, depot: str, label: str) -> PickRoute:
    """Tour ``k`` of a prepared pool as a :class:`~smartwms.model.PickRoute` for drawing."""
    tours = prepared.tours
    assert tours is not None
    stops = [
        TourStop(kind="depot", id=depot),
        *(TourStop(kind="pick", id=loc) for loc in tours[k].stops),
        TourStop(kind="depot", id=depot),
    ]
    return PickRoute(orders=[label], method=label, stops=stops, length=tours[k].length)


def _contributions(
    cmp: Comparison,
    baseline: Scenario,
    optimised: Scenario,
    before_method: str,
    after_method: str,
    replications: int,
    seed: int,
    workers: int | None,
) -> list[dict[str, Any]]:
    """Slotting alone and routing alone against the baseline (paired, same random numbers)."""
    variants = {
        f"slotting only ({before_method} tours)": optimised.model_copy(
            update={"name": "slotting-only", "travel": baseline.travel}
        ),
        f"routing only ({after_method}, current slotting)": optimised.model_copy(
            update={"name": "routing-only", "slotting": baseline.slotting}
        ),
        "both": None,
    }
    rows = []
    for label, variant in variants.items():
        if variant is None:
            diff = cmp.difference
        else:
            exp = run_experiment(
                prepare(variant, seed=seed), replications, seed=seed, workers=workers
            )
            diff = paired_difference(cmp.before, exp)
        travel, orders = diff["travel_per_order_m"], diff["orders_per_hour"]
        rows.append(
            {
                "change": label,
                "travel_per_order_m": travel["mean"],
                "travel_ci95_low": travel["ci95"][0],
                "travel_ci95_high": travel["ci95"][1],
                "orders_per_hour": orders["mean"],
                "orders_ci95_low": orders["ci95"][0],
                "orders_ci95_high": orders["ci95"][1],
            }
        )
    return rows


def _headline(cmp: Comparison) -> list[str]:
    lines = []
    for name, better in (
        ("travel_per_order_m", "shorter"),
        ("orders_per_hour", "higher"),
        ("cycle_time_mean_s", "shorter"),
    ):
        d = cmp.difference[name]
        if d["mean"] is None:
            continue
        rel = f"{100 * d['relative']:+.1f} %" if d["relative"] is not None else ""
        verdict = "significant (95 % CI excludes 0)" if d["significant"] else "not significant"
        lo, hi = d["ci95"]
        lines.append(
            f"{name}: {d['mean']:+.1f} ({rel}), 95 % CI [{lo:+.1f}, {hi:+.1f}]: {verdict}"
            f" ({better} is better)"
        )
    return lines
