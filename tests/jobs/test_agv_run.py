"""The agv-run job kind: a lifelong run as a job, its plan checked by the independent checker."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from smartwms.agv import check_plan
from smartwms.jobs import get_kind
from smartwms.jobs.agv_run import AgvRunPayload, run_agv
from smartwms.stopping import Stop

ROWS = ["........", "..@@@@..", "........", "..@@@@..", "........"]
LAYOUT = {"kind": "grid", "height": 5, "width": 8, "rows": ROWS}


def _run(**extra: object) -> dict:
    payload = AgvRunPayload.model_validate({"layout": LAYOUT, "steps": 40, **extra})
    return run_agv(payload, Stop(60), lambda **_k: None)


def test_a_run_is_conflict_free_and_completes_tasks() -> None:
    result = _run(agents=4, seed=1)
    plan = result["plan"]
    assert check_plan(plan, ROWS) == [] and result["conflicts"] == 0
    assert len(plan["positions"]) == 4 and all(len(p) == 41 for p in plan["positions"])
    assert result["tasks_completed"] > 0 and result["objective"] == result["tasks_completed"]
    assert set(result["timings"]) >= {"plan_ms_mean", "plan_ms_p95", "plan_ms_max"}
    assert get_kind("agv-run").payload_model is AgvRunPayload


def test_same_seed_same_run_and_given_starts_and_tasks() -> None:
    first, second = _run(agents=3, seed=7), _run(agents=3, seed=7)
    assert first["plan"] == second["plan"]
    given = _run(agents=[0, 7], tasks=[[39, 32], [8, 15]])
    assert [p[0] for p in given["plan"]["positions"]] == [0, 7]
    assert given["tasks_completed"] == 2
    assert check_plan(given["plan"], ROWS) == []


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"agents": 0}, "agents"),
        ({"agents": 100}, "agents"),
        ({"agents": [10]}, "agents[0]"),
        ({"agents": [0, 0]}, "agents"),
        ({"agents": 2, "tasks": [[10]]}, "tasks[0][0]"),
        ({"agents": 2, "tasks": [[]]}, "tasks[0]"),
    ],
)
def test_bad_payloads_name_the_field(extra: dict, field: str) -> None:
    with pytest.raises(ValidationError) as info:
        AgvRunPayload.model_validate({"layout": LAYOUT, **extra})
    assert f"{field}:" in str(info.value)


def test_a_plan_too_big_for_one_job_is_refused_before_it_runs() -> None:
    layout = {"kind": "grid", "height": 100, "width": 100, "rows": ["." * 100] * 100}
    with pytest.raises(ValidationError, match="steps: agents x steps"):
        AgvRunPayload.model_validate({"layout": layout, "agents": 300, "steps": 10_000})
