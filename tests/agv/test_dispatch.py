"""Offline dispatch (OR-Tools pickup and delivery): validated routes, brute-force optimum."""

from __future__ import annotations

import functools
import itertools
import json
import random

import pytest

from smartwms.agv import DispatchResult, TransportOrder, solve_dispatch
from smartwms.errors import InstanceValidationError
from smartwms.layout import grid_distances
from smartwms.model import GridLayout, SolveStatus
from smartwms.stopping import Stop

LAYOUT = GridLayout(height=4, width=6, rows=["......", ".@@.@.", "......", "..@..."])


@functools.cache
def moves(a: int, b: int) -> int:
    return int(grid_distances(LAYOUT, [a], [b])[0, 0])


def check_routes(result: DispatchResult, orders: list[TransportOrder], capacity: int) -> None:
    """Independent validation: pairing, order, load, windows, times and objective."""
    by_id = {o.id: o for o in orders}
    total = 0
    served = []
    for start, route in zip(result.starts, result.routes, strict=True):
        here, clock, load, open_ = start, 0, 0, set()
        for stop in route:
            order = by_id[stop.order]
            travel = moves(here, stop.cell)
            total += travel
            clock += travel
            assert stop.arrival >= clock  # waiting allowed, teleporting not
            clock = stop.arrival
            if stop.kind == "pickup":
                assert stop.cell == order.pickup and stop.arrival >= order.ready
                load += order.load
                open_.add(order.id)
            else:
                assert stop.cell == order.delivery and order.id in open_
                if order.due is not None:
                    assert stop.arrival <= order.due
                load -= order.load
                open_.remove(order.id)
                served.append(order.id)
            assert 0 <= load <= capacity and stop.load_after == load
            clock += order.service
            here = stop.cell
        assert not open_  # everything picked up was delivered by the same AGV
    assert total == result.objective
    assert sorted(served + result.unserved) == sorted(by_id)


def brute_force(start: int, orders: list[TransportOrder], capacity: int) -> int:
    """Shortest single-AGV sequence of all pickups/deliveries (precedence and capacity)."""
    events = [(o, kind) for o in orders for kind in ("pickup", "delivery")]
    best = 10**9
    for perm in itertools.permutations(events):
        seen, load, here, cost, ok = set(), 0, start, 0, True
        for order, kind in perm:
            if kind == "delivery" and order.id not in seen:
                ok = False
                break
            if kind == "pickup":
                seen.add(order.id)
                load += order.load
                if load > capacity:
                    ok = False
                    break
            else:
                load -= order.load
            cell = order.pickup if kind == "pickup" else order.delivery
            cost += moves(here, cell)
            here = cell
        if ok:
            best = min(best, cost)
    return best


def random_orders(rng: random.Random, n: int) -> list[TransportOrder]:
    free = [c for c in range(24) if LAYOUT.is_free(c)]
    out = []
    for k in range(n):
        p, d = rng.sample(free, 2)
        out.append(TransportOrder(id=f"o{k}", pickup=p, delivery=d))
    return out


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("capacity", [1, 2])
def test_single_agv_matches_brute_force(seed: int, capacity: int) -> None:
    rng = random.Random(seed)
    orders = random_orders(rng, 3)
    result = solve_dispatch(LAYOUT, [0], orders, capacity=capacity)
    check_routes(result, orders, capacity)
    assert result.unserved == []
    assert result.objective == brute_force(0, orders, capacity)


def test_fleet_with_windows_and_json() -> None:
    rng = random.Random(7)
    orders = [
        TransportOrder(id=o.id, pickup=o.pickup, delivery=o.delivery, ready=2 * k, service=1)
        for k, o in enumerate(random_orders(rng, 8))
    ]
    orders[0] = TransportOrder(id="tight", pickup=0, delivery=5, due=6)
    result = solve_dispatch(LAYOUT, [0, 23, 12], orders, capacity=2)
    check_routes(result, orders, 2)
    assert result.unserved == [] and result.status == SolveStatus.FEASIBLE
    data = json.loads(result.to_json())
    assert data["orders_served"] == 8 and len(data["routes"]) == 3
    assert solve_dispatch(LAYOUT, [0, 23, 12], orders, capacity=2).objective == result.objective


def test_impossible_window_is_reported_unserved() -> None:
    orders = [TransportOrder(id="far", pickup=0, delivery=23, due=3)]
    result = solve_dispatch(LAYOUT, [0], orders)
    assert result.unserved == ["far"] and result.routes == [[]]


def test_cancelled_search_returns_its_best_routes() -> None:
    stop = Stop()
    stop.cancel()
    orders = random_orders(random.Random(1), 6)
    result = solve_dispatch(LAYOUT, [0, 23], orders, method="gls", time_limit=5, stop=stop)
    check_routes(result, orders, 1)
    assert result.status == SolveStatus.CANCELLED and result.seconds < 4


def test_bad_orders_name_the_field() -> None:
    with pytest.raises(InstanceValidationError, match=r"orders\[0\].pickup: cell 7 is not free"):
        solve_dispatch(LAYOUT, [0], [TransportOrder(id="x", pickup=7, delivery=0)])
    with pytest.raises(InstanceValidationError, match=r"orders\[0\].load"):
        solve_dispatch(LAYOUT, [0], [TransportOrder(id="x", pickup=1, delivery=0, load=3)])
