from __future__ import annotations

import math
from pathlib import Path

import pytest

from smartwms.errors import InputFileError
from smartwms.io import detect_format, load_instance, read_foodmart, write_foodmart
from smartwms.layout import distance_matrix
from smartwms.model import GraphLayout, Instance


@pytest.fixture
def fm(data_dir: Path) -> Path:
    return data_dir / "foodmart"


@pytest.fixture
def tiny_fm(fm: Path) -> Instance:
    return read_foodmart(fm / "warehouse_2_1_1_6", fm / "productsDB_6_locations", fm / "orders_3")


def test_tiny_instance_keeps_source_ids(tiny_fm: Instance) -> None:
    assert isinstance(tiny_fm.layout, GraphLayout)
    assert [n.id for n in tiny_fm.layout.nodes] == [str(v) for v in range(15)]
    assert tiny_fm.depot.node == "0"
    loc = tiny_fm.location_index["14"]  # aisle side 3 (right side of aisle 1), position 1
    assert (loc.node, loc.aisle, loc.cell, loc.side, loc.level) == ("6", 1, 1, "right", 0)
    assert tiny_fm.locations_of("6") == ["14"]
    assert [o.id for o in tiny_fm.orders] == ["1", "2", "3"]
    assert [(ln.sku, ln.quantity) for ln in tiny_fm.orders[2].lines] == [
        ("2", 1),
        ("5", 2),
        ("6", 1),
    ]


def test_tiny_distances_follow_the_arc_formulas(tiny_fm: Instance) -> None:
    # origin -> first artificial vertex: sourceToFirstCrossAisle + crossAisleWidth / 2 = 2.5;
    # artificial -> nearest product vertex: (locationWidth + crossAisleWidth) / 2 = 2.
    d = distance_matrix(tiny_fm, ["depot", "1", "16", "2", "3"])
    assert d[0, 1] == pytest.approx(2.5 + 2)
    # origin -> second aisle's front vertex is the rounded sqrt(2.5^2 + 5^2) = 5.59, then
    # 2 + 1 to position 1, 2 + 2 across the middle cross aisle, 1 more to position 3.
    assert d[0, 2] == pytest.approx(5.59 + 2 + 1 + 2 + 2 + 1)
    # positions 1 and 2 of one aisle are separated by the middle cross aisle: 2 + 2.
    assert d[3, 4] == pytest.approx(4.0)
    assert d[3, 4] == d[4, 3]


def test_round_trip_tiny(tiny_fm: Instance, tmp_path: Path) -> None:
    write_foodmart(tiny_fm, tmp_path / "w", tmp_path / "p", tmp_path / "o")
    back = read_foodmart(tmp_path / "w", tmp_path / "p", tmp_path / "o")
    assert back.model_dump(exclude={"name", "source"}) == tiny_fm.model_dump(
        exclude={"name", "source"}
    )


def test_written_layout_matches_the_source_sections(fm: Path, tmp_path: Path) -> None:
    inst = read_foodmart(fm / "warehouse_2_1_1_6", fm / "productsDB_6_locations")
    write_foodmart(inst, tmp_path / "w", tmp_path / "p")
    source = (fm / "warehouse_2_1_1_6").read_text().splitlines()
    written = (tmp_path / "w").read_text().splitlines()
    # Everything from DATA to the arcs is reproduced line for line (arcs may change order).
    start, arcs = source.index("DATA"), source.index("arcs_distances")
    assert written[start:arcs] == source[start:arcs]
    assert written[:5] == source[:5]
    # Only aisleWidth + 2 * rackDepth is known after reading: it all goes to aisleWidth.
    assert written[5:7] == ["aisleWidth 5", "rackDepth 0"]
    assert written[7:start] == source[7:start]


def test_manifest_and_auto_detection(fm: Path) -> None:
    assert detect_format(fm / "warehouse_2_1_1_6") == "foodmart"
    assert detect_format(fm / "tiny.json") == "foodmart"
    inst = load_instance(fm / "tiny.json")
    assert len(inst.orders) == 3
    # A layout file alone finds the products file beside it and has no orders.
    alone = load_instance(fm / "warehouse_2_1_1_6")
    assert len(alone.orders) == 0 and len(alone.stock) == 6
    with_orders = load_instance(fm / "warehouse_2_1_1_6", orders_file=fm / "orders_3")
    assert with_orders.orders == inst.orders


@pytest.mark.parametrize(
    ("layout", "locations", "orders", "file", "line", "words"),
    [
        ("bad_arc_distance", None, None, "bad_arc_distance", 91, "expected a number"),
        ("bad_arc_vertex", None, None, "bad_arc_vertex", 83, "unknown vertex 99"),
        ("bad_count", None, None, "bad_count", 14, "totalLocations says 17"),
        (None, "bad_locations_unknown", None, "bad_locations_unknown", 5, "location 999"),
        (None, "bad_locations_count", None, "bad_locations_count", 1, "says 3 products"),
        (None, None, "bad_orders_pairs", "bad_orders_pairs", 4, "says 2 products"),
        (None, None, "bad_orders_product", "bad_orders_product", 4, "product 77"),
    ],
)
def test_broken_files_name_file_and_line(
    fm: Path,
    layout: str | None,
    locations: str | None,
    orders: str | None,
    file: str,
    line: int,
    words: str,
) -> None:
    with pytest.raises(InputFileError) as info:
        read_foodmart(
            fm / (layout or "warehouse_2_1_1_6"),
            fm / (locations or "productsDB_6_locations"),
            fm / orders if orders else None,
        )
    assert Path(info.value.path).name == file
    assert info.value.line == line
    assert words in info.value.reason


@pytest.mark.shared
@pytest.mark.parametrize(
    "layout",
    [
        "warehouse_8_0_3_1560",
        "warehouse_8_1_3_1560",
        "warehouse_16_0_3_1560",
        "warehouse_16_1_3_1560",
    ],
)
def test_published_layouts_read_and_round_trip(shared: Path, layout: str, tmp_path: Path) -> None:
    base = shared / "foodmart"
    orders = base / "largeInstances/instances_ord100_fsd10"
    inst = read_foodmart(base / layout, base / "productsDB_1560_locations", orders)
    aisles = int(layout.split("_")[1])
    assert len(inst.locations) == aisles * 2 * 3 * (33 if aisles == 8 else 17)
    assert len(inst.skus) == 1560 and len(inst.orders) == 100
    # Spot-check distances against the description's formulas (aisleWidth 3, rackDepth 1,
    # locationWidth 1, crossAisleWidth 3, sourceToFirstCrossAisle 1): location 1 sits at
    # position 0 of aisle 0, one arc from the first artificial vertex.
    first = next(loc.id for loc in inst.locations if loc.aisle == 3 and loc.cell == 0)
    d = distance_matrix(inst, ["depot", "1", first])
    assert d[0, 1] == pytest.approx(2.5 + 2.0)
    assert d[0, 2] == pytest.approx(round(math.hypot(2.5, 3 * 5), 2) + 2.0)
    assert d[1, 2] == pytest.approx(2 + 3 * 5 + 2)
    write_foodmart(inst, tmp_path / layout, tmp_path / "p", tmp_path / "o")
    back = read_foodmart(tmp_path / layout, tmp_path / "p", tmp_path / "o")
    assert back.model_dump(exclude={"name", "source"}) == inst.model_dump(
        exclude={"name", "source"}
    )
