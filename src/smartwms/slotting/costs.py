"""Slot costs, SKU pick weights and eligibility, as arrays built once per solve.

A slot's cost per pick is its round-trip walking distance from the nearest depot or I/O point
(through :func:`smartwms.layout.distance_matrix`) plus an ergonomic penalty per level outside
the golden zone. A SKU's weight is its expected picks (order lines) per day. Eligibility is
computed between *SKU types* and *slot signatures* (the attributes that decide whether a SKU
fits a slot), which keeps it small even for 10,000 SKUs and 12,000 slots.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from functools import cached_property
from typing import Literal

import numpy as np
from numpy.typing import NDArray
from pydantic import Field

from smartwms.errors import InfeasibleError, InstanceValidationError
from smartwms.layout import distance_matrix
from smartwms.model import Instance
from smartwms.model.base import Frozen

__all__ = ["SkuTable", "SlotTable", "SlottingParams", "Tables", "build_tables", "fits"]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


class SlottingParams(Frozen):
    """Knobs of every slotting method (all optional).

    Parameters
    ----------
    weight
        What drives travel: ``frequency`` (order lines per day; ``pick_frequency`` of the SKU,
        else counted from the instance's orders), ``demand`` (units per day) or ``auto``
        (frequency where known, else demand).
    horizon_days
        Days covered by the instance's orders (turns order-line counts into a daily rate).
    ergonomic_weight
        Cost per pick, in length units, of every level a slot lies outside the golden zone.
    golden_levels
        Levels of the golden zone; default: every level but the floor and the top one when
        there are three or more levels, otherwise all of them.
    heavy_unit_weight
        SKUs with a unit weight at least this (kg) only go to levels ``<= heavy_max_level``.
    heavy_max_level
        Highest level a heavy SKU may occupy.
    cover_days
        Days of demand a slot must hold for a SKU that has no stock today.
    family_zones, hazard_zones
        Zones a family or a hazard class is restricted to.
    max_moves
        Re-slotting budget: at most this many moves from the current assignment.
    time_limit
        Seconds for the search methods (CP-SAT, local search).
    max_orders, affinity_scorer
        Affinity search: historical orders scored (the first ones) and how their tours are
        scored (``fast``: nearest neighbour + 2-opt; ``exact``: the exact router, slower).
    handling_s, picker_speed
        Labour of one move: ``handling_s`` plus the walk at ``picker_speed`` (m/s).
    """

    weight: Literal["auto", "frequency", "demand"] = "auto"
    horizon_days: float = Field(default=1.0, gt=0)
    ergonomic_weight: float = Field(default=0.1, ge=0)
    golden_levels: list[int] | None = None
    heavy_unit_weight: float = Field(default=20.0, gt=0)
    heavy_max_level: int = Field(default=0, ge=0)
    cover_days: float = Field(default=5.0, ge=0)
    family_zones: dict[str, list[str]] = Field(default_factory=dict)
    hazard_zones: dict[str, list[str]] = Field(default_factory=dict)
    max_moves: int | None = Field(default=None, ge=0)
    time_limit: float = Field(default=30.0, gt=0)
    handling_s: float = Field(default=180.0, ge=0)
    picker_speed: float = Field(default=1.0, gt=0)
    # CP-SAT side constraints
    group_families: bool = True
    segregate_hazards: bool = True
    aisle_balance: float | None = Field(
        default=None, gt=0, description="max share of the pick weight in one aisle (0..1]"
    )
    # affinity local search
    max_orders: int = Field(default=2000, ge=1)
    affinity_scorer: Literal["fast", "exact"] = "fast"


@dataclass(frozen=True)
class SlotTable:
    """Every location as arrays: cost per pick and the attributes that decide eligibility."""

    ids: list[str]
    travel: FloatArray
    ergonomic: FloatArray
    level: IntArray
    aisle: IntArray
    volume_capacity: FloatArray
    weight_capacity: FloatArray
    zone: list[str | None]
    signature: IntArray
    signatures: list[tuple[float, float, str | None, int]]

    @property
    def cost(self) -> FloatArray:
        """Cost per pick: travel plus the ergonomic penalty."""
        return self.travel + self.ergonomic

    def __len__(self) -> int:
        return len(self.ids)


@dataclass(frozen=True)
class SkuTable:
    """Every SKU as arrays: pick weight per day, space it needs, and its eligibility type.

    A type is a set of SKUs that fit exactly the same slot signatures (``patterns[t]``);
    ``types[t]`` describes it for messages (largest volume and weight, zones, heaviness).
    """

    ids: list[str]
    weight: FloatArray
    volume: FloatArray
    mass: FloatArray
    family: list[str | None]
    hazard: list[str | None]
    type: IntArray
    types: list[tuple[float, float, frozenset[str] | None, bool]]
    patterns: NDArray[np.bool_]

    def __len__(self) -> int:
        return len(self.ids)


@dataclass(frozen=True)
class Tables:
    """The arrays of one slotting problem and their eligibility matrix (types x signatures)."""

    instance: Instance
    params: SlottingParams
    skus: SkuTable
    slots: SlotTable
    eligible: NDArray[np.bool_]

    @cached_property
    def slot_position(self) -> dict[str, int]:
        """Index of every location id in the slot arrays."""
        return {loc: j for j, loc in enumerate(self.slots.ids)}

    @cached_property
    def sku_position(self) -> dict[str, int]:
        """Index of every SKU id in the SKU arrays."""
        return {sku: i for i, sku in enumerate(self.skus.ids)}

    def eligible_pair(self, sku: int, slot: int) -> bool:
        """Whether SKU index ``sku`` may be stored in slot index ``slot``."""
        return bool(self.eligible[self.skus.type[sku], self.slots.signature[slot]])


def build_tables(instance: Instance, params: SlottingParams) -> Tables:
    """Slot costs, SKU weights and eligibility of an instance."""
    if not instance.locations:
        raise InfeasibleError("the instance has no storage locations to slot into")
    slots = _slot_table(instance, params)
    skus = _sku_table(instance, params, slots)
    return Tables(instance, params, skus, slots, skus.patterns)


# ---------------------------------------------------------------------- slots
def _golden(levels: int, params: SlottingParams) -> tuple[int, int]:
    if params.golden_levels:
        return min(params.golden_levels), max(params.golden_levels)
    if levels >= 3:
        return 1, levels - 2
    return 0, levels - 1


def _slot_table(instance: Instance, params: SlottingParams) -> SlotTable:
    locations = instance.locations
    ids = [loc.id for loc in locations]
    depots = [st.id for st in instance.depots]
    if not depots:
        raise InstanceValidationError(
            [("stations", "slotting needs a station of kind 'depot' or 'io' to measure travel")]
        )
    out = distance_matrix(instance, depots, ids)
    back = distance_matrix(instance, ids, depots).T
    travel = np.min(out + back, axis=0)
    unreachable = ~np.isfinite(travel)
    if unreachable.any():
        bad = [ids[i] for i in np.flatnonzero(unreachable)[:5]]
        raise InstanceValidationError(
            [("locations", f"locations {bad} cannot be reached from any depot")]
        )
    level = np.asarray([loc.level for loc in locations], dtype=np.int64)
    lo, hi = _golden(int(level.max()) + 1, params)
    off = np.maximum(0, np.maximum(lo - level, level - hi)).astype(np.float64)
    vol = np.asarray(
        [np.inf if loc.volume_capacity is None else loc.volume_capacity for loc in locations]
    )
    wt = np.asarray(
        [np.inf if loc.weight_capacity is None else loc.weight_capacity for loc in locations]
    )
    zone = [loc.zone for loc in locations]
    aisle = np.asarray([-1 if loc.aisle is None else loc.aisle for loc in locations])
    low = (level <= params.heavy_max_level).astype(np.int64)
    keys = [(float(vol[i]), float(wt[i]), zone[i], int(low[i])) for i in range(len(ids))]
    signatures = sorted(set(keys), key=lambda k: (k[0], k[1], k[2] or "", k[3]))
    index = {k: i for i, k in enumerate(signatures)}
    return SlotTable(
        ids=ids,
        travel=travel.astype(np.float64),
        ergonomic=params.ergonomic_weight * off,
        level=level,
        aisle=aisle.astype(np.int64),
        volume_capacity=vol,
        weight_capacity=wt,
        zone=zone,
        signature=np.asarray([index[k] for k in keys], dtype=np.int64),
        signatures=signatures,
    )


# ---------------------------------------------------------------------- SKUs
def _sku_weights(instance: Instance, params: SlottingParams) -> FloatArray:
    lines: Counter[str] = Counter()
    for order in instance.orders:
        for line in order.lines:
            lines[line.sku] += 1
    out = []
    for sku in instance.skus:
        freq = (
            sku.pick_frequency
            if sku.pick_frequency is not None
            else (lines[sku.id] / params.horizon_days if instance.orders else None)
        )
        if params.weight == "demand" or (params.weight == "auto" and freq is None):
            out.append(sku.demand)
        else:
            out.append(0.0 if freq is None else freq)
    return np.asarray(out, dtype=np.float64)


def _sku_table(instance: Instance, params: SlottingParams, slots: SlotTable) -> SkuTable:
    quantity: defaultdict[str, float] = defaultdict(float)
    for rec in instance.stock:
        quantity[rec.sku] += rec.quantity
    volume, mass, keys = [], [], []
    for sku in instance.skus:
        units = quantity[sku.id] if sku.id in quantity else params.cover_days * sku.demand
        volume.append(units * sku.unit_volume)
        mass.append(units * sku.unit_weight)
        zones = set(sku.zones) if sku.zones is not None else None
        for restriction in (
            params.family_zones.get(sku.family or ""),
            params.hazard_zones.get(sku.hazard or ""),
        ):
            if restriction is not None:
                zones = set(restriction) if zones is None else zones & set(restriction)
        heavy = sku.unit_weight >= params.heavy_unit_weight
        keys.append((volume[-1], mass[-1], None if zones is None else frozenset(zones), heavy))
    raw = sorted(
        set(keys), key=lambda k: (k[0], k[1], sorted(k[2]) if k[2] is not None else [], k[3])
    )
    raw_index = {k: i for i, k in enumerate(raw)}
    raw_of = np.asarray([raw_index[k] for k in keys], dtype=np.int64)
    # SKUs that fit exactly the same slot signatures are one type, whatever their sizes: the
    # flow then has few SKU types even when every SKU has its own volume and weight.
    fit = np.asarray(
        [[fits(k, sig) is None for sig in slots.signatures] for k in raw], dtype=np.bool_
    ).reshape(len(raw), len(slots.signatures))
    patterns, pattern_of_raw = np.unique(fit, axis=0, return_inverse=True)
    pattern_of_raw = np.asarray(pattern_of_raw).reshape(-1)
    sku_type = pattern_of_raw[raw_of]
    volume_arr = np.asarray(volume, dtype=np.float64)
    mass_arr = np.asarray(mass, dtype=np.float64)
    types = []
    for t in range(len(patterns)):
        members = np.flatnonzero(sku_type == t)
        first = keys[int(members[0])]
        types.append(
            (
                float(volume_arr[members].max()),
                float(mass_arr[members].max()),
                first[2],
                first[3],
            )
        )
    return SkuTable(
        ids=[sku.id for sku in instance.skus],
        weight=_sku_weights(instance, params),
        volume=volume_arr,
        mass=mass_arr,
        family=[sku.family for sku in instance.skus],
        hazard=[sku.hazard for sku in instance.skus],
        type=sku_type.astype(np.int64),
        types=types,
        patterns=patterns.astype(np.bool_),
    )


def fits(
    sku_type: tuple[float, float, frozenset[str] | None, bool],
    signature: tuple[float, float, str | None, int],
) -> str | None:
    """Why a SKU type does not fit a slot signature, or ``None`` when it fits."""
    volume, mass, zones, heavy = sku_type
    cap_volume, cap_weight, zone, low = signature
    tol = 1e-9
    if volume > cap_volume * (1 + tol):
        return "volume"
    if mass > cap_weight * (1 + tol):
        return "weight"
    if zones is not None and zone not in zones:
        return "zone"
    if heavy and not low:
        return "heavy items low"
    return None
