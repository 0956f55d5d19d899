"""Exact assignment against brute force; every baseline produces a valid plan."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from smartwms.errors import InfeasibleError
from smartwms.layout import distance_matrix
from smartwms.slotting import (
    SlottingParams,
    build_tables,
    plan_problems,
    replay_moves,
    solve_slotting,
)
from smartwms.slotting.assign import abc_classes
from tests.slotting.helpers import make_instance

BASELINES = ["current", "random", "abc", "coi", "optimal"]


def brute_force(instance, params):
    """Minimum of sum weight * cost over every eligible injective assignment."""
    tables = build_tables(instance, params)
    n, m = len(tables.skus), len(tables.slots)
    best = np.inf
    for slots in itertools.permutations(range(m), n):
        if all(tables.eligible_pair(i, j) for i, j in enumerate(slots)):
            value = float(np.sum(tables.skus.weight * tables.slots.cost[list(slots)]))
            best = min(best, value)
    return best


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 10_000),
    n_skus=st.integers(1, 5),
    levels=st.integers(1, 3),
    heavy=st.integers(0, 2),
    zones=st.booleans(),
)
def test_optimal_matches_brute_force(seed, n_skus, levels, heavy, zones):
    inst = make_instance(
        n_aisles=2, cells=2, levels=levels, n_skus=n_skus, seed=seed, heavy=heavy, zones=zones
    )
    params = SlottingParams()
    expected = brute_force(inst, params)
    if not np.isfinite(expected):
        with pytest.raises(Exception, match=r"SKU|locations"):
            solve_slotting(inst, method="optimal", params=params)
        return
    result = solve_slotting(inst, method="optimal", params=params)
    assert result.objective == pytest.approx(expected, rel=1e-6, abs=1e-6)
    assert plan_problems(inst, result.plan, params) == []


def test_slot_cost_is_round_trip_plus_ergonomics():
    inst = make_instance(n_aisles=2, cells=3, levels=4, n_skus=2)
    params = SlottingParams(ergonomic_weight=0.5)
    tables = build_tables(inst, params)
    ids = tables.slots.ids
    there = distance_matrix(inst, ["depot"], ids)[0]
    back = distance_matrix(inst, ids, ["depot"])[:, 0]
    levels = np.asarray([inst.location_index[i].level for i in ids])
    # Four levels: golden zone is levels 1..2; the floor and the top are one level off.
    off = ((levels == 0) | (levels == 3)).astype(float)
    np.testing.assert_allclose(tables.slots.cost, there + back + 0.5 * off)


@pytest.mark.parametrize("method", BASELINES)
def test_every_baseline_plan_is_valid(method):
    inst = make_instance(
        n_aisles=3, cells=5, levels=2, n_skus=20, n_orders=40, seed=3, heavy=3, zones=True
    )
    result = solve_slotting(inst, method=method, seed=1)
    if method == "current":
        # Today's stock need not respect the rules; the plan is that stock, with no moves.
        assert result.plan.moves == []
        assert replay_moves(inst, result.plan) == []
        return
    assert plan_problems(inst, result.plan) == []
    assert set(result.plan.assignment) == {s.id for s in inst.skus}
    assert result.objective >= 0


def test_optimal_is_best_of_the_baselines():
    inst = make_instance(n_aisles=4, cells=6, n_skus=20, n_orders=60, seed=5)
    values = {m: solve_slotting(inst, method=m, seed=2).objective for m in BASELINES}
    assert values["optimal"] <= min(values.values()) + 1e-9
    # Equal volumes would make COI the same rule as optimal; here volumes differ.
    assert values["optimal"] < values["random"]


def test_abc_classes_split_by_cumulative_share():
    klass = abc_classes(np.asarray([50.0, 30.0, 10.0, 5.0, 3.0, 2.0]))
    assert klass.tolist() == [0, 0, 1, 1, 2, 2]


def test_abc_puts_class_a_in_the_cheapest_zone():
    inst = make_instance(n_aisles=4, cells=6, n_skus=24, n_orders=80, seed=11)
    result = solve_slotting(inst, method="abc", seed=0)
    tables = build_tables(inst, SlottingParams())
    klass = abc_classes(tables.skus.weight)
    pos = tables.slot_position
    cost = {
        i: tables.slots.cost[pos[result.plan.assignment[s][0]]]
        for i, s in enumerate(tables.skus.ids)
    }
    worst_a = max(cost[i] for i in range(len(klass)) if klass[i] == 0)
    best_c = min(cost[i] for i in range(len(klass)) if klass[i] == 2)
    assert worst_a <= best_c


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 10_000),
    n_skus=st.integers(5, 45),
    heavy=st.integers(0, 6),
    zones=st.booleans(),
    continuous=st.booleans(),
)
def test_optimal_matches_scipy_assignment(seed, n_skus, heavy, zones, continuous):
    """Medium cases against scipy's dense Hungarian method (ineligible pairs cost a lot)."""
    from scipy.optimize import linear_sum_assignment

    inst = make_instance(
        n_aisles=4,
        cells=6,
        levels=2,
        n_skus=n_skus,
        n_orders=3 * n_skus,
        seed=seed,
        heavy=heavy,
        zones=zones,
    )
    params = SlottingParams(weight="demand" if continuous else "frequency")
    tables = build_tables(inst, params)
    eligible = tables.eligible[tables.skus.type][:, tables.slots.signature]
    cost = np.outer(tables.skus.weight, tables.slots.cost)
    big = 1e9
    rows, cols = linear_sum_assignment(np.where(eligible, cost, big))
    expected = float(cost[rows, cols].sum())
    if np.any(~eligible[rows, cols]):
        with pytest.raises(InfeasibleError):
            solve_slotting(inst, method="optimal", params=params)
        return
    result = solve_slotting(inst, method="optimal", params=params)
    assert result.objective == pytest.approx(expected, rel=1e-6, abs=1e-6)
