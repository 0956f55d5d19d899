"""Random small routing instances for the property tests of picker routing."""

from __future__ import annotations

from hypothesis import strategies as st

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


def aisle_instance(
    n_aisles: int,
    cells_per_block: int,
    n_blocks: int,
    picks: list[tuple[int, int]],
    depot_aisle: int,
    depot_cross: int,
    extra_locations: dict[int, list[tuple[int, int, float]]] | None = None,
    quantities: list[float] | None = None,
    main_units: list[float] | None = None,
) -> Instance:
    """One order over ``picks`` (one SKU each); ``extra_locations`` adds scattered stock.

    ``extra_locations[k]`` lists ``(aisle, cell, units)`` that also hold SKU ``k``.
    """
    layout = ParallelAisleLayout(
        n_aisles=n_aisles,
        aisle_spacing=3,
        cells_per_block=cells_per_block,
        cell_length=1,
        n_blocks=n_blocks,
    )
    locations: dict[str, Location] = {}
    stock: list[StockRecord] = []
    qty = quantities or [1.0] * len(picks)
    extra = extra_locations or {}
    for k, (aisle, cell) in enumerate(picks):
        units_here = main_units[k] if main_units else qty[k]
        spots = [(aisle, cell, units_here), *extra.get(k, [])]
        for a, c, units in spots:
            loc_id = f"a{a}c{c}"
            locations.setdefault(loc_id, Location(id=loc_id, aisle=a, cell=c))
            stock.append(StockRecord(sku=f"S{k}", location=loc_id, quantity=units))
    return Instance(
        name="random",
        layout=layout,
        locations=list(locations.values()),
        skus=[Sku(id=f"S{k}") for k in range(len(picks))],
        stock=stock,
        orders=[
            Order(
                id="O1",
                lines=[OrderLine(sku=f"S{k}", quantity=qty[k]) for k in range(len(picks))],
            )
        ],
        stations=[Station(id="depot", aisle=depot_aisle, cross_aisle=depot_cross)],
        shared_locations=True,
    )


@st.composite
def small_instances(draw: st.DrawFn, max_picks: int = 7, scattered: bool = False) -> Instance:
    """Random 1-2 block warehouses with a few picks (and alternative locations if asked)."""
    n_aisles = draw(st.integers(1, 5))
    n_blocks = draw(st.integers(1, 2))
    per_block = draw(st.integers(2, 6))
    cells = n_blocks * per_block
    position = st.tuples(st.integers(0, n_aisles - 1), st.integers(0, cells - 1))
    picks = draw(st.lists(position, min_size=1, max_size=max_picks))
    extra: dict[int, list[tuple[int, int, float]]] = {}
    quantities = None
    main_units = None
    if scattered:
        quantities = [float(draw(st.integers(1, 3))) for _ in picks]
        main_units = []
        for k in range(len(picks)):
            more = draw(st.lists(position, max_size=2))
            extra[k] = [(a, c, float(draw(st.integers(1, 3)))) for a, c in more]
            elsewhere = sum(u for _, _, u in extra[k])
            # Enough stock in total, but not always in one place.
            main_units.append(max(float(draw(st.integers(1, 3))), quantities[k] - elsewhere))
    return aisle_instance(
        n_aisles,
        per_block,
        n_blocks,
        picks,
        depot_aisle=draw(st.integers(0, n_aisles - 1)),
        depot_cross=draw(st.sampled_from([0, n_blocks])),
        extra_locations=extra,
        quantities=quantities,
        main_units=main_units,
    )
