"""Routing through the API: results pass the independent route checker; cancel keeps a tour."""

from __future__ import annotations

import time

from fastapi.testclient import TestClient

from smartwms.model import Instance, PickRoute
from smartwms.routing import check_route, solve_routing

from .conftest import ALICE, routing_instance, wait_for


def _routes_valid(instance: dict, result: dict) -> None:
    inst = Instance.model_validate(instance)
    for route in result["routes"]:
        check_route(inst, PickRoute.model_validate(route))


def test_routing_job_matches_the_solver(client: TestClient) -> None:
    instance = routing_instance(picks=8)
    answer = client.post(
        "/v1/jobs",
        json={"kind": "routing", "payload": {"instance": instance, "method": "optimal"}},
        headers=ALICE,
    )
    assert answer.status_code == 202
    job = wait_for(client, answer.json()["id"], timeout=60)
    assert job["state"] == "succeeded"
    result = client.get(f"/v1/jobs/{job['id']}/result", headers=ALICE).json()
    _routes_valid(instance, result["result"])
    direct = solve_routing(Instance.model_validate(instance), method="optimal")
    assert result["result"]["objective"] == direct.objective == result["best_objective"]


def test_cancel_ortools_keeps_its_best_tour(client: TestClient) -> None:
    instance = routing_instance(picks=60)
    payload = {
        "instance": instance,
        "orders": ["BIG"],
        "method": "ortools",
        "params": {"time_limit": 60},
    }
    job_id = client.post(
        "/v1/jobs", json={"kind": "routing", "payload": payload}, headers=ALICE
    ).json()["id"]
    wait_for(client, job_id, ("running",), timeout=60)
    time.sleep(1.5)
    started = time.monotonic()
    assert client.delete(f"/v1/jobs/{job_id}", headers=ALICE).status_code == 202
    job = wait_for(client, job_id, timeout=30)
    assert job["state"] == "cancelled" and time.monotonic() - started < 10
    result = client.get(f"/v1/jobs/{job_id}/result", headers=ALICE).json()
    assert result["result"]["status"] == "cancelled"
    _routes_valid(instance, result["result"])
    assert result["best_objective"] == result["result"]["objective"] > 0


def test_route_one_order_synchronously_and_unknown_order(client: TestClient) -> None:
    instance = routing_instance()
    answer = client.post(
        "/v1/solve",
        json={"kind": "routing", "payload": {"instance": instance, "orders": ["SMALL"]}},
        headers=ALICE,
    )
    assert answer.status_code == 200, answer.text
    _routes_valid(instance, answer.json()["result"])
    bad = client.post(
        "/v1/solve",
        json={"kind": "routing", "payload": {"instance": instance, "orders": ["NOPE"]}},
        headers=ALICE,
    )
    assert bad.status_code == 422 and "orders[0]" in bad.json()["detail"]
    too_many = client.post(
        "/v1/solve",
        json={"kind": "routing", "payload": {"instance": routing_instance(picks=150)}},
        headers=ALICE,
    )
    assert too_many.status_code == 422 and "synchronous cap" in too_many.json()["detail"]
