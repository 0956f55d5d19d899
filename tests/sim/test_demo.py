"""The end-to-end demo: report folder, honest notes, a significant improvement."""

from __future__ import annotations

import json
from pathlib import Path

from smartwms.sim.demo import run_demo


def test_demo_writes_report_and_shows_significant_travel_and_throughput_gain(
    tmp_path: Path,
) -> None:
    report = run_demo(tmp_path, replications=3, seed=0, workers=1)
    for name in (
        "demo.json",
        "comparison.csv",
        "kpi_comparison.png",
        "slotting_heatmap.png",
        "example_route.png",
        "instance.json",
    ):
        assert (tmp_path / name).stat().st_size > 0, name
    assert any(note.startswith("slotting:") for note in report.notes)
    assert any(note.startswith("routing:") for note in report.notes)
    travel = report.comparison.difference["travel_per_order_m"]
    throughput = report.comparison.difference["orders_per_hour"]
    assert travel["significant"] and travel["mean"] < 0
    assert throughput["significant"] and throughput["mean"] > 0
    saved = json.loads((tmp_path / "demo.json").read_text())
    assert saved["replications"] == 3 and saved["headline"] == report.headline
