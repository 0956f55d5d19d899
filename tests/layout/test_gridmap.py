"""The AGV grid map of a parallel-aisle warehouse: moves equal aisle-network distances."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from smartwms.agv import Grid
from smartwms.errors import InstanceValidationError
from smartwms.layout import distance_matrix
from smartwms.layout.gridmap import warehouse_grid
from smartwms.model import GridLayout, Instance, Location, ParallelAisleLayout, Station


def _warehouse(aisles: int, spacing: int, cells: int, blocks: int, depot_aisle: int) -> Instance:
    layout = ParallelAisleLayout(
        n_aisles=aisles,
        aisle_spacing=spacing,
        cells_per_block=cells,
        cell_length=1,
        n_blocks=blocks,
    )
    locations = [
        Location(id=f"L{a}-{c}", aisle=a, cell=c)
        for a in range(aisles)
        for c in range(layout.cells_per_aisle)
    ]
    depot = Station(id="D", aisle=min(depot_aisle, aisles - 1), cross_aisle=blocks)
    return Instance(layout=layout, locations=locations, stations=[depot])


@settings(max_examples=25, deadline=None)
@given(
    aisles=st.integers(1, 5),
    spacing=st.integers(2, 4),
    cells=st.integers(1, 6),
    blocks=st.integers(1, 3),
    depot_aisle=st.integers(0, 4),
    ports=st.integers(0, 2),
)
def test_moves_times_cell_length_equal_the_aisle_distance(
    aisles: int, spacing: int, cells: int, blocks: int, depot_aisle: int, ports: int
) -> None:
    inst = _warehouse(aisles, spacing, cells, blocks, depot_aisle)
    if ports * 2 > (aisles - 1) * spacing + 2:
        return  # more stations than fit (checked below)
    wg = warehouse_grid(inst, ports=ports)
    grid = Grid(wg.layout)
    ids = ["D", *inst.location_index]
    cells_of = [wg.depot, *(wg.access[i] for i in ids[1:])]
    exact = distance_matrix(inst, ids)
    for k, cell in enumerate(cells_of):
        field = grid.distances_to(cell)
        moves = np.array([field[c] for c in cells_of], dtype=float) * wg.cell_m
        assert np.allclose(moves, exact[k]), (ids[k], wg.layout.rows)
    for port, queue in zip(wg.ports, wg.queues, strict=True):
        assert len(grid.neighbours[port]) == 1  # a dead end: waiting there blocks nobody
        assert queue not in grid.neighbours[port] and grid.is_free(queue)
        assert grid.distance(port, wg.depot) < 10**6


def test_racks_are_obstacles_and_aisles_free() -> None:
    wg = warehouse_grid(_warehouse(2, 3, 2, 1, 0), ports=1)
    assert wg.layout.rows == ["....", ".@@.", ".@@.", "....", "....", ".@@@"]
    assert set(wg.access.values()) == {4, 8, 7, 11}


def test_too_many_stations_name_the_field() -> None:
    with pytest.raises(InstanceValidationError, match=r"agv\.stations"):
        warehouse_grid(_warehouse(2, 3, 2, 1, 0), ports=3)


def test_a_grid_instance_is_its_own_map() -> None:
    layout = GridLayout(height=2, width=3, rows=["...", "..."])
    inst = Instance(
        layout=layout,
        locations=[Location(id="R", cell=2)],
        stations=[Station(id="D", cell=0), Station(id="P", kind="pick", cell=3)],
    )
    wg = warehouse_grid(inst, ports=1)
    assert wg.layout == layout and wg.access == {"R": 2} and wg.ports == (3,)
    assert wg.queues == (0,)
    with pytest.raises(InstanceValidationError, match="pick stations"):
        warehouse_grid(inst, ports=2)
