"""Pick tours drawn on the warehouse layout (matplotlib, Agg backend: no display needed).

Between two stops the picker walks the shortest path of the walking network (aisles and cross
aisles of a parallel-aisle layout, the arcs of a graph layout), so that is what is drawn.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import itertools

import matplotlib.pyplot as plt
import networkx as nx

from smartwms.errors import SmartwmsError
from smartwms.layout import aisle_network, layout_graph, points_of, resolve_points
from smartwms.model import GraphLayout, Instance, ParallelAisleLayout, PickRoute

__all__ = ["plot_routes", "route_polyline"]


def _coords(name: str) -> tuple[float, float]:
    x, y = name.split(",")
    return float(x), float(y)


def route_polyline(instance: Instance, route: PickRoute) -> list[tuple[float, float]]:
    """The ``(x, y)`` points of the walked tour, following aisles (or graph arcs).

    On a parallel-aisle layout ``y`` grows from the back cross aisle to the front.
    """
    ids = [s.id for s in route.stops]
    layout = instance.layout
    if isinstance(layout, ParallelAisleLayout):
        points = points_of(layout, resolve_points(instance, ids))
        graph, names = aisle_network(layout, points)
        walk: list[str] = [names[0]]
        for a, b in itertools.pairwise(names):
            walk += nx.shortest_path(graph, a, b, weight="length")[1:]
        anchors = {n: _coords(n) for n in graph.nodes if not str(n).startswith("spur")}
        return [anchors[n] for n in walk if n in anchors]
    if isinstance(layout, GraphLayout):
        graph = layout_graph(layout)
        located = {n.id: (n.x, n.y) for n in layout.nodes}
        nodes = [_stop_node(instance, s.id) for s in route.stops]
        path: list[str] = [nodes[0]]
        for a, b in itertools.pairwise(nodes):
            path += nx.shortest_path(graph, a, b, weight="length")[1:]
        out: list[tuple[float, float]] = []
        for node in path:
            x, y = located[node]
            if x is None or y is None:
                raise SmartwmsError(f"cannot draw the route: node {node!r} has no coordinates")
            out.append((x, y))
        return out
    raise SmartwmsError("route drawing supports parallel-aisle and graph layouts")


def _stop_node(instance: Instance, ident: str) -> str:
    item = instance.location_index.get(ident) or instance.station_index[ident]
    assert item.node is not None
    return item.node


def _draw_aisles(ax: plt.Axes, layout: ParallelAisleLayout) -> None:
    top, bottom = layout.cross_aisle_y[0], layout.cross_aisle_y[-1]
    for a in range(layout.n_aisles):
        x = layout.aisle_x(a)
        ax.plot([x, x], [top, bottom], color="0.85", lw=3, zorder=1)
    lo, hi = layout.x_range
    for y in layout.cross_aisle_y:
        ax.plot([lo, hi], [y, y], color="0.85", lw=3, zorder=1)


def plot_routes(
    instance: Instance, routes: Sequence[PickRoute], path: str | Path, title: str | None = None
) -> Path:
    """Draw ``routes`` on the layout and save the figure (PNG, SVG or PDF by suffix)."""
    layout = instance.layout
    fig, ax = plt.subplots(figsize=(8, 6))
    try:
        if isinstance(layout, ParallelAisleLayout):
            _draw_aisles(ax, layout)
        elif isinstance(layout, GraphLayout):
            xs = [n.x for n in layout.nodes if n.x is not None]
            ys = [n.y for n in layout.nodes if n.y is not None]
            ax.scatter(xs, ys, s=2, color="0.8", zorder=1)
        colours = plt.get_cmap("tab10")
        for k, route in enumerate(routes):
            line = route_polyline(instance, route)
            colour = colours(k % 10)
            ax.plot(
                [p[0] for p in line],
                [p[1] for p in line],
                color=colour,
                lw=1.5,
                zorder=2,
                label=f"{','.join(route.orders) or 'tour'}: {route.length:g}",
            )
            pick_xy = _stop_points(instance, [s.id for s in route.stops if s.kind == "pick"])
            ax.scatter(
                [p[0] for p in pick_xy], [p[1] for p in pick_xy], color=colour, s=25, zorder=3
            )
        depot_xy = _stop_points(instance, [routes[0].stops[0].id]) if routes else []
        ax.scatter(
            [p[0] for p in depot_xy],
            [p[1] for p in depot_xy],
            marker="s",
            s=80,
            color="black",
            zorder=4,
            label="depot",
        )
        if isinstance(layout, ParallelAisleLayout):
            ax.invert_yaxis()  # the back cross aisle at the top, as in the SPRP drawings
        ax.set_aspect("equal", adjustable="datalim")
        ax.set_title(title or f"{instance.name}: {len(routes)} tour(s)")
        if len(routes) <= 10:
            ax.legend(loc="best", fontsize=7)
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(target, dpi=120, bbox_inches="tight")
    finally:
        plt.close(fig)
    return target


def _stop_points(instance: Instance, ids: list[str]) -> list[tuple[float, float]]:
    if not ids:
        return []
    layout = instance.layout
    if isinstance(layout, ParallelAisleLayout):
        pts = points_of(layout, resolve_points(instance, ids))
        return list(zip(pts.x.tolist(), pts.y.tolist(), strict=True))
    located = {n.id: (n.x, n.y) for n in layout.nodes} if isinstance(layout, GraphLayout) else {}
    out: list[tuple[float, float]] = []
    for ident in ids:
        x, y = located.get(_stop_node(instance, ident), (None, None))
        if x is not None and y is not None:
            out.append((x, y))
    return out
