"""Simulation kernel speed: SimPy events per second, one 8-hour shift, 30 parallel replications.

Targets (issue 6): at least 100,000 SimPy events per second; one 8-hour shift with 20 pickers
and 5,000 orders in at most 5 s per replication; 30 replications using both cores.

    .venv/bin/python benchmarks/bench_sim.py [--replications 30] [--repeats 3]

The scenario is the demo warehouse (20 aisles x 2 blocks, 1,000 slots) with 20 pickers, 625
orders per hour for 8 hours (5,000 orders), aisle congestion and replenishment on, so every
aisle visit is a SimPy resource request. Routing the 600-order pool happens once, before the
replications, and is reported separately. For scale, the table also shows plain SimPy on a
trivial process (one timeout per step), the fastest the kernel can go on this machine. On a
shared machine the wall-clock speed-up of the parallel run depends on the other load, so the
CPU seconds of both runs are printed too (equal CPU means the workers add no overhead).
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

import simpy

from smartwms.sim import Scenario, prepare, run_replications, simulate
from smartwms.sim.demo import demo_instance
from smartwms.sim.experiment import default_workers
from smartwms.sim.travel import available_methods


def shift_scenario() -> Scenario:
    routing = "sshape" if "sshape" in available_methods() else "nearest"
    return Scenario.model_validate(
        {
            "name": "bench-shift",
            "instance": demo_instance(0),
            "horizon_s": 8 * 3600.0,
            "warmup_s": 1800.0,
            "drain_s": 2 * 3600.0,
            "arrivals": {"rate_per_hour": 625.0},
            "orders": {"pool_size": 600, "lines_mean": 2, "units_mean": 1.5},
            "pickers": {"count": 20, "speed_mps": 2.0, "setup_s": 10.0},
            "pick_time": {"per_line_s": 6.0, "per_unit_s": 2.0},
            "travel": {"routing": routing},
            "congestion": {"enabled": True, "aisle_capacity": 2},
            "replenishment": {"enabled": True, "workers": 2},
        }
    )


def raw_simpy_events_per_second(n: int = 200_000) -> float:
    env = simpy.Environment()

    def ticker(env: simpy.Environment) -> simpy.events.ProcessGenerator:
        for _ in range(n):
            yield env.timeout(1.0)

    env.process(ticker(env))
    start = time.perf_counter()
    env.run()
    return n / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replications", type=int, default=30)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    scenario = shift_scenario()
    started = time.perf_counter()
    prepared = prepare(scenario)
    prep_s = time.perf_counter() - started

    singles = [simulate(prepared, seed=1, replication=r) for r in range(args.repeats)]
    rep_s = statistics.median(r.sim_seconds for r in singles)
    run_s = statistics.median(r.run_seconds for r in singles)
    run_cpu = statistics.median(r.run_cpu_seconds for r in singles)
    events = statistics.median(r.events for r in singles)
    orders = statistics.median(r.orders for r in singles)
    raw = statistics.median(raw_simpy_events_per_second() for _ in range(args.repeats))

    timings, cpu = {}, {}
    for workers in (1, default_workers()):
        t0, c0 = time.perf_counter(), os.times()
        run_replications(prepared, args.replications, seed=2, workers=workers)
        c1 = os.times()
        timings[workers] = time.perf_counter() - t0
        cpu[workers] = (c1.user - c0.user) + (c1.children_user - c0.children_user)
    one, many = timings[1], timings[default_workers()]

    k = singles[0].kpis
    print(f"machine: {os.cpu_count()} cores, load average {load:.1f} when the run started")
    print(f"scenario: {scenario.name}, routing {prepared.routing_used}, 20 pickers, 8 h")
    print(
        f"  orders/replication {orders:,.0f}, utilisation {k['picker_utilisation']:.2f}, "
        f"congestion wait {k['congestion_wait_s']:.1f} s/order; pool routing {prep_s:.2f} s"
    )
    print()
    print("| measure | value | target | met |")
    print("|---|---:|---:|---|")
    eps = events / run_s
    print(
        f"| model events per second (median of {args.repeats}) | {eps:,.0f} | >= 100,000 | "
        f"{'yes' if eps >= 100_000 else 'no'} |"
    )
    print(
        f"| model events per CPU second (independent of other load) | {events / run_cpu:,.0f} "
        "| >= 100,000 | "
        f"{'yes' if events / run_cpu >= 100_000 else 'no'} |"
    )
    print(f"| plain SimPy events per second (one timeout per step) | {raw:,.0f} | - | - |")
    print(f"| model / plain SimPy | {eps / raw:.2f} | - | - |")
    print(
        f"| seconds per 8-hour replication ({events:,.0f} events) | {rep_s:.2f} | <= 5 | "
        f"{'yes' if rep_s <= 5 else 'no'} |"
    )
    print(f"| {args.replications} replications, 1 worker (s) | {one:.1f} | - | - |")
    n = default_workers()
    print(f"| {args.replications} replications, {n} workers (s) | {many:.1f} | - | - |")
    print(
        f"| CPU seconds, 1 worker / {n} workers | {cpu[1]:.1f} / {cpu[n]:.1f} | "
        "equal (no parallel overhead) | - |"
    )
    print(
        f"| speed-up | {one / many:.2f}x | > 1 (both cores) | "
        f"{'yes' if one / many > 1.2 else 'no'} |"
    )


if __name__ == "__main__":
    main()
