"""CP-SAT slotting: side constraints hold, the budget is respected, Stop ends the search."""

from __future__ import annotations

from collections import defaultdict

import pytest

from smartwms.errors import InfeasibleError
from smartwms.slotting import plan_problems, solve_slotting
from smartwms.stopping import Stop
from tests.slotting.helpers import make_instance


def _aisle(inst, loc_id):
    return inst.location_index[loc_id].aisle


def test_families_share_one_aisle_and_hazards_are_segregated():
    inst = make_instance(
        n_aisles=4, cells=4, levels=2, n_skus=12, n_orders=40, seed=2, families=3, hazards=2
    )
    result = solve_slotting(inst, method="cpsat", params={"time_limit": 5})
    assert plan_problems(inst, result.plan, side_constraints=True) == []
    aisles_of_family = defaultdict(set)
    hazards_in_aisle = defaultdict(set)
    for sku in inst.skus:
        aisle = _aisle(inst, result.plan.assignment[sku.id][0])
        aisles_of_family[sku.family].add(aisle)
        if sku.hazard:
            hazards_in_aisle[aisle].add(sku.hazard)
    assert all(len(a) == 1 for a in aisles_of_family.values())
    assert all(len(h) == 1 for h in hazards_in_aisle.values())


def test_aisle_balance_caps_the_busiest_aisle():
    inst = make_instance(n_aisles=4, cells=5, n_skus=16, n_orders=80, seed=5)
    free = solve_slotting(inst, method="optimal")
    capped = solve_slotting(inst, method="cpsat", params={"time_limit": 5, "aisle_balance": 0.35})
    from smartwms.slotting import SlottingParams, build_tables

    tables = build_tables(inst, SlottingParams())
    weight = dict(zip(tables.skus.ids, tables.skus.weight, strict=True))
    total = sum(weight.values())

    def busiest(plan):
        load = defaultdict(float)
        for sku, locs in plan.assignment.items():
            load[_aisle(inst, locs[0])] += weight[sku]
        return max(load.values()) / total

    assert busiest(capped.plan) <= 0.35 + 1e-6
    assert busiest(free.plan) > 0.35  # the cap binds: unconstrained, aisle 0 takes more
    assert capped.objective >= free.objective - 1e-6


@pytest.mark.parametrize("budget", [0, 1, 3, 6])
def test_move_budget(budget):
    inst = make_instance(n_aisles=3, cells=4, n_skus=10, n_orders=40, seed=6)
    result = solve_slotting(inst, method="cpsat", params={"max_moves": budget, "time_limit": 5})
    moved = [s for s, locs in result.plan.assignment.items() if locs != inst.locations_of(s)]
    assert len(moved) <= budget
    assert plan_problems(inst, result.plan, side_constraints=True) == []
    assert result.objective <= result.plan.baseline_objective + 1e-9


def test_cpsat_close_to_the_exact_optimum_without_side_constraints():
    inst = make_instance(n_aisles=3, cells=4, n_skus=10, n_orders=40, seed=8)
    exact = solve_slotting(inst, method="optimal").objective
    cpsat = solve_slotting(inst, method="cpsat", params={"time_limit": 5}).objective
    assert exact <= cpsat <= 1.1 * exact


def test_cancelled_stop_returns_quickly_or_explains():
    inst = make_instance(n_aisles=4, cells=10, n_skus=30, n_orders=60, seed=9, families=4)
    stop = Stop()
    stop.cancel()
    try:
        result = solve_slotting(inst, method="cpsat", stop=stop)
    except InfeasibleError as exc:  # cancelled before any solution: said so
        assert "no feasible slotting" in str(exc)
    else:
        assert plan_problems(inst, result.plan, side_constraints=True) == []


def test_conflicting_side_constraints_are_named():
    """A family holding two hazard classes cannot live in one aisle with segregation on."""
    from smartwms.model import Sku

    inst = make_instance(n_aisles=3, cells=4, n_skus=4, n_orders=10, seed=1)
    skus = [
        Sku(
            id=s.id,
            demand=s.demand,
            family="F",
            hazard=("H1" if k == 0 else "H2" if k == 1 else None),
        )
        for k, s in enumerate(inst.skus)
    ]
    broken = inst.model_copy(update={"skus": skus})
    with pytest.raises(
        InfeasibleError, match=r"families and hazards conflict: family .F. holds hazard classes"
    ):
        solve_slotting(broken, method="cpsat", params={"time_limit": 10})
