"""The exact multi-block DP end to end: ``solve_routing(method="optimal")`` on 3-block layouts.

``tests/routing/test_exact.py`` checks the DP itself (``optimal_tour``) against brute force on
tours of up to six picks. Here the whole path is checked on three blocks with more picks:
instance -> problem -> DP -> ``PickRoute``, against Held-Karp over the instance's own distance
matrix (:func:`smartwms.layout.distance_matrix`, not the DP's block costs), with every route
passing the independent checker and no heuristic beating the optimum.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from smartwms.layout import distance_matrix
from smartwms.model import (
    Instance,
    Location,
    Order,
    OrderLine,
    ParallelAisleLayout,
    Sku,
    SolveStatus,
    Station,
    StockRecord,
)
from smartwms.routing import HEURISTICS, check_route, solve_routing
from smartwms.routing.small import held_karp

FAST = {"time_limit": 0.2}


def one_order_instance(
    layout: ParallelAisleLayout, depot: Station, picks: list[tuple[int, int]]
) -> Instance:
    """One order taking one SKU from each ``(aisle, cell)`` of ``picks`` (cells may repeat)."""
    locations = {f"a{a}c{c}": Location(id=f"a{a}c{c}", aisle=a, cell=c) for a, c in picks}
    return Instance(
        name="multi-block",
        layout=layout,
        locations=list(locations.values()),
        skus=[Sku(id=f"S{k}") for k in range(len(picks))],
        stock=[StockRecord(sku=f"S{k}", location=f"a{a}c{c}") for k, (a, c) in enumerate(picks)],
        orders=[Order(id="O", lines=[OrderLine(sku=f"S{k}") for k in range(len(picks))])],
        stations=[depot],
        shared_locations=True,
    )


@st.composite
def three_block_instances(draw: st.DrawFn) -> Instance:
    """3 blocks, uneven cross aisles, the depot on any cross aisle (maybe on a spur)."""
    n_blocks = 3
    layout = ParallelAisleLayout(
        n_aisles=draw(st.integers(1, 6)),
        aisle_spacing=draw(st.sampled_from([1.0, 3.0, 6.5])),
        cells_per_block=draw(st.integers(1, 6)),
        cell_length=draw(st.sampled_from([0.5, 1.0, 2.0])),
        n_blocks=n_blocks,
        cross_aisle_widths=draw(
            st.lists(st.sampled_from([0.0, 1.0, 2.5]), min_size=n_blocks + 1, max_size=n_blocks + 1)
        ),
    )
    depot = Station(
        id="depot",
        aisle=draw(st.integers(0, layout.n_aisles - 1)),
        cross_aisle=draw(st.integers(0, n_blocks)),
        spur=draw(st.sampled_from([0.0, 0.0, 2.0])),
    )
    position = st.tuples(
        st.integers(0, layout.n_aisles - 1), st.integers(0, layout.cells_per_aisle - 1)
    )
    picks = draw(st.lists(position, min_size=1, max_size=9))
    return one_order_instance(layout, depot, picks)


@settings(max_examples=150, deadline=None)
@given(three_block_instances())
def test_three_block_optimum_equals_held_karp_and_passes_the_checker(inst: Instance) -> None:
    result = solve_routing(inst, method="optimal")
    route = result.routes[0]
    check_route(inst, route)
    assert result.status is SolveStatus.OPTIMAL
    stops = list(dict.fromkeys(s.id for s in route.stops if s.kind == "pick"))
    dist = distance_matrix(inst, ["depot", *stops])
    best, _ = held_karp(dist, 0, 0, list(range(1, len(stops) + 1)))
    assert route.length == pytest.approx(best, abs=1e-7)
    for method in HEURISTICS:
        other = solve_routing(inst, method=method)
        check_route(inst, other.routes[0])
        assert other.objective >= route.length - 1e-7, method


# Hand-made: 3 aisles 3 apart (x = 0, 3, 6), 3 blocks of 4 cells of length 1, cross aisles
# 1 wide at y = 0, 5, 10, 15; cell c of block b lies at y = 5 b + 1 + (c mod 4).
HAND = ParallelAisleLayout(
    n_aisles=3, aisle_spacing=3, cells_per_block=4, cell_length=1, n_blocks=3
)


def test_hand_made_tour_uses_the_middle_cross_aisles() -> None:
    # Depot at aisle 0 on the front (bottom) cross aisle, y = 15. Picks: aisle 0 at y = 1
    # (block 0) and aisle 2 at y = 6 and y = 9 (block 1). Every tour walks up to y = 1 and back
    # (2 x 14) and out to x = 6 and back (2 x 6): at least 40, and 40 is reached by going up
    # aisle 0, over cross aisle 1 (y = 5) to aisle 2, down to cross aisle 2 (y = 10) and back
    # over it.
    inst = one_order_instance(
        HAND, Station(id="depot", aisle=0, cross_aisle=3), [(0, 0), (2, 4), (2, 7)]
    )
    result = solve_routing(inst, method="optimal")
    check_route(inst, result.routes[0])
    assert result.status is SolveStatus.OPTIMAL
    assert result.objective == pytest.approx(40.0)


def test_hand_made_depot_on_a_middle_cross_aisle() -> None:
    # Depot at aisle 1 on cross aisle 1 (x = 3, y = 5). Picks: aisle 1 at y = 1 (block 0) and
    # y = 14 (block 2), aisle 0 at y = 7 (block 1). A closed walk reaching y = 1 and y = 14
    # climbs at least 2 x 13 and one reaching x = 0 walks at least 2 x 3 across: >= 32. The
    # DP must find the 32: up to y = 1, down to y = 14, back up to cross aisle 2 (y = 10), over
    # to aisle 0, up past y = 7 to cross aisle 1 and back to the depot (4 + 13 + 4 + 3 + 5 + 3).
    inst = one_order_instance(
        HAND, Station(id="depot", aisle=1, cross_aisle=1), [(1, 0), (1, 11), (0, 5)]
    )
    result = solve_routing(inst, method="optimal")
    check_route(inst, result.routes[0])
    assert result.objective == pytest.approx(32.0)
    order = [s.id for s in result.routes[0].stops if s.kind == "pick"]
    assert sorted(order) == ["a0c5", "a1c0", "a1c11"]


def test_three_block_thirty_picks_beats_or_matches_ortools() -> None:
    # Too many picks for brute force: OR-Tools (a search over the same distance matrix) must
    # not find anything shorter than the proven optimum.
    import random

    rng = random.Random(3)
    layout = ParallelAisleLayout(
        n_aisles=10, aisle_spacing=3, cells_per_block=20, cell_length=1, n_blocks=3
    )
    cells = rng.sample([(a, c) for a in range(10) for c in range(60)], 30)
    inst = one_order_instance(layout, Station(id="depot", aisle=0, cross_aisle=3), cells)
    best = solve_routing(inst, method="optimal")
    check_route(inst, best.routes[0])
    assert best.status is SolveStatus.OPTIMAL
    ortools = solve_routing(inst, method="ortools", params=FAST)
    check_route(inst, ortools.routes[0])
    assert best.objective <= ortools.objective + 1e-7
