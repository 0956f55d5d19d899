"""Infeasible requests name the constraint that fails."""

from __future__ import annotations

import pytest

from smartwms.errors import InfeasibleError
from smartwms.model import Instance, Location, ParallelAisleLayout, Sku, Station
from smartwms.slotting import solve_slotting

LAYOUT = ParallelAisleLayout(
    n_aisles=2, aisle_spacing=3, cells_per_block=3, cell_length=1, levels=2
)
DEPOT = [Station(id="depot", aisle=0, cross_aisle=1)]


def _instance(locations, skus):
    return Instance(layout=LAYOUT, locations=locations, skus=skus, stations=DEPOT)


def _loc(i, **kw):
    return Location(id=f"L{i}", aisle=i % 2, cell=i % 3, **kw)


@pytest.mark.parametrize("method", ["optimal", "random", "abc", "coi", "cpsat", "affinity"])
def test_more_skus_than_locations(method):
    inst = _instance([_loc(0), _loc(1)], [Sku(id=f"S{i}") for i in range(3)])
    with pytest.raises(InfeasibleError, match="3 SKUs but only 2 storage locations"):
        solve_slotting(inst, method=method)


def test_sku_too_big_for_every_slot():
    inst = _instance(
        [_loc(0, volume_capacity=10), _loc(1, volume_capacity=12)],
        [Sku(id="small", unit_volume=1, demand=1), Sku(id="huge", unit_volume=10, demand=1)],
    )
    with pytest.raises(InfeasibleError, match=r"'huge' fits no location: needs volume 50"):
        solve_slotting(inst, params={"cover_days": 5})


def test_heavy_sku_with_no_low_slot():
    inst = _instance([_loc(0, level=1), _loc(1, level=1)], [Sku(id="anvil", unit_weight=30)])
    with pytest.raises(InfeasibleError, match="'anvil' fits no location: is heavy"):
        solve_slotting(inst)


def test_zone_restriction_with_no_slot_in_zone():
    inst = _instance([_loc(0, zone="dry")], [Sku(id="ice", zones=["frozen"])])
    with pytest.raises(InfeasibleError, match="'ice' fits no location: no location lies in"):
        solve_slotting(inst)


def test_too_many_skus_for_their_zone():
    """Each SKU fits somewhere, but three cold SKUs compete for two cold slots."""
    locations = [
        _loc(0, zone="cold"),
        _loc(1, zone="cold"),
        _loc(2, zone="dry"),
        _loc(3, zone="dry"),
    ]
    skus = [Sku(id=f"C{i}", zones=["cold"]) for i in range(3)]
    inst = _instance(locations, skus)
    with pytest.raises(InfeasibleError, match=r"3 SKUs compete for only 2 eligible.*\['cold'\]"):
        solve_slotting(inst)
