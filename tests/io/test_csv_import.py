from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from smartwms.errors import InputFileError
from smartwms.io import detect_format, load_instance, read_csv_folder, write_csv_folder
from smartwms.model import Instance, Order, OrderLine, Sku
from tests.conftest import tiny_instance


@pytest.fixture
def ok(data_dir: Path) -> Path:
    return data_dir / "csv" / "ok"


def test_reads_the_hand_made_export(ok: Path) -> None:
    inst = read_csv_folder(ok)
    assert detect_format(ok) == "csv"
    assert inst.name == "csv-small"
    assert inst.locations_of("SKU-1") == ["A0-01-L", "A0-01-L-1"]  # scattered storage
    sku = inst.sku_index["SKU-1"]
    assert sku.zones == ["fast", "bulk"] and sku.name == "Tea, green"  # BOM, quoted comma
    loc = inst.location_index["A0-01-L-1"]
    assert (loc.aisle, loc.cell, loc.side, loc.level, loc.zone) == (0, 1, "left", 1, "fast")
    assert inst.location_index["A1-04-R"].zone is None  # empty cell = not given
    assert [o.id for o in inst.orders] == ["SO-100", "SO-101"]
    assert inst.orders[0].due_time == 3600 and inst.orders[1].due_time is None
    assert inst.orders[1].release_time == 600
    assert inst.fleet.pickers[0].count == 2


def test_round_trip_of_the_hand_made_export(ok: Path, tmp_path: Path) -> None:
    inst = read_csv_folder(ok)
    write_csv_folder(inst, tmp_path / "out")
    assert read_csv_folder(tmp_path / "out") == inst


@pytest.mark.parametrize("n_blocks", [1, 2])
def test_round_trip_of_a_model_instance(n_blocks: int, tmp_path: Path) -> None:
    inst = tiny_instance(n_blocks)
    write_csv_folder(inst, tmp_path / "tiny")
    back = load_instance(tmp_path / "tiny")
    assert back == inst.model_copy(update={"name": inst.name})


def test_semicolon_separated_files(ok: Path, tmp_path: Path) -> None:
    folder = tmp_path / "semi"
    shutil.copytree(ok, folder)
    (folder / "stock.csv").write_text(
        "sku;location;quantity\nSKU-1;A0-01-L;20\nSKU-2;A1-04-R;50\nSKU-3;A2-09-L;1,5\n"
    )
    with pytest.raises(InputFileError, match="expected a number, got '1,5'"):
        read_csv_folder(folder)
    (folder / "stock.csv").write_text("sku;location;quantity\nSKU-1;A0-01-L;20\n")
    assert read_csv_folder(folder).stock[0].quantity == 20


names = st.text(alphabet="abcXYZ09-_ ,;\"'é", min_size=1, max_size=8).filter(
    lambda s: s.strip() == s and ";" not in s
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    sku_names=st.lists(names, min_size=1, max_size=4, unique=True),
    volumes=st.lists(st.floats(0, 1e6, allow_nan=False), min_size=4, max_size=4),
    quantities=st.lists(st.floats(0.001, 1e4, allow_nan=False), min_size=1, max_size=5),
)
def test_round_trip_property(
    sku_names: list[str], volumes: list[float], quantities: list[float], tmp_path: Path
) -> None:
    """Odd ids (quotes, commas, spaces) and any float survive a write and a read."""
    base = tiny_instance()
    skus = [Sku(id=n, unit_volume=volumes[i % 4], name=n) for i, n in enumerate(sku_names)]
    lines = [
        OrderLine(sku=sku_names[i % len(sku_names)], quantity=q) for i, q in enumerate(quantities)
    ]
    inst = Instance(
        name="prop",
        layout=base.layout,
        locations=base.locations,
        skus=skus,
        orders=[Order(id="o,1", lines=lines, release_time=1.5)],
        stations=base.stations,
    )
    folder = tmp_path / f"p{abs(hash((tuple(sku_names), tuple(quantities))))}"
    write_csv_folder(inst, folder)
    assert read_csv_folder(folder).model_copy(update={"name": "prop"}) == inst


@pytest.mark.parametrize(
    ("broken", "target", "line", "words"),
    [
        ("locations_bad_number.csv", "locations.csv", 3, "column 'cell': expected an integer"),
        ("locations_unknown_column.csv", "locations.csv", 1, "unknown column 'cel'"),
        ("locations_bad_side.csv", "locations.csv", 4, "column 'side': expected left or right"),
        ("locations_aisle_out_of_range.csv", "locations.csv", 5, "aisle 7 outside 0..2"),
        ("skus_negative_volume.csv", "skus.csv", 3, "column 'unit_volume'"),
        ("stock_unknown_sku.csv", "stock.csv", 3, "unknown SKU 'SKU-9'"),
        ("stock_unknown_location.csv", "stock.csv", 3, "unknown location 'B9'"),
        ("stock_over_capacity.csv", "locations.csv", 5, "over capacity"),
        ("orders_inconsistent_due.csv", "orders.csv", 3, "column 'due_time'"),
        ("orders_zero_quantity.csv", "orders.csv", 3, "column 'quantity'"),
        ("orders_due_before_release.csv", "orders.csv", 2, "due before release"),
        ("warehouse_syntax.json", "warehouse.json", 4, "invalid JSON"),
        ("warehouse_depot_off_network.json", "warehouse.json", None, "off the aisle network"),
    ],
)
def test_broken_exports_name_file_line_and_column(
    ok: Path,
    data_dir: Path,
    tmp_path: Path,
    broken: str,
    target: str,
    line: int | None,
    words: str,
) -> None:
    folder = tmp_path / "export"
    shutil.copytree(ok, folder)
    # The broken file replaces the table its name starts with (or warehouse.json).
    replaces = "warehouse.json" if broken.endswith(".json") else broken.split("_")[0] + ".csv"
    shutil.copy(data_dir / "csv" / "broken" / broken, folder / replaces)
    with pytest.raises(InputFileError) as info:
        read_csv_folder(folder)
    assert Path(info.value.path).name == target
    assert info.value.line == line
    assert words in info.value.reason


def test_missing_files_are_named(ok: Path, tmp_path: Path) -> None:
    folder = tmp_path / "export"
    shutil.copytree(ok, folder)
    (folder / "skus.csv").unlink()
    with pytest.raises(InputFileError, match=r"skus\.csv: missing"):
        read_csv_folder(folder)
    with pytest.raises(InputFileError, match="not a CSV export"):
        load_instance(tmp_path)
