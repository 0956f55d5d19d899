"""End to end against a real server process (uvicorn on 127.0.0.1, a free port).

Submit, poll, result, cancel with best-so-far, then kill -9 mid-solve and restart on the same
data directory: no job is lost or duplicated, and the orphaned worker goes away.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from smartwms.model import Instance, PickRoute
from smartwms.routing import check_route

from .conftest import routing_instance, small_instance

KEY = {"Authorization": "Bearer e2e-key"}
TERMINAL = ("succeeded", "failed", "cancelled")
CRASH_TIME_LIMIT = 5
_START_TIMEOUT = 240


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    """``smartwms serve`` in a subprocess."""

    def __init__(self, data_dir: Path) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {
            **os.environ,
            "SMARTWMS_API_KEYS": "e2e=e2e-key",
            "SMARTWMS_LOG_LEVEL": "WARNING",
        }
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "smartwms.cli",
                "serve",
                "--port",
                str(self.port),
                "--data-dir",
                str(data_dir),
                "--workers",
                "1",
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.client = httpx.Client(base_url=self.url, headers=KEY, timeout=10)
        # Start-up imports every solver's schema: seconds of CPU, minutes of wall time on a
        # machine shared by a loaded CI run (measured: 6 s of CPU in 62 s).
        deadline = time.monotonic() + _START_TIMEOUT
        while time.monotonic() < deadline:
            try:
                ready = self.client.get("/readyz")
                # Ready, and a worker warm: the jobs' timeouts below then measure the jobs.
                if ready.status_code == 200 and ready.json()["detail"]["workers_ready"] > 0:
                    return
            except httpx.TransportError:
                pass
            assert self.process.poll() is None, "server exited during start-up"
            time.sleep(0.1)
        self.stop()
        raise AssertionError(f"server not ready in {_START_TIMEOUT} s")

    def children(self) -> list[int]:
        """Process ids whose parent is the server (its workers)."""
        found = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    stat = (entry / "stat").read_text()
                except OSError:
                    continue
                if int(stat.rsplit(")", 1)[1].split()[1]) == self.process.pid:
                    found.append(int(entry.name))
        return found

    def wait(self, job_id: str, states: tuple[str, ...] = TERMINAL, timeout: float = 90) -> Any:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            job = self.client.get(f"/v1/jobs/{job_id}").json()
            if job["state"] in states:
                return job
            time.sleep(0.05)
        raise AssertionError(f"job {job_id} not in {states}: {job}")

    def stop(self) -> None:
        self.client.close()
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)


@pytest.fixture
def servers(tmp_path: Path) -> Iterator[list[Server]]:
    started: list[Server] = []
    yield started
    for server in started:
        server.stop()


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    # A zombie whose parent died is reaped by init; treat "Z" as gone.
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True


def test_submit_cancel_crash_and_restart(tmp_path: Path, servers: list[Server]) -> None:
    data = tmp_path / "data"
    server = Server(data)
    servers.append(server)

    # Submit, poll, result.
    quick = server.client.post(
        "/v1/jobs", json={"kind": "distance-matrix", "payload": {"instance": small_instance()}}
    )
    assert quick.status_code == 202 and quick.headers["location"].endswith(quick.json()["id"])
    assert server.wait(quick.json()["id"])["state"] == "succeeded"
    matrix = server.client.get(f"/v1/jobs/{quick.json()['id']}/result").json()["result"]
    assert len(matrix["matrix"]) == 11

    # Cancel a long OR-Tools search: the best tour found so far is kept and is valid.
    instance = routing_instance(picks=60)
    long_search = {
        "kind": "routing",
        "payload": {
            "instance": instance,
            "orders": ["BIG"],
            "method": "ortools",
            "params": {"time_limit": 120},
        },
    }
    job_id = server.client.post("/v1/jobs", json=long_search).json()["id"]
    server.wait(job_id, ("running",))
    time.sleep(1.0)
    assert server.client.delete(f"/v1/jobs/{job_id}").status_code == 202
    assert server.wait(job_id)["state"] == "cancelled"
    best = server.client.get(f"/v1/jobs/{job_id}/result").json()["result"]
    assert best["status"] == "cancelled"
    check_route(Instance.model_validate(instance), PickRoute.model_validate(best["routes"][0]))

    # kill -9 mid-solve with jobs queued behind the running one. The solve must still be
    # running when the kill lands: its time limit leaves a busy machine seconds to get there.
    crash = {**long_search, "time_limit": CRASH_TIME_LIMIT}
    crash_job = server.client.post(
        "/v1/jobs", json=crash, headers={"Idempotency-Key": "crash"}
    ).json()["id"]
    queued = [
        server.client.post(
            "/v1/jobs",
            json={"kind": "distance-matrix", "payload": {"instance": small_instance()}},
        ).json()["id"]
        for _ in range(3)
    ]
    server.wait(crash_job, ("running",))
    workers = server.children()
    assert workers, "the server has no worker processes"
    server.process.send_signal(signal.SIGKILL)
    server.process.wait(timeout=10)

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not all(_gone(pid) for pid in workers):
        time.sleep(0.1)
    assert all(_gone(pid) for pid in workers), "orphaned workers outlived the server"

    restarted = Server(data)
    servers.append(restarted)
    # The retried submission still maps to the same job after the crash.
    again = restarted.client.post("/v1/jobs", json=crash, headers={"Idempotency-Key": "crash"})
    assert again.json()["id"] == crash_job
    final = restarted.wait(crash_job)
    assert final["state"] == "succeeded" and final["attempts"] == 2, final
    for job in queued:
        assert restarted.wait(job)["state"] == "succeeded"
    listed = restarted.client.get("/v1/jobs", params={"limit": 500}).json()["items"]
    ids = [job["id"] for job in listed]
    assert len(ids) == len(set(ids)) == 6
    assert set(ids) == {quick.json()["id"], job_id, crash_job, *queued}
