"""Small warehouses for the shift-plan tests, and the checker's verdict as an assertion."""

from __future__ import annotations

from functools import cache

from smartwms.layout import GeneratorConfig, generate_instance
from smartwms.model import AgvClass, Fleet, Instance, PickerClass
from smartwms.plan import ShiftPlan, check_shift_plan


@cache
def small_shift(orders: int = 40, pickers: int = 3, agvs: int = 0, seed: int = 2) -> Instance:
    """A generated 6-aisle warehouse with the day's orders (released over 8 h, due 30-120
    min later), ``pickers`` pickers with 4-order carts and optionally ``agvs`` AGVs."""
    cfg = GeneratorConfig(n_skus=120, n_locations=150, n_orders=orders, n_aisles=6, pickers=pickers)
    inst = generate_instance(cfg, seed=seed)
    fleet = Fleet(
        pickers=[PickerClass(count=pickers, cart_capacity_orders=4)],
        agvs=[AgvClass(count=agvs, speed=1.5)] if agvs else [],
    )
    return inst.model_copy(update={"fleet": fleet})


def assert_valid(instance: Instance, plan: ShiftPlan) -> None:
    """The independent checker finds nothing wrong with ``plan``."""
    result = check_shift_plan(instance, plan)
    assert result.ok, [str(p) for p in result.problems[:10]]
