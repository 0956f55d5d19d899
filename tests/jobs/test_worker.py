"""One job in a worker: results, failures, cancellation and orphan detection (in process)."""

from __future__ import annotations

import json
import os
import threading
import time

import pytest
from pydantic import BaseModel

from smartwms.jobs import JobKind, JobState, JobStore, kinds
from smartwms.jobs.worker import run_job
from smartwms.layout import distance_matrix
from smartwms.model import Instance
from smartwms.stopping import Stop

from .conftest import slow_payload, small_instance


def _claimed(store: JobStore, payload: dict[str, object], time_limit: float = 30) -> str:
    job, _ = store.submit("alice", "distance-matrix", json.dumps(payload), time_limit=time_limit)
    assert store.claim_next().id == job.id
    return job.id


def test_result_matches_distance_matrix(store: JobStore) -> None:
    job_id = _claimed(store, {"instance": small_instance(), "points": ["D", "L1", "L7"]})
    assert run_job(store, job_id, 1)
    job = store.get(job_id)
    assert job.state is JobState.SUCCEEDED and job.progress == 1.0
    result = json.loads(store.result(job_id))
    expected = distance_matrix(Instance.model_validate(small_instance()), ["D", "L1", "L7"])
    assert result["matrix"] == expected.tolist()
    assert result["complete"] is True


def test_bad_payload_fails_with_reason(store: JobStore) -> None:
    # Stored payloads are validated at submission by the API; a corrupt one still fails cleanly.
    job, _ = store.submit("alice", "distance-matrix", '{"instance": 3}', time_limit=5)
    store.claim_next()
    assert run_job(store, job.id, 1)
    failed = store.get(job.id)
    assert failed.state is JobState.FAILED
    assert "ValidationError" in failed.error and "Traceback" not in failed.error


def test_unknown_kind_fails_naming_known_kinds(store: JobStore) -> None:
    job, _ = store.submit("alice", "no-such-kind", "{}", time_limit=5)
    store.claim_next()
    run_job(store, job.id, 1)
    assert "distance-matrix" in store.get(job.id).error


def test_cancel_keeps_rows_computed_so_far(store: JobStore) -> None:
    job_id = _claimed(store, slow_payload())

    def cancel_after_first_rows() -> None:
        deadline = time.monotonic() + 60
        while not (store.get(job_id).progress or 0) > 0 and time.monotonic() < deadline:
            time.sleep(0.02)
        store.request_cancel(job_id)

    threading.Thread(target=cancel_after_first_rows, daemon=True).start()
    started = time.monotonic()
    run_job(store, job_id, 1)
    assert time.monotonic() - started < 60
    job = store.get(job_id)
    assert job.state is JobState.CANCELLED and job.has_result
    result = json.loads(store.result(job_id))
    assert result["complete"] is False and result["status"] == "cancelled"
    assert 0 < len(result["matrix"]) < 3000
    assert len(result["points"]) == len(result["matrix"])
    # Rows kept are correct rows, not placeholders.
    inst = Instance.model_validate(slow_payload()["instance"])
    first = distance_matrix(inst, result["points"][:2], result["targets"])
    assert result["matrix"][:2] == first.tolist()


def test_time_limit_stops_and_succeeds_with_partial_answer(store: JobStore) -> None:
    job_id = _claimed(store, slow_payload(), time_limit=1.0)
    run_job(store, job_id, 1)
    job = store.get(job_id)
    assert job.state is JobState.SUCCEEDED
    result = json.loads(store.result(job_id))
    assert result["status"] == "time_limit" and not result["complete"]


def test_orphaned_worker_writes_nothing(store: JobStore) -> None:
    job_id = _claimed(store, {"instance": small_instance()})
    # A parent pid that is not ours: the worker believes its server died.
    assert not run_job(store, job_id, 1, parent_pid=-1)
    assert store.get(job_id).state is JobState.RUNNING


def test_reference_to_a_deleted_instance_fails_with_reason(store: JobStore) -> None:
    from smartwms.jobs import instance_id

    instance = Instance.model_validate(small_instance())
    ident = instance_id(instance)
    payload = {"instance_id": ident, "points": ["D", "L1"]}
    store.put_instance("alice", ident, "small", instance.summary(), instance.model_dump_json())
    job_id = _claimed(store, payload)
    assert run_job(store, job_id, 1)
    assert (
        json.loads(store.result(job_id))["matrix"]
        == distance_matrix(instance, ["D", "L1"]).tolist()
    )
    # Bob has no such instance (ids are per key): his job fails, naming the field.
    job, _ = store.submit("bob", "distance-matrix", json.dumps(payload), time_limit=5)
    assert store.claim_next().id == job.id
    assert run_job(store, job.id, 1)
    failed = store.get(job.id)
    assert failed.state is JobState.FAILED and failed.error.startswith("instance_id: no stored")


class _NoPayload(BaseModel):
    pass


def _register(monkeypatch: pytest.MonkeyPatch, name: str, run: object) -> None:
    kind = JobKind(name=name, payload_model=_NoPayload, run=run, summary="test kind")  # type: ignore[arg-type]
    monkeypatch.setitem(kinds._REGISTRY, name, kind)


def test_server_dying_as_the_solve_ends_is_not_stored_as_cancelled(
    store: JobStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The solve finished on its own, but the server died just before: reading the stop then
    # sees the orphaned flag. That is no user's cancellation: nothing may be written, so the
    # restarted server re-queues the job (a CI flake once stored it as "cancelled").
    parent = os.getppid()

    def solve_as_the_server_dies(payload: object, stop: object, progress: object) -> dict:
        monkeypatch.setattr(os, "getppid", lambda: parent + 1)
        return {"objective": 1.0}

    _register(monkeypatch, "test-orphaned-at-the-end", solve_as_the_server_dies)
    job, _ = store.submit("alice", "test-orphaned-at-the-end", "{}", time_limit=5)
    store.claim_next()
    assert not run_job(store, job.id, 1, parent_pid=parent)
    assert store.get(job.id).state is JobState.RUNNING


def test_time_limit_counts_from_the_start_of_the_solve(
    store: JobStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Loading the payload (here: made slow) is not solving time; the solve gets its whole limit.
    seen: list[float | None] = []

    def record_remaining(payload: object, stop: Stop, progress: object) -> dict:
        seen.append(stop.remaining())
        return {}

    original = _NoPayload.model_validate_json

    def slow_validate(*args: object, **kwargs: object) -> _NoPayload:
        time.sleep(1.0)
        return original(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(_NoPayload, "model_validate_json", slow_validate)
    _register(monkeypatch, "test-remaining", record_remaining)
    job, _ = store.submit("alice", "test-remaining", "{}", time_limit=1.5)
    store.claim_next()
    assert run_job(store, job.id, 1)
    assert seen and seen[0] is not None and seen[0] > 1.0
