"""ASGI middleware: request body size limit (413) and one structured log line per request."""

from __future__ import annotations

import json
import logging
import time
import uuid
from http import HTTPStatus
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from smartwms.io.jsonguard import unstorable_value

__all__ = ["AccessLogMiddleware", "BodyLimitMiddleware", "replay_receive"]

log = logging.getLogger("smartwms.access")


def replay_receive(chunks: list[bytes], pending: Message | None, receive: Receive) -> Receive:
    """A ``receive`` that hands the buffered body over in one message, then defers."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if pending is not None and not sent:
            sent = True
            return pending
        if not sent:
            sent = True
            return {"type": "http.request", "body": b"".join(chunks), "more_body": False}
        return await receive()

    return replay


async def _send_problem(
    send: Send, status: int, document: dict[str, Any], *, close: bool = False
) -> None:
    body = json.dumps(document).encode()
    headers = [
        (b"content-type", b"application/problem+json"),
        (b"content-length", str(len(body)).encode()),
    ]
    if close:
        headers.append((b"connection", b"close"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def _is_json(scope: Scope) -> bool:
    for name, value in scope.get("headers", []):
        if name == b"content-type":
            media = value.split(b";")[0].strip().lower()
            return media == b"application/json" or media.endswith(b"+json")
    return False


# Bodies above this size are scanned in a worker thread, not on the event loop.
_SCAN_ON_LOOP_BYTES = 256 * 1024


class BodyLimitMiddleware:
    """Answers 413 (problem+json) when a request body is longer than ``limit`` bytes.

    Checks ``Content-Length`` up front and counts streamed (chunked) bodies as they arrive.
    Bodies of accepted requests are at most ``limit`` bytes, so buffering them is bounded.
    A JSON body holding a value nothing downstream can store (an unpaired surrogate, an
    integer beyond 64 bits: see :mod:`smartwms.io.jsonguard`) gets a 422 naming the field.
    """

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    declared = 0
                if declared > self.limit:
                    await self._reject(send)
                    return
        # Read the body first (at most limit + one chunk held), so an oversized streamed body is
        # refused with 413 before any route sees it; then replay it to the app.
        chunks: list[bytes] = []
        seen = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                await self.app(scope, replay_receive([], message, receive), send)
                return
            body = message.get("body", b"")
            seen += len(body)
            if seen > self.limit:
                await self._reject(send)
                return
            chunks.append(body)
            if not message.get("more_body", False):
                break
        if _is_json(scope) and await self._refuse_unstorable(scope, chunks, send):
            return
        await self.app(scope, replay_receive(chunks, None, receive), send)

    async def _refuse_unstorable(self, scope: Scope, chunks: list[bytes], send: Send) -> bool:
        body = b"".join(chunks) if len(chunks) != 1 else chunks[0]
        if len(body) > _SCAN_ON_LOOP_BYTES:
            found = await run_in_threadpool(unstorable_value, body)
        else:
            found = unstorable_value(body)
        if found is None:
            return False
        field, reason = found
        await _send_problem(
            send,
            422,
            {
                "type": "https://smartwms.dev/problems/validation",
                "title": HTTPStatus(422).phrase,
                "status": 422,
                "detail": f"{field}: {reason}",
                "instance": scope.get("path"),
                "errors": [{"field": field, "message": reason}],
            },
        )
        return True

    async def _reject(self, send: Send) -> None:
        await _send_problem(
            send,
            413,
            {
                "type": "https://smartwms.dev/problems/too-large",
                "title": "Content Too Large",
                "status": 413,
                "detail": f"request body exceeds the limit of {self.limit} bytes",
            },
            close=True,
        )


class AccessLogMiddleware:
    """Logs method, path, status and duration of each request as one structured record."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        request_id = uuid.uuid4().hex[:16]
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = list(message.get("headers", []))
                headers.append((b"x-request-id", request_id.encode()))
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            log.info(
                "request",
                extra={
                    "request_id": request_id,
                    "method": scope.get("method"),
                    "path": scope.get("path"),
                    "status": status,
                    "ms": round((time.perf_counter() - started) * 1000, 2),
                },
            )
