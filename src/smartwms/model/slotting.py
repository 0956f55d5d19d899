"""Slotting solutions: where every SKU lives and the moves that get it there."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from smartwms.model.base import Frozen

__all__ = ["Move", "SlottingPlan"]

BUFFER = "BUFFER"
"""Location id of the buffer (a staging lane off the pick area) used to break swap cycles."""


class Move(Frozen):
    """One executable relocation of a SKU's stock.

    ``source`` is ``None`` for a put-away of a SKU that has no stock location yet; ``kind``
    says why the move exists: ``relocate`` (straight to its new slot), ``to_buffer`` and
    ``from_buffer`` (a swap cycle broken through a free slot or the buffer ``"BUFFER"``).
    """

    step: int = Field(ge=0)
    sku: str
    source: str | None
    target: str
    kind: Literal["relocate", "put_away", "to_buffer", "from_buffer"] = "relocate"
    distance: float = Field(default=0.0, ge=0, description="walking distance source -> target")
    labour_s: float = Field(default=0.0, ge=0, description="estimated labour in seconds")


class SlottingPlan(Frozen):
    """A storage assignment and the ordered move list that turns the current one into it.

    ``objective`` is the expected travel per day (pick weight x slot cost, in the instance's
    length unit) of ``assignment``; ``baseline_objective`` the same for the current stock.
    """

    method: str
    assignment: dict[str, list[str]] = Field(description="SKU id -> location ids")
    moves: list[Move] = Field(default_factory=list)
    objective: float
    baseline_objective: float | None = None
    labour_s: float = Field(default=0.0, ge=0, description="total labour of the moves")
    travel_saved_per_day: float = 0.0
    payback_days: float | None = Field(
        default=None, description="days of travel savings that pay the move labour back"
    )
