"""Stored instances on the API's side: a cache of validated instances and payload resolution.

Validating a warehouse takes milliseconds; a job that refers to a stored one must not pay that
on every submit. Ids are content-derived, so a cached instance is never stale.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from starlette.concurrency import run_in_threadpool

from smartwms.jobs import JobStore, PayloadMismatch, payload_instance_id
from smartwms.model import Instance
from smartwms.service.problems import ApiProblem

__all__ = ["InstanceCache", "resolve_payload"]


class InstanceCache:
    """The most recently used validated instances, by owner and id (least recent evicted)."""

    def __init__(self, store: JobStore, size: int = 32) -> None:
        self.store = store
        self.size = size
        self._items: OrderedDict[tuple[str, str], Instance] = OrderedDict()

    def put(self, owner: str, ident: str, instance: Instance) -> None:
        """Remember a validated instance."""
        self._items[(owner, ident)] = instance
        self._items.move_to_end((owner, ident))
        while len(self._items) > self.size:
            self._items.popitem(last=False)

    def forget(self, owner: str, ident: str) -> None:
        """Drop an instance (it was deleted)."""
        self._items.pop((owner, ident), None)

    async def get(self, owner: str, ident: str) -> Instance | None:
        """``owner``'s instance ``ident``, from the cache or the store; ``None`` if unknown."""
        cached = self._items.get((owner, ident))
        if cached is not None:
            self._items.move_to_end((owner, ident))
            return cached
        body = await run_in_threadpool(self.store.instance_body, owner, ident)
        if body is None:
            return None
        instance = await run_in_threadpool(Instance.model_validate_json, body)
        self.put(owner, ident, instance)
        return instance


def _unprocessable(field: str, message: str) -> ApiProblem:
    return ApiProblem(
        422,
        "validation",
        f"{field}: {message}",
        errors=[{"field": field, "message": message}],
    )


async def resolve_payload(cache: InstanceCache, owner: str, payload: Any) -> Any:
    """Check a payload that refers to a stored instance against it; returns it resolved.

    Raises a 422 problem naming the field when the instance is unknown to ``owner`` or the
    payload does not fit it. Payloads with an inline instance are returned as they are.
    """
    ident = payload_instance_id(payload)
    if ident is None:
        return payload
    instance = await cache.get(owner, ident)
    if instance is None:
        raise _unprocessable(
            "payload.instance_id", f"no stored instance {ident}; store it with POST /v1/instances"
        )
    try:
        return payload.with_instance(instance)
    except PayloadMismatch as exc:
        raise _unprocessable(f"payload.{exc.field}", exc.reason) from None
