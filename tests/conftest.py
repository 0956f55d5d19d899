"""Shared fixtures: the public benchmark folder, tiny hand-made instances."""

from __future__ import annotations

from pathlib import Path

import pytest

from smartwms.model import (
    Instance,
    Location,
    Order,
    OrderLine,
    ParallelAisleLayout,
    Sku,
    Station,
    StockRecord,
)

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).resolve().parent / "data"
SHARED = ROOT.parent / "shared" / "benchmarks"


@pytest.fixture(scope="session")
def shared() -> Path:
    """``../shared/benchmarks``; tests that need it skip with a clear reason where it is absent."""
    if not SHARED.is_dir():
        pytest.skip(
            f"public benchmark data not found at {SHARED} (only CI and dev machines have it)"
        )
    return SHARED


@pytest.fixture(scope="session")
def data_dir() -> Path:
    """Tiny hand-made and deliberately broken inputs."""
    return DATA


def tiny_instance(n_blocks: int = 1) -> Instance:
    """Four aisles, eight cells per block, three SKUs, two orders, a depot at the front."""
    layout = ParallelAisleLayout(
        n_aisles=4, aisle_spacing=3, cells_per_block=8, cell_length=1, n_blocks=n_blocks
    )
    locations = [
        Location(id="L1", aisle=0, cell=2, side="left", volume_capacity=50, weight_capacity=40),
        Location(id="L2", aisle=1, cell=5, side="right", volume_capacity=50, weight_capacity=40),
        Location(id="L3", aisle=3, cell=1, side="left", volume_capacity=50, weight_capacity=40),
        Location(id="L4", aisle=2, cell=7, side="left", volume_capacity=50, weight_capacity=40),
    ]
    skus = [
        Sku(id="A", unit_volume=2, unit_weight=1, demand=10),
        Sku(id="B", unit_volume=1, unit_weight=2, demand=4),
        Sku(id="C", unit_volume=5, unit_weight=3, demand=1),
    ]
    stock = [
        StockRecord(sku="A", location="L1", quantity=10),
        StockRecord(sku="B", location="L2", quantity=5),
        StockRecord(sku="C", location="L3", quantity=4),
    ]
    orders = [
        Order(id="O1", lines=[OrderLine(sku="A", quantity=2), OrderLine(sku="B")]),
        Order(id="O2", lines=[OrderLine(sku="C")], release_time=60, due_time=600),
    ]
    return Instance(
        name="tiny",
        layout=layout,
        locations=locations,
        skus=skus,
        stock=stock,
        orders=orders,
        stations=[Station(id="depot", aisle=0, cross_aisle=n_blocks)],
    )


@pytest.fixture
def tiny() -> Instance:
    """A hand-made single-block instance."""
    return tiny_instance()
