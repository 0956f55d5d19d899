"""Operations: health, readiness, Prometheus metrics, JSON logs and signed webhooks."""

from __future__ import annotations

import json
import logging
import socket
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from fastapi.testclient import TestClient

from smartwms.jobs.webhooks import SIGNATURE_HEADER, verify_signature
from smartwms.service.logs import JsonFormatter

from .conftest import ALICE, small_instance, wait_for


def test_health_and_readiness(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok", "detail": {}}
    ready = client.get("/readyz").json()
    assert ready["status"] == "ready" and ready["detail"]["workers"] == 1
    assert ready["detail"]["workers_ready"] == 1  # the client fixture waits for a warm worker


def test_metrics_count_jobs_by_state_and_solve_seconds(client: TestClient) -> None:
    job_id = client.post(
        "/v1/jobs",
        json={"kind": "distance-matrix", "payload": {"instance": small_instance()}},
        headers=ALICE,
    ).json()["id"]
    wait_for(client, job_id)
    for _ in range(600):  # up to 30 s on a busy machine
        text = client.get("/metrics").text
        if 'smartwms_job_solve_seconds_count{kind="distance-matrix",state="succeeded"} 1.0' in text:
            break
        time.sleep(0.05)
    assert 'smartwms_jobs{state="succeeded"} 1.0' in text
    assert 'smartwms_jobs{state="queued"} 0.0' in text
    assert 'smartwms_jobs_submitted_total{kind="distance-matrix"} 1.0' in text
    assert 'smartwms_job_solve_seconds_count{kind="distance-matrix",state="succeeded"} 1.0' in text


def test_log_records_are_json() -> None:
    record = logging.LogRecord("smartwms", logging.INFO, __file__, 1, "hello %s", ("x",), None)
    record.job_id = "j1"
    entry = json.loads(JsonFormatter().format(record))
    assert entry["message"] == "hello x" and entry["job_id"] == "j1" and entry["level"] == "INFO"


class _Receiver:
    """A webhook receiver on 127.0.0.1 that fails its first ``failures`` deliveries."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.calls: list[tuple[dict[str, str], bytes]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.calls.append((dict(self.headers), body))
                self.send_response(500 if len(receiver.calls) <= receiver.failures else 204)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[_Receiver]:
    hook = _Receiver(failures=2)
    yield hook
    hook.close()


def test_webhook_is_signed_and_retried(
    make_client: Callable[..., Any], receiver: _Receiver
) -> None:
    with make_client(
        webhook_secret="whsec-test",
        webhook_backoff=0.05,
        webhook_allow_private=True,
        webhook_allowed_hosts="127.0.0.1",
    ) as client:
        job_id = client.post(
            "/v1/jobs",
            json={
                "kind": "distance-matrix",
                "payload": {"instance": small_instance()},
                "webhook_url": receiver.url,
            },
            headers=ALICE,
        ).json()["id"]
        wait_for(client, job_id)
        for _ in range(600):  # up to 30 s on a busy machine
            if client.get(f"/v1/jobs/{job_id}", headers=ALICE).json()["webhook_status"] != (
                "pending"
            ):
                break
            time.sleep(0.05)
        assert client.get(f"/v1/jobs/{job_id}", headers=ALICE).json()["webhook_status"] == (
            "delivered"
        )
    assert len(receiver.calls) == 3
    headers, body = receiver.calls[-1]
    assert headers["Smartwms-Delivery-Attempt"] == "3"
    assert verify_signature("whsec-test", headers[SIGNATURE_HEADER], body)
    assert not verify_signature("wrong-secret", headers[SIGNATURE_HEADER], body)
    sent = json.loads(body)
    assert sent["event"] == "job.finished"
    assert sent["job"]["id"] == job_id and sent["job"]["state"] == "succeeded"


def _hooked(client: TestClient, url: str) -> Any:
    return client.post(
        "/v1/jobs",
        json={
            "kind": "distance-matrix",
            "payload": {"instance": small_instance()},
            "webhook_url": url,
        },
        headers=ALICE,
    )


def test_webhook_urls_outside_the_configuration_are_refused_at_submit(
    make_client: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    def refused(answer: Any, reason: str) -> None:
        assert answer.status_code == 422, answer.text
        assert answer.headers["content-type"].startswith("application/problem+json")
        (error,) = answer.json()["errors"]
        assert error["field"] == "webhook_url" and reason in error["message"], error

    with make_client() as client:  # the default: public addresses only
        refused(_hooked(client, "http://127.0.0.1:9/hook"), "loopback or private")
        refused(_hooked(client, "http://169.254.169.254/latest"), "loopback or private")
        refused(_hooked(client, "http://localhost/hook"), "loopback or private")
    monkeypatch.setenv("SMARTWMS_WEBHOOK_SCHEMES", "https")
    monkeypatch.setenv("SMARTWMS_WEBHOOK_ALLOWED_HOSTS", "*.example.com")
    with make_client() as client:  # settings from the environment
        refused(_hooked(client, "http://hooks.example.com/x"), "scheme 'http' is not allowed")
        refused(_hooked(client, "https://example.org/x"), "allowed webhook hosts")
        assert client.get("/v1/jobs", headers=ALICE).json()["items"] == []


def test_webhook_to_a_name_resolving_inside_is_refused_at_delivery(
    make_client: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    def inside(host: str, *args: Any, **kwargs: Any) -> list[Any]:
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.0.0.7", 443))]

    monkeypatch.setattr(socket, "getaddrinfo", inside)
    with make_client() as client:
        answer = _hooked(client, "https://inside.example.com/hook")
        assert answer.status_code == 202, answer.text
        job_id = answer.json()["id"]
        wait_for(client, job_id)
        for _ in range(600):
            status = client.get(f"/v1/jobs/{job_id}", headers=ALICE).json()["webhook_status"]
            if status != "pending":
                break
            time.sleep(0.05)
        assert status == "refused"
