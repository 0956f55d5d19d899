"""Geometry of the console's server-rendered SVG: layouts, pick tours and heat maps.

Everything here returns plain numbers and strings for the Jinja templates (which escape every
text they print); nothing builds markup by hand. Coordinates are the layout's own (metres or
the instance's unit); the SVG ``viewBox`` scales them, and strokes keep their pixel width.

Large layouts stay light: racks are drawn as one band per aisle side and block, whatever the
number of slots, and heat maps merge neighbouring cells of the same colour class into one
rectangle (a 12,000-slot warehouse draws a few hundred to a few thousand shapes).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from smartwms.layout import points_of, resolve_points
from smartwms.model import GraphLayout, GridLayout, Instance, ParallelAisleLayout, PickRoute
from smartwms.plotting.routes import route_polyline

__all__ = [
    "OKABE_ITO",
    "Canvas",
    "HeatMap",
    "TourDrawing",
    "aisle_walk",
    "canvas_of",
    "grid_canvas",
    "grid_heat",
    "heat_map",
    "sequential_colours",
    "tour_drawings",
]

#: Okabe & Ito's palette, distinguishable under the common colour-vision deficiencies (the
#: yellow is left out: it vanishes on white). Tours beyond seven also differ by dash pattern.
OKABE_ITO = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")
_DASHES = ("", "6 3", "2 2", "8 3 2 3")


@cache
def sequential_colours(n: int = 8, name: str = "cividis_r") -> tuple[str, ...]:
    """``n`` colours of a perceptually uniform, colour-blind-safe matplotlib colour map
    (reversed cividis: pale for little, dark blue for much)."""
    from matplotlib import colormaps
    from matplotlib.colors import to_hex

    cmap = colormaps[name]
    return tuple(to_hex(cmap(i / max(1, n - 1))) for i in range(n))


@dataclass(frozen=True)
class Line:
    x1: float
    y1: float
    x2: float
    y2: float


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    w: float
    h: float
    fill: str = ""
    title: str = ""


@dataclass(frozen=True)
class Mark:
    x: float
    y: float
    label: str


@dataclass
class Canvas:
    """The static part of a layout drawing and its coordinate frame."""

    kind: str
    min_x: float
    min_y: float
    width: float
    height: float
    unit: str
    lines: list[Line] = field(default_factory=list)  # aisles, cross aisles, graph arcs
    racks: list[Rect] = field(default_factory=list)  # storage bands or grid obstacles
    stations: list[Mark] = field(default_factory=list)
    dots: list[Mark] = field(default_factory=list)  # graph nodes holding locations
    flip_y: float | None = None  # graph layouts: y grows upwards in their coordinates
    marker: float = 0.0  # radius of a stop marker (0: from the drawing's size)

    @property
    def view_box(self) -> str:
        """The SVG viewBox."""
        return f"{self.min_x:g} {self.min_y:g} {self.width:g} {self.height:g}"

    @property
    def scale(self) -> float:
        """The size of markers and their labels: about one hundredth of the drawing, or
        what the layout sets (a fraction of the aisle spacing)."""
        return self.marker or max(self.width, self.height) / 100.0

    def y(self, value: float) -> float:
        """A layout ``y`` in drawing coordinates."""
        return self.flip_y - value if self.flip_y is not None else value


def _aisle_canvas(instance: Instance, layout: ParallelAisleLayout) -> Canvas:
    spacing = layout.aisle_spacing
    lo, hi = layout.x_range
    top, bottom = layout.cross_aisle_y[0], layout.cross_aisle_y[-1]
    margin = spacing * 0.6
    canvas = Canvas(
        "parallel-aisle",
        lo - margin,
        top - margin,
        hi - lo + 2 * margin,
        bottom - top + 2 * margin,
        instance.units.length,
        marker=max(spacing * 0.25, (bottom - top) / 150),
    )
    for a in range(layout.n_aisles):
        x = layout.aisle_x(a)
        canvas.lines.append(Line(x, top, x, bottom))
        for block in range(layout.n_blocks):
            first = layout.cell_y(block * layout.cells_per_block) - layout.cell_length / 2
            length = layout.cells_per_block * layout.cell_length
            for side in (-1, 1):
                inner, outer = x + side * spacing * 0.12, x + side * spacing * 0.42
                canvas.racks.append(Rect(min(inner, outer), first, abs(outer - inner), length))
    for y in layout.cross_aisle_y:
        canvas.lines.append(Line(lo, y, hi, y))
    if instance.stations:
        pts = points_of(layout, resolve_points(instance, [s.id for s in instance.stations]))
        for st, x, y in zip(instance.stations, pts.x.tolist(), pts.y.tolist(), strict=True):
            canvas.stations.append(Mark(x, y, st.id))
    return canvas


def _graph_canvas(instance: Instance, layout: GraphLayout) -> Canvas:
    located = {n.id: (n.x, n.y) for n in layout.nodes if n.x is not None and n.y is not None}
    xs = [p[0] for p in located.values()] or [0.0]
    ys = [p[1] for p in located.values()] or [0.0]
    span = max(max(xs) - min(xs), max(ys) - min(ys), 1.0)
    margin = span * 0.04
    canvas = Canvas(
        "graph",
        min(xs) - margin,
        -margin,
        max(xs) - min(xs) + 2 * margin,
        max(ys) - min(ys) + 2 * margin,
        instance.units.length,
        flip_y=max(ys),
    )
    for arc in layout.arcs:
        if arc.tail in located and arc.head in located:
            (x1, y1), (x2, y2) = located[arc.tail], located[arc.head]
            canvas.lines.append(Line(x1, canvas.y(y1), x2, canvas.y(y2)))
    holders = {loc.node for loc in instance.locations}
    for node, (x, y) in located.items():
        if node in holders:
            canvas.dots.append(Mark(x, canvas.y(y), node))
    for st in instance.stations:
        if st.node in located:
            x, y = located[st.node]
            canvas.stations.append(Mark(x, canvas.y(y), st.id))
    return canvas


def grid_canvas(layout: GridLayout, unit: str = "cell") -> Canvas:
    """A grid map: obstacles merged into one rectangle per run of a row."""
    canvas = Canvas("grid", 0.0, 0.0, float(layout.width), float(layout.height), unit)
    for r, row in enumerate(layout.rows):
        start = None
        for c, ch in enumerate([*row, "."]):
            blocked = ch in GridLayout.OBSTACLES
            if blocked and start is None:
                start = c
            elif not blocked and start is not None:
                canvas.racks.append(Rect(float(start), float(r), float(c - start), 1.0))
                start = None
    return canvas


def canvas_of(instance: Instance) -> Canvas:
    """The drawing frame and static shapes of an instance's layout."""
    layout = instance.layout
    if isinstance(layout, ParallelAisleLayout):
        return _aisle_canvas(instance, layout)
    if isinstance(layout, GraphLayout):
        return _graph_canvas(instance, layout)
    canvas = grid_canvas(layout)
    for st in instance.stations:
        if st.cell is not None:
            row, col = divmod(st.cell, layout.width)
            canvas.stations.append(Mark(col + 0.5, row + 0.5, st.id))
    return canvas


# ---------------------------------------------------------------------- pick tours
@dataclass(frozen=True)
class TourDrawing:
    """One tour: its path, its stops in visiting order, its stated length and its style."""

    index: int
    orders: str
    path: str
    stops: list[Mark]
    length: float
    colour: str
    dash: str
    status: str


def _path_data(points: Sequence[tuple[float, float]]) -> str:
    if not points:
        return ""
    head, *rest = points
    return f"M{head[0]:g} {head[1]:g}" + "".join(f"L{x:g} {y:g}" for x, y in rest)


def _stop_xy(instance: Instance, canvas: Canvas, ids: list[str]) -> list[tuple[float, float]]:
    layout = instance.layout
    if isinstance(layout, ParallelAisleLayout):
        pts = points_of(layout, resolve_points(instance, ids))
        return list(zip(pts.x.tolist(), pts.y.tolist(), strict=True))
    if isinstance(layout, GraphLayout):
        nodes = {n.id: n for n in layout.nodes}
        out = []
        for ident in ids:
            item = instance.location_index.get(ident) or instance.station_index[ident]
            node = nodes[item.node or ""]
            out.append((node.x or 0.0, canvas.y(node.y or 0.0)))
        return out
    return []


def aisle_walk(layout: ParallelAisleLayout, pts: Any) -> list[tuple[float, float]]:
    """The walked polyline through points of a parallel-aisle layout, in closed form.

    Between two points the picker walks the shortest way (DESIGN.md): straight within one
    aisle, else up or down to the best cross aisle, along it, and into the other aisle. This
    is what :func:`smartwms.plotting.routes.route_polyline` finds with a graph search, without
    building a graph per tour (a view of 200 tours stays fast).
    """
    cross_y = layout.cross_aisle_y
    aisles_x = [layout.aisle_x(a) for a in range(layout.n_aisles)]
    xs, ys = pts.x.tolist(), pts.y.tolist()
    aisle, cross = pts.aisle.tolist(), pts.cross.tolist()
    out: list[tuple[float, float]] = [(xs[0], ys[0])] if xs else []
    for i in range(len(xs) - 1):
        x1, y1, a1, c1 = xs[i], ys[i], aisle[i], cross[i]
        x2, y2, a2, c2 = xs[i + 1], ys[i + 1], aisle[i + 1], cross[i + 1]
        if a1 >= 0 and a2 >= 0:
            if a1 == a2:
                out.append((x2, y2))
                continue
            yk = min(cross_y, key=lambda y: abs(y1 - y) + abs(y - y2))
            out += [(x1, yk), (x2, yk), (x2, y2)]
        elif a2 >= 0:  # from a station between aisles, along its cross aisle
            out += [(x2, cross_y[c1]), (x2, y2)]
        elif a1 >= 0:  # to a station between aisles
            out += [(x1, cross_y[c2]), (x2, y2)]
        elif c1 == c2:
            out.append((x2, y2))
        else:
            xb = min(aisles_x, key=lambda x: abs(x1 - x) + abs(x - x2))
            out += [(xb, y1), (xb, y2), (x2, y2)]
    return [p for k, p in enumerate(out) if k == 0 or p != out[k - 1]]


def _walked(instance: Instance, route: PickRoute) -> list[tuple[float, float]]:
    layout = instance.layout
    if isinstance(layout, ParallelAisleLayout):
        pts = points_of(layout, resolve_points(instance, [s.id for s in route.stops]))
        return aisle_walk(layout, pts)
    return route_polyline(instance, route)


def tour_drawings(instance: Instance, canvas: Canvas, routes: list[PickRoute]) -> list[TourDrawing]:
    """Every tour as an SVG path along aisles (or arcs), its picks numbered in walking order."""
    drawings: list[TourDrawing] = []
    for k, route in enumerate(routes):
        line = [(x, canvas.y(y)) for x, y in _walked(instance, route)]
        picks = [s.id for s in route.stops if s.kind == "pick"]
        xy = _stop_xy(instance, canvas, picks)
        stops = [Mark(x, y, str(i + 1)) for i, (x, y) in enumerate(xy)]
        drawings.append(
            TourDrawing(
                index=k + 1,
                orders=", ".join(route.orders),
                path=_path_data(line),
                stops=stops,
                length=route.length,
                colour=OKABE_ITO[k % len(OKABE_ITO)],
                dash=_DASHES[(k // len(OKABE_ITO)) % len(_DASHES)],
                status=str(route.status.value),
            )
        )
    return drawings


# ---------------------------------------------------------------------- heat maps
@dataclass
class HeatMap:
    """Cells coloured by class of a per-location value, with the legend of the classes."""

    title: str
    cells: list[Rect]
    legend: list[tuple[str, str]]  # (colour, range label)
    maximum: float
    unit: str


def _class_of(value: float, top: float, n: int) -> int:
    if value <= 0 or top <= 0:
        return 0
    return min(n - 1, 1 + int((value / top) * (n - 1) * 0.999999))


def _legend(top: float, colours: Sequence[str], unit: str) -> list[tuple[str, str]]:
    n = len(colours)
    out = [(colours[0], f"0 {unit}")]
    step = top / (n - 1) if n > 1 else top
    for i in range(1, n):
        out.append((colours[i], f"{(i - 1) * step:.3g}–{i * step:.3g} {unit}"))
    return out


def heat_map(
    instance: Instance,
    canvas: Canvas,
    values: dict[str, float],
    *,
    title: str,
    unit: str,
    top: float | None = None,
) -> HeatMap:
    """A heat map of ``values`` per location id (summed over levels), in colour classes.

    ``top`` fixes the scale (so before and after share one legend).
    """
    colours = sequential_colours()
    layout = instance.layout
    peak = top if top is not None else max(values.values(), default=0.0)
    cells: list[Rect] = []
    if isinstance(layout, ParallelAisleLayout):
        spacing = layout.aisle_spacing
        by_cell: dict[tuple[int, int, int], float] = defaultdict(float)
        for loc in instance.locations:
            assert loc.aisle is not None and loc.cell is not None
            side = {"left": -1, "right": 1}.get(loc.side or "", 0)
            by_cell[(loc.aisle, side, loc.cell)] += values.get(loc.id, 0.0)
        runs: dict[tuple[int, int], list[tuple[int, int]]] = defaultdict(list)
        for (aisle, side, cell), value in sorted(by_cell.items()):
            runs[(aisle, side)].append((cell, _class_of(value, peak, len(colours))))
        for (aisle, side), seq in runs.items():
            x = layout.aisle_x(aisle)
            left = x - spacing * 0.42 if side <= 0 else x + spacing * 0.12
            width = spacing * (0.84 if side == 0 else 0.30)
            start = 0
            while start < len(seq):
                end = start
                cell, cls = seq[start]
                # Merge a run of consecutive cells of one class within one block.
                while (
                    end + 1 < len(seq)
                    and seq[end + 1][1] == cls
                    and seq[end + 1][0] == seq[end][0] + 1
                    and layout.block_of_cell(seq[end + 1][0]) == layout.block_of_cell(cell)
                ):
                    end += 1
                y0 = layout.cell_y(cell) - layout.cell_length / 2
                y1 = layout.cell_y(seq[end][0]) + layout.cell_length / 2
                cells.append(Rect(left, y0, width, y1 - y0, colours[cls]))
                start = end + 1
    elif isinstance(layout, GraphLayout):
        nodes = {n.id: n for n in layout.nodes}
        size = canvas.scale * 1.2
        by_node: dict[str, float] = defaultdict(float)
        for loc in instance.locations:
            by_node[loc.node or ""] += values.get(loc.id, 0.0)
        for ident, value in by_node.items():
            node = nodes.get(ident)
            if node is None or node.x is None or node.y is None:
                continue
            cls = _class_of(value, peak, len(colours))
            y = canvas.y(node.y)
            cells.append(Rect(node.x - size / 2, y - size / 2, size, size, colours[cls]))
    else:
        for loc in instance.locations:
            row, col = divmod(loc.cell or 0, layout.width)
            cls = _class_of(values.get(loc.id, 0.0), peak, len(colours))
            cells.append(Rect(float(col), float(row), 1.0, 1.0, colours[cls]))
    return HeatMap(title, cells, _legend(peak, colours, unit), peak, unit)


def grid_heat(layout: GridLayout, counts: Sequence[float], *, unit: str) -> HeatMap:
    """Traffic on a grid map: free cells with any traffic coloured by class, one rectangle per
    run of a row (unused cells stay white)."""
    colours = sequential_colours()
    peak = float(max(counts, default=0))
    cells: list[Rect] = []
    width = layout.width
    for r in range(layout.height):
        row = counts[r * width : (r + 1) * width]
        c = 0
        while c < width:
            cls = _class_of(float(row[c]), peak, len(colours))
            end = c
            while end + 1 < width and _class_of(float(row[end + 1]), peak, len(colours)) == cls:
                end += 1
            if cls > 0:
                cells.append(Rect(float(c), float(r), float(end - c + 1), 1.0, colours[cls]))
            c = end + 1
    legend = [("#ffffff", f"0 {unit}"), *_legend(peak, colours, unit)[1:]]
    return HeatMap("traffic", cells, legend, peak, unit)
