"""The job store: life cycle, attempt guards, idempotency, cancellation and crash recovery."""

from __future__ import annotations

import json
import threading

import pytest

from smartwms.jobs import IdempotencyConflict, JobState, JobStore, request_fingerprint


def _submit(store: JobStore, owner: str = "alice", **kw: object) -> str:
    job, created = store.submit(owner, "distance-matrix", "{}", time_limit=5, **kw)  # type: ignore[arg-type]
    assert created
    return job.id


def test_life_cycle_queued_running_succeeded(store: JobStore) -> None:
    job_id = _submit(store)
    assert store.get(job_id).state is JobState.QUEUED
    claimed = store.claim_next()
    assert claimed is not None and claimed.id == job_id
    assert claimed.state is JobState.RUNNING and claimed.attempt == 1
    assert store.claim_next() is None
    assert store.report_progress(job_id, 1, progress=0.5, best_objective=12.0, message="half")
    assert store.finish(
        job_id, 1, JobState.SUCCEEDED, result='{"objective": 10}', best_objective=10
    )
    job = store.get(job_id)
    assert job.state is JobState.SUCCEEDED and job.has_result and job.best_objective == 10
    assert json.loads(store.result(job_id)) == {"objective": 10}
    assert job.run_seconds is not None and job.run_seconds >= 0


def test_claims_in_submission_order(store: JobStore) -> None:
    ids = [_submit(store) for _ in range(5)]
    assert [store.claim_next().id for _ in range(5)] == ids


def test_stale_attempt_cannot_write(store: JobStore) -> None:
    job_id = _submit(store)
    store.claim_next()
    requeued, failed = store.recover(max_attempts=3)
    assert requeued == [job_id] and failed == []
    second = store.claim_next()
    assert second.attempt == 2
    # The first attempt (e.g. a worker orphaned by a crash) can neither progress nor finish.
    assert not store.report_progress(job_id, 1, progress=0.9)
    assert not store.finish(job_id, 1, JobState.SUCCEEDED, result="{}")
    assert store.finish(job_id, 2, JobState.SUCCEEDED, result="{}")
    assert store.get(job_id).attempt == 2


def test_recover_fails_after_max_attempts_and_keeps_cancellations(store: JobStore) -> None:
    a, b = _submit(store), _submit(store)
    store.claim_next()
    store.claim_next()
    store.request_cancel(b)
    requeued, failed = store.recover(max_attempts=1)
    assert requeued == [] and sorted(failed) == sorted([a, b])
    assert store.get(a).state is JobState.FAILED and "interrupted" in store.get(a).error
    assert store.get(b).state is JobState.CANCELLED


def test_cancel_queued_is_immediate_and_running_sets_flag(store: JobStore) -> None:
    running, queued = _submit(store), _submit(store)
    store.claim_next()
    assert store.request_cancel(queued).state is JobState.CANCELLED
    job = store.request_cancel(running)
    assert job.state is JobState.RUNNING and job.cancel_requested
    assert store.cancel_requested(running)


def test_owner_isolation(store: JobStore) -> None:
    job_id = _submit(store, owner="alice")
    assert store.get(job_id, "bob") is None
    assert store.request_cancel(job_id, "bob") is None
    assert store.result(job_id, "bob") is None
    assert [j.id for j in store.list_jobs("alice")] == [job_id]
    assert store.list_jobs("bob") == []


def test_idempotency_key_returns_same_job_and_rejects_other_body(store: JobStore) -> None:
    fp = request_fingerprint({"a": 1})
    first, created = store.submit(
        "alice", "k", "{}", time_limit=1, idempotency_key="key-1", request_hash=fp
    )
    again, created_again = store.submit(
        "alice", "k", "{}", time_limit=1, idempotency_key="key-1", request_hash=fp
    )
    assert created and not created_again and again.id == first.id
    with pytest.raises(IdempotencyConflict, match="key-1"):
        store.submit("alice", "k", "{}", time_limit=1, idempotency_key="key-1", request_hash="x")
    # Keys are per owner: bob's identical key is a different job.
    other, created_other = store.submit(
        "bob", "k", "{}", time_limit=1, idempotency_key="key-1", request_hash=fp
    )
    assert created_other and other.id != first.id


def test_concurrent_idempotent_submissions_create_one_job(store: JobStore) -> None:
    ids: list[str] = []
    lock = threading.Lock()

    def submit() -> None:
        job, _ = store.submit("alice", "k", "{}", time_limit=1, idempotency_key="same")
        with lock:
            ids.append(job.id)

    threads = [threading.Thread(target=submit) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert len(ids) == 8 and len(set(ids)) == 1
    assert len(store.list_jobs("alice")) == 1


def test_list_pages_and_filters(store: JobStore) -> None:
    ids = [_submit(store) for _ in range(7)]
    store.submit("alice", "other-kind", "{}", time_limit=1)
    page1 = store.list_jobs("alice", kind="distance-matrix", limit=4)
    page2 = store.list_jobs("alice", kind="distance-matrix", limit=4, after=page1[-1].seq)
    assert [j.id for j in page1 + page2] == ids
    store.request_cancel(ids[0])
    assert [j.id for j in store.list_jobs("alice", state=JobState.CANCELLED)] == [ids[0]]
    counts = store.counts_by_state()
    assert counts[JobState.QUEUED] == 7 and counts[JobState.CANCELLED] == 1


def test_finish_needs_terminal_state(store: JobStore) -> None:
    job_id = _submit(store)
    store.claim_next()
    with pytest.raises(ValueError, match="terminal"):
        store.finish(job_id, 1, JobState.RUNNING)


def test_submit_many_queues_all_in_order_in_one_transaction(store: JobStore) -> None:
    from smartwms.jobs import Submission

    jobs = store.submit_many(
        [Submission("alice", "distance-matrix", f'{{"n": {i}}}', 5.0) for i in range(20)]
    )
    assert len({job.id for job in jobs}) == 20
    assert [job.seq for job in jobs] == sorted(job.seq for job in jobs)
    assert all(job.state is JobState.QUEUED for job in jobs)
    assert [store.claim_next().id for _ in range(20)] == [job.id for job in jobs]
    assert json.loads(store.payload(jobs[7].id)) == {"n": 7}
