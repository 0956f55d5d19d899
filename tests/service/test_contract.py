"""The published contract: api/openapi.json is the app's document; examples are true."""

from __future__ import annotations

import json
from pathlib import Path

from fastapi.testclient import TestClient

from smartwms.jobs import job_kinds
from smartwms.service.openapi import render_openapi

from .conftest import ALICE, wait_for

API = Path(__file__).resolve().parents[2] / "api"


#: Result fields holding wall-clock timings (``seconds``; an AGV run's per-step ``timings``).
TIMINGS = ("seconds", "timings")


def test_openapi_json_matches_the_app() -> None:
    assert (API / "openapi.json").read_text() == render_openapi(), (
        "api/openapi.json is stale: run "
        "'.venv/bin/python -m smartwms.service.openapi api/openapi.json'"
    )


def test_openapi_documents_every_kind_and_problem_responses() -> None:
    document = json.loads((API / "openapi.json").read_text())
    schemas = document["components"]["schemas"]
    for name, kind in job_kinds().items():
        assert kind.payload_model.__name__ in schemas, name
    submit = document["paths"]["/v1/jobs"]["post"]
    assert {"202", "401", "409", "413", "422"} <= set(submit["responses"])


def test_every_kind_has_example_request_and_response(client: TestClient) -> None:
    for name in job_kinds():
        request = json.loads((API / "examples" / f"{name}-request.json").read_text())
        expected = json.loads((API / "examples" / f"{name}-response.json").read_text())
        answer = client.post("/v1/jobs", json=request, headers=ALICE)
        assert answer.status_code == 202, answer.text
        job = wait_for(client, answer.json()["id"], timeout=60)
        assert job["state"] == expected["state"]
        result = client.get(f"/v1/jobs/{job['id']}/result", headers=ALICE).json()
        # Wall-clock timings differ from run to run; everything else must be identical.
        got = {k: v for k, v in result["result"].items() if k not in TIMINGS}
        want = {k: v for k, v in expected["result"].items() if k not in TIMINGS}
        assert got == want, f"api/examples/{name}-response.json"


def test_by_reference_example_is_true(client: TestClient) -> None:
    stored = client.post(
        "/v1/instances",
        json=json.loads((API / "examples" / "instance-request.json").read_text()),
        headers=ALICE,
    )
    assert stored.status_code == 201, stored.text
    request = json.loads((API / "examples" / "routing-by-reference-request.json").read_text())
    # Ids derive from the content: the example's id is the stored instance's.
    assert request["payload"]["instance_id"] == stored.json()["id"]
    answer = client.post("/v1/jobs", json=request, headers=ALICE)
    assert answer.status_code == 202, answer.text
    assert wait_for(client, answer.json()["id"], timeout=60)["state"] == "succeeded"
    result = client.get(f"/v1/jobs/{answer.json()['id']}/result", headers=ALICE).json()
    expected = json.loads((API / "examples" / "routing-response.json").read_text())
    got = {k: v for k, v in result["result"].items() if k != "seconds"}
    assert got == {k: v for k, v in expected["result"].items() if k != "seconds"}
