"""Lifelong runs: never a conflict, tasks completed when time allows, deterministic."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from smartwms.agv import (
    Grid,
    RoundRobinTasks,
    check_plan,
    generated_tasks,
    lorr_pool,
    run_lifelong,
)
from smartwms.errors import InstanceValidationError
from smartwms.io.mapf import read_lorr_problem
from smartwms.model import GridLayout


def pillar_map(height: int, width: int, density: float, seed: int) -> GridLayout:
    """Obstacles only on (odd row, odd col) cells: every free cell stays on a cycle."""
    rng = random.Random(seed)
    rows = []
    for r in range(height):
        rows.append(
            "".join(
                "@"
                if r % 2 == 1
                and c % 2 == 1
                and r < height - 1
                and c < width - 1
                and rng.random() < density
                else "."
                for c in range(width)
            )
        )
    return GridLayout(height=height, width=width, rows=rows)


@st.composite
def scenarios(draw: st.DrawFn) -> tuple[GridLayout, list[int], int]:
    height = draw(st.integers(3, 8))
    width = draw(st.integers(3, 8))
    layout = pillar_map(height, width, draw(st.floats(0, 1)), draw(st.integers(0, 10**6)))
    free = [c for c in range(height * width) if layout.is_free(c)]
    n = draw(st.integers(1, max(1, len(free) // 3)))
    seed = draw(st.integers(0, 1000))
    starts = random.Random(seed).sample(free, n)
    return layout, starts, seed


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    scenarios(),
    st.sampled_from(["pibt", "guided", "windowed"]),
    st.sampled_from(["greedy", "optimal"]),
)
def test_pooled_tasks_all_done_without_conflict(scenario, planner: str, assign: str) -> None:
    layout, starts, seed = scenario
    free = [c for c in range(layout.height * layout.width) if layout.is_free(c)]
    pool = generated_tasks(free, free, count=8, frequency=0.5, seed=seed)
    res = run_lifelong(layout, starts, pool, steps=2000, planner=planner, assign=assign, seed=seed)
    assert check_plan(res.plan_dict(), layout.rows) == []
    assert len(res.completed) == 8  # the run stops early once every task is done
    assert res.steps < 2000


@settings(max_examples=20, deadline=None)
@given(scenarios(), st.sampled_from(["pibt", "guided", "windowed"]))
def test_roundrobin_runs_are_conflict_free_and_make_progress(scenario, planner: str) -> None:
    layout, starts, seed = scenario
    free = [c for c in range(layout.height * layout.width) if layout.is_free(c)]
    cells = random.Random(seed + 1).choices(free, k=30)
    res = run_lifelong(layout, starts, RoundRobinTasks(cells, len(starts)), 150, planner=planner)
    plan = res.plan_dict()
    assert check_plan(plan, layout.rows) == []
    assert res.positions.shape == (len(starts), 151)
    # Each agent's tasks are its own file tasks j = k*N + agent, one after the other.
    n = len(starts)
    for task in plan["tasks"]:
        assert task["id"] % n == task["agent"]
        assert task["errands"] == [cells[task["id"] % len(cells)]]
    assert len(res.completed) >= n  # everybody finished at least one task in 150 steps


def test_same_seed_same_plan() -> None:
    layout = pillar_map(7, 9, 0.8, seed=3)
    free = [c for c in range(63) if layout.is_free(c)]
    starts = random.Random(0).sample(free, 12)
    runs = [
        run_lifelong(
            layout,
            starts,
            generated_tasks(free, free, 40, 1.0, seed=5),
            300,
            planner=planner,
            assign="optimal",
            seed=7,
        )
        for planner in ("guided", "guided", "pibt", "pibt")
    ]
    assert np.array_equal(runs[0].positions, runs[1].positions)
    assert np.array_equal(runs[2].positions, runs[3].positions)
    assert [t.to_dict() for t in runs[0].tasks] == [t.to_dict() for t in runs[1].tasks]


def test_head_on_in_a_corridor_with_a_bay() -> None:
    # Two agents must pass each other in a corridor with one side bay (a tree: PIBT alone can
    # push one agent back to the end for ever); stuck detection randomises until one uses the bay.
    layout = GridLayout(height=2, width=5, rows=[".....", "@@.@@"])
    res = run_lifelong(layout, [0, 4], RoundRobinTasks([4, 0], 2), steps=200)
    assert check_plan(res.plan_dict(), layout.rows) == []
    done = {t.agent for t in res.completed}
    assert done == {0, 1}


def test_bad_inputs_name_the_field() -> None:
    layout = GridLayout(height=1, width=3, rows=[".@."])
    with pytest.raises(InstanceValidationError, match=r"agents\[1\]: start cell 1"):
        run_lifelong(layout, [0, 1], RoundRobinTasks([2], 2), steps=5)
    with pytest.raises(InstanceValidationError, match="steps: must be >= 1"):
        run_lifelong(layout, [0], RoundRobinTasks([2], 1), steps=0)
    with pytest.raises(InstanceValidationError, match="errand cell 1"):
        run_lifelong(layout, [0], RoundRobinTasks([1], 1), steps=3)


def test_distance_fields_are_cached_once_per_goal() -> None:
    grid = Grid(pillar_map(5, 5, 1.0, 0))
    first = grid.distances_to(24)
    assert grid.distances_to(24) is first and grid.bfs_count == 1
    assert int(first[0]) == 8


@pytest.mark.shared
def test_lorr_small_roundrobin_and_pooled(shared: Path) -> None:
    prob = read_lorr_problem(shared / "mapf/lorr2023/EI23-warehouse_small_50.json")
    rr = run_lifelong(prob.layout, prob.starts, RoundRobinTasks(prob.tasks, 50), 60, planner="pibt")
    pooled = run_lifelong(prob.layout, prob.starts, lorr_pool(prob.tasks, 50), 60, assign="optimal")
    for res in (rr, pooled):
        assert check_plan(res.plan_dict(), prob.layout.rows) == []
        assert len(res.completed) > 20


def test_battery_sends_low_agents_to_charge_and_back() -> None:
    from smartwms.agv import BatteryPolicy
    from smartwms.model import Battery

    layout = pillar_map(5, 7, 1.0, 0)
    grid = Grid(layout)
    spec = Battery(initial=30, threshold=25, consumption_per_move=1, charge_per_step=20)
    policy = BatteryPolicy(grid, spec, chargers=[6, 34], n_agents=2)
    cells = [28, 0, 34, 6, 14]
    res = run_lifelong(layout, [0, 34], RoundRobinTasks(cells, 2), 120, battery=policy, grid=grid)
    assert check_plan(res.plan_dict(), layout.rows) == []
    kpis = res.summary()
    assert kpis["battery_charge_trips"] >= 2 and kpis["battery_charging_steps"] >= 2
    assert kpis["battery_depleted"] == 0
    assert len(res.completed) > 10  # agents return to their tasks after charging
