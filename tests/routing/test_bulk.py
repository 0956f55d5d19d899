"""The bulk exact path of solve_routing gives the general path's routes, stop for stop."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from smartwms.io import load_instance
from smartwms.model import (
    Instance,
    Location,
    Order,
    OrderLine,
    ParallelAisleLayout,
    Sku,
    SolveStatus,
    Station,
    StockRecord,
)
from smartwms.routing import build_problem, check_route, solve_problem, solve_routing
from smartwms.routing.bulk import BulkRouter
from smartwms.routing.problem import StockIndex
from tests.conftest import DATA


@st.composite
def warehouses(draw: st.DrawFn) -> tuple[Instance, list[list[str]]]:
    """1-3 blocks, SKUs sharing locations, some SKUs scattered, orders batched at random."""
    n_blocks = draw(st.integers(1, 3))
    layout = ParallelAisleLayout(
        n_aisles=draw(st.integers(1, 6)),
        aisle_spacing=3,
        cells_per_block=draw(st.integers(2, 5)),
        cell_length=1,
        n_blocks=n_blocks,
    )
    position = st.tuples(
        st.integers(0, layout.n_aisles - 1), st.integers(0, layout.cells_per_aisle - 1)
    )
    spots = draw(st.lists(position, min_size=1, max_size=8, unique=True))
    locations = [Location(id=f"a{a}c{c}", aisle=a, cell=c) for a, c in spots]
    n_skus = draw(st.integers(1, 10))
    stock = []
    for k in range(n_skus):
        homes = draw(st.lists(st.integers(0, len(spots) - 1), min_size=1, max_size=2))
        for h in homes:  # two homes: scattered storage, left to the general path
            stock.append(
                StockRecord(sku=f"S{k}", location=locations[h].id, quantity=99)
            )  # enough for any tour
    line = st.builds(
        OrderLine, sku=st.sampled_from([f"S{k}" for k in range(n_skus)]), quantity=st.integers(1, 3)
    )
    orders = [
        Order(id=f"O{i}", lines=draw(st.lists(line, min_size=1, max_size=6)))
        for i in range(draw(st.integers(1, 6)))
    ]
    ids = [o.id for o in orders]
    tours = draw(st.lists(st.lists(st.sampled_from(ids), max_size=3), min_size=1, max_size=8))
    depot = Station(
        id="depot",
        aisle=draw(st.integers(0, layout.n_aisles - 1)),
        cross_aisle=draw(st.integers(0, n_blocks)),
        spur=draw(st.sampled_from([0.0, 1.5])),
    )
    inst = Instance(
        name="bulk",
        layout=layout,
        locations=locations,
        skus=[Sku(id=f"S{k}") for k in range(n_skus)],
        stock=stock,
        orders=orders,
        stations=[depot],
        shared_locations=True,
    )
    return inst, tours


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(warehouses())
def test_bulk_routes_equal_the_general_paths(case: tuple[Instance, list[list[str]]]) -> None:
    inst, tours = case
    result = solve_routing(inst, orders=tours, method="optimal", params={"time_limit": 60})
    assert [r.orders for r in result.routes] == tours
    for tour, route in zip(tours, result.routes, strict=True):
        check_route(inst, route)
        alone = solve_problem(build_problem(inst, tour), "optimal", {"time_limit": 60})
        assert route.model_dump() == alone.model_dump()
        assert route.status is SolveStatus.OPTIMAL


def test_bulk_router_skips_scattered_tours_and_shares_stops() -> None:
    layout = ParallelAisleLayout(n_aisles=3, aisle_spacing=3, cells_per_block=5, cell_length=1)
    locations = [Location(id=f"L{i}", aisle=i, cell=2) for i in range(3)]
    inst = Instance(
        layout=layout,
        locations=locations,
        skus=[Sku(id="a"), Sku(id="b")],
        stock=[
            StockRecord(sku="a", location="L0"),
            StockRecord(sku="b", location="L1"),
            StockRecord(sku="b", location="L2"),
        ],
        orders=[
            Order(id="O1", lines=[OrderLine(sku="a")]),
            Order(id="O2", lines=[OrderLine(sku="a")]),
            Order(id="O3", lines=[OrderLine(sku="b")]),
        ],
        stations=[Station(id="depot", aisle=0, cross_aisle=1)],
    )
    router = BulkRouter.of(inst, StockIndex.of(inst), "depot", "depot")
    assert router is not None
    one, two, scattered = router.route([["O1"], ["O2"], ["O3"]])
    assert scattered is None  # "b" sits in two locations: the general path chooses
    assert one is not None and two is not None
    assert one.stops[1] is two.stops[1]  # one immutable stop object for both routes
    check_route(inst, one)
    alone = solve_problem(build_problem(inst, ["O1"]), "optimal")
    assert one.model_dump() == alone.model_dump()


def test_bulk_router_declines_what_the_aisle_dp_does_not_route() -> None:
    graph = load_instance(DATA / "foodmart" / "tiny.json")
    depot = graph.depot.id
    assert BulkRouter.of(graph, StockIndex.of(graph), depot, depot) is None
    for n_blocks, end in ((4, "d"), (1, "e")):  # four blocks; two depots
        layout = ParallelAisleLayout(
            n_aisles=2, aisle_spacing=3, cells_per_block=2, cell_length=1, n_blocks=n_blocks
        )
        inst = Instance(
            layout=layout,
            locations=[Location(id="L", aisle=1, cell=1)],
            skus=[Sku(id="a")],
            stock=[StockRecord(sku="a", location="L")],
            orders=[Order(id="O", lines=[OrderLine(sku="a")])],
            stations=[
                Station(id="d", aisle=0, cross_aisle=0),
                Station(id="e", aisle=1, cross_aisle=n_blocks),
            ],
        )
        assert BulkRouter.of(inst, StockIndex.of(inst), "d", end) is None
