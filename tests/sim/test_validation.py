"""The model against theory: Erlang C (M/M/c), Little's law, and determinism."""

from __future__ import annotations

from pathlib import Path

import pytest

from smartwms.sim import (
    Scenario,
    ScenarioError,
    apply_overrides,
    compare,
    erlang_c,
    load_scenario,
    mmc_wait,
    prepare,
    run_experiment,
    simulate,
)
from smartwms.stopping import Stop

from .helpers import warehouse_scenario

SCENARIOS = Path(__file__).resolve().parents[2] / "instances" / "scenarios"


def test_erlang_c_known_values() -> None:
    # M/M/1: P(wait) = rho; M/M/2 at a = 1: 1/3 (textbook values).
    assert erlang_c(1, 0.7) == pytest.approx(0.7)
    assert erlang_c(2, 1.0) == pytest.approx(1 / 3)
    # M/M/1 Wq = rho / (mu - lambda): 30/h, 60 s service -> 0.5 / (1/60 - 1/120) = 60 s
    assert mmc_wait(1, 30, 60) == pytest.approx(60.0)


@pytest.mark.parametrize("name", ["mmc-rho05", "mmc-rho08", "mmc-rho09"])
def test_order_wait_matches_erlang_c(name: str) -> None:
    scenario = load_scenario(SCENARIOS / f"{name}.json")
    exp = run_experiment(scenario, replications=20, seed=11, workers=2)
    theory = mmc_wait(
        scenario.pickers.count, scenario.arrivals.rate_per_hour, scenario.pick_time.mean_s
    )
    lo, hi = exp.kpis["order_wait_s"]["ci95"]
    assert lo <= theory <= hi, (name, theory, lo, hi)
    rho = (
        scenario.arrivals.rate_per_hour * scenario.pick_time.mean_s / 3600 / scenario.pickers.count
    )
    u_lo, u_hi = exp.kpis["picker_utilisation"]["ci95"]
    assert u_lo - 0.01 <= rho <= u_hi + 0.01


def test_mmc_keys_are_overridable_and_change_the_answer() -> None:
    scenario = load_scenario(SCENARIOS / "mmc-rho08.json")
    changed = apply_overrides(
        scenario,
        ["pickers.count=5", "arrivals.rate_per_hour=150", "pick_time.mean_s=90"],
    )
    assert (changed.pickers.count, changed.arrivals.rate_per_hour) == (5, 150)
    assert changed.pick_time.mean_s == 90
    exp = run_experiment(changed, replications=12, seed=2, workers=1)
    lo, hi = exp.kpis["order_wait_s"]["ci95"]
    assert lo <= mmc_wait(5, 150, 90) <= hi


@pytest.mark.parametrize(
    "changes",
    [
        {},
        {"congestion": {"enabled": True, "aisle_capacity": 1}},
        {"replenishment": {"enabled": True, "min_units": 2, "max_units": 10}},
        {"shifts": {"breaks": [{"start_s": 7200, "duration_s": 900}]}},
        {"agv": {"enabled": True, "count": 30, "stations": 6}},
    ],
    ids=["plain", "congestion", "replenishment", "breaks", "agv"],
)
def test_littles_law_on_warehouse_scenarios(changes: dict) -> None:
    prepared = prepare(warehouse_scenario(**changes))
    for rep in range(3):
        k = simulate(prepared, seed=5, replication=rep).kpis
        assert k["unfinished_orders"] == 0
        little = k["arrival_rate_per_hour"] / 3600 * k["cycle_time_mean_s"]
        # L = lambda W up to the edges of the measurement window.
        assert k["wip_mean"] == pytest.approx(little, rel=0.06), (changes, k)


def test_travel_per_order_is_the_mean_tour_length() -> None:
    prepared = prepare(warehouse_scenario())
    assert prepared.tours is not None
    for plan, tour in zip(prepared.plans, prepared.tours, strict=True):
        walked = sum(leg.approach_m + leg.inside_m for leg in plan.legs) + plan.return_m
        assert walked == pytest.approx(tour.length)
        assert plan.travel_m == pytest.approx(tour.length)
        assert sum(leg.lines for leg in plan.legs) == plan.lines


def test_congestion_and_replenishment_are_measured() -> None:
    prepared = prepare(
        warehouse_scenario(
            congestion={"enabled": True, "aisle_capacity": 1},
            replenishment={"enabled": True, "min_units": 2, "max_units": 6},
        )
    )
    k = simulate(prepared, seed=1).kpis
    assert k["congestion_wait_s"] > 0
    assert k["replenishments_per_hour"] > 0


def test_same_seed_same_result_and_parallel_equals_serial() -> None:
    scenario = warehouse_scenario(congestion={"enabled": True})
    one = run_experiment(scenario, replications=4, seed=9, workers=1)
    two = run_experiment(scenario, replications=4, seed=9, workers=2)
    again = run_experiment(scenario, replications=4, seed=9, workers=1)
    assert one.kpis == two.kpis == again.kpis
    other = run_experiment(scenario, replications=4, seed=10, workers=1)
    assert other.kpis["cycle_time_mean_s"] != one.kpis["cycle_time_mean_s"]


def test_common_random_numbers_make_identical_scenarios_differ_by_zero() -> None:
    scenario = warehouse_scenario()
    cmp = compare(scenario, scenario, replications=3, seed=4, workers=1)
    for name, diff in cmp.difference.items():
        assert diff["mean"] in (0.0, None), name
        assert not diff["significant"]


def test_more_pickers_cut_waiting_significantly() -> None:
    few = warehouse_scenario()
    many = apply_overrides(few, ["pickers.count=12"])
    cmp = compare(few, many, replications=5, seed=4, workers=1)
    d = cmp.difference["order_wait_s"]
    assert d["significant"] and d["mean"] < 0


def test_stop_returns_the_finished_replications() -> None:
    scenario = load_scenario(SCENARIOS / "mmc-rho05.json")
    scenario = apply_overrides(scenario, ["horizon_s=7200", "warmup_s=600"])
    finished = {"n": 0}

    def progress(done: int, _total: int) -> None:
        finished["n"] = done

    stop = Stop(external=lambda: finished["n"] >= 2)
    exp = run_experiment(scenario, replications=6, seed=1, workers=1, progress=progress, stop=stop)
    assert len(exp.replications) == 2 and not exp.complete
    with pytest.raises(ScenarioError, match="stopped before the first replication"):
        run_experiment(scenario, replications=3, workers=2, stop=Stop(time_limit=0))


def test_replay_of_timestamped_orders() -> None:
    from tests.conftest import tiny_instance

    inst = tiny_instance()
    scenario = Scenario.model_validate(
        {
            "instance": inst,
            "horizon_s": 3600,
            "warmup_s": 0,
            "arrivals": {"process": "replay"},
            "pickers": {"count": 1, "setup_s": 0},
            "pick_time": {"distribution": "deterministic", "per_line_s": 10, "per_unit_s": 0},
            "travel": {"routing": "nearest"},
        }
    )
    prepared = prepare(scenario)
    k = simulate(prepared, seed=0).kpis
    # O1 at t=0 (2 lines), O2 at t=60 (1 line, due at 600): one picker, no queueing if O1 is
    # done before 60 s, and the cycle times are walk + 10 s per line.
    tours = {p.id: p for p in prepared.plans}
    o1 = tours["O1"].travel_m + 20
    o2 = tours["O2"].travel_m + 10
    wait_o2 = max(0.0, o1 - 60)
    assert k["arrival_rate_per_hour"] == pytest.approx(2.0)
    assert k["cycle_time_mean_s"] == pytest.approx((o1 + o2 + wait_o2) / 2)
    assert k["on_time_rate"] == 1.0
