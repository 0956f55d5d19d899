"""The local executor with real worker processes: concurrency, cancellation, dead workers."""

from __future__ import annotations

import json
import os
import signal
import time
from collections.abc import Callable, Iterator

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


@pytest.fixture
def start_executor(store: JobStore) -> Iterator[Callable[..., LocalExecutor]]:
    """``start_executor(grace=..., workers=...)``: a started executor, shut down afterwards."""
    started: list[LocalExecutor] = []

    def start(grace: float, workers: int = 1) -> LocalExecutor:
        ex = LocalExecutor(store, workers=workers, grace=grace)
        ex.start()
        started.append(ex)
        return ex

    yield start
    for ex in started:
        ex.shutdown()


# Burns CPU at start-up, as a worker compiling its kernels on a fresh install does.
_SLOW_START = """
    import time
    _until = time.process_time() + 2.0
    while time.process_time() < _until:
        pass
"""


def test_worker_start_up_is_not_charged_to_a_job(
    store: JobStore,
    worker_hook: Callable[[str], None],
    start_executor: Callable[..., LocalExecutor],
) -> None:
    # Queued before the worker is warm: the job waits for it instead of spending its time
    # limit (and the overrun guard's grace) on the worker's start-up.
    worker_hook(_SLOW_START)
    job_id = _submit(store, {"instance": small_instance()}, time_limit=1.0)
    start_executor(grace=0.2)
    _wait(lambda: store.get(job_id).terminal)
    job = store.get(job_id)
    assert job.state is JobState.SUCCEEDED, job.error


def test_worker_starved_of_cpu_is_not_killed(
    store: JobStore, start_executor: Callable[..., LocalExecutor]
) -> None:
    # A busy machine may give a worker no CPU for a while (here: SIGSTOP): past its time
    # limit and grace in wall time, it has not overrun in CPU time, so it must not be killed.
    executor = start_executor(grace=1.0)
    job_id = _submit(store, slow_payload(), time_limit=1.0)
    _wait(lambda: (store.get(job_id).progress or 0) > 0)
    worker = executor.worker_pids()[0]
    os.kill(worker, signal.SIGSTOP)
    try:
        time.sleep(4.0)
    finally:
        os.kill(worker, signal.SIGCONT)
    _wait(lambda: store.get(job_id).terminal)
    job = store.get(job_id)
    assert job.state is JobState.SUCCEEDED, job.error
    assert json.loads(store.result(job_id))["status"] == "time_limit"
    assert executor.worker_pids() == [worker]


# A job kind whose solver ignores its stop signal and burns CPU until killed.
_SPINNING_KIND = """
    from pydantic import BaseModel
    from smartwms.jobs.kinds import JobKind, register_kind

    class _Nothing(BaseModel):
        pass

    def _spin(payload, stop, progress):
        while True:
            pass

    register_kind(JobKind(name="test-spin", payload_model=_Nothing, run=_spin, summary="spins"))
"""


def test_solver_ignoring_its_stop_is_killed_on_cpu_time(
    store: JobStore,
    worker_hook: Callable[[str], None],
    start_executor: Callable[..., LocalExecutor],
) -> None:
    worker_hook(_SPINNING_KIND)
    executor = start_executor(grace=0.5)
    job, _ = store.submit("alice", "test-spin", "{}", time_limit=0.5)
    executor.wake()
    _wait(lambda: store.get(job.id).terminal, timeout=120)
    failed = store.get(job.id)
    assert failed.state is JobState.FAILED
    assert "did not stop within 0.5 s after its time limit of 0.5 s" in failed.error
    assert "s of CPU time" in failed.error
    # The worker was replaced and takes jobs again.
    quick = _submit(store, {"instance": small_instance()})
    executor.wake()
    _wait(lambda: store.get(quick).state is JobState.SUCCEEDED)
