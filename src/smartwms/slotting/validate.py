"""Independent checks of a slotting plan: capacity, eligibility, exclusivity, move replay.

Written from the instance alone (not from the solver's arrays), so a solver bug cannot hide
behind a shared helper.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict

from smartwms.errors import InfeasibleError
from smartwms.model import Instance, SlottingPlan
from smartwms.model.slotting import BUFFER
from smartwms.slotting.costs import SlottingParams

__all__ = ["plan_problems", "replay_moves", "side_constraint_problems", "validate_plan"]


def replay_moves(instance: Instance, plan: SlottingPlan) -> list[str]:
    """Replay ``plan.moves`` from the instance's stock; problems found (empty when fine).

    Every move must take a SKU from a location that holds it into one that holds no other
    SKU (the buffer holds any number), and the final state must equal ``plan.assignment``.
    """
    problems: list[str] = []
    held: dict[str, set[str]] = defaultdict(set)
    for rec in instance.stock:
        held[rec.location].add(rec.sku)
    known = set(instance.location_index) | {BUFFER}
    for move in plan.moves:
        where = f"move {move.step} ({move.sku}: {move.source} -> {move.target})"
        if move.target not in known:
            problems.append(f"{where}: unknown target location")
            continue
        if move.source is not None:
            if move.sku not in held[move.source]:
                problems.append(f"{where}: the source does not hold {move.sku!r}")
                continue
            held[move.source].discard(move.sku)
        elif any(move.sku in skus for skus in held.values()):
            problems.append(f"{where}: put-away of a SKU that is already stocked")
        others = held[move.target] - {move.sku}
        if move.target != BUFFER and others and not instance.shared_locations:
            problems.append(f"{where}: target still holds {sorted(others)}")
        held[move.target].add(move.sku)
    if held[BUFFER]:
        problems.append(f"the buffer is not empty at the end: {sorted(held[BUFFER])}")
    final: dict[str, set[str]] = defaultdict(set)
    for loc, skus in held.items():
        for sku in skus:
            final[sku].add(loc)
    for sku, locs in plan.assignment.items():
        if final.get(sku, set()) != set(locs):
            problems.append(
                f"after the moves {sku!r} is in {sorted(final.get(sku, set()))}, "
                f"the plan says {sorted(locs)}"
            )
    return problems


def _pick_weights(instance: Instance, params: SlottingParams) -> dict[str, float]:
    """Picks per day of every SKU, as the slotting parameters define them."""
    lines: Counter[str] = Counter(ln.sku for order in instance.orders for ln in order.lines)
    out = {}
    for sku in instance.skus:
        freq = sku.pick_frequency
        if freq is None and instance.orders:
            freq = lines[sku.id] / params.horizon_days
        use_demand = params.weight == "demand" or (params.weight == "auto" and freq is None)
        out[sku.id] = sku.demand if use_demand else (freq or 0.0)
    return out


def side_constraint_problems(
    instance: Instance, plan: SlottingPlan, params: SlottingParams | None = None
) -> list[str]:
    """How ``plan`` breaks the CP-SAT side constraints that ``params`` switch on.

    Families lie in a window of adjacent aisles no wider than ``ceil(size / slots of the
    smallest aisle)``; an aisle holds at most one hazard class (when two or more exist);
    no aisle carries more than ``aisle_balance`` of the pick weight; at most ``max_moves``
    moves (the budget itself is checked by :func:`plan_problems`).
    """
    params = params or SlottingParams()
    problems: list[str] = []
    locations = instance.location_index
    per_aisle = Counter(loc.aisle for loc in instance.locations if loc.aisle is not None)
    aisles = sorted(per_aisle)
    rank = {a: r for r, a in enumerate(aisles)}
    aisle_of = {
        sku: locations[locs[0]].aisle
        for sku, locs in plan.assignment.items()
        if locs and locs[0] in locations
    }
    if params.group_families and len(aisles) >= 2:
        families: dict[str, list[str]] = defaultdict(list)
        for sku in instance.skus:
            if sku.family is not None:
                families[sku.family].append(sku.id)
        smallest = min(per_aisle.values())
        for fam, members in sorted(families.items()):
            width = min(len(aisles), math.ceil(len(members) / smallest))
            used = [rank[a] for m in members if (a := aisle_of.get(m)) is not None]
            if used and max(used) - min(used) + 1 > width:
                problems.append(
                    f"family {fam!r}: aisles {sorted({aisles[r] for r in used})} are not "
                    f"within {width} adjacent aisle(s)"
                )
    classes = {sku.hazard for sku in instance.skus if sku.hazard is not None}
    if params.segregate_hazards and len(classes) >= 2:
        held: dict[int | None, set[str]] = defaultdict(set)
        for sku in instance.skus:
            if sku.hazard is not None and sku.id in aisle_of:
                held[aisle_of[sku.id]].add(sku.hazard)
        for aisle, found in sorted(held.items(), key=lambda kv: str(kv[0])):
            if len(found) > 1:
                problems.append(f"aisle {aisle}: holds hazard classes {sorted(found)}")
    if params.aisle_balance is not None and len(aisles) >= 2:
        weights = _pick_weights(instance, params)
        total = sum(weights.values())
        load: defaultdict[int | None, float] = defaultdict(float)
        for sku_id, aisle in aisle_of.items():
            load[aisle] += weights.get(sku_id, 0.0)
        for aisle, value in sorted(load.items(), key=lambda kv: str(kv[0])):
            if total > 0 and value > params.aisle_balance * total * (1 + 1e-9) + 1e-9:
                problems.append(
                    f"aisle {aisle}: {100 * value / total:.2f} % of the pick weight > "
                    f"aisle_balance {100 * params.aisle_balance:g} %"
                )
    return problems


def plan_problems(
    instance: Instance,
    plan: SlottingPlan,
    params: SlottingParams | None = None,
    side_constraints: bool = False,
) -> list[str]:
    """Every way ``plan`` breaks the instance's rules (empty when it is valid).

    Always: capacity, eligibility, one SKU per location, the move budget ``max_moves`` and
    the replay of the moves. With ``side_constraints`` also families, hazard segregation and
    aisle balance (:func:`side_constraint_problems`).
    """
    params = params or SlottingParams()
    problems: list[str] = []
    if params.max_moves is not None and len(plan.moves) > params.max_moves:
        problems.append(f"{len(plan.moves)} moves > max_moves {params.max_moves}")
    if side_constraints:
        problems.extend(side_constraint_problems(instance, plan, params))
    locations = instance.location_index
    skus = instance.sku_index
    quantity: defaultdict[str, float] = defaultdict(float)
    for rec in instance.stock:
        quantity[rec.sku] += rec.quantity
    holders: dict[str, list[str]] = defaultdict(list)
    for sku_id, locs in plan.assignment.items():
        if sku_id not in skus:
            problems.append(f"assignment: unknown SKU {sku_id!r}")
            continue
        sku = skus[sku_id]
        units = quantity[sku_id] if sku_id in quantity else params.cover_days * sku.demand
        for loc_id in locs:
            if loc_id not in locations:
                problems.append(f"{sku_id}: unknown location {loc_id!r}")
                continue
            loc = locations[loc_id]
            holders[loc_id].append(sku_id)
            share = units / len(locs)
            if loc.volume_capacity is not None and share * sku.unit_volume > loc.volume_capacity:
                problems.append(f"{sku_id} in {loc_id}: volume over capacity")
            if loc.weight_capacity is not None and share * sku.unit_weight > loc.weight_capacity:
                problems.append(f"{sku_id} in {loc_id}: weight over capacity")
            allowed = set(sku.zones) if sku.zones is not None else None
            for extra in (
                params.family_zones.get(sku.family or ""),
                params.hazard_zones.get(sku.hazard or ""),
            ):
                if extra is not None:
                    allowed = set(extra) if allowed is None else allowed & set(extra)
            if allowed is not None and loc.zone not in allowed:
                problems.append(f"{sku_id} in {loc_id}: zone {loc.zone!r} not allowed")
            if sku.unit_weight >= params.heavy_unit_weight and loc.level > params.heavy_max_level:
                problems.append(f"{sku_id} in {loc_id}: heavy SKU above level")
    if not instance.shared_locations:
        for loc_id, held in holders.items():
            if len(held) > 1:
                problems.append(f"{loc_id} holds several SKUs {sorted(held)}")
    problems.extend(replay_moves(instance, plan))
    return problems


def validate_plan(
    instance: Instance,
    plan: SlottingPlan,
    params: SlottingParams | None = None,
    side_constraints: bool = False,
) -> None:
    """Raise :class:`~smartwms.errors.InfeasibleError` listing the plan's problems, if any."""
    problems = plan_problems(instance, plan, params, side_constraints)
    if problems:
        raise InfeasibleError("invalid slotting plan: " + "; ".join(problems[:10]))
