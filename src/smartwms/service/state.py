"""What the running app holds: settings, the store, the executor, keys, webhooks, metrics."""

from __future__ import annotations

import fcntl
import logging
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from smartwms.errors import SmartwmsError
from smartwms.jobs import Executor, Job, JobStore, LocalExecutor
from smartwms.jobs.webhooks import WebhookPolicy, WebhookSender
from smartwms.service.auth import KeyRing
from smartwms.service.batching import SubmitBatcher
from smartwms.service.instances import InstanceCache
from smartwms.service.metrics import ServiceMetrics
from smartwms.service.settings import ServiceSettings

__all__ = ["ServiceState", "open_service", "stored_secret", "webhook_policy"]

log = logging.getLogger("smartwms.service")


@dataclass
class ServiceState:
    """The resources of one running app."""

    settings: ServiceSettings
    store: JobStore
    executor: Executor
    keys: KeyRing
    webhooks: WebhookSender
    metrics: ServiceMetrics
    lock: IO[str]
    batcher: SubmitBatcher
    instances: InstanceCache

    def close(self) -> None:
        """Stop the executor and webhooks, release the store and the data-dir lock."""
        self.batcher.close()
        self.executor.shutdown()
        self.webhooks.close()
        self.store.close()
        fcntl.flock(self.lock, fcntl.LOCK_UN)
        self.lock.close()


def _lock_data_dir(data_dir: Path) -> IO[str]:
    # One server per data directory: recovery at start-up assumes nobody else runs its jobs.
    handle = (data_dir / "server.lock").open("a+")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        raise SmartwmsError(
            f"--data-dir: another smartwms server is using {data_dir}; stop it or pick another"
        ) from None
    return handle


def stored_secret(settings: ServiceSettings, name: str) -> str:
    """The secret setting ``name`` if set, else the one kept in ``DATA_DIR/<name>`` (made once).

    ``name`` is ``webhook-secret`` (HMAC of webhooks) or ``session-secret`` (the console's
    cookies); a restarted server keeps signing with the same key.
    """
    given = getattr(settings, name.replace("-", "_"))
    if given is not None:
        return str(given.get_secret_value())
    path = settings.data_dir / name
    if not path.exists():
        path.write_text(secrets.token_urlsafe(32) + "\n")
        path.chmod(0o600)
    return path.read_text().strip()


def webhook_policy(settings: ServiceSettings) -> WebhookPolicy:
    """Where the settings let webhooks go."""
    return WebhookPolicy.from_lists(
        settings.webhook_schemes, settings.webhook_allowed_hosts, settings.webhook_allow_private
    )


def open_service(settings: ServiceSettings) -> ServiceState:
    """Lock the data directory, recover interrupted jobs and start the executor."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    keys = KeyRing.load(
        settings.keys_path,
        settings.api_keys.get_secret_value() if settings.api_keys else None,
    )
    if settings.auth and len(keys) == 0:
        raise SmartwmsError(
            f"no API keys configured: create one with 'smartwms api-key NAME --data-dir "
            f"{settings.data_dir}', set SMARTWMS_API_KEYS=NAME=KEY, or use --no-auth locally"
        )
    if not settings.auth:
        log.warning(
            "AUTHENTICATION IS OFF (--no-auth): anyone who can reach this server can submit and "
            "read jobs; use it only on a local machine"
        )
    lock = _lock_data_dir(settings.data_dir)
    try:
        store = JobStore(settings.db_path)
        requeued, failed = store.recover(settings.max_attempts)
        if requeued or failed:
            log.warning(
                "recovered jobs interrupted by a server stop",
                extra={"requeued": requeued, "failed": failed},
            )
        metrics = ServiceMetrics(store)
        webhooks = WebhookSender(
            store,
            stored_secret(settings, "webhook-secret"),
            attempts=settings.webhook_attempts,
            backoff=settings.webhook_backoff,
            policy=webhook_policy(settings),
        )

        def finished(job: Job) -> None:
            metrics.job_finished(job)
            webhooks.submit(job)

        executor = LocalExecutor(
            store, workers=settings.workers, grace=settings.grace_seconds, on_finished=finished
        )
        executor.start()
        for job in store.pending_webhooks():
            webhooks.submit(job)
    except BaseException:
        lock.close()
        raise
    log.info(
        "smartwms service ready",
        extra={"data_dir": str(settings.data_dir), "workers": settings.workers, "pid": os.getpid()},
    )
    batcher = SubmitBatcher(store, on_batch=executor.wake)
    return ServiceState(
        settings, store, executor, keys, webhooks, metrics, lock, batcher, InstanceCache(store)
    )
