"""Fixtures of the console tests: one running app per module, a fresh cookie jar per user."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from smartwms.service import ServiceSettings, create_app

from ..conftest import ALICE, wait_for
from .helpers import example, sign_in


@pytest.fixture(scope="module")
def console_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """A running app (lifespan, two workers) shared by a module's tests."""
    settings = ServiceSettings(
        data_dir=tmp_path_factory.mktemp("console") / "data",
        api_keys="alice=key-alice,bob=key-bob",
        workers=2,
    )
    with TestClient(create_app(settings)) as client:
        yield client


@pytest.fixture
def browser_as(console_app: TestClient) -> Callable[[str], TestClient]:
    """``browser_as(key)``: a client of the shared app with its own cookies, signed in."""

    def make(key: str) -> TestClient:
        client = TestClient(console_app.app)  # the app is already running: no second lifespan
        sign_in(client, key)
        return client

    return make


@pytest.fixture
def console(browser_as: Callable[[str], TestClient]) -> TestClient:
    """Alice's browser."""
    return browser_as("key-alice")


_FINISHED: dict[tuple[int, str], tuple[str, dict[str, Any]]] = {}


@pytest.fixture
def finished(console_app: TestClient) -> Callable[[str], tuple[str, dict[str, Any]]]:
    """``finished(kind)``: the id and result of alice's job from ``api/examples`` (run once)."""

    def run(kind: str) -> tuple[str, dict[str, Any]]:
        key = (id(console_app), kind)
        if key not in _FINISHED:
            request = example(kind)
            request["time_limit"] = 120
            answer = console_app.post("/v1/jobs", json=request, headers=ALICE)
            assert answer.status_code == 202, answer.text
            job_id = answer.json()["id"]
            job = wait_for(console_app, job_id, timeout=240)
            assert job["state"] == "succeeded", job
            result = console_app.get(f"/v1/jobs/{job_id}/result", headers=ALICE).json()
            _FINISHED[key] = (job_id, result["result"])
        return _FINISHED[key]

    return run
