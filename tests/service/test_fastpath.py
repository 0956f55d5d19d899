"""The submit fast path answers plain submissions itself, exactly as the route would."""

from __future__ import annotations

import json
from typing import Any

from fastapi.testclient import TestClient
from starlette.types import Message

from smartwms.jobs import job_kinds
from smartwms.service.fastpath import SubmitFastPath
from smartwms.service.schemas import submission_model

from .conftest import ALICE, BOB, small_instance, wait_for

# Fields that differ between two submissions of the same body.
_PER_JOB = {"id", "created_at", "queue_seconds", "links", "state", "started_at", "progress"}


def _body(**extra: Any) -> dict[str, Any]:
    return {"kind": "distance-matrix", "payload": {"instance": small_instance()}, **extra}


def _call(client: TestClient, body: bytes, headers: list[tuple[bytes, bytes]]) -> dict[str, Any]:
    """Run the fast path alone in front of a stand-in app; report who answered and how."""
    passed_on: list[bytes] = []

    async def route(scope: Any, receive: Any, send: Any) -> None:
        message = await receive()
        passed_on.append(message.get("body", b""))
        await send({"type": "http.response.start", "status": 599, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    fast = SubmitFastPath(route, submission_model(job_kinds()))
    sent: list[Message] = []

    async def run() -> None:
        async def receive() -> Message:
            return {"type": "http.request", "body": body, "more_body": False}

        async def send(message: Message) -> None:
            sent.append(message)

        scope = {
            "type": "http",
            "method": "POST",
            "path": "/v1/jobs",
            "headers": headers,
            "app": client.app,
        }
        await fast(scope, receive, send)

    assert client.portal is not None
    client.portal.call(run)
    start = sent[0]
    return {
        "status": start["status"],
        "headers": dict(start["headers"]),
        "body": b"".join(m.get("body", b"") for m in sent[1:]),
        "passed_on": passed_on,
    }


JSON = (b"content-type", b"application/json")


def test_plain_submit_is_answered_by_the_fast_path(client: TestClient) -> None:
    body = json.dumps(_body()).encode()
    answer = _call(client, body, [JSON, (b"authorization", b"Bearer key-alice")])
    assert answer["passed_on"] == [] and answer["status"] == 202
    job = json.loads(answer["body"])
    assert answer["headers"][b"location"] == f"/v1/jobs/{job['id']}".encode()
    assert wait_for(client, job["id"])["state"] == "succeeded"


def test_everything_else_goes_on_to_the_route_with_its_body(client: TestClient) -> None:
    good = json.dumps(_body()).encode()
    bad = json.dumps(_body(time_limit=-1)).encode()
    cases = [
        (good, [JSON]),  # no key: the route answers 401
        (good, [JSON, (b"x-api-key", b"nobody")]),
        (good, [JSON, (b"authorization", b"Bearer key-alice"), (b"idempotency-key", b"k")]),
        (good, [(b"content-type", b"text/plain"), (b"authorization", b"Bearer key-alice")]),
        (bad, [JSON, (b"authorization", b"Bearer key-alice")]),  # 422 from the route
        (b"{not json", [JSON, (b"authorization", b"Bearer key-alice")]),
    ]
    before = client.get("/v1/jobs", headers=ALICE).json()["items"]
    for body, headers in cases:
        answer = _call(client, body, headers)
        assert answer["status"] == 599 and answer["passed_on"] == [body]
    assert client.get("/v1/jobs", headers=ALICE).json()["items"] == before


def test_fast_and_routed_answers_agree(client: TestClient) -> None:
    fast = client.post("/v1/jobs", json=_body(time_limit=7), headers=BOB)
    routed = client.post(
        "/v1/jobs", json=_body(time_limit=7), headers={**BOB, "Idempotency-Key": "routed"}
    )
    assert fast.status_code == routed.status_code == 202
    a, b = fast.json(), routed.json()
    assert a.keys() == b.keys()
    assert {k: v for k, v in a.items() if k not in _PER_JOB} == {
        k: v for k, v in b.items() if k not in _PER_JOB
    }
    assert fast.headers["content-type"] == routed.headers["content-type"] == "application/json"
    for answer in (fast, routed):
        assert answer.headers["location"] == f"/v1/jobs/{answer.json()['id']}"


def test_routed_errors_keep_field_level_messages(client: TestClient) -> None:
    answer = client.post("/v1/jobs", json=_body(time_limit=10_000_000), headers=ALICE)
    assert answer.status_code == 422
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert any(e["field"] == "time_limit" for e in answer.json()["errors"])
