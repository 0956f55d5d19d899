"""The jobs resource: submit, read, list, cancel, result and a progress event stream."""

import asyncio
import json
import time
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Body, Header, Path, Query, Request, Response
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool

from smartwms.io.jsonguard import INT64_MAX
from smartwms.jobs import IdempotencyConflict, Job, JobState, Submission, request_fingerprint
from smartwms.jobs.webhooks import WebhookRefused
from smartwms.service.deps import OwnerDep, StateDep
from smartwms.service.instances import resolve_payload
from smartwms.service.problems import ApiProblem
from smartwms.service.schemas import JobPage, JobResultView, JobView, Problem, job_view
from smartwms.service.state import ServiceState

__all__ = ["build_router", "queue_job"]

_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": Problem, "description": "missing or unknown API key"},
    404: {"model": Problem, "description": "no such job (for this key)"},
    422: {"model": Problem, "description": "invalid request, with field-level messages"},
}
JobId = Annotated[str, Path(max_length=64, description="the job id")]
_SSE_POLL_SECONDS = 0.25
_SSE_HEARTBEAT_SECONDS = 15.0


def _cursor_position(cursor: str | None) -> int | None:
    """The job sequence number a ``cursor`` stands for; 422 for one no page ever handed out."""
    if cursor is None:
        return None
    position = int(cursor)
    if position > INT64_MAX:
        message = "not a cursor of this server (take next_cursor from the previous page)"
        raise ApiProblem(
            422,
            "validation",
            f"cursor: {message}",
            errors=[{"field": "cursor", "message": message}],
        )
    return position


def _owned(state: StateDep, job_id: str, owner: str) -> Any:
    job = state.store.get(job_id, owner)
    if job is None:
        raise ApiProblem(404, "not-found", f"no job {job_id!r}")
    return job


async def queue_job(
    state: ServiceState, owner: str, body: Any, idempotency_key: str | None
) -> tuple[Job, bool]:
    """Check a validated submission against the server and queue it; returns (job, created).

    Shared by the route and the submit fast path (:mod:`smartwms.service.fastpath`). Raises
    :class:`ApiProblem` (422 naming the field, 409 for a reused ``Idempotency-Key``).
    """
    settings = state.settings
    time_limit = body.time_limit or settings.default_time_limit
    if time_limit > settings.max_time_limit:
        raise ApiProblem(
            422,
            "validation",
            f"time_limit: at most {settings.max_time_limit:g} seconds on this server",
            errors=[{"field": "time_limit", "message": f"at most {settings.max_time_limit:g}"}],
        )
    # A reference to a stored instance is checked against it (cached: no re-validation).
    await resolve_payload(state.instances, owner, body.payload)
    payload = body.payload.model_dump_json()
    webhook_url = None if body.webhook_url is None else str(body.webhook_url)
    if webhook_url is not None:
        try:
            state.webhooks.policy.check(webhook_url)
        except WebhookRefused as exc:
            raise ApiProblem(
                422,
                "validation",
                f"webhook_url: {exc}",
                errors=[{"field": "webhook_url", "message": str(exc)}],
            ) from None
    submission = Submission(owner, body.kind, payload, time_limit, webhook_url)
    if idempotency_key is None:
        # The common case: committed together with the other submits waiting (group commit).
        job, created = await state.batcher.submit(submission), True
    else:
        # The validated payload re-serialised is canonical (fields in model order).
        fingerprint = request_fingerprint([body.kind, time_limit, webhook_url, payload])
        try:
            job, created = await run_in_threadpool(
                state.store.submit,
                owner,
                body.kind,
                payload,
                time_limit=time_limit,
                webhook_url=webhook_url,
                idempotency_key=idempotency_key,
                request_hash=fingerprint,
            )
        except IdempotencyConflict as exc:
            raise ApiProblem(409, "idempotency-conflict", str(exc)) from None
        if created:
            state.executor.wake()
    if created:
        state.metrics.submitted.labels(job.kind).inc()
    return job, created


def build_router(submission: Any) -> APIRouter:
    """The jobs routes, with ``submission`` (built from the kind registry) as the body schema."""
    router = APIRouter(prefix="/v1/jobs", tags=["jobs"])

    @router.post(
        "",
        status_code=202,
        response_model=JobView,
        summary="Submit a job",
        responses={
            **_ERRORS,
            409: {"model": Problem, "description": "Idempotency-Key reused for another body"},
            413: {"model": Problem, "description": "request body too large"},
        },
    )
    async def submit_job(
        body: Annotated[submission, Body()],
        response: Response,
        state: StateDep,
        owner: OwnerDep,
        idempotency_key: Annotated[
            str | None,
            Header(
                alias="Idempotency-Key",
                max_length=200,
                description="a retried submission with the same key returns the same job",
            ),
        ] = None,
    ) -> JobView:
        """Queue a job; answers 202 with the job and its ``Location``."""
        job, created = await queue_job(state, owner, body, idempotency_key)
        if not created:
            response.headers["Idempotent-Replayed"] = "true"
        response.headers["Location"] = f"/v1/jobs/{job.id}"
        return job_view(job)

    @router.get("", response_model=JobPage, summary="List jobs", responses=_ERRORS)
    def list_jobs(
        state: StateDep,
        owner: OwnerDep,
        job_state: Annotated[JobState | None, Query(alias="state")] = None,
        kind: Annotated[str | None, Query(max_length=100)] = None,
        limit: Annotated[int, Query(ge=1, le=500)] = 50,
        cursor: Annotated[str | None, Query(max_length=20, pattern=r"^[0-9]+$")] = None,
    ) -> JobPage:
        """Your jobs, oldest first, filtered by state and/or kind, ``limit`` per page."""
        after = _cursor_position(cursor)
        jobs = state.store.list_jobs(owner, state=job_state, kind=kind, limit=limit, after=after)
        next_cursor = str(jobs[-1].seq) if len(jobs) == limit else None
        return JobPage(items=[job_view(job) for job in jobs], next_cursor=next_cursor)

    @router.get("/{job_id}", response_model=JobView, summary="Read a job", responses=_ERRORS)
    def get_job(job_id: JobId, state: StateDep, owner: OwnerDep) -> JobView:
        """State, queue and run time, progress and best objective so far."""
        return job_view(_owned(state, job_id, owner))

    @router.get(
        "/{job_id}/result",
        response_model=JobResultView,
        summary="Read a job's result",
        responses={
            **_ERRORS,
            409: {"model": Problem, "description": "not finished, failed, or no solution"},
        },
    )
    def get_result(job_id: JobId, state: StateDep, owner: OwnerDep) -> JobResultView:
        """The answer of a finished job; a cancelled job answers with its best solution."""
        job = _owned(state, job_id, owner)
        if not job.terminal:
            raise ApiProblem(
                409, "not-finished", f"job {job_id} is {job.state.value}; poll it or stream events"
            )
        if job.state is JobState.FAILED:
            raise ApiProblem(409, "job-failed", f"job {job_id} failed: {job.error}")
        text = state.store.result(job_id, owner)
        if text is None:
            raise ApiProblem(
                409, "no-result", f"job {job_id} was {job.state.value} before any solution"
            )
        return JobResultView(
            job_id=job.id,
            kind=job.kind,
            state=job.state,
            best_objective=job.best_objective,
            result=json.loads(text),
        )

    @router.delete(
        "/{job_id}",
        response_model=JobView,
        summary="Cancel a job (a running one keeps its best solution)",
        responses={**_ERRORS, 202: {"model": JobView, "description": "stop requested"}},
    )
    def cancel_job(job_id: JobId, response: Response, state: StateDep, owner: OwnerDep) -> JobView:
        """Cancel a queued job at once; ask a running one to stop and keep its best solution."""
        before = _owned(state, job_id, owner)
        job = state.store.request_cancel(job_id, owner)
        if job is None:
            raise ApiProblem(404, "not-found", f"no job {job_id!r}")
        if before.state is JobState.QUEUED and job.state is JobState.CANCELLED:
            state.webhooks.submit(job)
        if not job.terminal:
            response.status_code = 202
            state.executor.wake()
        return job_view(job)

    @router.get(
        "/{job_id}/events",
        summary="Server-sent events: the job's progress until it finishes",
        response_class=StreamingResponse,
        responses={
            **_ERRORS,
            200: {"content": {"text/event-stream": {}}, "description": "event stream"},
        },
    )
    async def job_events(
        job_id: JobId, request: Request, state: StateDep, owner: OwnerDep
    ) -> StreamingResponse:
        """``event: job`` with the job's JSON on every change, then ``event: end``."""
        await run_in_threadpool(_owned, state, job_id, owner)

        async def stream() -> AsyncIterator[str]:
            last: str | None = None
            started = time.monotonic()
            beat = started
            while time.monotonic() - started < state.settings.sse_max_seconds:
                job = await run_in_threadpool(state.store.get, job_id, owner)
                if job is None:
                    return
                view = job_view(job).model_dump(
                    mode="json", exclude={"queue_seconds", "run_seconds"}
                )
                text = json.dumps(view, separators=(",", ":"))
                if text != last:
                    last = text
                    yield f"event: job\ndata: {text}\n\n"
                    beat = time.monotonic()
                if job.terminal:
                    yield f"event: end\ndata: {json.dumps({'state': job.state.value})}\n\n"
                    return
                if time.monotonic() - beat > _SSE_HEARTBEAT_SECONDS:
                    yield ": keep-alive\n\n"
                    beat = time.monotonic()
                if await request.is_disconnected():
                    return
                await asyncio.sleep(_SSE_POLL_SECONDS)

        return StreamingResponse(
            stream(),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
        )

    return router
