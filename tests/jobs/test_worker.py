"""One job in a worker: results, failures, cancellation and orphan detection (in process)."""

from __future__ import annotations

import json
import threading
import time

from smartwms.jobs import JobState, JobStore
from smartwms.jobs.worker import run_job
from smartwms.layout import distance_matrix
from smartwms.model import Instance

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
