"""solve_routing end to end: every method checked, OR-Tools near optimal, stop, determinism."""

from __future__ import annotations

import json
import random
import time

import pytest
from hypothesis import HealthCheck, given, settings

from smartwms.errors import InfeasibleError, InstanceValidationError, SmartwmsError
from smartwms.io import load_instance
from smartwms.model import Instance, PickRoute, SolveStatus
from smartwms.routing import (
    METHODS,
    RouteCheckError,
    RoutingResult,
    build_problem,
    check_route,
    route_problems,
    solve_routing,
)
from smartwms.routing.small import held_karp
from smartwms.stopping import Stop
from tests.conftest import DATA, tiny_instance
from tests.routing.helpers import aisle_instance, small_instances

FAST = {"time_limit": 0.2}


def random_instance(seed: int, n_picks: int, n_aisles: int = 8, n_blocks: int = 1) -> Instance:
    rng = random.Random(seed)
    cells = 20 * n_blocks
    picks = [(rng.randrange(n_aisles), rng.randrange(cells)) for _ in range(n_picks)]
    return aisle_instance(n_aisles, 20, n_blocks, picks, depot_aisle=0, depot_cross=n_blocks)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_instances(max_picks=6))
def test_every_method_passes_the_checker(inst: Instance) -> None:
    for method in METHODS:
        result = solve_routing(inst, method=method, params={"solution_limit": 20})
        for route in result.routes:
            check_route(inst, route)
        assert result.objective == pytest.approx(sum(r.length for r in result.routes))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_instances(max_picks=5, scattered=True))
def test_scattered_storage_collects_enough_and_optimal_is_best(inst: Instance) -> None:
    lengths = {}
    for method in ("optimal", "ortools", "sshape", "combined", "combined-plus"):
        # A generous time limit: the proof takes milliseconds, but the first call of a test
        # process also loads the compiled DP kernel, which a busy machine makes slow.
        params = {"solution_limit": 50, "time_limit": 120}
        route = solve_routing(inst, method=method, params=params).routes[0]
        check_route(inst, route)
        lengths[method] = route.length
        if method == "optimal":  # the exact scattered-storage search proves it
            assert route.status is SolveStatus.OPTIMAL
    assert lengths["optimal"] <= min(lengths.values()) + 1e-9


def test_optimal_matches_brute_force_on_a_graph_layout() -> None:
    inst = load_instance(DATA / "foodmart" / "tiny.json")
    for order in inst.orders:
        result = solve_routing(inst, orders=[order.id], method="optimal")
        route = result.routes[0]
        check_route(inst, route)
        problem = build_problem(inst, [order.id])
        rows = list(problem.index_of.values())
        best, _ = held_karp(problem.distances, 0, 0, rows)
        assert route.length == pytest.approx(best)
        assert route.status is SolveStatus.OPTIMAL
        ortools = solve_routing(inst, orders=[order.id], method="ortools", params=FAST)
        check_route(inst, ortools.routes[0])
        assert ortools.objective >= best - 1e-9


@pytest.mark.parametrize("seed", range(3))
def test_ortools_is_within_a_small_gap_of_the_optimum(seed: int) -> None:
    inst = random_instance(seed, n_picks=25, n_blocks=1 + seed % 2)
    best = solve_routing(inst, method="optimal")
    assert best.status is SolveStatus.OPTIMAL
    ortools = solve_routing(inst, method="ortools", params={"time_limit": 0.5})
    check_route(inst, ortools.routes[0])
    assert best.objective <= ortools.objective <= best.objective * 1.02


def test_ortools_serves_layouts_the_dp_does_not_cover() -> None:
    # Five blocks: beyond the exact DP, so "optimal" falls back to OR-Tools (feasible).
    inst = random_instance(7, n_picks=15, n_aisles=6, n_blocks=5)
    result = solve_routing(inst, method="optimal", params=FAST)
    check_route(inst, result.routes[0])
    assert result.status is SolveStatus.FEASIBLE
    sshape = solve_routing(inst, method="sshape")
    assert result.objective <= sshape.objective + 1e-9  # warm-started from the heuristics


def test_several_depots_start_and_end_where_asked() -> None:
    base = random_instance(3, n_picks=8)
    from smartwms.model import Station

    inst = base.model_copy(
        update={"stations": [*base.stations, Station(id="out", aisle=7, cross_aisle=0)]}
    )
    inst = Instance.model_validate(inst.model_dump())
    for method in ("optimal", "ortools", "combined"):
        route = solve_routing(inst, method=method, params={"end": "out", **FAST}).routes[0]
        assert route.stops[-1].id == "out"
        check_route(inst, route, start="depot", end="out")


def test_same_input_same_output() -> None:
    inst = random_instance(11, n_picks=30, n_aisles=10)
    for method in ("optimal", "combined-plus", "combined-opt", "ortools"):
        params = {"solution_limit": 200, "time_limit": 30}
        first = solve_routing(inst, method=method, params=params, seed=5)
        second = solve_routing(inst, method=method, params=params, seed=5)
        assert first.routes == second.routes


def test_a_cancelled_search_returns_its_best_tour_so_far() -> None:
    inst = random_instance(2, n_picks=40, n_aisles=12)
    stop = Stop()
    stop.cancel()
    started = time.perf_counter()
    result = solve_routing(inst, method="ortools", params={"time_limit": 30}, stop=stop)
    assert time.perf_counter() - started < 5
    assert result.status is SolveStatus.CANCELLED
    check_route(inst, result.routes[0])


def test_a_stop_time_limit_ends_a_long_search_early() -> None:
    inst = random_instance(4, n_picks=40, n_aisles=12)
    started = time.perf_counter()
    result = solve_routing(
        inst, method="ortools", params={"time_limit": 30}, stop=Stop(time_limit=0.3)
    )
    assert time.perf_counter() - started < 5
    check_route(inst, result.routes[0])
    sshape = solve_routing(inst, method="sshape")
    assert result.objective <= sshape.objective


def test_cancellation_mid_way_still_routes_every_order() -> None:
    inst = tiny_instance()
    stop = Stop()
    calls: list[int] = []

    def progress(done: int, total: int) -> None:
        calls.append(done)
        stop.cancel()  # cancel after the first tour

    result = solve_routing(inst, method="optimal", stop=stop, progress=progress)
    assert calls == [1, 2]
    assert result.status is SolveStatus.CANCELLED
    assert [r.orders for r in result.routes] == [["O1"], ["O2"]]
    for route in result.routes:
        check_route(inst, route)


def test_batches_pick_several_orders_in_one_tour() -> None:
    inst = tiny_instance()
    result = solve_routing(inst, orders=[["O1", "O2"]])
    (route,) = result.routes
    assert route.orders == ["O1", "O2"]
    assert {s.id for s in route.stops if s.kind == "pick"} == {"L1", "L2", "L3"}
    check_route(inst, route)


def test_result_serialises_and_summarises() -> None:
    result = solve_routing(tiny_instance(n_blocks=2))
    again = RoutingResult.model_validate(json.loads(result.model_dump_json()))
    assert again == result
    text = result.summary()
    assert "optimal" in text and f"{result.objective:g}" in text


def test_checker_rejects_broken_routes() -> None:
    inst = tiny_instance()
    route = solve_routing(inst, orders=["O1"]).routes[0]
    assert route_problems(inst, route) == []
    wrong_length = route.model_copy(update={"length": route.length + 1})
    assert [f for f, _ in route_problems(inst, wrong_length)] == ["length"]
    missing = route.model_copy(update={"stops": [route.stops[0], *route.stops[2:]]})
    assert any(f.startswith("demand") for f, _ in route_problems(inst, missing))
    no_depot = route.model_copy(update={"stops": route.stops[1:]})
    with pytest.raises(RouteCheckError, match="start at depot"):
        check_route(inst, no_depot)
    foreign = PickRoute(
        orders=["O1"], method="x", length=0, stops=[route.stops[0], *route.stops[1:]]
    )
    moved = foreign.stops[1].model_copy(update={"id": "L4"})
    bad = foreign.model_copy(update={"stops": [foreign.stops[0], moved, *foreign.stops[2:]]})
    assert any("does not hold" in r or "differs" in r for _, r in route_problems(inst, bad))


def test_bad_requests_name_the_field() -> None:
    inst = tiny_instance()
    with pytest.raises(InstanceValidationError, match="method"):
        solve_routing(inst, method="fastest")
    with pytest.raises(InstanceValidationError, match=r"params\.speed"):
        solve_routing(inst, params={"speed": 2})
    with pytest.raises(InstanceValidationError, match="time_limit"):
        solve_routing(inst, params={"time_limit": 0})
    with pytest.raises(InstanceValidationError, match="unknown order 'nope'"):
        solve_routing(inst, orders=["nope"])
    with pytest.raises(InstanceValidationError, match="unknown station"):
        solve_routing(inst, params={"start": "nowhere"})
    with pytest.raises(SmartwmsError):
        solve_routing(inst.model_copy(update={"orders": []}))


def test_scattered_shortage_is_infeasible() -> None:
    inst = aisle_instance(
        3,
        10,
        1,
        [(0, 2)],
        0,
        1,
        extra_locations={0: [(1, 4, 1.0)]},
        quantities=[5.0],
        main_units=[1.0],
    )
    with pytest.raises(InfeasibleError, match="SKU 'S0'"):
        solve_routing(inst)
