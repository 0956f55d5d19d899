"""The ``smartwms route`` command: the DESIGN.md JSON contract, plots, orders, bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from smartwms.cli import app
from smartwms.io import write_instance
from smartwms.model import PickRoute, TourStop
from smartwms.routing import check_route
from tests.conftest import tiny_instance

runner = CliRunner()


def run(*args: str) -> list[dict]:
    result = runner.invoke(app, ["route", *args])
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_json_contract_one_line_per_file(data_dir: Path, tmp_path: Path) -> None:
    tiny = tmp_path / "tiny.json"
    write_instance(tiny_instance(), tiny)
    records = run(str(data_dir / "sprp_ok.txt"), str(tiny), "--json")
    assert [r["file"] for r in records] == [str(data_dir / "sprp_ok.txt"), str(tiny)]
    for rec in records:
        assert {"file", "method", "length", "tour", "status", "seconds"} <= set(rec)
        assert rec["method"] == "optimal" and rec["status"] == "optimal"
        picks = [s for s in rec["tour"] if s["kind"] == "pick"]
        assert picks and all({"aisle", "cell", "id"} <= set(s) for s in picks)
        assert rec["tour"][0]["kind"] == rec["tour"][-1]["kind"] == "depot"
    # The tiny instance has two orders: two tours chained at the depot, lengths summed.
    two = records[1]
    assert len(two["routes"]) == 2
    assert two["length"] == pytest.approx(sum(r["length"] for r in two["routes"]))


@pytest.mark.parametrize(
    "method", ["sshape", "return", "largest-gap", "combined-plus", "combined-opt", "ortools"]
)
def test_methods_and_sprp_two_block(data_dir: Path, method: str) -> None:
    file = str(data_dir / "sprp_ok.txt")
    (single,) = run(file, "--json", "--method", method, "--time-limit", "0.2")
    (optimal,) = run(file, "--json", "--sprp-layout", "two-block")
    assert single["method"] == method
    assert single["length"] > 0 and optimal["length"] > 0


def test_orders_selection_and_plot(tmp_path: Path) -> None:
    inst = tiny_instance()
    tiny = tmp_path / "tiny.json"
    write_instance(inst, tiny)
    png = tmp_path / "route.png"
    (rec,) = run(str(tiny), "--json", "--orders", "O2", "--plot", str(png))
    assert [r["orders"] for r in rec["routes"]] == [["O2"]]
    assert png.stat().st_size > 1000
    stops = [TourStop.model_validate(s) for s in rec["tour"]]
    check_route(inst, PickRoute(orders=["O2"], method="optimal", stops=stops, length=rec["length"]))


def test_human_output_names_the_tour(data_dir: Path) -> None:
    result = runner.invoke(app, ["route", str(data_dir / "sprp_ok.txt"), "--method", "sshape"])
    assert result.exit_code == 0, result.output
    assert "depot" in result.stdout and "total length" in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--method", "fastest"], "--method"),
        (["--time-limit", "0"], "--time-limit"),
        (["--orders", "nope"], "unknown order 'nope'"),
        (["--orders", ","], "--orders"),
        (["--sprp-layout", "three-block"], "--sprp-layout"),
    ],
)
def test_bad_options_exit_2_with_a_message(data_dir: Path, args: list[str], message: str) -> None:
    result = runner.invoke(app, ["route", str(data_dir / "sprp_ok.txt"), *args])
    assert result.exit_code == 2
    assert message in result.stderr
    assert "Traceback" not in result.output


def test_bad_files_exit_2(data_dir: Path, tmp_path: Path) -> None:
    for path in (data_dir / "sprp_bad_number.txt", tmp_path / "missing.txt"):
        result = runner.invoke(app, ["route", str(path), "--json"])
        assert result.exit_code == 2
        assert "error:" in result.stderr and str(path.name) in result.stderr
