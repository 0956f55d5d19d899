"""Same input and seed, same plan."""

from __future__ import annotations

import pytest

from smartwms.slotting import solve_slotting
from tests.slotting.helpers import make_instance


@pytest.mark.parametrize("method", ["random", "abc", "coi", "optimal", "cpsat", "affinity"])
def test_same_seed_same_plan(method):
    inst = make_instance(n_aisles=3, cells=5, levels=2, n_skus=15, n_orders=50, seed=4)
    params = {"time_limit": 30}
    if method == "cpsat":
        params["max_moves"] = 5
    a = solve_slotting(inst, method=method, seed=7, params=params)
    b = solve_slotting(inst, method=method, seed=7, params=params)
    assert a.plan == b.plan


def test_random_depends_on_the_seed():
    inst = make_instance(n_aisles=3, cells=5, levels=2, n_skus=15, n_orders=50, seed=4)
    plans = {str(solve_slotting(inst, method="random", seed=s).plan.assignment) for s in range(4)}
    assert len(plans) > 1
