from __future__ import annotations

import re

import pytest
from pydantic import ValidationError

from smartwms.errors import InstanceValidationError
from smartwms.io import instance_from_dict
from smartwms.model import GraphLayout, GridLayout, Instance, ParallelAisleLayout

from ..conftest import tiny_instance


def _broken(mutate: dict) -> dict:
    data = tiny_instance().model_dump(mode="json")
    for key, value in mutate.items():
        target = data
        *path, last = key.split("/")
        for part in path:
            target = target[int(part)] if part.isdigit() else target[part]
        target[int(last) if last.isdigit() else last] = value
    return data


def test_valid_instance_summary() -> None:
    inst = tiny_instance()
    assert inst.summary()["order_lines"] == 3
    assert inst.locations_of("A") == ["L1"]
    assert inst.depot.id == "depot"


@pytest.mark.parametrize(
    ("mutation", "field", "reason"),
    [
        ({"orders/0/lines/1/sku": "ZZZ"}, "orders[0].lines[1].sku", "unknown SKU 'ZZZ'"),
        ({"stock/1/location": "NOWHERE"}, "stock[1].location", "missing location 'NOWHERE'"),
        ({"stock/0/quantity": 30}, "locations[L1]", "over capacity: stock volume 60"),
        ({"stock/2/quantity": 14}, "locations[L3]", "over capacity: stock weight 42"),
        ({"stations/0/cross_aisle": 5}, "stations[0].cross_aisle", "off the aisle network"),
        ({"stations/0/aisle": 9}, "stations[0].aisle", "off the aisle network"),
        ({"locations/1/cell": 8}, "locations[1].cell", "cell 8 outside 0..7"),
        ({"locations/1/id": "L1"}, "locations[1].id", "duplicate id 'L1'"),
        ({"stock/2/location": "L1"}, "locations[L1]", "holds several SKUs"),
        ({"orders/1/due_time": 10}, "orders[1].due_time", "due before release"),
    ],
)
def test_cross_reference_errors_name_field_and_reason(
    mutation: dict, field: str, reason: str
) -> None:
    with pytest.raises(InstanceValidationError) as info:
        instance_from_dict(_broken(mutation))
    assert any(f == field and reason in r for f, r in info.value.problems), info.value.problems


def test_structural_errors_are_reported_with_paths() -> None:
    data = _broken({"layout/n_aisles": -1, "skus/0/unit_volume": "big"})
    with pytest.raises(InstanceValidationError) as info:
        instance_from_dict(data)
    fields = [f for f, _ in info.value.problems]
    assert "layout.n_aisles" in fields
    assert "skus[0].unit_volume" in fields


def test_unknown_field_is_an_error_not_ignored() -> None:
    data = _broken({"skus/0/colour": "red"})
    with pytest.raises(InstanceValidationError, match=re.escape("skus[0].colour")):
        instance_from_dict(data)


def test_format_version_is_checked() -> None:
    with pytest.raises(InstanceValidationError, match="unsupported format version"):
        instance_from_dict(_broken({"format_version": "2.0"}))


def test_layout_checks() -> None:
    with pytest.raises(ValidationError, match="expected 3 values"):
        ParallelAisleLayout(
            n_aisles=2,
            aisle_spacing=1,
            cells_per_block=3,
            cell_length=1,
            n_blocks=2,
            cross_aisle_widths=[1, 1],
        )
    with pytest.raises(ValidationError, match="unknown node 'x'"):
        GraphLayout(nodes=[{"id": "a"}], arcs=[{"tail": "a", "head": "x", "length": 1}])
    with pytest.raises(ValidationError, match=re.escape("rows[1]: expected 3 characters")):
        GridLayout(height=2, width=3, rows=["...", ".."])


def test_graph_and_grid_positions_are_checked() -> None:
    graph = GraphLayout(
        nodes=[{"id": "0"}, {"id": "1"}], arcs=[{"tail": "0", "head": "1", "length": 2}]
    )
    with pytest.raises(
        InstanceValidationError, match=re.escape("locations[0].node: unknown node '7'")
    ):
        Instance(layout=graph, locations=[{"id": "L", "node": "7"}])
    grid = GridLayout(height=2, width=2, rows=[".@", ".."])
    with pytest.raises(
        InstanceValidationError, match=re.escape("stations[0].cell: cell 1 is not a free")
    ):
        Instance(layout=grid, stations=[{"id": "c", "kind": "charging", "cell": 1}])
