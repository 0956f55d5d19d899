"""Shift-plan benchmark: the whole chain at scale, its simulated worth, what each stage adds.

Run from the repository root (``python3 dev.py test -q`` once creates ``.venv``)::

    .venv/bin/python benchmarks/bench_plan.py            # medium and large (~15 min)
    .venv/bin/python benchmarks/bench_plan.py --quick    # medium only, 5 replications

Instances are generated here, seeded (``smartwms generate --preset medium|large``): medium has
2,000 SKUs in 2,400 slots, 1,000 orders and 12 pickers; large 10,000 SKUs in 12,000 slots,
5,000 orders and 40 pickers. Orders are released over an 8-hour shift and due 30 to 120
minutes later; pickers push carts of 8 orders (400 litres).

Each size runs in its own process (so its peak memory is its own) and prints:

1. the whole chain's wall time with the time of every stage, against the targets (medium
   <= 60 s, large <= 5 min and <= 4 GB);
2. the simulated shift of the plan against the baseline (today's slotting, single-order
   picking first come first served, S-shape tours): orders per hour, travel per order,
   on-time rate and orders per picker-hour, each with the 95 % CI of the paired difference
   (common random numbers);
3. what each stage adds, in the same run: the stages switched on one by one (slotting, then
   batching, routing, scheduling), each simulated against the same baseline.

Then the input checks: an order naming a SKU without stock, a picker count of 0 and a wave
past the horizon must be clear errors naming the field; an impossible due date must be
reported as tardy. The machine is shared: times are single runs, quote them as such.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from smartwms.errors import InstanceValidationError
from smartwms.layout import GeneratorConfig, generate_instance
from smartwms.layout.generator import PRESETS
from smartwms.model import Fleet, Instance, PickerClass

SIZES: dict[str, dict[str, Any]] = {
    "medium": {"preset": "medium", "pickers": 12, "max_moves": 200, "target_s": 60.0},
    "large": {"preset": "large", "pickers": 40, "max_moves": 500, "target_s": 300.0},
}
MEMORY_TARGET_MB = 4096.0
SHOWN = ("orders_per_hour", "travel_per_order_m", "on_time_rate", "orders_per_picker_hour")


def shift_instance(size: str, seed: int = 1) -> Instance:
    """The generated warehouse of ``size`` with its pickers and carts."""
    spec = SIZES[size]
    cfg = GeneratorConfig.model_validate({**PRESETS[spec["preset"]], "pickers": spec["pickers"]})
    inst = generate_instance(cfg, seed=seed)
    picker = PickerClass(count=spec["pickers"], cart_capacity_orders=8, cart_capacity_volume=400.0)
    return inst.model_copy(update={"fleet": Fleet(pickers=[picker])})


def run_size(size: str, replications: int, seed: int) -> dict[str, Any]:
    """Plan, simulate and measure one size (called in a child process)."""
    from smartwms.plan import check_shift_plan, plan_shift

    built = time.perf_counter()
    inst = shift_instance(size, seed)
    build_s = time.perf_counter() - built
    params = {"max_moves": SIZES[size]["max_moves"], "replications": replications}
    started = time.perf_counter()
    plan = plan_shift(inst, params, seed=seed)
    chain_s = time.perf_counter() - started
    rss_chain = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    verdict = check_shift_plan(inst, plan)
    started = time.perf_counter()
    staged = plan_shift(inst, {**params, "contributions": True}, seed=seed)
    contributions_s = time.perf_counter() - started
    assert staged.simulation is not None and plan.simulation is not None
    return {
        "size": size,
        "summary": inst.summary(),
        "build_s": build_s,
        "chain_s": chain_s,
        "stages": plan.stages,
        "peak_rss_mb": rss_chain,
        "valid": verdict.ok,
        "problems": [str(p) for p in verdict.problems[:5]],
        "notes": plan.notes,
        "plan_kpis": plan.kpis,
        "simulation": {
            k: plan.simulation[k]
            for k in ("baseline", "replications", "kpis", "baseline_kpis", "difference")
        },
        "contributions": staged.simulation.get("contributions", []),
        "contributions_s": contributions_s,
    }


def _num(value: float | None, spec: str = ".4g") -> str:
    return "-" if value is None else format(value, spec)


def _ci(entry: dict[str, Any]) -> str:
    lo, hi = entry["ci95"]
    return f"{_num(entry['mean'], '+.4g')} [{_num(lo, '+.4g')}, {_num(hi, '+.4g')}]"


def print_size(r: dict[str, Any]) -> None:
    s = r["summary"]
    target = SIZES[r["size"]]["target_s"]
    print(
        f"\n## {r['size']}: {s['skus']:,} SKUs, {s['locations']:,} slots, {s['orders']:,} "
        f"orders ({s['order_lines']:,} lines), {r['plan_kpis']['pickers']} pickers"
    )
    print(
        f"whole chain {r['chain_s']:.1f} s (target <= {target:.0f} s: "
        f"{'met' if r['chain_s'] <= target else 'NOT met'}), peak memory "
        f"{r['peak_rss_mb']:,.0f} MB (target <= {MEMORY_TARGET_MB:,.0f} MB: "
        f"{'met' if r['peak_rss_mb'] <= MEMORY_TARGET_MB else 'NOT met'}), "
        f"plan {'valid' if r['valid'] else 'INVALID ' + '; '.join(r['problems'])}"
    )
    print("\n| stage | seconds |\n|---|---|")
    for stage, sec in r["stages"].items():
        print(f"| {stage} | {sec:.2f} |")
    sim = r["simulation"]
    print(
        f"\nsimulated shift, {sim['replications']} paired replications; baseline: {sim['baseline']}"
    )
    print("\n| KPI | baseline | plan | plan - baseline [95 % CI] |\n|---|---|---|---|")
    for name in SHOWN:
        print(
            f"| {name} | {_num(sim['baseline_kpis'][name]['mean'])} | "
            f"{_num(sim['kpis'][name]['mean'])} | {_ci(sim['difference'][name])} |"
        )
    print(
        "\nwhat each stage adds (same run, each against the baseline; "
        f"{r['contributions_s']:.0f} s)"
    )
    print("\n| stages on | " + " | ".join(SHOWN) + " |\n|---|" + "---|" * len(SHOWN))
    for row in r["contributions"]:
        cells = " | ".join(_ci(row["difference"][n]) for n in SHOWN)
        print(f"| {row['stages']} | {cells} |")
    for note in r["notes"]:
        print(f"- {note}")


def input_checks() -> list[tuple[str, str]]:
    """The bad inputs of the issue and what the chain answers."""
    from smartwms.plan import plan_shift

    inst = shift_instance("medium")
    fast = {"simulate": False}
    sku = inst.orders[0].lines[0].sku
    cases: list[tuple[str, Instance, dict[str, Any]]] = [
        (
            "order naming a SKU without stock",
            inst.model_copy(update={"stock": [r for r in inst.stock if r.sku != sku]}),
            fast,
        ),
        ("picker count of 0", inst, {**fast, "pickers": 0}),
        ("wave past the horizon", inst, {**fast, "waves": [0, 4 * 3600, 9 * 3600]}),
    ]
    out = []
    for label, case, params in cases:
        try:
            plan_shift(case, params)
            out.append((label, "NOT refused"))
        except InstanceValidationError as exc:
            field, reason = exc.problems[0]
            out.append((label, f"error: {field}: {reason}"))
    first = inst.orders[0]
    rushed = first.model_copy(update={"due_time": first.release_time})
    plan = plan_shift(inst.model_copy(update={"orders": [rushed, *inst.orders[1:]]}), fast)
    late = next(o for o in plan.orders if o.order == first.id)
    out.append(
        (
            "impossible due date (due at release)",
            f"planned, reported tardy by {late.tardiness_s:.0f} s"
            if late.tardiness_s > 0
            else "NOT reported tardy",
        )
    )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="medium only, 5 replications")
    parser.add_argument("--sizes", nargs="*", choices=list(SIZES), help="sizes to run")
    parser.add_argument("--replications", type=int, default=None)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    parser.add_argument("--one", choices=list(SIZES), help=argparse.SUPPRESS)
    args = parser.parse_args()
    reps = args.replications or (5 if args.quick else 10)
    if args.one:  # the child process: one size, JSON on stdout
        print(json.dumps(run_size(args.one, reps, args.seed)))
        return
    sizes = args.sizes or (["medium"] if args.quick else list(SIZES))
    print("# bench_plan: the shift plan at scale and its simulated worth")
    results = []
    for size in sizes:
        child = subprocess.run(
            [
                sys.executable,
                __file__,
                "--one",
                size,
                "--replications",
                str(reps),
                "--seed",
                str(args.seed),
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        if child.returncode != 0:
            print(f"\n## {size}: FAILED\n{child.stderr[-2000:]}")
            continue
        result = json.loads(child.stdout.strip().splitlines()[-1])
        results.append(result)
        print_size(result)
    print("\n## input checks\n\n| input | answer |\n|---|---|")
    checks = input_checks()
    for label, answer in checks:
        print(f"| {label} | {answer} |")
    if args.json is not None:
        args.json.write_text(json.dumps({"sizes": results, "input_checks": checks}, indent=1))


if __name__ == "__main__":
    main()
