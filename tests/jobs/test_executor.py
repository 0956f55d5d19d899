"""The local executor with real worker processes: concurrency, cancellation, dead workers."""

from __future__ import annotations

import json
import os
import signal
import time
from collections.abc import Callable

import pytest

from smartwms.jobs import Job, JobState, JobStore, LocalExecutor

from .conftest import slow_payload, small_instance


def _wait(predicate: Callable[[], bool], timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError("condition not met in time")


@pytest.fixture
def executor(store: JobStore) -> LocalExecutor:
    finished: list[Job] = []
    ex = LocalExecutor(store, workers=2, grace=2.0, on_finished=finished.append)
    ex.finished = finished  # type: ignore[attr-defined]
    ex.start()
    yield ex
    ex.shutdown()
    assert not ex._slots


def _submit(store: JobStore, payload: dict[str, object], time_limit: float = 30) -> str:
    job, _ = store.submit("alice", "distance-matrix", json.dumps(payload), time_limit=time_limit)
    return job.id


def test_runs_jobs_with_at_most_two_at_once(store: JobStore, executor: LocalExecutor) -> None:
    slow = [_submit(store, slow_payload()) for _ in range(3)]
    quick = _submit(store, {"instance": small_instance()})
    _wait(lambda: store.counts_by_state()[JobState.RUNNING] == 2)
    time.sleep(0.5)
    counts = store.counts_by_state()
    assert counts[JobState.RUNNING] == 2 and counts[JobState.QUEUED] == 2
    for job_id in slow:
        store.request_cancel(job_id)
    executor.wake()
    _wait(lambda: store.get(quick).state is JobState.SUCCEEDED)
    _wait(lambda: all(store.get(j).terminal for j in slow))
    assert {store.get(j).state for j in slow} == {JobState.CANCELLED}
    # The third slow job was cancelled while queued: it never ran, so no worker reported it.
    _wait(lambda: len(executor.finished) == 3)  # type: ignore[attr-defined]
    ran = sorted(j.id for j in executor.finished)  # type: ignore[attr-defined]
    assert ran == sorted([*slow[:2], quick])
    assert store.get(slow[2]).attempt == 0


def test_dead_worker_fails_its_job_and_is_replaced(
    store: JobStore, executor: LocalExecutor
) -> None:
    job_id = _submit(store, slow_payload())
    _wait(lambda: store.get(job_id).state is JobState.RUNNING)
    _wait(lambda: (store.get(job_id).progress or 0) > 0)
    before = set(executor.worker_pids())
    victim = next(
        s.process.pid for s in executor._slots if s.job is not None and s.job.id == job_id
    )
    os.kill(victim, signal.SIGKILL)
    _wait(lambda: store.get(job_id).state is JobState.FAILED)
    assert "worker process died" in store.get(job_id).error
    _wait(lambda: len(set(executor.worker_pids()) - before) == 1)
    quick = _submit(store, {"instance": small_instance()})
    _wait(lambda: store.get(quick).state is JobState.SUCCEEDED)
