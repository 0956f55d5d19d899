"""The parameters of the shift plan (:class:`PlanParams`) and of its baseline."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from smartwms.routing import METHODS as ROUTING_METHODS
from smartwms.slotting import METHODS as SLOTTING_METHODS

__all__ = ["BATCHING_RULES", "Baseline", "PlanParams"]

#: Batching methods the chain offers: ``single`` (one order per tour, the usual baseline),
#: ``auto`` (the best method this version has).
BATCHING_RULES = ("auto", "single")


class _Params(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Baseline(_Params):
    """How the warehouse works today, to measure the plan against.

    ``slotting``: ``current`` (today's stock) or ``plan`` (the plan's slotting, so only the
    other stages are compared); ``batching``: a batching method (``single``: one order per
    tour); ``routing``: a routing method (``sshape`` is what most pickers walk). Orders go to
    whichever picker is free next, first come first served.
    """

    slotting: Literal["current", "plan"] = "current"
    batching: str = "single"
    routing: str = "sshape"

    @field_validator("routing")
    @classmethod
    def _routing(cls, value: str) -> str:
        if value not in ROUTING_METHODS:
            raise ValueError(f"unknown routing method {value!r}; use one of {ROUTING_METHODS}")
        return value


class PlanParams(_Params):
    """Options of :func:`smartwms.plan.plan_shift`.

    Stages: re-slotting (only with ``max_moves``), relocations, waves, batching, routing,
    scheduling, AGV tasks, simulation against ``baseline``.
    """

    horizon_s: float = Field(default=8 * 3600.0, gt=0, description="length of the shift")
    pickers: int | None = Field(
        default=None, description="pickers on shift (default: the instance's fleet)"
    )
    waves: int | list[float] | None = Field(
        default=None,
        description="a number of equal waves over the horizon, or their release times in "
        "seconds; default: one wave at the start",
    )
    max_moves: int | None = Field(
        default=None, ge=0, description="re-slot with at most this many moves (default: do not)"
    )
    slotting: str = Field(default="optimal", description="re-slotting method")
    relocate_with: Literal["auto", "crew", "agv"] = Field(
        default="auto", description="who moves stock: AGVs when the warehouse has them (auto)"
    )
    relocation_window: Literal["before", "during"] = Field(
        default="before",
        description="when the relocations happen: before the shift starts (the usual night "
        "re-slotting; the slotting is ready at the start), or during it (orders needing a "
        "moved SKU wait for its move)",
    )
    relocation_workers: int = Field(
        default=1, ge=1, description="people doing relocations and replenishments"
    )
    replenish: bool = Field(
        default=True,
        description="top up pick slots from reserve when the day's orders need more than "
        "they hold (else such an order is an error)",
    )
    replenish_s: float = Field(default=60.0, ge=0, description="handling per replenishment")
    batching: str = Field(default="auto", description="batching method")
    cart_orders: int | None = Field(
        default=None, ge=1, description="orders per cart (default: the picker class's)"
    )
    routing: str = Field(default="optimal", description="routing method of the tours")
    scheduling: Literal["edd", "fcfs"] = Field(
        default="edd", description="batch sequence: earliest due date or first come"
    )
    setup_s: float = Field(default=30.0, ge=0, description="set-up per batch at the depot")
    agv_handling_s: float = Field(default=5.0, ge=0, description="AGV lift or put-down time")
    simulate: bool = Field(default=True, description="simulate the plan against the baseline")
    replications: int = Field(default=10, ge=1, le=100)
    contributions: bool = Field(
        default=False,
        description="also simulate the stages switched on one by one (what each stage adds)",
    )
    baseline: Baseline = Field(default_factory=Baseline)
    pick_time_cv: float = Field(
        default=0.3, gt=0, description="coefficient of variation of simulated pick times"
    )
    aisle_capacity: int | None = Field(
        default=None, ge=1, description="people an aisle holds at once in the simulation"
    )

    @field_validator("slotting")
    @classmethod
    def _slotting(cls, value: str) -> str:
        if value not in SLOTTING_METHODS:
            raise ValueError(f"unknown slotting method {value!r}; use one of {SLOTTING_METHODS}")
        return value

    @field_validator("routing")
    @classmethod
    def _routing(cls, value: str) -> str:
        if value not in ROUTING_METHODS:
            raise ValueError(f"unknown routing method {value!r}; use one of {ROUTING_METHODS}")
        return value
