"""Random small batching instances and a brute-force optimum for the batching tests."""

from __future__ import annotations

import random
from collections.abc import Iterator

from smartwms.batching import Cart, policy_length
from smartwms.model import (
    Fleet,
    Instance,
    Location,
    Order,
    OrderLine,
    ParallelAisleLayout,
    PickerClass,
    Sku,
    Station,
    StockRecord,
)


def batching_instance(
    n_orders: int,
    seed: int = 0,
    n_aisles: int = 5,
    cells: int = 10,
    n_blocks: int = 1,
    max_lines: int = 4,
    capacity: float | None = 8,
    volumes: bool = False,
    depot_aisle: int = 0,
) -> Instance:
    """``n_orders`` random orders over a small parallel-aisle warehouse, one SKU per location."""
    rng = random.Random(seed)
    layout = ParallelAisleLayout(
        n_aisles=n_aisles, aisle_spacing=3, cells_per_block=cells, cell_length=1, n_blocks=n_blocks
    )
    locations, skus, stock = [], [], []
    for a in range(n_aisles):
        for c in range(cells * n_blocks):
            ident = f"a{a}c{c}"
            locations.append(Location(id=ident, aisle=a, cell=c))
            skus.append(
                Sku(
                    id=ident,
                    unit_volume=rng.choice([1.0, 2.0, 5.0]) if volumes else 0.0,
                    unit_weight=rng.choice([0.5, 1.0]) if volumes else 0.0,
                )
            )
            stock.append(StockRecord(sku=ident, location=ident, quantity=100))
    orders = []
    for k in range(n_orders):
        lines = rng.sample(skus, rng.randint(1, max_lines))
        orders.append(
            Order(
                id=str(k),
                lines=[OrderLine(sku=s.id, quantity=rng.randint(1, 2)) for s in lines],
                release_time=float(rng.randint(0, 100)),
            )
        )
    return Instance(
        name=f"batching-{n_orders}-{seed}",
        layout=layout,
        locations=locations,
        skus=skus,
        stock=stock,
        orders=orders,
        fleet=Fleet(pickers=[PickerClass(cart_capacity_articles=capacity)]),
        stations=[Station(id="depot", aisle=depot_aisle, cross_aisle=n_blocks)],
    )


def partitions(items: list[int]) -> Iterator[list[list[int]]]:
    """Every set partition of ``items``."""
    if not items:
        yield []
        return
    first, rest = items[0], items[1:]
    for part in partitions(rest):
        for k in range(len(part)):
            yield [*part[:k], [first, *part[k]], *part[k + 1 :]]
        yield [[first], *part]


def brute_force(instance: Instance, cart: Cart, policy: str) -> float:
    """The least total tour length over every feasible batching (routing's own lengths)."""
    locs = instance.location_index
    orders = instance.orders
    size = [sum(line.quantity for line in o.lines) for o in orders]

    def length(batch: list[int]) -> float:
        spots = {line.sku for i in batch for line in orders[i].lines}
        aisles = [int(locs[s].aisle or 0) for s in sorted(spots)]
        cells = [int(locs[s].cell or 0) for s in sorted(spots)]
        return policy_length(instance, policy, aisles, cells)

    best = float("inf")
    memo: dict[tuple[int, ...], float] = {}
    for part in partitions(list(range(len(orders)))):
        if cart.articles is not None and any(sum(size[i] for i in b) > cart.articles for b in part):
            continue
        total = 0.0
        for b in part:
            key = tuple(sorted(b))
            if key not in memo:
                memo[key] = length(list(key))
            total += memo[key]
        best = min(best, total)
    return best
