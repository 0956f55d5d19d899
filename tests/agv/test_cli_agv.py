"""``smartwms agv run``: the DESIGN.md contract, plan files, figures and bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from smartwms.agv import check_plan
from smartwms.cli import app
from smartwms.io.mapf import read_map

runner = CliRunner()
KEYS = {"agents", "steps", "tasks_completed", "throughput", "plan_ms_mean", "plan_ms_p95"}


def run(*args: str) -> tuple[int, dict, str]:
    result = runner.invoke(app, ["agv", "run", *args, "--json"])
    summary = json.loads(result.stdout.splitlines()[-1]) if result.exit_code == 0 else {}
    return result.exit_code, summary, result.output


def test_problem_roundrobin_summary_and_plan(data_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "plan.json"
    code, summary, output = run(
        "--problem", str(data_dir / "agv_tiny.json"), "--steps", "30", "--plan-out", str(out)
    )
    assert code == 0, output
    assert KEYS | {"plan_ms_max"} <= set(summary)
    assert summary["assignment"] == "roundrobin" and summary["conflicts"] == 0
    assert summary["agents"] == 3 and summary["steps"] == 30
    assert summary["throughput"] == pytest.approx(summary["tasks_completed"] / 30)
    plan = json.loads(out.read_text())
    assert {"map", "height", "width", "steps", "positions", "tasks"} <= set(plan)
    assert len(plan["positions"]) == 3 and all(len(p) == 31 for p in plan["positions"])
    assert plan["positions"][0][0] == 0  # first start cell of agv_tiny.agents
    layout = read_map(data_dir / "agv_tiny.map")
    assert check_plan(plan, layout.rows) == []
    done = [t for t in plan["tasks"] if t["completed_at"] is not None]
    assert len(done) == summary["tasks_completed"]
    assert {"id", "agent", "errands", "assigned_at", "completed_at"} <= set(plan["tasks"][0])


def test_map_with_generated_tasks_and_optimal_assignment(data_dir: Path, tmp_path: Path) -> None:
    code, summary, output = run(
        "--map", str(data_dir / "agv_pd.map"), "--agents", "3", "--task-count", "6",
        "--steps", "300", "--assign", "optimal", "--seed", "4",
        "--heatmap", str(tmp_path / "heat.png"), "--animate", str(tmp_path / "a.gif"),
        "--frames", "5",
    )  # fmt: skip
    assert code == 0, output
    assert summary["assignment"] == "optimal" and summary["tasks_completed"] == 6
    assert summary["conflicts"] == 0
    assert (tmp_path / "heat.png").read_bytes()[:4] == b"\x89PNG"
    assert (tmp_path / "a.gif").read_bytes()[:3] == b"GIF"


def test_map_with_lorr_tasks_and_seeded_agents_is_deterministic(data_dir: Path) -> None:
    args = ("--map", str(data_dir / "agv_tiny.map"), "--agents", "4", "--seed", "9")
    args += ("--tasks", str(data_dir / "agv_tiny.tasks"), "--steps", "40")
    first, second = run(*args), run(*args)
    assert first[0] == 0, first[2]
    drop = ("plan_ms_mean", "plan_ms_p95", "plan_ms_max", "preprocess_s")  # timings
    assert {k: v for k, v in first[1].items() if k not in drop} == {
        k: v for k, v in second[1].items() if k not in drop
    }


def test_battery_option_reports_charging(data_dir: Path) -> None:
    code, summary, output = run(
        "--problem", str(data_dir / "agv_tiny.json"), "--steps", "20", "--battery",
        "--chargers", "1,3",
    )  # fmt: skip
    assert code == 0, output
    assert "battery_charge_trips" in summary and summary["conflicts"] == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--steps", "5"], "give exactly one of --problem or --map"),
        (["--problem", "nope.json"], "no such file"),
        (["--map", "MAP", "--agents", "2", "--assign", "best"], "--assign: expected greedy"),
        (["--map", "MAP"], "--agents: needed with --map"),
        (["--map", "MAP", "--agents", "999"], "--agents: expected 1..18 agents"),
        (["--map", "MAP", "--agents", "x.agents"], "neither a number nor an existing file"),
        (["--map", "MAP", "--agents", "2", "--steps", "0"], "--steps: must be >= 1"),
        (["--map", "MAP", "--agents", "2", "--planner", "cbs"], "--planner: expected auto"),
        (["--map", "BAD", "--agents", "2"], "row has 3 characters"),
    ],
)
def test_bad_input_exits_2_with_a_message(args: list[str], message: str, data_dir: Path) -> None:
    args = [
        str(data_dir / "agv_tiny.map") if a == "MAP" else str(data_dir / "agv_bad_row.map")
        if a == "BAD" else a
        for a in args
    ]  # fmt: skip
    result = runner.invoke(app, ["agv", "run", *args])
    assert result.exit_code == 2, result.output
    assert "error:" in result.output
    assert message in " ".join(result.output.split())
    assert "Traceback" not in result.output


@pytest.mark.shared
def test_lorr_problem_file(shared: Path) -> None:
    code, summary, output = run(
        "--problem", str(shared / "mapf/lorr2023/EI23-warehouse_small_10.json"), "--steps", "50"
    )
    assert code == 0, output
    assert summary["agents"] == 10 and summary["conflicts"] == 0
    assert summary["tasks_completed"] > 5


def test_time_limit_returns_the_plan_so_far(data_dir: Path) -> None:
    code, summary, output = run(
        "--problem", str(data_dir / "agv_tiny.json"), "--steps", "50", "--time-limit", "0"
    )
    assert code == 0, output
    assert summary["status"] == "time_limit" and summary["steps"] < 50
    assert summary["conflicts"] == 0
