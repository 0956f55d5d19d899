"""What a worker process does with one job: load, solve under a :class:`Stop`, store the answer.

The worker talks to the job store directly, so the store stays the source of truth even if the
server process dies mid-solve: the worker notices (its parent changed), stops and writes
nothing, and the restarted server re-queues the job.
"""

from __future__ import annotations

import contextlib
import json
import logging
import math
import os
import sys
import time
from typing import Any

from smartwms.errors import SmartwmsError
from smartwms.jobs.instances import payload_instance_id
from smartwms.jobs.kinds import get_kind
from smartwms.jobs.store import JobState, JobStore
from smartwms.jobs.warm import warm_up
from smartwms.model import Instance
from smartwms.stopping import Stop

__all__ = ["READY", "run_job", "worker_main"]

log = logging.getLogger("smartwms.jobs.worker")

# How often the cancel flag is read from the store and progress written to it (seconds).
_CANCEL_POLL_INTERVAL = 0.1
_PROGRESS_INTERVAL = 0.25
# The line a worker writes once it is warm and takes jobs.
READY = "ready"
# Scheduling priority of workers relative to the server (higher: lower priority). At 10 a
# worker sharing a core with the API gets about a tenth of it (CFS weights 110 vs 1024), so
# submissions stay fast; at 15 (weight 36) a loaded machine starved solves to 1 % of a core,
# and a job stopped by its time limit took minutes to hand its answer back.
_WORKER_NICENESS = 10


class _CancelFlag:
    """Polls the job's cancel flag (throttled) and whether the server that started us is gone."""

    def __init__(self, store: JobStore, job_id: str, parent_pid: int | None) -> None:
        self.store = store
        self.job_id = job_id
        self.parent_pid = parent_pid
        self.orphaned = False
        self._next = 0.0
        self._last = False

    def __call__(self) -> bool:
        now = time.monotonic()
        if now < self._next:
            return self._last
        self._next = now + _CANCEL_POLL_INTERVAL
        self._last = self.parent_gone() or self.store.cancel_requested(self.job_id)
        return self._last

    def parent_gone(self) -> bool:
        """Whether the server that started this worker died (checked now, then remembered)."""
        if self.parent_pid is not None and os.getppid() != self.parent_pid:
            self.orphaned = True
        return self.orphaned


class _ProgressWriter:
    """Writes progress to the store at most every ``_PROGRESS_INTERVAL`` seconds."""

    def __init__(self, store: JobStore, job_id: str, attempt: int) -> None:
        self.store = store
        self.job_id = job_id
        self.attempt = attempt
        self._next = 0.0
        self.best_objective: float | None = None

    def __call__(
        self,
        fraction: float | None = None,
        best_objective: float | None = None,
        message: str | None = None,
    ) -> None:
        if best_objective is not None and math.isfinite(best_objective):
            self.best_objective = float(best_objective)
        now = time.monotonic()
        if now < self._next:
            return
        self._next = now + _PROGRESS_INTERVAL
        self.store.report_progress(
            self.job_id,
            self.attempt,
            progress=fraction,
            best_objective=self.best_objective,
            message=message,
        )


def _objective(result: dict[str, Any], fallback: float | None) -> float | None:
    value = result.get("objective")
    if isinstance(value, int | float) and math.isfinite(value):
        return float(value)
    return fallback


# Stored instances this worker has read. Ids are content-derived (an id always names the same
# instance), so a cached one is never stale; a few suffice, jobs mostly share one warehouse.
_INSTANCES: dict[tuple[str, str], Instance] = {}
_INSTANCE_CACHE_SIZE = 8


def _resolve_instance(store: JobStore, owner: str, payload: Any) -> Any:
    """The payload with its stored instance in place of its ``instance_id``."""
    ident = payload_instance_id(payload)
    if ident is None:
        return payload
    instance = _INSTANCES.get((owner, ident))
    if instance is None:
        body = store.instance_body(owner, ident)
        if body is None:
            raise SmartwmsError(f"instance_id: no stored instance {ident} (it was deleted)")
        instance = Instance.model_validate_json(body)
        if len(_INSTANCES) >= _INSTANCE_CACHE_SIZE:
            _INSTANCES.pop(next(iter(_INSTANCES)))
        _INSTANCES[(owner, ident)] = instance
    return payload.with_instance(instance)


def run_job(store: JobStore, job_id: str, attempt: int, parent_pid: int | None = None) -> bool:
    """Run one claimed attempt of a job to completion; returns whether its outcome was stored.

    A solver error the user caused (a :class:`~smartwms.errors.SmartwmsError`) fails the job
    with its message; any other exception fails it with a generic reason (the traceback goes to
    the server log only, never to clients).
    """
    job = store.get(job_id)
    payload_json = store.payload(job_id)
    if job is None or payload_json is None:
        return False
    flag = _CancelFlag(store, job_id, parent_pid)
    progress = _ProgressWriter(store, job_id, attempt)
    try:
        kind = get_kind(job.kind)
        payload = _resolve_instance(
            store, job.owner, kind.payload_model.model_validate_json(payload_json)
        )
        # The job's clock starts with the solve: loading the payload is not solving time.
        stop = Stop(time_limit=job.time_limit, external=flag)
        result = kind.run(payload, stop, progress)
        text = json.dumps(result, allow_nan=False, separators=(",", ":"))
    except SmartwmsError as exc:
        return store.finish(job_id, attempt, JobState.FAILED, error=str(exc))
    except Exception as exc:
        log.exception("job %s (%s) crashed", job_id, job.kind)
        return store.finish(
            job_id,
            attempt,
            JobState.FAILED,
            error=f"the {job.kind} solver failed unexpectedly ({type(exc).__name__})",
        )
    cancelled = stop.cancelled
    # Asked after reading the stop: its flag may have just seen the server die, and a stop
    # caused by that death must not be stored as the user's cancellation.
    if flag.parent_gone():
        # The server died: the restarted one re-queues this job; writing now could only race.
        return False
    state = JobState.CANCELLED if cancelled else JobState.SUCCEEDED
    message = "stopped on request; best solution kept" if cancelled else None
    return store.finish(
        job_id,
        attempt,
        state,
        result=text,
        best_objective=_objective(result, progress.best_objective),
        message=message,
    )


def worker_main(db_path: str) -> None:
    """Entry point of a worker process: warm up, then run the jobs named on stdin until it closes.

    The protocol: the worker writes ``ready`` once it is warm (solvers imported, compiled
    kernels loaded), then one line per job: ``JOB_ID ATTEMPT`` in, ``JOB_ID`` out when
    finished. Anything a solver prints goes to stderr so it cannot corrupt the protocol on stdout.
    """
    replies = os.fdopen(os.dup(sys.stdout.fileno()), "w", buffering=1)
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    parent = os.getppid()
    # Start-up costs (imports, kernel compilation) never see a job's stop signal: pay them
    # before taking a job, so no job's time limit is spent on them. At normal priority: once
    # per worker, and a worker starved during start-up would leave every job queued.
    seconds = warm_up()
    log.debug("worker %d warm in %.1f s", os.getpid(), seconds)
    # Solves are batch work: yield the CPU to the API process so submissions stay fast.
    with contextlib.suppress(OSError):
        os.nice(_WORKER_NICENESS)
    store = JobStore(db_path)
    try:
        try:
            replies.write(READY + "\n")
        except (BrokenPipeError, OSError):
            return
        for line in sys.stdin:
            fields = line.split()
            if len(fields) != 2:
                return
            job_id, attempt = fields[0], int(fields[1])
            run_job(store, job_id, attempt, parent_pid=parent)
            if os.getppid() != parent:
                return
            try:
                replies.write(job_id + "\n")
            except (BrokenPipeError, OSError):
                return
    finally:
        store.close()


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, stream=sys.stderr)
    worker_main(sys.argv[1])
