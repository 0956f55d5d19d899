"""The ``smartwms simulate`` command: JSON contract, comparison, sweep, clear errors."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from smartwms.cli import app

runner = CliRunner()
SCENARIOS = Path(__file__).resolve().parents[2] / "instances" / "scenarios"
MMC = str(SCENARIOS / "mmc-rho05.json")
SHORT = ["--set", "horizon_s=14400", "--set", "warmup_s=1800", "--workers", "1"]


def test_simulate_json_contract() -> None:
    result = runner.invoke(app, ["simulate", MMC, "-n", "3", "--seed", "1", "--json", *SHORT])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["replications"] == 3
    for name in ("order_wait_s", "orders_per_hour", "cycle_time_mean_s", "picker_utilisation"):
        entry = data["kpis"][name]
        assert set(entry) == {"mean", "ci95"}
        lo, hi = entry["ci95"]
        assert lo <= entry["mean"] <= hi


def test_simulate_compare_reports_paired_differences(tmp_path: Path) -> None:
    result = runner.invoke(
        app,
        ["simulate", MMC, "--compare", MMC, "-n", "3", "--json", *SHORT, "--out", str(tmp_path)],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["replications"] == 3
    assert data["difference"]["order_wait_s"]["mean"] == 0.0  # same scenario, same streams
    assert (tmp_path / "comparison.csv").exists() and (tmp_path / "kpi_comparison.png").exists()


def test_simulate_sweep_writes_plot(tmp_path: Path) -> None:
    result = runner.invoke(
        app,
        [
            "simulate",
            MMC,
            "-n",
            "2",
            "--sweep",
            "pickers.count=3,4",
            *SHORT,
            "--out",
            str(tmp_path),
        ],
    )
    assert result.exit_code == 0, result.output
    sweep = json.loads((tmp_path / "sweep.json").read_text())
    assert [p["value"] for p in sweep["points"]] == [3, 4]
    w3, w4 = (p["kpis"]["order_wait_s"]["mean"] for p in sweep["points"])
    assert w3 > w4  # fewer pickers, longer waits
    assert (tmp_path / "sweep.png").stat().st_size > 0


def test_bad_set_key_is_a_clear_error() -> None:
    result = runner.invoke(app, ["simulate", MMC, "--set", "pickers.cnt=3"])
    assert result.exit_code == 2
    assert "error:" in result.stderr and "pickers.cnt" in result.stderr
    assert "Traceback" not in result.output


def test_bad_sweep_key_fails_before_running() -> None:
    result = runner.invoke(app, ["simulate", MMC, "--sweep", "nope=1,2"])
    assert result.exit_code == 2
    assert "unknown key 'nope'" in result.stderr


def test_missing_scenario_file() -> None:
    result = runner.invoke(app, ["simulate", "no-such-scenario.json"])
    assert result.exit_code == 2
    assert "no-such-scenario.json" in result.stderr


def test_compare_set_changes_only_the_second_side(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(
        app,
        ["simulate", MMC, "-n", "3", "--json", *SHORT, "--compare-set", "pickers.count=6"],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["before"]["scenario"] == "mmc-rho05" and data["after"]["scenario"] == "after"
    wait = data["difference"]["order_wait_s"]
    assert wait["significant"] and wait["mean"] < 0  # 6 pickers instead of 4: shorter waits


def test_slotting_plan_path_on_the_command_line_is_relative_to_cwd(
    tmp_path: Path, monkeypatch
) -> None:
    from smartwms.io import read_instance
    from smartwms.slotting import solve_slotting

    instance = read_instance(SCENARIOS / "demo-warehouse.instance.json")
    plan = solve_slotting(instance, method="optimal").plan
    (tmp_path / "plan.json").write_text(plan.model_dump_json())
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(
        app,
        [
            "simulate",
            str(SCENARIOS / "warehouse-nearest.json"),
            "-n",
            "2",
            "--json",
            *SHORT,
            "--set",
            "orders.pool_size=100",
            "--compare-set",
            "slotting.plan=plan.json",
        ],
    )
    assert result.exit_code == 0, result.output
    travel = json.loads(result.stdout)["difference"]["travel_per_order_m"]
    assert travel["mean"] < -20  # the plan (read from the cwd) moves fast movers to the depot
