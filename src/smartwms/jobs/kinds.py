"""The registry of job kinds: adding a solver to the service is one :func:`register_kind` call.

A kind names a payload schema (a pydantic model, which also becomes the API's request schema)
and a function ``run(payload, stop, progress) -> dict`` returning the result as JSON-ready data.
The function must honour ``stop`` (a :class:`~smartwms.stopping.Stop`): when it fires, return
the best answer found so far.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from pydantic import BaseModel

from smartwms.errors import SmartwmsError
from smartwms.stopping import Stop

__all__ = [
    "JobKind",
    "Progress",
    "UnknownKindError",
    "get_kind",
    "job_kinds",
    "register_kind",
]


class Progress(Protocol):
    """Callback through which a running solve reports how far it is."""

    def __call__(
        self,
        fraction: float | None = None,
        best_objective: float | None = None,
        message: str | None = None,
    ) -> None:
        """Report progress in [0, 1], the best objective so far and/or a short message."""


class UnknownKindError(SmartwmsError):
    """No job kind of that name is registered."""


@dataclass(frozen=True)
class JobKind:
    """One kind of job the service can run.

    Parameters
    ----------
    name
        The ``kind`` string of requests, e.g. ``"routing"``.
    payload_model
        Pydantic model of the payload; validated on submission.
    run
        ``run(payload, stop, progress) -> dict``: solves and returns JSON-ready data; an
        ``"objective"`` key (a number) is recorded as the job's best objective.
    summary
        One line for the API documentation.
    size
        Size of a payload (e.g. number of picks), compared with ``sync_limit``.
    sync_limit
        Largest size the synchronous endpoint accepts; ``None`` when the kind is async only.
    """

    name: str
    payload_model: type[BaseModel]
    run: Callable[[Any, Stop, Progress], dict[str, Any]]
    summary: str
    size: Callable[[Any], int] | None = None
    sync_limit: int | None = None


_REGISTRY: dict[str, JobKind] = {}


def register_kind(kind: JobKind) -> JobKind:
    """Add (or replace) a job kind; returns it."""
    _REGISTRY[kind.name] = kind
    return kind


def get_kind(name: str) -> JobKind:
    """The kind called ``name``; raises :class:`UnknownKindError` naming the known ones."""
    try:
        return _REGISTRY[name]
    except KeyError:
        known = ", ".join(sorted(_REGISTRY)) or "none"
        raise UnknownKindError(f"kind: unknown job kind {name!r}; known kinds: {known}") from None


def job_kinds() -> dict[str, JobKind]:
    """Every registered kind, by name (sorted)."""
    return dict(sorted(_REGISTRY.items()))
