"""``smartwms plan``: from a CSV export folder to the instruction folder and report."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from smartwms.cli import app
from smartwms.plan import check_plan_folder

runner = CliRunner()
CSV = Path(__file__).resolve().parents[1] / "data" / "csv" / "ok"
SHIPPED = Path(__file__).resolve().parents[2] / "instances" / "csv-shift"


def test_plan_from_a_csv_folder_writes_the_contract(tmp_path: Path) -> None:
    out = tmp_path / "plan"
    result = runner.invoke(app, ["plan", str(CSV), "--out", str(out), "--json", "-n", "3"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert {"status", "seconds", "stages", "kpis", "baseline_kpis"} <= set(summary)
    for kpis in (summary["kpis"], summary["baseline_kpis"]):
        assert {"mean", "ci95"} <= set(kpis["orders_per_hour"])
        assert {"travel_per_order_m", "on_time_rate"} <= set(kpis)
    assert summary["valid"] and summary["replications"] == 3
    for name in ("plan.json", "picks.csv", "moves.csv", "report/index.html", "report/gantt.png"):
        assert (out / name).is_file(), name
    assert check_plan_folder(out).ok
    check = runner.invoke(app, ["check-plan", str(out)])
    assert check.exit_code == 0, check.output


def test_the_shipped_csv_example_plans_with_a_move_budget(tmp_path: Path) -> None:
    out = tmp_path / "plan"
    result = runner.invoke(
        app, ["plan", str(SHIPPED), "--out", str(out), "--max-moves", "20", "-n", "2"]
    )
    assert result.exit_code == 0, result.output
    assert "travel_per_order_m" in result.stdout
    assert check_plan_folder(out).ok
    moves = (out / "moves.csv").read_text().splitlines()
    assert moves[0] == "sequence,sku,from_location,to_location,quantity" and len(moves) > 1
    assert len(list((out / "pick-lists").glob("*.html"))) == 4


def test_bad_options_name_the_field_and_exit_2(tmp_path: Path) -> None:
    late = runner.invoke(app, ["plan", str(CSV), "--out", str(tmp_path), "--waves", "0,40000"])
    assert late.exit_code == 2 and "waves[1]" in late.stderr
    zero = runner.invoke(app, ["plan", str(CSV), "--out", str(tmp_path), "--pickers", "0"])
    assert zero.exit_code == 2 and "pickers" in zero.stderr
    base = runner.invoke(app, ["plan", str(CSV), "--out", str(tmp_path), "--baseline", "x=y"])
    assert base.exit_code == 2 and "--baseline" in base.stderr
    assert "Traceback" not in late.output + zero.output + base.output
