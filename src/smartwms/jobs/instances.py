"""Payloads about one warehouse: the instance inline, or a reference to a stored instance.

Integrators usually send the same warehouse (layout, locations, SKUs, stock) with every job and
only the orders change. Like Nextmv's and GraphHopper's APIs, the service therefore lets them
store the instance once (``POST /v1/instances`` answers its id) and refer to it by
``instance_id`` in later jobs; an instance given inline still works.

An instance id is derived from the instance's content, so storing the same warehouse twice
gives the same id, and what an id names never changes.
"""

from __future__ import annotations

import hashlib
from typing import Any, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from smartwms.errors import SmartwmsError
from smartwms.model import Instance

__all__ = [
    "INSTANCE_ID_PATTERN",
    "InstancePayload",
    "PayloadMismatch",
    "instance_id",
    "payload_instance_id",
]

INSTANCE_ID_PATTERN = r"^ins_[0-9a-f]{32}$"


class PayloadMismatch(SmartwmsError, ValueError):
    """A payload refers to something its instance does not have (``field``: ``reason``)."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


def instance_id(instance: Instance) -> str:
    """The content-derived id of an instance.

    Examples
    --------
    >>> from smartwms.model import ParallelAisleLayout
    >>> lay = ParallelAisleLayout(n_aisles=2, aisle_spacing=3, cells_per_block=4, cell_length=1)
    >>> ident = instance_id(Instance(layout=lay))
    >>> ident.startswith("ins_"), len(ident), ident == instance_id(Instance(layout=lay))
    (True, 36, True)
    """
    digest = hashlib.sha256(instance.model_dump_json().encode()).hexdigest()
    return "ins_" + digest[:32]


class InstancePayload(BaseModel):
    """Base of payloads about one warehouse: ``instance`` inline or ``instance_id``.

    Subclasses put their checks against the instance in :meth:`check_against`, which runs when
    the instance is inline and again when a stored one takes the place of its id.
    """

    model_config = ConfigDict(extra="forbid")

    instance: Instance | None = Field(
        default=None, description="the warehouse inline (or give instance_id instead)"
    )
    instance_id: str | None = Field(
        default=None,
        pattern=INSTANCE_ID_PATTERN,
        description="id of a warehouse stored with POST /v1/instances (instead of instance)",
    )

    @model_validator(mode="after")
    def _one_instance(self) -> Self:
        if (self.instance is None) == (self.instance_id is None):
            raise ValueError(
                "instance: give exactly one of 'instance' (inline) or 'instance_id' "
                "(stored with POST /v1/instances)"
            )
        if self.instance is not None:
            self.check_against(self.instance)
        return self

    def check_against(self, instance: Instance) -> None:
        """Raise :class:`PayloadMismatch` when the payload does not fit ``instance``."""

    def with_instance(self, instance: Instance) -> Self:
        """This payload with ``instance`` in place of its ``instance_id`` (checked against it)."""
        self.check_against(instance)
        return self.model_copy(update={"instance": instance, "instance_id": None})

    def resolved(self) -> Instance:
        """The inline (or resolved) instance; an unresolved reference is an error."""
        if self.instance is None:
            raise SmartwmsError(f"instance_id: {self.instance_id} was not resolved to an instance")
        return self.instance


def payload_instance_id(payload: Any) -> str | None:
    """The instance id a payload refers to (``None`` when inline or not about an instance)."""
    return payload.instance_id if isinstance(payload, InstancePayload) else None
