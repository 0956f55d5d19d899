"""Move plans replay to the target without conflicts; budgets are respected."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from smartwms.model.slotting import BUFFER as BUFFER_ID
from smartwms.slotting import SlottingParams, build_tables, replay_moves, solve_slotting
from smartwms.slotting.moves import current_assignment, limit_moves, plan_moves
from smartwms.slotting.solve import current_slots
from tests.slotting.helpers import make_instance


def _plan_for(inst, target):
    from smartwms.model import SlottingPlan

    tables = build_tables(inst, SlottingParams())
    moves = plan_moves(tables, current_assignment(tables), target)
    return SlottingPlan(method="test", assignment=target, moves=moves, objective=0.0), moves


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000), n_skus=st.integers(1, 12), spare=st.integers(0, 3))
def test_random_permutations_replay(seed, n_skus, spare):
    cells = 4
    inst = make_instance(
        n_aisles=1,
        cells=cells,
        levels=(n_skus + spare + cells - 1) // cells,
        n_skus=n_skus,
        seed=seed,
    )
    rng = np.random.default_rng(seed)
    ids = [loc.id for loc in inst.locations]
    chosen = rng.permutation(len(ids))[:n_skus]
    target = {s.id: [ids[int(j)]] for s, j in zip(inst.skus, chosen, strict=True)}
    plan, moves = _plan_for(inst, target)
    assert replay_moves(inst, plan) == []
    assert [m.step for m in moves] == list(range(len(moves)))


def test_full_warehouse_swap_cycle_uses_the_buffer():
    inst = make_instance(n_aisles=1, cells=2, n_skus=2, seed=0)
    here = {s.id: inst.locations_of(s.id) for s in inst.skus}
    a, b = sorted(here)
    target = {a: here[b], b: here[a]}
    plan, moves = _plan_for(inst, target)
    assert replay_moves(inst, plan) == []
    assert len(moves) == 3
    assert moves[0].target == BUFFER_ID and moves[-1].source == BUFFER_ID
    assert [m.kind for m in moves] == ["to_buffer", "relocate", "from_buffer"]


def test_cycle_uses_a_free_slot_when_there_is_one():
    inst = make_instance(n_aisles=1, cells=3, n_skus=2, seed=0)
    here = {s.id: inst.locations_of(s.id) for s in inst.skus}
    a, b = sorted(here)
    target = {a: here[b], b: here[a]}
    plan, moves = _plan_for(inst, target)
    assert replay_moves(inst, plan) == []
    assert BUFFER_ID not in {m.target for m in moves}
    assert len(moves) == 3


def test_replay_catches_a_conflict():
    inst = make_instance(n_aisles=1, cells=2, n_skus=2, seed=0)
    here = {s.id: inst.locations_of(s.id) for s in inst.skus}
    a, b = sorted(here)
    target = {a: here[b], b: here[a]}
    plan, moves = _plan_for(inst, target)
    broken = plan.model_copy(update={"moves": moves[1:]})
    problems = replay_moves(inst, broken)
    assert any("still holds" in p for p in problems)


def test_put_away_of_unstocked_skus():
    inst = make_instance(n_aisles=2, cells=3, n_skus=4, stocked=False)
    result = solve_slotting(inst, method="optimal", params={"cover_days": 1})
    assert {m.kind for m in result.plan.moves} == {"put_away"}
    assert replay_moves(inst, result.plan) == []


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 1000), budget=st.integers(0, 12))
def test_budget_limits_moves_and_never_worsens(seed, budget):
    inst = make_instance(n_aisles=3, cells=4, n_skus=10, n_orders=30, seed=seed)
    params = SlottingParams(max_moves=budget)
    result = solve_slotting(inst, method="optimal", params=params)
    assert len(result.plan.moves) <= budget
    assert result.objective <= result.plan.baseline_objective + 1e-9
    assert replay_moves(inst, result.plan) == []


def test_budget_savings_grow_with_k():
    inst = make_instance(n_aisles=4, cells=6, n_skus=20, n_orders=60, seed=7)
    tables = build_tables(inst, SlottingParams())
    current = current_slots(tables)
    full = solve_slotting(inst, method="optimal")
    values = []
    for k in (0, 2, 5, 10, 40):
        slot_of = limit_moves(tables, current, _slots(tables, full.plan.assignment), k)
        values.append(float(np.sum(tables.skus.weight * tables.slots.cost[slot_of])))
    assert values == sorted(values, reverse=True)
    assert values[0] == full.plan.baseline_objective
    assert values[-1] == full.objective


def _slots(tables, assignment):
    pos = tables.slot_position
    return np.asarray([pos[assignment[s][0]] for s in tables.skus.ids], dtype=np.int64)
