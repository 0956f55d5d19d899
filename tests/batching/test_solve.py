"""solve_batching: every method gives a valid plan; exact equals brute force; determinism."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from smartwms.batching import (
    BATCHING_METHODS,
    ROUTING_POLICIES,
    BatchingParams,
    Cart,
    batching_problems,
    check_batching,
    solve_batching,
)
from smartwms.errors import InfeasibleError, InstanceValidationError
from smartwms.model import SolveStatus
from smartwms.stopping import Stop
from tests.batching.helpers import batching_instance, brute_force

HEURISTICS = [m for m in BATCHING_METHODS if m not in ("auto", "exact")]


@pytest.mark.parametrize("method", BATCHING_METHODS)
@pytest.mark.parametrize("routing", ["optimal", "sshape", "largest-gap"])
def test_every_method_gives_a_valid_plan(method: str, routing: str) -> None:
    inst = batching_instance(12, seed=3)
    result = solve_batching(
        inst, method=method, params=BatchingParams(routing=routing, iterations=20)
    )
    check_batching(inst, result)
    assert result.routing == routing
    assert sum(len(b.orders) for b in result.batches) == 12


@pytest.mark.parametrize("routing", ROUTING_POLICIES)
def test_policies_on_two_blocks_and_a_middle_depot(routing: str) -> None:
    # Two blocks: no compiled policy kernel, the general path (one routing per batch).
    inst = batching_instance(7, seed=5, n_blocks=2, depot_aisle=2)
    result = solve_batching(inst, method="local", params=BatchingParams(routing=routing))
    check_batching(inst, result)


def test_fcfs_fills_carts_in_release_order() -> None:
    inst = batching_instance(10, seed=1, capacity=8)
    result = solve_batching(inst, method="fcfs")
    check_batching(inst, result)
    release = {o.id: o.release_time for o in inst.orders}
    flat = [o for b in result.batches for o in b.orders]
    assert [release[o] for o in flat] == sorted(release[o] for o in flat)
    size = {o.id: sum(line.quantity for line in o.lines) for o in inst.orders}
    # Next fit: a batch is closed only when the next order does not fit.
    for this, nxt in zip(result.batches, result.batches[1:], strict=False):
        assert this.articles + size[nxt.orders[0]] > 8


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    n=st.integers(2, 6),
    seed=st.integers(0, 10_000),
    capacity=st.integers(6, 12),
    routing=st.sampled_from(["optimal", "sshape", "return", "midpoint", "largest-gap", "combined"]),
)
def test_exact_equals_brute_force(n: int, seed: int, capacity: int, routing: str) -> None:
    inst = batching_instance(n, seed=seed, capacity=float(capacity), max_lines=3)
    cart = Cart(articles=float(capacity))
    result = solve_batching(inst, method="exact", params=BatchingParams(routing=routing))
    check_batching(inst, result)
    best = brute_force(inst, cart, routing)
    assert result.status is SolveStatus.OPTIMAL
    assert result.total_length == pytest.approx(best)
    assert result.lower_bound == pytest.approx(best)


@pytest.mark.parametrize("method", HEURISTICS)
def test_heuristics_never_beat_the_exact_optimum(method: str) -> None:
    inst = batching_instance(9, seed=11, capacity=7)
    exact = solve_batching(inst, method="exact")
    heuristic = solve_batching(inst, method=method, params=BatchingParams(iterations=30))
    assert heuristic.total_length >= exact.total_length - 1e-9


@pytest.mark.parametrize("method", ["seed", "savings", "local", "alns"])
def test_same_seed_same_plan(method: str) -> None:
    inst = batching_instance(15, seed=2)
    params = BatchingParams(iterations=15, seed_rule="random")
    one = solve_batching(inst, method=method, params=params, seed=7)
    two = solve_batching(inst, method=method, params=params, seed=7)
    assert [b.orders for b in one.batches] == [b.orders for b in two.batches]


def test_volume_weight_and_totes_hold() -> None:
    inst = batching_instance(14, seed=4, volumes=True, capacity=None)
    cart = Cart(volume=20, weight=8, totes=4, tote_volume=8)
    result = solve_batching(inst, method="local", params=BatchingParams(cart=cart))
    check_batching(inst, result)
    for batch in result.batches:
        used = [t for totes in batch.totes.values() for t in totes]
        assert len(used) == len(set(used)) <= 4
        assert batch.volume <= 20 and batch.weight <= 8


def test_an_order_too_big_for_the_cart_is_an_error_naming_it() -> None:
    inst = batching_instance(5, seed=1, capacity=2, max_lines=4)
    with pytest.raises(InfeasibleError, match="does not fit on the cart"):
        solve_batching(inst, method="fcfs")


def test_split_orders_picks_every_line_once() -> None:
    inst = batching_instance(6, seed=8, capacity=3, max_lines=4)
    params = BatchingParams(split_orders=True)
    result = solve_batching(inst, method="local", params=params)
    check_batching(inst, result)
    assert any(len([b for b in result.batches if o.id in b.orders]) > 1 for o in inst.orders)


def test_subset_of_orders_and_unknown_ids() -> None:
    inst = batching_instance(8, seed=6)
    result = solve_batching(inst, orders=["1", "3", "5"], method="savings")
    check_batching(inst, result, orders=["1", "3", "5"])
    with pytest.raises(InstanceValidationError, match="unknown order"):
        solve_batching(inst, orders=["1", "nope"], method="fcfs")
    with pytest.raises(InstanceValidationError, match="unknown method"):
        solve_batching(inst, method="magic")


def test_a_stop_that_fired_returns_a_valid_plan_marked_cancelled() -> None:
    inst = batching_instance(20, seed=9)
    stop = Stop()
    stop.cancel()
    result = solve_batching(inst, method="alns", stop=stop)
    check_batching(inst, result)
    assert result.status is SolveStatus.CANCELLED


def test_progress_reports_the_best_total() -> None:
    inst = batching_instance(12, seed=10)
    seen: list[float | None] = []
    result = solve_batching(
        inst,
        method="alns",
        params=BatchingParams(iterations=30),
        progress=lambda fraction, best: seen.append(best),
    )
    assert seen and seen[-1] == pytest.approx(result.total_length)
    assert all(a >= b for a, b in itertools.pairwise(seen) if a and b)


def test_the_validator_is_not_fooled() -> None:
    inst = batching_instance(8, seed=12)
    good = solve_batching(inst, method="savings")
    assert batching_problems(inst, good) == []
    first, *rest = good.batches
    dropped = good.model_copy(update={"batches": rest})
    assert any("in no batch" in r for _, r in batching_problems(inst, dropped))
    longer = good.model_copy(
        update={"batches": [first.model_copy(update={"length": first.length + 1}), *rest]}
    )
    assert any(f.endswith(".length") for f, _ in batching_problems(inst, longer))
    tight = good.model_copy(update={"cart": Cart(articles=1)})
    assert any("exceed the cart" in r for _, r in batching_problems(inst, tight))
