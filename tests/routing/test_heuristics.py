"""The classic heuristics: hand-computed tours, and never shorter than the optimum."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from smartwms.model import Instance
from smartwms.routing import HEURISTICS, check_route, solve_routing
from tests.routing.helpers import aisle_instance, small_instances


def stop_ids(inst: Instance, method: str) -> tuple[list[str], float]:
    route = solve_routing(inst, method=method).routes[0]
    check_route(inst, route)
    return [s.id for s in route.stops], route.length


def test_sshape_traverses_each_aisle_alternately() -> None:
    # Three aisles 3 apart, 10 cells (y = cell + 1), depot at the front of aisle 0 (y = 11).
    # Up aisle 0 (11), across the back (3), down aisle 1 (11), back along the front (3).
    inst = aisle_instance(3, 10, 1, [(0, 2), (1, 5)], depot_aisle=0, depot_cross=1)
    ids, length = stop_ids(inst, "sshape")
    assert ids == ["depot", "a0c2", "a1c5", "depot"]
    assert length == 28


def test_return_enters_and_leaves_each_aisle_from_the_front() -> None:
    # Aisle 0 to depth 2 and back (4), aisle 2 to depth 4 and back (8), 2 x 6 along the front.
    inst = aisle_instance(3, 10, 1, [(0, 8), (2, 6)], depot_aisle=0, depot_cross=1)
    ids, length = stop_ids(inst, "return")
    assert ids == ["depot", "a0c8", "a2c6", "depot"]
    assert length == 24


def test_sshape_with_three_aisles_visits_in_sweep_order() -> None:
    # Aisle 0 up (picks near the front first), aisle 1 down, aisle 2 up and back.
    inst = aisle_instance(
        3, 10, 1, [(0, 8), (0, 1), (1, 3), (1, 7), (2, 4)], depot_aisle=0, depot_cross=1
    )
    ids, length = stop_ids(inst, "sshape")
    assert ids == ["depot", "a0c8", "a0c1", "a1c3", "a1c7", "a2c4", "depot"]
    # 11 up + 3 + 11 down + 3 + (6 up + 6 down) in aisle 2 + 6 back to aisle 0.
    assert length == 46


def test_midpoint_and_largest_gap_split_middle_aisles() -> None:
    # Middle aisle 1 holds a pick near the back and one near the front.
    inst = aisle_instance(3, 10, 1, [(0, 5), (1, 1), (1, 8), (2, 5)], depot_aisle=0, depot_cross=1)
    for method in ("midpoint", "largest-gap"):
        ids, _ = stop_ids(inst, method)
        # Out along the back taking a1c1, home along the front taking a1c8.
        assert ids == ["depot", "a0c5", "a1c1", "a2c5", "a1c8", "depot"], method


@pytest.mark.parametrize("method", HEURISTICS)
def test_unknown_layout_kind_is_refused_clearly(method: str) -> None:
    from smartwms.errors import SmartwmsError
    from smartwms.io import load_instance
    from tests.conftest import DATA

    inst = load_instance(DATA / "foodmart" / "tiny.json")
    with pytest.raises(SmartwmsError, match="parallel-aisle"):
        solve_routing(inst, method=method)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_instances())
def test_heuristics_are_valid_and_never_beat_the_optimum(inst: Instance) -> None:
    best = solve_routing(inst, method="optimal")
    assert best.status.value == "optimal"
    check_route(inst, best.routes[0])
    for method in HEURISTICS:
        route = solve_routing(inst, method=method).routes[0]
        check_route(inst, route)
        assert route.length >= best.objective - 1e-9, method


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_instances(max_picks=6, scattered=True))
def test_heuristics_collect_enough_units_under_scattered_storage(inst: Instance) -> None:
    for method in HEURISTICS:
        check_route(inst, solve_routing(inst, method=method).routes[0])


def test_combined_mixes_traversals_and_returns() -> None:
    # Four aisles 3 apart, aisles 11 long, depot at the front (bottom) of aisle 0: cell c lies
    # 10 - c from the front. Combined traverses aisle 0 (picks 3 and 6 deep), returns into
    # aisle 2 from the back (2 from it), traverses aisle 3 home: 3 + 3 + 13 + 6 + 4 + 15 = 44.
    # S-shape and return both end with aisle 3 entered from the front; their better sweep
    # (right to left) walks 15 + 4 + 6 + 16 + 3 + 6 = 50.
    inst = aisle_instance(4, 10, 1, [(0, 4), (0, 7), (2, 1), (3, 0), (3, 4)], 0, 1)
    ids, length = stop_ids(inst, "combined")
    assert ids == ["depot", "a0c7", "a0c4", "a2c1", "a3c0", "a3c4", "depot"]
    assert length == 44
    assert stop_ids(inst, "sshape")[1] == 50
    assert stop_ids(inst, "return")[1] == 50


@st.composite
def single_block_instances(draw: st.DrawFn) -> Instance:
    """One block, 1-8 aisles, picks anywhere, the depot at either cross aisle of any aisle."""
    n_aisles = draw(st.integers(1, 8))
    cells = draw(st.integers(2, 12))
    position = st.tuples(st.integers(0, n_aisles - 1), st.integers(0, cells - 1))
    picks = draw(st.lists(position, min_size=1, max_size=12))
    depot_aisle = draw(st.integers(0, n_aisles - 1))
    return aisle_instance(n_aisles, cells, 1, picks, depot_aisle, draw(st.sampled_from([0, 1])))


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(single_block_instances())
def test_combined_is_never_longer_than_sshape_or_return_on_one_block(inst: Instance) -> None:
    # Combined chooses, per aisle, between the moves S-shape and return make (Roodbergen &
    # de Koster): its dynamic program can always copy either, so it is never longer.
    lengths = {}
    for method in ("combined", "sshape", "return"):
        route = solve_routing(inst, method=method).routes[0]
        check_route(inst, route)
        lengths[method] = route.length
    assert lengths["combined"] <= lengths["sshape"] + 1e-9
    assert lengths["combined"] <= lengths["return"] + 1e-9
