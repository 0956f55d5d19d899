"""The compiled tour lengths equal routing's own DP and heuristic walks, batch by batch."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from smartwms.batching import Cart, TourLengths, build_batching_problem, policy_length
from tests.batching.helpers import batching_instance


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 100_000),
    routing=st.sampled_from(["optimal", "sshape", "return", "midpoint", "largest-gap", "combined"]),
    n_aisles=st.integers(1, 7),
    depot_aisle=st.integers(0, 6),
    members=st.lists(st.integers(0, 9), min_size=1, max_size=6, unique=True),
)
def test_compiled_lengths_equal_routing(
    seed: int, routing: str, n_aisles: int, depot_aisle: int, members: list[int]
) -> None:
    inst = batching_instance(
        10, seed=seed, n_aisles=n_aisles, cells=6, depot_aisle=min(depot_aisle, n_aisles - 1)
    )
    problem = build_batching_problem(inst, cart=Cart(), routing=routing)  # type: ignore[arg-type]
    lengths = TourLengths(problem)
    assert lengths.compiled
    locs = inst.location_index
    spots = sorted({loc for i in members for loc in problem.orders[i].locations})
    expected = policy_length(
        inst,
        routing,
        [int(locs[s].aisle or 0) for s in spots],
        [int(locs[s].cell or 0) for s in spots],
    )
    assert abs(lengths.length(members) - expected) < 1e-9
    assert abs(float(lengths.uncached([members])[0]) - expected) < 1e-9


def test_empty_batch_has_length_zero_and_answers_are_cached() -> None:
    problem = build_batching_problem(batching_instance(4, seed=1), cart=Cart())
    lengths = TourLengths(problem)
    assert lengths.length([]) == 0.0
    lengths.length([0, 1])
    before = lengths.evaluations
    lengths.length([1, 0])
    assert lengths.evaluations == before
