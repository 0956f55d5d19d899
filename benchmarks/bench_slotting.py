"""Slotting benchmark: pick-tour length on later orders, scale of the exact method, CP-SAT, K.

Run from the repository root (``python3 dev.py test -q`` once creates ``.venv``)::

    .venv/bin/python benchmarks/bench_slotting.py            # everything (~10 min)
    .venv/bin/python benchmarks/bench_slotting.py --quick    # smaller runs (~2 min)

Tables printed:

1. Foodmart (``../shared/benchmarks/foodmart``): slot on the first 2,000 chronological orders
   (``instances_ord2000_fsd10``), test on the 3,000 later ones (``instances_ord5000_fsd10``
   minus the first 2,000, matched as multisets of lines). Mean shortest tour per test order
   (exact Held-Karp over the graph's shortest paths, nearest neighbour + 2-opt above 12
   stops; the count is printed) under each assignment, on all four layouts (8 or 16 aisles,
   with or without a middle cross aisle). Printed with it: how much demand structure the data
   has (dispersion of pick counts, rank stability history -> test, repeated pairs) and a
   hindsight ceiling (slotting on the test orders themselves), which bounds what any method
   that sees only the history can reach.
2. Generated parallel-aisle families (seeded, built here): skewed demand, orders drawn from
   product categories (so SKUs have real affinity), today's stock slotted on a stale demand.
   Mean tour per test order by the exact routing DP (``smartwms.routing.exact``).
3. Scale: exact optimal assignment of 10,000 SKUs to 12,000 slots (median of 3 runs).
4. CP-SAT with families, hazard segregation, aisle balance and a move budget on 2,000 SKUs
   (time to the first plan meeting all four, objective vs the unconstrained optimum), and
   the same requests on ``smartwms generate --preset medium --seed 1``.
5. Savings as a function of the move budget K: the exact optimum cut to K moves, and CP-SAT
   with all four side constraints at that K.
"""

from __future__ import annotations

import argparse
import collections
import statistics
import sys
import time
from pathlib import Path

import numpy as np

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
from smartwms.slotting import SlottingParams, build_tables, plan_problems, solve_slotting
from smartwms.slotting.affinity import TourScorer

ROOT = Path(__file__).resolve().parents[1]
FOODMART = ROOT.parent / "shared" / "benchmarks" / "foodmart"
METHODS = ["current", "random", "abc", "coi", "optimal", "affinity"]


# ---------------------------------------------------------------------- helpers
def mean_tour(scorer: TourScorer, assignment: dict[str, list[str]], orders: list[Order]) -> float:
    pos = scorer.location_point
    return float(
        np.mean([scorer.length([pos[assignment[ln.sku][0]] for ln in o.lines]) for o in orders])
    )


def print_table(title: str, header: list[str], rows: list[list[object]]) -> None:
    print(f"\n## {title}\n")
    print("| " + " | ".join(header) + " |")
    print("|" + "|".join("---" for _ in header) + "|")
    for row in rows:
        print("| " + " | ".join(str(c) for c in row) + " |")
    sys.stdout.flush()


def method_table(
    title: str,
    history: Instance,
    test: list[Order],
    scorer: TourScorer,
    methods: list[str],
    affinity_seconds: float,
) -> dict[str, float]:
    tours: dict[str, float] = {}
    rows = []
    for method in methods:
        params = {"time_limit": affinity_seconds if method == "affinity" else 60.0}
        result = solve_slotting(history, method=method, seed=0, params=params)
        if method != "current":
            problems = plan_problems(history, result.plan, SlottingParams(**params))
            assert not problems, problems[:3]
        tours[method] = mean_tour(scorer, result.plan.assignment, test)
        rows.append([method, f"{tours[method]:.2f}", result.objective, result.seconds])
    given, coi = tours["current"], tours["coi"]
    table = [
        [
            m,
            f"{tours[m]:.2f}",
            f"{100 * (1 - tours[m] / given):+.1f} %",
            f"{100 * (1 - tours[m] / coi):+.1f} %",
            f"{obj:,.0f}",
            f"{sec:.2f}",
        ]
        for m, _, obj, sec in rows
    ]
    print_table(
        title,
        ["method", "mean tour / test order", "vs given", "vs COI", "expected travel", "solve s"],
        table,
    )
    best = min((m for m in tours if m != "current"), key=tours.__getitem__)
    print(
        f"\nbest: {best}, {100 * (1 - tours[best] / coi):+.1f} % vs COI (goal >= 5 %), "
        f"{100 * (1 - tours[best] / given):+.1f} % vs given (goal >= 20 %); tours scored by "
        f"{scorer.label}"
        + (f", {scorer.approximate} tours approximate" if scorer.approximate else "")
    )
    return tours


# ---------------------------------------------------------------------- Foodmart
FOODMART_LAYOUTS = [
    "warehouse_8_0_3_1560",
    "warehouse_8_1_3_1560",
    "warehouse_16_0_3_1560",
    "warehouse_16_1_3_1560",
]


def foodmart(affinity_seconds: float, layout_name: str) -> None:
    if not FOODMART.is_dir():
        print(f"\n(Foodmart skipped: {FOODMART} not found)")
        return
    for name in FOODMART_LAYOUTS if layout_name == "all" else [layout_name]:
        foodmart_layout(affinity_seconds, name)


def foodmart_layout(affinity_seconds: float, layout_name: str) -> None:
    from smartwms.io.foodmart import read_foodmart, read_foodmart_orders

    large = FOODMART / "largeInstances"
    history = read_foodmart(
        FOODMART / layout_name,
        FOODMART / "productsDB_1560_locations",
        large / "instances_ord2000_fsd10",
    )
    test = later_orders(history.orders, read_foodmart_orders(large / "instances_ord5000_fsd10"))
    print(
        f"\nFoodmart {layout_name}: {len(history.orders)} history orders, {len(test)} test orders"
    )
    print_demand_diagnostics(history, test)
    scorer = TourScorer(history, method="exact", exact_stops=12)
    tours = method_table(
        f"Foodmart {layout_name}: mean shortest tour per later order",
        history,
        test,
        scorer,
        METHODS,
        affinity_seconds,
    )
    print_oracle_rows(history, test, scorer, tours, affinity_seconds)


def later_orders(history: list[Order], first_5000: list[Order]) -> list[Order]:
    """The orders of the 5,000-order file that are not among the first 2,000 (as multisets)."""

    def key(o: Order) -> tuple[tuple[str, float], ...]:
        return tuple(sorted((ln.sku, ln.quantity) for ln in o.lines))

    left = collections.Counter(key(o) for o in history)
    test = []
    for order in first_5000:
        if left[key(order)] > 0:
            left[key(order)] -= 1
        else:
            test.append(order)
    return test


def print_demand_diagnostics(history: Instance, test: list[Order]) -> None:
    """How much demand structure there is to exploit: skew, stability over time, affinity.

    Slotting can only shorten later tours if some SKUs are picked more often than others (or
    together) and keep being so. The index of dispersion of the pick counts is 1 for demand
    spread evenly at random (Poisson counts); the method-of-moments estimate
    ``sqrt(var - mean) / mean`` is the coefficient of variation of the SKUs' true pick rates.
    """
    from scipy import stats

    ids = [s.id for s in history.skus]
    hist_freq = collections.Counter(ln.sku for o in history.orders for ln in o.lines)
    test_freq = collections.Counter(ln.sku for o in test for ln in o.lines)
    counts = np.array([hist_freq[i] + test_freq[i] for i in ids], dtype=float)
    mean, var = counts.mean(), counts.var(ddof=1)
    rate_cv = np.sqrt(max(var - mean, 0.0)) / mean
    chi2 = stats.chisquare(counts)
    rank = stats.spearmanr([hist_freq[i] for i in ids], [test_freq[i] for i in ids])
    top_decile = np.sort(counts)[::-1][: len(ids) // 10].sum() / counts.sum()
    hist_pairs, test_pairs = _pair_counts(history.orders), _pair_counts(test)
    repeated = [p for p, c in hist_pairs.items() if c >= 2]
    n_pairs = len(ids) * (len(ids) - 1) / 2
    lift = (
        (sum(test_pairs[p] for p in repeated) / len(repeated))
        / (sum(test_pairs.values()) / n_pairs)
        if repeated
        else float("nan")
    )
    covered = sum(test_pairs[p] for p in repeated) / max(sum(test_pairs.values()), 1)
    print_table(
        "demand structure (all 5,000 orders unless said)",
        ["measure", "value", "what it means"],
        [
            ["picks per SKU: mean", f"{mean:.2f}", f"{counts.sum():,.0f} picks of {len(ids)} SKUs"],
            ["index of dispersion", f"{var / mean:.3f}", "1.0 = even demand (Poisson counts)"],
            [
                "chi-square vs even demand",
                f"{chi2.statistic:,.0f} (df {len(ids) - 1}), p = {chi2.pvalue:.3f}",
                "evidence of any skew at all",
            ],
            ["CV of true pick rates", f"{rate_cv:.3f}", "a Zipf-like catalogue has > 1"],
            ["share of picks, top 10 % SKUs", f"{100 * top_decile:.1f} %", "10 % if even"],
            [
                "Spearman history vs test counts",
                f"{rank.statistic:.3f}",
                "does yesterday's rank predict tomorrow's",
            ],
            [
                "history pairs ordered together >= 2x",
                f"{len(repeated)}",
                f"lift {lift:.1f}x in test, cover {100 * covered:.2f} % of test pairs",
            ],
        ],
    )


def _pair_counts(orders: list[Order]) -> collections.Counter[tuple[str, str]]:
    pairs: collections.Counter[tuple[str, str]] = collections.Counter()
    for o in orders:
        skus = sorted({ln.sku for ln in o.lines})
        pairs.update((a, b) for k, a in enumerate(skus) for b in skus[k + 1 :])
    return pairs


def print_oracle_rows(
    history: Instance,
    test: list[Order],
    scorer: TourScorer,
    tours: dict[str, float],
    affinity_seconds: float,
) -> None:
    """Perfect hindsight: slot on the test orders themselves and score on the same orders.

    No method that sees only the history can know the test orders, so these rows bound what
    any history-based method could reach on this data (they also fit the test orders' noise).
    """
    hindsight = history.model_copy(update={"orders": test})
    rows = []
    for method in ("optimal", "affinity"):
        params = {"time_limit": affinity_seconds if method == "affinity" else 60.0}
        result = solve_slotting(hindsight, method=method, seed=0, params=params)
        problems = plan_problems(hindsight, result.plan, SlottingParams(**params))
        assert not problems, problems[:3]
        tour = mean_tour(scorer, result.plan.assignment, test)
        rows.append(
            [
                f"{method}, slotted on the test orders",
                f"{tour:.2f}",
                f"{100 * (1 - tour / tours['current']):+.1f} %",
                f"{100 * (1 - tour / tours['coi']):+.1f} %",
            ]
        )
    print_table(
        "hindsight ceiling (not a method: it knows the test orders)",
        ["slotting", "mean tour / test order", "vs given", "vs COI (history)"],
        rows,
    )


# ---------------------------------------------------------------------- generated families
def generated(
    n_aisles: int,
    cells: int,
    levels: int,
    n_skus: int,
    n_orders: int,
    seed: int,
    n_blocks: int = 1,
    families: int = 0,
    hazards: bool = False,
) -> tuple[Instance, list[Order]]:
    """A warehouse with skewed demand and category-driven orders; returns history and test.

    With ``families``, that many families of eight SKUs to be stored together; with
    ``hazards``, about 5 % of the SKUs are flammable or corrosive. Both are drawn from
    today's stock (see :func:`_grouped_like_the_stock`), so the stock already meets them.

    Both sides of an aisle hold slots at every cell and level. Demand follows a Zipf law;
    an order picks one or two categories and 1-5 SKUs from them by popularity. Today's stock
    was slotted by popularity two seasons ago: a random permutation of the true ranks.
    """
    rng = np.random.default_rng(seed)
    layout = ParallelAisleLayout(
        n_aisles=n_aisles,
        aisle_spacing=3.0,
        cells_per_block=cells,
        cell_length=1.0,
        n_blocks=n_blocks,
        cross_aisle_widths=2.0,
        levels=levels,
    )
    locations = [
        Location(
            id=f"A{a:02d}-C{c:03d}-{side[0]}{lv}",
            aisle=a,
            cell=c,
            side=side,
            level=lv,
            volume_capacity=120.0 if (c % 4 == 0) else 60.0,
            weight_capacity=400.0,
        )
        for a in range(n_aisles)
        for c in range(layout.cells_per_aisle)
        for side in ("left", "right")
        for lv in range(levels)
    ]
    if len(locations) < n_skus:
        raise SystemExit(f"{len(locations)} slots for {n_skus} SKUs")
    popularity = 1.0 / np.arange(1, n_skus + 1) ** 0.9
    popularity = popularity[rng.permutation(n_skus)]
    category = rng.integers(0, max(n_skus // 12, 1), n_skus)
    unit_volume = rng.choice([1.0, 2.0, 4.0], n_skus, p=[0.6, 0.3, 0.1])
    skus = [
        Sku(
            id=f"S{i:05d}",
            unit_volume=float(unit_volume[i]),
            unit_weight=25.0 if rng.random() < 0.03 else float(rng.uniform(0.2, 5)),
            family=f"F{i // 8}" if i < 8 * families else None,
            hazard=(("flammable", "corrosive")[i % 2] if rng.random() < 0.05 else None)
            if hazards
            else None,
        )
        for i in range(n_skus)
    ]
    # Stale slotting: ranks of a noisy old popularity onto slots by distance from the depot.
    old = popularity * rng.lognormal(0, 1.5, n_skus)
    slot_rank = np.argsort(
        [2 * (3.0 * loc.aisle + (layout.cells_per_aisle - loc.cell)) for loc in locations],
        kind="stable",
    )
    fit = [j for j in slot_rank.tolist()]
    stock = []
    used = set()
    for i in np.argsort(-old, kind="stable").tolist():
        need = 10 * unit_volume[i]
        for j in fit:
            if (
                j not in used
                and locations[j].volume_capacity >= need
                and (skus[i].unit_weight < 20 or locations[j].level == 0)
            ):
                used.add(j)
                stock.append(StockRecord(sku=skus[i].id, location=locations[j].id, quantity=10))
                break
    if families or hazards:
        skus = _grouped_like_the_stock(skus, stock, locations, families)
    members: dict[int, list[int]] = collections.defaultdict(list)
    for i, cat in enumerate(category.tolist()):
        members[cat].append(i)
    cats = sorted(members)
    cat_pop = np.asarray([popularity[members[c]].sum() for c in cats])
    cat_pop /= cat_pop.sum()
    orders = []
    for o in range(2 * n_orders):
        lines: set[int] = set()
        for c in rng.choice(len(cats), size=int(rng.integers(1, 3)), p=cat_pop).tolist():
            pool = members[cats[c]]
            p = popularity[pool] / popularity[pool].sum()
            k = min(int(rng.integers(1, 6)), len(pool))
            lines.update(int(x) for x in rng.choice(pool, size=k, replace=False, p=p))
        orders.append(Order(id=f"O{o}", lines=[OrderLine(sku=skus[i].id) for i in sorted(lines)]))
    history = Instance(
        name=f"gen-{n_aisles}x{cells}x{levels}-{n_skus}",
        layout=layout,
        locations=locations,
        skus=skus,
        stock=stock,
        orders=orders[:n_orders],
        stations=[Station(id="depot", aisle=0, cross_aisle=n_blocks)],
    )
    return history, orders[n_orders:]


def _grouped_like_the_stock(
    skus: list[Sku], stock: list[StockRecord], locations: list[Location], families: int
) -> list[Sku]:
    """Families and hazard classes as a running warehouse keeps them today.

    A family is eight SKUs stocked in one aisle (aisles taken in turn), and a hazardous SKU
    has the class of its aisle (even aisles flammable, odd corrosive), so today's stock
    already meets grouping and segregation: a move budget then buys travel, not repairs.
    """
    aisle_of_loc = {loc.id: loc.aisle for loc in locations}
    aisle = {rec.sku: aisle_of_loc[rec.location] for rec in stock}
    by_aisle: dict[int, list[str]] = collections.defaultdict(list)
    for sku in skus:
        if sku.id in aisle:
            by_aisle[aisle[sku.id]].append(sku.id)
    family: dict[str, str] = {}
    made, turn = 0, 0
    while made < families and any(len(v) >= 8 for v in by_aisle.values()):
        a = sorted(by_aisle)[turn % len(by_aisle)]
        turn += 1
        if len(by_aisle[a]) >= 8:
            for sku_id in by_aisle[a][:8]:
                family[sku_id] = f"F{made}"
            by_aisle[a] = by_aisle[a][8:]
            made += 1
    classes = ("flammable", "corrosive")
    return [
        s.model_copy(
            update={
                "family": family.get(s.id),
                "hazard": classes[aisle[s.id] % 2] if s.hazard and s.id in aisle else None,
            }
        )
        for s in skus
    ]


def generated_tables(affinity_seconds: float, quick: bool) -> None:
    families = [
        ("single block, 10 aisles x 30 cells x 2 levels", dict(n_aisles=10, cells=30, levels=2)),
        (
            "two blocks, 12 aisles x 2 x 20 cells x 2 levels",
            dict(n_aisles=12, cells=20, levels=2, n_blocks=2),
        ),
    ]
    for title, shape in families[:1] if quick else families:
        slots = shape["n_aisles"] * shape["cells"] * shape.get("n_blocks", 1) * 2 * shape["levels"]
        history, test = generated(
            n_skus=int(0.85 * slots), n_orders=1000 if quick else 2000, seed=1, **shape
        )
        scorer = TourScorer(history, method="exact")
        method_table(
            f"generated: {title} ({len(history.skus)} SKUs, {slots} slots)",
            history,
            test[:500] if quick else test,
            scorer,
            METHODS,
            affinity_seconds,
        )


# ---------------------------------------------------------------------- scale
def scale(repeats: int) -> None:
    history, _ = generated(n_aisles=20, cells=100, levels=3, n_skus=10_000, n_orders=30_000, seed=2)
    rows = []
    for label, inst in [
        ("pick frequency from 30,000 orders", history),
        (
            "continuous demand (no two SKUs alike)",
            history.model_copy(
                update={
                    "orders": [],
                    "skus": [
                        s.model_copy(update={"demand": float(d)})
                        for s, d in zip(
                            history.skus,
                            np.random.default_rng(3).pareto(1.1, len(history.skus)) + 0.01,
                            strict=True,
                        )
                    ],
                }
            ),
        ),
    ]:
        times = []
        for _ in range(repeats):
            start = time.perf_counter()
            result = solve_slotting(inst, method="optimal")
            times.append(time.perf_counter() - start)
        tables = build_tables(inst, SlottingParams())
        groups = len(set(zip(tables.skus.type.tolist(), tables.skus.weight.tolist(), strict=True)))
        classes = len(
            set(zip(tables.slots.signature.tolist(), tables.slots.cost.tolist(), strict=True))
        )
        problems = plan_problems(inst, result.plan)
        rows.append(
            [
                label,
                f"{len(tables.skus):,} x {len(tables.slots):,}",
                f"{groups:,} x {classes:,}",
                f"{statistics.median(times):.2f}",
                result.status.value,
                "valid" if not problems else problems[0],
            ]
        )
    print_table(
        f"exact optimal assignment at scale (end to end: costs, flow, moves; median of {repeats})",
        [
            "demand",
            "SKUs x slots",
            "flow nodes (SKU groups x slot classes)",
            "seconds",
            "status",
            "plan",
        ],
        rows,
    )


# ---------------------------------------------------------------------- CP-SAT
def side_instance() -> tuple[Instance, list[Order]]:
    """2,000 SKUs, 2,400 slots, 40 families of eight, 5 % hazardous in two classes."""
    return generated(
        n_aisles=12,
        cells=50,
        levels=2,
        n_skus=2000,
        n_orders=4000,
        seed=4,
        families=40,
        hazards=True,
    )


ALL_FOUR = {"aisle_balance": 0.2}  # + families and hazards (on by default) + max_moves


def run_cpsat(history: Instance, params: dict[str, object]) -> tuple[object, float, list[str]]:
    """CP-SAT result (or the InfeasibleError), wall seconds, validator problems."""
    from smartwms.errors import InfeasibleError

    start = time.perf_counter()
    try:
        result = solve_slotting(history, method="cpsat", params=params)
    except InfeasibleError as exc:  # reported in the table, not hidden
        return exc, time.perf_counter() - start, []
    seconds = time.perf_counter() - start
    problems = plan_problems(history, result.plan, SlottingParams(**params), side_constraints=True)
    return result, seconds, problems


def cpsat(limit: float) -> None:
    history, test = side_instance()
    scorer = TourScorer(history, method="exact")
    sample = test[:500]
    today = {s.id: history.locations_of(s.id) for s in history.skus}
    exact = solve_slotting(history, method="optimal")
    best = exact.objective
    rows = [
        [
            "current",
            "-",
            "-",
            "-",
            "-",
            f"{exact.plan.baseline_objective:,.0f}",
            f"{100 * (exact.plan.baseline_objective / best - 1):+.1f} %",
            0,
            f"{mean_tour(scorer, today, sample):.2f}",
            "-",
        ],
        [
            "optimal (no side constraints, no budget)",
            exact.status.value,
            "-",
            f"{exact.seconds:.1f}",
            "-",
            f"{exact.objective:,.0f}",
            "+0.0 %",
            len(exact.plan.moves),
            f"{mean_tour(scorer, exact.plan.assignment, sample):.2f}",
            "valid" if not plan_problems(history, exact.plan) else "INVALID",
        ],
    ]
    configs = [
        ("cpsat: families + hazards + aisle balance <= 20 %", {"aisle_balance": 0.2}),
        ("cpsat: hazards + move budget K = 400", {"group_families": False, "max_moves": 400}),
        (
            "cpsat: all four (families, hazards, balance 20 %, K = 800)",
            {**ALL_FOUR, "max_moves": 800},
        ),
    ]
    for label, extra in configs:
        params = {"time_limit": limit, **extra}
        result, seconds, problems = run_cpsat(history, params)
        if not hasattr(result, "plan"):
            rows.append(
                [
                    label,
                    "infeasible",
                    "-",
                    f"{seconds:.1f}",
                    "-",
                    "-",
                    "-",
                    "-",
                    "-",
                    str(result)[:80],
                ]
            )
            continue
        rows.append(
            [
                label,
                result.status.value,
                f"{result.kpis['first_feasible_s']:.1f}",
                f"{seconds:.1f}",
                f"{result.kpis['start_objective']:,.0f}",
                f"{result.objective:,.0f}",
                f"{100 * (result.objective / best - 1):+.1f} %",
                len(result.plan.moves),
                f"{mean_tour(scorer, result.plan.assignment, sample):.2f}",
                "valid (all constraints, replay)" if not problems else problems[0],
            ]
        )
    print_table(
        f"CP-SAT with side constraints: 2,000 SKUs, 2,400 slots, time limit {limit:.0f} s",
        [
            "method",
            "status",
            "first feasible s",
            "total s",
            "constructed start",
            "expected travel",
            "vs unconstrained optimum",
            "moves",
            "mean tour (500 test)",
            "plan",
        ],
        rows,
    )


def cpsat_generator(limit: float) -> None:
    """The same requests on ``smartwms generate --preset medium --seed 1`` (reproducible).

    The library's generator has skewed demand, orders driven by affinity groups and those
    groups as families (every SKU in one), but no hazard classes, and its current stock is
    random: every family is scattered today.
    """
    from smartwms.layout.generator import PRESETS, GeneratorConfig, generate_instance

    history = generate_instance(GeneratorConfig(**PRESETS["medium"]), seed=1)  # type: ignore[arg-type]
    exact = solve_slotting(history, method="optimal")
    best = exact.objective
    rows = [
        [
            "optimal (no side constraints)",
            exact.status.value,
            "-",
            f"{exact.seconds:.1f}",
            f"{best:,.0f}",
            "+0.0 %",
            len(exact.plan.moves),
            "valid",
        ]
    ]
    configs = [
        ("--aisle-balance 0.2", {"aisle_balance": 0.2}),
        ("--aisle-balance 0.4", {"aisle_balance": 0.4}),
        ("--aisle-balance 0.4 --max-moves 800", {"aisle_balance": 0.4, "max_moves": 800}),
        (
            "--no-families --aisle-balance 0.2 --max-moves 800",
            {"group_families": False, "aisle_balance": 0.2, "max_moves": 800},
        ),
    ]
    for label, extra in configs:
        result, seconds, problems = run_cpsat(history, {"time_limit": limit, **extra})
        if not hasattr(result, "plan"):
            rows.append([label, "infeasible", "-", f"{seconds:.1f}", "-", "-", "-", str(result)])
            continue
        rows.append(
            [
                label,
                result.status.value,
                f"{result.kpis['first_feasible_s']:.1f}",
                f"{seconds:.1f}",
                f"{result.objective:,.0f}",
                f"{100 * (result.objective / best - 1):+.1f} %",
                len(result.plan.moves),
                "valid (all constraints, replay)" if not problems else problems[0],
            ]
        )
    print_table(
        "CP-SAT on `smartwms generate --preset medium --seed 1` (2,000 SKUs in 250 affinity "
        f"families, no hazards): `smartwms slot FILE --method cpsat --time-limit {limit:.0f} ...`",
        [
            "options",
            "status",
            "first feasible s",
            "total s",
            "expected travel",
            "vs unconstrained optimum",
            "moves",
            "plan",
        ],
        rows,
    )


# ---------------------------------------------------------------------- budget
def budget(limit: float) -> None:
    history, test = side_instance()
    scorer = TourScorer(history, method="exact")
    sample = test[:500]
    full = solve_slotting(history, method="optimal")
    rows = []
    for k in [0, 50, 100, 200, 400, 800, None]:
        greedy = solve_slotting(history, method="optimal", params={"max_moves": k})
        assert not plan_problems(history, greedy.plan, SlottingParams(max_moves=k))
        row = [
            "unlimited" if k is None else k,
            len(greedy.plan.moves),
            f"{greedy.kpis['saving_pct']:.1f} %",
            f"{mean_tour(scorer, greedy.plan.assignment, sample):.2f}",
        ]
        result, seconds, problems = run_cpsat(
            history, {"time_limit": limit, **ALL_FOUR, "max_moves": k}
        )
        if hasattr(result, "plan"):
            row += [
                len(result.plan.moves),
                f"{result.kpis['saving_pct']:.1f} %",
                f"{mean_tour(scorer, result.plan.assignment, sample):.2f}",
                f"{result.kpis['first_feasible_s']:.1f} / {seconds:.0f}",
                "valid" if not problems else problems[0],
            ]
        else:
            row += ["-", "-", "-", f"- / {seconds:.0f}", f"infeasible: {str(result)[:70]}"]
        rows.append(row)
    print_table(
        f"savings as a function of the move budget K (2,000 SKUs; optimal+K = `--method "
        f"optimal --max-moves K`, no side constraints: the better of the exact optimum "
        f"({len(full.plan.moves)} moves) cut to K moves by saving per labour second and the "
        f"labour-priced flow; cpsat = families + hazards + aisle balance 20 % + K, "
        f"{limit:.0f} s)",
        [
            "K",
            "moves (optimal+K)",
            "travel saved (optimal+K)",
            "mean tour (optimal+K)",
            "moves (cpsat)",
            "travel saved (cpsat)",
            "mean tour (cpsat)",
            "cpsat first feasible / total s",
            "cpsat plan",
        ],
        rows,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller, faster runs")
    parser.add_argument("--affinity-seconds", type=float, default=None)
    parser.add_argument(
        "--foodmart-layout",
        default="all",
        help="one of the four Foodmart layout files, or 'all' (default)",
    )
    parser.add_argument(
        "--only", choices=["foodmart", "generated", "scale", "cpsat", "budget"], default=None
    )
    args = parser.parse_args()
    seconds = args.affinity_seconds or (20.0 if args.quick else 60.0)
    parts = {
        "foodmart": lambda: foodmart(seconds, args.foodmart_layout),
        "generated": lambda: generated_tables(seconds, args.quick),
        "scale": lambda: scale(1 if args.quick else 3),
        "cpsat": lambda: (cpsat(60.0), cpsat_generator(60.0)),
        "budget": lambda: budget(15.0 if args.quick else 30.0),
    }
    for name, run in parts.items():
        if args.only in (None, name):
            run()


if __name__ == "__main__":
    main()
