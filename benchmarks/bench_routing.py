"""Picker routing against the published SPRP optima, OR-Tools against peers, throughput.

1. The 2,400 ``unit_F1`` instances of Heßler & Irnich, single block (``results_SPRP.csv``,
   column 'DP cost') and two blocks (``results_SPRP_two_block.csv``, 'objective'): every
   heuristic's mean gap to the optimum, the exact method's gap (must be 0) and its time per
   instance (end to end through ``solve_problem``, and the aisle DP alone).
2. The 31-node instances (``m*_C*_a30``: 30 picks and the depot): OR-Tools at ``--ortools-time``
   seconds, and the optional peers (elkai/LKH, fast-tsp, PyVRP; ``pip install smartwms[bench]``)
   on the identical distance matrices; quality and time ratios measured in the same run.
3. Throughput: orders of 20 picks routed per second by ``solve_routing(method="optimal")``
   in one process and one thread (numba/BLAS thread pools set to 1), end to end from an
   ``Instance`` to validated ``PickRoute`` models: median, min and max over ``--repeats``
   runs, with the time of its three stages (build, solve, results) measured apart, and the
   per-order path (``solve_problem(build_problem(...))``) measured in the same run.
4. Multi-block: random seeded orders in a ``--mb-blocks``-block warehouse (default 3 blocks,
   10 aisles, 30 picks, 200 orders): every method's mean gap to the exact multi-block DP
   (``method="optimal"``, Pansart, Catusse & Cambazard's frontier DP) and its mean ms, OR-Tools
   at ``--ortools-time`` seconds; every route checked by ``check_route``. No published optima
   exist for these layouts, so the DP is the reference and no method may beat it.

    .venv/bin/python benchmarks/bench_routing.py               # full run
    .venv/bin/python benchmarks/bench_routing.py --sample 100  # quick look

Heuristic lengths are those of their visiting sequences walked along shortest paths (what a
picker handed the pick list walks), re-computed from the closed-form distances. The heuristics
are Roodbergen & de Koster's (2001) multi-block S-shape, largest gap, combined and combined+
(``combined-plus``), return and midpoint on the same multi-block skeleton, and
``combined-opt`` (combined, then 2-opt/or-opt; a local search, not a literature heuristic).
"""

from __future__ import annotations

import os

# ruff: noqa: E402 (the environment must be set before numpy and numba are imported)
# One core: the numeric libraries must not start thread pools (set before numpy is imported).
for _var in ("NUMBA_NUM_THREADS", "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse
import csv
import gc
import itertools
import random
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from smartwms.io import read_sprp
from smartwms.model import (
    Instance,
    Location,
    Order,
    OrderLine,
    ParallelAisleLayout,
    Sku,
    Station,
    StockRecord,
)
from smartwms.routing import (
    HEURISTICS,
    build_problem,
    check_route,
    problems_for_orders,
    solve_problem,
    solve_routing,
)
from smartwms.routing.bulk import BulkRouter
from smartwms.routing.exact import optimal_tour, optimal_tour_length
from smartwms.routing.heuristics import heuristic_walk
from smartwms.routing.problem import StockIndex

ROOT = Path(__file__).resolve().parents[1]
SPRP = ROOT.parent / "shared" / "benchmarks" / "sprp"
LAYOUTS = ("single-block", "two-block")
PLANNED = [m for m in HEURISTICS if m != "combined-opt"]  # heuristics that plan a walk


# ---------------------------------------------------------------------- published optima
def published() -> dict[str, dict[str, float]]:
    """``{file name: {layout: optimum}}`` for every unit_F1 instance."""
    out: dict[str, dict[str, float]] = {}
    with (SPRP / "results_SPRP.csv").open() as fh:
        for row in csv.DictReader(fh):
            name = (
                f"unit_F1_m{row['num aisles']}_C{row['num cells']}_a{row['num articles']}_"
                f"{row['random seed']}.txt"
            )
            out.setdefault(name, {})["single-block"] = float(row["DP cost"])
    with (SPRP / "results_SPRP_two_block.csv").open() as fh:
        for row in csv.DictReader(fh):
            out.setdefault(row["filename"], {})["two-block"] = float(row["objective"])
    return out


def sample(names: list[str], n: int | None, seed: int) -> list[str]:
    if n is None or n >= len(names):
        return sorted(names)
    return sorted(random.Random(seed).sample(sorted(names), n))


@dataclass
class Stats:
    gaps: list[float] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)

    def add(self, length: float, best: float, seconds: float) -> None:
        self.gaps.append(100.0 * (length - best) / best)
        self.seconds.append(seconds)

    @property
    def mean_gap(self) -> float:
        return statistics.fmean(self.gaps) if self.gaps else float("nan")

    @property
    def max_gap(self) -> float:
        return max(self.gaps) if self.gaps else float("nan")

    @property
    def hits(self) -> float:
        return 100.0 * sum(g < 1e-9 for g in self.gaps) / len(self.gaps) if self.gaps else 0.0

    @property
    def ms(self) -> float:
        return 1000.0 * statistics.fmean(self.seconds) if self.seconds else float("nan")

    @property
    def median_ms(self) -> float:
        return 1000.0 * statistics.median(self.seconds) if self.seconds else float("nan")


def timed(fn: Callable[..., float], *args: object) -> tuple[float, float]:
    """``fn(*args)`` and the seconds it took."""
    start = time.perf_counter()
    value = fn(*args)
    return value, time.perf_counter() - start


# ---------------------------------------------------------------------- 1. unit_F1
def bench_unit_f1(names: list[str], optima: dict[str, dict[str, float]]) -> None:
    methods = ("optimal", *HEURISTICS)
    table: dict[tuple[str, str], Stats] = {}
    dp_only: dict[str, Stats] = {lay: Stats() for lay in LAYOUTS}
    walks: dict[tuple[str, str], Stats] = {}
    wrong: list[str] = []
    for layout in LAYOUTS:  # compile the numba kernels before timing anything
        warm = read_sprp(SPRP / "instances" / names[0], layout=layout)
        solve_problem(build_problem(warm), "optimal")
        solve_routing(warm, method="optimal")
    via_entry = "optimal through `solve_routing` (the user's path: bulk DP)"
    for k, name in enumerate(names):
        for layout in LAYOUTS:
            inst = read_sprp(SPRP / "instances" / name, layout=layout)
            best = optima[name][layout]
            for method in methods:
                problem = build_problem(inst)  # fresh: its distance matrix is part of the cost
                route, secs = timed_route(problem, method)
                table.setdefault((method, layout), Stats()).add(route, best, secs)
                if method == "optimal" and abs(route - best) > 1e-6:
                    wrong.append(f"{name} ({layout}): {route:g} != {best:g}")
            started = time.perf_counter()
            length = solve_routing(inst, method="optimal").objective
            table.setdefault((via_entry, layout), Stats()).add(
                length, best, time.perf_counter() - started
            )
            if abs(length - best) > 1e-6:
                wrong.append(f"{name} ({layout}, solve_routing): {length:g} != {best:g}")
            problem = build_problem(inst)
            lay = inst.layout
            assert isinstance(lay, ParallelAisleLayout)
            locs = [inst.location_index[c.location] for c in problem.candidates]
            aisles = [loc.aisle or 0 for loc in locs]
            cells = [loc.cell or 0 for loc in locs]
            length, secs = timed(dp_length, lay, inst.depot, aisles, cells)
            dp_only[layout].add(length, best, secs)
            for method in PLANNED:
                length, secs = timed(planned_length, method, lay, inst.depot, aisles, cells)
                walks.setdefault((method, layout), Stats()).add(length, best, secs)
        if (k + 1) % 200 == 0:
            print(f"  ... {k + 1}/{len(names)} instances", file=sys.stderr)
    print(f"\n## unit_F1: {len(names)} instances per layout, gap to the published optimum\n")
    print(
        "| method | 1 block mean gap % | max gap % | optimal % | ms/inst | "
        "2 blocks mean gap % | max gap % | optimal % | ms/inst |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for method in (*methods, via_entry):
        cells_ = []
        for layout in LAYOUTS:
            s = table[(method, layout)]
            cells_ += [f"{s.mean_gap:.2f}", f"{s.max_gap:.2f}", f"{s.hits:.1f}", f"{s.ms:.2f}"]
        print(f"| {method} | " + " | ".join(cells_) + " |")
    row = []
    for layout in LAYOUTS:
        s = dp_only[layout]
        row += [f"{s.mean_gap:.2f}", f"{s.max_gap:.2f}", f"{s.hits:.1f}", f"{s.ms:.3f}"]
    print("| exact DP alone (`optimal_tour`) | " + " | ".join(row) + " |")
    print(f"\nexact method mismatches: {len(wrong)}" + (f" e.g. {wrong[:3]}" if wrong else ""))
    print(
        "\nPlanned walks (the heuristic's own walk along centre lines, as the literature "
        "measures it; the shorter of the plan and its mirror image):\n"
    )
    print("| heuristic | 1 block mean gap % | max gap % | 2 blocks mean gap % | max gap % |")
    print("|---|---:|---:|---:|---:|")
    for method in PLANNED:
        cells_ = []
        for layout in LAYOUTS:
            s = walks[(method, layout)]
            cells_ += [f"{s.mean_gap:.2f}", f"{s.max_gap:.2f}"]
        print(f"| {method} | " + " | ".join(cells_) + " |")


def timed_route(*args: object) -> tuple[float, float]:
    """``solve_problem(*args)``: the route's length and the seconds it took."""
    start = time.perf_counter()
    route = solve_problem(*args)  # type: ignore[arg-type]
    return float(route.length), time.perf_counter() - start


def planned_length(method: str, *args: object) -> float:
    """The shorter planned walk of a heuristic and of its mirror image."""
    return min(
        heuristic_walk(method, *args, mirror=mirror).length  # type: ignore[arg-type]
        for mirror in (False, True)
    )


def dp_length(*args: object) -> float:
    return optimal_tour(*args)[0]  # type: ignore[arg-type]


# ---------------------------------------------------------------------- 2. OR-Tools vs peers
def _tour_len(dist: np.ndarray, tour: list[int]) -> float:
    cycle = [*tour, tour[0]]
    return float(sum(dist[a, b] for a, b in itertools.pairwise(cycle)))


def peer_elkai(dist: np.ndarray, budget: float) -> float:
    import elkai

    tour = elkai.DistanceMatrix(dist.astype(int).tolist()).solve_tsp(runs=10)
    if tour[-1] == tour[0]:
        tour = tour[:-1]
    assert sorted(tour) == list(range(len(dist)))
    return _tour_len(dist, tour)


def peer_fast_tsp(dist: np.ndarray, budget: float) -> float:
    import fast_tsp

    tour = fast_tsp.find_tour(dist.astype(int).tolist(), budget, stop_when_converged=True)
    assert sorted(tour) == list(range(len(dist)))
    return _tour_len(dist, list(tour))


def peer_pyvrp(dist: np.ndarray, budget: float) -> float:
    from pyvrp import Model
    from pyvrp.stop import MaxRuntime

    model = Model()
    model.add_vehicle_type(num_available=1)
    places = [model.add_location(x=0, y=0) for _ in range(len(dist))]
    model.add_depot(places[0])
    for place in places[1:]:
        model.add_client(place)
    for i, a in enumerate(places):
        for j, b in enumerate(places):
            model.add_edge(a, b, distance=int(dist[i, j]))
    result = model.solve(stop=MaxRuntime(budget), display=False, seed=0)
    assert result.is_feasible()
    return float(result.best.distance())


PEERS: dict[str, tuple[str, Callable[[np.ndarray, float], float]]] = {
    "elkai (LKH, 10 runs)": ("elkai", peer_elkai),
    "fast-tsp (budget, stop when converged)": ("fast_tsp", peer_fast_tsp),
    "pyvrp (budget)": ("pyvrp", peer_pyvrp),
}


def bench_ortools(names: list[str], optima: dict[str, dict[str, float]], budget: float) -> None:
    import importlib.util

    stats: dict[str, Stats] = {"ortools (ours)": Stats(), "optimal (ours)": Stats()}
    lengths: dict[str, list[float]] = {"ortools (ours)": []}
    available = {}
    for label, (module, fn) in PEERS.items():
        if importlib.util.find_spec(module) is None:
            print(
                f"note: peer {label} skipped: `{module}` is not installed "
                "(pip install 'smartwms[bench]')"
            )
        else:
            available[label] = fn
            stats[label] = Stats()
            lengths[label] = []
    for k, name in enumerate(names):
        inst = read_sprp(SPRP / "instances" / name, layout="single-block")
        best = optima[name]["single-block"]
        problem = build_problem(inst)
        route, secs = timed_route(problem, "ortools", {"time_limit": budget})
        stats["ortools (ours)"].add(route, best, secs)
        lengths["ortools (ours)"].append(route)
        exact, secs = timed_route(build_problem(inst), "optimal")
        stats["optimal (ours)"].add(exact, best, secs)
        dist = problem.distances  # depot row 0, then the 30 picks: identical input for all
        for label, fn in available.items():
            length, secs = timed(fn, dist, budget)
            stats[label].add(length, best, secs)
            lengths[label].append(length)
        if (k + 1) % 50 == 0:
            print(f"  ... {k + 1}/{len(names)} instances", file=sys.stderr)
    ours = stats["ortools (ours)"]
    print(
        f"\n## 31-node instances (30 picks + depot), single block: {len(names)} instances, "
        f"budget {budget:g} s\n"
    )
    print(
        "| solver | mean gap % | max gap % | optimal % | median s | "
        "length ratio vs ours | time ratio vs ours |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|")
    for label, s in stats.items():
        if label in lengths:
            ratio = statistics.fmean(
                a / b for a, b in zip(lengths[label], lengths["ortools (ours)"], strict=True)
            )
            ratio_txt = f"{ratio:.4f}"
        else:
            ratio_txt = "-"
        time_ratio = statistics.median(s.seconds) / statistics.median(ours.seconds)
        print(
            f"| {label} | {s.mean_gap:.3f} | {s.max_gap:.2f} | {s.hits:.1f} | "
            f"{s.median_ms / 1000:.3f} | {ratio_txt} | {time_ratio:.3f} |"
        )


# ---------------------------------------------------------------------- 3. throughput
def throughput_instance(
    n_orders: int,
    picks: int,
    seed: int,
    n_aisles: int = 20,
    n_blocks: int = 2,
    cells_per_block: int = 50,
) -> Instance:
    """A warehouse of ``n_blocks`` blocks (default 20 aisles, 2 x 50 cells), one SKU per
    slot, ``n_orders`` random orders of ``picks`` lines, depot at aisle 0 on the bottom
    cross aisle."""
    rng = random.Random(seed)
    layout = ParallelAisleLayout(
        n_aisles=n_aisles,
        aisle_spacing=3,
        cells_per_block=cells_per_block,
        cell_length=1,
        n_blocks=n_blocks,
    )
    locations = [
        Location(id=f"A{a:02d}C{c:03d}", aisle=a, cell=c)
        for a in range(layout.n_aisles)
        for c in range(layout.cells_per_aisle)
    ]
    skus = [f"S{i}" for i in range(len(locations))]
    orders = [
        Order(id=f"O{k}", lines=[OrderLine(sku=s) for s in rng.sample(skus, picks)])
        for k in range(n_orders)
    ]
    return Instance(
        name="throughput",
        layout=layout,
        locations=locations,
        skus=[Sku(id=s) for s in skus],
        stock=[StockRecord(sku=s, location=loc.id) for s, loc in zip(skus, locations, strict=True)],
        orders=orders,
        stations=[Station(id="depot", aisle=0, cross_aisle=n_blocks)],
    )


def _spread(values: list[float]) -> str:
    return f"{statistics.median(values):,.0f} | {min(values):,.0f} | {max(values):,.0f}"


def bench_throughput(n_orders: int, repeats: int) -> None:
    inst = throughput_instance(n_orders, 20, seed=0)
    solve_routing(inst, orders=[inst.orders[0].id])  # compile the numba kernels first
    tours = [[o.id] for o in inst.orders]
    rows: dict[str, list[float]] = {}

    def record(label: str, seconds: float) -> None:
        rows.setdefault(label, []).append(n_orders / seconds)

    end_to_end = "**solve_routing optimal, end to end** (validated PickRoutes)"
    for _ in range(repeats):
        start = time.perf_counter()
        result = solve_routing(inst, method="optimal")
        record(end_to_end, time.perf_counter() - start)
        assert len(result.routes) == n_orders and result.status.value == "optimal"
        # The same work stage by stage (the collector paused, as solve_routing does).
        gc.disable()
        try:
            t0 = time.perf_counter()
            router = BulkRouter.of(inst, StockIndex.of(inst), inst.depot.id, inst.depot.id)
            assert router is not None
            batch = router.prepare(tours)
            t1 = time.perf_counter()
            lengths, order = router.solve(batch)
            t2 = time.perf_counter()
            routes = router.routes(batch, lengths, order)
            t3 = time.perf_counter()
        finally:
            gc.enable()
        assert [r.length for r in routes if r] == [r.length for r in result.routes]
        record("  stage 1, build: orders to locations (`BulkRouter.prepare`)", t1 - t0)
        record("  stage 2, solve: exact DP, one compiled call (`BulkRouter.solve`)", t2 - t1)
        record("  stage 3, results: PickRoute models (`BulkRouter.routes`)", t3 - t2)
        gc.disable()  # as solve_routing does
        try:
            start = time.perf_counter()
            for problem in problems_for_orders(inst, tours):  # one stock index for all
                solve_problem(problem, "optimal")
            seconds = time.perf_counter() - start
        finally:
            gc.enable()
        record(
            "optimal, one RoutingProblem per order (`solve_problem`; the path before)",
            seconds,
        )
    for method in ("sshape", "combined"):
        start = time.perf_counter()
        solve_routing(inst, method=method)
        record(f"solve_routing {method} (1 run)", time.perf_counter() - start)
    layout = inst.layout
    assert isinstance(layout, ParallelAisleLayout)
    locs = inst.location_index
    sku_home = {rec.sku: locs[rec.location] for rec in inst.stock}
    positions = [
        (
            [sku_home[ln.sku].aisle or 0 for ln in o.lines],
            [sku_home[ln.sku].cell or 0 for ln in o.lines],
        )
        for o in inst.orders
    ]
    for label, fn in (
        ("exact DP alone, per order, tour and order (`optimal_tour`, 1 run)", optimal_tour),
        (
            "exact DP alone, per order, length only (`optimal_tour_length`, 1 run)",
            optimal_tour_length,
        ),
    ):
        start = time.perf_counter()
        for aisles, cells in positions:
            fn(layout, inst.depot, aisles, cells)
        record(label, time.perf_counter() - start)
    print(
        f"\n## throughput: {n_orders} orders of 20 picks, 2 blocks x 20 aisles, one process, "
        f"one thread; orders/s over {repeats} repeats\n"
    )
    print("| what | orders/s median | min | max | ms/order (median) |")
    print("|---|---:|---:|---:|---:|")
    for label, values in rows.items():
        ms = 1000.0 / statistics.median(values)
        print(f"| {label} | {_spread(values)} | {ms:.3f} |")


# ---------------------------------------------------------------------- 4. multi-block
def bench_multiblock(
    n_orders: int, n_blocks: int, n_aisles: int, picks: int, budget: float, seed: int
) -> None:
    inst = throughput_instance(n_orders, picks, seed, n_aisles, n_blocks, cells_per_block=20)
    methods = ("optimal", "ortools", *HEURISTICS)
    solve_problem(build_problem(inst, [inst.orders[0].id]), "optimal")  # compile the kernels
    table = {m: Stats() for m in methods}
    invalid: list[str] = []
    below: list[str] = []
    for k, order in enumerate(inst.orders):
        problem = build_problem(inst, [order.id])
        best = float("nan")
        for method in methods:
            started = time.perf_counter()
            route = solve_problem(problem, method, {"time_limit": budget})
            secs = time.perf_counter() - started
            try:
                check_route(inst, route)
            except Exception as exc:
                invalid.append(f"{order.id} {method}: {exc}")
            if method == "optimal":
                best = route.length
            elif route.length < best - 1e-6:
                below.append(f"{order.id} {method}: {route.length:g} < DP {best:g}")
            table[method].add(route.length, best, secs)
        if (k + 1) % 50 == 0:
            print(f"  ... {k + 1}/{n_orders} orders", file=sys.stderr)
    lay = inst.layout
    assert isinstance(lay, ParallelAisleLayout)
    print(
        f"\n## {n_blocks} blocks: {n_orders} random orders of {picks} picks, {n_aisles} aisles x "
        f"{lay.cells_per_aisle} cells, depot at aisle 0 on the bottom cross aisle (seed {seed}); "
        f"gap to the exact multi-block DP\n"
    )
    print("| method | mean gap % | max gap % | optimal % | mean ms | median ms |")
    print("|---|---:|---:|---:|---:|---:|")
    for method in methods:
        s = table[method]
        label = f"ortools ({budget:g} s)" if method == "ortools" else method
        print(
            f"| {label} | {s.mean_gap:.3f} | {s.max_gap:.2f} | {s.hits:.1f} | {s.ms:.2f} | "
            f"{s.median_ms:.2f} |"
        )
    print(
        f"\nroutes failing check_route: {len(invalid)}"
        + (f" e.g. {invalid[:3]}" if invalid else "")
    )
    print(f"routes shorter than the DP: {len(below)}" + (f" e.g. {below[:3]}" if below else ""))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--sample", type=int, default=None, help="unit_F1 instances per layout (default: all 2,400)"
    )
    parser.add_argument(
        "--ortools-sample",
        type=int,
        default=None,
        help="31-node instances for OR-Tools and peers (default: all 600)",
    )
    parser.add_argument("--ortools-time", type=float, default=1.0, help="seconds per instance")
    parser.add_argument("--throughput-orders", type=int, default=2000)
    parser.add_argument("--repeats", type=int, default=5, help="throughput repeats (median)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--mb-orders", type=int, default=200, help="multi-block orders")
    parser.add_argument("--mb-blocks", type=int, default=3, help="multi-block: blocks")
    parser.add_argument("--mb-aisles", type=int, default=10, help="multi-block: aisles")
    parser.add_argument("--mb-picks", type=int, default=30, help="multi-block: picks per order")
    parser.add_argument(
        "--skip",
        nargs="*",
        default=[],
        choices=["f1", "ortools", "throughput", "multiblock"],
    )
    args = parser.parse_args(argv)
    if not SPRP.is_dir():
        print(f"public SPRP data not found at {SPRP}: skipping the SPRP tables")
    else:
        optima = published()
        names = [n for n, v in optima.items() if len(v) == 2]
        if "f1" not in args.skip:
            bench_unit_f1(sample(names, args.sample, args.seed), optima)
        if "ortools" not in args.skip:
            a30 = [n for n in names if "_a30_" in n]
            bench_ortools(sample(a30, args.ortools_sample, args.seed), optima, args.ortools_time)
    if "throughput" not in args.skip:
        bench_throughput(args.throughput_orders, args.repeats)
    if "multiblock" not in args.skip:
        bench_multiblock(
            args.mb_orders,
            args.mb_blocks,
            args.mb_aisles,
            args.mb_picks,
            args.ortools_time,
            args.seed,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
