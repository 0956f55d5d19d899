"""Exact picker routing against the published SPRP optima (Heßler & Irnich sets).

1. All 2,400 ``unit_F1`` instances, single-block (``results_SPRP.csv``, 'DP cost') and
   two-block (``results_SPRP_two_block.csv``): gap must be 0 everywhere; time per instance
   (solve only, visiting order included; reading the file is not timed).
2. Throughput: random orders of 20 picks routed one after another on one core.
3. Scattered storage (SPRP-SS, ``unit_F2/F5/F10`` and ``varying_F2/F5/F10``): % of instances
   proven optimal within the per-instance time limit, % matching the published optimum, mean
   gap (``results_SPRP-SS.csv`` single-block, ``results_SPRP-SS_two_block.csv``).

    .venv/bin/python benchmarks/bench_exact.py [--ss-per-group 10] [--time-limit 2]
    .venv/bin/python benchmarks/bench_exact.py --skip-f1 --ss-per-group 0   # all SPRP-SS files
"""

from __future__ import annotations

import argparse
import csv
import random
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

from rich.console import Console
from rich.table import Table

from smartwms.io import read_sprp
from smartwms.model import Instance, ParallelAisleLayout, Station
from smartwms.routing.exact import optimal_tour, optimal_tour_scattered
from smartwms.stopping import Stop

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "benchmarks" / "sprp"


def _published_single() -> dict[str, float]:
    out = {}
    with (SHARED / "results_SPRP.csv").open() as fh:
        for r in csv.DictReader(fh):
            name = (
                f"unit_F1_m{r['num aisles']}_C{r['num cells']}_a{r['num articles']}_"
                f"{r['random seed']}.txt"
            )
            out[name] = float(r["DP cost"])
    return out


def _published_ss_single() -> dict[str, float]:
    out = {}
    with (SHARED / "results_SPRP-SS.csv").open() as fh:
        for r in csv.DictReader(fh):
            kind = "unit" if r["unit demand"] == "true" else "varying"
            name = (
                f"{kind}_F{r['alpha']}_m{r['num aisles']}_C{r['num cells']}_"
                f"a{r['num articles']}_{r['random seed']}.txt"
            )
            out[name] = min(float(r["GS MIP cost"]), float(r["Netw MIP cost"]))
    return out


def _published_two_block(path: str) -> dict[str, float]:
    with (SHARED / path).open() as fh:
        return {r["filename"]: float(r["objective"]) for r in csv.DictReader(fh)}


def _picks(inst: Instance) -> tuple[list[int], list[int]]:
    locs = inst.location_index
    wanted = {line.sku for line in inst.orders[0].lines}
    points = [locs[rec.location] for rec in inst.stock if rec.sku in wanted]
    return [p.aisle or 0 for p in points], [p.cell or 0 for p in points]


def _layout(inst: Instance) -> ParallelAisleLayout:
    assert isinstance(inst.layout, ParallelAisleLayout)
    return inst.layout


def bench_f1(console: Console) -> None:
    names = sorted(_published_single())
    table = Table(
        title=f"Exact DP on all {len(names)} unit_F1 instances (gap to published optimum)"
    )
    for col in ("layout", "instances", "gap 0", "max |gap|", "mean ms", "median ms", "p95 ms"):
        table.add_column(col, justify="right")
    for layout, reference in (
        ("single-block", _published_single()),
        ("two-block", _published_two_block("results_SPRP_two_block.csv")),
    ):
        times, gaps = [], []
        warm = read_sprp(SHARED / "instances" / names[0], layout=layout)  # type: ignore[arg-type]
        optimal_tour(_layout(warm), warm.depot, *_picks(warm))  # load the compiled DP, untimed
        for name in names:
            inst = read_sprp(SHARED / "instances" / name, layout=layout)  # type: ignore[arg-type]
            aisles, cells = _picks(inst)
            lay = _layout(inst)
            start = time.perf_counter()
            length, _ = optimal_tour(lay, inst.depot, aisles, cells)
            times.append(time.perf_counter() - start)
            gaps.append(length - reference[name])
        times.sort()
        table.add_row(
            layout,
            str(len(names)),
            str(sum(abs(g) < 1e-6 for g in gaps)),
            f"{max(abs(g) for g in gaps):g}",
            f"{1e3 * statistics.fmean(times):.3f}",
            f"{1e3 * statistics.median(times):.3f}",
            f"{1e3 * times[int(0.95 * len(times))]:.3f}",
        )
    console.print(table)


def bench_throughput(console: Console, orders: int) -> None:
    table = Table(title=f"Throughput: {orders} random orders of 20 picks, one core")
    for col in ("layout", "orders/s (tour + order)", "ms per order"):
        table.add_column(col, justify="right")
    rng = random.Random(0)
    for blocks in (1, 2, 3):
        lay = ParallelAisleLayout(
            n_aisles=20,
            aisle_spacing=3,
            cells_per_block=60 // blocks,
            cell_length=1,
            n_blocks=blocks,
        )
        depot = Station(id="depot", aisle=0, cross_aisle=blocks)
        batch = [
            ([rng.randrange(20) for _ in range(20)], [rng.randrange(60) for _ in range(20)])
            for _ in range(orders)
        ]
        optimal_tour(lay, depot, *batch[0])  # load the compiled DP, untimed
        start = time.perf_counter()
        for aisles, cells in batch:
            optimal_tour(lay, depot, aisles, cells)
        elapsed = time.perf_counter() - start
        table.add_row(
            f"20 aisles x 60 cells, {blocks} block(s)",
            f"{orders / elapsed:,.0f}",
            f"{1e3 * elapsed / orders:.3f}",
        )
    console.print(table)


def bench_ss(console: Console, per_group: int, time_limit: float) -> None:
    files = sorted(
        p.name for p in (SHARED / "instances").glob("*.txt") if not p.name.startswith("unit_F1_")
    )
    groups: dict[str, list[str]] = defaultdict(list)
    for name in files:
        groups[name.split("_m")[0]].append(name)
    rng = random.Random(1)
    table = Table(
        title=f"Scattered storage (SPRP-SS), {per_group or 'all'} instances per set, "
        f"time limit {time_limit:g} s"
    )
    for col in (
        "set",
        "layout",
        "n",
        "proven opt %",
        "= published %",
        "mean gap %",
        "max gap %",
        "mean s",
        "median s",
    ):
        table.add_column(col, justify="right")
    for layout, reference in (
        ("single-block", _published_ss_single()),
        ("two-block", _published_two_block("results_SPRP-SS_two_block.csv")),
    ):
        for group, names in sorted(groups.items()):
            sample = sorted(rng.sample(names, per_group)) if 0 < per_group < len(names) else names
            proven, equal, gaps, times = 0, 0, [], []
            for name in sample:
                inst = read_sprp(SHARED / "instances" / name, layout=layout)  # type: ignore[arg-type]
                locs = inst.location_index
                recs = inst.stock
                demand = {line.sku: line.quantity for line in inst.orders[0].lines}
                start = time.perf_counter()
                length, _, optimal = optimal_tour_scattered(
                    _layout(inst),
                    inst.depot,
                    [locs[r.location].aisle or 0 for r in recs],
                    [locs[r.location].cell or 0 for r in recs],
                    [r.sku for r in recs],
                    [r.quantity for r in recs],
                    demand,
                    stop=Stop(time_limit=time_limit),
                )
                times.append(time.perf_counter() - start)
                best = reference[name]
                proven += optimal
                equal += abs(length - best) < 1e-6
                gaps.append(100 * (length - best) / best if best else 0.0)
                if length < best - 1e-6:
                    print(
                        f"warning: {name} {layout}: {length} below published {best}",
                        file=sys.stderr,
                    )
            n = len(sample)
            table.add_row(
                group,
                layout,
                str(n),
                f"{100 * proven / n:.1f}",
                f"{100 * equal / n:.1f}",
                f"{statistics.fmean(gaps):.3f}",
                f"{max(gaps):.3f}",
                f"{statistics.fmean(times):.3f}",
                f"{statistics.median(times):.3f}",
            )
    console.print(table)
    console.print(
        "Note: on the varying-demand two-block files the published optimum can be below every "
        "tour that meets the file's demands (our search proves optimality; an independent "
        "enumeration of article covers agrees), so their gap there is not a search gap."
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--skip-f1", action="store_true", help="skip the 2 x 2,400 unit_F1 runs")
    parser.add_argument("--orders", type=int, default=5000, help="orders for the throughput run")
    parser.add_argument(
        "--ss-per-group",
        type=int,
        default=10,
        help="SPRP-SS instances per set and layout (0 = all)",
    )
    parser.add_argument(
        "--time-limit", type=float, default=2.0, help="seconds per SPRP-SS instance"
    )
    args = parser.parse_args()
    if not SHARED.exists():
        sys.exit(f"public SPRP data not found at {SHARED}")
    console = Console(width=140)
    if not args.skip_f1:
        bench_f1(console)
    bench_throughput(console, args.orders)
    if args.ss_per_group >= 0:
        bench_ss(console, args.ss_per_group, args.time_limit)


if __name__ == "__main__":
    main()
