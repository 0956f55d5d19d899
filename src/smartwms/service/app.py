"""The FastAPI application: :func:`create_app` wires settings, routes, errors and middleware."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from starlette.concurrency import run_in_threadpool

from smartwms import __version__
from smartwms.jobs import job_kinds
from smartwms.service.api.routes import health, instances, jobs, kinds, solve
from smartwms.service.fastpath import SubmitFastPath
from smartwms.service.middleware import AccessLogMiddleware, BodyLimitMiddleware
from smartwms.service.problems import install_problem_handlers
from smartwms.service.schemas import solve_request_model, submission_model
from smartwms.service.settings import ServiceSettings
from smartwms.service.state import open_service
from smartwms.service.ui import install_ui

__all__ = ["create_app"]

_DESCRIPTION = """\
Asynchronous solve jobs for warehouse optimisation (smartwms).

Submit a job with `POST /v1/jobs` (202 + `Location`), poll `GET /v1/jobs/{id}` or stream
`GET /v1/jobs/{id}/events`, fetch `GET /v1/jobs/{id}/result`, stop with `DELETE /v1/jobs/{id}`
(the best solution so far is kept). Authenticate with `Authorization: Bearer <key>` or
`X-API-Key`. Every error is RFC 9457 `application/problem+json`.
"""


def create_app(settings: ServiceSettings | None = None) -> FastAPI:
    """Build the API app; its lifespan opens the store and starts the workers.

    Examples
    --------
    >>> app = create_app(ServiceSettings(auth=False))
    >>> "/v1/jobs" in app.openapi()["paths"]
    True
    """
    config = settings or ServiceSettings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        state = await run_in_threadpool(open_service, config)
        app.state.smartwms = state
        try:
            yield
        finally:
            app.state.smartwms = None
            await run_in_threadpool(state.close)

    app = FastAPI(
        title="smartwms solve-job API",
        version=__version__,
        description=_DESCRIPTION,
        lifespan=lifespan,
    )
    registry = job_kinds()
    app.include_router(health.router)
    submission = submission_model(registry)
    app.include_router(jobs.build_router(submission))
    app.include_router(instances.router)
    app.include_router(solve.build_router(solve_request_model(registry)))
    app.include_router(kinds.router)
    install_problem_handlers(app)
    install_ui(app)
    # Innermost first: the fast path sees bodies the size limit has already accepted.
    app.add_middleware(SubmitFastPath, submission=submission)
    app.add_middleware(BodyLimitMiddleware, limit=config.max_body_bytes)
    app.add_middleware(AccessLogMiddleware)
    return app
