"""Group commit of submissions: each concurrent submit gets its own job, in fewer commits."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from smartwms.jobs import JobStore, Submission
from smartwms.service.batching import SubmitBatcher


def test_concurrent_submits_are_committed_in_batches(tmp_path: Path) -> None:
    store = JobStore(tmp_path / "jobs.sqlite3")
    commits: list[int] = []
    batcher = SubmitBatcher(store, on_batch=lambda: commits.append(1))

    async def many() -> list[str]:
        jobs = await asyncio.gather(
            *(
                batcher.submit(Submission("alice", "distance-matrix", f'{{"i": {i}}}', 5.0))
                for i in range(60)
            )
        )
        return [job.id for job in jobs]

    try:
        ids = asyncio.run(many())
    finally:
        batcher.close()
    assert len(set(ids)) == 60
    stored = store.list_jobs("alice", limit=100)
    assert [job.id for job in stored] == ids  # queued in submission order, none lost
    assert store.payload(ids[59]) == '{"i": 59}'
    # All 60 were waiting before the first commit finished: far fewer commits than submits.
    assert 1 <= len(commits) < 60
    store.close()


def test_a_failing_commit_reaches_every_submitter_of_its_batch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = JobStore(tmp_path / "jobs.sqlite3")
    batcher = SubmitBatcher(store)

    def disk_full(submissions: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(store, "submit_many", disk_full)

    async def two() -> list[object]:
        return await asyncio.gather(
            batcher.submit(Submission("alice", "routing", "{}", 5.0)),
            batcher.submit(Submission("bob", "routing", "{}", 5.0)),
            return_exceptions=True,
        )

    try:
        outcomes = asyncio.run(two())
    finally:
        batcher.close()
        store.close()
    assert [str(error) for error in outcomes] == ["disk full", "disk full"]
