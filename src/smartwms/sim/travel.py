"""The travel interface of the simulation: an order's pick locations -> a tour.

The model only needs, for every order, the sequence of locations its picker visits and the
tour length. :func:`route_orders` gives both for a list of orders, through
:func:`smartwms.routing.solve_routing` for its methods (``sshape``, ``optimal``, ...) or through
the built-in ``nearest`` method (nearest neighbour over the exact distance matrix), which needs
nothing but :func:`smartwms.layout.distance_matrix`.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from smartwms.errors import SmartwmsError
from smartwms.layout import distance_matrix
from smartwms.model import Instance

__all__ = ["BUILTIN_METHODS", "Tour", "available_methods", "nearest_tour", "route_orders"]

#: Methods the simulation provides itself (always available).
BUILTIN_METHODS = ("nearest",)


@dataclass(frozen=True)
class Tour:
    """A closed pick tour: ``stops`` are location ids in visiting order (depot excluded)."""

    stops: tuple[str, ...]
    length: float


def _routing_module() -> Any | None:
    try:
        module = importlib.import_module("smartwms.routing")
    except ImportError:
        return None
    return module if hasattr(module, "solve_routing") else None


def available_methods() -> list[str]:
    """Routing methods the simulation can use with the packages installed now."""
    module = _routing_module()
    extra = list(getattr(module, "METHODS", ())) if module is not None else []
    return [*extra, *BUILTIN_METHODS]


def nearest_tour(dist: NDArray[np.float64], stops: Sequence[int]) -> tuple[list[int], float]:
    """Nearest-neighbour tour from point 0 of ``dist`` through ``stops`` and back to 0.

    Examples
    --------
    >>> d = np.array([[0, 1, 5], [1, 0, 4], [5, 4, 0]], dtype=float)
    >>> nearest_tour(d, [2, 1])
    ([1, 2], 10.0)
    """
    left = list(dict.fromkeys(stops))
    here, length, order = 0, 0.0, []
    while left:
        row = dist[here, left]
        k = int(np.argmin(row))
        length += float(row[k])
        here = left.pop(k)
        order.append(here)
    return order, length + float(dist[here, 0])


def route_orders(
    instance: Instance,
    method: str,
    *,
    seed: int = 0,
    progress: Callable[[int, int], None] | None = None,
) -> list[Tour]:
    """A tour for every order of ``instance`` (one order per tour), in order.

    Parameters
    ----------
    instance
        The warehouse with its orders; each SKU is picked from its first stock location.
    method
        ``nearest`` or any method of :func:`smartwms.routing.solve_routing`.
    seed
        Passed to the router.
    progress
        Called as ``progress(done, total)`` while routing.
    """
    if method in BUILTIN_METHODS:
        return _nearest_tours(instance)
    module = _routing_module()
    if module is None:
        raise SmartwmsError(
            f"travel.routing: method {method!r} needs smartwms.routing.solve_routing, which this "
            f"version lacks; use one of {', '.join(BUILTIN_METHODS)}"
        )
    if method not in getattr(module, "METHODS", ()):
        raise SmartwmsError(
            f"travel.routing: unknown method {method!r}; use one of "
            f"{', '.join(available_methods())}"
        )
    result = module.solve_routing(instance, method=method, seed=seed, progress=progress)
    return [
        Tour(tuple(s.id for s in route.stops if s.kind == "pick"), float(route.length))
        for route in result.routes
    ]


def _nearest_tours(instance: Instance) -> list[Tour]:
    orders = [[instance.locations_of(ln.sku)[0] for ln in o.lines] for o in instance.orders]
    depot = instance.depot.id
    ids = [depot, *dict.fromkeys(loc for order in orders for loc in order)]
    index = {ident: i for i, ident in enumerate(ids)}
    dist = distance_matrix(instance, ids)
    tours = []
    for order in orders:
        seq, length = nearest_tour(dist, [index[loc] for loc in order])
        tours.append(Tour(tuple(ids[i] for i in seq), length))
    return tours
