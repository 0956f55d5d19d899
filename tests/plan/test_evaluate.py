"""The plan's simulated worth: common random numbers, paired CIs, the baseline as today."""

from __future__ import annotations

import math

import pytest

from smartwms.plan import plan_shift
from smartwms.plan.chain import baseline_params, coerce_params
from smartwms.plan.evaluate import evaluate_plan, shift_model
from smartwms.sim.shift import SHIFT_KPIS, simulate_shift

from .helpers import assert_valid, small_shift


@pytest.fixture(scope="module")
def evaluated():
    inst = small_shift(orders=60, pickers=2)
    plan = plan_shift(inst, {"max_moves": 20, "replications": 4, "contributions": True})
    return inst, plan


def test_the_plan_and_its_baseline_are_both_valid_plans(evaluated) -> None:
    inst, plan = evaluated
    assert_valid(inst, plan)
    base = plan_shift(inst, baseline_params(coerce_params({"max_moves": 20})))
    assert_valid(inst, base)
    assert base.kpis["relocations"] == 0 and base.method.startswith("slotting=current")
    assert "sshape" in base.method


def test_simulation_reports_every_kpi_with_paired_cis(evaluated) -> None:
    _inst, plan = evaluated
    sim = plan.simulation
    assert sim is not None and sim["replications"] == 4
    assert set(sim["kpis"]) == set(SHIFT_KPIS) == set(sim["difference"])
    travel = sim["difference"]["travel_per_order_m"]
    # Re-slotting and optimal routing shorten the walk per order (deterministic, so the CI
    # has no width and excludes zero).
    assert travel["mean"] < 0 and travel["significant"] and travel["better"]
    assert sim["kpis"]["orders_per_hour"]["mean"] > 0
    assert [row["stages"] for row in sim["contributions"]] == [
        "slotting",
        "slotting + batching",
        "slotting + batching + routing",
        "slotting + batching + routing + scheduling",
    ]


def test_common_random_numbers_give_the_same_noise_to_the_same_order(evaluated) -> None:
    inst, plan = evaluated
    model = shift_model(inst, plan, dispatch="plan", cv=0.3, aisle_capacity=None)
    a = simulate_shift(model, seed=1, replication=2)
    assert a == simulate_shift(model, seed=1, replication=2)
    assert a != simulate_shift(model, seed=1, replication=3)
    # Comparing a plan with itself: every paired difference is exactly zero.
    same = evaluate_plan(model, model, "itself", 3, seed=1)
    assert all(d["mean"] == 0 for d in same.difference.values() if d["mean"] is not None)


def test_travel_in_the_simulation_is_the_plan_s_walk(evaluated) -> None:
    inst, plan = evaluated
    model = shift_model(inst, plan, dispatch="plan", cv=0.3, aisle_capacity=None)
    kpis = simulate_shift(model, seed=0, replication=0)
    assert math.isclose(kpis["travel_per_order_m"], plan.objective / len(inst.orders))
    assert kpis["on_time_rate"] <= 1.0


def test_narrow_aisles_make_pickers_wait() -> None:
    inst = small_shift(orders=60, pickers=6)
    plan = plan_shift(inst, {"simulate": False, "waves": 1})
    free = shift_model(inst, plan, dispatch="pool", cv=0.3, aisle_capacity=None)
    narrow = shift_model(inst, plan, dispatch="pool", cv=0.3, aisle_capacity=1)
    assert simulate_shift(free)["congestion_wait_s"] == 0
    assert simulate_shift(narrow)["congestion_wait_s"] > 0


def test_a_stopped_plan_skips_the_simulation_but_is_complete() -> None:
    from smartwms.stopping import Stop

    inst = small_shift()
    stop = Stop()
    stop.cancel()
    plan = plan_shift(inst, {"replications": 2}, stop=stop)
    assert plan.status.value == "cancelled" and plan.simulation is None
    assert any("skipped" in n for n in plan.notes)
    assert_valid(inst, plan)
