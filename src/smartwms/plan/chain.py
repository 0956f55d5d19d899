"""``plan_shift``: from today's orders, stock, pickers and robots to a timed, checked plan.

The chain, one stage after the other (each timed in ``ShiftPlan.stages``):

1. ``validate`` - every limit before the work starts: stock for every order line, pickers on
   shift, waves inside the horizon, orders that fit on a cart;
2. ``slotting`` - with a move budget, re-slot with :func:`smartwms.slotting.solve_slotting`;
3. ``relocations`` - the moves become relocation tasks, by AGVs where the warehouse has them
   and a grid map, else by the relocation crew; orders needing a moved SKU wait for it;
4. ``waves`` and ``batching`` - orders grouped into waves by release time, then into batches;
5. ``routing`` - a tour per batch with :func:`smartwms.routing.solve_routing` on the slotting
   after the relocations;
6. ``scheduling`` - batches assigned to pickers and sequenced (earliest due date first by
   default), every pick timed;
7. ``simulation`` - the plan and the baseline simulated with common random numbers
   (:mod:`smartwms.plan.evaluate`).

A stop (time limit or cancellation) keeps what is finished: the running solver returns its
best so far, the stages after it take their fastest method, and the simulation is skipped.
"""

from __future__ import annotations

import itertools
import math
import time
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from pydantic import ValidationError

from smartwms.errors import InstanceValidationError
from smartwms.model import Instance, PickerClass, SolveStatus
from smartwms.plan.agv import has_agv_map, plan_agv_relocations
from smartwms.plan.assemble import (
    BatchDraft,
    TimedBatch,
    instance_after,
    list_schedule,
    order_outcomes,
    order_ready_times,
    picker_shifts,
    planned_batch,
    schedule_relocations,
    time_batches,
)
from smartwms.plan.model import (
    AgvSchedule,
    Relocation,
    ShiftPlan,
    Wave,
    picker_roster,
)
from smartwms.plan.params import PlanParams
from smartwms.plan.replenish import supply_picks
from smartwms.stopping import Stop

__all__ = [
    "PlanProgress",
    "baseline_params",
    "coerce_params",
    "describe_baseline",
    "plan_shift",
    "validate_shift",
]

#: ``progress(stage, done, total, best_objective)``, as every solver reports.
PlanProgress = Callable[[str, float, "float | None", "float | None"], None]

_STAGES = ("validate", "slotting", "relocations", "batching", "routing", "scheduling")


def coerce_params(params: PlanParams | dict[str, Any] | None) -> PlanParams:
    """``params`` as :class:`PlanParams`; a bad field raises naming ``params.<field>``."""
    if isinstance(params, PlanParams):
        return params
    try:
        return PlanParams.model_validate(params or {})
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"]) or "params"
        raise InstanceValidationError(
            [(f"params.{where}", err["msg"].removeprefix("Value error, "))]
        ) from None


# ---------------------------------------------------------------------- validation
def validate_shift(instance: Instance, params: PlanParams) -> list[tuple[str, PickerClass]]:
    """Check every limit of the shift before planning; returns the pickers on shift.

    Raises
    ------
    InstanceValidationError
        Naming the field and the reason: an order line whose SKU has no (or too little)
        stock, no picker, a wave outside the horizon, an order too big for a cart. A due time
        that cannot be met is not an error: the plan reports the order as tardy.
    """
    problems: list[tuple[str, str]] = []
    if not instance.orders:
        problems.append(("orders", "the instance has no orders to plan"))
    stock: dict[str, float] = defaultdict(float)
    for rec in instance.stock:
        stock[rec.sku] += rec.quantity
    asked: dict[str, float] = defaultdict(float)
    for i, order in enumerate(instance.orders):
        if order.release_time >= params.horizon_s:
            problems.append(
                (
                    f"orders[{i}].release_time",
                    f"{order.release_time:g} s is after the shift ends ({params.horizon_s:g} s)",
                )
            )
        for j, line in enumerate(order.lines):
            field = f"orders[{i}].lines[{j}]"
            if stock.get(line.sku, 0.0) <= 0:
                problems.append((f"{field}.sku", f"SKU {line.sku!r} has no stock in any location"))
                continue
            asked[line.sku] += line.quantity
            if not params.replenish and asked[line.sku] > stock[line.sku] + 1e-9:
                problems.append(
                    (
                        f"{field}.quantity",
                        f"the orders ask for {asked[line.sku]:g} units of SKU {line.sku!r} "
                        f"so far, {stock[line.sku]:g} are in stock (and replenish is off)",
                    )
                )
                asked[line.sku] = -math.inf  # report each SKU once
    if params.pickers is not None and params.pickers < 1:
        problems.append(("pickers", f"a shift needs at least one picker, got {params.pickers}"))
    roster = picker_roster(instance, params.pickers) if not problems else []
    if not problems and not roster:
        problems.append(("fleet.pickers", "the instance has no picker (give pickers=N)"))
    problems += _wave_problems(params)
    if roster:
        problems += _cart_problems(instance, roster, params)
    if problems:
        raise InstanceValidationError(problems[:20])
    return roster


def _wave_problems(params: PlanParams) -> list[tuple[str, str]]:
    waves = params.waves
    if waves is None:
        return []
    if isinstance(waves, int):
        return [] if waves >= 1 else [("waves", f"at least one wave, got {waves}")]
    out = []
    for i, t in enumerate(waves):
        if not 0 <= t < params.horizon_s:
            out.append(
                (f"waves[{i}]", f"{t:g} s is outside the shift (0 to {params.horizon_s:g} s)")
            )
    if any(b <= a for a, b in itertools.pairwise(waves)):
        out.append(("waves", "release times must increase"))
    if not waves:
        out.append(("waves", "give at least one release time"))
    return out


def _cart_problems(
    instance: Instance, roster: list[tuple[str, PickerClass]], params: PlanParams
) -> list[tuple[str, str]]:
    """Orders that no picker's cart can take on their own."""
    skus = instance.sku_index
    classes = {cls.id: cls for _, cls in roster}.values()
    out = []
    for i, order in enumerate(instance.orders):
        for what in ("volume", "weight"):
            load = sum(ln.quantity * getattr(skus[ln.sku], f"unit_{what}") for ln in order.lines)
            caps = [getattr(c, f"cart_capacity_{what}") for c in classes]
            if all(cap is not None and load > cap for cap in caps):
                out.append((f"orders[{i}]", f"{what} {load:g} does not fit on any cart ({caps})"))
    return out


# ---------------------------------------------------------------------- waves
def _waves(instance: Instance, params: PlanParams) -> list[tuple[str, float]]:
    spec = params.waves
    if spec is None:
        times = [0.0]
    elif isinstance(spec, int):
        times = [w * params.horizon_s / spec for w in range(spec)]
    else:
        times = list(spec)
    return [(f"W{k + 1}", t) for k, t in enumerate(times)]


def _wave_of(release: float, waves: list[tuple[str, float]]) -> str:
    """The first wave released at or after the order (the last wave for late orders)."""
    for wid, t in waves:
        if release <= t + 1e-9:
            return wid
    return waves[-1][0]


# ---------------------------------------------------------------------- stages
class _Clock:
    def __init__(self, progress: PlanProgress | None) -> None:
        self.stages: dict[str, float] = {}
        self.progress = progress
        self._began = time.perf_counter()
        self._stage = ""

    def start(self, stage: str) -> None:
        self._close()
        self._stage = stage
        self._began = time.perf_counter()
        self.report(0, None)

    def report(self, done: float, total: float | None, best: float | None = None) -> None:
        if self.progress is not None:
            self.progress(self._stage, done, total, best)

    def _close(self) -> None:
        if self._stage:
            self.stages[self._stage] = round(time.perf_counter() - self._began, 4)

    def finish(self) -> dict[str, float]:
        self._close()
        self._stage = ""
        return self.stages


def _status(stop: Stop | None) -> SolveStatus:
    if stop is None or not stop():
        return SolveStatus.FEASIBLE
    return SolveStatus.CANCELLED if stop.cancelled else SolveStatus.TIME_LIMIT


def _reslot(
    instance: Instance, params: PlanParams, seed: int, stop: Stop | None
) -> tuple[dict[str, list[str]], list[Any], str]:
    """The slotting the shift works with and the moves to get there."""
    current = {sku.id: instance.locations_of(sku.id) for sku in instance.skus}
    current = {sku: locs for sku, locs in current.items() if locs}
    if params.max_moves is None or params.max_moves == 0:
        return current, [], "current"
    from smartwms.slotting import solve_slotting

    result = solve_slotting(
        instance, params.slotting, {"max_moves": params.max_moves}, seed=seed, stop=stop
    )
    assignment = {s: locs for s, locs in result.plan.assignment.items() if locs}
    return assignment, list(result.plan.moves), f"{params.slotting}(K={params.max_moves})"


def _relocate(
    instance: Instance,
    moves: list[Any],
    params: PlanParams,
    seed: int,
    crew_free: dict[str, float],
) -> tuple[list[Relocation], AgvSchedule | None, str]:
    """The moves as timed relocations: by AGVs where the warehouse has them, else the crew."""
    use_agv = params.relocate_with == "agv" or (
        params.relocate_with == "auto" and has_agv_map(instance)
    )
    if params.relocate_with == "agv" and not has_agv_map(instance):
        raise InstanceValidationError(
            [("relocate_with", "agv needs AGVs in the fleet and a grid or parallel-aisle map")]
        )
    if not moves:
        return [], None, "none"
    if use_agv:
        relocations, schedule = plan_agv_relocations(
            instance, moves, handling_s=params.agv_handling_s, seed=seed
        )
        return relocations, schedule, f"{len(schedule.agents)} AGVs"
    return schedule_relocations(instance, moves, crew_free), None, f"{len(crew_free)} workers"


def _before_shift(
    relocations: list[Relocation], agv: AgvSchedule | None
) -> tuple[list[Relocation], AgvSchedule | None]:
    """Move the relocations' clock so that the last one ends when the shift starts."""
    shift = max(r.planned_end_s for r in relocations)
    moved = [
        r.model_copy(
            update={
                "planned_start_s": r.planned_start_s - shift,
                "planned_end_s": r.planned_end_s - shift,
            }
        )
        for r in relocations
    ]
    if agv is not None:
        tasks = [
            t.model_copy(
                update={
                    "planned_start_s": t.planned_start_s - shift,
                    "planned_end_s": None if t.planned_end_s is None else t.planned_end_s - shift,
                }
            )
            for t in agv.tasks
        ]
        agv = agv.model_copy(update={"start_s": agv.start_s - shift, "tasks": tasks})
    return moved, agv


def _batch(
    instance: Instance, params: PlanParams, waves: list[tuple[str, float]]
) -> tuple[list[BatchDraft], str]:
    """Orders into batches, wave by wave."""
    method = "single" if params.batching == "auto" else params.batching
    if method != "single":
        raise InstanceValidationError(
            [("batching", f"unknown batching method {method!r}; this version offers single")]
        )
    drafts: list[BatchDraft] = []
    by_wave: dict[str, list[str]] = defaultdict(list)
    for order in sorted(instance.orders, key=lambda o: o.release_time):
        by_wave[_wave_of(order.release_time, waves)].append(order.id)
    for wid, _t in waves:
        for oid in by_wave.get(wid, []):
            drafts.append(BatchDraft(id=f"B{len(drafts) + 1:04d}", wave=wid, orders=(oid,)))
    return drafts, method


def plan_shift(
    instance: Instance,
    params: PlanParams | dict[str, Any] | None = None,
    seed: int = 0,
    stop: Stop | None = None,
    progress: PlanProgress | None = None,
) -> ShiftPlan:
    """Plan a shift: relocations, waves, batches, routes, picker schedules, AGV tasks.

    Parameters
    ----------
    instance
        The warehouse with today's orders, stock, pickers (``fleet.pickers``) and AGVs.
    params
        :class:`~smartwms.plan.params.PlanParams` or a dict of them.
    seed
        Seed of every randomised stage and of the simulation; same input, same plan.
    stop
        Time limit and cancellation (see the module documentation).
    progress
        ``progress(stage, done, total, best_objective)`` as each stage advances.

    Raises
    ------
    InstanceValidationError
        For bad input, naming the field (see :func:`validate_shift`).

    Examples
    --------
    >>> from smartwms.model import (Fleet, Location, Order, OrderLine, ParallelAisleLayout,
    ...     Sku, Station, StockRecord)
    >>> lay = ParallelAisleLayout(n_aisles=2, aisle_spacing=3, cells_per_block=5, cell_length=1)
    >>> inst = Instance(layout=lay,
    ...     locations=[Location(id="A", aisle=0, cell=1), Location(id="B", aisle=1, cell=3)],
    ...     skus=[Sku(id="a"), Sku(id="b")],
    ...     stock=[StockRecord(sku="a", location="A", quantity=9),
    ...            StockRecord(sku="b", location="B", quantity=9)],
    ...     orders=[Order(id="o1", lines=[OrderLine(sku="a"), OrderLine(sku="b", quantity=2)])],
    ...     fleet=Fleet(pickers=[PickerClass(count=1)]),
    ...     stations=[Station(id="D", aisle=0, cross_aisle=1)])
    >>> plan = plan_shift(inst, {"simulate": False})
    >>> [(p.order, p.line, p.location, p.quantity) for p in plan.picks]
    [('o1', 1, 'B', 2.0), ('o1', 0, 'A', 1.0)]
    >>> plan.objective, plan.orders[0].completion_s
    (18.0, 74.0)
    """
    started = time.perf_counter()
    params = coerce_params(params)
    clock = _Clock(progress)
    plan, reslot = _plan(instance, params, seed, stop, clock)
    if params.simulate:
        plan = _simulate(instance, plan, reslot, params, seed, stop, clock)
    stages = clock.finish()
    return plan.model_copy(
        update={"seconds": time.perf_counter() - started, "stages": stages, "status": _status(stop)}
    )


Reslot = tuple[dict[str, list[str]], list[Any], str]


def _plan(
    instance: Instance,
    params: PlanParams,
    seed: int,
    stop: Stop | None,
    clock: _Clock,
    reslot: Reslot | None = None,
) -> tuple[ShiftPlan, Reslot]:
    """Every stage but the simulation; ``reslot`` reuses a slotting already solved."""
    clock.start("validate")
    roster = validate_shift(instance, params)
    notes: list[str] = []

    clock.start("slotting")
    if reslot is None:
        reslot = _reslot(instance, params, seed, stop)
    assignment, moves, slot_method = reslot
    clock.start("relocations")
    crew_free = {f"reslot-{k + 1}": 0.0 for k in range(params.relocation_workers)}
    relocations, agv, movers = _relocate(instance, moves, params, seed, crew_free)
    if relocations and params.relocation_window == "before":
        relocations, agv = _before_shift(relocations, agv)
        crew_free = dict.fromkeys(crew_free, 0.0)
        notes.append(
            f"relocations: {len(relocations)} moves by {movers} before the shift "
            f"({-relocations[0].planned_start_s / 3600:.1f} h, negative times)"
        )
    elif relocations:
        notes.append(f"relocations: {len(relocations)} moves by {movers} during the shift")
    ready = order_ready_times(instance, relocations)
    working = instance_after(instance, assignment) if moves else instance

    clock.start("batching")
    waves = _waves(instance, params)
    drafts, batch_method = _batch(instance, params, waves)
    clock.report(len(drafts), len(drafts))

    clock.start("routing")
    from smartwms.routing import solve_routing

    routing = params.routing if not (stop and stop()) else "sshape"
    routed = solve_routing(
        working,
        [list(d.orders) for d in drafts],
        method=routing,
        seed=seed,
        stop=stop,
        progress=lambda done, total: clock.report(done, total),
    )
    timed = time_batches(working, drafts, routed.routes, ready)

    clock.start("scheduling")
    classes = dict(roster)
    scheduled = list_schedule(timed, roster, dict(waves), params.setup_s, params.scheduling)
    sequences: dict[str, list[tuple[TimedBatch, float]]] = {p: [] for p, _ in roster}
    for b, picker, start in sorted(scheduled, key=lambda item: item[2]):
        sequences[picker].append((b, start))
    supplied = supply_picks(
        working,
        sequences,
        classes,
        params.setup_s,
        crew_free,
        handling_s=params.replenish_s,
        speed=roster[0][1].speed,
        replenish=params.replenish,
    )
    if supplied.tasks:
        notes.append(
            f"replenishment: {len(supplied.tasks)} top-ups of pick slots from reserve (the "
            "day's orders need more than the slots hold at once)"
        )
    built = [
        planned_batch(b, picker, classes[picker], supplied.starts[b.draft.id], params.setup_s)
        for picker, seq in sequences.items()
        for b, _ in seq
    ]
    batches = [b for b, _ in built]
    flat = [p for _, picks in built for p in picks]
    relocations = _numbered(relocations, supplied.tasks)
    outcomes = order_outcomes(instance, batches)
    wave_list = _wave_records(waves, batches)
    shifts = picker_shifts(roster, batches)
    objective = float(sum(b.length_m for b in batches))
    clock.report(len(batches), len(batches), objective)  # the best plan so far is complete
    method = (
        f"slotting={slot_method}; batching={batch_method}; routing={routed.method}; "
        f"scheduling={params.scheduling}"
    )
    plan = ShiftPlan(
        instance=instance.name,
        method=method,
        status=_status(stop),
        seed=seed,
        horizon_s=params.horizon_s,
        setup_s=params.setup_s,
        objective=objective,
        assignment=assignment,
        moves=relocations,
        waves=wave_list,
        batches=batches,
        picks=flat,
        pickers=shifts,
        orders=outcomes,
        agv=agv,
        kpis=_kpis(instance, batches, outcomes, shifts, relocations, objective),
        notes=notes,
    )
    return plan, reslot


def _numbered(relocations: list[Relocation], replenishments: list[Relocation]) -> list[Relocation]:
    """Relocations keep their safe order 1..R; replenishments follow in the order they start."""
    order = sorted(replenishments, key=lambda m: (m.planned_start_s, m.to_location))
    first = len(relocations) + 1
    return [
        *relocations,
        *(m.model_copy(update={"sequence": first + k}) for k, m in enumerate(order)),
    ]


def baseline_params(params: PlanParams) -> PlanParams:
    """The plan's parameters turned into today's way of working (``params.baseline``):
    single orders (or the user's batching rule) released first come first served, routed by
    the baseline's rule, today's slotting unless the baseline keeps the plan's."""
    base = params.baseline
    return params.model_copy(
        update={
            "max_moves": params.max_moves if base.slotting == "plan" else None,
            "batching": base.batching,
            "routing": base.routing,
            "scheduling": "fcfs",
            "waves": None,
            "simulate": False,
        }
    )


def _simulate(
    instance: Instance,
    plan: ShiftPlan,
    reslot: Reslot,
    params: PlanParams,
    seed: int,
    stop: Stop | None,
    clock: _Clock,
) -> ShiftPlan:
    """Plan the baseline and simulate both (see :mod:`smartwms.plan.evaluate`)."""
    from smartwms.plan.evaluate import evaluate_plan, shift_model

    if stop is not None and stop():
        note = "simulation: skipped (stopped before it started); the plan itself is complete"
        return plan.model_copy(update={"notes": [*plan.notes, note]})
    clock.start("baseline")
    base = baseline_params(params)
    same_slotting = reslot if params.baseline.slotting == "plan" else None
    base_plan, _ = _plan(instance, base, seed, None, _Clock(None), same_slotting)
    clock.start("simulation")
    cv, aisles = params.pick_time_cv, params.aisle_capacity
    evaluation = evaluate_plan(
        shift_model(instance, plan, dispatch="plan", cv=cv, aisle_capacity=aisles),
        shift_model(instance, base_plan, dispatch="pool", cv=cv, aisle_capacity=aisles),
        describe_baseline(params),
        params.replications,
        seed=seed,
        stop=stop,
        progress=lambda done, total: clock.report(done, total),
    )
    data = evaluation.to_dict()
    data["baseline_plan_kpis"] = base_plan.kpis
    if params.contributions and not (stop is not None and stop()):
        clock.start("contributions")
        base_model = shift_model(instance, base_plan, dispatch="pool", cv=cv, aisle_capacity=aisles)
        data["contributions"] = _contributions(
            instance, plan, reslot, params, seed, stop, clock, base_model
        )
    return plan.model_copy(update={"simulation": data})


def _contributions(
    instance: Instance,
    plan: ShiftPlan,
    reslot: Reslot,
    params: PlanParams,
    seed: int,
    stop: Stop | None,
    clock: _Clock,
    base_model: Any,
) -> list[dict[str, Any]]:
    """The stages switched on one at a time, each simulated against the baseline."""
    from smartwms.plan.evaluate import evaluate_plan, shift_model

    base = baseline_params(params)
    steps: list[tuple[str, dict[str, Any]]] = []
    if params.max_moves:
        steps.append(("slotting", {"max_moves": params.max_moves}))
    steps.append(("batching", {"batching": params.batching}))
    steps.append(("routing", {"routing": params.routing}))
    rows = []
    update: dict[str, Any] = {}
    names: list[str] = []
    cv, aisles = params.pick_time_cv, params.aisle_capacity
    for k, (stage, change) in enumerate([*steps, ("scheduling", {})]):
        if stop is not None and stop():
            break
        update.update(change)
        names.append(stage)
        if stage == "scheduling":
            model = shift_model(instance, plan, dispatch="plan", cv=cv, aisle_capacity=aisles)
        else:
            variant = base.model_copy(update=update)
            same = reslot if variant.max_moves else None
            variant_plan, _ = _plan(instance, variant, seed, None, _Clock(None), same)
            model = shift_model(
                instance, variant_plan, dispatch="pool", cv=cv, aisle_capacity=aisles
            )
        result = evaluate_plan(model, base_model, "baseline", params.replications, seed=seed)
        rows.append(
            {
                "stages": " + ".join(names),
                "kpis": result.kpis,
                "difference": result.difference,
            }
        )
        clock.report(k + 1, len(steps) + 1)
    return rows


def describe_baseline(params: PlanParams) -> str:
    """The baseline in words, e.g. ``current slotting, single-order picking, sshape``."""
    base = params.baseline
    slotting = "current slotting" if base.slotting == "current" else "the plan's slotting"
    batching = "single-order picking" if base.batching == "single" else f"{base.batching} batching"
    return f"{slotting}, {batching}, {base.routing} routing, first come first served"


def _wave_records(waves: list[tuple[str, float]], batches: list[Any]) -> list[Wave]:
    out = []
    for wid, t in waves:
        mine = [b for b in batches if b.wave == wid]
        out.append(
            Wave(
                id=wid,
                release_s=t,
                orders=[o for b in mine for o in b.orders],
                batches=[b.id for b in mine],
                start_s=min((b.start_s for b in mine), default=None),
                end_s=max((b.end_s for b in mine), default=None),
            )
        )
    return out


def _kpis(
    instance: Instance,
    batches: list[Any],
    outcomes: list[Any],
    shifts: list[Any],
    relocations: list[Relocation],
    travel: float,
) -> dict[str, Any]:
    n = len(outcomes)
    makespan = max((b.end_s for b in batches), default=0.0)
    due = [o for o in outcomes if o.due_s is not None]
    late = [o for o in due if o.tardiness_s > 0]
    busy = sum(s.busy_s for s in shifts)
    return {
        "orders": n,
        "lines": sum(len(o.lines) for o in instance.orders),
        "batches": len(batches),
        "pickers": len(shifts),
        "travel_m": round(travel, 3),
        "travel_per_order_m": round(travel / n, 3) if n else None,
        "makespan_s": round(makespan, 3),
        "orders_per_hour": round(3600.0 * n / makespan, 3) if makespan > 0 else None,
        "picker_utilisation": round(busy / (len(shifts) * makespan), 4) if makespan else None,
        "orders_with_due_time": len(due),
        "tardy_orders": len(late),
        "on_time_rate": round(1 - len(late) / len(due), 4) if due else None,
        "total_tardiness_s": round(sum(o.tardiness_s for o in late), 3),
        "relocations": sum(r.kind != "replenish" for r in relocations),
        "replenishments": sum(r.kind == "replenish" for r in relocations),
        "relocation_labour_s": round(
            sum(r.planned_end_s - r.planned_start_s for r in relocations), 3
        ),
    }
