"""A small warehouse and scenarios for the simulation tests."""

from __future__ import annotations

from typing import Any

from smartwms.sim import Scenario
from smartwms.sim.demo import demo_instance

WAREHOUSE = demo_instance(seed=3)


def warehouse_scenario(**changes: Any) -> Scenario:
    """Eight pickers on the demo warehouse, nearest-neighbour tours, 4-hour horizon."""
    data: dict[str, Any] = {
        "name": "test-warehouse",
        "instance": WAREHOUSE,
        "horizon_s": 4 * 3600.0,
        "warmup_s": 1800.0,
        "arrivals": {"rate_per_hour": 90.0},
        "orders": {"pool_size": 150, "lines_mean": 3},
        "pickers": {"count": 8},
        "travel": {"routing": "nearest"},
    }
    data.update(changes)
    return Scenario.model_validate(data)
