"""The AGV grid map of a warehouse: free cells where vehicles drive, and where they stop.

A grid-map instance (``layout.kind == "grid"``) is its own map. A parallel-aisle warehouse is
rasterised at one grid cell per ``cell_length`` in both directions: aisle centre lines and
cross aisles are free (vehicles drive there), the racks between aisles are obstacles, and every
storage location is reached from the aisle cell level with it (its *access cell*), where a
vehicle lifts the rack or tote. Pick stations (*ports*) are dead-end cells below a queueing
lane that runs along the front cross aisle, one per station, spread around the depot: a vehicle
waits at a station, or for it, without blocking the cross aisle. One move is ``cell_m`` long,
so moves x ``cell_m`` equals the aisle-network distance between two aisle points exactly when
the geometry falls on the grid (integer multiples of ``cell_length``), approximately otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from smartwms.errors import InstanceValidationError
from smartwms.model import GridLayout, Instance, ParallelAisleLayout

__all__ = ["WarehouseGrid", "parking_cells", "warehouse_grid"]

_FREE, _RACK = ".", "@"


@dataclass(frozen=True)
class WarehouseGrid:
    """A warehouse's AGV map.

    Attributes
    ----------
    layout
        The grid map.
    cell_m
        Length of one move in the instance's length unit.
    access
        Location id -> the free cell a vehicle stands on to lift that location's load.
    stations
        Station id -> its cell.
    ports
        Cells of the pick stations (dead ends off the front cross aisle on parallel-aisle
        layouts; the ``pick`` stations of a grid-map instance).
    queues
        One waiting cell per port, next to the cell in front of it, where the next vehicle for
        that station waits while the port is taken (a free neighbour on grid-map instances).
    depot
        The cell of the instance's first depot.
    """

    layout: GridLayout
    cell_m: float
    access: dict[str, int]
    stations: dict[str, int]
    ports: tuple[int, ...]
    queues: tuple[int, ...]
    depot: int


def warehouse_grid(instance: Instance, ports: int = 0) -> WarehouseGrid:
    """The AGV map of ``instance`` with ``ports`` pick-station cells.

    Parameters
    ----------
    instance
        A parallel-aisle or grid-map warehouse with a depot.
    ports
        Pick stations wanted. On a parallel-aisle layout they are added as dead ends below the
        front cross aisle, nearest to the depot first; on a grid map the instance's stations
        of kind ``pick`` are used (there must be at least ``ports`` of them).

    Examples
    --------
    >>> from smartwms.model import Location, Station
    >>> lay = ParallelAisleLayout(n_aisles=2, aisle_spacing=3, cells_per_block=2,
    ...                           cell_length=1)
    >>> inst = Instance(layout=lay, locations=[Location(id="L", aisle=1, cell=1)],
    ...                 stations=[Station(id="D", aisle=0, cross_aisle=1)])
    >>> g = warehouse_grid(inst, ports=1)
    >>> g.layout.rows
    ['....', '.@@.', '.@@.', '....', '....', '.@@@']
    >>> g.access["L"], g.depot, g.ports, g.queues
    (11, 12, (20,), (17,))
    """
    layout = instance.layout
    if isinstance(layout, GridLayout):
        return _grid_instance(instance, layout, ports)
    if not isinstance(layout, ParallelAisleLayout):
        raise InstanceValidationError(
            [("layout.kind", "an AGV grid map needs a parallel-aisle or grid layout")]
        )
    return _rasterise(instance, layout, ports)


def _grid_instance(instance: Instance, layout: GridLayout, ports: int) -> WarehouseGrid:
    picks = [st.cell for st in instance.stations if st.kind == "pick" and st.cell is not None]
    if len(picks) < ports:
        raise InstanceValidationError(
            [("stations", f"{ports} pick stations needed, the map has {len(picks)} of kind 'pick'")]
        )
    access = {loc.id: int(loc.cell) for loc in instance.locations if loc.cell is not None}
    stations = {st.id: int(st.cell) for st in instance.stations if st.cell is not None}
    chosen = [int(c) for c in picks[:ports]]
    return WarehouseGrid(
        layout=layout,
        cell_m=1.0,
        access=access,
        stations=stations,
        ports=tuple(chosen),
        queues=tuple(_free_neighbour(layout, c) for c in chosen),
        depot=stations[instance.depot.id],
    )


def _free_neighbour(layout: GridLayout, cell: int) -> int:
    row, col = divmod(cell, layout.width)
    for r, c in ((row - 1, col), (row, col - 1), (row, col + 1), (row + 1, col)):
        if (
            0 <= r < layout.height
            and 0 <= c < layout.width
            and layout.is_free(r * layout.width + c)
        ):
            return r * layout.width + c
    return cell


def _rasterise(instance: Instance, layout: ParallelAisleLayout, ports: int) -> WarehouseGrid:
    step = layout.cell_length

    def col(x: float) -> int:
        return round((x - layout.first_aisle_x) / step)

    def row(y: float) -> int:
        return round(y / step)

    aisle_cols = [col(layout.aisle_x(a)) for a in range(layout.n_aisles)]
    width = aisle_cols[-1] + 1
    front = row(layout.cross_aisle_y[-1])
    cross_rows = {row(y) for y in layout.cross_aisle_y}
    # Rows of wide cross aisles are free across too (no rack is level with them).
    rack_rows = {row(layout.cell_y(c)) for c in range(layout.cells_per_aisle)}
    cross_rows |= set(range(front + 1)) - rack_rows
    # With stations: a queueing lane below the front cross aisle, the ports below it.
    height = front + 1 + (2 if ports else 0)
    grid = [[_RACK] * width for _ in range(height)]
    for r in range(front + 1):
        for c in range(width) if r in cross_rows else aisle_cols:
            grid[r][c] = _FREE
    if ports:
        grid[front + 1] = [_FREE] * width

    def cell(r: int, c: int) -> int:
        return r * width + c

    stations = {}
    for st in instance.stations:
        assert st.cross_aisle is not None  # guaranteed by Instance validation
        x = layout.aisle_x(st.aisle) if st.aisle is not None else st.x
        assert x is not None
        stations[st.id] = cell(row(layout.cross_aisle_y[st.cross_aisle]), col(x))
    depot = stations[instance.depot.id]
    port_cells = _ports(depot % width, width, ports)
    for c in port_cells:
        grid[front + 2][c] = _FREE
    access = {}
    for loc in instance.locations:
        assert loc.aisle is not None and loc.cell is not None  # Instance validation
        access[loc.id] = cell(row(layout.cell_y(loc.cell)), aisle_cols[loc.aisle])
    rows = ["".join(r) for r in grid]
    return WarehouseGrid(
        layout=GridLayout(height=height, width=width, rows=rows),
        cell_m=step,
        access=access,
        stations=stations,
        ports=tuple(cell(front + 2, c) for c in port_cells),
        # Waiting beside the cell in front of the port keeps the way out of the port open.
        queues=tuple(cell(front + 1, c + 1 if c + 1 < width else c - 1) for c in port_cells),
        depot=depot,
    )


def _ports(depot_col: int, width: int, count: int) -> list[int]:
    """Columns of ``count`` dead-end ports, every second column, nearest the depot first."""
    if count == 0:
        return []
    columns = sorted(range(0, width, 2), key=lambda c: (abs(c - depot_col), c))
    if count > len(columns):
        raise InstanceValidationError(
            [
                (
                    "agv.stations",
                    f"{count} pick stations do not fit along a front cross aisle of "
                    f"{width} cells (at most {len(columns)})",
                )
            ]
        )
    return columns[:count]


def parking_cells(wgrid: WarehouseGrid, count: int) -> tuple[int, ...]:
    """``count`` start cells for vehicles: the free cells nearest the depot (by moves along
    rows and columns, ties by cell index), leaving the ports and their queue cells clear.

    Examples
    --------
    >>> from smartwms.model import Location, Station
    >>> lay = ParallelAisleLayout(n_aisles=2, aisle_spacing=3, cells_per_block=2,
    ...                           cell_length=1)
    >>> inst = Instance(layout=lay, locations=[Location(id="L", aisle=1, cell=1)],
    ...                 stations=[Station(id="D", aisle=0, cross_aisle=1)])
    >>> parking_cells(warehouse_grid(inst), 3)
    (12, 8, 13)
    """
    rows = wgrid.layout.rows
    free = np.array([[ch not in GridLayout.OBSTACLES for ch in r] for r in rows]).reshape(-1)
    width = wgrid.layout.width
    cells = np.flatnonzero(free)
    cells = cells[~np.isin(cells, [*wgrid.ports, *wgrid.queues])]
    if count > len(cells):
        raise InstanceValidationError(
            [("fleet.agvs", f"{count} vehicles do not fit on {len(cells)} free cells")]
        )
    dr = np.abs(cells // width - wgrid.depot // width)
    dc = np.abs(cells % width - wgrid.depot % width)
    order = np.lexsort((cells, dr + dc))
    return tuple(int(c) for c in cells[order[:count]])
