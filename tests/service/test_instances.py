"""Stored instances: store once, refer to them from jobs by id; results equal inline ones."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from smartwms.model import Instance, PickRoute
from smartwms.routing import check_route, solve_routing

from .conftest import ALICE, BOB, routing_instance, wait_for

NEW_ORDER = {"id": "NEW", "lines": [{"sku": "S5"}, {"sku": "S130"}, {"sku": "S251"}]}


def _store(client: TestClient, instance: dict, headers: dict = ALICE) -> str:
    answer = client.post("/v1/instances", json=instance, headers=headers)
    assert answer.status_code in (200, 201), answer.text
    return str(answer.json()["id"])


def _problem(answer, status: int, field: str) -> dict:  # type: ignore[no-untyped-def]
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    body = answer.json()
    assert (
        field in {error["field"] for error in body.get("errors") or []} or field in body["detail"]
    ), body
    return dict(body)


def test_store_read_and_delete_an_instance(client: TestClient) -> None:
    instance = routing_instance()
    first = client.post("/v1/instances", json=instance, headers=ALICE)
    assert first.status_code == 201
    view = first.json()
    assert re.fullmatch(r"ins_[0-9a-f]{32}", view["id"])
    assert first.headers["location"] == f"/v1/instances/{view['id']}"
    assert view["summary"]["locations"] == 300 and view["summary"]["orders"] == 2
    # The id is derived from the content: storing it again answers 200 with the same id.
    again = client.post("/v1/instances", json=instance, headers=ALICE)
    assert again.status_code == 200 and again.json()["id"] == view["id"]
    assert client.get(f"/v1/instances/{view['id']}", headers=ALICE).json() == view
    # Another key does not see it.
    _problem(client.get(f"/v1/instances/{view['id']}", headers=BOB), 404, "no instance")
    assert client.delete(f"/v1/instances/{view['id']}", headers=ALICE).status_code == 204
    _problem(client.get(f"/v1/instances/{view['id']}", headers=ALICE), 404, "no instance")
    _problem(client.delete(f"/v1/instances/{view['id']}", headers=ALICE), 404, "no instance")


def test_bad_instances_and_ids_are_refused_with_the_field(client: TestClient) -> None:
    broken = routing_instance()
    broken["stock"][3]["location"] = "NOWHERE"
    body = _problem(client.post("/v1/instances", json=broken, headers=ALICE), 422, "stock[3]")
    assert {
        "field": "stock[3].location",
        "message": "SKU 'S3' is in a missing location 'NOWHERE'",
    } in (body["errors"])
    del broken["layout"]
    _problem(client.post("/v1/instances", json=broken, headers=ALICE), 422, "layout")
    _problem(client.get("/v1/instances/not-an-id", headers=ALICE), 422, "instance_id")
    _problem(client.post("/v1/instances", json=routing_instance()), 401, "API key")


def test_routing_by_reference_equals_inline(client: TestClient) -> None:
    instance = routing_instance()
    ident = _store(client, instance)
    by_ref = {"instance_id": ident, "pick_orders": [NEW_ORDER], "method": "optimal"}
    inline = {**routing_instance(), "orders": [*instance["orders"], NEW_ORDER]}
    jobs = []
    for payload in (by_ref, {"instance": inline, "orders": ["NEW"], "method": "optimal"}):
        answer = client.post(
            "/v1/jobs", json={"kind": "routing", "payload": payload}, headers=ALICE
        )
        assert answer.status_code == 202, answer.text
        jobs.append(answer.json()["id"])
    results = []
    for job_id in jobs:
        assert wait_for(client, job_id, timeout=60)["state"] == "succeeded"
        results.append(client.get(f"/v1/jobs/{job_id}/result", headers=ALICE).json()["result"])
    assert results[0]["routes"] == results[1]["routes"]
    routed = Instance.model_validate(inline)
    (route,) = results[0]["routes"]
    check_route(routed, PickRoute.model_validate(route))
    assert results[0]["objective"] == solve_routing(routed, ["NEW"]).objective
    # The synchronous endpoint resolves references too.
    sync = client.post("/v1/solve", json={"kind": "routing", "payload": by_ref}, headers=ALICE)
    assert sync.status_code == 200, sync.text
    assert sync.json()["result"]["objective"] == results[0]["objective"]


def test_references_are_checked_at_submit(client: TestClient) -> None:
    ident = _store(client, routing_instance())

    def submit(payload: dict, headers: dict = ALICE):  # type: ignore[no-untyped-def]
        return client.post(
            "/v1/jobs", json={"kind": "routing", "payload": payload}, headers=headers
        )

    _problem(submit({"instance_id": "ins_" + "0" * 32}), 422, "payload.instance_id")
    _problem(submit({"instance_id": ident}, headers=BOB), 422, "payload.instance_id")
    _problem(submit({"instance_id": "bad"}), 422, "instance_id")
    _problem(submit({"instance_id": ident, "instance": routing_instance()}), 422, "exactly one")
    _problem(submit({"method": "optimal"}), 422, "exactly one")
    unknown_sku = {"id": "X", "lines": [{"sku": "NOPE"}]}
    _problem(
        submit({"instance_id": ident, "pick_orders": [unknown_sku]}),
        422,
        "payload.pick_orders[0].lines[0].sku",
    )
    clash = {"id": "BIG", "lines": [{"sku": "S1"}]}
    _problem(
        submit({"instance_id": ident, "pick_orders": [clash]}), 422, "payload.pick_orders[0].id"
    )
    _problem(submit({"instance_id": ident, "orders": ["GONE"]}), 422, "payload.orders[0]")
    points = {"instance_id": ident, "points": ["A0-C0", "NOPE"]}
    answer = client.post(
        "/v1/jobs", json={"kind": "distance-matrix", "payload": points}, headers=ALICE
    )
    _problem(answer, 422, "payload.points[1]")
