"""Closed-form walking distances in parallel-aisle warehouses (the production path).

A picker walks along aisle and cross-aisle centre lines only. Between two points in the same
aisle the distance is ``|y1 - y2|``; otherwise it is
``min_k |y1 - Y_k| + |x1 - x2| + |Y_k - y2|`` over the cross aisles ``k``. Stations (depots,
I/O points) sit on a cross aisle, possibly between aisles and at the end of a spur.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from smartwms.model import Location, ParallelAisleLayout, Station

__all__ = ["AislePoints", "aisle_distances", "location_points", "points_of"]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


@dataclass(frozen=True)
class AislePoints:
    """Points of a parallel-aisle layout as arrays.

    ``aisle`` is the aisle a point lies in, or ``-1`` for a point on a cross aisle between
    aisles; ``cross`` is the cross aisle a point lies on, or ``-1`` for a point inside an aisle;
    ``spur`` is an extra length walked to and from the point (a depot off the cross aisle).
    """

    x: FloatArray
    y: FloatArray
    aisle: IntArray
    cross: IntArray
    spur: FloatArray

    def __len__(self) -> int:
        return int(self.x.shape[0])

    @classmethod
    def build(
        cls,
        x: Sequence[float],
        y: Sequence[float],
        aisle: Sequence[int],
        cross: Sequence[int],
        spur: Sequence[float] | None = None,
    ) -> AislePoints:
        """Build from plain sequences."""
        n = len(x)
        return cls(
            np.asarray(x, dtype=np.float64),
            np.asarray(y, dtype=np.float64),
            np.asarray(aisle, dtype=np.int64),
            np.asarray(cross, dtype=np.int64),
            np.zeros(n) if spur is None else np.asarray(spur, dtype=np.float64),
        )


def location_points(
    layout: ParallelAisleLayout, aisles: Sequence[int], cells: Sequence[int]
) -> AislePoints:
    """Points of storage cells given by aisle and cell (vectorised)."""
    a = np.asarray(aisles, dtype=np.int64)
    c = np.asarray(cells, dtype=np.int64)
    block, within = np.divmod(c, layout.cells_per_block)
    cross_y = np.asarray(layout.cross_aisle_y)
    widths = np.asarray(layout.widths)
    y = cross_y[block] + widths[block] / 2 + (within + 0.5) * layout.cell_length
    x = layout.first_aisle_x + a * layout.aisle_spacing
    return AislePoints(
        np.asarray(x, dtype=np.float64),
        np.asarray(y, dtype=np.float64),
        a,
        np.full(len(a), -1, dtype=np.int64),
        np.zeros(len(a)),
    )


def _station_point(layout: ParallelAisleLayout, st: Station) -> tuple[float, float, int, int]:
    assert st.cross_aisle is not None  # guaranteed by Instance validation
    y = layout.cross_aisle_y[st.cross_aisle]
    if st.aisle is not None:
        return layout.aisle_x(st.aisle), y, st.aisle, st.cross_aisle
    assert st.x is not None
    # A station exactly on an aisle's centre line is in that aisle.
    rel = (st.x - layout.first_aisle_x) / layout.aisle_spacing
    aisle = round(rel) if abs(rel - round(rel)) < 1e-9 else -1
    return st.x, y, aisle, st.cross_aisle


def points_of(layout: ParallelAisleLayout, items: Sequence[Location | Station]) -> AislePoints:
    """Points of locations and stations, in the given order."""
    xs: list[float] = []
    ys: list[float] = []
    aisles: list[int] = []
    crosses: list[int] = []
    spurs: list[float] = []
    for item in items:
        if isinstance(item, Station):
            x, y, aisle, cross = _station_point(layout, item)
            spur = item.spur
        else:
            assert item.aisle is not None and item.cell is not None
            x, y, aisle, cross = (
                layout.aisle_x(item.aisle),
                layout.cell_y(item.cell),
                item.aisle,
                -1,
            )
            spur = 0.0
        xs.append(x)
        ys.append(y)
        aisles.append(aisle)
        crosses.append(cross)
        spurs.append(spur)
    return AislePoints.build(xs, ys, aisles, crosses, spurs)


def aisle_distances(
    layout: ParallelAisleLayout, a: AislePoints, b: AislePoints | None = None
) -> FloatArray:
    """Matrix of shortest walking distances from every point of ``a`` to every point of ``b``.

    Examples
    --------
    >>> lay = ParallelAisleLayout(n_aisles=3, aisle_spacing=3, cells_per_block=10,
    ...                           cell_length=1, cross_aisle_widths=1)
    >>> pts = location_points(lay, [0, 0, 2], [2, 8, 5])
    >>> aisle_distances(lay, pts)
    array([[ 0.,  6., 15.],
           [ 6.,  0., 13.],
           [15., 13.,  0.]])
    """
    square = b is None
    b = a if b is None else b
    cross_y = np.asarray(layout.cross_aisle_y)
    block_a, low_a, high_a = _blocks(cross_y, a)
    block_b, low_b, high_b = _blocks(cross_y, b)
    # Two aisle points of the same block in different aisles leave the block over its lower or
    # its upper cross aisle; every other pair walks |y1 - y2| vertically (a cross aisle lies
    # between them, or they share an aisle).
    detour = np.minimum(
        (a.y - low_a)[:, None] + (b.y - low_b)[None, :],
        (high_a - a.y)[:, None] + (high_b - b.y)[None, :],
    )
    dy = np.abs(a.y[:, None] - b.y[None, :])
    turn = (block_a[:, None] == block_b[None, :]) & (a.aisle[:, None] != b.aisle[None, :])
    dist = np.where(turn, detour, dy)
    dist += np.abs(a.x[:, None] - b.x[None, :])
    _fix_between_aisle_pairs(layout, a, b, dist)
    # A spur is walked out and back; distinct stations never share one, so only a point's
    # distance to itself is zero.
    dist += a.spur[:, None] + b.spur[None, :]
    if square:
        np.fill_diagonal(dist, 0.0)
    return dist


def _blocks(cross_y: FloatArray, pts: AislePoints) -> tuple[IntArray, FloatArray, FloatArray]:
    """Block of each point (negative code on a cross aisle) and its bounding cross aisles."""
    block = np.clip(np.searchsorted(cross_y, pts.y, side="right") - 1, 0, len(cross_y) - 2)
    on_cross = pts.cross >= 0
    code = np.where(on_cross, -1 - pts.cross, block).astype(np.int64)
    return code, cross_y[block], cross_y[block + 1]


def _fix_between_aisle_pairs(
    layout: ParallelAisleLayout, a: AislePoints, b: AislePoints, dist: FloatArray
) -> None:
    """Correct pairs of points between aisles on *different* cross aisles.

    Changing cross aisle needs an aisle, so such a walk detours to the nearest aisle when no
    aisle lies between the two ``x``. These points are rare (off-aisle depots), so a loop is fine.
    """
    ia = np.flatnonzero(a.aisle < 0)
    ib = np.flatnonzero(b.aisle < 0)
    if len(ia) == 0 or len(ib) == 0:
        return
    aisle_x = layout.first_aisle_x + np.arange(layout.n_aisles) * layout.aisle_spacing
    for i in ia:
        for j in ib:
            if a.y[i] == b.y[j]:
                continue  # same cross aisle: straight along it
            lo, hi = sorted((float(a.x[i]), float(b.x[j])))
            detour = float(np.min(np.maximum(0.0, np.maximum(lo - aisle_x, aisle_x - hi))))
            dist[i, j] = abs(a.y[i] - b.y[j]) + (hi - lo) + 2 * detour
