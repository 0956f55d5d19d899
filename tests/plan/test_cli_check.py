"""``smartwms check-plan DIR``: exit 0 only for a valid plan."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from smartwms.cli import app
from smartwms.plan import plan_shift, write_plan_folder

from .helpers import small_shift

runner = CliRunner()


def test_check_plan_exit_status_follows_the_verdict(tmp_path) -> None:
    inst = small_shift()
    write_plan_folder(plan_shift(inst, {"simulate": False, "max_moves": 4}), inst, tmp_path)
    ok = runner.invoke(app, ["check-plan", str(tmp_path), "--json"])
    assert ok.exit_code == 0, ok.output
    verdict = json.loads(ok.stdout)
    assert verdict["valid"] and verdict["checked"]["orders"] == 40
    moves = tmp_path / "moves.csv"
    lines = moves.read_text().splitlines()
    moves.write_text("\n".join([lines[0], *lines[2:]]) + "\n")  # drop relocation 1
    bad = runner.invoke(app, ["check-plan", str(tmp_path)])
    assert bad.exit_code == 1
    assert "relocation 1 of plan.json is missing" in bad.stdout


def test_check_plan_on_a_broken_folder_is_a_clear_error(tmp_path) -> None:
    missing = runner.invoke(app, ["check-plan", str(tmp_path)])
    assert missing.exit_code == 2 and "instance.json: missing" in missing.stderr
    inst = small_shift()
    write_plan_folder(plan_shift(inst, {"simulate": False}), inst, tmp_path)
    (tmp_path / "picks.csv").write_text("picker,wave\nx,y\n")
    bad = runner.invoke(app, ["check-plan", str(tmp_path)])
    assert bad.exit_code == 2 and "expected the header" in bad.stderr
    assert "Traceback" not in bad.output
