from __future__ import annotations

import networkx as nx
import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from smartwms.layout import aisle_distances, aisle_network, distance_matrix, points_of
from smartwms.layout.geometry import AislePoints
from smartwms.model import GraphLayout, GridLayout, Instance, Location, ParallelAisleLayout, Station


@st.composite
def layouts_and_points(draw: st.DrawFn) -> tuple[ParallelAisleLayout, AislePoints]:
    n_blocks = draw(st.integers(1, 4))
    layout = ParallelAisleLayout(
        n_aisles=draw(st.integers(1, 6)),
        aisle_spacing=draw(st.sampled_from([1.0, 2.5, 3.0, 4.2])),
        cells_per_block=draw(st.integers(1, 7)),
        cell_length=draw(st.sampled_from([0.5, 1.0, 1.3])),
        n_blocks=n_blocks,
        cross_aisle_widths=draw(
            st.lists(
                st.sampled_from([0.0, 1.0, 2.0, 3.5]), min_size=n_blocks + 1, max_size=n_blocks + 1
            )
        ),
        first_aisle_x=draw(st.sampled_from([0.0, 1.5])),
    )
    n_loc = draw(st.integers(1, 8))
    locs = [
        Location(
            id=f"L{i}",
            aisle=draw(st.integers(0, layout.n_aisles - 1)),
            cell=draw(st.integers(0, layout.cells_per_aisle - 1)),
        )
        for i in range(n_loc)
    ]
    lo, hi = layout.x_range
    stations = []
    for i in range(draw(st.integers(0, 3))):
        cross = draw(st.integers(0, n_blocks))
        spur = draw(st.sampled_from([0.0, 0.0, 2.0]))
        if draw(st.booleans()):
            stations.append(
                Station(
                    id=f"S{i}",
                    aisle=draw(st.integers(0, layout.n_aisles - 1)),
                    cross_aisle=cross,
                    spur=spur,
                )
            )
        else:
            x = draw(st.floats(lo, hi, allow_nan=False)) if hi > lo else lo
            stations.append(Station(id=f"S{i}", x=round(x, 2), cross_aisle=cross, spur=spur))
    return layout, points_of(layout, [*locs, *stations])


@settings(max_examples=150, deadline=None)
@given(layouts_and_points())
def test_closed_form_equals_networkx_shortest_paths(
    case: tuple[ParallelAisleLayout, AislePoints],
) -> None:
    layout, points = case
    closed = aisle_distances(layout, points)
    graph, names = aisle_network(layout, points)
    lengths = {
        s: nx.single_source_dijkstra_path_length(graph, s, weight="length") for s in set(names)
    }
    expected = np.array([[lengths[a][b] for b in names] for a in names])
    np.testing.assert_allclose(closed, expected, atol=1e-9)


def test_rectangular_matrix_matches_square_one(tiny: Instance) -> None:
    ids = ["depot", "L1", "L2", "L3", "L4"]
    square = distance_matrix(tiny, ids)
    rect = distance_matrix(tiny, ids[:2], ids[2:])
    np.testing.assert_array_equal(rect, square[:2, 2:])
    assert np.allclose(square, square.T)
    assert (np.diag(square) == 0).all()


def test_graph_layout_distances_use_shortest_paths() -> None:
    graph = GraphLayout(
        nodes=[{"id": n} for n in "abcd"],
        arcs=[
            {"tail": "a", "head": "b", "length": 1},
            {"tail": "b", "head": "c", "length": 1},
            {"tail": "a", "head": "c", "length": 5},
            {"tail": "c", "head": "d", "length": 0},
        ],
    )
    inst = Instance(
        layout=graph,
        locations=[{"id": "X", "node": "c"}, {"id": "Y", "node": "d"}],
        stations=[{"id": "D", "node": "a"}],
    )
    dist = distance_matrix(inst, ["D", "X", "Y"])
    np.testing.assert_allclose(dist, [[0, 2, 2], [2, 0, 0], [2, 0, 0]], atol=1e-9)


def test_grid_distances_go_around_obstacles() -> None:
    grid = GridLayout(height=3, width=3, rows=["...", ".@.", "..."])
    inst = Instance(layout=grid, stations=[{"id": "A", "cell": 3}, {"id": "B", "cell": 5}])
    assert distance_matrix(inst, ["A", "B"])[0, 1] == 4
