"""plan_shift end to end: every plan it makes passes the independent checker."""

from __future__ import annotations

import json

import pytest

from smartwms.errors import InstanceValidationError
from smartwms.plan import PlanParams, check_plan_folder, plan_shift, write_plan_folder

from .helpers import assert_valid, small_shift

FAST = {"simulate": False}


def test_single_order_plan_is_valid_and_traces_every_line() -> None:
    inst = small_shift()
    plan = plan_shift(inst, FAST)
    assert_valid(inst, plan)
    lines = {(o.id, j) for o in inst.orders for j in range(len(o.lines))}
    assert {(p.order, p.line) for p in plan.picks} == lines
    assert plan.kpis["orders"] == 40 and plan.objective == pytest.approx(
        sum(b.length_m for b in plan.batches)
    )
    assert set(plan.stages) >= {"validate", "slotting", "batching", "routing", "scheduling"}


def test_reslotting_with_a_move_budget_is_valid_before_or_during_the_shift() -> None:
    inst = small_shift()
    base = plan_shift(inst, FAST)
    for window in ("before", "during"):
        plan = plan_shift(inst, {**FAST, "max_moves": 15, "relocation_window": window})
        assert_valid(inst, plan)
        moves = [m for m in plan.moves if m.kind != "replenish"]
        assert 0 < len(moves) <= 2 * 15  # a swap may take two moves through a free slot
        assert (moves[0].planned_start_s < 0) == (window == "before")
        assert plan.objective < base.objective


def test_relocations_by_agvs_are_conflict_free() -> None:
    inst = small_shift(agvs=3)
    plan = plan_shift(inst, {**FAST, "max_moves": 10})
    assert_valid(inst, plan)
    assert plan.agv is not None and plan.agv.tasks
    assert all(m.worker.startswith("agv") for m in plan.moves if m.kind != "replenish")


def test_waves_hold_their_orders_until_release() -> None:
    inst = small_shift()
    plan = plan_shift(inst, {**FAST, "waves": [0, 7200, 14400, 21600]})
    assert_valid(inst, plan)
    release = {w.id: w.release_s for w in plan.waves}
    assert len(release) == 4
    assert all(b.start_s >= release[b.wave] for b in plan.batches)


def test_same_input_same_plan() -> None:
    inst = small_shift()
    a = plan_shift(inst, {**FAST, "max_moves": 5}, seed=3)
    b = plan_shift(inst, {**FAST, "max_moves": 5}, seed=3)
    dump = {"exclude": {"seconds", "stages"}}
    assert a.model_dump(**dump) == b.model_dump(**dump)


def test_the_folder_round_trips_through_the_checker(tmp_path) -> None:
    inst = small_shift()
    plan = plan_shift(inst, {**FAST, "max_moves": 5})
    write_plan_folder(plan, inst, tmp_path)
    for name in ("plan.json", "instance.json", "picks.csv", "moves.csv", "waves.csv"):
        assert (tmp_path / name).is_file()
    assert len(list((tmp_path / "pick-lists").glob("*.html"))) == 3
    header = (tmp_path / "picks.csv").read_text().splitlines()[0]
    assert (
        header == "picker,wave,batch,sequence,order,line,sku,location,quantity,tote,planned_start_s"
    )
    moves_header = (tmp_path / "moves.csv").read_text().splitlines()[0]
    assert moves_header == "sequence,sku,from_location,to_location,quantity"
    assert check_plan_folder(tmp_path).ok
    data = json.loads((tmp_path / "plan.json").read_text())
    assert {"method", "assignment", "moves", "objective"} <= set(data)


def test_an_impossible_due_date_is_tardy_not_refused() -> None:
    inst = small_shift()
    first = inst.orders[0]
    rushed = first.model_copy(update={"due_time": first.release_time})  # due on release
    inst = inst.model_copy(update={"orders": [rushed, *inst.orders[1:]]})
    plan = plan_shift(inst, FAST)
    assert_valid(inst, plan)
    outcome = next(o for o in plan.orders if o.order == first.id)
    assert outcome.on_time is False and outcome.tardiness_s > 0
    assert plan.kpis["tardy_orders"] >= 1


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ("no_stock", "orders[0].lines[0].sku"),
        ("zero_pickers", "pickers"),
        ("late_wave", "waves[1]"),
        ("bad_method", "params.routing"),
    ],
)
def test_bad_input_names_the_field(change: str, field: str) -> None:
    inst = small_shift()
    params: dict[str, object] = dict(FAST)
    if change == "no_stock":
        sku = inst.orders[0].lines[0].sku
        inst = inst.model_copy(update={"stock": [r for r in inst.stock if r.sku != sku]})
    elif change == "zero_pickers":
        params["pickers"] = 0
    elif change == "late_wave":
        params["waves"] = [0, 9 * 3600]
    else:
        params["routing"] = "teleport"
    with pytest.raises(InstanceValidationError) as info:
        plan_shift(inst, params)
    assert any(f == field for f, _ in info.value.problems), info.value.problems


def test_an_order_too_big_for_every_cart_is_refused() -> None:
    inst = small_shift()
    fleet = inst.fleet.model_copy(
        update={
            "pickers": [inst.fleet.pickers[0].model_copy(update={"cart_capacity_volume": 0.01})]
        }
    )
    inst = inst.model_copy(update={"fleet": fleet})
    with pytest.raises(InstanceValidationError, match="does not fit on any cart"):
        plan_shift(inst, FAST)


def test_params_model_rejects_unknown_fields() -> None:
    with pytest.raises(InstanceValidationError, match=r"params\.colour"):
        plan_shift(small_shift(), {"colour": "red"})
    assert PlanParams().baseline.routing == "sshape"


def test_orders_without_a_picker_class_use_a_default_picker() -> None:
    inst = small_shift()
    inst = inst.model_copy(update={"fleet": inst.fleet.model_copy(update={"pickers": []})})
    plan = plan_shift(inst, {**FAST, "pickers": 2})
    assert_valid(inst, plan)
    assert [p.id for p in plan.pickers] == ["picker-1", "picker-2"]
