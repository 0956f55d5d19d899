"""Fixtures of the job-machinery tests: a store in a temporary folder and payloads."""

from __future__ import annotations

import os
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from smartwms.jobs import JobStore

from .payloads import slow_payload, small_instance

__all__ = ["slow_payload", "small_instance", "store", "worker_hook"]


@pytest.fixture
def store(tmp_path: Path) -> JobStore:
    """An empty job store."""
    job_store = JobStore(tmp_path / "jobs.sqlite3")
    yield job_store
    job_store.close()


@pytest.fixture
def worker_hook(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[[str], None]:
    """``worker_hook(code)``: worker processes started from now on run ``code`` at start-up.

    The code goes into a ``sitecustomize`` module on the workers' ``PYTHONPATH`` (the test
    process itself has started already and is not affected): a way to make start-up slow or
    to register a misbehaving job kind in the workers without touching the product code.
    """

    def install(code: str) -> None:
        folder = tmp_path / "worker-hook"
        folder.mkdir(exist_ok=True)
        (folder / "sitecustomize.py").write_text(textwrap.dedent(code))
        path = [str(folder), *filter(None, [os.environ.get("PYTHONPATH")])]
        monkeypatch.setenv("PYTHONPATH", os.pathsep.join(path))

    return install
