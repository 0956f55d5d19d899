"""solve_routing on a sample of the published SPRP instances (single and two blocks)."""

from __future__ import annotations

import csv
import random
from pathlib import Path

import pytest

from smartwms.io import read_sprp
from smartwms.routing import HEURISTICS, check_route, solve_routing

pytestmark = pytest.mark.shared


def published(shared: Path) -> list[tuple[str, float, float]]:
    """``(file name, single-block optimum, two-block optimum)`` of every unit_F1 instance."""
    sprp = shared / "sprp"
    single: dict[str, float] = {}
    with (sprp / "results_SPRP.csv").open() as fh:
        for row in csv.DictReader(fh):
            name = (
                f"unit_F1_m{row['num aisles']}_C{row['num cells']}_a{row['num articles']}_"
                f"{row['random seed']}.txt"
            )
            single[name] = float(row["DP cost"])
    with (sprp / "results_SPRP_two_block.csv").open() as fh:
        two = {row["filename"]: float(row["objective"]) for row in csv.DictReader(fh)}
    return [(name, single[name], two[name]) for name in sorted(single) if name in two]


def test_optimal_matches_published_optima_and_heuristics_stay_above(shared: Path) -> None:
    rows = random.Random(0).sample(published(shared), 12)
    for name, one_block, two_block in rows:
        for layout, best in (("single-block", one_block), ("two-block", two_block)):
            inst = read_sprp(shared / "sprp" / "instances" / name, layout=layout)
            result = solve_routing(inst, method="optimal")
            check_route(inst, result.routes[0])
            assert result.objective == pytest.approx(best), (name, layout)
            for method in HEURISTICS:
                route = solve_routing(inst, method=method).routes[0]
                check_route(inst, route)
                assert route.length >= best - 1e-9, (name, layout, method)
