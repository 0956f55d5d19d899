"""Seeded synthetic warehouses of any size: layout, SKUs, demand skew, orders, assignment.

:func:`generate_instance` builds a parallel-aisle warehouse (any number of aisles, blocks and
levels, two sides per aisle) with location capacities, SKUs with a unit size and weight,
a skewed demand, orders drawn from it with SKU affinity groups, release and due times, a
current assignment that is ``random`` or ``poor`` on purpose (the fastest movers in the slots
farthest from the depot), pickers and a depot. Everything is drawn with numpy from one
``seed``: the same configuration and seed give the same instance.

Demand skew
-----------
``skew`` is the share of order lines that the top 20 % of SKUs draw (0.2 = no skew, 0.8 =
the classic 80/20 rule). ``demand="pareto"`` gives SKU ``r`` (rank 1 = fastest) a weight
``r ** -s`` with ``s`` chosen so that the top 20 % hold exactly ``skew``; ``demand="abc"``
splits SKUs into classes A (top 20 %, share ``skew``), B (next 30 %)
and C (last 50 %), a B SKU four times as popular as a C SKU (B as popular as C when that
would make B outsell A), uniform within a class. With few SKUs the top 20 % hold at least
their head count's share, which is then the least skew possible.

Orders
------
An order has ``1 + Poisson(lines_per_order - 1)`` distinct SKUs (at most ``max_lines``). Its
first SKU is drawn by popularity; each further line comes with probability ``affinity`` from
the first SKU's affinity group (``group_size`` SKUs of neighbouring popularity, recorded as
the SKU's ``family``: items ordered together) and otherwise from all SKUs, by popularity in both
cases. ``skew`` holds exactly for the SKUs' popularity (``pick_frequency``, ``demand``) and
approximately for the sampled lines (an order names a SKU once: repeats are redrawn).
Quantities are ``1 + Poisson(quantity_mean - 1)``. Orders are released uniformly over
``horizon`` seconds and are due ``due_slack`` seconds (uniform in the range) after release.
``Sku.demand`` and ``Sku.pick_frequency`` are the expected units and lines of the horizon,
taken as one day.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Literal

import numpy as np
from numpy.typing import NDArray
from pydantic import Field, model_validator

from smartwms.errors import InstanceValidationError
from smartwms.layout.geometry import aisle_distances, location_points, points_of
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
from smartwms.model.base import Frozen

__all__ = ["PRESETS", "GeneratorConfig", "demand_weights", "generate_instance", "top_share"]

Progress = Callable[[str, float], None]
FloatArray = NDArray[np.float64]
_TOP = 0.2  # the "top" SKUs of the skew definition


class GeneratorConfig(Frozen):
    """What to generate; every field has a sensible default (see the module documentation)."""

    n_skus: int = Field(default=1000, ge=1)
    n_locations: int | None = Field(
        default=None, ge=1, description="default: the layout's full capacity"
    )
    n_orders: int = Field(default=500, ge=0)
    # layout
    n_aisles: int | None = Field(default=None, ge=1, description="default: a squarish floor")
    n_blocks: int = Field(default=1, ge=1)
    levels: int = Field(default=1, ge=1)
    aisle_spacing: float = Field(default=3.0, gt=0, description="m")
    cell_length: float = Field(default=1.0, gt=0, description="m")
    cross_aisle_width: float = Field(default=2.0, ge=0, description="m")
    spare_locations: float = Field(
        default=0.2, ge=0, description="empty slots per SKU when n_locations is not given"
    )
    depot: Literal["front-left", "front-middle"] = "front-left"
    # slots and SKUs
    location_volume: float = Field(default=200.0, gt=0, description="litres per slot")
    location_weight: float = Field(default=150.0, gt=0, description="kg per slot")
    unit_volume_median: float = Field(default=2.0, gt=0, description="litres")
    unit_volume_sigma: float = Field(default=0.8, ge=0, description="lognormal spread")
    density_median: float = Field(default=0.4, gt=0, description="kg per litre")
    days_of_cover: float = Field(default=5.0, gt=0, description="stock = days of demand")
    # demand and orders
    demand: Literal["pareto", "abc"] = "pareto"
    skew: float = Field(default=0.8, ge=_TOP, lt=1.0, description="line share of the top 20%")
    lines_per_order: float = Field(default=3.0, ge=1.0, description="mean")
    max_lines: int = Field(default=30, ge=1)
    quantity_mean: float = Field(default=2.0, ge=1.0)
    group_size: int = Field(default=8, ge=1, description="SKUs per affinity group")
    affinity: float = Field(default=0.5, ge=0, le=1)
    horizon: float = Field(default=8 * 3600.0, gt=0, description="s")
    due_slack: tuple[float, float] = (1800.0, 7200.0)
    # assignment and resources
    assignment: Literal["random", "poor", "none"] = "random"
    pickers: int = Field(default=5, ge=0)
    picker_speed: float = Field(default=1.0, gt=0, description="m/s")

    @model_validator(mode="after")
    def _consistent(self) -> GeneratorConfig:
        lo, hi = self.due_slack
        if not 0 <= lo <= hi:
            raise ValueError("due_slack: expected 0 <= low <= high")
        short = self.n_locations is not None and self.n_locations < self.n_skus
        if short and self.assignment != "none":
            raise ValueError(
                f"n_locations: {self.n_locations} slots cannot hold {self.n_skus} SKUs "
                "(one slot each); add slots or use assignment='none'"
            )
        return self


#: Named sizes used for the shipped instance families (any field can still be overridden).
PRESETS: dict[str, dict[str, object]] = {
    "small": {"n_skus": 200, "n_locations": 240, "n_orders": 100, "n_aisles": 6},
    "medium": {"n_skus": 2000, "n_locations": 2400, "n_orders": 1000, "n_blocks": 2, "levels": 2},
    "large": {
        "n_skus": 10_000,
        "n_locations": 12_000,
        "n_orders": 5_000,
        "n_blocks": 3,
        "levels": 3,
    },
}


# ---------------------------------------------------------------------- demand
def top_share(weights: FloatArray) -> float:
    """Share of the total held by the top 20 % (at least one) of the weights."""
    k = max(1, round(_TOP * len(weights)))
    ordered = np.sort(weights)[::-1]
    return float(ordered[:k].sum() / ordered.sum())


def demand_weights(n: int, skew: float, model: Literal["pareto", "abc"] = "pareto") -> FloatArray:
    """Popularity of ``n`` SKUs by rank (fastest first), summing to 1.

    Examples
    --------
    >>> w = demand_weights(1000, 0.8)
    >>> round(top_share(w), 6), bool(np.all(np.diff(w) <= 0))
    (0.8, True)
    >>> round(top_share(demand_weights(1000, 0.8, "abc")), 6)
    0.8
    """
    k = max(1, round(_TOP * n))
    if k >= n or skew <= k / n:  # no skew (with few SKUs the top k hold at least k / n)
        return np.full(n, 1.0 / n)
    ranks = np.arange(1, n + 1, dtype=np.float64)
    if model == "abc":
        b_end = max(k + 1, round(0.5 * n))
        n_b, n_c = b_end - k, n - b_end
        rest = 1.0 - skew
        a, b, c = skew / k, 4 * rest / (4 * n_b + n_c), rest / (4 * n_b + n_c)
        if b > a:  # low skew: B may not outsell A, so B and C share the rest evenly
            b = c = rest / (n - k)
        w = np.concatenate([np.full(k, a), np.full(n_b, b), np.full(n_c, c)])
        return w / w.sum()

    def share(s: float) -> float:
        w = ranks**-s
        return float(w[:k].sum() / w.sum())

    lo, hi = 0.0, 1.0
    while share(hi) < skew and hi < 64:
        hi *= 2
    for _ in range(60):  # bisection: share grows with s
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if share(mid) < skew else (lo, mid)
    w = ranks ** -((lo + hi) / 2)
    return w / w.sum()


# ---------------------------------------------------------------------- layout
def _layout(cfg: GeneratorConfig) -> tuple[ParallelAisleLayout, int]:
    """The smallest layout holding the requested slots, and the number of slots."""
    per_cell = 2 * cfg.levels
    wanted = cfg.n_locations or math.ceil(cfg.n_skus * (1 + cfg.spare_locations))
    cells = math.ceil(wanted / per_cell)
    aisles = cfg.n_aisles or max(
        1, math.ceil(math.sqrt(cells * cfg.cell_length / cfg.aisle_spacing))
    )
    per_block = max(1, math.ceil(cells / (aisles * cfg.n_blocks)))
    layout = ParallelAisleLayout(
        n_aisles=aisles,
        aisle_spacing=cfg.aisle_spacing,
        cells_per_block=per_block,
        cell_length=cfg.cell_length,
        n_blocks=cfg.n_blocks,
        cross_aisle_widths=cfg.cross_aisle_width,
        levels=cfg.levels,
    )
    return layout, wanted


def _slots(layout: ParallelAisleLayout, count: int) -> tuple[NDArray[np.int64], ...]:
    """Aisle, cell, side (0 left, 1 right) and level of the first ``count`` slots."""
    shape = (layout.n_aisles, layout.cells_per_aisle, 2, layout.levels)
    aisle, cell, side, level = (a.ravel()[:count] for a in np.indices(shape))
    return aisle, cell, side, level


def _depot(cfg: GeneratorConfig, layout: ParallelAisleLayout) -> Station:
    aisle = 0 if cfg.depot == "front-left" else (layout.n_aisles - 1) // 2
    return Station(id="depot", kind="depot", aisle=aisle, cross_aisle=layout.n_blocks)


# ---------------------------------------------------------------------- orders
def _draw(
    rng: np.random.Generator, cum: FloatArray, lo: NDArray[np.int64], hi: NDArray[np.int64]
) -> NDArray[np.int64]:
    """One SKU per entry, by popularity within the index range ``[lo, hi)`` (vectorised)."""
    base = np.where(lo > 0, cum[np.maximum(lo - 1, 0)], 0.0)
    top = cum[hi - 1]
    target = base + rng.random(len(lo)) * (top - base)
    idx = np.searchsorted(cum, target, side="right")
    return np.clip(idx, lo, hi - 1).astype(np.int64)


def _orders(
    cfg: GeneratorConfig, rng: np.random.Generator, popularity: FloatArray
) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int64]]:
    """Order index, SKU rank and quantity of every order line (distinct SKUs per order).

    Works in popularity-rank space, where an affinity group is a run of ``group_size``
    consecutive ranks.
    """
    n = len(popularity)
    if cfg.n_orders == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty
    cum = np.cumsum(popularity)
    cum /= cum[-1]
    cap = min(cfg.max_lines, n)
    sizes = np.minimum(1 + rng.poisson(cfg.lines_per_order - 1, cfg.n_orders), cap)
    order = np.repeat(np.arange(cfg.n_orders), sizes)
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    first = np.zeros(len(order), dtype=bool)
    first[starts] = True
    lo, hi = np.zeros(len(order), dtype=np.int64), np.full(len(order), n, dtype=np.int64)
    sku = _draw(rng, cum, lo, hi)
    group = sku[starts] // cfg.group_size
    in_group = ~first & (rng.random(len(order)) < cfg.affinity)
    lo[in_group] = np.repeat(group * cfg.group_size, sizes)[in_group]
    hi[in_group] = np.minimum(lo[in_group] + cfg.group_size, n)
    if in_group.any():
        sku[in_group] = _draw(rng, cum, lo[in_group], hi[in_group])
    dup = _repeated(order, sku, n)
    # Redraw an order's repeated SKUs: by popularity from the same range, then (one dominant
    # SKU can make that slow) uniformly from it, and last (a group may be too small) from all.
    for round_ in range(40):
        if not dup.any():
            break
        if round_ == 30:
            lo[dup], hi[dup] = 0, n
        if 5 <= round_ < 30:
            sku[dup] = lo[dup] + (rng.random(int(dup.sum())) * (hi[dup] - lo[dup])).astype(np.int64)
        else:
            sku[dup] = _draw(rng, cum, lo[dup], hi[dup])
        dup = _repeated(order, sku, n)
    keep = ~dup  # a tiny SKU universe: drop what stayed repeated
    quantity = 1 + rng.poisson(cfg.quantity_mean - 1, len(order))
    return order[keep], sku[keep], quantity[keep]


def _repeated(order: NDArray[np.int64], sku: NDArray[np.int64], n: int) -> NDArray[np.bool_]:
    """Lines whose SKU already appears earlier in the same order."""
    _, first_seen = np.unique(order * n + sku, return_index=True)
    dup = np.ones(len(order), dtype=bool)
    dup[first_seen] = False
    return dup


# ---------------------------------------------------------------------- the instance
def generate_instance(
    config: GeneratorConfig | None = None,
    *,
    seed: int = 0,
    progress: Progress | None = None,
) -> Instance:
    """Generate a synthetic warehouse instance.

    Parameters
    ----------
    config
        What to generate (defaults: :class:`GeneratorConfig`).
    seed
        Seed of every random draw: the same config and seed give the same instance.
    progress
        Called as ``progress(stage, fraction_done)`` while generating.

    Examples
    --------
    >>> inst = generate_instance(GeneratorConfig(n_skus=50, n_orders=20), seed=1)
    >>> len(inst.skus), len(inst.locations), len(inst.orders)
    (50, 60, 20)
    >>> inst == generate_instance(GeneratorConfig(n_skus=50, n_orders=20), seed=1)
    True
    """
    cfg = config or GeneratorConfig()
    report = progress or (lambda stage, done: None)
    rng = np.random.default_rng(seed)
    report("layout", 0.0)
    layout, n_slots = _layout(cfg)
    aisle, cell, side, level = _slots(layout, n_slots)
    depot = _depot(cfg, layout)
    width = len(str(layout.n_aisles - 1)), len(str(layout.cells_per_aisle - 1))
    sides = np.array(["L", "R"])[side]
    loc_ids = [
        f"A{a:0{width[0]}d}-C{c:0{width[1]}d}-{s}{lv}"
        for a, c, s, lv in zip(
            aisle.tolist(), cell.tolist(), sides.tolist(), level.tolist(), strict=True
        )
    ]
    locations = [
        Location(
            id=loc_ids[i],
            aisle=a,
            cell=c,
            side="left" if s == 0 else "right",
            level=lv,
            volume_capacity=cfg.location_volume,
            weight_capacity=cfg.location_weight,
        )
        for i, (a, c, s, lv) in enumerate(
            zip(aisle.tolist(), cell.tolist(), side.tolist(), level.tolist(), strict=True)
        )
    ]
    report("skus", 0.2)
    n = cfg.n_skus
    by_rank = demand_weights(n, cfg.skew, cfg.demand)
    rank = rng.permutation(n)  # SKU i has popularity rank rank[i]
    popularity = by_rank[rank]
    volume = np.minimum(
        rng.lognormal(math.log(cfg.unit_volume_median), cfg.unit_volume_sigma, n),
        cfg.location_volume / 4,
    )
    weight = np.minimum(
        volume * rng.lognormal(math.log(cfg.density_median), 0.5, n), cfg.location_weight / 4
    )
    volume, weight = np.maximum(np.round(volume, 3), 0.001), np.maximum(np.round(weight, 3), 0.001)
    lines_total = cfg.n_orders * cfg.lines_per_order
    pick_frequency = np.round(popularity * lines_total, 4)
    demand = np.round(pick_frequency * cfg.quantity_mean, 4)
    sku_ids = [f"SKU{i:0{len(str(n - 1))}d}" for i in range(n)]
    skus = [
        Sku(
            id=sku_ids[i],
            unit_volume=float(volume[i]),
            unit_weight=float(weight[i]),
            demand=float(demand[i]),
            pick_frequency=float(pick_frequency[i]),
            family=f"G{rank[i] // cfg.group_size}",
        )
        for i in range(n)
    ]
    report("orders", 0.4)
    order_idx, line_rank, quantity = _orders(cfg, rng, by_rank)
    line_sku = np.argsort(rank)[line_rank]  # back from popularity rank to SKU index
    release = np.sort(rng.uniform(0, cfg.horizon, cfg.n_orders))
    due = release + rng.uniform(cfg.due_slack[0], cfg.due_slack[1], cfg.n_orders)
    bounds = np.searchsorted(order_idx, np.arange(cfg.n_orders + 1))
    line_sku_list, qty_list = line_sku.tolist(), quantity.tolist()
    orders = [
        Order(
            id=f"O{o + 1:0{len(str(cfg.n_orders))}d}",
            lines=[
                OrderLine(sku=sku_ids[line_sku_list[j]], quantity=qty_list[j])
                for j in range(bounds[o], bounds[o + 1])
            ],
            release_time=round(float(release[o]), 1),
            due_time=round(float(due[o]), 1),
        )
        for o in range(cfg.n_orders)
        if bounds[o + 1] > bounds[o]
    ]
    report("assignment", 0.7)
    stock = _assignment(cfg, rng, layout, depot, (aisle, cell), popularity, volume, weight, demand)
    stock_records = [
        StockRecord(sku=sku_ids[s], location=loc_ids[slot], quantity=q) for s, slot, q in stock
    ]
    report("validation", 0.85)
    instance = Instance(
        name=f"generated-{n}skus-{cfg.n_orders}orders-{cfg.assignment}-seed{seed}",
        description=(
            f"synthetic parallel-aisle warehouse: {layout.n_aisles} aisles x {layout.n_blocks} "
            f"blocks x {layout.levels} levels, {cfg.demand} demand with skew {cfg.skew}, "
            f"{cfg.assignment} assignment"
        ),
        source=(
            f"smartwms generate, seed {seed}, config {cfg.model_dump_json(exclude_defaults=True)}"
        ),
        layout=layout,
        locations=locations,
        skus=skus,
        stock=stock_records,
        orders=orders,
        fleet=Fleet(pickers=[PickerClass(count=cfg.pickers, speed=cfg.picker_speed)]),
        stations=[depot],
    )
    report("done", 1.0)
    return instance


def _assignment(
    cfg: GeneratorConfig,
    rng: np.random.Generator,
    layout: ParallelAisleLayout,
    depot: Station,
    slots: tuple[NDArray[np.int64], NDArray[np.int64]],
    popularity: FloatArray,
    volume: FloatArray,
    weight: FloatArray,
    demand: FloatArray,
) -> list[tuple[int, int, int]]:
    """``(sku, slot, quantity)`` of the current assignment: one slot per SKU."""
    if cfg.assignment == "none":
        return []
    n = len(popularity)
    if len(slots[0]) < n:
        raise InstanceValidationError(
            [("n_locations", f"{len(slots[0])} slots cannot hold {n} SKUs (one slot each)")]
        )
    if cfg.assignment == "random":
        chosen = rng.permutation(len(slots[0]))[:n]
        sku_order = np.arange(n)
    else:
        # Poor on purpose: the fastest movers get the slots farthest from the depot.
        far = aisle_distances(
            layout,
            points_of(layout, [depot]),
            location_points(layout, slots[0].tolist(), slots[1].tolist()),
        )[0]
        tie_break = rng.random(len(far))
        chosen = np.lexsort((tie_break, -far))[:n]
        sku_order = np.argsort(-popularity, kind="stable")
    fits = np.floor(np.minimum(cfg.location_volume / volume, cfg.location_weight / weight))
    quantity = np.clip(np.ceil(demand * cfg.days_of_cover), 1, np.maximum(fits, 1)).astype(int)
    return [
        (int(s), int(slot), int(quantity[s]))
        for s, slot in zip(sku_order.tolist(), chosen.tolist(), strict=True)
    ]
