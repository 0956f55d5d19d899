"""Small hand-built slotting instances for the tests (seeded, so every run sees the same)."""

from __future__ import annotations

import numpy as np

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


def make_instance(
    n_aisles: int = 3,
    cells: int = 4,
    levels: int = 1,
    n_skus: int = 8,
    n_orders: int = 20,
    seed: int = 0,
    stocked: bool = True,
    heavy: int = 0,
    zones: bool = False,
    families: int = 0,
    hazards: int = 0,
) -> Instance:
    """A one-block warehouse with random demand and orders; SKUs stocked in the first slots."""
    rng = np.random.default_rng(seed)
    layout = ParallelAisleLayout(
        n_aisles=n_aisles, aisle_spacing=3, cells_per_block=cells, cell_length=1, levels=levels
    )
    locations = [
        Location(
            id=f"A{a}C{c}L{lv}",
            aisle=a,
            cell=c,
            level=lv,
            zone=("cold" if a == 0 else "dry") if zones else None,
            volume_capacity=40.0 if (a + c) % 3 else 80.0,
            weight_capacity=200.0,
        )
        for a in range(n_aisles)
        for c in range(cells)
        for lv in range(levels)
    ]
    skus = []
    for i in range(n_skus):
        skus.append(
            Sku(
                id=f"S{i:03d}",
                unit_volume=float(rng.integers(1, 4)),
                unit_weight=25.0 if i < heavy else 1.0,
                demand=float(rng.integers(1, 10)),
                family=f"F{i % families}" if families else None,
                hazard=(f"H{(i // 4) % hazards}" if i % 4 == 1 else None) if hazards else None,
                zones=["cold"] if zones and i % 4 == 0 else None,
            )
        )
    order = rng.permutation(len(locations))
    stock = (
        [
            StockRecord(sku=sku.id, location=locations[int(order[i])].id, quantity=5)
            for i, sku in enumerate(skus[: len(locations)])
        ]
        if stocked
        else []
    )
    weights = rng.pareto(1.2, n_skus) + 0.1
    weights /= weights.sum()
    orders = []
    for o in range(n_orders):
        size = int(rng.integers(1, 4))
        chosen = rng.choice(n_skus, size=min(size, n_skus), replace=False, p=weights)
        orders.append(
            Order(id=f"O{o}", lines=[OrderLine(sku=skus[int(i)].id) for i in sorted(chosen)])
        )
    return Instance(
        name="slotting-test",
        layout=layout,
        locations=locations,
        skus=skus,
        stock=stock,
        orders=orders,
        stations=[Station(id="depot", aisle=0, cross_aisle=1)],
    )
