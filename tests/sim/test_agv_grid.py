"""Goods-to-person AGVs driven on the grid map by the online planner (``agv.fidelity=grid``)."""

from __future__ import annotations

import functools
import math

import numpy as np
import pytest

from smartwms.agv import Grid, check_plan
from smartwms.agv.online import OnlineFleet
from smartwms.layout.gridmap import warehouse_grid
from smartwms.sim import ScenarioError, agvgrid, prepare, simulate
from smartwms.sim.model import _Model

from .helpers import WAREHOUSE, warehouse_scenario


def _agv_scenario(fidelity: str, **agv: object):
    return warehouse_scenario(
        horizon_s=2400.0,
        warmup_s=300.0,
        drain_s=1800.0,
        arrivals={"rate_per_hour": 40.0},
        orders={"pool_size": 60, "lines_mean": 3},
        travel={"enabled": False},
        agv={"enabled": True, "count": 8, "stations": 2, "fidelity": fidelity, **agv},
    )


@pytest.fixture(scope="module")
def grid_run():
    prepared = prepare(_agv_scenario("grid"))
    recording = functools.partial(OnlineFleet, record=True)
    agvgrid.OnlineFleet = recording  # type: ignore[misc]
    try:
        model = _Model(prepared, 0, 0)
        model.run()
    finally:
        agvgrid.OnlineFleet = OnlineFleet  # type: ignore[misc]
    return prepared, model


def test_the_fleet_drives_collision_free_on_the_warehouse_map(grid_run) -> None:
    prepared, model = grid_run
    assert model.grid_agvs is not None
    plan = model.grid_agvs.fleet.plan_dict()
    assert plan["steps"] > 100
    assert check_plan(plan, prepared.agv_grid.layout.rows) == []
    # Every rack trip ends where it began: lifted and put back at its access cell.
    tasks = [t for t in plan["tasks"] if t["completed_at"] is not None]
    assert tasks and all(t["errands"][0] == t["errands"][-1] for t in tasks)


def test_orders_complete_and_travel_is_what_the_agvs_drove(grid_run) -> None:
    prepared, model = grid_run
    kpis = model.kpis()
    assert kpis["orders_per_hour"] > 0 and kpis["unfinished_orders"] == 0
    wg = warehouse_grid(WAREHOUSE, ports=2)
    grid = Grid(wg.layout)
    done = ~np.isnan(model.end)
    # Each line's rack goes to a port and back: at least twice the rack-to-port distance.
    for k in np.flatnonzero(done):
        cells = prepared.plans[model.pool_idx[k]].agv_cells
        lower = sum(2 * min(grid.distance(c, p) for p in wg.ports) for c in cells) * wg.cell_m
        assert model.driven[k] + 1e-9 >= lower
    window = done & (model.times >= 300.0) & (model.times <= 2400.0)
    assert math.isclose(kpis["travel_per_order_m"], float(model.driven[window].mean()))


def test_same_seed_same_kpis_and_fidelity_matters() -> None:
    grid = prepare(_agv_scenario("grid"))
    detour = prepare(_agv_scenario("detour"))
    a = simulate(grid, seed=1, replication=0).kpis
    b = simulate(grid, seed=1, replication=0).kpis
    c = simulate(detour, seed=1, replication=0).kpis
    assert a == b
    assert a["travel_per_order_m"] != c["travel_per_order_m"]
    assert "grid map" in grid.routing_used


def test_grid_fidelity_needs_room_for_the_stations() -> None:
    with pytest.raises(ScenarioError, match=r"agv\.stations"):
        prepare(_agv_scenario("grid", stations=40))
