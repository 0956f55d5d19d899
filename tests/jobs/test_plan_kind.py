"""The ``plan`` job kind: per-stage progress, the objective as best so far, stop keeps it."""

from __future__ import annotations

from smartwms.jobs import get_kind
from smartwms.jobs.plan import PlanPayload, run_plan
from smartwms.model import Instance
from smartwms.plan import ShiftPlan, check_shift_plan
from smartwms.stopping import Stop

from ..plan.helpers import small_shift


def _payload(**params: object) -> PlanPayload:
    return PlanPayload(instance=small_shift(), params={"replications": 2, **params})


def test_plan_job_reports_each_stage_and_returns_a_valid_plan() -> None:
    reports: list[dict[str, object]] = []
    result = run_plan(_payload(max_moves=4), Stop(), lambda **k: reports.append(k))
    plan = ShiftPlan.model_validate(result)
    inst: Instance = small_shift()
    assert check_shift_plan(inst, plan).ok
    stages = {str(r["message"]).split(":")[0] for r in reports if r.get("message")}
    assert {"validate", "slotting", "routing", "scheduling", "simulation"} <= stages
    fractions = [r["fraction"] for r in reports if r.get("fraction") is not None]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    assert any(r.get("best_objective") == plan.objective for r in reports)
    assert "stages" not in result and result["simulation"]["replications"] == 2
    assert get_kind("plan").payload_model is PlanPayload


def test_a_cancelled_plan_job_keeps_a_complete_plan() -> None:
    stop = Stop()
    stop.cancel()
    result = run_plan(_payload(), stop, lambda **k: None)
    plan = ShiftPlan.model_validate(result)
    assert plan.status.value == "cancelled" and plan.simulation is None
    assert check_shift_plan(small_shift(), plan).ok
