"""Solve jobs: the job store (SQLite, source of truth), job kinds and executors.

Importing this package registers the built-in job kinds (one per public solver API).
"""

from smartwms.jobs import agv_run as _agv_run  # noqa: F401  (registers the agv-run kind)
from smartwms.jobs import builtin as _builtin  # noqa: F401  (registers the built-in kinds)
from smartwms.jobs import plan as _plan  # noqa: F401  (registers the plan kind)
from smartwms.jobs.executor import Executor, LocalExecutor
from smartwms.jobs.instances import (
    INSTANCE_ID_PATTERN,
    InstancePayload,
    PayloadMismatch,
    instance_id,
    payload_instance_id,
)
from smartwms.jobs.kinds import (
    JobKind,
    Progress,
    UnknownKindError,
    get_kind,
    job_kinds,
    register_kind,
)
from smartwms.jobs.store import (
    TERMINAL_STATES,
    IdempotencyConflict,
    Job,
    JobState,
    JobStore,
    StoredInstance,
    Submission,
    request_fingerprint,
)

__all__ = [
    "INSTANCE_ID_PATTERN",
    "TERMINAL_STATES",
    "Executor",
    "IdempotencyConflict",
    "InstancePayload",
    "Job",
    "JobKind",
    "JobState",
    "JobStore",
    "LocalExecutor",
    "PayloadMismatch",
    "Progress",
    "StoredInstance",
    "Submission",
    "UnknownKindError",
    "get_kind",
    "instance_id",
    "job_kinds",
    "payload_instance_id",
    "register_kind",
    "request_fingerprint",
]
