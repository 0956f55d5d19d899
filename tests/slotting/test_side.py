"""All four side constraints at once: families, hazards, aisle balance and a move budget.

Every CP-SAT plan is checked by the independent validator (``side_constraints=True``); an
infeasible request names the constraint that fails; the budget counts the plan's moves.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from smartwms.errors import InfeasibleError
from smartwms.slotting import SlottingParams, build_tables, plan_problems, solve_slotting
from smartwms.slotting.moves import current_assignment, moves_needed, plan_moves
from smartwms.slotting.side import budget_lower_bounds, constrained_start, side_of
from smartwms.slotting.solve import current_slots
from tests.slotting.helpers import make_instance

CONSTRAINTS = ("families", "hazards", "aisle balance", "move budget")


def _one_class_per_family(inst):
    """Hazardous SKUs of a family share one class (as in a real product family)."""
    skus = [
        s.model_copy(update={"hazard": f"H{int(s.family[1:]) % 2}"})
        if s.hazard is not None and s.family is not None
        else s
        for s in inst.skus
    ]
    return inst.model_copy(update={"skus": skus})


def _all_four(budget: int | None, balance: float = 0.4, **kw: object) -> dict[str, object]:
    return {"aisle_balance": balance, "max_moves": budget, "time_limit": 3, **kw}


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 10_000),
    families=st.integers(0, 4),
    hazards=st.integers(0, 3),
    balance=st.sampled_from([None, 0.3, 0.45, 0.6]),
    budget=st.sampled_from([None, 0, 2, 5, 12, 40]),
)
def test_cpsat_plan_meets_every_side_constraint_or_names_the_one_that_fails(
    seed, families, hazards, balance, budget
):
    inst = make_instance(
        n_aisles=4,
        cells=4,
        levels=2,
        n_skus=20,
        n_orders=40,
        seed=seed,
        families=families,
        hazards=hazards,
    )
    params = _all_four(budget, balance)
    try:
        result = solve_slotting(inst, method="cpsat", params=params, seed=seed)
    except InfeasibleError as exc:
        assert any(name in str(exc) for name in CONSTRAINTS), str(exc)
        return
    assert plan_problems(inst, result.plan, SlottingParams(**params), side_constraints=True) == []
    if budget is not None:
        assert len(result.plan.moves) <= budget
    # Side constraints only add restrictions: never below the exact unconstrained optimum.
    assert result.objective >= solve_slotting(inst, method="optimal").objective - 1e-6


@pytest.mark.parametrize("extra", [0, 3, 10, 40])
def test_the_budget_is_never_exceeded_with_all_four_constraints(extra):
    inst = _one_class_per_family(
        make_instance(
            n_aisles=5, cells=5, levels=2, n_skus=36, n_orders=120, seed=3, families=4, hazards=2
        )
    )
    tables = build_tables(inst, SlottingParams(aisle_balance=0.35, max_moves=1000))
    repair = constrained_start(tables, current_slots(tables)).repair_moves
    budget = repair + extra  # enough for the repair, binding for the rest
    params = _all_four(budget, 0.35)
    result = solve_slotting(inst, method="cpsat", params=params)
    assert len(result.plan.moves) <= budget
    assert plan_problems(inst, result.plan, SlottingParams(**params), side_constraints=True) == []
    # More budget never hurts the start (the same repair, a longer cut).
    assert result.objective <= result.plan.baseline_objective + 1e-6


def test_a_budget_too_small_for_the_families_says_so():
    inst = make_instance(n_aisles=4, cells=4, levels=2, n_skus=24, n_orders=40, seed=1, families=3)
    tables = build_tables(inst, SlottingParams(max_moves=0))
    bounds = budget_lower_bounds(tables, side_of(tables), current_slots(tables))
    assert bounds["families"] > 0  # random stock scatters the families
    with pytest.raises(
        InfeasibleError, match=r"move budget: K = 0 moves cannot restore families \(needs at least"
    ):
        solve_slotting(inst, method="cpsat", params={"max_moves": 0, "time_limit": 2})


def test_an_impossible_balance_cap_is_named():
    """Three aisles cannot each carry at most 20 % of the picks."""
    inst = make_instance(n_aisles=3, cells=4, n_skus=10, n_orders=40, seed=2)
    with pytest.raises(InfeasibleError, match="aisle balance"):
        solve_slotting(inst, method="cpsat", params={"aisle_balance": 0.2, "time_limit": 2})


def test_the_start_meets_all_four_and_cpsat_never_makes_it_worse():
    inst = _one_class_per_family(
        make_instance(
            n_aisles=6, cells=8, levels=2, n_skus=80, n_orders=300, seed=4, families=12, hazards=2
        )
    )
    tables = build_tables(inst, SlottingParams(aisle_balance=0.3))
    current = current_slots(tables)
    budget = sum(budget_lower_bounds(tables, side_of(tables), current).values()) + 30
    params = _all_four(budget, 0.3)
    tables = build_tables(inst, SlottingParams(**params))
    start = constrained_start(tables, current)
    assert start.repair_moves <= start.moves <= budget
    result = solve_slotting(inst, method="cpsat", params=params)
    assert result.kpis["first_feasible_s"] is not None
    assert result.objective <= result.kpis["start_objective"] + 1e-6
    assert plan_problems(inst, result.plan, SlottingParams(**params), side_constraints=True) == []


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), k=st.integers(0, 20))
def test_moves_needed_counts_the_plan_moves(seed, k):
    inst = make_instance(n_aisles=3, cells=4, n_skus=10, n_orders=20, seed=seed)
    tables = build_tables(inst, SlottingParams())
    current = current_slots(tables)
    target = np.random.default_rng(seed).permutation(len(tables.slots))[: len(current)]
    if k % 2:  # a target with swaps among today's slots only: cycles need parking moves
        target = np.random.default_rng(k).permutation(current)
    ids = tables.slots.ids
    assignment = {s: [ids[int(j)]] for s, j in zip(tables.skus.ids, target, strict=True)}
    moves = plan_moves(tables, current_assignment(tables), assignment)
    assert moves_needed(current, target) == len(moves)


def test_a_family_heavier_than_the_aisle_cap_is_named():
    """One family holding every SKU must sit in one aisle, which may carry only 30 %."""
    inst = make_instance(n_aisles=4, cells=8, n_skus=6, n_orders=30, seed=3, families=1)
    with pytest.raises(InfeasibleError, match="families and aisle balance conflict: family 'F0'"):
        solve_slotting(inst, method="cpsat", params={"aisle_balance": 0.3, "time_limit": 2})


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 10_000), budget=st.integers(0, 6))
def test_budgeted_optimum_against_brute_force(seed, budget):
    """Within K moves: never below the exhaustive optimum, never above today's stock."""
    from itertools import permutations

    from smartwms.slotting.assign import objective_of
    from smartwms.slotting.side import budgeted_optimum

    inst = make_instance(n_aisles=2, cells=3, n_skus=5, n_orders=30, seed=seed)
    tables = build_tables(inst, SlottingParams())
    current = current_slots(tables)
    exact = min(
        objective_of(tables, np.asarray(p))
        for p in permutations(range(len(tables.slots)), len(current))
        if all(tables.eligible_pair(i, j) for i, j in enumerate(p))
        and moves_needed(current, np.asarray(p)) <= budget
    )
    ours = budgeted_optimum(tables, current, budget)
    assert ours is not None
    assert moves_needed(current, ours) <= budget
    assert exact - 1e-9 <= objective_of(tables, ours) <= objective_of(tables, current) + 1e-9
    result = solve_slotting(inst, params={"max_moves": budget})
    assert len(result.plan.moves) <= budget
    assert result.objective >= exact - 1e-9
    assert plan_problems(inst, result.plan, SlottingParams(max_moves=budget)) == []
