"""Stored instances: store a warehouse once, then refer to it from jobs by ``instance_id``."""

from typing import Annotated, Any

from fastapi import APIRouter, Body, Path, Response
from starlette.concurrency import run_in_threadpool

from smartwms.jobs import INSTANCE_ID_PATTERN, instance_id
from smartwms.model import Instance
from smartwms.service.deps import OwnerDep, StateDep
from smartwms.service.problems import ApiProblem
from smartwms.service.schemas import InstanceView, Problem, instance_view

__all__ = ["router"]

router = APIRouter(prefix="/v1/instances", tags=["instances"])

_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": Problem, "description": "missing or unknown API key"},
    404: {"model": Problem, "description": "no such instance (for this key)"},
    422: {"model": Problem, "description": "invalid request, with field-level messages"},
}
InstanceId = Annotated[
    str, Path(max_length=64, pattern=INSTANCE_ID_PATTERN, description="the instance id")
]


@router.post(
    "",
    status_code=201,
    response_model=InstanceView,
    summary="Store a warehouse instance",
    responses={
        **_ERRORS,
        200: {"model": InstanceView, "description": "this instance was already stored"},
        413: {"model": Problem, "description": "request body too large"},
    },
)
async def store_instance(
    body: Annotated[Instance, Body()], response: Response, state: StateDep, owner: OwnerDep
) -> InstanceView:
    """Validate and store an instance once; jobs then send ``payload.instance_id`` instead of
    the whole instance. The id is derived from the content: storing it again answers 200 with
    the same id."""
    ident = instance_id(body)
    stored, created = await run_in_threadpool(
        state.store.put_instance,
        owner,
        ident,
        body.name,
        body.summary(),
        body.model_dump_json(),
    )
    state.instances.put(owner, ident, body)
    if not created:
        response.status_code = 200
    response.headers["Location"] = f"/v1/instances/{ident}"
    return instance_view(stored)


@router.get("/{instance_id}", response_model=InstanceView, summary="Read a stored instance")
async def get_instance(instance_id: InstanceId, state: StateDep, owner: OwnerDep) -> InstanceView:
    """Its id, name, creation time and summary (counts of locations, SKUs, orders...)."""
    stored = await run_in_threadpool(state.store.get_instance, owner, instance_id)
    if stored is None:
        raise ApiProblem(404, "not-found", f"no instance {instance_id!r}")
    return instance_view(stored)


@router.delete(
    "/{instance_id}",
    status_code=204,
    response_class=Response,
    summary="Delete a stored instance",
    responses=_ERRORS,
)
async def delete_instance(instance_id: InstanceId, state: StateDep, owner: OwnerDep) -> Response:
    """Forget the instance: new jobs can no longer refer to it (queued ones may still run)."""
    deleted = await run_in_threadpool(state.store.delete_instance, owner, instance_id)
    if not deleted:
        raise ApiProblem(404, "not-found", f"no instance {instance_id!r}")
    state.instances.forget(owner, instance_id)
    return Response(status_code=204)
