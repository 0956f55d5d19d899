"""The independent plan checker rejects every kind of bad plan and accepts good ones."""

from __future__ import annotations

from typing import Any

import pytest

from smartwms.agv import check_plan

ROWS = ["....", ".@..", "...."]  # 3x4, cell 5 is an obstacle


def plan(positions: list[list[int]], tasks: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {
        "map": "hand-made",
        "height": 3,
        "width": 4,
        "steps": len(positions[0]) - 1,
        "positions": positions,
        "tasks": tasks or [],
    }


def kinds(p: dict[str, Any]) -> list[str]:
    return [c.kind for c in check_plan(p, ROWS)]


def test_valid_plan_with_a_train_of_agents_passes() -> None:
    # Agent 1 follows agent 0 into the cell it leaves: allowed (no vertex, no swap).
    good = plan([[1, 2, 3, 7], [0, 1, 2, 3]])
    assert kinds(good) == []


@pytest.mark.parametrize(
    ("positions", "kind"),
    [
        ([[0, 1], [2, 1]], "vertex"),  # two agents enter cell 1
        ([[0, 0], [0, 1]], "vertex"),  # two agents start on one cell
        ([[0, 1], [1, 0]], "swap"),  # exchange cells 0 and 1
        ([[4, 5]], "obstacle"),  # into the '@'
        ([[11, 12]], "obstacle"),  # off the map
        ([[0, -1]], "obstacle"),  # negative cell
        ([[0, 2]], "jump"),  # two cells in one step
        ([[3, 4]], "jump"),  # wrap-around from the end of row 0 to the start of row 1
        ([[0, 10]], "jump"),  # across the map
        ([[0, 1, 2], [4]], "shape"),  # positions of unequal length
    ],
)
def test_bad_moves_are_rejected(positions: list[list[int]], kind: str) -> None:
    p = plan(positions)
    p["steps"] = len(positions[0]) - 1
    assert kind in kinds(p)


def test_diagonal_move_is_a_jump() -> None:
    assert kinds(plan([[0, 4, 4]])) == []  # down, then wait
    assert kinds(plan([[1, 6]])) == ["jump"]  # (0,1) -> (1,2) diagonally


def test_task_rules() -> None:
    positions = [[0, 1, 2, 3, 7]]
    ok = {"id": 0, "agent": 0, "errands": [2, 7], "assigned_at": 0, "completed_at": 4}
    assert kinds(plan(positions, [ok])) == []
    wrong_order = {**ok, "errands": [7, 2]}
    not_there = {**ok, "completed_at": 3}  # at t=3 the agent is on 3, not on errand 7
    before_assignment = {**ok, "errands": [1], "assigned_at": 1, "completed_at": 1}
    unknown_agent = {**ok, "agent": 5}
    obstacle_errand = {**ok, "errands": [5]}
    for bad in (wrong_order, not_there, before_assignment, unknown_agent, obstacle_errand):
        assert kinds(plan(positions, [bad])) == ["task"], bad
    unfinished = {**ok, "completed_at": None}
    assert kinds(plan(positions, [unfinished])) == []


def test_messages_name_agents_cells_and_times() -> None:
    (conflict,) = check_plan(plan([[0, 1], [1, 0]]), ROWS)
    assert conflict.agents == (0, 1) and conflict.time == 0
    assert "swap cells 0 <-> 1" in conflict.message


def test_map_size_mismatch_is_an_error() -> None:
    with pytest.raises(ValueError, match="do not match"):
        check_plan(plan([[0, 1]]), ["..."])
