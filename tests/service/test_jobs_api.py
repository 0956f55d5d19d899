"""The jobs resource through TestClient: submit, poll, result, list, cancel, events, solve."""

from __future__ import annotations

import json
import time

from fastapi.testclient import TestClient

from smartwms.layout import distance_matrix
from smartwms.model import Instance

from .conftest import ALICE, BOB, slow_payload, small_instance, wait_for


def _submit(client: TestClient, payload: dict, headers: dict = ALICE, **extra: object):
    return client.post(
        "/v1/jobs", json={"kind": "distance-matrix", "payload": payload, **extra}, headers=headers
    )


def test_submit_poll_result(client: TestClient) -> None:
    answer = _submit(client, {"instance": small_instance(), "points": ["D", "L3", "L8"]})
    assert answer.status_code == 202
    job = answer.json()
    assert answer.headers["Location"] == f"/v1/jobs/{job['id']}"
    assert {job["kind"], job["state"]} == {"distance-matrix", "queued"}
    done = wait_for(client, job["id"])
    assert done["state"] == "succeeded" and done["progress"] == 1.0
    assert done["run_seconds"] >= 0 and done["queue_seconds"] >= 0
    result = client.get(f"/v1/jobs/{job['id']}/result", headers=ALICE).json()
    expected = distance_matrix(Instance.model_validate(small_instance()), ["D", "L3", "L8"])
    assert result["result"]["matrix"] == expected.tolist()
    assert result["state"] == "succeeded"


def test_keys_see_only_their_own_jobs(client: TestClient) -> None:
    job_id = _submit(client, {"instance": small_instance()}).json()["id"]
    for path in (f"/v1/jobs/{job_id}", f"/v1/jobs/{job_id}/result"):
        assert client.get(path, headers=BOB).status_code == 404
    assert client.delete(f"/v1/jobs/{job_id}", headers=BOB).status_code == 404
    assert client.get("/v1/jobs", headers=BOB).json()["items"] == []
    assert [j["id"] for j in client.get("/v1/jobs", headers=ALICE).json()["items"]] == [job_id]


def test_idempotency_key_returns_the_same_job(client: TestClient) -> None:
    headers = {**ALICE, "Idempotency-Key": "order-42"}
    first = _submit(client, {"instance": small_instance()}, headers=headers)
    again = _submit(client, {"instance": small_instance()}, headers=headers)
    assert first.status_code == again.status_code == 202
    assert first.json()["id"] == again.json()["id"]
    assert again.headers["Idempotent-Replayed"] == "true"
    other = _submit(client, {"instance": small_instance(), "points": ["D"]}, headers=headers)
    assert other.status_code == 409
    assert other.headers["content-type"] == "application/problem+json"
    assert len(client.get("/v1/jobs", headers=ALICE).json()["items"]) == 1


def test_cancel_running_keeps_best_and_cancel_queued(client: TestClient) -> None:
    running = _submit(client, slow_payload()).json()["id"]
    queued = _submit(client, slow_payload()).json()["id"]
    job = wait_for(client, running, ("running",))
    # Wait for some rows: the answer kept must be a real partial matrix.
    deadline = time.monotonic() + 60
    while (job["progress"] or 0) == 0 and time.monotonic() < deadline:
        time.sleep(0.05)
        job = client.get(f"/v1/jobs/{running}", headers=ALICE).json()
    assert job["progress"] > 0 and job["state"] == "running"
    assert client.get(f"/v1/jobs/{running}/result", headers=ALICE).status_code == 409
    stopping = client.delete(f"/v1/jobs/{running}", headers=ALICE)
    assert stopping.status_code == 202 and stopping.json()["cancel_requested"]
    gone = client.delete(f"/v1/jobs/{queued}", headers=ALICE)
    assert gone.status_code == 200 and gone.json()["state"] == "cancelled"
    assert wait_for(client, running)["state"] == "cancelled"
    result = client.get(f"/v1/jobs/{running}/result", headers=ALICE).json()
    assert result["state"] == "cancelled"
    assert result["result"]["complete"] is False and result["result"]["matrix"]
    no_result = client.get(f"/v1/jobs/{queued}/result", headers=ALICE)
    assert no_result.status_code == 409 and "before any solution" in no_result.json()["detail"]
    again = client.delete(f"/v1/jobs/{running}", headers=ALICE)
    assert again.status_code == 200 and again.json()["state"] == "cancelled"


def test_time_limit_is_honoured(client: TestClient) -> None:
    job_id = _submit(client, slow_payload(), time_limit=1.0).json()["id"]
    job = wait_for(client, job_id)
    assert job["state"] == "succeeded" and job["time_limit"] == 1.0
    # A full matrix takes tens of seconds; stopping at 1 s leaves a generous margin on a busy CI.
    assert job["run_seconds"] < 30
    result = client.get(f"/v1/jobs/{job_id}/result", headers=ALICE).json()["result"]
    assert result["status"] == "time_limit"


def test_time_limit_above_server_cap_is_rejected(client: TestClient) -> None:
    answer = _submit(client, {"instance": small_instance()}, time_limit=10**6)
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["field"] == "time_limit"


def test_list_pages_and_filters(client: TestClient) -> None:
    ids = [_submit(client, {"instance": small_instance()}).json()["id"] for _ in range(5)]
    page = client.get("/v1/jobs", params={"limit": 3}, headers=ALICE).json()
    rest = client.get(
        "/v1/jobs", params={"limit": 3, "cursor": page["next_cursor"]}, headers=ALICE
    ).json()
    assert [j["id"] for j in page["items"] + rest["items"]] == ids
    assert rest["next_cursor"] is None
    client.delete(f"/v1/jobs/{ids[-1]}", headers=ALICE)
    for job_id in ids[:-1]:
        wait_for(client, job_id)
    cancelled = client.get("/v1/jobs", params={"state": "cancelled"}, headers=ALICE).json()
    succeeded = client.get(
        "/v1/jobs", params={"state": "succeeded", "kind": "distance-matrix"}, headers=ALICE
    ).json()
    assert len(cancelled["items"]) + len(succeeded["items"]) == 5
    none = client.get("/v1/jobs", params={"kind": "routing-x"}, headers=ALICE).json()
    assert none["items"] == []


def test_events_stream_progress_until_the_end(client: TestClient) -> None:
    job_id = _submit(client, {"instance": small_instance()}).json()["id"]
    with client.stream("GET", f"/v1/jobs/{job_id}/events", headers=ALICE) as stream:
        assert stream.headers["content-type"].startswith("text/event-stream")
        text = "".join(stream.iter_text())
    events = [block for block in text.split("\n\n") if block.strip()]
    assert events[-1].startswith("event: end")
    jobs = [json.loads(e.split("data: ", 1)[1]) for e in events if e.startswith("event: job")]
    assert jobs[-1]["state"] == "succeeded" and all(j["id"] == job_id for j in jobs)


def test_sync_solve_small_and_size_cap(client: TestClient) -> None:
    answer = client.post(
        "/v1/solve",
        json={"kind": "distance-matrix", "payload": {"instance": small_instance()}},
        headers=ALICE,
    )
    assert answer.status_code == 200
    ids = ["D", *(f"L{i}" for i in range(10))]
    expected = distance_matrix(Instance.model_validate(small_instance()), ids)
    assert answer.json()["result"]["matrix"] == expected.tolist()
    # 600 points x 600 targets = 360,000 cells > the cap of 250,000.
    too_big = {"instance": slow_payload(600)["instance"]}
    big = client.post(
        "/v1/solve", json={"kind": "distance-matrix", "payload": too_big}, headers=ALICE
    )
    assert big.status_code == 422 and "POST /v1/jobs" in big.json()["detail"]


def test_kinds_list(client: TestClient) -> None:
    kinds = {k["name"]: k for k in client.get("/v1/kinds", headers=ALICE).json()}
    assert kinds["distance-matrix"]["sync_limit"] == 250_000
