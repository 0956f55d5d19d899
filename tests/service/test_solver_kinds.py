"""Slotting and AGV dispatch through the API: answers equal the solvers' and pass checks."""

from __future__ import annotations

import json
from pathlib import Path

from fastapi.testclient import TestClient

from smartwms.agv import TransportOrder, solve_dispatch
from smartwms.model import GridLayout, Instance, SlottingPlan
from smartwms.slotting import SlottingParams, plan_problems, solve_slotting

from .conftest import ALICE, wait_for

EXAMPLES = Path(__file__).resolve().parents[2] / "api" / "examples"


def _run(client: TestClient, request: dict) -> dict:
    answer = client.post("/v1/jobs", json=request, headers=ALICE)
    assert answer.status_code == 202, answer.text
    job = wait_for(client, answer.json()["id"], timeout=60)
    assert job["state"] == "succeeded", job
    return client.get(f"/v1/jobs/{job['id']}/result", headers=ALICE).json()


def test_slotting_job_is_the_solvers_valid_plan(client: TestClient) -> None:
    request = json.loads((EXAMPLES / "slotting-request.json").read_text())
    result = _run(client, request)["result"]
    instance = Instance.model_validate(request["payload"]["instance"])
    params = SlottingParams(**request["payload"]["params"])
    plan = SlottingPlan.model_validate(result["plan"])
    assert plan_problems(instance, plan, params) == []
    assert len(plan.moves) <= 4
    direct = solve_slotting(instance, "optimal", params, seed=0)
    assert result["objective"] == direct.objective
    assert plan.assignment == direct.plan.assignment


def test_dispatch_job_serves_every_order_pickup_before_delivery(client: TestClient) -> None:
    request = json.loads((EXAMPLES / "dispatch-request.json").read_text())
    result = _run(client, request)["result"]
    payload = request["payload"]
    orders = {o["id"]: o for o in payload["orders"]}
    seen: dict[str, list[str]] = {}
    for route in result["routes"]:
        for stop in route:
            order = orders[stop["order"]]
            assert stop["cell"] == order[stop["kind"]]
            seen.setdefault(stop["order"], []).append(stop["kind"])
    assert seen == {name: ["pickup", "delivery"] for name in orders}
    direct = solve_dispatch(
        GridLayout.model_validate(payload["layout"]),
        payload["starts"],
        [TransportOrder(**o) for o in payload["orders"]],
        method="local",
    )
    assert result["objective"] == direct.objective


def test_dispatch_rejects_unknown_method(client: TestClient) -> None:
    request = json.loads((EXAMPLES / "dispatch-request.json").read_text())
    request["payload"]["method"] = "teleport"
    answer = client.post("/v1/jobs", json=request, headers=ALICE)
    assert answer.status_code == 422 and "method" in answer.json()["detail"]


def test_simulation_job_equals_the_experiment(client: TestClient) -> None:
    from smartwms.sim import Scenario, run_experiment

    request = json.loads((EXAMPLES / "simulation-request.json").read_text())
    result = _run(client, request)["result"]
    payload = request["payload"]
    direct = run_experiment(
        Scenario.model_validate(payload["scenario"]),
        payload["replications"],
        seed=payload["seed"],
        workers=1,
    ).to_dict()
    assert result == json.loads(json.dumps(direct))
    assert result["replications"] == 3 and "order_wait_s" in result["kpis"]


def test_simulation_refuses_file_paths(client: TestClient) -> None:
    request = json.loads((EXAMPLES / "simulation-request.json").read_text())
    request["payload"]["scenario"]["instance"] = "/etc/passwd"
    answer = client.post("/v1/jobs", json=request, headers=ALICE)
    assert answer.status_code == 422 and "not a file path" in answer.json()["detail"]
