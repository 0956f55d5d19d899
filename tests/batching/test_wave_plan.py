"""Wave planning on abstract problems: windows, capacity-sized waves, errors naming the order."""

from __future__ import annotations

import dataclasses
import math
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from smartwms.batching.scheduling import PickerSpec, Schedule
from smartwms.batching.waves import (
    WaveSpec,
    parse_wave_spec,
    plan_waves,
    read_wave_file,
    wave_windows,
)
from smartwms.errors import InstanceValidationError, SmartwmsError
from tests.batching.toy import Toy, toys


def _toy(n: int = 12, pickers: int = 2, spread: float = 600.0) -> Toy:
    return Toy(
        aisles=tuple(frozenset({i % 5, (2 * i + 1) % 6}) for i in range(n)),
        articles=tuple(1 + i % 3 for i in range(n)),
        release=tuple(float(spread * i / n) for i in range(n)),
        due=tuple(float(spread * i / n + 900 + 300 * (i % 3)) for i in range(n)),
        capacity=5,
        pickers=tuple(PickerSpec(f"p{k}", setup_s=30, per_line_s=5) for k in range(pickers)),
    )


def _check_plan(toy: Toy, plan) -> None:  # type: ignore[no-untyped-def]
    """Every order once; the whole horizon is one valid schedule; waves start their batches."""
    batches = [b for w in plan.waves for b in w.schedule.batches]
    whole = Schedule(
        batches=tuple(batches),
        completion=(),
        total_tardiness=plan.total_tardiness,
        makespan=plan.makespan,
        total_length=plan.total_length,
        tardy=plan.tardy,
    )
    toy.check(whole)
    seen = sorted(o for w in plan.waves for o in w.orders)
    assert seen == list(range(len(toy.articles)))
    for wave in plan.waves:
        assert sorted(o for b in wave.schedule.batches for o in b.orders) == list(wave.orders)
        for b in wave.schedule.batches:
            assert b.start >= wave.start - 1e-9
        for o in wave.orders:
            assert toy.release[o] <= wave.start + 1e-9, "an order joined a wave before release"


def test_windows_of_every_mode() -> None:
    ids, release, due = ["a", "b", "c"], [0.0, 700.0, 1300.0], [1000.0, 2000.0, 2000.0]
    every = wave_windows(WaveSpec(mode="every", every_s=600), ids, release, due)
    assert [(w.id, w.start, w.end) for w in every] == [
        ("W1", 0.0, 600.0),
        ("W2", 600.0, 1200.0),
        ("W3", 1200.0, 1800.0),
        ("W4", 1800.0, 2400.0),
    ]
    at = wave_windows(WaveSpec(mode="at", times_s=[0, 1000, 1500]), ids, release, due)
    assert [(w.start, w.end) for w in at] == [(0, 1000), (1000, 1500), (1500, math.inf)]
    cut = wave_windows(WaveSpec(mode="cutoffs"), ids, [0.0, 700.0, 900.0], due)
    assert [(w.start, w.end) for w in cut] == [(0.0, 1000.0), (1000.0, 2000.0)]
    # An order released while the last wave runs waits for one more wave after it.
    cut = wave_windows(WaveSpec(mode="cutoffs"), ids, release, due)
    assert [(w.start, w.end) for w in cut] == [(0, 1000), (1000, 2000), (2000, math.inf)]
    explicit = WaveSpec(
        mode="explicit",
        waves=[{"id": "early", "start": 0, "orders": ["a"]}, {"id": "late", "start": 1300}],
    )
    windows = wave_windows(explicit, ids, release, due)
    assert [(w.id, w.start, w.end, w.fixed) for w in windows] == [
        ("early", 0, 1300, (0,)),
        ("late", 1300, math.inf, None),
    ]


@pytest.mark.parametrize(
    "spec",
    [
        WaveSpec(mode="every", every_s=300),
        WaveSpec(mode="at", times_s=[0, 400, 800]),
        WaveSpec(mode="cutoffs"),
    ],
    ids=["every", "at", "cutoffs"],
)
def test_plans_are_valid_schedules_over_the_horizon(spec: WaveSpec) -> None:
    toy = _toy()
    plan = plan_waves(toy.problem(), spec, iterations_per_wave=5)
    _check_plan(toy, plan)
    assert len(plan.waves) >= 2


def test_a_wave_takes_the_most_urgent_orders_the_pickers_can_finish_in_time() -> None:
    # Eight orders released at 0, one picker; each order alone takes ~ 100 s: a 300 s wave
    # cannot take them all, so the ones due first go now and the others wait.
    toy = Toy(
        aisles=tuple(frozenset({k}) for k in range(8)),
        articles=(1,) * 8,
        release=(0.0,) * 8,
        due=tuple(float(d) for d in (5000, 300, 5000, 400, 5000, 5000, 350, 5000)),
        capacity=1,
        pickers=(PickerSpec("p", setup_s=30),),
    )
    plan = plan_waves(toy.problem(), WaveSpec(mode="every", every_s=300), iterations_per_wave=5)
    _check_plan(toy, plan)
    first = plan.waves[0]
    assert first.finish <= first.end
    assert {1, 3, 6} <= set(first.orders)
    assert len(first.orders) < 8
    assert plan.tardy == ()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(toys(max_orders=9, max_pickers=3), st.sampled_from([60.0, 150.0, 400.0]))
def test_any_plan_is_a_valid_schedule(toy: Toy, every: float) -> None:
    plan = plan_waves(toy.problem(), WaveSpec(mode="every", every_s=every), iterations_per_wave=3)
    _check_plan(toy, plan)


def test_explicit_waves_keep_their_orders_and_errors_name_the_order() -> None:
    toy = _toy(n=4, spread=0.0)
    problem = toy.problem()
    spec = WaveSpec(
        mode="explicit",
        waves=[
            {"id": "A", "start": 0, "orders": ["o2", "o0"]},
            {"id": "B", "start": 600, "orders": ["o1", "o3"]},
        ],
    )
    plan = plan_waves(problem, spec, iterations_per_wave=3)
    _check_plan(toy, plan)
    assert [w.orders for w in plan.waves] == [(0, 2), (1, 3)]

    def bad(waves: list[dict]) -> str:  # type: ignore[type-arg]
        with pytest.raises(InstanceValidationError) as err:
            plan_waves(problem, WaveSpec(mode="explicit", waves=waves))
        return str(err.value)

    assert "unknown order id 'o9'" in bad([{"id": "A", "start": 0, "orders": ["o0", "o9"]}])
    assert "waves[1].orders[0]" in bad(
        [{"id": "A", "start": 0, "orders": ["o0"]}, {"id": "B", "start": 5, "orders": ["o0"]}]
    )
    assert "order 'o1' is in no wave" in bad([{"id": "A", "start": 0, "orders": ["o0"]}])
    late = Toy(**{**toy.__dict__, "release": (0.0, 0.0, 0.0, 900.0)})
    with pytest.raises(InstanceValidationError, match="'o3' is released at 900"):
        plan_waves(late.problem(), WaveSpec(mode="at", times_s=[0, 600]))


def test_bad_specs_are_refused_with_the_field() -> None:
    with pytest.raises(ValidationError, match="every_s"):
        WaveSpec(mode="every")
    with pytest.raises(ValidationError, match="increasing"):
        WaveSpec(mode="at", times_s=[600, 0])
    with pytest.raises(ValidationError, match="given twice"):
        WaveSpec(mode="explicit", waves=[{"id": "A", "start": 0}, {"id": "A", "start": 5}])
    with pytest.raises(ValidationError, match="not after start"):
        WaveSpec(mode="explicit", waves=[{"id": "A", "start": 10, "end": 5}])
    with pytest.raises(InstanceValidationError, match="due times"):
        wave_windows(WaveSpec(mode="cutoffs"), ["a"], [0.0], [math.inf])


def test_wave_specs_from_the_command_line() -> None:
    assert parse_wave_spec("every=30m").every_s == 1800
    assert parse_wave_spec("every=1h,start=08:00").start_s == 8 * 3600
    assert parse_wave_spec("at=08:00,9h,36000").times_s == [28800, 32400, 36000]
    assert parse_wave_spec("cutoffs").mode == "cutoffs"
    for text, field in [
        ("every=0", "--waves every"),
        ("every=1h,begin=0", "--waves begin"),
        ("at=10,5", "--waves at"),
        ("at=08:xx", "--waves at"),
        ("sometimes", "--waves"),
    ]:
        with pytest.raises(InstanceValidationError) as err:
            parse_wave_spec(text)
        assert err.value.problems[0][0] == field, text


def test_wave_files(data_dir: Path) -> None:
    for name in ("two.json", "two.csv"):
        spec = parse_wave_spec(str(data_dir / "waves" / name))
        assert spec.mode == "explicit" and spec.waves is not None
        first, second = spec.waves
        assert (first.id, first.start, first.end, first.orders) == (
            "morning",
            28800,
            32400,
            ["1", "2"],
        )
        assert second.id == "noon" and second.start == 43200
    for name, reason in [
        ("broken_field.json", "waves[0].colour: unknown field"),
        ("broken_time.csv", "broken_time.csv:2: start"),
        ("broken_column.csv", "missing column 'order'"),
        ("missing.json", "No such file"),
    ]:
        with pytest.raises(SmartwmsError, match=re.escape(reason)):
            read_wave_file(data_dir / "waves" / name)


def test_a_wave_file_naming_an_unknown_order_is_refused(data_dir: Path) -> None:
    toy = _toy(n=2, spread=0.0)
    problem = toy.problem()
    problem = dataclasses.replace(problem, order_ids=["1", "2"])
    spec = read_wave_file(data_dir / "waves" / "broken_order.json")
    with pytest.raises(InstanceValidationError, match="unknown order id '404'"):
        plan_waves(problem, spec)
