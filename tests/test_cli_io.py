"""The ``info`` and ``convert`` commands on the Foodmart and CSV formats."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from smartwms.cli import app
from smartwms.io import load_instance

runner = CliRunner()


def _flat(text: str) -> str:
    """Rich wraps long messages: compare them with the line breaks removed."""
    return " ".join(text.split())


def test_info_foodmart_with_options(data_dir: Path) -> None:
    fm = data_dir / "foodmart"
    result = runner.invoke(
        app,
        [
            "info",
            "--json",
            str(fm / "warehouse_2_1_1_6"),
            "--foodmart-orders",
            str(fm / "orders_3"),
        ],
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert (summary["layout"], summary["orders"], summary["locations"]) == ("graph", 3, 16)


def test_convert_foodmart_to_csv_to_json_and_back(data_dir: Path, tmp_path: Path) -> None:
    manifest = data_dir / "foodmart" / "tiny.json"
    assert (
        runner.invoke(
            app, ["convert", str(manifest), str(tmp_path / "csv"), "--to", "csv"]
        ).exit_code
        == 0
    )
    assert (
        runner.invoke(app, ["convert", str(tmp_path / "csv"), str(tmp_path / "i.json")]).exit_code
        == 0
    )
    result = runner.invoke(
        app, ["convert", str(tmp_path / "i.json"), str(tmp_path / "fm"), "--to", "foodmart"]
    )
    assert result.exit_code == 0, result.output
    original, back = load_instance(manifest), load_instance(tmp_path / "fm" / "foodmart.json")
    exclude = {"name", "source"}
    assert back.model_dump(exclude=exclude) == original.model_dump(exclude=exclude)


def test_broken_csv_exits_2_naming_file_and_line(data_dir: Path, tmp_path: Path) -> None:
    import shutil

    folder = tmp_path / "export"
    shutil.copytree(data_dir / "csv" / "ok", folder)
    shutil.copy(data_dir / "csv" / "broken" / "stock_unknown_sku.csv", folder / "stock.csv")
    result = runner.invoke(app, ["info", str(folder)])
    assert result.exit_code == 2
    assert "stock.csv:3: column 'sku': unknown SKU 'SKU-9'" in _flat(result.output)


def test_broken_foodmart_exits_2(data_dir: Path) -> None:
    result = runner.invoke(app, ["info", str(data_dir / "foodmart" / "bad_arc_distance")])
    assert result.exit_code == 2
    assert "bad_arc_distance:91: arc distance: expected a number" in _flat(result.output)


def test_foodmart_options_refused_for_other_formats(data_dir: Path) -> None:
    result = runner.invoke(app, ["info", str(data_dir / "csv" / "ok"), "--foodmart-orders", "x"])
    assert result.exit_code == 2
    assert "apply to Foodmart files" in _flat(result.output)


def test_unknown_target_format(data_dir: Path, tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["convert", str(data_dir / "csv" / "ok"), str(tmp_path / "x"), "--to", "xlsx"]
    )
    assert result.exit_code == 2
    assert "--to: expected smartwms, sprp, csv or foodmart" in _flat(result.output)
