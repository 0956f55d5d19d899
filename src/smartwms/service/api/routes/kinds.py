"""The job kinds this server runs."""

from __future__ import annotations

from fastapi import APIRouter

from smartwms.jobs import job_kinds
from smartwms.service.deps import OwnerDep
from smartwms.service.schemas import KindView

router = APIRouter(prefix="/v1", tags=["jobs"])


@router.get("/kinds", response_model=list[KindView], summary="Job kinds and their size caps")
def list_kinds(_owner: OwnerDep) -> list[KindView]:
    """Every job kind, with the largest size the synchronous endpoint accepts."""
    return [
        KindView(
            name=name,
            summary=kind.summary,
            sync_limit=kind.sync_limit,
            payload_schema=kind.payload_model.__name__,
        )
        for name, kind in job_kinds().items()
    ]
