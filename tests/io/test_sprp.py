from __future__ import annotations

import csv
import itertools
from pathlib import Path

import pytest

from smartwms.errors import InputFileError
from smartwms.io import load_instance, read_sprp, write_sprp
from smartwms.layout import distance_matrix
from smartwms.model import Instance


def brute_force_tour(instance: Instance) -> float:
    """Shortest closed tour through the depot and every pick location (tiny instances only)."""
    picks = sorted(
        {loc for line in instance.orders[0].lines for loc in instance.locations_of(line.sku)}
    )
    dist = distance_matrix(instance, ["depot", *picks])
    best = float("inf")
    for perm in itertools.permutations(range(1, len(picks) + 1)):
        tour = (0, *perm, 0)
        best = min(best, sum(dist[a, b] for a, b in itertools.pairwise(tour)))
    return best


def _published(shared: Path, name: str, two_block: bool) -> float:
    if two_block:
        with (shared / "sprp/results_SPRP_two_block.csv").open() as fh:
            return next(float(r["objective"]) for r in csv.DictReader(fh) if r["filename"] == name)
    m, c, a, seed = (int(p[1:]) if p[0] in "mCa" else int(p) for p in name[:-4].split("_")[2:])
    with (shared / "sprp/results_SPRP.csv").open() as fh:
        for r in csv.DictReader(fh):
            key = (
                int(r["num aisles"]),
                int(r["num cells"]),
                int(r["num articles"]),
                int(r["random seed"]),
            )
            if key == (m, c, a, seed):
                return float(r["DP cost"])
    raise KeyError(name)


@pytest.mark.shared
@pytest.mark.parametrize("two_block", [False, True], ids=["single-block", "two-block"])
@pytest.mark.parametrize("seed", range(0, 40, 4))
@pytest.mark.parametrize("size", ["m5_C30_a3", "m5_C60_a7", "m10_C30_a7"])
def test_brute_force_reproduces_published_optimum(
    shared: Path, size: str, seed: int, two_block: bool
) -> None:
    """Pins the convention: cell 0 next to the top cross aisle, depot on its cross aisle."""
    name = f"unit_F1_{size}_{seed}.txt"
    inst = read_sprp(
        shared / "sprp/instances" / name, layout="two-block" if two_block else "single-block"
    )
    assert brute_force_tour(inst) == _published(shared, name, two_block)


@pytest.mark.shared
@pytest.mark.parametrize(
    "name", ["unit_F1_m5_C30_a3_0.txt", "varying_F2_m5_C30_a3_0.txt", "unit_F10_m25_C180_a15_3.txt"]
)
@pytest.mark.parametrize("layout", ["single-block", "two-block"])
def test_round_trip(shared: Path, tmp_path: Path, name: str, layout: str) -> None:
    original = read_sprp(shared / "sprp/instances" / name, layout=layout)  # type: ignore[arg-type]
    write_sprp(original, tmp_path / name)
    again = read_sprp(tmp_path / name, layout=layout)  # type: ignore[arg-type]
    assert again.model_dump(exclude={"source"}) == original.model_dump(exclude={"source"})


@pytest.mark.shared
def test_scattered_storage_keeps_every_position(shared: Path) -> None:
    inst = read_sprp(shared / "sprp/instances/varying_F2_m5_C30_a3_0.txt")
    assert len(inst.stock) == 15
    assert len(inst.locations_of("1")) == 7
    assert {line.sku: line.quantity for line in inst.orders[0].lines} == {"0": 1, "1": 5, "2": 1}


@pytest.mark.parametrize(
    ("name", "line", "reason"),
    [
        ("sprp_bad_number.txt", 21, "CELL: expected a number, got '1x6'"),
        ("sprp_bad_record.txt", 21, "expected 'ID ... AISLE ..."),
        ("sprp_missing_header.txt", None, "missing header field DEPOT_AISLE"),
        ("sprp_aisle_out_of_range.txt", None, "aisle 7 outside 0..4"),
    ],
)
def test_broken_files_name_file_line_and_reason(
    data_dir: Path, name: str, line: int | None, reason: str
) -> None:
    with pytest.raises(InputFileError) as info:
        load_instance(data_dir / name)
    assert info.value.line == line
    assert name in str(info.value)
    assert reason in str(info.value)
