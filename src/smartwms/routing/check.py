"""An independent checker of pick tours.

It trusts nothing a solver says: it rebuilds the demand from the instance's orders and stock,
and re-computes the walk from :func:`smartwms.layout.distance_matrix`.
"""

from __future__ import annotations

import itertools
import math

from smartwms.errors import InstanceValidationError
from smartwms.layout import distance_matrix
from smartwms.model import Instance, PickRoute

__all__ = ["RouteCheckError", "check_route", "route_problems"]

_TOLERANCE = 1e-6


class RouteCheckError(InstanceValidationError):
    """A route breaks a rule; ``problems`` lists ``(field, reason)`` pairs."""


def route_problems(
    instance: Instance, route: PickRoute, start: str | None = None, end: str | None = None
) -> list[tuple[str, str]]:
    """Everything wrong with ``route`` (an empty list for a valid tour).

    Checks that the tour starts at ``start`` and ends at ``end`` (default: the instance's
    depot), that every stop is a known location holding what is taken there (in enough units
    when the SKU has several locations; a SKU's only location serves it in full), that every
    order line of ``route.orders`` is collected in full, and that ``route.length`` equals the
    walk re-computed from the distance matrix.
    """
    problems: list[tuple[str, str]] = []
    stops = route.stops
    start = start or instance.depot.id
    end = end or start
    if len(stops) < 2 or stops[0].id != start or stops[0].kind != "depot":
        problems.append(("stops[0]", f"the tour must start at depot {start!r}"))
    if len(stops) < 2 or stops[-1].id != end or stops[-1].kind != "depot":
        problems.append((f"stops[{len(stops) - 1}]", f"the tour must end at depot {end!r}"))
    held: dict[tuple[str, str], float] = {}
    for rec in instance.stock:
        held[(rec.location, rec.sku)] = held.get((rec.location, rec.sku), 0.0) + rec.quantity
    taken: dict[str, float] = {}
    taken_at: dict[tuple[str, str], float] = {}
    for i, stop in enumerate(stops):
        if stop.kind == "depot":
            if stop.id not in instance.station_index:
                problems.append((f"stops[{i}].id", f"unknown station {stop.id!r}"))
            continue
        if stop.id not in instance.location_index:
            problems.append((f"stops[{i}].id", f"unknown location {stop.id!r}"))
            continue
        loc = instance.location_index[stop.id]
        if (stop.aisle, stop.cell, stop.node) != (loc.aisle, loc.cell, loc.node):
            problems.append((f"stops[{i}]", f"position differs from location {stop.id!r}"))
        for sku, units in stop.picks.items():
            taken[sku] = taken.get(sku, 0.0) + units
            key = (stop.id, sku)
            taken_at[key] = taken_at.get(key, 0.0) + units
    homes: dict[str, int] = {}
    for _loc, sku in held:
        homes[sku] = homes.get(sku, 0) + 1
    for (loc_id, sku), units in taken_at.items():
        if (loc_id, sku) not in held:
            problems.append((f"picks[{loc_id}]", f"location does not hold SKU {sku!r}"))
        elif homes[sku] > 1 and units > held[(loc_id, sku)] + _TOLERANCE:
            problems.append(
                (f"picks[{loc_id}]", f"takes {units:g} of SKU {sku!r}, location holds less")
            )
    demand: dict[str, float] = {}
    orders = {o.id: o for o in instance.orders}
    for oid in route.orders:
        if oid not in orders:
            problems.append(("orders", f"unknown order {oid!r}"))
            continue
        for line in orders[oid].lines:
            demand[line.sku] = demand.get(line.sku, 0.0) + line.quantity
    for sku, units in demand.items():
        if taken.get(sku, 0.0) + _TOLERANCE < units:
            problems.append(
                (
                    f"demand[{sku}]",
                    f"needs {units:g} units, the tour collects {taken.get(sku, 0):g}",
                )
            )
    if problems:
        return problems
    ids = [s.id for s in stops]
    unique = list(dict.fromkeys(ids))
    dist = distance_matrix(instance, unique)
    pos = {ident: k for k, ident in enumerate(unique)}
    walk = sum(float(dist[pos[a], pos[b]]) for a, b in itertools.pairwise(ids))
    if not math.isclose(walk, route.length, rel_tol=1e-9, abs_tol=_TOLERANCE):
        problems.append(("length", f"reported {route.length:g}, the walk is {walk:g}"))
    return problems


def check_route(
    instance: Instance, route: PickRoute, start: str | None = None, end: str | None = None
) -> None:
    """Raise :class:`RouteCheckError` when :func:`route_problems` finds anything."""
    problems = route_problems(instance, route, start, end)
    if problems:
        raise RouteCheckError(problems)
