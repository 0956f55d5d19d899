"""The independent shift-plan checker behind ``smartwms check-plan``.

It trusts nothing the planner says. From the instance alone it rebuilds the order lines, the
stock in every slot, the pickers' carts and speeds, the walking distances and the AGV map, and
checks the plan against them:

``lines``
    every line of every order is picked exactly once: the picks of ``(order, line)`` name the
    line's SKU and add up to its quantity;
``stock``
    replaying relocations and picks in time order, every pick finds its units in its slot and
    every relocation finds its units in its source; a slot never holds two SKUs unless the
    instance allows shared locations; after the relocations the stock is where
    ``assignment`` says;
``batches``
    every order is in one batch, on one tote of that batch, and its picks follow the batch's
    route; the route length re-computes; the cart's order, volume and weight capacities hold;
``schedule``
    a batch starts after its wave's and its orders' release, lasts at least its set-up, walk and
    pick times, and no picker or relocation worker does two things at once; picks are timed
    inside their batch in walking order;
``due``
    every order's completion and tardiness are reported as its batch's end implies (tardy
    orders are listed, they are not errors: an impossible due date is tardy, not invalid);
``agv``
    the AGV map is the warehouse's, the paths have no vertex, swap or obstacle conflict
    (:func:`smartwms.agv.check_plan`) and every relocation done by an AGV is a task from the
    source's access cell to the target's, timed as the relocation says.
"""

from __future__ import annotations

import csv
import itertools
import json
import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from smartwms.agv import check_plan as check_agv_plan
from smartwms.errors import InputFileError, SmartwmsError
from smartwms.io import load_instance
from smartwms.layout import distance_matrix
from smartwms.layout.gridmap import warehouse_grid
from smartwms.model import Instance, PickerClass
from smartwms.model.slotting import BUFFER
from smartwms.plan.model import PlannedBatch, PlannedPick, Relocation, ShiftPlan

__all__ = [
    "MOVE_COLUMNS",
    "PICK_COLUMNS",
    "PlanCheck",
    "PlanProblem",
    "check_plan_folder",
    "check_shift_plan",
    "read_moves_csv",
    "read_picks_csv",
]

#: Columns of ``picks.csv`` (the contract of DESIGN.md), in order.
PICK_COLUMNS = (
    "picker",
    "wave",
    "batch",
    "sequence",
    "order",
    "line",
    "sku",
    "location",
    "quantity",
    "tote",
    "planned_start_s",
)
#: Columns of ``moves.csv``, in order.
MOVE_COLUMNS = ("sequence", "sku", "from_location", "to_location", "quantity")

_TOL = 1e-6
_MAX_PER_RULE = 50


@dataclass(frozen=True)
class PlanProblem:
    """One broken rule: ``rule`` (see the module documentation), where, and why."""

    rule: str
    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.rule}: {self.where}: {self.message}"


@dataclass
class PlanCheck:
    """The verdict: problems (empty when valid), tardy orders and what was checked."""

    problems: list[PlanProblem] = field(default_factory=list)
    tardy: list[dict[str, Any]] = field(default_factory=list)
    checked: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """Whether the plan breaks no rule."""
        return not self.problems

    def add(self, rule: str, where: str, message: str) -> None:
        """Record a problem (at most a few dozen per rule, so a broken plan stays readable)."""
        if sum(p.rule == rule for p in self.problems) < _MAX_PER_RULE:
            self.problems.append(PlanProblem(rule, where, message))

    def to_dict(self) -> dict[str, Any]:
        """JSON form: ``{"valid", "problems", "tardy_orders", "checked"}``."""
        return {
            "valid": self.ok,
            "problems": [
                {"rule": p.rule, "where": p.where, "message": p.message} for p in self.problems
            ],
            "tardy_orders": self.tardy,
            "checked": self.checked,
        }


# ---------------------------------------------------------------------- entry points
def check_shift_plan(instance: Instance, plan: ShiftPlan) -> PlanCheck:
    """Every rule ``plan`` breaks for ``instance`` (see the module documentation).

    Examples
    --------
    >>> from smartwms.model import (Location, Order, OrderLine, ParallelAisleLayout, Sku,
    ...                             Station, StockRecord)
    >>> lay = ParallelAisleLayout(n_aisles=1, aisle_spacing=3, cells_per_block=4, cell_length=1)
    >>> inst = Instance(layout=lay, locations=[Location(id="L", aisle=0, cell=0)],
    ...     skus=[Sku(id="s")], stock=[StockRecord(sku="s", location="L", quantity=3)],
    ...     orders=[Order(id="o", lines=[OrderLine(sku="s", quantity=2)])],
    ...     stations=[Station(id="D", aisle=0, cross_aisle=1)])
    >>> plan = ShiftPlan(instance="x", method="hand", horizon_s=3600, setup_s=0,
    ...                  objective=0, assignment={"s": ["L"]})
    >>> [str(p) for p in check_shift_plan(inst, plan).problems]
    ["lines: orders[o].lines[0]: picked 0 of 2 units of SKU 's'", 'batches: orders[o]: in no \
batch', 'due: orders[o]: not reported']
    """
    result = PlanCheck()
    batches = {b.id: b for b in plan.batches}
    result.checked = {
        "orders": len(instance.orders),
        "picks": len(plan.picks),
        "batches": len(plan.batches),
        "relocations": len(plan.moves),
        "agv_tasks": len(plan.agv.tasks) if plan.agv else 0,
    }
    _check_lines(instance, plan.picks, result)
    _check_batches(instance, plan, batches, result)
    _check_schedule(instance, plan, batches, result)
    _check_stock(instance, plan, result)
    _check_due(instance, plan, batches, result)
    _check_agv(instance, plan, result)
    return result


def check_plan_folder(folder: str | Path) -> PlanCheck:
    """Check a plan folder written by ``smartwms plan --out DIR``.

    Reads ``instance.json`` and ``plan.json``, and checks the instructions as a WMS would
    execute them: the picks of ``picks.csv`` and the relocations of ``moves.csv`` (which must
    agree with ``plan.json``, whose timing they lack).

    Raises
    ------
    InputFileError
        When a file is missing or unreadable (naming the file, line and column).
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise InputFileError(folder, "expected a plan folder (written by smartwms plan --out)")
    instance = load_instance(_required(folder / "instance.json"))
    plan = _read_plan(_required(folder / "plan.json"))
    picks = read_picks_csv(_required(folder / "picks.csv"))
    moves_csv = read_moves_csv(_required(folder / "moves.csv"))
    result = PlanCheck()
    moves = _merge_moves(plan.moves, moves_csv, result)
    if len(picks) != len(plan.picks) or any(
        a != b for a, b in zip(picks, plan.picks, strict=False)
    ):
        # The CSV is what pickers execute: check it, and say that plan.json disagrees.
        first = next(
            (i for i, (a, b) in enumerate(zip(picks, plan.picks, strict=False)) if a != b),
            min(len(picks), len(plan.picks)),
        )
        result.add("files", f"picks.csv:{first + 2}", "differs from plan.json's picks")
    checked = check_shift_plan(instance, plan.model_copy(update={"picks": picks, "moves": moves}))
    checked.problems = result.problems + checked.problems
    return checked


def _required(path: Path) -> Path:
    if not path.is_file():
        raise InputFileError(path, "missing from the plan folder")
    return path


def _read_plan(path: Path) -> ShiftPlan:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise InputFileError(path, f"invalid JSON: {exc.msg}", line=exc.lineno) from None
    try:
        return ShiftPlan.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"])
        raise InputFileError(path, f"{where}: {err['msg']}") from None


def _csv_rows(path: Path, columns: tuple[str, ...]) -> Iterable[tuple[int, dict[str, str]]]:
    with path.open(newline="", encoding="utf-8-sig") as fh:
        reader = csv.reader(fh)
        header = next(reader, None)
        if header is None or tuple(h.strip() for h in header) != columns:
            raise InputFileError(path, f"expected the header {','.join(columns)}", line=1)
        for number, row in enumerate(reader, start=2):
            if not row:
                continue
            if len(row) != len(columns):
                raise InputFileError(
                    path, f"expected {len(columns)} columns, got {len(row)}", line=number
                )
            yield number, dict(zip(columns, row, strict=True))


def _typed(path: Path, number: int, column: str, text: str, kind: type) -> Any:
    try:
        value = kind(text)
    except ValueError:
        raise InputFileError(
            path, f"column {column!r}: expected {kind.__name__}, got {text!r}", line=number
        ) from None
    if isinstance(value, float) and not math.isfinite(value):
        raise InputFileError(path, f"column {column!r}: {text!r} is not finite", line=number)
    return value


def read_picks_csv(path: str | Path) -> list[PlannedPick]:
    """The picks of a ``picks.csv`` (errors name the file, line and column)."""
    path = Path(path)
    kinds = {"sequence": int, "line": int, "quantity": float, "planned_start_s": float}
    out = []
    for number, row in _csv_rows(path, PICK_COLUMNS):
        values = {
            c: _typed(path, number, c, v, kinds[c]) if c in kinds else v for c, v in row.items()
        }
        try:
            out.append(PlannedPick.model_validate(values))
        except ValidationError as exc:
            err = exc.errors()[0]
            raise InputFileError(
                path, f"column {err['loc'][0]!r}: {err['msg']}", line=number
            ) from None
    return out


def read_moves_csv(path: str | Path) -> list[dict[str, Any]]:
    """The rows of a ``moves.csv`` as dictionaries (``from_location`` ``None`` when empty)."""
    path = Path(path)
    out = []
    for number, row in _csv_rows(path, MOVE_COLUMNS):
        out.append(
            {
                "sequence": _typed(path, number, "sequence", row["sequence"], int),
                "sku": row["sku"],
                "from_location": row["from_location"] or None,
                "to_location": row["to_location"],
                "quantity": _typed(path, number, "quantity", row["quantity"], float),
                "line": number,
            }
        )
    return out


def _merge_moves(
    planned: list[Relocation], rows: list[dict[str, Any]], result: PlanCheck
) -> list[Relocation]:
    """The relocations of ``moves.csv`` with their timing from ``plan.json``."""
    by_sequence = {m.sequence: m for m in planned}
    out = []
    for row in rows:
        where = f"moves.csv:{row['line']}"
        move = by_sequence.pop(row["sequence"], None)
        if move is None:
            result.add("files", where, f"relocation {row['sequence']} is not in plan.json")
            continue
        fields = ("sku", "from_location", "to_location")
        if any(getattr(move, k) != row[k] for k in fields) or not math.isclose(
            move.quantity, row["quantity"], abs_tol=_TOL
        ):
            result.add("files", where, f"relocation {row['sequence']} differs from plan.json")
        out.append(move.model_copy(update={k: row[k] for k in (*fields, "quantity")}))
    for seq in sorted(by_sequence):
        result.add("files", "moves.csv", f"relocation {seq} of plan.json is missing")
    return out


# ---------------------------------------------------------------------- rules
def _check_lines(instance: Instance, picks: list[PlannedPick], result: PlanCheck) -> None:
    orders = {o.id: o for o in instance.orders}
    taken: dict[tuple[str, int], float] = defaultdict(float)
    for i, pick in enumerate(picks):
        where = f"picks[{i}]"
        order = orders.get(pick.order)
        if order is None:
            result.add("lines", where, f"unknown order {pick.order!r}")
            continue
        if not 0 <= pick.line < len(order.lines):
            result.add("lines", where, f"order {pick.order!r} has no line {pick.line}")
            continue
        line = order.lines[pick.line]
        if pick.sku != line.sku:
            result.add(
                "lines",
                where,
                f"order {pick.order!r} line {pick.line} is SKU {line.sku!r}, not {pick.sku!r}",
            )
            continue
        taken[(pick.order, pick.line)] += pick.quantity
    for order in instance.orders:
        for j, line in enumerate(order.lines):
            got = taken.get((order.id, j), 0.0)
            if not math.isclose(got, line.quantity, rel_tol=1e-9, abs_tol=_TOL):
                result.add(
                    "lines",
                    f"orders[{order.id}].lines[{j}]",
                    f"picked {got:g} of {line.quantity:g} units of SKU {line.sku!r}",
                )


def _class_of(instance: Instance, plan: ShiftPlan, result: PlanCheck) -> dict[str, PickerClass]:
    classes = {c.id: c for c in instance.fleet.pickers} or {"picker": PickerClass()}
    out: dict[str, PickerClass] = {}
    for p in plan.pickers:
        cls = classes.get(p.picker_class)
        if cls is None:
            result.add("schedule", f"pickers[{p.id}]", f"unknown picker class {p.picker_class!r}")
            continue
        out[p.id] = cls
    return out


def _check_batches(
    instance: Instance, plan: ShiftPlan, batches: dict[str, PlannedBatch], result: PlanCheck
) -> None:
    orders = {o.id: o for o in instance.orders}
    skus = instance.sku_index
    classes = _class_of(instance, plan, result)
    batch_of: dict[str, str] = {}
    for b in plan.batches:
        where = f"batches[{b.id}]"
        for oid in b.orders:
            if oid not in orders:
                result.add("batches", where, f"unknown order {oid!r}")
            elif oid in batch_of:
                result.add("batches", where, f"order {oid!r} is also in batch {batch_of[oid]}")
            else:
                batch_of[oid] = b.id
        if set(b.totes) != set(b.orders):
            result.add("batches", where, "every order of the batch needs exactly one tote")
        if len(set(b.totes.values())) != len(b.totes):
            result.add("batches", where, "two orders share a tote")
        cls = classes.get(b.picker)
        if cls is None:
            result.add("batches", where, f"picker {b.picker!r} is not one of the plan's pickers")
            continue
        _check_capacity(b, cls, [orders[o] for o in b.orders if o in orders], skus, result)
    for oid in orders:
        if oid not in batch_of:
            result.add("batches", f"orders[{oid}]", "in no batch")
    by_batch: dict[str, list[PlannedPick]] = defaultdict(list)
    for i, pick in enumerate(plan.picks):
        where = f"picks[{i}]"
        found = batches.get(pick.batch)
        if found is None:
            result.add("batches", where, f"unknown batch {pick.batch!r}")
            continue
        b = found
        if pick.order not in b.totes:
            result.add("batches", where, f"order {pick.order!r} is not in batch {b.id}")
        elif pick.tote != b.totes[pick.order]:
            result.add(
                "batches", where, f"tote {pick.tote!r}, the batch says {b.totes[pick.order]!r}"
            )
        if (pick.picker, pick.wave) != (b.picker, b.wave):
            result.add("batches", where, f"picker/wave differ from batch {b.id}'s")
        by_batch[b.id].append(pick)
    for b in plan.batches:
        _check_route(instance, b, by_batch.get(b.id, []), result)


def _check_capacity(
    b: PlannedBatch,
    cls: PickerClass,
    orders: list[Any],
    skus: dict[str, Any],
    result: PlanCheck,
) -> None:
    where = f"batches[{b.id}]"
    if cls.cart_capacity_orders is not None and len(b.orders) > cls.cart_capacity_orders:
        result.add(
            "batches", where, f"{len(b.orders)} orders on a cart for {cls.cart_capacity_orders}"
        )
    lines = [ln for o in orders for ln in o.lines]
    for what, cap in (("volume", cls.cart_capacity_volume), ("weight", cls.cart_capacity_weight)):
        if cap is None:
            continue
        load = sum(ln.quantity * getattr(skus[ln.sku], f"unit_{what}") for ln in lines)
        if load > cap * (1 + 1e-9) + _TOL:
            result.add("batches", where, f"{what} {load:g} exceeds the cart's {cap:g}")


def _check_route(
    instance: Instance, b: PlannedBatch, picks: list[PlannedPick], result: PlanCheck
) -> None:
    where = f"batches[{b.id}]"
    unknown = [loc for loc in b.route if loc not in instance.location_index]
    if unknown:
        result.add("batches", where, f"route visits unknown locations {unknown[:3]}")
        return
    if {p.location for p in picks} != set(b.route):
        result.add("batches", where, "the route does not visit exactly the batch's pick slots")
        return
    first_visit = {loc: k for k, loc in reversed(list(enumerate(b.route)))}
    picks = sorted(picks, key=lambda p: p.sequence)
    if [p.sequence for p in picks] != list(range(1, len(picks) + 1)):
        result.add("batches", where, "pick sequence numbers are not 1..n")
    positions = [first_visit[p.location] for p in picks]
    if positions != sorted(positions):
        result.add("batches", where, "picks are not in the route's walking order")
    depot = instance.depot.id
    stops = [depot, *b.route, depot]
    unique = list(dict.fromkeys(stops))
    dist = distance_matrix(instance, unique)
    at = {ident: k for k, ident in enumerate(unique)}
    walk = sum(float(dist[at[u], at[v]]) for u, v in itertools.pairwise(stops))
    if not math.isclose(walk, b.length_m, rel_tol=1e-6, abs_tol=1e-6):
        result.add("batches", where, f"route length {b.length_m:g}, the walk is {walk:g}")


def _handling_s(cls: PickerClass, quantity: float) -> float:
    return cls.pick_time_per_line + cls.pick_time_per_unit * quantity


def _check_schedule(
    instance: Instance, plan: ShiftPlan, batches: dict[str, PlannedBatch], result: PlanCheck
) -> None:
    classes = {c.id: c for c in instance.fleet.pickers} or {"picker": PickerClass()}
    picker_class = {p.id: classes.get(p.picker_class) for p in plan.pickers}
    waves = {w.id: w for w in plan.waves}
    release = {o.id: o.release_time for o in instance.orders}
    picks_of: dict[str, list[PlannedPick]] = defaultdict(list)
    for p in plan.picks:
        picks_of[p.batch].append(p)
    for b in plan.batches:
        where = f"batches[{b.id}]"
        wave = waves.get(b.wave)
        if wave is None:
            result.add("schedule", where, f"unknown wave {b.wave!r}")
        elif b.start_s + _TOL < wave.release_s:
            result.add("schedule", where, f"starts at {b.start_s:g} s, before its wave's release")
        latest = max((release.get(o, 0.0) for o in b.orders), default=0.0)
        if b.start_s + _TOL < latest:
            result.add("schedule", where, f"starts at {b.start_s:g} s, before an order's release")
        cls = picker_class.get(b.picker)
        if cls is None:
            continue  # reported by the batch rule
        picks = sorted(picks_of.get(b.id, []), key=lambda p: p.sequence)
        needed = (
            plan.setup_s + b.length_m / cls.speed + sum(_handling_s(cls, p.quantity) for p in picks)
        )
        if b.end_s - b.start_s + _TOL < needed:
            result.add(
                "schedule",
                where,
                f"lasts {b.end_s - b.start_s:g} s, its set-up, walk and picks need {needed:g} s",
            )
        times = [p.planned_start_s for p in picks]
        if times != sorted(times) or any(t + _TOL < b.start_s or t > b.end_s + _TOL for t in times):
            result.add("schedule", where, "picks are not timed in walking order inside the batch")
    _no_overlap(
        "picker",
        [(b.picker, b.start_s, b.end_s, f"batch {b.id}") for b in plan.batches],
        result,
    )
    for m in plan.moves:
        if m.planned_end_s + _TOL < m.planned_start_s:
            result.add("schedule", f"moves[{m.sequence}]", "ends before it starts")
    _no_overlap(
        "worker",
        [(m.worker, m.planned_start_s, m.planned_end_s, f"move {m.sequence}") for m in plan.moves],
        result,
    )


def _no_overlap(what: str, spans: list[tuple[str, float, float, str]], result: PlanCheck) -> None:
    by_who: dict[str, list[tuple[float, float, str]]] = defaultdict(list)
    for who, start, end, label in spans:
        by_who[who].append((start, end, label))
    for who, items in sorted(by_who.items()):
        items.sort()
        for (_s1, e1, l1), (s2, _e2, l2) in itertools.pairwise(items):
            if s2 + _TOL < e1:
                result.add("schedule", f"{what} {who}", f"{l2} starts before {l1} ends")


def _check_stock(instance: Instance, plan: ShiftPlan, result: PlanCheck) -> None:
    held: dict[tuple[str, str], float] = defaultdict(float)
    for rec in instance.stock:
        held[(rec.location, rec.sku)] += rec.quantity
    # Same instant: arrivals, then picks, then departures (a pick may meet a move's end).
    events: list[tuple[float, int, int, Any]] = []
    for k, move in enumerate(plan.moves):
        events.append((move.planned_end_s, 0, k, move))
        events.append((move.planned_start_s, 2, k, move))
    for k, p in enumerate(plan.picks):
        events.append((p.planned_start_s, 1, k, p))
    events.sort(key=lambda e: (e[0], e[1], e[2]))
    known = instance.location_index
    for t, kind, _k, item in events:
        if kind == 1:
            have = held.get((item.location, item.sku), 0.0)
            if have + _TOL < item.quantity:
                result.add(
                    "stock",
                    f"picks[{item.order}/{item.line}]",
                    f"{item.location} holds {have:g} of SKU {item.sku!r} at {t:g} s, "
                    f"the pick takes {item.quantity:g}",
                )
            held[(item.location, item.sku)] = have - item.quantity
            continue
        m: Relocation = item
        where = f"moves[{m.sequence}]"
        if kind == 2:
            if m.from_location is None:
                continue
            have = held.get((m.from_location, m.sku), 0.0)
            if have + _TOL < m.quantity:
                result.add(
                    "stock",
                    where,
                    f"{m.from_location} holds {have:g} of SKU {m.sku!r} at {t:g} s, "
                    f"the move takes {m.quantity:g}",
                )
            held[(m.from_location, m.sku)] = have - m.quantity
            continue
        if m.to_location not in known and m.to_location != BUFFER:
            result.add("stock", where, f"unknown target location {m.to_location!r}")
            continue
        others = [
            s for (loc, s), q in held.items() if loc == m.to_location and s != m.sku and q > _TOL
        ]
        if others and m.to_location != BUFFER and not instance.shared_locations:
            result.add("stock", where, f"{m.to_location} still holds {sorted(others)}")
        held[(m.to_location, m.sku)] += m.quantity
    if any(q > _TOL for (loc, _s), q in held.items() if loc == BUFFER):
        result.add("stock", "BUFFER", "stock is left in the buffer at the end")
    _check_final_assignment(instance, plan, result)


def _check_final_assignment(instance: Instance, plan: ShiftPlan, result: PlanCheck) -> None:
    """After the relocations (picks aside), every moved SKU sits where the assignment says."""
    units: dict[tuple[str, str], float] = defaultdict(float)
    for rec in instance.stock:
        units[(rec.location, rec.sku)] += rec.quantity
    for m in sorted(plan.moves, key=lambda m: (m.planned_end_s, m.sequence)):
        if m.from_location is not None:
            units[(m.from_location, m.sku)] -= m.quantity
        units[(m.to_location, m.sku)] += m.quantity
    where: dict[str, set[str]] = defaultdict(set)
    for (loc, sku), q in units.items():
        if q > _TOL:
            where[sku].add(loc)
    for sku in sorted({m.sku for m in plan.moves}):
        wanted = set(plan.assignment.get(sku, []))
        if where[sku] != wanted:
            result.add(
                "stock",
                f"assignment[{sku}]",
                f"after the relocations the SKU is in {sorted(where[sku])}, the plan says "
                f"{sorted(wanted)}",
            )


def _check_due(
    instance: Instance, plan: ShiftPlan, batches: dict[str, PlannedBatch], result: PlanCheck
) -> None:
    reported = {o.order: o for o in plan.orders}
    batch_of = {oid: b for b in plan.batches for oid in b.orders}
    for order in instance.orders:
        where = f"orders[{order.id}]"
        out = reported.get(order.id)
        if out is None:
            result.add("due", where, "not reported")
            continue
        b = batch_of.get(order.id)
        if b is None:
            continue  # reported by the batch rule
        tardiness = 0.0 if order.due_time is None else max(0.0, b.end_s - order.due_time)
        if not math.isclose(out.completion_s, b.end_s, abs_tol=1e-3) or not math.isclose(
            out.tardiness_s, tardiness, abs_tol=1e-3
        ):
            result.add(
                "due",
                where,
                f"reported complete at {out.completion_s:g} s (tardiness {out.tardiness_s:g}),"
                f" its batch {b.id} ends at {b.end_s:g} s (tardiness {tardiness:g})",
            )
        if out.due_s != order.due_time:
            result.add(
                "due", where, f"due time {out.due_s} reported, the order says {order.due_time}"
            )
        if tardiness > 0:
            result.tardy.append(
                {
                    "order": order.id,
                    "due_s": order.due_time,
                    "completion_s": b.end_s,
                    "tardiness_s": tardiness,
                }
            )


def _check_agv(instance: Instance, plan: ShiftPlan, result: PlanCheck) -> None:
    agv = plan.agv
    agv_moves = [m for m in plan.moves if m.worker.startswith("agv")]
    if agv is None:
        if agv_moves:
            result.add("agv", "moves", "relocations by AGVs but the plan has no AGV schedule")
        return
    try:
        grid = warehouse_grid(instance, ports=agv.ports)
    except SmartwmsError as exc:
        result.add("agv", "map", f"the warehouse has no AGV map: {exc}")
        return
    if list(grid.layout.rows) != list(agv.rows):
        result.add("agv", "map", "the plan's map is not the warehouse's grid map")
        return
    for conflict in check_agv_plan(agv.plan_dict(), agv.rows):
        result.add("agv", f"t={conflict.time}", conflict.message)
    tasks = {t.ref: t for t in agv.tasks}
    for m in agv_moves:
        where = f"moves[{m.sequence}]"
        task = tasks.get(f"move {m.sequence}")
        if task is None:
            result.add("agv", where, f"done by {m.worker} but no AGV task serves it")
            continue
        if agv.agents[task.agent] != m.worker:
            result.add("agv", where, f"done by {m.worker}, its task by {agv.agents[task.agent]}")
        src = grid.access.get(m.from_location or "", grid.depot)
        if m.from_location == BUFFER:
            src = grid.depot
        dst = grid.depot if m.to_location == BUFFER else grid.access.get(m.to_location)
        if task.errands != [src, dst]:
            result.add("agv", where, f"task errands {task.errands}, the slots are at {[src, dst]}")
        if task.completed_at is None:
            result.add("agv", where, "its AGV task is never completed")
            continue
        if (
            m.planned_start_s + _TOL < agv.start_s + task.assigned_at * agv.step_s
            or m.planned_end_s + _TOL < agv.start_s + task.completed_at * agv.step_s
        ):
            result.add("agv", where, "timed before its AGV task runs")
