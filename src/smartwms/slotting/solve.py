"""The one entry point: :func:`solve_slotting` and its :class:`SlottingResult`."""

from __future__ import annotations

import json
import time
from typing import Any

import numpy as np
from numpy.typing import NDArray
from pydantic import Field

from smartwms.errors import SmartwmsError
from smartwms.model import Instance, SlottingPlan, SolveStatus
from smartwms.model.base import Frozen
from smartwms.slotting.assign import abc_classes, flow_assign, objective_of
from smartwms.slotting.costs import SlottingParams, Tables, build_tables
from smartwms.slotting.moves import current_assignment, limit_moves, plan_moves
from smartwms.stopping import Stop

__all__ = ["METHODS", "SlottingResult", "solve_slotting"]

METHODS = ("current", "random", "abc", "coi", "optimal", "cpsat", "affinity")
IntArray = NDArray[np.int64]


class SlottingResult(Frozen):
    """Outcome of :func:`solve_slotting`: the plan, its status, timings and KPIs."""

    method: str
    status: SolveStatus
    plan: SlottingPlan
    objective: float
    seconds: float
    seed: int
    kpis: dict[str, Any] = Field(default_factory=dict)

    def summary(self) -> dict[str, Any]:
        """Flat summary for tables and ``--json`` output (without the full assignment)."""
        return {
            "method": self.method,
            "status": self.status.value,
            "objective": round(self.objective, 6),
            "seconds": round(self.seconds, 4),
            **self.kpis,
        }

    def to_json(self) -> str:
        """The whole result as JSON."""
        return json.dumps(self.model_dump(mode="json"))


def _coerce_params(params: SlottingParams | dict[str, Any] | None) -> SlottingParams:
    if params is None:
        return SlottingParams()
    if isinstance(params, SlottingParams):
        return params
    return SlottingParams.model_validate(params)


def current_slots(tables: Tables) -> IntArray:
    """Index of each SKU's cheapest current location (``-1`` when it has none)."""
    out = np.full(len(tables.skus), -1, dtype=np.int64)
    pos = tables.slot_position
    cost = tables.slots.cost
    for i, sku in enumerate(tables.skus.ids):
        locs = [pos[loc] for loc in tables.instance.locations_of(sku)]
        if locs:
            out[i] = min(locs, key=lambda j: (cost[j], j))
    return out


def _target(
    tables: Tables, method: str, seed: int, stop: Stop, current: IntArray
) -> tuple[IntArray, SolveStatus, dict[str, Any]]:
    skus, slots = tables.skus, tables.slots
    rng = np.random.default_rng(seed)
    if method == "optimal":
        return flow_assign(tables, skus.weight, slots.cost), SolveStatus.OPTIMAL, {}
    if method == "coi":
        volume = skus.volume if np.any(skus.volume > 0) else np.ones(len(skus))
        floor = float(np.min(volume[volume > 0])) if np.any(volume > 0) else 1.0
        coi_weight = skus.weight / np.maximum(volume, floor)
        return flow_assign(tables, coi_weight, slots.cost), SolveStatus.FEASIBLE, {}
    if method == "abc":
        klass = abc_classes(skus.weight)
        rank = np.argsort(np.argsort(slots.cost, kind="stable"), kind="stable")
        # Zones sized like the classes, scaled to fill the warehouse.
        share = np.cumsum(np.bincount(klass, minlength=3)) / max(len(skus), 1)
        zone = np.searchsorted(share * len(slots), rank, side="right").clip(0, 2)
        slot_of = flow_assign(tables, (2 - klass).astype(np.float64), zone.astype(float), rng)
        return slot_of, SolveStatus.FEASIBLE, {"abc_counts": np.bincount(klass).tolist()}
    if method == "random":
        zeros = np.zeros(len(skus))
        return flow_assign(tables, zeros, np.zeros(len(slots)), rng), SolveStatus.FEASIBLE, {}
    if method == "cpsat":
        from smartwms.slotting.cpsat import solve_cpsat

        return solve_cpsat(tables, current, seed=seed, stop=stop)
    if method == "affinity":
        from smartwms.slotting.affinity import improve_affinity

        start = flow_assign(tables, skus.weight, slots.cost)
        return improve_affinity(tables, start, seed=seed, stop=stop)
    raise SmartwmsError(f"method: expected one of {', '.join(METHODS)}, got {method!r}")


def solve_slotting(
    instance: Instance,
    method: str = "optimal",
    params: SlottingParams | dict[str, Any] | None = None,
    seed: int = 0,
    stop: Stop | None = None,
) -> SlottingResult:
    """Assign every SKU to a storage location and plan the moves to get there.

    Parameters
    ----------
    instance
        The warehouse with its SKUs, current stock and (for pick frequencies) order history.
    method
        ``current`` (keep the stock), ``random``, ``abc`` (class-based), ``coi``
        (cube-per-order index), ``optimal`` (exact minimum expected travel by min-cost flow),
        ``cpsat`` (side constraints and a move budget) or ``affinity`` (local search on the
        tour length of historical orders).
    params
        :class:`SlottingParams` or a dict of them (``max_moves``, ``time_limit``, ...).
    seed
        Seed of every random choice; same seed, same result.
    stop
        Time limit and cancellation; search methods return their best solution so far.

    Raises
    ------
    InfeasibleError
        When no assignment satisfies the constraints; the message names the one that fails.

    Examples
    --------
    >>> from smartwms.model import ParallelAisleLayout, Location, Sku, Station
    >>> lay = ParallelAisleLayout(n_aisles=2, aisle_spacing=3, cells_per_block=4, cell_length=1)
    >>> inst = Instance(layout=lay, locations=[Location(id="near", aisle=0, cell=3),
    ...     Location(id="far", aisle=1, cell=0)], skus=[Sku(id="fast", demand=9),
    ...     Sku(id="slow", demand=1)], stations=[Station(id="D", aisle=0, cross_aisle=1)])
    >>> solve_slotting(inst).plan.assignment
    {'fast': ['near'], 'slow': ['far']}
    """
    started = time.perf_counter()
    params = _coerce_params(params)
    stop = stop or Stop(time_limit=params.time_limit)
    tables = build_tables(instance, params)
    current = current_slots(tables)
    before = current_assignment(tables)
    baseline = objective_of(tables, current)
    if method == "current":
        slot_of, status = current, SolveStatus.FEASIBLE
        extra: dict[str, Any] = {}
        assignment = {s: locs for s, locs in before.items() if locs}
    else:
        slot_of, status, extra = _target(tables, method, seed, stop, current)
        if params.max_moves is not None and method != "cpsat":
            slot_of = limit_moves(tables, current, slot_of, params.max_moves)
            if method == "optimal":
                # Cutting the optimum to K moves stalls on its long chains of moves; the
                # labour-priced flow chooses K moves of its own. Keep the better plan.
                from smartwms.slotting.side import budgeted_optimum

                priced = budgeted_optimum(tables, current, params.max_moves)
                if priced is not None and objective_of(tables, priced) < objective_of(
                    tables, slot_of
                ):
                    slot_of = priced
            status = SolveStatus.FEASIBLE
        assignment = {
            s: [tables.slots.ids[int(j)]] for s, j in zip(tables.skus.ids, slot_of, strict=True)
        }
    moves = plan_moves(tables, before, assignment) if method != "current" else []
    objective = objective_of(tables, slot_of)
    labour = float(sum(m.labour_s for m in moves))
    saved = baseline - objective
    # Travel saved per day, turned into picker seconds, pays the move labour back.
    saved_s = saved / params.picker_speed
    payback = labour / saved_s if saved_s > 0 and moves else None
    plan = SlottingPlan(
        method=method,
        assignment=assignment,
        moves=moves,
        objective=objective,
        baseline_objective=baseline,
        labour_s=labour,
        travel_saved_per_day=saved,
        payback_days=payback,
    )
    kpis: dict[str, Any] = {
        "skus": len(tables.skus),
        "slots": len(tables.slots),
        "baseline_objective": round(baseline, 6),
        "saving_pct": round(100 * saved / baseline, 3) if baseline > 0 else 0.0,
        "moves": len(moves),
        "labour_h": round(labour / 3600, 3),
        "payback_days": None if payback is None else round(payback, 3),
        **extra,
    }
    return SlottingResult(
        method=method,
        status=status,
        plan=plan,
        objective=objective,
        seconds=time.perf_counter() - started,
        seed=seed,
        kpis=kpis,
    )
