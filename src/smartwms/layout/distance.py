"""One entry point for distances, used by every solver: :func:`distance_matrix`."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from smartwms.errors import InstanceValidationError
from smartwms.layout.geometry import aisle_distances, points_of
from smartwms.layout.graph import graph_distances, grid_distances
from smartwms.model import GraphLayout, Instance, Location, ParallelAisleLayout, Station

__all__ = ["distance_matrix", "paired_distances", "resolve_points"]


def resolve_points(instance: Instance, ids: Sequence[str]) -> list[Location | Station]:
    """Look up location or station ids (locations first); unknown ids raise with their name."""
    locations = instance.location_index
    stations = instance.station_index
    items: list[Location | Station] = []
    for i, ident in enumerate(ids):
        if ident in locations:
            items.append(locations[ident])
        elif ident in stations:
            items.append(stations[ident])
        else:
            raise InstanceValidationError(
                [(f"points[{i}]", f"{ident!r} is neither a location nor a station")]
            )
    return items


def distance_matrix(
    instance: Instance, points: Sequence[str], targets: Sequence[str] | None = None
) -> NDArray[np.float64]:
    """Shortest walking (or driving) distances between locations and stations.

    Parallel-aisle layouts use the exact closed form (vectorised); graph layouts and grid maps
    use sparse shortest paths. Unreachable pairs are ``inf``.

    Parameters
    ----------
    instance
        The warehouse.
    points
        Location or station ids: the rows of the matrix.
    targets
        Ids of the columns; defaults to ``points`` (a square matrix).

    Examples
    --------
    >>> from smartwms.model import ParallelAisleLayout, Location, Station
    >>> lay = ParallelAisleLayout(n_aisles=2, aisle_spacing=3, cells_per_block=4, cell_length=1)
    >>> inst = Instance(layout=lay, locations=[Location(id="L", aisle=1, cell=0)],
    ...                 stations=[Station(id="D", aisle=0, cross_aisle=1)])
    >>> distance_matrix(inst, ["D", "L"]).tolist()
    [[0.0, 7.0], [7.0, 0.0]]
    """
    rows = resolve_points(instance, points)
    cols = rows if targets is None else resolve_points(instance, targets)
    layout = instance.layout
    if isinstance(layout, ParallelAisleLayout):
        a = points_of(layout, rows)
        if targets is None:
            return aisle_distances(layout, a)
        dist = aisle_distances(layout, a, points_of(layout, cols))
        same = np.asarray(points)[:, None] == np.asarray(targets)[None, :]
        dist[same] = 0.0
        return dist
    if isinstance(layout, GraphLayout):
        return graph_distances(layout, [_node(p) for p in rows], [_node(p) for p in cols])
    return grid_distances(layout, [_cell(p) for p in rows], [_cell(p) for p in cols])


def paired_distances(
    instance: Instance, sources: Sequence[str], targets: Sequence[str], chunk: int = 256
) -> NDArray[np.float64]:
    """Distance from ``sources[k]`` to ``targets[k]`` for every ``k`` (element by element).

    Computed in chunks of small matrices over the distinct points of each chunk, so a long
    list of legs (every tour of a day) costs a few vectorised calls and little memory.

    Examples
    --------
    >>> from smartwms.model import ParallelAisleLayout, Location, Station
    >>> lay = ParallelAisleLayout(n_aisles=2, aisle_spacing=3, cells_per_block=4, cell_length=1)
    >>> inst = Instance(layout=lay, locations=[Location(id="L", aisle=1, cell=0)],
    ...                 stations=[Station(id="D", aisle=0, cross_aisle=1)])
    >>> paired_distances(inst, ["D", "L", "L"], ["L", "D", "L"]).tolist()
    [7.0, 7.0, 0.0]
    """
    if len(sources) != len(targets):
        raise ValueError("sources and targets differ in length")
    out = np.empty(len(sources), dtype=np.float64)
    for start in range(0, len(sources), chunk):
        src = list(sources[start : start + chunk])
        tgt = list(targets[start : start + chunk])
        rows = list(dict.fromkeys(src))
        cols = list(dict.fromkeys(tgt))
        r = {ident: k for k, ident in enumerate(rows)}
        c = {ident: k for k, ident in enumerate(cols)}
        block = distance_matrix(instance, rows, cols)
        out[start : start + len(src)] = block[[r[x] for x in src], [c[y] for y in tgt]]
    return out


def _node(item: Location | Station) -> str:
    assert item.node is not None  # guaranteed by Instance validation
    return item.node


def _cell(item: Location | Station) -> int:
    assert item.cell is not None  # guaranteed by Instance validation
    return item.cell
