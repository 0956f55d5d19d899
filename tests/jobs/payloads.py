"""Job payloads shared by the job-machinery and the API tests."""

from __future__ import annotations

from typing import Any


def small_instance() -> dict[str, Any]:
    """A 3-aisle warehouse with 10 locations and a depot (its matrix is instant)."""
    return {
        "layout": {
            "kind": "parallel-aisle",
            "n_aisles": 3,
            "aisle_spacing": 3,
            "cells_per_block": 5,
            "cell_length": 1,
        },
        "locations": [{"id": f"L{i}", "aisle": i % 3, "cell": i % 5} for i in range(10)],
        "stations": [{"id": "D", "aisle": 0, "cross_aisle": 1}],
    }


def slow_payload(points: int = 3000, size: int = 200) -> dict[str, Any]:
    """A distance matrix on an open grid map that takes tens of seconds in blocks of rows."""
    cells = size * size
    return {
        "instance": {
            "layout": {"kind": "grid", "height": size, "width": size, "rows": ["." * size] * size},
            "locations": [{"id": f"L{i}", "cell": (i * 997) % cells} for i in range(points)],
        },
        "targets": [f"L{i}" for i in range(10)],
    }
