"""The Henn-Wäscher reader: geometry, capacity, setting files and broken files."""

from __future__ import annotations

from pathlib import Path

import pytest

from smartwms.batching import Cart, solve_batching
from smartwms.errors import InputFileError
from smartwms.io.henn import find_henn_setting, parse_henn_name, read_henn


def test_reads_orders_positions_and_capacity(data_dir: Path) -> None:
    inst = read_henn(data_dir / "henn" / "1s-4-4-0.txt")
    assert [o.id for o in inst.orders] == ["0", "1", "2", "3"]
    assert inst.fleet.pickers[0].cart_capacity_articles == 4
    loc = inst.location_index["5-40"]
    # Aisle side 5 is physical aisle 2; position 40 from the front is cell 44 - 40 = 4.
    assert (loc.aisle, loc.cell) == (2, 4)
    assert inst.layout.cell_y(loc.cell) == pytest.approx(47 - (40 + 1.5))
    # Two articles at one position make one line of two units.
    (line,) = inst.orders[2].lines
    assert (line.sku, line.quantity) == ("7-20", 2.0)
    assert Cart.of(inst).articles == 4


def test_pinned_geometry_gives_the_hand_computed_tour(data_dir: Path) -> None:
    inst = read_henn(data_dir / "henn" / "1s-4-4-0.txt")
    result = solve_batching(inst, orders=["3"], method="fcfs")
    # Aisle side 12 -> aisle 6 (x = 30), position 0 -> 1.5 from the front: 2 * (30 + 1.5).
    assert result.total_length == pytest.approx(63.0)


def test_capacity_override_and_names(data_dir: Path) -> None:
    path = data_dir / "henn" / "1s-4-4-0.txt"
    assert read_henn(path, capacity=9).fleet.pickers[0].cart_capacity_articles == 9
    name = parse_henn_name(path)
    assert name is not None and (name.setting, name.orders, name.capacity) == (1, 4, 4)
    assert find_henn_setting(path) == data_dir / "henn" / "sett1.txt"


@pytest.mark.parametrize(
    ("file", "message"),
    [
        ("contradicting/2s-4-4-0.txt", "says capacity 6 but the file name says 4"),
        ("1s-1-4-9.txt", "announces 2 articles but lists 1"),
        ("5s-1-4-0.txt", "Aisle 20 outside 0..19"),
        ("6s-1-4-0.txt", "Aisle: expected an integer, got 'x'"),
        ("7s-2-9-0.txt", "announces 9 articles but lists 0"),
    ],
)
def test_broken_files_name_the_problem(data_dir: Path, file: str, message: str) -> None:
    with pytest.raises(InputFileError, match=message):
        read_henn(data_dir / "henn" / file)


def test_capacity_below_the_largest_order_is_refused(data_dir: Path) -> None:
    from smartwms.errors import InfeasibleError

    inst = read_henn(data_dir / "henn" / "1s-4-4-0.txt", capacity=2)
    with pytest.raises(InfeasibleError, match="order '0' does not fit"):
        solve_batching(inst, method="fcfs")
