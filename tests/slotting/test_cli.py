"""The ``smartwms slot`` contract: JSON summary, plan file, heatmap, errors with exit 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from smartwms.cli import app
from smartwms.io import write_instance
from smartwms.model import SlottingPlan
from smartwms.slotting import plan_problems
from tests.slotting.helpers import make_instance

runner = CliRunner()


@pytest.fixture
def instance_file(tmp_path: Path) -> Path:
    path = tmp_path / "wh.json"
    write_instance(make_instance(n_aisles=3, cells=4, n_skus=8, n_orders=30, seed=2), path)
    return path


@pytest.mark.parametrize(
    "method", ["current", "random", "abc", "coi", "optimal", "cpsat", "affinity"]
)
def test_slot_json_and_plan(instance_file: Path, tmp_path: Path, method: str) -> None:
    plan_path = tmp_path / "plan.json"
    result = runner.invoke(
        app,
        [
            "slot",
            str(instance_file),
            "--method",
            method,
            "--json",
            "--out",
            str(plan_path),
            "--time-limit",
            "10",
        ],
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout.splitlines()[0])
    assert summary["method"] == method
    assert {"file", "status", "objective", "seconds", "moves"} <= set(summary)
    raw = json.loads(plan_path.read_text())
    assert {"method", "assignment", "moves", "objective"} <= set(raw)
    plan = SlottingPlan.model_validate(raw)
    from smartwms.io import read_instance

    inst = read_instance(instance_file)
    if method != "current":
        assert plan_problems(inst, plan) == []
    assert summary["objective"] == pytest.approx(plan.objective, abs=1e-5)


def test_max_moves_and_plot(instance_file: Path, tmp_path: Path) -> None:
    png = tmp_path / "heat.png"
    result = runner.invoke(
        app, ["slot", str(instance_file), "--max-moves", "2", "--json", "--plot", str(png)]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["moves"] <= 2
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--method", "magic"], "--method: expected one of"),
        (["--max-moves", "-1"], "--max-moves: must be >= 0"),
        (["--time-limit", "0"], "--time-limit: must be > 0"),
    ],
)
def test_bad_options_exit_2(instance_file: Path, args: list[str], message: str) -> None:
    result = runner.invoke(app, ["slot", str(instance_file), *args])
    assert result.exit_code == 2
    assert message in result.stderr
    assert "Traceback" not in result.output


def test_missing_file_and_infeasible_instance_exit_2(tmp_path: Path) -> None:
    missing = runner.invoke(app, ["slot", str(tmp_path / "nope.json")])
    assert missing.exit_code == 2
    assert "nope.json" in missing.stderr
    crowded = make_instance(n_aisles=1, cells=2, n_skus=3, n_orders=5, seed=0)
    path = tmp_path / "crowded.json"
    write_instance(crowded, path)
    result = runner.invoke(app, ["slot", str(path)])
    assert result.exit_code == 2
    assert "3 SKUs but only 2 storage locations" in result.stderr


def test_cpsat_with_all_side_constraints_from_the_cli(tmp_path: Path) -> None:
    from smartwms.io import read_instance
    from smartwms.slotting import SlottingParams

    path = tmp_path / "side.json"
    inst = make_instance(n_aisles=4, cells=5, levels=2, n_skus=30, n_orders=80, seed=4, hazards=2)
    write_instance(inst, path)
    plan_path = tmp_path / "plan.json"
    args = ["slot", str(path), "--method", "cpsat", "--max-moves", "25", "--aisle-balance"]
    args += ["0.4", "--time-limit", "3", "--json", "--out", str(plan_path)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    plan = SlottingPlan.model_validate_json(plan_path.read_text())
    params = SlottingParams(max_moves=25, aisle_balance=0.4)
    assert plan_problems(read_instance(path), plan, params, side_constraints=True) == []
    assert len(plan.moves) <= 25


def test_a_budget_too_small_for_the_families_exits_2(tmp_path: Path) -> None:
    path = tmp_path / "fam.json"
    write_instance(make_instance(n_aisles=4, cells=4, n_skus=12, seed=1, families=2), path)
    args = ["slot", str(path), "--method", "cpsat", "--max-moves", "0", "--time-limit", "2"]
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert "move budget: K = 0 moves cannot restore families" in result.output
    # Without family grouping the same request is fine (K = 0 keeps today's stock).
    result = runner.invoke(app, [*args, "--no-families"])
    assert result.exit_code == 0, result.output


def test_aisle_balance_out_of_range_is_rejected(instance_file: Path) -> None:
    result = runner.invoke(app, ["slot", str(instance_file), "--aisle-balance", "1.5"])
    assert result.exit_code == 2
    assert "--aisle-balance: must be in (0, 1]" in result.output
