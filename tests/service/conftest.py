"""Fixtures of the API tests: an app on a temporary data directory, clients with keys."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from smartwms.service import ServiceSettings, create_app

from ..jobs.payloads import slow_payload, small_instance

# Re-exported for the test modules, which import their helpers from here.
__all__ = ["ALICE", "BOB", "TERMINAL", "slow_payload", "small_instance", "wait_for"]

ALICE = {"Authorization": "Bearer key-alice"}
BOB = {"X-API-Key": "key-bob"}
TERMINAL = ("succeeded", "failed", "cancelled")


def wait_for(
    client: TestClient,
    job_id: str,
    states: tuple[str, ...] = TERMINAL,
    headers: dict[str, str] = ALICE,
    timeout: float = 90.0,
) -> dict[str, Any]:
    """Poll a job until it reaches one of ``states``."""
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = client.get(f"/v1/jobs/{job_id}", headers=headers).json()
        if job["state"] in states:
            return job
        time.sleep(0.05)
    raise AssertionError(f"job {job_id} not in {states} after {timeout} s: {job}")


def _wait_for_a_warm_worker(client: TestClient, timeout: float = 300.0) -> None:
    """Wait until a worker is warm, so a test's job timeouts measure the job, not start-up.

    A worker's start-up (seconds of CPU importing solvers and loading kernels) can take
    minutes of wall time on a machine shared by a loaded CI run.
    """
    import time

    executor = client.app.state.smartwms.executor  # type: ignore[attr-defined]
    deadline = time.monotonic() + timeout
    while getattr(executor, "ready_workers", 1) < 1:
        assert time.monotonic() < deadline, f"no worker warm after {timeout} s"
        time.sleep(0.05)


@pytest.fixture
def make_client(tmp_path: Path) -> Callable[..., Any]:
    """``with make_client(**settings) as client``: a running app (lifespan, workers)."""

    @contextmanager
    def factory(**overrides: Any) -> Iterator[TestClient]:
        values: dict[str, Any] = {
            "data_dir": tmp_path / "data",
            "api_keys": "alice=key-alice,bob=key-bob",
            "workers": 1,
        }
        values.update(overrides)
        with TestClient(create_app(ServiceSettings(**values))) as client:
            _wait_for_a_warm_worker(client)
            yield client

    return factory


@pytest.fixture
def client(make_client: Callable[..., Any]) -> Iterator[TestClient]:
    """A running app with keys for alice and bob and one worker."""
    with make_client() as test_client:
        yield test_client


def routing_instance(aisles: int = 10, cells: int = 30, picks: int = 3) -> dict[str, Any]:
    """A parallel-aisle warehouse with one SKU per location and two orders.

    Order ``BIG`` has ``picks`` lines spread over the aisles; ``SMALL`` has three.
    """
    locations = [
        {"id": f"A{a}-C{c}", "aisle": a, "cell": c} for a in range(aisles) for c in range(cells)
    ]
    step = max(1, len(locations) // max(1, picks))
    big = [{"sku": f"S{i}"} for i in range(0, len(locations), step)][:picks]
    return {
        "layout": {
            "kind": "parallel-aisle",
            "n_aisles": aisles,
            "aisle_spacing": 3,
            "cells_per_block": cells,
            "cell_length": 1,
        },
        "locations": locations,
        "skus": [{"id": f"S{i}"} for i in range(len(locations))],
        "stock": [
            {"sku": f"S{i}", "location": loc["id"], "quantity": 10}
            for i, loc in enumerate(locations)
        ],
        "orders": [
            {"id": "BIG", "lines": big},
            {"id": "SMALL", "lines": [{"sku": "S1"}, {"sku": "S40"}, {"sku": "S77"}]},
        ],
        "stations": [{"id": "depot", "aisle": 0, "cross_aisle": 1}],
    }
