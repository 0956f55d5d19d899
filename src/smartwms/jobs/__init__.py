"""Solve jobs: the job store (SQLite, source of truth), job kinds and executors.

Importing this package registers the built-in job kinds (one per public solver API).
"""

from smartwms.jobs import builtin as _builtin  # noqa: F401  (registers the built-in kinds)
from smartwms.jobs.executor import Executor, LocalExecutor
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
    Submission,
    request_fingerprint,
)

__all__ = [
    "TERMINAL_STATES",
    "Executor",
    "IdempotencyConflict",
    "Job",
    "JobKind",
    "JobState",
    "JobStore",
    "LocalExecutor",
    "Progress",
    "Submission",
    "UnknownKindError",
    "get_kind",
    "job_kinds",
    "register_kind",
    "request_fingerprint",
]
