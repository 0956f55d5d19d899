"""RFC 9457 problem details: every error answer is ``application/problem+json``.

Handlers cover our own errors, FastAPI's validation errors (with field-level messages),
Starlette's HTTP errors (404, 405, ...) and anything unexpected (a generic 500; the traceback
goes to the log, never to the client).
"""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from smartwms.errors import InstanceValidationError, SmartwmsError

__all__ = ["PROBLEM_JSON", "ApiProblem", "install_problem_handlers", "problem_response"]

log = logging.getLogger("smartwms.service")

PROBLEM_JSON = "application/problem+json"
_TYPE_BASE = "https://smartwms.dev/problems/"


class ApiProblem(Exception):
    """An error answer raised by a route: status, short slug and human detail."""

    def __init__(
        self,
        status: int,
        slug: str,
        detail: str,
        *,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.slug = slug
        self.detail = detail
        self.headers = headers
        self.extra = extra


def problem_response(
    status: int,
    slug: str,
    detail: str,
    *,
    instance: str | None = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    """A problem+json answer."""
    body: dict[str, Any] = {
        "type": _TYPE_BASE + slug,
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
    }
    if instance is not None:
        body["instance"] = instance
    body.update(extra)
    return JSONResponse(body, status_code=status, headers=headers, media_type=PROBLEM_JSON)


def _field(loc: tuple[Any, ...] | list[Any]) -> str:
    """``("body", "payload", "points", 0)`` -> ``payload.points[0]``."""
    parts = [p for p in loc if p not in ("body",)]
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out or "body"


def _validation_errors(exc: RequestValidationError) -> list[dict[str, str]]:
    errors: list[dict[str, str]] = []
    for error in exc.errors():
        ctx = error.get("ctx") or {}
        cause = ctx.get("error")
        if isinstance(cause, InstanceValidationError):
            errors.extend({"field": f, "message": m} for f, m in cause.problems)
            continue
        loc = list(error.get("loc", ()))
        if error.get("type") in ("union_tag_invalid", "union_tag_not_found"):
            # The discriminator itself is the faulty field (e.g. an unknown job kind).
            loc.append(str(ctx.get("discriminator", "kind")).strip("'"))
        errors.append({"field": _field(loc), "message": str(error.get("msg"))})
    return errors


def install_problem_handlers(app: FastAPI) -> None:
    """Make every error of ``app`` a problem+json answer."""

    @app.exception_handler(ApiProblem)
    async def _api_problem(request: Request, exc: ApiProblem) -> JSONResponse:
        return problem_response(
            exc.status,
            exc.slug,
            exc.detail,
            instance=request.url.path,
            headers=exc.headers,
            **exc.extra,
        )

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = _validation_errors(exc)
        detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors[:5])
        return problem_response(422, "validation", detail, instance=request.url.path, errors=errors)

    @app.exception_handler(InstanceValidationError)
    async def _bad_instance(request: Request, exc: InstanceValidationError) -> JSONResponse:
        # POST /v1/instances takes the instance as its body; jobs carry it in their payload.
        prefix = "" if request.url.path.startswith("/v1/instances") else "payload.instance."
        errors = [{"field": f"{prefix}{f}", "message": m} for f, m in exc.problems]
        return problem_response(
            422,
            "validation",
            str(exc).replace("\n", "; "),
            instance=request.url.path,
            errors=errors,
        )

    @app.exception_handler(SmartwmsError)
    async def _ours(request: Request, exc: SmartwmsError) -> JSONResponse:
        return problem_response(422, "invalid-request", str(exc), instance=request.url.path)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        slug = {404: "not-found", 405: "method-not-allowed"}.get(exc.status_code, "http-error")
        detail = exc.detail if isinstance(exc.detail, str) else HTTPStatus(exc.status_code).phrase
        if exc.status_code == 404 and detail == "Not Found":
            detail = f"no resource at {request.url.path}"
        return problem_response(
            exc.status_code,
            slug,
            detail,
            instance=request.url.path,
            headers=getattr(exc, "headers", None),
        )

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        # The server closes the connection after an unhandled error: say so, or a client
        # reusing the keep-alive connection sees its next request reset.
        return problem_response(
            500,
            "internal",
            "internal server error; it was logged",
            instance=request.url.path,
            headers={"Connection": "close"},
        )
