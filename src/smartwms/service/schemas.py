"""Request and response schemas of the API (kept apart from the store's storage model).

The job submission schema is built from the registry of job kinds: one request model per kind,
discriminated by ``kind``, so every kind's payload is typed in the published OpenAPI document.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal, Union

from pydantic import AnyHttpUrl, BaseModel, ConfigDict, Field, create_model

from smartwms.jobs import Job, JobKind, JobState, StoredInstance

__all__ = [
    "ErrorItem",
    "InstanceLinks",
    "InstanceView",
    "JobLinks",
    "JobPage",
    "JobResultView",
    "JobView",
    "KindView",
    "Problem",
    "SolveResponse",
    "Status",
    "instance_view",
    "job_view",
    "solve_request_model",
    "submission_model",
]


class Status(BaseModel):
    """Liveness or readiness."""

    status: str
    detail: dict[str, Any] = Field(default_factory=dict)


class ErrorItem(BaseModel):
    """One field-level validation message."""

    field: str
    message: str


class Problem(BaseModel):
    """An RFC 9457 problem (media type ``application/problem+json``)."""

    type: str
    title: str
    status: int
    detail: str
    instance: str | None = None
    errors: list[ErrorItem] | None = None


class JobLinks(BaseModel):
    """Where to find more about a job."""

    self: str
    result: str
    events: str


class JobView(BaseModel):
    """A job as clients see it."""

    id: str
    kind: str
    state: JobState
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    queue_seconds: float = Field(description="waiting for a worker (so far)")
    run_seconds: float | None = Field(description="solving (so far); null before it starts")
    time_limit: float
    progress: float | None = Field(description="fraction done in [0, 1] as the solver reports")
    best_objective: float | None = Field(description="best objective value found so far")
    message: str | None
    error: str | None = Field(description="why the job failed")
    cancel_requested: bool
    has_result: bool
    attempts: int = Field(description="runs started (a server crash can cause a second one)")
    webhook_status: str | None
    links: JobLinks


class JobPage(BaseModel):
    """One page of jobs, oldest first; pass ``next_cursor`` as ``cursor`` for the next."""

    items: list[JobView]
    next_cursor: str | None


class JobResultView(BaseModel):
    """The answer of a finished job (for a cancelled job: the best found before stopping)."""

    job_id: str
    kind: str
    state: JobState
    best_objective: float | None
    result: dict[str, Any]


class SolveResponse(BaseModel):
    """The answer of a synchronous solve."""

    kind: str
    seconds: float
    result: dict[str, Any]


class KindView(BaseModel):
    """A job kind the server runs."""

    name: str
    summary: str
    sync_limit: int | None = Field(description="largest size /v1/solve accepts; null: jobs only")
    payload_schema: str = Field(description="name of the payload schema in the OpenAPI document")


class InstanceLinks(BaseModel):
    """Where to find a stored instance."""

    self: str


class InstanceView(BaseModel):
    """A stored warehouse instance; jobs refer to it with ``payload.instance_id``."""

    id: str = Field(description="derived from the content: the same instance, the same id")
    name: str
    created_at: datetime
    summary: dict[str, Any] = Field(description="counts of locations, SKUs, orders, ...")
    links: InstanceLinks


def instance_view(stored: StoredInstance) -> InstanceView:
    """The client's view of a stored instance."""
    return InstanceView(
        id=stored.id,
        name=stored.name,
        created_at=datetime.fromtimestamp(stored.created_at, tz=UTC),
        summary=stored.summary,
        links=InstanceLinks(self=f"/v1/instances/{stored.id}"),
    )


def _stamp(seconds: float | None) -> datetime | None:
    return None if seconds is None else datetime.fromtimestamp(seconds, tz=UTC)


def job_view(job: Job) -> JobView:
    """The client's view of a stored job."""
    base = f"/v1/jobs/{job.id}"
    return JobView(
        id=job.id,
        kind=job.kind,
        state=job.state,
        created_at=datetime.fromtimestamp(job.created_at, tz=UTC),
        started_at=_stamp(job.started_at),
        finished_at=_stamp(job.finished_at),
        queue_seconds=round(job.queue_seconds, 6),
        run_seconds=None if job.run_seconds is None else round(job.run_seconds, 6),
        time_limit=job.time_limit,
        progress=job.progress,
        best_objective=job.best_objective,
        message=job.message,
        error=job.error,
        cancel_requested=job.cancel_requested,
        has_result=job.has_result,
        attempts=job.attempt,
        webhook_status=job.webhook_status,
        links=JobLinks(self=base, result=f"{base}/result", events=f"{base}/events"),
    )


def _camel(name: str) -> str:
    return "".join(part.capitalize() for part in name.replace("_", "-").split("-"))


class _RequestBase(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _one_of(models: list[type[BaseModel]]) -> Any:
    if len(models) == 1:
        return models[0]
    return Annotated[Union[tuple(models)], Field(discriminator="kind")]  # noqa: UP007


def submission_model(kinds: dict[str, JobKind]) -> Any:
    """The body schema of ``POST /v1/jobs``: one model per kind, discriminated by ``kind``."""
    models: list[type[BaseModel]] = []
    for name, kind in kinds.items():
        models.append(
            create_model(
                f"{_camel(name)}JobRequest",
                __base__=_RequestBase,
                __doc__=f"Submit a {name} job: {kind.summary}",
                kind=(Literal[name], Field(description="job kind")),  # type: ignore[arg-type]
                payload=(kind.payload_model, Field(description="the problem to solve")),
                time_limit=(
                    float | None,
                    Field(default=None, gt=0, description="seconds; default set by the server"),
                ),
                webhook_url=(
                    AnyHttpUrl | None,
                    Field(default=None, description="POSTed (signed) when the job finishes"),
                ),
            )
        )
    return _one_of(models)


def solve_request_model(kinds: dict[str, JobKind]) -> Any:
    """The body schema of ``POST /v1/solve`` (kinds offered synchronously)."""
    models: list[type[BaseModel]] = []
    for name, kind in kinds.items():
        if kind.sync_limit is None:
            continue
        models.append(
            create_model(
                f"{_camel(name)}SolveRequest",
                __base__=_RequestBase,
                __doc__=f"Solve a small {name} problem at once (size <= {kind.sync_limit}).",
                kind=(Literal[name], Field(description="job kind")),  # type: ignore[arg-type]
                payload=(kind.payload_model, Field(description="the problem to solve")),
                time_limit=(
                    float | None,
                    Field(default=None, gt=0, description="seconds; capped by the server"),
                ),
            )
        )
    return _one_of(models)
