"""Assignments by minimum-cost flow: the exact optimum and the classic baselines.

Every method here minimises ``sum_i w_i * c_slot(i)`` over eligible one-SKU-per-slot
assignments, for a choice of SKU weights ``w`` and slot costs ``c``:

- ``optimal``: ``w`` = picks per day, ``c`` = round trip + ergonomic penalty (exact);
- ``coi``: ``w`` = 1 / cube-per-order index (picks per unit of volume), the COI rule;
- ``abc``: ``w`` = 2/1/0 for classes A/B/C, ``c`` = zone rank, random within a class;
- ``random``: ``w`` = 0 (any eligible assignment), random within eligibility.

The flow is aggregated so it stays small: SKUs with the same eligibility type and the same
weight form one supply node, slots with the same eligibility signature and the same cost one
demand node (a class). A supply node only gets arcs to the classes within the cost window an
optimal assignment can use (see :func:`_arcs_worth_keeping`), which keeps an optimum.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np
from numpy.typing import NDArray
from ortools.graph.python import max_flow, min_cost_flow

from smartwms.errors import InfeasibleError
from smartwms.slotting.costs import Tables, fits

__all__ = ["abc_classes", "explain_infeasible", "flow_assign", "objective_of"]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
# Largest integer arc cost handed to OR-Tools (its cost scaling multiplies by the node count).
_MAX_ARC_COST = 1e12


def objective_of(tables: Tables, slot_of: IntArray, weight: FloatArray | None = None) -> float:
    """Expected travel per day of an assignment (``-1`` marks an unassigned SKU)."""
    w = tables.skus.weight if weight is None else weight
    placed = slot_of >= 0
    return float(np.sum(w[placed] * tables.slots.cost[slot_of[placed]]))


def flow_assign(
    tables: Tables,
    weight: FloatArray,
    cost: FloatArray,
    rng: np.random.Generator | None = None,
) -> IntArray:
    """Slot index of every SKU minimising ``sum weight * cost`` subject to eligibility.

    With ``rng``, SKUs within a supply node and slots within a demand node are matched in a
    random order (class-based and random storage); otherwise in index order (deterministic).
    """
    n, m = len(tables.skus), len(tables.slots)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    if n > m:
        raise InfeasibleError(explain_infeasible(tables))
    group_key = np.unique(
        np.stack([tables.skus.type.astype(np.float64), weight], axis=1),
        axis=0,
        return_inverse=True,
    )
    groups, group_of = group_key[0], np.asarray(group_key[1]).reshape(-1)
    class_key = np.unique(
        np.stack([tables.slots.signature.astype(np.float64), cost], axis=1),
        axis=0,
        return_inverse=True,
    )
    classes, class_of = class_key[0], np.asarray(class_key[1]).reshape(-1)
    group_size = np.bincount(group_of, minlength=len(groups))
    class_size = np.bincount(class_of, minlength=len(classes))
    tails, heads = [], []
    for g, ks in _arcs_worth_keeping(tables, groups, group_size, classes, class_size, n):
        tails.append(np.full(len(ks), g, dtype=np.int64))
        heads.append(ks)
    tail = np.concatenate(tails)
    head = np.concatenate(heads)
    arc_cost = groups[tail, 1] * classes[head, 1]
    top = float(arc_cost.max()) if len(arc_cost) else 0.0
    scale = 1e6 if top <= 0 else min(1e6, _MAX_ARC_COST / (top * max(n, 1)))
    n_groups, n_classes = len(groups), len(classes)
    sink = n_groups + n_classes
    flow = min_cost_flow.SimpleMinCostFlow()
    flow.add_arcs_with_capacity_and_unit_cost(
        tail, head + n_groups, group_size[tail], np.rint(arc_cost * scale).astype(np.int64)
    )
    flow.add_arcs_with_capacity_and_unit_cost(
        np.arange(n_classes) + n_groups,
        np.full(n_classes, sink),
        class_size,
        np.zeros(n_classes, dtype=np.int64),
    )
    supplies = np.zeros(sink + 1, dtype=np.int64)
    supplies[:n_groups] = group_size
    supplies[sink] = -n
    flow.set_nodes_supplies(np.arange(sink + 1), supplies)
    if flow.solve() != flow.OPTIMAL:
        raise InfeasibleError(explain_infeasible(tables))
    amounts = flow.flows(np.arange(len(tail)))
    return _disaggregate(tail, head, amounts, group_of, class_of, classes, rng)


def _arcs_worth_keeping(
    tables: Tables,
    groups: FloatArray,
    group_size: IntArray,
    classes: FloatArray,
    class_size: IntArray,
    n: int,
) -> list[tuple[int, IntArray]]:
    """Per supply node, the classes an optimal assignment may use (cost windows).

    Some optimum sorts every type by weight (heavier SKUs in cheaper slots: both fit either)
    and leaves no cheaper eligible slot free. So the SKU of rank ``r`` (by weight) within its
    type, ``n_T`` SKUs strong, pays at least the ``r``-th and at most the ``(r + n - n_T)``-th
    cheapest slot cost eligible to the type; arcs outside that window are left out.
    """
    signature = classes[:, 0].astype(np.int64)
    cost = classes[:, 1]
    order = np.lexsort((signature, cost))
    type_of = groups[:, 0].astype(np.int64)
    out: list[tuple[int, IntArray]] = []
    for t in np.unique(type_of).tolist():
        ok = order[tables.eligible[t, signature[order]]]
        cum = np.cumsum(class_size[ok])
        members = np.flatnonzero(type_of == t)
        members = members[np.argsort(-groups[members, 1], kind="stable")]
        n_t = int(group_size[members].sum())
        if len(ok) == 0:  # fits nowhere: no arcs, the flow fails and says why
            out.extend((g, ok.astype(np.int64)) for g in members.tolist())
            continue
        rank = 0
        for g in members.tolist():
            first, last = rank + 1, rank + int(group_size[g]) + (n - n_t)
            rank += int(group_size[g])
            lo = cost[ok[min(int(np.searchsorted(cum, first)), len(ok) - 1)]]
            hi = cost[ok[min(int(np.searchsorted(cum, last)), len(ok) - 1)]]
            window = ok[(cost[ok] >= lo) & (cost[ok] <= hi)]
            out.append((g, window.astype(np.int64)))
    return out


def _disaggregate(
    tail: IntArray,
    head: IntArray,
    amounts: IntArray,
    group_of: IntArray,
    class_of: IntArray,
    classes: FloatArray,
    rng: np.random.Generator | None,
) -> IntArray:
    members: dict[int, list[int]] = defaultdict(list)
    for i, g in enumerate(group_of.tolist()):
        members[g].append(i)
    slots: dict[int, list[int]] = defaultdict(list)
    for j, k in enumerate(class_of.tolist()):
        slots[k].append(j)
    if rng is not None:
        for key in sorted(members):
            rng.shuffle(members[key])
        for key in sorted(slots):
            rng.shuffle(slots[key])
    slot_of = np.full(len(group_of), -1, dtype=np.int64)
    used = np.flatnonzero(amounts > 0)
    # Cheapest classes first, so within a supply node the SKUs keep their index order.
    used = used[np.lexsort((head[used], classes[head[used], 1], tail[used]))]
    taken: dict[int, int] = defaultdict(int)
    given: dict[int, int] = defaultdict(int)
    for arc in used.tolist():
        g, k, amount = int(tail[arc]), int(head[arc]), int(amounts[arc])
        for _ in range(amount):
            sku = members[g][given[g]]
            slot_of[sku] = slots[k][taken[k]]
            given[g] += 1
            taken[k] += 1
    return slot_of


def abc_classes(weight: FloatArray, shares: tuple[float, float] = (0.8, 0.95)) -> IntArray:
    """Class 0 (A), 1 (B) or 2 (C) of every SKU by cumulative share of the pick weight."""
    order = np.lexsort((np.arange(len(weight)), -weight))
    total = float(weight.sum())
    out = np.full(len(weight), 2, dtype=np.int64)
    if total <= 0:
        return out
    before = (np.cumsum(weight[order]) - weight[order]) / total
    out[order] = np.where(before < shares[0], 0, np.where(before < shares[1], 1, 2))
    return out


# ---------------------------------------------------------------------- infeasibility
def _describe_type(tables: Tables, t: int) -> str:
    volume, mass, zones, heavy = tables.skus.types[t]
    parts = []
    if volume > 0:
        parts.append(f"volume {volume:g}")
    if mass > 0:
        parts.append(f"weight {mass:g}")
    if zones is not None:
        parts.append(f"zones {sorted(zones)}")
    if heavy:
        parts.append(f"heavy (levels <= {tables.params.heavy_max_level})")
    return ", ".join(parts) or "no restriction"


def _no_fit_reason(tables: Tables, t: int) -> str:
    reasons: dict[str, int] = defaultdict(int)
    for sig in tables.slots.signatures:
        why = fits(tables.skus.types[t], sig)
        if why is not None:
            reasons[why] += 1
    volume, mass, _zones, _heavy = tables.skus.types[t]
    slots = tables.slots
    detail = {
        "volume": f"needs volume {volume:g} but the largest volume_capacity is "
        f"{float(np.max(slots.volume_capacity)):g}",
        "weight": f"needs weight {mass:g} but the largest weight_capacity is "
        f"{float(np.max(slots.weight_capacity)):g}",
        "zone": "no location lies in its allowed zones",
        "heavy items low": "is heavy and no location is low enough",
    }
    return "; ".join(detail[r] for r in sorted(reasons, key=lambda r: -reasons[r]))


def explain_infeasible(tables: Tables) -> str:
    """Which constraint makes the assignment infeasible, in words (names SKUs and counts)."""
    n, m = len(tables.skus), len(tables.slots)
    if n > m:
        return f"{n} SKUs but only {m} storage locations (one SKU per location)"
    type_size = np.bincount(tables.skus.type, minlength=len(tables.skus.types))
    sig_size = np.bincount(tables.slots.signature, minlength=len(tables.slots.signatures))
    for t in range(len(tables.skus.types)):
        if type_size[t] and not tables.eligible[t].any():
            first = tables.skus.ids[int(np.flatnonzero(tables.skus.type == t)[0])]
            more = f" (and {type_size[t] - 1} more like it)" if type_size[t] > 1 else ""
            return f"SKU {first!r}{more} fits no location: {_no_fit_reason(tables, t)}"
    # Hall's condition: a minimum cut of the type -> signature graph names the SKU kinds that
    # compete for too few eligible locations.
    n_t, n_s = len(type_size), len(sig_size)
    source, sink = n_t + n_s, n_t + n_s + 1
    graph = max_flow.SimpleMaxFlow()
    for t in range(n_t):
        graph.add_arc_with_capacity(source, t, int(type_size[t]))
        for s in np.flatnonzero(tables.eligible[t]).tolist():
            graph.add_arc_with_capacity(t, n_t + s, n)
    for s in range(n_s):
        graph.add_arc_with_capacity(n_t + s, sink, int(sig_size[s]))
    graph.solve(source, sink)
    if graph.optimal_flow() >= n:
        return "no feasible assignment (eligibility constraints conflict)"
    side = set(graph.get_source_side_min_cut())
    kinds = [t for t in range(n_t) if t in side and type_size[t]]
    skus = int(sum(type_size[t] for t in kinds))
    reachable = np.asarray(tables.eligible[kinds]).any(axis=0)
    usable = int(sig_size[reachable].sum())
    described = "; ".join(f"{type_size[t]} SKU(s) with {_describe_type(tables, t)}" for t in kinds)
    return (
        f"{skus} SKUs compete for only {usable} eligible locations: {described} "
        "(check volume/weight capacities, zones, and the heavy-items-low rule)"
    )
