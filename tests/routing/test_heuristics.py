"""The classic heuristics on one and several blocks: hand-computed tours, the independent
validator, never shorter than the exact optimum, and the bounds their constructions guarantee."""

from __future__ import annotations

import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from smartwms.layout import distance_matrix
from smartwms.model import Instance, ParallelAisleLayout
from smartwms.routing import HEURISTICS, check_route, solve_routing, tour_length
from smartwms.routing.heuristics import heuristic_walk
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


# ---------------------------------------------------------------------- several blocks
# aisle_instance(..., cells_per_block=10, n_blocks=2): aisles 3 apart (x = 0, 3, 6, 9), cross
# aisles at y = 0, 11, 22; the depot at the front (y = 22) of aisle 0. From the depot, the near
# block (cells 10-19) is rank 0, a pick at cell c lies 20 - c deep from its front (y = 22);
# the far block (cells 0-9) is rank 1, a pick at cell c lies 10 - c deep from its front (y = 11).
def two_block(picks: list[tuple[int, int]]) -> Instance:
    return aisle_instance(4, 10, 2, picks, depot_aisle=0, depot_cross=2)


def planned(inst: Instance, method: str, mirror: bool = False) -> tuple[list[str], float]:
    """The stops and length a heuristic plans, by location id."""
    ids = [loc.id for loc in inst.locations]
    aisles = [loc.aisle or 0 for loc in inst.locations]
    cells = [loc.cell or 0 for loc in inst.locations]
    layout = inst.layout
    assert isinstance(layout, ParallelAisleLayout)
    walk = heuristic_walk(method, layout, inst.depot, aisles, cells, mirror)
    return [ids[i] for i in walk.order], walk.length


def test_combined_plus_chooses_the_sweep_of_the_near_block_by_dynamic_program() -> None:
    # Far pick a0c4 (6 deep); near picks a2c19 (1 deep) and a3c10 (10 deep, 1 from the back).
    # All methods: depot up aisle 0 to the far block (11), into a0c4 and back (12).
    inst = two_block([(2, 19), (3, 10), (0, 4)])
    # S-shape and combined enter the near block at the nearer extreme, aisle 2 (6): through it
    # (11), on to aisle 3 (3), into it from the front (20), home (9): 72.
    assert planned(inst, "sshape") == (["a0c4", "a2c19", "a3c10"], 72)
    assert planned(inst, "combined") == (["a0c4", "a2c19", "a3c10"], 72)
    # Combined+ sweeps the near block the other way: along its back to aisle 3 (9), a3c10
    # from the back (2), to aisle 2 (3), down through it (11), home (6): 54.
    assert planned(inst, "combined-plus") == (["a0c4", "a3c10", "a2c19"], 54)
    # Largest gap: the far extreme, aisle 3, is traversed (9 + 11); aisle 2's largest gap is
    # behind its pick, so it is taken from the front on the way home (3 + 2), home (6): 54.
    assert planned(inst, "largest-gap") == (["a0c4", "a3c10", "a2c19"], 54)
    # Handed to the picker, combined+'s sequence walks 17 + 16 + 14 + 7 = 54 as well; S-shape
    # keeps its mirror plan (up aisle 3 first), 64.
    assert stop_ids(inst, "combined-plus") == (["depot", "a0c4", "a3c10", "a2c19", "depot"], 54)
    assert stop_ids(inst, "sshape")[1] == 64


def test_sshape_on_two_blocks_picks_the_left_aisle_on_the_way_up() -> None:
    # Up aisle 0 taking a0c15 (11), the far block: aisle 1 up (3 + 11), aisle 3 down (6 + 11);
    # the near block from aisle 3 (the nearer extreme): down (11), aisle 2 from the front
    # (3 + 4), home (6): 66.
    inst = two_block([(1, 5), (3, 2), (0, 15), (2, 18), (3, 12)])
    expected = ["a0c15", "a1c5", "a3c2", "a3c12", "a2c18"]
    assert planned(inst, "sshape") == (expected, 66)
    assert planned(inst, "combined") == (expected, 66)
    assert planned(inst, "combined-plus") == (expected, 66)
    # Largest gap takes a3c12 (8 deep, 3 from the back) from the back (6) and walks down
    # aisle 2 instead (3 + 11): 68.
    assert planned(inst, "largest-gap") == (expected, 68)
    ids, length = stop_ids(inst, "sshape")
    assert ids[1:-1] == expected and length == 66


def test_midpoint_on_two_blocks_splits_each_subaisle_in_half() -> None:
    # Up aisle 0 (11); the far block: through aisle 0 (11), over to aisle 3 (9) and down it
    # (11). The near block, entered at the back of aisle 3: along the back to aisle 2 (3), a2c11
    # (9 deep, back half) from the back (4), on to the farthest subaisle, aisle 1 (3), down it
    # (11), home along the front taking a2c18 (2 deep, front half) from the front (3 + 4), and
    # on to the depot (6): 76.
    inst = two_block([(0, 5), (3, 2), (2, 11), (2, 18), (1, 15)])
    assert planned(inst, "midpoint") == (["a0c5", "a3c2", "a2c11", "a1c15", "a2c18"], 76)


def test_an_empty_middle_block_is_walked_through() -> None:
    # Three blocks, y of cross aisles 0, 11, 22, 33; depot at the front of aisle 0. Over to
    # aisle 1 (3), up to the far block (22), into a1c5 (5 deep) and back (10), down through
    # the empty middle block (11), over to aisle 2 (3), down through a2c25 (11), home (6).
    inst = aisle_instance(3, 10, 3, [(1, 5), (2, 25)], depot_aisle=0, depot_cross=3)
    for method in ("sshape", "largest-gap", "combined", "combined-plus"):
        assert planned(inst, method) == (["a1c5", "a2c25"], 66), method
    # That is also the shortest tour.
    assert solve_routing(inst, method="optimal").objective == 66


def test_a_depot_on_a_middle_cross_aisle_routes_each_side_in_turn() -> None:
    # Depot at y = 11 between two blocks: the back side (a1c5, 5 deep: 3 + 10 + 3) and the
    # front side (a2c15, 6 deep: 6 + 12 + 6) as two loops, 40 planned; handed to the picker as
    # a sequence, the walk between the two picks goes straight across: 8 + 14 + 12 = 34.
    inst = aisle_instance(3, 10, 2, [(1, 5), (2, 15)], depot_aisle=0, depot_cross=1)
    assert planned(inst, "sshape") == (["a1c5", "a2c15"], 40)
    assert stop_ids(inst, "sshape") == (["depot", "a1c5", "a2c15", "depot"], 34)


def test_the_mirror_image_leads_with_the_right_pick_aisle() -> None:
    # Depot at the front of aisle 3 (x = 9); a0c1 lies 9 deep, a1c5 5, a3c9 1. Left first:
    # over to aisle 0 (9), up (11), over (3), down aisle 1 (11), over (6), into a3c9 and back
    # (2): 42. The mirror plan leads with aisle 3 and ends with the deep dip into aisle 0:
    # 11 + 6 + 11 + 3 + 18 + 9 = 58. The tour keeps the shorter.
    inst = aisle_instance(4, 10, 1, [(0, 1), (1, 5), (3, 9)], depot_aisle=3, depot_cross=1)
    assert planned(inst, "sshape") == (["a0c1", "a1c5", "a3c9"], 42)
    assert planned(inst, "sshape", mirror=True) == (["a3c9", "a1c5", "a0c1"], 58)
    assert stop_ids(inst, "sshape")[1] == 42


@st.composite
def multi_block_instances(draw: st.DrawFn) -> Instance:
    """1-3 blocks, up to 9 picks, the depot at any aisle on any cross aisle (middle ones too)."""
    n_aisles = draw(st.integers(1, 6))
    n_blocks = draw(st.integers(1, 3))
    per_block = draw(st.integers(2, 8))
    position = st.tuples(st.integers(0, n_aisles - 1), st.integers(0, n_blocks * per_block - 1))
    picks = draw(st.lists(position, min_size=1, max_size=9, unique=True))
    return aisle_instance(
        n_aisles,
        per_block,
        n_blocks,
        picks,
        depot_aisle=draw(st.integers(0, n_aisles - 1)),
        depot_cross=draw(st.integers(0, n_blocks)),
    )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(multi_block_instances())
def test_every_heuristic_is_valid_and_never_beats_the_exact_optimum(inst: Instance) -> None:
    best = solve_routing(inst, method="optimal")
    assert best.status.value == "optimal"  # the aisle DP covers 1-3 blocks
    check_route(inst, best.routes[0])
    for method in HEURISTICS:
        route = solve_routing(inst, method=method).routes[0]
        check_route(inst, route)  # every pick visited, the length re-computed from geometry
        assert route.length >= best.objective - 1e-9, method


PLANNED = [m for m in HEURISTICS if m != "combined-opt"]


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(multi_block_instances(), st.booleans())
def test_planned_walks_bound_their_tours_and_combined_plus_is_never_longer(
    inst: Instance, mirror: bool
) -> None:
    ids = [loc.id for loc in inst.locations]
    dist = distance_matrix(inst, ["depot", *ids])
    walks = {}
    for method in PLANNED:
        order, length = planned(inst, method, mirror)
        assert sorted(order) == sorted(ids), method
        # Walked along shortest paths, the sequence is never longer than the planned walk.
        rows = [1 + ids.index(i) for i in order]
        assert tour_length(dist, 0, 0, rows) <= length + 1e-9, method
        walks[method] = length
    # Combined's dynamic program can copy S-shape's and return's walk through every block,
    # and combined+'s dynamic program over the blocks can copy combined's sweeps.
    assert walks["combined"] <= walks["sshape"] + 1e-9
    assert walks["combined"] <= walks["return"] + 1e-9
    assert walks["combined-plus"] <= walks["combined"] + 1e-9


def test_combined_opt_is_never_longer_than_combined() -> None:
    # The local search keeps a move only if the re-computed tour is shorter.
    rng = random.Random(7)
    for n_blocks in (1, 2, 3):
        cells = [(rng.randrange(8), rng.randrange(n_blocks * 10)) for _ in range(25)]
        inst = aisle_instance(8, 10, n_blocks, sorted(set(cells)), 0, n_blocks)
        opt = solve_routing(inst, method="combined-opt").routes[0]
        check_route(inst, opt)
        assert opt.length <= solve_routing(inst, method="combined").objective + 1e-9
