from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from smartwms.cli import app
from smartwms.io import read_instance, read_sprp

runner = CliRunner()


def test_info_json_summarises_each_file(data_dir: Path) -> None:
    result = runner.invoke(app, ["info", "--json", str(data_dir / "sprp_ok.txt")])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout.splitlines()[0])
    assert summary["layout"] == "parallel-aisle"
    assert summary["order_lines"] == 3


def test_convert_sprp_to_json_and_back(data_dir: Path, tmp_path: Path) -> None:
    ours = tmp_path / "ours.json"
    back = tmp_path / "back.txt"
    first = runner.invoke(app, ["convert", str(data_dir / "sprp_ok.txt"), str(ours)])
    assert first.exit_code == 0, first.output
    second = runner.invoke(app, ["convert", str(ours), str(back), "--to", "sprp"])
    assert second.exit_code == 0, second.output
    original = read_sprp(data_dir / "sprp_ok.txt")
    assert read_instance(ours).layout == original.layout
    assert read_sprp(back).stock == original.stock


def test_broken_input_gives_message_and_exit_2(data_dir: Path) -> None:
    result = runner.invoke(app, ["info", str(data_dir / "sprp_bad_number.txt")])
    assert result.exit_code == 2
    assert "sprp_bad_number.txt:21" in result.stderr
    assert "Traceback" not in result.output


def test_missing_file_and_bad_option_values(tmp_path: Path, data_dir: Path) -> None:
    missing = runner.invoke(app, ["info", str(tmp_path / "nope.json")])
    assert missing.exit_code == 2
    assert "no such file" in missing.stderr
    layout = runner.invoke(
        app, ["info", str(data_dir / "sprp_ok.txt"), "--sprp-layout", "three-block"]
    )
    assert layout.exit_code == 2
    assert "--sprp-layout" in layout.stderr


def test_invalid_json_instance_names_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{\n  "layout": {\n    "kind": "parallel-aisle",\n  }\n}\n')
    result = runner.invoke(app, ["info", str(bad)])
    assert result.exit_code == 2
    assert "bad.json:4: invalid JSON" in result.stderr
