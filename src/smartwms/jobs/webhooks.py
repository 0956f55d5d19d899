"""Completion webhooks: a signed POST when a job finishes, retried with back-off.

The body is JSON; the ``Smartwms-Signature`` header is ``t=<unix time>,v1=<hex>`` where ``hex`` is
HMAC-SHA256 over ``"<t>.<body>"`` with the server's webhook secret, so a receiver can check both
origin and freshness (see :func:`verify_signature`).
"""

from __future__ import annotations

import fnmatch
import hashlib
import hmac
import ipaddress
import json
import logging
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx

from smartwms.errors import SmartwmsError
from smartwms.jobs.store import Job, JobStore

__all__ = [
    "SIGNATURE_HEADER",
    "WebhookPolicy",
    "WebhookRefused",
    "WebhookSender",
    "sign",
    "verify_signature",
    "webhook_body",
]

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


class WebhookRefused(SmartwmsError):
    """A webhook URL the server's configuration does not allow."""


def _special_address(address: str) -> bool:
    """Loopback, private, link-local, multicast, reserved or unspecified (not the internet)."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return bool(
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
    )


def _ip_literal(host: str) -> str | None:
    try:
        return str(ipaddress.ip_address(host.strip("[]")))
    except ValueError:
        return None


@dataclass(frozen=True)
class WebhookPolicy:
    """Where webhooks may go: schemes, host patterns, and whether private addresses are allowed.

    A server must not be made to POST into its own network on a client's behalf (SSRF), so by
    default webhooks to loopback, private, link-local and other non-public addresses are
    refused: at submit for IP literals and ``localhost``, and again at delivery for the
    addresses a host name resolves to.

    Parameters
    ----------
    schemes
        URL schemes allowed, e.g. ``("https",)``.
    hosts
        Host patterns (``fnmatch``, case-insensitive, e.g. ``*.example.com``); empty: any host.
    allow_private
        Allow non-public addresses (for receivers on the same machine or network).

    Examples
    --------
    >>> policy = WebhookPolicy(schemes=("https",), hosts=("*.example.com",))
    >>> policy.allows("https://hooks.example.com/done"), policy.allows("http://hooks.example.com")
    (True, False)
    >>> WebhookPolicy().allows("http://127.0.0.1:9000/hook"), WebhookPolicy().allows("http://[::1]/")
    (False, False)
    """

    schemes: tuple[str, ...] = ("https", "http")
    hosts: tuple[str, ...] = ()
    allow_private: bool = False

    @classmethod
    def from_lists(cls, schemes: str, hosts: str, allow_private: bool) -> WebhookPolicy:
        """A policy from comma-separated schemes and host patterns (as settings hold them)."""
        return cls(
            schemes=tuple(s.strip().lower() for s in schemes.split(",") if s.strip()),
            hosts=tuple(h.strip().lower() for h in hosts.split(",") if h.strip()),
            allow_private=allow_private,
        )

    def check(self, url: str) -> None:
        """Raise :class:`WebhookRefused` with the reason when ``url`` is not allowed."""
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme not in self.schemes:
            allowed = ", ".join(self.schemes) or "none"
            raise WebhookRefused(
                f"scheme {scheme!r} is not allowed on this server (allowed: {allowed})"
            )
        host = (parts.hostname or "").lower().rstrip(".")
        if not host:
            raise WebhookRefused("the URL has no host")
        if self.hosts and not any(fnmatch.fnmatchcase(host, pat) for pat in self.hosts):
            raise WebhookRefused(
                f"host {host!r} is not in this server's allowed webhook hosts "
                f"({', '.join(self.hosts)})"
            )
        if self.allow_private:
            return
        literal = _ip_literal(host)
        if (
            host == "localhost"
            or host.endswith(".localhost")
            or (literal is not None and _special_address(literal))
        ):
            raise WebhookRefused(
                f"host {host!r} is a loopback or private address; this server only sends "
                "webhooks to public addresses"
            )

    def allows(self, url: str) -> bool:
        """Whether :meth:`check` lets ``url`` through."""
        try:
            self.check(url)
        except WebhookRefused:
            return False
        return True

    def check_resolved(self, url: str) -> None:
        """At delivery: refuse when the host resolves to a non-public address (DNS can lie)."""
        if self.allow_private:
            return
        parts = urlsplit(url)
        host = parts.hostname or ""
        if _ip_literal(host) is not None:
            return  # checked at submit
        try:
            infos = socket.getaddrinfo(host, parts.port or 443, type=socket.SOCK_STREAM)
        except OSError as exc:
            raise WebhookRefused(f"host {host!r} does not resolve ({exc})") from None
        for info in infos:
            address = str(info[4][0])
            if _special_address(address):
                raise WebhookRefused(
                    f"host {host!r} resolves to the non-public address {address}; refused"
                )


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
    policy
        Where webhooks may go; a URL refused at delivery is not retried.
    """

    def __init__(
        self,
        store: JobStore,
        secret: str,
        *,
        attempts: int = 4,
        backoff: float = 0.5,
        timeout: float = 5.0,
        policy: WebhookPolicy | None = None,
    ) -> None:
        self.store = store
        self.policy = policy or WebhookPolicy()
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
        try:
            self.policy.check(job.webhook_url)
            self.policy.check_resolved(job.webhook_url)
        except WebhookRefused as exc:
            log.warning("webhook for job %s refused: %s", job.id, exc)
            self.store.mark_webhook(job.id, "refused")
            return
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
