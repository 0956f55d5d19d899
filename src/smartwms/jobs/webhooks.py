"""Completion webhooks: a signed POST when a job finishes, retried with back-off.

The body is JSON; the ``Smartwms-Signature`` header is ``t=<unix time>,v1=<hex>`` where ``hex`` is
HMAC-SHA256 over ``"<t>.<body>"`` with the server's webhook secret, so a receiver can check both
origin and freshness (see :func:`verify_signature`).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx

from smartwms.jobs.store import Job, JobStore

__all__ = ["SIGNATURE_HEADER", "WebhookSender", "sign", "verify_signature", "webhook_body"]

log = logging.getLogger("smartwms.jobs.webhooks")

SIGNATURE_HEADER = "Smartwms-Signature"


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The signature header value for ``body`` sent at ``timestamp``.

    Examples
    --------
    >>> sign("s3cret", 1700000000, b"{}")[:13]
    't=1700000000,'
    """
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def verify_signature(
    secret: str, header: str, body: bytes, *, tolerance: float = 300.0, now: float | None = None
) -> bool:
    """Whether ``header`` signs ``body`` with ``secret`` and is at most ``tolerance`` s old.

    Examples
    --------
    >>> header = sign("s3cret", 1700000000, b"{}")
    >>> verify_signature("s3cret", header, b"{}", now=1700000010)
    True
    >>> verify_signature("other", header, b"{}", now=1700000010)
    False
    """
    try:
        parts = dict(item.split("=", 1) for item in header.split(","))
        timestamp = int(parts["t"])
    except (KeyError, ValueError):
        return False
    if abs((time.time() if now is None else now) - timestamp) > tolerance:
        return False
    return hmac.compare_digest(sign(secret, timestamp, body), header)


def webhook_body(job: Job) -> dict[str, Any]:
    """What a completion webhook says about ``job``."""
    return {
        "event": "job.finished",
        "job": {
            "id": job.id,
            "kind": job.kind,
            "state": job.state.value,
            "best_objective": job.best_objective,
            "error": job.error,
            "has_result": job.has_result,
            "finished_at": job.finished_at,
        },
    }


class WebhookSender:
    """Delivers completion webhooks in background threads with retries.

    Parameters
    ----------
    store
        Where delivery outcomes are recorded (``webhook_status``).
    secret
        HMAC key shared with receivers.
    attempts
        Deliveries tried before giving up (2xx answers count as delivered).
    backoff
        Seconds before the second attempt; doubled for each further one.
    timeout
        Seconds per HTTP attempt.
    """

    def __init__(
        self,
        store: JobStore,
        secret: str,
        *,
        attempts: int = 4,
        backoff: float = 0.5,
        timeout: float = 5.0,
    ) -> None:
        self.store = store
        self.secret = secret
        self.attempts = attempts
        self.backoff = backoff
        self.timeout = timeout
        self._pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="smartwms-webhook")
        self._closing = threading.Event()

    def submit(self, job: Job) -> None:
        """Deliver the webhook of a finished job (no-op without a webhook URL)."""
        if job.webhook_url and not self._closing.is_set():
            self._pool.submit(self._deliver, job)

    def close(self) -> None:
        """Stop retrying and wait briefly for deliveries in flight."""
        self._closing.set()
        self._pool.shutdown(wait=True, cancel_futures=True)

    def _deliver(self, job: Job) -> None:
        assert job.webhook_url is not None
        body = json.dumps(webhook_body(job), separators=(",", ":")).encode()
        delay = self.backoff
        with httpx.Client(timeout=self.timeout, follow_redirects=False) as client:
            for attempt in range(1, self.attempts + 1):
                headers = {
                    "Content-Type": "application/json",
                    SIGNATURE_HEADER: sign(self.secret, int(time.time()), body),
                    "Smartwms-Delivery-Attempt": str(attempt),
                }
                try:
                    answer = client.post(job.webhook_url, content=body, headers=headers)
                    if 200 <= answer.status_code < 300:
                        self.store.mark_webhook(job.id, "delivered")
                        log.info("webhook for job %s delivered", job.id)
                        return
                    reason = f"HTTP {answer.status_code}"
                except httpx.HTTPError as exc:
                    reason = type(exc).__name__
                log.warning("webhook for job %s attempt %d failed: %s", job.id, attempt, reason)
                if attempt < self.attempts and self._closing.wait(delay):
                    return
                delay *= 2
        self.store.mark_webhook(job.id, "failed")
