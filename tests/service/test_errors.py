"""Every error is RFC 9457 problem+json with a useful detail and no stack trace."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from smartwms.service.problems import install_problem_handlers

from .conftest import ALICE, small_instance

ANY_SURROGATE = "contains an unpaired UTF-16 surrogate escape (not valid Unicode)"


def _problem(answer: Any, status: int) -> dict[str, Any]:
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    body = answer.json()
    assert body["status"] == status and body["type"].startswith("https://")
    assert body["title"] and body["detail"]
    assert "Traceback" not in answer.text and 'File "' not in answer.text
    return body


def test_401_without_or_with_a_wrong_key(client: TestClient) -> None:
    _problem(client.get("/v1/jobs"), 401)
    body = _problem(client.get("/v1/jobs", headers={"Authorization": "Bearer nope"}), 401)
    assert "API key" in body["detail"]


def test_404_unknown_job_and_route(client: TestClient) -> None:
    _problem(client.get("/v1/jobs/not-a-job", headers=ALICE), 404)
    _problem(client.get("/v1/nothing-here", headers=ALICE), 404)


def test_405_wrong_method(client: TestClient) -> None:
    _problem(client.put("/v1/jobs", headers=ALICE), 405)


def test_422_field_level_messages(client: TestClient) -> None:
    body = _problem(
        client.post(
            "/v1/jobs",
            json={
                "kind": "distance-matrix",
                "payload": {"instance": small_instance(), "points": ["D", "ZZ"]},
            },
            headers=ALICE,
        ),
        422,
    )
    assert "points[1]" in body["detail"] and "'ZZ'" in body["detail"]
    unknown = _problem(
        client.post("/v1/jobs", json={"kind": "teleport", "payload": {}}, headers=ALICE), 422
    )
    assert unknown["errors"][0]["field"] == "kind"
    assert "distance-matrix" in unknown["errors"][0]["message"]


def test_422_instance_problem_names_the_field(client: TestClient) -> None:
    inst = small_instance()
    inst["locations"][2]["aisle"] = 9
    body = _problem(
        client.post(
            "/v1/jobs",
            json={"kind": "distance-matrix", "payload": {"instance": inst}},
            headers=ALICE,
        ),
        422,
    )
    assert {"field": "payload.instance.locations[2].aisle", "message": "aisle 9 outside 0..2"} in (
        body["errors"]
    )


def test_422_malformed_json(client: TestClient) -> None:
    answer = client.post(
        "/v1/jobs", content=b"{not json", headers={**ALICE, "Content-Type": "application/json"}
    )
    _problem(answer, 422)


def test_413_body_too_large(make_client: Callable[..., Any]) -> None:
    with make_client(max_body_bytes=4096) as client:
        big = {
            "kind": "distance-matrix",
            "payload": {"instance": small_instance()},
            "padding": "x" * 10_000,
        }
        body = _problem(client.post("/v1/jobs", json=big, headers=ALICE), 413)
        assert "4096" in body["detail"]

        def chunks() -> Any:
            for _ in range(10):
                yield b"x" * 1000

        streamed = client.post(
            "/v1/jobs", content=chunks(), headers={**ALICE, "Content-Type": "application/json"}
        )
        _problem(streamed, 413)


def test_500_is_a_problem_without_trace() -> None:
    app = FastAPI()
    install_problem_handlers(app)

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("secret internals /etc/passwd")

    with TestClient(app, raise_server_exceptions=False) as client:
        answer = client.get("/boom")
        body = _problem(answer, 500)
    assert "secret" not in str(body)
    # The server drops the connection after an unhandled error; the answer says so, so a
    # client does not send its next request down a connection about to be reset.
    assert answer.headers["connection"] == "close"


@pytest.mark.parametrize("cursor", ["abc", "-1", "9223372036854775808", "99999999999999999999"])
def test_bad_query_parameters(client: TestClient, cursor: str) -> None:
    _problem(client.get("/v1/jobs", params={"cursor": cursor}, headers=ALICE), 422)
    _problem(client.get("/v1/jobs", params={"state": "sleeping"}, headers=ALICE), 422)


def _post_json(client: TestClient, path: str, text: str) -> Any:
    return client.post(path, content=text, headers={**ALICE, "Content-Type": "application/json"})


@pytest.mark.parametrize("path", ["/v1/jobs", "/v1/solve", "/v1/instances"])
def test_unpaired_surrogate_is_refused_naming_the_field(client: TestClient, path: str) -> None:
    instance = {**small_instance(), "name": "\ud800 depot"}
    text = json.dumps(instance if path == "/v1/instances" else _job(instance))
    body = _problem(_post_json(client, path, text), 422)
    field = "name" if path == "/v1/instances" else "payload.instance.name"
    assert body["errors"] == [{"field": field, "message": ANY_SURROGATE}]
    # A surrogate pair is a real character (an emoji): accepted.
    fine = {**small_instance(), "name": "\U0001f4e6 depot"}
    text = json.dumps(fine if path == "/v1/instances" else _job(fine))
    assert _post_json(client, path, text).status_code in (200, 201, 202)


@pytest.mark.parametrize(
    ("where", "number"),
    [
        ("payload.instance.layout.cells_per_block", "9223372036854775808"),
        ("payload.instance.layout.n_aisles", "-9223372036854775809"),
        ("time_limit", "1" + "0" * 5000),
    ],
)
def test_integer_beyond_64_bits_is_refused_naming_the_field(
    client: TestClient, where: str, number: str
) -> None:
    document = _job(small_instance())
    document["time_limit"] = 5
    target: Any = document
    *parents, last = where.split(".")
    for part in parents:
        target = target[part]
    target[last] = "NUMBER"
    for path in ("/v1/jobs", "/v1/solve"):
        text = json.dumps(document).replace('"NUMBER"', number)
        body = _problem(_post_json(client, path, text), 422)
        assert body["errors"][0]["field"] == where
        assert "64-bit range" in body["errors"][0]["message"]


def _job(instance: dict[str, Any]) -> dict[str, Any]:
    return {"kind": "distance-matrix", "payload": {"instance": instance}}
