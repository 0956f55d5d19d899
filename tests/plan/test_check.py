"""The plan checker catches every kind of broken plan (and passes the good ones)."""

from __future__ import annotations

import csv
from collections.abc import Callable

import pytest

from smartwms.plan import (
    ShiftPlan,
    check_plan_folder,
    check_shift_plan,
    plan_shift,
    write_plan_folder,
)

from .helpers import small_shift


@pytest.fixture(scope="module")
def planned() -> tuple:
    inst = small_shift(agvs=2)
    plan = plan_shift(inst, {"simulate": False, "max_moves": 8, "waves": 2})
    assert check_shift_plan(inst, plan).ok
    return inst, plan


def _rules(inst, plan: ShiftPlan) -> set[str]:
    return {p.rule for p in check_shift_plan(inst, plan).problems}


def _with_picks(plan: ShiftPlan, edit: Callable[[list], list]) -> ShiftPlan:
    return plan.model_copy(update={"picks": edit(list(plan.picks))})


def test_a_missing_or_doubled_pick_breaks_the_lines_rule(planned) -> None:
    inst, plan = planned
    assert "lines" in _rules(inst, _with_picks(plan, lambda ps: ps[1:]))
    assert "lines" in _rules(inst, _with_picks(plan, lambda ps: [*ps, ps[0]]))
    wrong_sku = _with_picks(plan, lambda ps: [ps[0].model_copy(update={"sku": "nope"}), *ps[1:]])
    assert "lines" in _rules(inst, wrong_sku)


def test_a_pick_from_the_wrong_slot_or_before_its_stock_arrives_breaks_stock(planned) -> None:
    inst, plan = planned
    pick = plan.picks[0]
    other = next(loc.id for loc in inst.locations if loc.id != pick.location)
    moved = _with_picks(plan, lambda ps: [ps[0].model_copy(update={"location": other}), *ps[1:]])
    assert "stock" in _rules(inst, moved)
    # A relocation that lands after the shift started, but its SKU is picked at once.
    move = next(m for m in plan.moves if m.kind != "replenish")
    target_pick = next((p for p in plan.picks if p.sku == move.sku), None)
    if target_pick is not None:
        late = [
            m.model_copy(
                update={
                    "planned_start_s": target_pick.planned_start_s + 5,
                    "planned_end_s": target_pick.planned_start_s + 10,
                }
            )
            if m.sequence == move.sequence
            else m
            for m in plan.moves
        ]
        assert "stock" in _rules(inst, plan.model_copy(update={"moves": late, "agv": None}))


def test_overlapping_batches_and_impossible_speed_break_the_schedule(planned) -> None:
    inst, plan = planned
    by_picker: dict[str, list] = {}
    for b in plan.batches:
        by_picker.setdefault(b.picker, []).append(b)
    first, second = next(bs for bs in by_picker.values() if len(bs) > 1)[:2]
    shifted = [
        b.model_copy(
            update={"start_s": first.start_s, "end_s": first.start_s + (b.end_s - b.start_s)}
        )
        if b.id == second.id
        else b
        for b in plan.batches
    ]
    assert "schedule" in _rules(inst, plan.model_copy(update={"batches": shifted}))
    quick = [
        b.model_copy(update={"end_s": b.start_s + 1}) if b.id == first.id else b
        for b in plan.batches
    ]
    assert "schedule" in _rules(inst, plan.model_copy(update={"batches": quick}))


def test_a_full_cart_and_a_wrong_route_length_break_the_batch_rule(planned) -> None:
    inst, plan = planned
    b = plan.batches[0]
    longer = [
        x.model_copy(update={"length_m": x.length_m + 3}) if x.id == b.id else x
        for x in plan.batches
    ]
    assert "batches" in _rules(inst, plan.model_copy(update={"batches": longer}))
    cart = inst.fleet.pickers[0].model_copy(update={"cart_capacity_orders": 1})
    two = next((x for x in plan.batches if len(x.orders) > 1), None)
    if two is None:  # single-order batches: merge two batches' orders to overfill a cart
        a, c = plan.batches[0], plan.batches[1]
        merged = a.model_copy(update={"orders": [*a.orders, *c.orders]})
        plan = plan.model_copy(update={"batches": [merged, *plan.batches[1:]]})
    small_cart = inst.model_copy(
        update={"fleet": inst.fleet.model_copy(update={"pickers": [cart]})}
    )
    assert "batches" in _rules(small_cart, plan)


def test_a_wrongly_reported_completion_breaks_the_due_rule(planned) -> None:
    inst, plan = planned
    early = [
        o.model_copy(update={"completion_s": 0.0}) if k == 0 else o
        for k, o in enumerate(plan.orders)
    ]
    assert "due" in _rules(inst, plan.model_copy(update={"orders": early}))


def test_colliding_agvs_break_the_agv_rule(planned) -> None:
    inst, plan = planned
    agv = plan.agv
    assert agv is not None and len(agv.positions) >= 2
    positions = [list(p) for p in agv.positions]
    positions[1] = list(positions[0])  # two AGVs on the same cells all the time
    broken = agv.model_copy(update={"positions": positions})
    assert "agv" in _rules(inst, plan.model_copy(update={"agv": broken}))


def test_an_edited_pick_list_fails_check_plan(planned, tmp_path) -> None:
    inst, plan = planned
    write_plan_folder(plan, inst, tmp_path)
    assert check_plan_folder(tmp_path).ok
    picks = tmp_path / "picks.csv"
    rows = list(csv.reader(picks.open()))
    with picks.open("w", newline="") as fh:
        csv.writer(fh).writerows(rows[:-1])  # a pick list that lost its last line
    result = check_plan_folder(tmp_path)
    assert not result.ok and {"files", "lines"} <= {p.rule for p in result.problems}
