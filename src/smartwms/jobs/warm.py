"""Warm a worker before it takes a job: import the solvers and load their compiled kernels.

A cold worker spends seconds importing OR-Tools, SciPy and SimPy and, on a fresh install,
compiling the numba kernels of the exact routing DP. None of that sees a job's stop signal, so
done inside a job it ate the job's time limit and got the worker killed by the overrun guard.
Workers therefore call :func:`warm_up` once, before they announce themselves ready; with a
cold kernel cache that first call also builds the cache on disk (numba ``cache=True``), so
every later worker only loads it. ``python -m smartwms.jobs.warm`` builds the cache at install
time (``dev.py`` runs it after installing).
"""

from __future__ import annotations

import importlib
import logging
import sys
import time

__all__ = ["SOLVER_MODULES", "cold_kernels", "warm_up"]

log = logging.getLogger("smartwms.jobs.warm")

# What job kinds import lazily inside their ``run`` functions (imported here once instead).
SOLVER_MODULES = (
    "smartwms.layout",
    "smartwms.routing",
    "smartwms.routing.bulk",
    "smartwms.routing.exact",
    "smartwms.batching",
    "smartwms.slotting",
    "smartwms.agv",
    "smartwms.sim",
    "ortools.constraint_solver.pywrapcp",
    "ortools.sat.python.cp_model",
    "scipy.special",
)


def _import_solvers() -> None:
    for name in SOLVER_MODULES:
        try:
            importlib.import_module(name)
        except ImportError:  # an optional solver package that is not there: nothing to warm
            log.debug("warm-up: %s is not importable", name)


def _run_tiny_routes() -> None:
    """Exact routes on a tiny warehouse: one call of every numba kernel of the routing DP."""
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
    from smartwms.routing import solve_routing
    from smartwms.routing.exact import optimal_tour, optimal_tour_scattered

    layout = ParallelAisleLayout(
        n_aisles=3, aisle_spacing=3, cells_per_block=10, cell_length=1, cross_aisle_widths=1
    )
    depot = Station(id="depot", aisle=0, cross_aisle=1)
    optimal_tour(layout, depot, [2, 0, 2], [3, 5, 7])  # block costs, sweep, visiting order
    # Scattered storage: the subset router's batched lengths.
    optimal_tour_scattered(
        layout, depot, [2, 0, 1], [3, 8, 5], ["A", "A", "B"], [1, 2, 1], {"A": 2, "B": 1}
    )
    instance = Instance(
        layout=layout,
        locations=[Location(id="A", aisle=0, cell=5), Location(id="B", aisle=2, cell=3)],
        skus=[Sku(id="a"), Sku(id="b")],
        stock=[StockRecord(sku="a", location="A"), StockRecord(sku="b", location="B")],
        orders=[Order(id="O1", lines=[OrderLine(sku="a"), OrderLine(sku="b")])],
        stations=[depot],
    )
    solve_routing(instance, method="optimal")  # the bulk router's batched tours


def _run_tiny_batching() -> None:
    """Every kernel of the batching engine, once."""
    from smartwms.batching.evaluate import warm_up_kernels

    warm_up_kernels()


def cold_kernels() -> list[str]:
    """Names of smartwms's numba kernels not compiled (nor loaded from the cache) in this process.

    Only kernels Python code calls are counted: private ones (``_name``) are called by other
    kernels, compiled into them and loaded with them from the cache, and never compile on
    their own. Empty after :func:`warm_up`; a test keeps it so when someone adds a kernel.
    """
    try:
        from numba.core.registry import CPUDispatcher
    except ImportError:
        return []
    cold: set[str] = set()
    for name, module in list(sys.modules.items()):
        if not name.startswith("smartwms."):
            continue
        for attr, value in vars(module).items():
            public = isinstance(value, CPUDispatcher) and not attr.startswith("_")
            if public and not value.signatures:
                cold.add(f"{value.py_func.__module__}.{value.py_func.__name__}")
    return sorted(cold)


def warm_up() -> float:
    """Import every solver and load (building if needed) every compiled kernel.

    Returns the seconds it took. Never raises: a failure here only means the first job pays
    the cost instead, so it is logged and the worker goes on.
    """
    started = time.perf_counter()
    try:
        import smartwms.jobs  # noqa: F401  (registers the built-in kinds)

        _import_solvers()
        _run_tiny_routes()
        _run_tiny_batching()
    except Exception:
        log.exception("worker warm-up failed; the first job will load what it needs")
    seconds = time.perf_counter() - started
    cold = cold_kernels()
    if cold:
        log.warning("warm-up left kernels to compile inside a job: %s", ", ".join(cold))
    return seconds


if __name__ == "__main__":
    print(f"smartwms: solver kernels loaded in {warm_up():.1f} s", file=sys.stderr)
