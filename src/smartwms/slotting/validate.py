"""Independent checks of a slotting plan: capacity, eligibility, exclusivity, move replay.

Written from the instance alone (not from the solver's arrays), so a solver bug cannot hide
behind a shared helper.
"""

from __future__ import annotations

from collections import defaultdict

from smartwms.errors import InfeasibleError
from smartwms.model import Instance, SlottingPlan
from smartwms.model.slotting import BUFFER
from smartwms.slotting.costs import SlottingParams

__all__ = ["plan_problems", "replay_moves", "validate_plan"]


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


def plan_problems(
    instance: Instance, plan: SlottingPlan, params: SlottingParams | None = None
) -> list[str]:
    """Every way ``plan`` breaks the instance's rules (empty when it is valid)."""
    params = params or SlottingParams()
    problems: list[str] = []
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
    instance: Instance, plan: SlottingPlan, params: SlottingParams | None = None
) -> None:
    """Raise :class:`~smartwms.errors.InfeasibleError` listing the plan's problems, if any."""
    problems = plan_problems(instance, plan, params)
    if problems:
        raise InfeasibleError("invalid slotting plan: " + "; ".join(problems[:10]))
