"""Side constraints of slotting, and a start that satisfies all of them by construction.

The four side constraints of :mod:`smartwms.slotting.cpsat`:

- family grouping: a family's SKUs lie in one window of adjacent aisles, as narrow as the
  family's size allows (``ceil(size / slots of the smallest aisle)`` aisles);
- hazard segregation: an aisle holds SKUs of at most one hazard class;
- aisle balance: no aisle carries more than ``aisle_balance`` of the total pick weight;
- move budget: the move plan from today's stock has at most ``max_moves`` moves.

:func:`constrained_start` builds an assignment that meets all four, fast, so CP-SAT starts
from a feasible solution. It first fixes an *aisle plan*: a window per family and a hazard
class per aisle, chosen where the reference assignment (today's stock under a budget, the
exact optimum otherwise) already has them, so few SKUs must move. With the plan fixed, any
mix of two assignments that respect it respects families and hazards too; the balance cap
is kept by pricing aisle load (Lagrangian multipliers on the exact min-cost flow) and by
checking every step of the budgeted cut.

Under a budget the start is: repair today's stock (move only the SKUs that break the plan
and the cap, into free slots), then spend what is left of the budget on the moves towards
the best plan-respecting assignment that save the most travel per second of labour. When
the repair alone needs more moves than the budget, lower bounds per constraint say which
one cannot be met.
"""

from __future__ import annotations

import math
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np
from numpy.typing import NDArray
from ortools.graph.python import min_cost_flow

from smartwms.errors import InfeasibleError
from smartwms.slotting.assign import flow_assign, objective_of
from smartwms.slotting.costs import Tables
from smartwms.slotting.moves import limit_moves, moves_needed

__all__ = [
    "NoStartFound",
    "Side",
    "balance_admission",
    "budget_flow",
    "budget_lower_bounds",
    "budgeted_optimum",
    "constrained_start",
    "side_of",
    "side_problems",
]

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]
Allowed = list[frozenset[int] | None]
_TOL = 1e-9
# Lagrangian rounds that price aisle load into the slot costs (one min-cost flow each).
_PRICE_ROUNDS = 12


class NoStartFound(InfeasibleError):
    """The constructive start failed, which does not prove that no plan exists."""


@dataclass(frozen=True)
class Side:
    """The side constraints of one problem, resolved against its slots."""

    aisles: list[int]
    families: dict[str, list[int]]
    width: dict[str, int]
    segregate: bool
    cap: float | None
    max_moves: int | None

    def position(self, aisle: int) -> int:
        """Rank of ``aisle`` among the aisles that hold slots (windows are runs of ranks)."""
        return self.aisles.index(aisle)


def side_of(tables: Tables) -> Side:
    """Families, window widths, hazard switch, balance cap and budget of ``tables``."""
    params = tables.params
    slots = tables.slots
    aisles = sorted(set(slots.aisle.tolist()))
    capacity = [int(np.sum(slots.aisle == a)) for a in aisles]
    smallest = max(1, min(capacity))
    families: dict[str, list[int]] = defaultdict(list)
    if params.group_families and len(aisles) >= 2:
        for i, fam in enumerate(tables.skus.family):
            if fam is not None:
                families[fam].append(i)
    width = {f: min(len(aisles), math.ceil(len(m) / smallest)) for f, m in families.items()}
    classes = {h for h in tables.skus.hazard if h is not None}
    segregate = params.segregate_hazards and len(classes) >= 2
    share = params.aisle_balance
    cap = None
    if share is not None and len(aisles) >= 2:
        cap = share * float(tables.skus.weight.sum())
    return Side(aisles, dict(families), width, segregate, cap, params.max_moves)


def _loads(tables: Tables, side: Side, slot_of: IntArray) -> FloatArray:
    rank = np.searchsorted(side.aisles, tables.slots.aisle[slot_of])
    loads = np.bincount(rank, weights=tables.skus.weight, minlength=len(side.aisles))
    return loads.astype(np.float64)


def side_problems(
    tables: Tables, side: Side, slot_of: IntArray, current: IntArray | None = None
) -> list[str]:
    """How ``slot_of`` breaks the side constraints (empty when it meets all of them)."""
    problems: list[str] = []
    aisle_of = tables.slots.aisle[slot_of]
    for fam, members in sorted(side.families.items()):
        ranks = [side.position(int(a)) for a in set(aisle_of[members].tolist())]
        if max(ranks) - min(ranks) + 1 > side.width[fam]:
            problems.append(f"family {fam!r} spans more than {side.width[fam]} adjacent aisles")
    if side.segregate:
        held: dict[int, set[str]] = defaultdict(set)
        for i, h in enumerate(tables.skus.hazard):
            if h is not None:
                held[int(aisle_of[i])].add(h)
        problems.extend(
            f"aisle {a} holds hazard classes {sorted(h)}" for a, h in held.items() if len(h) > 1
        )
    if side.cap is not None:
        loads = _loads(tables, side, slot_of)
        for r in np.flatnonzero(loads > side.cap * (1 + _TOL) + _TOL).tolist():
            problems.append(f"aisle {side.aisles[r]} carries {loads[r]:.4g} > cap {side.cap:.4g}")
    if side.max_moves is not None and current is not None:
        needed = moves_needed(current, slot_of)
        if needed > side.max_moves:
            problems.append(f"the plan needs {needed} moves > budget {side.max_moves}")
    return problems


# ---------------------------------------------------------------------- aisle plan
def _hazard_labels(
    tables: Tables, side: Side, reference: IntArray, score: FloatArray
) -> dict[int, str]:
    """A hazard class per aisle where the reference keeps most of that class already."""
    if not side.segregate:
        return {}
    skus, slots = tables.skus, tables.slots
    held: dict[tuple[int, str], float] = defaultdict(float)
    count: dict[str, int] = defaultdict(int)
    for i, h in enumerate(skus.hazard):
        if h is not None:
            held[(int(slots.aisle[reference[i]]), h)] += float(score[i])
            count[h] += 1
    labels: dict[int, str] = {}
    for (a, h), _s in sorted(held.items(), key=lambda kv: (-kv[1], kv[0])):
        labels.setdefault(a, h)
    room = {a: int(np.sum(slots.aisle == a)) for a in side.aisles}
    for h in sorted(count):
        # Enough aisles for the class (a class never left without an aisle).
        while sum(room[a] for a, lab in labels.items() if lab == h) < count[h]:
            free = [a for a in side.aisles if a not in labels]
            if not free:
                raise InfeasibleError(
                    f"hazards: {len(count)} hazard classes {sorted(count)} need separate "
                    f"aisles but there are only {len(side.aisles)} aisles for "
                    f"{sum(count.values())} hazardous SKUs"
                )
            labels[max(free, key=lambda a: (room[a], -a))] = h
    return labels


def aisle_plan(tables: Tables, side: Side, reference: IntArray, score: FloatArray) -> Allowed:
    """Aisles each SKU may use: its family's window, its hazard class's aisles.

    Windows and hazard labels go where ``reference`` already has the most ``score`` (SKU
    count to save moves, pick weight to stay near the optimum).
    """
    skus, slots = tables.skus, tables.slots
    labels = _hazard_labels(tables, side, reference, score)
    allowed: Allowed = [None] * len(skus)
    if side.segregate:
        for i, h in enumerate(skus.hazard):
            if h is not None:
                allowed[i] = frozenset(a for a, lab in labels.items() if lab == h)
    ref_rank = np.searchsorted(side.aisles, slots.aisle[reference])
    # Slots per aisle not yet promised to a family (a window must hold its whole family).
    room = np.bincount(np.searchsorted(side.aisles, slots.aisle), minlength=len(side.aisles))
    load = np.zeros(len(side.aisles))  # pick weight promised to families (balance cap)
    order = sorted(side.families, key=lambda f: (-float(score[side.families[f]].sum()), f))
    for fam in order:
        members = side.families[fam]
        width = side.width[fam]
        weight = float(skus.weight[members].sum())
        classes = sorted({h for i in members if (h := skus.hazard[i]) is not None})
        if not side.segregate:
            classes = []
        best: tuple[float, int, dict[str, int]] | None = None
        for start in range(len(side.aisles) - width + 1):
            window = side.aisles[start : start + width]
            chosen = _labels_for(classes, window, labels, members, skus.hazard, ref_rank, side)
            if chosen is None or room[start : start + width].sum() < len(members):
                continue
            if side.cap is not None and load[start : start + width].sum() + weight > (
                side.cap * width
            ):
                continue
            inside = float(sum(score[i] for i in members if start <= ref_rank[i] < start + width))
            if best is None or inside > best[0]:
                best = (inside, start, chosen)
        if best is None:
            raise _no_window(tables, side, fam, classes, weight, labels)
        _, start, chosen = best
        _promise(room, start, width, members, ref_rank)
        load[start : start + width] += weight / width
        window_set = frozenset(side.aisles[start : start + width])
        for h, a in chosen.items():
            labels[a] = h
        for i in members:
            h = skus.hazard[i]
            allowed[i] = frozenset([chosen[h]]) if side.segregate and h is not None else window_set
    if side.segregate:
        # Labels given to families may add aisles to a class.
        for i, h in enumerate(skus.hazard):
            if h is not None and skus.family[i] not in side.families:
                allowed[i] = frozenset(a for a, lab in labels.items() if lab == h)
    return allowed


def _no_window(
    tables: Tables,
    side: Side,
    fam: str,
    classes: list[str],
    weight: float,
    labels: dict[int, str],
) -> InfeasibleError:
    """Why no window fits a family: proven conflicts first, else a failed greedy choice."""
    width = side.width[fam]
    total = float(tables.skus.weight.sum())
    if side.cap is not None and weight > side.cap * width * (1 + _TOL):
        return InfeasibleError(
            f"families and aisle balance conflict: family {fam!r} draws "
            f"{100 * weight / total:.1f} % of the picks but must fit in {width} adjacent "
            f"aisle(s) of at most {100 * side.cap / total:.1f} % each; raise --aisle-balance "
            "or drop family grouping (--no-families)"
        )
    if len(classes) > width:
        return InfeasibleError(
            f"families and hazards conflict: family {fam!r} holds hazard classes {classes} "
            f"but must fit in {width} adjacent aisle(s), each holding one class"
        )
    return NoStartFound(
        f"families: no window of {width} aisle(s) has room left for family {fam!r} "
        f"(hazard classes {classes}, aisle labels so far {len(labels)})"
    )


def _promise(
    room: IntArray, start: int, width: int, members: list[int], ref_rank: IntArray
) -> None:
    """Take a family's slots from the room of its window: where its SKUs are, then the most."""
    left = len(members)
    for r in range(start, start + width):
        here = min(int(room[r]), sum(1 for i in members if ref_rank[i] == r))
        room[r] -= here
        left -= here
    while left > 0:
        r = start + int(np.argmax(room[start : start + width]))
        take = min(left, int(room[r]))
        room[r] -= take
        left -= take


def _labels_for(
    classes: list[str],
    window: list[int],
    labels: dict[int, str],
    members: list[int],
    hazard: list[str | None],
    ref_rank: IntArray,
    side: Side,
) -> dict[str, int] | None:
    """An aisle of the window for each hazard class of a family (labelled or still free)."""
    chosen: dict[str, int] = {}
    for h in classes:
        here = [a for a in window if labels.get(a) == h and a not in chosen.values()]
        free = [a for a in window if a not in labels and a not in chosen.values()]
        options = here or free
        if not options:
            return None
        # The aisle where most of the family's class-h SKUs already are.
        held: dict[int, int] = defaultdict(int)
        for i in members:
            if hazard[i] == h:
                held[side.aisles[int(ref_rank[i])]] += 1
        chosen[h] = max(options, key=lambda a: (held[a], -a))
    return chosen


# ---------------------------------------------------------------------- flows
def pinned_flow(tables: Tables, allowed: Allowed, cost: FloatArray) -> IntArray:
    """Exact min ``sum weight x cost`` with every SKU restricted to its allowed aisles."""
    skus, slots = tables.skus, tables.slots
    sets = sorted({a for a in allowed if a is not None}, key=sorted)
    set_id = {s: k for k, s in enumerate(sets)}
    pins = [-1 if a is None else set_id[a] for a in allowed]
    sig_keys = sorted(set(zip(slots.signature.tolist(), slots.aisle.tolist(), strict=True)))
    sig_index = {k: j for j, k in enumerate(sig_keys)}
    type_keys = sorted(set(zip(skus.type.tolist(), pins, strict=True)))
    type_index = {k: t for t, k in enumerate(type_keys)}
    eligible = np.asarray(
        [
            [tables.eligible[t, sig] and (pin < 0 or aisle in sets[pin]) for sig, aisle in sig_keys]
            for t, pin in type_keys
        ],
        dtype=np.bool_,
    ).reshape(len(type_keys), len(sig_keys))
    pinned = replace(
        tables,
        skus=replace(
            skus,
            type=np.asarray([type_index[(int(skus.type[i]), pins[i])] for i in range(len(skus))]),
            types=[skus.types[t] for t, _pin in type_keys],
            patterns=eligible,
        ),
        slots=replace(
            slots,
            signature=np.asarray(
                [
                    sig_index[k]
                    for k in zip(slots.signature.tolist(), slots.aisle.tolist(), strict=True)
                ]
            ),
        ),
        eligible=eligible,
    )
    if not sets:
        return flow_assign(pinned, skus.weight, cost)
    try:
        return flow_assign(pinned, skus.weight, cost)
    except InfeasibleError as exc:
        raise NoStartFound(
            "families and hazards: the aisles chosen for the families and hazard classes "
            f"have too few eligible slots ({exc})"
        ) from None


def balanced_flow(
    tables: Tables, side: Side, allowed: Allowed, deadline: float | None = None
) -> IntArray:
    """The pinned flow with aisle load priced until every aisle is under the cap.

    Each round adds a price per unit of pick weight to the slots of the aisles that were
    over the cap (a subgradient step on the Lagrangian of the balance constraint); the best
    assignment under the cap wins. What is still over the cap is moved to free slots.
    """
    return _priced_flow(tables, side, allowed, deadline)[0]


def _priced_flow(
    tables: Tables, side: Side, allowed: Allowed, deadline: float | None = None
) -> tuple[IntArray, FloatArray]:
    """:func:`balanced_flow` and the aisle prices (per unit of pick weight) it used."""
    cost = tables.slots.cost
    price = np.zeros(len(side.aisles))
    if side.cap is None:
        return pinned_flow(tables, allowed, cost), price
    rank = np.searchsorted(side.aisles, tables.slots.aisle)
    step = float(np.median(cost)) or 1.0
    best: tuple[float, IntArray, FloatArray] | None = None
    last = None
    for _round in range(_PRICE_ROUNDS):
        slot_of = pinned_flow(tables, allowed, cost + price[rank])
        last = slot_of
        over = _loads(tables, side, slot_of) - side.cap
        if np.all(over <= side.cap * _TOL):
            value = objective_of(tables, slot_of)
            if best is None or value < best[0]:
                best = (value, slot_of, price.copy())
        price = np.maximum(0.0, price + step * over / side.cap)
        step *= 0.7
        if deadline is not None and time.monotonic() > deadline:
            break
    if best is not None:
        return best[1], best[2]
    assert last is not None
    return rebalance(tables, side, allowed, last), price


def budget_flow(
    tables: Tables,
    side: Side,
    allowed: Allowed,
    current: IntArray,
    move_price: float,
    aisle_price: FloatArray,
) -> IntArray:
    """Best assignment when every move costs ``move_price`` per second of its labour.

    A min-cost flow over slot buckets (the slots of one aisle and signature, in cost bands):
    a SKU keeps its slot at its exact cost, or moves to a bucket it may use at the bucket's
    mean cost plus the priced labour; aisle load is priced by ``aisle_price``. Movers then
    take their bucket's free slots, heaviest to cheapest. Pricing the labour (a Lagrangian
    of the move budget) makes the flow keep the moves that save most per second of labour.
    """
    skus, slots = tables.skus, tables.slots
    params = tables.params
    n, w = len(skus), skus.weight
    rank = np.searchsorted(side.aisles, slots.aisle)
    bucket_of, members = _bands(tables)
    n_buckets = len(members)
    b_cost = np.asarray([float(np.mean(slots.cost[m])) for m in members])
    b_sig = np.asarray([int(slots.signature[m[0]]) for m in members])
    b_aisle = np.asarray([int(slots.aisle[m[0]]) for m in members])
    b_rank = np.searchsorted(side.aisles, b_aisle)
    tails: list[IntArray] = []
    heads: list[IntArray] = []
    costs: list[FloatArray] = []
    options: dict[tuple[int, frozenset[int] | None], IntArray] = {}
    stay_arc = np.full(n, -1)  # arc index of each SKU's stay arc
    count = 0
    for i in range(n):
        key = (int(skus.type[i]), allowed[i])
        if key not in options:
            ok = tables.eligible[key[0], b_sig]
            if key[1] is not None:
                ok = ok & np.isin(b_aisle, list(key[1]))
            options[key] = np.flatnonzero(ok)
        opts = options[key]
        here = int(current[i])
        walk = np.abs(b_cost[opts] - slots.cost[here]) / 2 if here >= 0 else 0.0
        labour = params.handling_s + walk / params.picker_speed
        tails.append(np.full(len(opts), i))
        heads.append(n + opts)
        costs.append(w[i] * (b_cost[opts] + aisle_price[b_rank[opts]]) + move_price * labour)
        count += len(opts)
        mine = allowed[i]
        if (
            here >= 0
            and tables.eligible_pair(i, here)
            and (mine is None or int(slots.aisle[here]) in mine)
        ):
            tails.append(np.asarray([i]))
            heads.append(np.asarray([n + int(bucket_of[here])]))
            costs.append(np.asarray([w[i] * (slots.cost[here] + aisle_price[rank[here]])]))
            stay_arc[i] = count
            count += 1
    sink = n + n_buckets
    tail = np.concatenate([*tails, n + np.arange(n_buckets)])
    head = np.concatenate([*heads, np.full(n_buckets, sink)])
    cost = np.concatenate([*costs, np.zeros(n_buckets)])
    caps = np.ones(len(tail), dtype=np.int64)
    caps[count:] = [len(m) for m in members]
    top = float(np.max(np.abs(cost))) or 1.0
    flow = min_cost_flow.SimpleMinCostFlow()
    arcs = flow.add_arcs_with_capacity_and_unit_cost(
        tail, head, caps, np.rint(cost * (1e9 / (top * max(n, 1)))).astype(np.int64)
    )
    supplies = np.zeros(sink + 1, dtype=np.int64)
    supplies[:n] = 1
    supplies[sink] = -n
    flow.set_nodes_supplies(np.arange(sink + 1), supplies)
    if flow.solve() != flow.OPTIMAL:
        raise NoStartFound("move budget: the budgeted flow has no solution")
    used = flow.flows(arcs)[:count] > 0
    slot_of = np.full(n, -1, dtype=np.int64)
    taken = np.zeros(len(slots), dtype=np.bool_)
    movers: dict[int, list[int]] = defaultdict(list)
    for k in np.flatnonzero(used).tolist():
        i = int(tail[k])
        if stay_arc[i] == k:
            slot_of[i] = current[i]
            taken[current[i]] = True
        else:
            movers[int(head[k]) - n].append(i)
    for b, group in sorted(movers.items()):
        room = [j for j in members[b] if not taken[j]]
        for i, j in zip(sorted(group, key=lambda i: (-w[i], i)), room, strict=False):
            slot_of[i] = j
            taken[j] = True
    return slot_of


def _bands(tables: Tables, size: int = 12) -> tuple[IntArray, list[list[int]]]:
    """Slot buckets: one aisle and signature, cut by cost into runs of at most ``size``."""
    slots = tables.slots
    groups: dict[tuple[int, int], list[int]] = defaultdict(list)
    for j in np.lexsort((np.arange(len(slots)), slots.cost)).tolist():
        groups[(int(slots.aisle[j]), int(slots.signature[j]))].append(j)
    bucket_of = np.zeros(len(slots), dtype=np.int64)
    members: list[list[int]] = []
    for key in sorted(groups):
        ordered = groups[key]
        for start in range(0, len(ordered), size):
            for j in ordered[start : start + size]:
                bucket_of[j] = len(members)
            members.append(ordered[start : start + size])
    return bucket_of, members


def rebalance(tables: Tables, side: Side, allowed: Allowed, slot_of: IntArray) -> IntArray:
    """Move SKUs out of over-cap aisles into free slots, cheapest extra travel per load first.

    Raises
    ------
    InfeasibleError
        When an aisle stays over the cap and no SKU of it can go anywhere else.
    """
    assert side.cap is not None
    skus, slots = tables.skus, tables.slots
    slot_of = slot_of.copy()
    rank = np.searchsorted(side.aisles, slots.aisle)
    w, cost = skus.weight, slots.cost
    loads = _loads(tables, side, slot_of)
    used = np.zeros(len(slots), dtype=np.bool_)
    used[slot_of] = True
    while True:
        a = int(np.argmax(loads - side.cap))
        excess = float(loads[a] - side.cap)
        if excess <= side.cap * _TOL:
            return slot_of
        inside = np.flatnonzero((rank[slot_of] == a) & (w > 0))
        empty = np.flatnonzero(~used)
        best: tuple[float, int, int] | None = None
        if len(inside) and len(empty):
            ok = tables.eligible[skus.type[inside]][:, slots.signature[empty]]
            ok &= rank[empty][None, :] != a
            ok &= loads[rank[empty]][None, :] + w[inside][:, None] <= side.cap * (1 + _TOL)
            for r, i in enumerate(inside.tolist()):
                aisles = allowed[i]
                if aisles is not None:
                    ok[r] &= np.isin(slots.aisle[empty], list(aisles))
            rows, cols = np.nonzero(ok)
            if len(rows):
                i_s, j_s = inside[rows], empty[cols]
                extra = w[i_s] * (cost[j_s] - cost[slot_of[i_s]])
                per_load = extra / np.minimum(w[i_s], excess)
                k = int(np.lexsort((j_s, i_s, per_load))[0])
                best = (float(per_load[k]), int(i_s[k]), int(j_s[k]))
        if best is None:
            raise NoStartFound(
                f"aisle balance: aisle {side.aisles[a]} carries {loads[a]:.4g} of the pick "
                f"weight, over the cap {side.cap:.4g}, and none of its SKUs can move to a "
                "free eligible slot of another aisle under the cap"
            )
        _, i, j = best
        used[slot_of[i]] = False
        used[j] = True
        loads[a] -= w[i]
        loads[rank[j]] += w[i]
        slot_of[i] = j


# ---------------------------------------------------------------------- budget
def budget_lower_bounds(tables: Tables, side: Side, current: IntArray) -> dict[str, int]:
    """Moves each side constraint needs at least, from today's stock (each bound is proven).

    ``families``: per family, its SKUs outside the best window; ``hazards``: per aisle, the
    hazardous SKUs not of its most frequent class; ``aisle balance``: per over-cap aisle,
    the fewest SKUs whose weights cover the excess.
    """
    skus, slots = tables.skus, tables.slots
    rank = np.searchsorted(side.aisles, slots.aisle[current])
    out = {"families": 0, "hazards": 0, "aisle balance": 0}
    for fam, members in side.families.items():
        width = side.width[fam]
        here = np.bincount(rank[members], minlength=len(side.aisles))
        best = max(int(here[s : s + width].sum()) for s in range(len(side.aisles) - width + 1))
        out["families"] += len(members) - best
    if side.segregate:
        per: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        for i, h in enumerate(skus.hazard):
            if h is not None:
                per[int(rank[i])][h] += 1
        out["hazards"] = sum(sum(c.values()) - max(c.values()) for c in per.values())
    if side.cap is not None:
        loads = _loads(tables, side, current)
        for r in np.flatnonzero(loads > side.cap * (1 + _TOL)).tolist():
            heavy = np.sort(skus.weight[rank == r])[::-1]
            need = int(np.searchsorted(np.cumsum(heavy), loads[r] - side.cap * (1 + _TOL)))
            out["aisle balance"] += need + 1
    return out


def _repair(tables: Tables, side: Side, allowed: Allowed, current: IntArray) -> IntArray:
    """Today's stock with the fewest SKUs moved so that each lies in its allowed aisles.

    A min-cost flow: every SKU either keeps its slot (free, when the slot is allowed) or
    moves to a slot class (signature x aisle) it may use (one unit of cost per move); the
    movers of a class then take its free slots, heaviest SKU to cheapest slot. Aisle balance
    is restored afterwards by :func:`rebalance`.
    """
    skus, slots = tables.skus, tables.slots
    n, m = len(skus), len(slots)
    keys = sorted(set(zip(slots.signature.tolist(), slots.aisle.tolist(), strict=True)))
    class_index = {k: c for c, k in enumerate(keys)}
    class_of = np.asarray(
        [class_index[k] for k in zip(slots.signature.tolist(), slots.aisle.tolist(), strict=True)]
    )
    class_sig = np.asarray([k[0] for k in keys])
    class_aisle = np.asarray([k[1] for k in keys])
    n_classes = len(keys)
    slot_node = n + n_classes
    sink = slot_node + m
    tails: list[IntArray] = []
    heads: list[IntArray] = []
    costs: list[IntArray] = []
    options: dict[tuple[int, frozenset[int] | None], IntArray] = {}
    for i in range(n):
        key = (int(skus.type[i]), allowed[i])
        if key not in options:
            ok = tables.eligible[key[0], class_sig]
            if key[1] is not None:
                ok = ok & np.isin(class_aisle, list(key[1]))
            options[key] = np.flatnonzero(ok)
        cls = options[key]
        tails.append(np.full(len(cls), i))
        heads.append(n + cls)
        costs.append(np.ones(len(cls), dtype=np.int64))
        j = int(current[i])
        mine = allowed[i]
        if tables.eligible_pair(i, j) and (mine is None or int(slots.aisle[j]) in mine):
            tails.append(np.asarray([i]))
            heads.append(np.asarray([slot_node + j]))
            costs.append(np.zeros(1, dtype=np.int64))
    tails.append(n + class_of)
    heads.append(slot_node + np.arange(m))
    costs.append(np.zeros(m, dtype=np.int64))
    tails.append(slot_node + np.arange(m))
    heads.append(np.full(m, sink))
    costs.append(np.zeros(m, dtype=np.int64))
    tail, head, cost = np.concatenate(tails), np.concatenate(heads), np.concatenate(costs)
    flow = min_cost_flow.SimpleMinCostFlow()
    arcs = flow.add_arcs_with_capacity_and_unit_cost(
        tail, head, np.ones(len(tail), dtype=np.int64), cost
    )
    supplies = np.zeros(sink + 1, dtype=np.int64)
    supplies[:n] = 1
    supplies[sink] = -n
    flow.set_nodes_supplies(np.arange(sink + 1), supplies)
    if flow.solve() != flow.OPTIMAL:
        raise NoStartFound(
            "families and hazards: the aisles chosen for the families and hazard classes have "
            "too few eligible slots for their SKUs"
        )
    used = flow.flows(arcs) > 0
    slot_of = current.copy()
    movers: dict[int, list[int]] = defaultdict(list)
    free: dict[int, list[int]] = defaultdict(list)
    for t, h in zip(tail[used].tolist(), head[used].tolist(), strict=True):
        if t < n and h >= slot_node:
            slot_of[t] = h - slot_node
        elif t < n:
            movers[h - n].append(t)
        elif t < slot_node:
            free[t - n].append(h - slot_node)
    # The flow sends a class exactly as many movers as it gives it slots no stayer holds.
    for c, group in movers.items():
        room = sorted(free[c], key=lambda j: (slots.cost[j], j))
        for i, j in zip(sorted(group, key=lambda i: (-skus.weight[i], i)), room, strict=False):
            slot_of[i] = j
    if side.cap is not None:
        slot_of = rebalance(tables, side, allowed, slot_of)
    return slot_of


@dataclass(frozen=True)
class Start:
    """A start meeting every side constraint, how long it took and what it needed."""

    slot_of: IntArray
    seconds: float
    repair_moves: int
    moves: int
    first_feasible_s: float


def constrained_start(tables: Tables, current: IntArray, deadline: float | None = None) -> Start:
    """An assignment meeting families, hazards, aisle balance and the move budget.

    Raises
    ------
    InfeasibleError
        When the budget cannot cover what the other constraints force to move (the message
        names the constraint and its proven lower bound), or the constraints conflict.
    """
    started = time.monotonic()
    side = side_of(tables)
    w = tables.skus.weight
    if side.max_moves is None or np.any(current < 0):
        reference = pinned_flow(tables, [None] * len(w), tables.slots.cost)
        allowed = aisle_plan(tables, side, reference, w)
        slot_of = balanced_flow(tables, side, allowed, deadline)
        elapsed = time.monotonic() - started
        return Start(slot_of, elapsed, 0, -1, elapsed)
    budget = side.max_moves
    bounds = budget_lower_bounds(tables, side, current)
    over = {k: v for k, v in bounds.items() if v > budget}
    if over:
        raise InfeasibleError(
            f"move budget: K = {budget} moves cannot restore "
            + ", ".join(f"{k} (needs at least {v} moves)" for k, v in over.items())
            + " from today's stock; raise --max-moves or drop that constraint"
        )
    # Score = SKU count, weight as a tie-break: keep windows and labels where stock already is.
    score = 1.0 + w / (1.0 + float(w.sum()))
    allowed = aisle_plan(tables, side, current, score)
    repaired = _repair(tables, side, allowed, current)
    repair_moves = moves_needed(current, repaired)
    if repair_moves > budget:
        raise NoStartFound(
            f"move budget: K = {budget} moves are not enough to restore the side constraints "
            f"from today's stock; the repair needs {repair_moves} moves (proven lower bounds: "
            + ", ".join(f"{k} {v}" for k, v in bounds.items())
            + "); raise --max-moves"
        )
    first_feasible_s = time.monotonic() - started  # the repaired stock meets all four
    target, price = _priced_flow(tables, side, allowed, deadline)
    left = budget - repair_moves
    best = repaired
    while left > 0:
        admit = balance_admission(tables, side, repaired, target)
        candidate = limit_moves(tables, repaired, target, left, admit=admit)
        needed = moves_needed(current, candidate)
        if needed <= budget:
            best = candidate
            break
        # Composite cycles (repair + cut) need parking moves: cut a little deeper.
        left -= needed - budget
    priced = _best_priced(tables, side, allowed, current, price, deadline)
    if priced is not None and objective_of(tables, priced) < objective_of(tables, best):
        best = priced
    moves = moves_needed(current, best)
    return Start(best, time.monotonic() - started, repair_moves, moves, first_feasible_s)


def _best_priced(
    tables: Tables,
    side: Side,
    allowed: Allowed,
    current: IntArray,
    aisle_price: FloatArray,
    deadline: float | None,
    refine: int = 4,
) -> IntArray | None:
    """The best :func:`budget_flow` within the budget over a ladder of labour prices.

    A higher price per second of labour means fewer moves. The prices step down by a fixed
    ratio from one at which no move pays (the same ladder for every budget, so a larger
    budget never finds less), until the plans need far more moves than the budget; the
    step between the last plan that fits and the first that does not is then bisected.
    Plans are checked exactly (parking moves included, every side constraint).
    """
    assert side.max_moves is not None
    params = tables.params
    w, cost = tables.skus.weight, tables.slots.cost
    top = float(np.max(w) * np.max(cost)) / max(params.handling_s, 1.0) * 2 + 1.0
    best: tuple[float, IntArray] | None = None

    def attempt(price: float) -> int:
        """Moves of the plan at ``price``; the plan is kept when it meets everything."""
        nonlocal best
        slot_of = budget_flow(tables, side, allowed, current, price, aisle_price)
        if side_problems(tables, side, slot_of, current):
            return -1 - moves_needed(current, slot_of)
        value = objective_of(tables, slot_of)
        if best is None or value < best[0]:
            best = (value, slot_of)
        return moves_needed(current, slot_of)

    fits, misses = top, None
    for k in range(1, 16):
        price = top / 3.0**k
        moves = attempt(price)
        if moves >= 0:
            fits = price
        else:
            misses = price
            if -1 - moves > 2 * side.max_moves + 10:
                break
        if deadline is not None and time.monotonic() > deadline:
            return None if best is None else best[1]
    if misses is not None and misses < fits:
        lo, hi = misses, fits
        for _round in range(refine):
            mid = math.sqrt(lo * hi)
            if attempt(mid) >= 0:
                hi = mid
            else:
                lo = mid
            if deadline is not None and time.monotonic() > deadline:
                break
    return None if best is None else best[1]


def budgeted_optimum(
    tables: Tables, current: IntArray, budget: int, deadline: float | None = None
) -> IntArray | None:
    """Minimum expected travel within ``budget`` moves and no side constraints (or ``None``).

    The labour-priced flow of :func:`budget_flow` over a ladder of prices; used for the
    ``max_moves`` of the plain methods next to cutting their target to the budget.
    """
    if np.any(current < 0):
        return None
    aisles = sorted(set(tables.slots.aisle.tolist()))
    side = Side(aisles, {}, {}, False, None, budget)
    allowed: Allowed = [None] * len(tables.skus)
    return _best_priced(tables, side, allowed, current, np.zeros(len(aisles)), deadline)


def balance_admission(
    tables: Tables, side: Side, start: IntArray, target: IntArray
) -> Callable[[list[int]], bool] | None:
    """``admit`` for :func:`limit_moves`: a group moves only if every aisle stays under cap."""
    if side.cap is None:
        return None
    cap = side.cap * (1 + _TOL)
    rank = np.searchsorted(side.aisles, tables.slots.aisle)
    loads = _loads(tables, side, start)
    w = tables.skus.weight

    def admit(part: list[int]) -> bool:
        delta: dict[int, float] = defaultdict(float)
        for i in part:
            delta[int(rank[start[i]])] -= float(w[i])
            delta[int(rank[target[i]])] += float(w[i])
        if any(d > 0 and loads[r] + d > cap for r, d in delta.items()):
            return False
        for r, d in delta.items():
            loads[r] += d
        return True

    return admit
