"""Route drawing: the drawn walk follows the aisles and is exactly as long as the tour."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from smartwms.io import load_instance
from smartwms.plotting.routes import plot_routes, route_polyline
from smartwms.routing import solve_routing
from tests.conftest import DATA, tiny_instance


@pytest.mark.parametrize("blocks", [1, 2, 3])
def test_drawn_walk_has_the_tour_length_and_axis_parallel_legs(blocks: int) -> None:
    inst = tiny_instance(n_blocks=blocks)
    for route in solve_routing(inst, method="sshape").routes:
        line = route_polyline(inst, route)
        legs = list(itertools.pairwise(line))
        assert all(a[0] == b[0] or a[1] == b[1] for a, b in legs)  # along aisles only
        walked = sum(abs(a[0] - b[0]) + abs(a[1] - b[1]) for a, b in legs)
        assert walked == pytest.approx(route.length)


def test_plots_are_written_for_both_layout_kinds(tmp_path: Path) -> None:
    inst = tiny_instance()
    png = plot_routes(inst, solve_routing(inst).routes, tmp_path / "aisles.png")
    assert png.stat().st_size > 1000
    graph = load_instance(DATA / "foodmart" / "tiny.json")
    svg = plot_routes(graph, solve_routing(graph).routes, tmp_path / "graph.svg")
    assert svg.read_text().startswith("<?xml")
