"""Common pydantic configuration of every smartwms data model."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

__all__ = ["Frozen"]


class Frozen(BaseModel):
    """Immutable model that rejects unknown fields (a typo in a file is an error, not a no-op)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
