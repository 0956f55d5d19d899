"""The online fleet: errands with holds, collision-free moves, recorded plans that check."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from smartwms.agv import Grid, check_plan
from smartwms.agv.online import Errand, OnlineFleet
from smartwms.errors import InstanceValidationError
from smartwms.model import GridLayout

ROWS = ["......", ".@@.@.", "......", ".@.@@.", "......"]
LAYOUT = GridLayout(height=5, width=6, rows=ROWS)


def _run(seed: int, agents: int, tasks: int) -> tuple[OnlineFleet, list[tuple[int, int, str]]]:
    grid = Grid(LAYOUT)
    free = [int(c) for c in grid.free_cells]
    rng = random.Random(seed)
    fleet = OnlineFleet(grid, rng.sample(free, agents), seed=seed, record=True)
    left = tasks
    log: list[tuple[int, int, str]] = []
    held_until: dict[int, int] = {}
    for _ in range(400):
        for a in range(fleet.size):
            if fleet.idle(a) and left > 0:
                cells = rng.sample(free, 2)
                fleet.assign(a, [Errand(cells[0], 2), Errand(cells[1], None)])
                left -= 1
        for arrival in fleet.step():
            log.append((arrival.agent, arrival.errand, arrival.event))
            if arrival.errand == 1 and arrival.event == "reached":
                held_until[arrival.agent] = fleet.steps + 3
        for a, t in list(held_until.items()):
            if fleet.steps >= t:
                fleet.release(a)
                del held_until[a]
        if left == 0 and not fleet.busy:
            break
    return fleet, log


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 10_000), agents=st.integers(1, 6))
def test_recorded_runs_have_no_conflict_and_finish_every_task(seed: int, agents: int) -> None:
    fleet, log = _run(seed, agents, tasks=8)
    plan = fleet.plan_dict()
    assert check_plan(plan, ROWS) == []
    assert all(t["completed_at"] is not None for t in plan["tasks"])
    assert sum(1 for _, e, ev in log if e == 1 and ev == "finished") == 8


def test_holds_count_steps_on_the_cell() -> None:
    fleet = OnlineFleet(Grid(LAYOUT), [0])
    fleet.assign(0, [Errand(2, hold=3)])
    events = [fleet.step() for _ in range(6)]
    reached = next(i for i, e in enumerate(events) if e and e[0].event == "reached")
    finished = next(i for i, e in enumerate(events) if any(a.event == "finished" for a in e))
    assert finished - reached == 3 and fleet.idle(0) and fleet.moves[0] == 2


def test_an_indefinite_hold_ends_when_released() -> None:
    fleet = OnlineFleet(Grid(LAYOUT), [0])
    fleet.assign(0, [Errand(1, hold=None)])
    for _ in range(10):
        fleet.step()
    assert not fleet.idle(0) and fleet.pos[0] == 1
    fleet.release(0)
    assert fleet.step()[0].event == "finished" and fleet.idle(0)


def test_same_calls_same_moves() -> None:
    a, _ = _run(7, 4, 6)
    b, _ = _run(7, 4, 6)
    assert a.plan_dict() == b.plan_dict()


def test_bad_errands_and_starts_name_the_field() -> None:
    grid = Grid(LAYOUT)
    with pytest.raises(InstanceValidationError, match="agents"):
        OnlineFleet(grid, [7])  # an obstacle
    fleet = OnlineFleet(grid, [0])
    with pytest.raises(InstanceValidationError, match="errands"):
        fleet.assign(0, [Errand(7)])
    fleet.assign(0, [Errand(5)])
    with pytest.raises(ValueError, match="still has errands"):
        fleet.assign(0, [Errand(4)])
