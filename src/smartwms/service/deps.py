"""Dependencies of the routes, as ``Annotated`` aliases.

They never block, so they are ``async``: FastAPI would otherwise run each in the thread pool.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from smartwms.jobs import JobStore
from smartwms.service.problems import ApiProblem
from smartwms.service.state import ServiceState

__all__ = ["OwnerDep", "StateDep", "StoreDep", "get_owner", "get_state", "owner_of_key"]

LOCAL_OWNER = "local"

_bearer = HTTPBearer(auto_error=False, description="Authorization: Bearer <API key>")
_api_key = APIKeyHeader(name="X-API-Key", auto_error=False, description="the API key")


async def get_state(request: Request) -> ServiceState:
    """The running app's resources."""
    state: ServiceState | None = getattr(request.app.state, "smartwms", None)
    if state is None:
        raise ApiProblem(503, "not-ready", "the service is starting or stopping")
    return state


StateDep = Annotated[ServiceState, Depends(get_state)]


async def get_store(state: StateDep) -> JobStore:
    """The job store."""
    return state.store


StoreDep = Annotated[JobStore, Depends(get_store)]


def owner_of_key(state: ServiceState, key: str | None) -> str | None:
    """The owner of an API key (``None`` if missing or unknown); all are local without auth."""
    if not state.settings.auth:
        return LOCAL_OWNER
    return state.keys.owner_of(key) if key else None


async def get_owner(
    state: StateDep,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    api_key: Annotated[str | None, Depends(_api_key)],
) -> str:
    """The owner of the request's API key (every key sees only its own jobs)."""
    owner = owner_of_key(state, bearer.credentials if bearer is not None else api_key)
    if owner is None:
        raise ApiProblem(
            401,
            "unauthorized",
            "missing or unknown API key: send 'Authorization: Bearer <key>' or 'X-API-Key'",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return owner


OwnerDep = Annotated[str, Depends(get_owner)]
