"""An independent checker of batching plans.

It trusts nothing a solver says: from the instance's orders and SKUs it re-computes every
batch's load against the cart, checks that every order line is picked exactly once, that totes
hold whole orders and are never shared, that every route is valid (through
:func:`smartwms.routing.check.route_problems`, which re-walks it on the distance matrix) and
that every length and total re-computes under the plan's routing policy. Schedules (pickers,
start and end times) are checked for overlaps and release times when present.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence

from smartwms.batching.problem import Cart
from smartwms.batching.result import BatchingResult
from smartwms.errors import InstanceValidationError
from smartwms.model import Instance, Order, ParallelAisleLayout
from smartwms.routing.check import route_problems
from smartwms.routing.exact import MAX_EXACT_BLOCKS, optimal_tour_length
from smartwms.routing.heuristics import heuristic_walk

__all__ = ["BatchingCheckError", "batching_problems", "check_batching", "policy_length"]

_TOLERANCE = 1e-6


class BatchingCheckError(InstanceValidationError):
    """A batching plan breaks a rule; ``problems`` lists ``(field, reason)`` pairs."""


def policy_length(instance: Instance, policy: str, aisles: list[int], cells: list[int]) -> float:
    """The tour length of the picks ``(aisles[i], cells[i])`` under a routing policy.

    ``optimal``: the exact DP's shortest tour; a heuristic: its planned walk from the leftmost
    pick aisle (not its mirror image), as the batching literature counts it.
    """
    layout = instance.layout
    assert isinstance(layout, ParallelAisleLayout)
    depot = instance.depot
    if not aisles:
        return 0.0
    if policy == "optimal":
        return optimal_tour_length(layout, depot, aisles, cells)
    return heuristic_walk(policy, layout, depot, aisles, cells).length


def _policy_applies(instance: Instance, policy: str) -> bool:
    layout = instance.layout
    if not isinstance(layout, ParallelAisleLayout) or instance.depot.aisle is None:
        return False
    return policy != "optimal" or layout.n_blocks <= MAX_EXACT_BLOCKS


def batching_problems(
    instance: Instance,
    result: BatchingResult,
    orders: Sequence[str] | None = None,
    cart: Cart | None = None,
) -> list[tuple[str, str]]:
    """Everything wrong with a plan (an empty list for a valid one).

    Parameters
    ----------
    instance
        The warehouse the plan was made for.
    result
        The plan.
    orders
        The orders that had to be batched (default: every order of the instance).
    cart
        The cart (default: ``result.cart``, itself checked to be no larger than this one).
    """
    problems: list[tuple[str, str]] = []
    cart = cart if cart is not None else result.cart
    by_id = {o.id: o for o in instance.orders}
    wanted = [o.id for o in instance.orders] if orders is None else list(orders)
    vol = {s.id: s.unit_volume for s in instance.skus}
    wgt = {s.id: s.unit_weight for s in instance.skus}
    picked: dict[str, list[int]] = {}  # order -> line indices, over all batches
    ids: set[str] = set()
    for b, batch in enumerate(result.batches):
        field = f"batches[{b}]"
        if batch.id in ids:
            problems.append((f"{field}.id", f"duplicate batch id {batch.id!r}"))
        ids.add(batch.id)
        if not batch.orders:
            problems.append((f"{field}.orders", "an empty batch"))
        if len(set(batch.orders)) != len(batch.orders):
            problems.append((f"{field}.orders", "an order twice in one batch"))
        articles = volume = weight = 0.0
        known = True
        for oid in batch.orders:
            if oid not in by_id:
                problems.append((f"{field}.orders", f"unknown order {oid!r}"))
                known = False
                continue
            order = by_id[oid]
            lines = batch.lines.get(oid, []) if batch.lines is not None else range(len(order.lines))
            for i in lines:
                if not 0 <= i < len(order.lines):
                    problems.append((f"{field}.lines[{oid}]", f"no line {i}"))
                    continue
                line = order.lines[i]
                picked.setdefault(oid, []).append(i)
                articles += line.quantity
                volume += line.quantity * vol.get(line.sku, 0.0)
                weight += line.quantity * wgt.get(line.sku, 0.0)
        if not known:
            continue
        problems += _load_problems(
            field, batch.articles, batch.volume, batch.weight, articles, volume, weight
        )
        problems += _cart_problems(field, cart, articles, volume, weight, len(batch.orders))
        problems += _tote_problems(field, cart, batch.totes, batch.orders, by_id, vol, batch.lines)
        if batch.lines is None:
            # Split orders are routed as parts (``order#k``); whole orders are checked in full.
            if sorted(batch.route.orders) != sorted(batch.orders):
                problems.append((f"{field}.route.orders", "the route is for other orders"))
            else:
                problems += [
                    (f"{field}.route.{f}", r) for f, r in route_problems(instance, batch.route)
                ]
        problems += _length_problems(instance, result.routing, field, batch)
    for oid in wanted:
        if oid not in by_id:
            problems.append(("orders", f"unknown order {oid!r} to batch"))
            continue
        lines = sorted(picked.get(oid, []))
        if lines != list(range(len(by_id[oid].lines))):
            missing = sorted(set(range(len(by_id[oid].lines))) - set(lines))
            twice = sorted({i for i in lines if lines.count(i) > 1})
            why = (f"lines {missing} in no batch" if missing else "") + (
                f"lines {twice} in several batches" if twice else ""
            )
            problems.append((f"orders[{oid}]", why or "picked in no batch"))
    for oid in set(picked) - set(wanted):
        problems.append((f"orders[{oid}]", "batched but not asked for"))
    total = sum(b.length for b in result.batches)
    if not math.isclose(total, result.total_length, rel_tol=1e-9, abs_tol=_TOLERANCE):
        problems.append(
            ("total_length", f"reported {result.total_length:g}, batches sum {total:g}")
        )
    if result.lower_bound is not None and result.lower_bound > result.total_length + _TOLERANCE:
        problems.append(("lower_bound", f"{result.lower_bound:g} above the plan's length"))
    problems += _schedule_problems(result, by_id)
    return problems


def _load_problems(
    field: str, art: float, vol: float, wgt: float, art2: float, vol2: float, wgt2: float
) -> list[tuple[str, str]]:
    out = []
    for name, reported, actual in (
        ("articles", art, art2),
        ("volume", vol, vol2),
        ("weight", wgt, wgt2),
    ):
        if not math.isclose(reported, actual, rel_tol=1e-9, abs_tol=_TOLERANCE):
            out.append((f"{field}.{name}", f"reported {reported:g}, the orders hold {actual:g}"))
    return out


def _cart_problems(
    field: str, cart: Cart, articles: float, volume: float, weight: float, orders: int
) -> list[tuple[str, str]]:
    out = []
    for name, value in (
        ("articles", articles),
        ("volume", volume),
        ("weight", weight),
        ("orders", float(orders)),
    ):
        limit = getattr(cart, name)
        if limit is not None and value > limit * (1 + 1e-9) + _TOLERANCE:
            out.append((field, f"{name} {value:g} exceed the cart's {limit:g}"))
    return out


def _tote_problems(
    field: str,
    cart: Cart,
    totes: dict[str, list[int]],
    orders: list[str],
    by_id: dict[str, Order],
    vol: dict[str, float],
    lines: dict[str, list[int]] | None,
) -> list[tuple[str, str]]:
    if cart.totes is None:
        return [(f"{field}.totes", "totes given for a cart without totes")] if totes else []
    out: list[tuple[str, str]] = []
    used: dict[int, str] = {}
    for oid in orders:
        have = totes.get(oid, [])
        order = by_id[oid]
        indices = lines[oid] if lines is not None else range(len(order.lines))
        volume = sum(order.lines[i].quantity * vol.get(order.lines[i].sku, 0.0) for i in indices)
        need = cart.totes_for(volume)
        if len(set(have)) < need:
            out.append((f"{field}.totes[{oid}]", f"needs {need} totes, has {len(set(have))}"))
        for t in have:
            if not 0 <= t < cart.totes:
                out.append((f"{field}.totes[{oid}]", f"tote {t} outside 0..{cart.totes - 1}"))
            elif t in used and used[t] != oid:
                out.append((f"{field}.totes[{oid}]", f"tote {t} also holds order {used[t]!r}"))
            used[t] = oid
    return out


def _length_problems(
    instance: Instance, policy: str, field: str, batch: object
) -> list[tuple[str, str]]:
    from smartwms.batching.result import Batch

    assert isinstance(batch, Batch)
    route = batch.route
    if batch.length + _TOLERANCE < route.length:
        return [(f"{field}.length", f"{batch.length:g} shorter than its route ({route.length:g})")]
    if not _policy_applies(instance, policy):
        if not math.isclose(batch.length, route.length, rel_tol=1e-9, abs_tol=_TOLERANCE):
            return [(f"{field}.length", f"{batch.length:g}, its route walks {route.length:g}")]
        return []
    locs = instance.location_index
    stops = [locs[s.id] for s in route.stops if s.kind == "pick"]
    aisles = [int(loc.aisle or 0) for loc in stops]
    cells = [int(loc.cell or 0) for loc in stops]
    expected = policy_length(instance, policy, aisles, cells)
    if not math.isclose(batch.length, expected, rel_tol=1e-9, abs_tol=_TOLERANCE):
        return [(f"{field}.length", f"reported {batch.length:g}, {policy} gives {expected:g}")]
    return []


def _schedule_problems(result: BatchingResult, by_id: dict[str, Order]) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    per_picker: dict[str, list[tuple[float, float, str]]] = {}
    for b, batch in enumerate(result.batches):
        if batch.start is None and batch.end is None:
            continue
        if batch.start is None or batch.end is None or batch.end < batch.start - _TOLERANCE:
            out.append((f"batches[{b}]", "needs a start and an end, end not before start"))
            continue
        release = max((by_id[o].release_time for o in batch.orders if o in by_id), default=0.0)
        if batch.start + _TOLERANCE < release:
            out.append(
                (f"batches[{b}].start", f"{batch.start:g} before an order's release {release:g}")
            )
        if batch.picker is not None:
            per_picker.setdefault(batch.picker, []).append((batch.start, batch.end, batch.id))
    for picker, spans in per_picker.items():
        spans.sort()
        for (_s1, e1, b1), (s2, _e2, b2) in itertools.pairwise(spans):
            if s2 + _TOLERANCE < e1:
                out.append((f"pickers[{picker}]", f"batches {b1!r} and {b2!r} overlap"))
    return out


def check_batching(
    instance: Instance,
    result: BatchingResult,
    orders: Sequence[str] | None = None,
    cart: Cart | None = None,
) -> None:
    """Raise :class:`BatchingCheckError` when :func:`batching_problems` finds anything."""
    problems = batching_problems(instance, result, orders, cart)
    if problems:
        raise BatchingCheckError(problems)
