"""Slotting with side constraints by CP-SAT: families, hazards, aisle balance, a move budget.

The model works on *buckets*: the slots of one aisle with one eligibility signature, cut into
up to three cost bands (fewer on big instances, to keep the model near 60,000 choices). A SKU
either stays where it is (no move, its exact cost) or goes to a bucket (at the bucket's mean
cost); within each bucket the movers then take the free slots by rearrangement (heaviest
weight to cheapest slot), which is optimal for that bucket.

The search starts from a complete hint: the exact flow optimum with families, hazard classes
and (with a balance cap) every SKU pinned to aisles by a greedy plan, cut to the move budget.

Side constraints:

- family grouping: every family lives in one window of adjacent aisles (wide enough for it);
- hazard segregation: an aisle holds at most one hazard class;
- aisle balance: no aisle carries more than ``aisle_balance`` of the total pick weight;
- move budget: at most ``max_moves`` SKUs leave their current slot; a small labour term in the
  objective prefers moves that save the most travel per second of labour.
"""

from __future__ import annotations

import math
import threading
import time
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray
from ortools.sat.python import cp_model

from smartwms.errors import InfeasibleError
from smartwms.model import SolveStatus
from smartwms.slotting.assign import objective_of
from smartwms.slotting.costs import Tables
from smartwms.slotting.moves import limit_moves
from smartwms.slotting.side import (
    NoStartFound,
    Start,
    balance_admission,
    constrained_start,
    side_of,
    side_problems,
)
from smartwms.stopping import Stop

__all__ = ["solve_cpsat"]

IntArray = NDArray[np.int64]
_BANDS = 3
# Keep the model near this many SKU x bucket choices (fewer cost bands on big instances).
_TARGET_CHOICES = 60_000
# Objective scale: travel per day in hundredths of a length unit.
_SCALE = 100
# Length units per second of move labour in the objective (a tie-breaker between moves).
_LABOUR_WEIGHT = 1e-3


class _StopCallback(cp_model.CpSolverSolutionCallback):
    """Stops the search when the shared :class:`Stop` fires (checked on every solution)."""

    def __init__(self, stop: Stop) -> None:
        super().__init__()
        self._stop = stop
        self.solutions = 0

    def on_solution_callback(self) -> None:
        self.solutions += 1
        if self._stop():
            self.stop_search()


def _buckets(tables: Tables) -> tuple[IntArray, list[list[int]]]:
    """Bucket of every slot: (aisle, signature, cost band); slot lists sorted by cost."""
    slots = tables.slots
    groups: dict[tuple[int, int], list[int]] = defaultdict(list)
    for j in np.lexsort((np.arange(len(slots)), slots.cost)).tolist():
        groups[(int(slots.aisle[j]), int(slots.signature[j]))].append(j)
    # Choices per SKU ~ eligible (aisle, signature) groups x bands: shrink bands to fit.
    sig_of_group = np.asarray([sig for _a, sig in groups], dtype=np.int64)
    per_sku = tables.eligible[tables.skus.type][:, sig_of_group].sum(axis=1)
    choices = max(int(per_sku.sum()), 1)
    bands = int(min(_BANDS, max(1, _TARGET_CHOICES // choices)))
    bucket_of = np.zeros(len(slots), dtype=np.int64)
    members: list[list[int]] = []
    for key in sorted(groups):
        ordered = groups[key]
        size = math.ceil(len(ordered) / bands)
        for start in range(0, len(ordered), size):
            for j in ordered[start : start + size]:
                bucket_of[j] = len(members)
            members.append(ordered[start : start + size])
    return bucket_of, members


_GROUPS = ("families", "hazards", "aisle balance", "move budget")


@dataclass
class _Built:
    model: cp_model.CpModel
    x: dict[tuple[int, int], cp_model.IntVar]
    stay: dict[int, cp_model.IntVar]


def _build(
    tables: Tables,
    current: IntArray,
    bucket_of: IntArray,
    members: list[list[int]],
    drop: frozenset[str] = frozenset(),
) -> _Built:
    """The CP-SAT model, without the side-constraint groups named in ``drop``."""
    params = tables.params
    skus, slots = tables.skus, tables.slots
    n = len(skus)
    bucket_cost = np.asarray([float(np.mean(slots.cost[m])) for m in members])
    bucket_aisle = np.asarray([int(slots.aisle[m[0]]) for m in members])
    bucket_sig = np.asarray([int(slots.signature[m[0]]) for m in members])
    aisles = sorted(set(bucket_aisle.tolist()))
    model = cp_model.CpModel()
    x: dict[tuple[int, int], cp_model.IntVar] = {}
    stay: dict[int, cp_model.IntVar] = {}
    w = skus.weight
    terms = []
    # Moves also cost labour (converted at _LABOUR_WEIGHT length units per second), so among
    # moves of equal saving the model prefers the cheaper ones.
    move_cost = _LABOUR_WEIGHT * params.handling_s
    for i in range(n):
        ok = np.flatnonzero(tables.eligible[skus.type[i], bucket_sig]).tolist()
        for b in ok:
            x[i, b] = model.new_bool_var(f"x{i}_{b}")
            terms.append((x[i, b], round(_SCALE * (w[i] * bucket_cost[b] + move_cost))))
        if current[i] >= 0 and tables.eligible_pair(i, int(current[i])):
            stay[i] = model.new_bool_var(f"stay{i}")
            terms.append((stay[i], round(_SCALE * w[i] * slots.cost[current[i]])))
        options = [x[i, b] for b in ok] + ([stay[i]] if i in stay else [])
        if not options:
            raise InfeasibleError(f"SKU {skus.ids[i]!r} fits no location")
        model.add_exactly_one(options)
    by_bucket: dict[int, list[cp_model.IntVar]] = defaultdict(list)
    for (_i, b), var in x.items():
        by_bucket[b].append(var)
    stayers_in: dict[int, list[cp_model.IntVar]] = defaultdict(list)
    for i, var in stay.items():
        stayers_in[int(bucket_of[current[i]])].append(var)
    for b, m in enumerate(members):
        if by_bucket[b] or stayers_in[b]:
            model.add(sum(by_bucket[b]) + sum(stayers_in[b]) <= len(m))
    aisle_vars = _aisle_terms(x, stay, bucket_aisle, bucket_of, current)
    if "families" not in drop:
        _family_constraints(model, tables, aisle_vars, aisles, members, bucket_aisle)
    if "hazards" not in drop:
        _hazard_constraints(model, tables, aisle_vars, aisles)
    if "aisle balance" not in drop:
        _balance_constraints(model, tables, aisle_vars, aisles)
    if params.max_moves is not None and "move budget" not in drop:
        moved = [1 - stay[i] if i in stay else 1 for i in range(n)]
        model.add(sum(moved) <= params.max_moves)
    model.minimize(sum(c * v for v, c in terms))
    return _Built(model, x, stay)


def _solver(seconds: float, seed: int) -> cp_model.CpSolver:
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(seconds, 0.01)
    solver.parameters.random_seed = seed
    # One worker: deterministic for a given seed, and polite on a shared machine. The search
    # starts from a complete feasible hint where one can be built (see _complete_hint).
    solver.parameters.num_workers = 1
    # Presolve (probing, symmetries) of a 100,000-literal assignment eats the whole budget
    # before the hinted solution is even tried; keep it light.
    solver.parameters.max_presolve_iterations = 1
    solver.parameters.symmetry_level = 0
    solver.parameters.cp_model_probing_level = 0
    return solver


def _culprits(
    tables: Tables, current: IntArray, bucket_of: IntArray, members: list[list[int]], seed: int
) -> list[str]:
    """Side-constraint groups whose removal alone makes the model feasible."""
    found = []
    for group in _GROUPS:
        built = _build(tables, current, bucket_of, members, frozenset({group}))
        code = _solver(5.0, seed).solve(built.model)
        if code in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            found.append(group)
    return found


def solve_cpsat(
    tables: Tables, current: IntArray, seed: int = 0, stop: Stop | None = None
) -> tuple[IntArray, SolveStatus, dict[str, Any]]:
    """Best assignment under the side constraints found within the time limit.

    A start that meets every side constraint is built first (:func:`constrained_start`);
    CP-SAT then searches from it for the rest of the time. Its answer replaces the start
    only when it is better and still meets every constraint (budget counted in plan moves).
    """
    params = tables.params
    stop = stop or Stop(time_limit=params.time_limit)
    n = len(tables.skus)
    if n > len(tables.slots):
        raise InfeasibleError(f"{n} SKUs but only {len(tables.slots)} storage locations")
    started = time.monotonic()
    remaining = stop.remaining()
    budget_s = params.time_limit if remaining is None else min(params.time_limit, remaining)
    side = side_of(tables)
    start: Start | None = None
    no_start: NoStartFound | None = None
    try:
        start = constrained_start(tables, current, deadline=started + budget_s / 2)
    except NoStartFound as exc:  # not a proof: CP-SAT searches on its own
        no_start = exc
    bucket_of, members = _buckets(tables)
    built = _build(tables, current, bucket_of, members)
    if start is not None:
        _hint(built, start.slot_of, current, bucket_of)
        _complete_hint(built, seed, min(10.0, budget_s / 4))
    remaining = stop.remaining()
    seconds = params.time_limit if remaining is None else min(params.time_limit, remaining)
    seconds = min(seconds, budget_s - (time.monotonic() - started))
    solver = _solver(seconds, seed)
    callback = _StopCallback(stop)
    watcher = _watch(stop, solver)
    try:
        code = solver.solve(built.model, callback) if seconds > 0.05 else cp_model.UNKNOWN
    finally:
        watcher.set()
    found = code in (cp_model.OPTIMAL, cp_model.FEASIBLE)
    if not found and start is None:
        if code == cp_model.INFEASIBLE:
            culprits = _culprits(tables, current, bucket_of, members, seed)
            which = (
                f"dropping any one of [{', '.join(culprits)}] makes it feasible"
                if culprits
                else "no single group is to blame; several conflict together"
            )
            raise InfeasibleError(
                "the side constraints cannot all hold (CP-SAT proved infeasibility): "
                f"{which}; groups checked: families, hazards, aisle balance, move budget"
            )
        if no_start is not None:
            raise InfeasibleError(
                f"{no_start}; CP-SAT found no other plan within the time limit either"
            )
        raise InfeasibleError(
            "CP-SAT found no feasible slotting within the time limit; raise --time-limit"
        )
    slot_of = start.slot_of if start is not None else None
    improved = False
    problems: list[str] = []
    if found:
        candidate = _realise(tables, solver, built.x, built.stay, current, members, n)
        problems = side_problems(tables, side, candidate, current)
        if problems and side.max_moves is not None and np.all(current >= 0):
            # CP-SAT counts SKUs that move; swap cycles need one parking move more each.
            cut = limit_moves(
                tables,
                current,
                candidate,
                side.max_moves,
                admit=balance_admission(tables, side, current, candidate),
            )
            if not side_problems(tables, side, cut, current):
                candidate, problems = cut, []
        if not problems and (
            slot_of is None or objective_of(tables, candidate) < objective_of(tables, slot_of)
        ):
            slot_of, improved = candidate, True
    if slot_of is None:
        raise InfeasibleError(
            "CP-SAT found no slotting that meets every side constraint within the time limit"
            + (f" (its best breaks: {'; '.join(problems[:3])})" if problems else "")
            + (f"; the constructive start failed: {no_start}" if no_start is not None else "")
        )
    model_optimal = code == cp_model.OPTIMAL and improved
    # Optimal for the bucket model only (bucket costs are means), so never claim OPTIMAL.
    status = (
        SolveStatus.FEASIBLE
        if model_optimal
        else (SolveStatus.CANCELLED if stop.cancelled else SolveStatus.TIME_LIMIT)
    )
    info = {
        "buckets": len(members),
        "variables": len(built.x) + len(built.stay),
        "bound": solver.best_objective_bound / _SCALE if found else None,
        "solutions": callback.solutions,
        "model_optimal": model_optimal,
        "first_feasible_s": None if start is None else round(start.first_feasible_s, 3),
        "start_s": None if start is None else round(start.seconds, 3),
        "start_objective": None if start is None else round(objective_of(tables, start.slot_of), 6),
        "repair_moves": None if start is None else start.repair_moves,
        "improved_by_cpsat": improved,
    }
    return slot_of, status, info


def _watch(stop: Stop, solver: cp_model.CpSolver) -> threading.Event:
    """Poll ``stop`` from a thread so cancellation also ends a search without solutions."""
    done = threading.Event()

    def poll() -> None:
        while not done.wait(0.1):
            if stop.cancelled:
                solver.stop_search()
                return

    threading.Thread(target=poll, daemon=True).start()
    return done


def _aisle_terms(
    x: dict[tuple[int, int], cp_model.IntVar],
    stay: dict[int, cp_model.IntVar],
    bucket_aisle: IntArray,
    bucket_of: IntArray,
    current: IntArray,
) -> dict[int, dict[int, list[cp_model.IntVar]]]:
    """For every SKU, the variables that put it in each aisle."""
    out: dict[int, dict[int, list[cp_model.IntVar]]] = defaultdict(lambda: defaultdict(list))
    for (i, b), var in x.items():
        out[i][int(bucket_aisle[b])].append(var)
    for i, var in stay.items():
        out[i][int(bucket_aisle[bucket_of[current[i]]])].append(var)
    return out


def _family_constraints(
    model: cp_model.CpModel,
    tables: Tables,
    aisle_vars: dict[int, dict[int, list[cp_model.IntVar]]],
    aisles: list[int],
    members: list[list[int]],
    bucket_aisle: IntArray,
) -> None:
    """Every family in one window of adjacent aisles, as narrow as its size allows."""
    if not tables.params.group_families or len(aisles) < 2:
        return
    families: dict[str, list[int]] = defaultdict(list)
    for i, fam in enumerate(tables.skus.family):
        if fam is not None:
            families[fam].append(i)
    capacity: defaultdict[int, int] = defaultdict(int)
    for b, m in enumerate(members):
        capacity[int(bucket_aisle[b])] += len(m)
    smallest = max(1, min(capacity.values()))
    for fam in sorted(families):
        skus = families[fam]
        width = min(len(aisles), math.ceil(len(skus) / smallest))
        windows = [aisles[k : k + width] for k in range(len(aisles) - width + 1)]
        pick = [model.new_bool_var(f"fam_{fam}_{k}") for k in range(len(windows))]
        model.add_exactly_one(pick)
        # uses[a]: the family has a SKU in aisle a, allowed only inside the chosen window.
        for a in aisles:
            covering = [pick[k] for k, window in enumerate(windows) if a in window]
            uses = model.new_bool_var(f"fam_{fam}_uses_{a}")
            model.add(uses <= sum(covering))
            for i in skus:
                for var in aisle_vars[i].get(a, []):
                    model.add_implication(var, uses)


def _hazard_constraints(
    model: cp_model.CpModel,
    tables: Tables,
    aisle_vars: dict[int, dict[int, list[cp_model.IntVar]]],
    aisles: list[int],
) -> None:
    if not tables.params.segregate_hazards:
        return
    classes = sorted({h for h in tables.skus.hazard if h is not None})
    if len(classes) < 2:
        return
    for a in aisles:
        holds = {h: model.new_bool_var(f"haz_{h}_{a}") for h in classes}
        model.add_at_most_one(holds.values())
        for i, h in enumerate(tables.skus.hazard):
            if h is not None:
                for var in aisle_vars[i].get(a, []):
                    model.add_implication(var, holds[h])


def _balance_constraints(
    model: cp_model.CpModel,
    tables: Tables,
    aisle_vars: dict[int, dict[int, list[cp_model.IntVar]]],
    aisles: list[int],
) -> None:
    share = tables.params.aisle_balance
    if share is None or len(aisles) < 2:
        return
    w = np.rint(tables.skus.weight * _SCALE).astype(np.int64)
    cap = math.ceil(share * int(w.sum()))
    for a in aisles:
        load = [int(w[i]) * var for i in aisle_vars for var in aisle_vars[i].get(a, [])]
        if load:
            model.add(sum(load) <= cap)


def _complete_hint(built: _Built, seed: int, seconds: float) -> None:
    """Turn the partial hint into a complete feasible one when it is feasible.

    A quick solve with the hinted variables fixed fills in the auxiliary ones (family windows,
    hazard labels); the full solution then starts the real search.
    """
    solver = _solver(seconds, seed)
    solver.parameters.fix_variables_to_their_hinted_value = True
    if solver.solve(built.model) not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return
    model = built.model
    values = [
        solver.value(model.get_int_var_from_proto_index(k))
        for k in range(len(model.proto.variables))
    ]
    model.clear_hints()
    for k, value in enumerate(values):
        model.add_hint(model.get_int_var_from_proto_index(k), value)


def _hint(built: _Built, start: IntArray, current: IntArray, bucket_of: IntArray) -> None:
    """Hint the exact optimum without side constraints (CP-SAT repairs what it breaks)."""
    for (i, b), var in built.x.items():
        stays = i in built.stay and start[i] == current[i]
        built.model.add_hint(var, int(not stays and b == int(bucket_of[start[i]])))
    for i, var in built.stay.items():
        built.model.add_hint(var, int(start[i] == current[i]))


def _realise(
    tables: Tables,
    solver: cp_model.CpSolver,
    x: dict[tuple[int, int], cp_model.IntVar],
    stay: dict[int, cp_model.IntVar],
    current: IntArray,
    members: list[list[int]],
    n: int,
) -> IntArray:
    """Turn bucket choices into slots: movers take a bucket's free slots by rearrangement."""
    slot_of = np.full(n, -1, dtype=np.int64)
    taken: set[int] = set()
    for i, var in stay.items():
        if solver.boolean_value(var):
            slot_of[i] = current[i]
            taken.add(int(current[i]))
    movers: dict[int, list[int]] = defaultdict(list)
    for (i, b), var in x.items():
        if solver.boolean_value(var):
            movers[b].append(i)
    w = tables.skus.weight
    for b in sorted(movers):
        free = [j for j in members[b] if j not in taken]  # already sorted by cost
        ordered = sorted(movers[b], key=lambda i: (-w[i], i))
        for i, j in zip(ordered, free, strict=False):
            slot_of[i] = j
            taken.add(j)
    return slot_of
