"""The ``smartwms batch`` command: the DESIGN.md JSON contract, outputs, waves and bad input."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from smartwms.batching import BatchingResult, check_batching
from smartwms.cli import app
from smartwms.io import read_henn, write_instance
from tests.batching.helpers import batching_instance

runner = CliRunner()
KEYS = {
    "file",
    "method",
    "routing",
    "capacity",
    "total_length",
    "lower_bound",
    "status",
    "seconds",
    "batches",
}


def run(*args: str) -> list[dict]:
    result = runner.invoke(app, ["batch", *args])
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_json_contract_one_line_per_file(data_dir: Path, tmp_path: Path) -> None:
    henn = data_dir / "henn" / "1s-4-4-0.txt"
    own = tmp_path / "own.json"
    write_instance(batching_instance(6, seed=2), own)
    records = run(str(henn), str(own), "--method", "exact", "--time-limit", "600", "--json")
    assert [r["file"] for r in records] == [str(henn), str(own)]
    for rec in records:
        assert rec.keys() >= KEYS
        assert rec["status"] == "optimal" and rec["lower_bound"] == pytest.approx(
            rec["total_length"]
        )
        assert rec["total_length"] == pytest.approx(sum(b["length"] for b in rec["batches"]))
        assert all(isinstance(o, str) for b in rec["batches"] for o in b["orders"])
    # Henn-Wäscher order ids are the numbers after "Order"; the capacity is the name's.
    assert sorted(o for b in records[0]["batches"] for o in b["orders"]) == ["0", "1", "2", "3"]
    assert records[0]["capacity"] == 4


def test_capacity_routing_and_method_options(data_dir: Path) -> None:
    henn = str(data_dir / "henn" / "1s-4-4-0.txt")
    (big,) = run(henn, "--capacity", "8", "--method", "savings", "--routing", "sshape", "--json")
    assert big["capacity"] == 8 and big["routing"] == "sshape" and big["method"] == "savings"
    assert all(b["articles"] <= 8 for b in big["batches"])


def test_out_writes_the_plan_and_a_pick_list(data_dir: Path, tmp_path: Path) -> None:
    henn = data_dir / "henn" / "1s-4-4-0.txt"
    result = runner.invoke(app, ["batch", str(henn), "--method", "local", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    plan = BatchingResult.model_validate_json((tmp_path / "1s-4-4-0.json").read_text())
    instance = read_henn(henn)
    check_batching(instance, plan)
    with (tmp_path / "1s-4-4-0-picks.csv").open() as fh:
        rows = list(csv.DictReader(fh))
    assert sum(float(r["quantity"]) for r in rows) == 8  # every article once
    by_batch: dict[str, list[int]] = {}
    for r in rows:
        by_batch.setdefault(r["batch"], []).append(int(r["sequence"]))
    assert all(seq == list(range(len(seq))) for seq in by_batch.values())


def test_waves_batch_apart(data_dir: Path) -> None:
    henn = str(data_dir / "henn" / "1s-4-4-0.txt")
    (rec,) = run(
        henn, "--waves", "early:0,1;late:2", "--method", "exact", "--time-limit", "600", "--json"
    )
    waves = {o: b["wave"] for b in rec["batches"] for o in b["orders"]}
    assert waves == {"0": "early", "1": "early", "2": "late", "3": "rest"}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--capacity", "2"], "order '0' does not fit on the cart"),
        (["--waves", "A:0,1;B:9"], "wave 'B' names unknown order '9'"),
        (["--waves", "A:0,1;B:1"], "order '1' is in waves 'A' and 'B'"),
        (["--method", "magic"], "--method: expected one of"),
        (["--routing", "zigzag"], "--routing: expected one of"),
        (["--time-limit", "0"], "--time-limit: must be > 0"),
    ],
)
def test_bad_input_is_a_clear_error(data_dir: Path, args: list[str], message: str) -> None:
    result = runner.invoke(app, ["batch", str(data_dir / "henn" / "1s-4-4-0.txt"), *args])
    assert result.exit_code == 2
    assert "error:" in result.stderr and message in result.stderr
    assert "Traceback" not in result.output


def test_a_setting_file_that_contradicts_the_name(data_dir: Path) -> None:
    result = runner.invoke(
        app, ["batch", str(data_dir / "henn" / "contradicting" / "2s-4-4-0.txt")]
    )
    assert result.exit_code == 2
    assert "says capacity 6 but the file name says 4" in result.stderr
