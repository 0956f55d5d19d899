"""Solution data shared by solvers, the CLI and the service."""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import Field

from smartwms.model.base import Frozen

__all__ = ["PickRoute", "SolveStatus", "TourStop"]


class SolveStatus(StrEnum):
    """How a solve ended."""

    OPTIMAL = "optimal"
    FEASIBLE = "feasible"
    TIME_LIMIT = "time_limit"
    CANCELLED = "cancelled"
    INFEASIBLE = "infeasible"


class TourStop(Frozen):
    """A stop of a pick tour: a depot, or a location where ``picks`` are taken.

    ``aisle`` and ``cell`` are set on parallel-aisle layouts, ``node`` on graph layouts.
    """

    kind: Literal["depot", "pick"]
    id: str = Field(description="location or station id")
    aisle: int | None = None
    cell: int | None = None
    node: str | None = None
    picks: dict[str, float] = Field(default_factory=dict, description="SKU id -> units taken")


class PickRoute(Frozen):
    """A closed pick tour from a depot through every pick location and back."""

    orders: list[str] = Field(default_factory=list)
    method: str
    stops: list[TourStop]
    length: float = Field(ge=0)
    status: SolveStatus = Field(
        default=SolveStatus.FEASIBLE, description="optimal when the tour is proven shortest"
    )
