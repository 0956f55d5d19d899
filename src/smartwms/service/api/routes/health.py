"""Liveness, readiness and Prometheus metrics."""

from __future__ import annotations

from fastapi import APIRouter, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.concurrency import run_in_threadpool

from smartwms.service.deps import StateDep
from smartwms.service.problems import ApiProblem
from smartwms.service.schemas import Problem, Status

router = APIRouter(tags=["operations"])


@router.get("/healthz", response_model=Status, summary="Liveness: the process answers")
def healthz() -> Status:
    """Answers while the process is up."""
    return Status(status="ok")


@router.get(
    "/readyz",
    response_model=Status,
    summary="Readiness: the store answers and jobs are being run",
    responses={503: {"model": Problem, "description": "not ready"}},
)
async def readyz(state: StateDep) -> Status:
    """200 when the job store answers and the executor runs; 503 otherwise."""
    try:
        counts = await run_in_threadpool(state.store.counts_by_state)
    except Exception as exc:
        raise ApiProblem(503, "not-ready", "the job store does not answer") from exc
    if not state.executor.alive:
        raise ApiProblem(503, "not-ready", "the job executor is not running")
    detail: dict[str, object] = {"workers": state.executor.capacity}
    warm = getattr(state.executor, "ready_workers", None)
    if warm is not None:
        detail["workers_ready"] = warm  # still warming up: jobs wait in the queue meanwhile
    detail["jobs"] = {s.value: n for s, n in counts.items()}
    return Status(status="ready", detail=detail)


@router.get(
    "/metrics",
    summary="Prometheus metrics",
    response_class=Response,
    responses={200: {"content": {"text/plain": {}}, "description": "Prometheus text format"}},
)
async def metrics(state: StateDep) -> Response:
    """Jobs by state, jobs submitted, solve seconds (text exposition format)."""
    body = await run_in_threadpool(generate_latest, state.metrics.registry)
    return Response(body, media_type=CONTENT_TYPE_LATEST)
