"""Fixtures of the job-machinery tests: a store in a temporary folder and payloads."""

from __future__ import annotations

from pathlib import Path

import pytest

from smartwms.jobs import JobStore

from .payloads import slow_payload, small_instance

__all__ = ["slow_payload", "small_instance", "store"]


@pytest.fixture
def store(tmp_path: Path) -> JobStore:
    """An empty job store."""
    job_store = JobStore(tmp_path / "jobs.sqlite3")
    yield job_store
    job_store.close()
