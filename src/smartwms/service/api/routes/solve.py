"""Synchronous solves of small problems (a size cap per kind); larger ones go through jobs."""

import time
from typing import Annotated, Any

import anyio
from fastapi import APIRouter, Body
from starlette.concurrency import run_in_threadpool

from smartwms.jobs import get_kind
from smartwms.service.deps import OwnerDep, StateDep
from smartwms.service.instances import resolve_payload
from smartwms.service.problems import ApiProblem
from smartwms.service.schemas import Problem, SolveResponse
from smartwms.stopping import Stop

__all__ = ["build_router"]

# Synchronous solves run in the server process: at most this many at once.
_SYNC_CONCURRENCY = 2


def _no_progress(
    fraction: float | None = None,
    best_objective: float | None = None,
    message: str | None = None,
) -> None:
    """Synchronous solves report nothing while they run."""


def build_router(solve_request: Any) -> APIRouter:
    """The ``/v1/solve`` route, with ``solve_request`` built from the kind registry."""
    router = APIRouter(prefix="/v1", tags=["solve"])
    limiter = anyio.CapacityLimiter(_SYNC_CONCURRENCY)

    @router.post(
        "/solve",
        response_model=SolveResponse,
        summary="Solve a small problem and answer at once",
        responses={
            401: {"model": Problem, "description": "missing or unknown API key"},
            413: {"model": Problem, "description": "request body too large"},
            422: {"model": Problem, "description": "invalid, or too large to solve at once"},
        },
    )
    async def solve(
        body: Annotated[solve_request, Body()],
        state: StateDep,
        owner: OwnerDep,
    ) -> SolveResponse:
        """Run a small problem within the server's synchronous time cap (no job is stored)."""
        kind = get_kind(body.kind)
        payload = await resolve_payload(state.instances, owner, body.payload)
        size = kind.size(payload) if kind.size is not None else 0
        if kind.sync_limit is None or size > kind.sync_limit:
            raise ApiProblem(
                422,
                "too-large-for-sync",
                f"payload: size {size} is above the synchronous cap {kind.sync_limit} of "
                f"{kind.name}; submit it to POST /v1/jobs instead",
            )
        cap = state.settings.sync_time_limit
        stop = Stop(time_limit=min(body.time_limit or cap, cap))
        started = time.perf_counter()
        async with limiter:
            result = await run_in_threadpool(kind.run, payload, stop, _no_progress)
        seconds = time.perf_counter() - started
        state.metrics.sync_seconds.labels(kind.name).observe(seconds)
        return SolveResponse(kind=kind.name, seconds=round(seconds, 6), result=result)

    return router
