"""Joint batching, assignment and sequencing on abstract problems (closed-form tour lengths)."""

from __future__ import annotations

import math

import pytest
from hypothesis import HealthCheck, given, settings

from smartwms.batching.scheduling import (
    PickerSpec,
    edd_sequences,
    evaluate,
    fcfs_sequences,
    improve_sequences,
    list_schedule,
)
from tests.batching.toy import Toy, toys


def _solve(toy: Toy, objective: str = "tardiness", iterations: int = 60):  # type: ignore[no-untyped-def]
    problem = toy.problem(objective)
    schedule, _ = improve_sequences(
        problem, edd_sequences(problem), seed=1, max_iterations=iterations
    )
    return schedule


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(toys())
def test_search_finds_the_brute_force_optimum_of_tiny_problems(toy: Toy) -> None:
    schedule = _solve(toy)
    toy.check(schedule)
    best_tardiness, best_length = toy.optimum()
    assert schedule.total_tardiness == pytest.approx(best_tardiness, abs=1e-6)
    if best_tardiness == 0:
        assert schedule.total_length == pytest.approx(best_length, abs=1e-6)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(toys(max_pickers=3))
def test_makespan_objective_matches_brute_force(toy: Toy) -> None:
    schedule = _solve(toy, "makespan")
    toy.check(schedule)
    assert schedule.makespan == pytest.approx(toy.optimum("makespan")[0], abs=1e-6)


@settings(max_examples=40, deadline=None)
@given(toys(max_orders=12, max_pickers=3))
def test_constructions_and_search_give_valid_schedules(toy: Toy) -> None:
    problem = toy.problem()
    edd = evaluate(problem, edd_sequences(problem))
    ff = evaluate(problem, edd_sequences(problem, "first-fit"))
    fcfs = evaluate(problem, fcfs_sequences(problem))
    for schedule in (edd, ff, fcfs):
        toy.check(schedule)
    best, stats = improve_sequences(problem, edd_sequences(problem), seed=0, max_iterations=10)
    toy.check(best)
    assert best.total_tardiness <= edd.total_tardiness + 1e-6
    assert stats.iterations <= 10


def test_edd_puts_urgent_orders_first_and_the_search_repairs_a_bad_start() -> None:
    # Two orders that do not fit together; the later-due one is released first.
    toy = Toy(
        aisles=(frozenset({3}), frozenset({1})),
        articles=(3, 3),
        release=(0.0, 0.0),
        due=(1000.0, 60.0),
        capacity=4,
        pickers=(PickerSpec("p", speed=1.0),),
    )
    problem = toy.problem()
    edd = evaluate(problem, edd_sequences(problem))
    assert [b.orders for b in edd.batches] == [(1,), (0,)]
    assert edd.total_tardiness == 0
    fcfs = evaluate(problem, fcfs_sequences(problem))
    assert [b.orders for b in fcfs.batches] == [(0,), (1,)]
    assert fcfs.tardy == (1,)
    repaired, _ = improve_sequences(problem, fcfs_sequences(problem), max_iterations=5)
    assert repaired.total_tardiness == 0


def test_list_schedule_uses_the_faster_picker_and_release_times() -> None:
    toy = Toy(
        aisles=(frozenset({0}), frozenset({0})),
        articles=(1, 1),
        release=(0.0, 500.0),
        due=(math.inf, math.inf),
        capacity=1,
        pickers=(PickerSpec("slow", speed=0.5), PickerSpec("fast", speed=2.0)),
    )
    schedule = evaluate(toy.problem(), list_schedule(toy.problem(), [(0,), (1,)]))
    toy.check(schedule)
    assert {b.picker for b in schedule.batches} == {1}
    assert schedule.batches[1].start == 500.0


def test_same_seed_same_schedule_and_stop_returns_the_best_so_far() -> None:
    toy = Toy(
        aisles=tuple(frozenset({i % 6, (3 * i) % 6}) for i in range(14)),
        articles=tuple(1 + i % 3 for i in range(14)),
        release=tuple(float(30 * (i % 4)) for i in range(14)),
        due=tuple(200.0 + 40 * i for i in range(14)),
        capacity=6,
        pickers=(PickerSpec("a", setup_s=20), PickerSpec("b", setup_s=20)),
    )
    problem = toy.problem()
    a, _ = improve_sequences(problem, edd_sequences(problem), seed=7, max_iterations=15)
    b, _ = improve_sequences(problem, edd_sequences(problem), seed=7, max_iterations=15)
    assert a == b
    seen = []
    stopped, stats = improve_sequences(
        problem,
        fcfs_sequences(problem),
        max_iterations=None,
        stop=lambda: len(seen) >= 1,
        on_improvement=seen.append,
    )
    assert stats.stopped
    toy.check(stopped)
    assert stopped.total_tardiness <= seen[0].total_tardiness


def test_an_order_too_big_for_the_cart_is_an_error() -> None:
    toy = Toy(
        aisles=(frozenset({0}),),
        articles=(9,),
        release=(0.0,),
        due=(10.0,),
        capacity=4,
        pickers=(PickerSpec("p"),),
    )
    with pytest.raises(ValueError, match="'o0' alone does not fit"):
        edd_sequences(toy.problem())


def test_an_idle_picker_does_not_set_the_makespan() -> None:
    # Found by hypothesis: the second picker is free only at 30 s and gets nothing to do.
    toy = Toy(
        aisles=(frozenset({0}),),
        articles=(1,),
        release=(0.0,),
        due=(60.0,),
        capacity=1,
        pickers=(PickerSpec("p0", per_line_s=5, per_unit_s=1), PickerSpec("p1", available_s=30)),
    )
    schedule = _solve(toy, "makespan")
    toy.check(schedule)
    assert schedule.makespan == toy.optimum("makespan")[0] == 26.0
