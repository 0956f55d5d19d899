"""``solve_batching``: the one entry point of order batching."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

from smartwms.batching.constructive import fcfs, release_order, savings, seed_batches
from smartwms.batching.evaluate import TourLengths
from smartwms.batching.params import BATCHING_METHODS, BatchingParams
from smartwms.batching.problem import BatchingProblem, build_batching_problem
from smartwms.batching.result import Batch, BatchingResult
from smartwms.batching.search import Outcome, ProgressCallback, Search
from smartwms.errors import InstanceValidationError
from smartwms.model import Instance, SolveStatus
from smartwms.stopping import Stop

__all__ = ["METHODS", "build_result", "solve_batching"]

Method = Callable[[Search], Outcome]


def _methods() -> dict[str, Method]:
    from smartwms.batching.alns import alns
    from smartwms.batching.exact import exact
    from smartwms.batching.local import local_search_method

    return {
        "fcfs": fcfs,
        "seed": seed_batches,
        "savings": savings,
        "local": local_search_method,
        "alns": alns,
        "exact": exact,
    }


#: Every method name :func:`solve_batching` accepts.
METHODS = BATCHING_METHODS


def solve_batching(
    instance: Instance | BatchingProblem,
    orders: Sequence[str] | None = None,
    method: str | None = None,
    params: BatchingParams | None = None,
    seed: int = 0,
    stop: Stop | None = None,
    progress: ProgressCallback | None = None,
) -> BatchingResult:
    """Group orders into batches (one cart load, one tour each) of least total tour length.

    Parameters
    ----------
    instance
        The warehouse with its stock and orders, or a :class:`BatchingProblem` built already.
    orders
        Ids of the orders to batch (default: all); ignored for a problem.
    method
        One of :data:`METHODS`; overrides ``params.method``.
    params
        The cart, routing policy and method knobs (:class:`BatchingParams`).
    seed
        Seed of every random choice: the same input and seed give the same plan (for a time
        limit, as far as the search got; set ``params.iterations`` for a fixed budget).
    stop
        Time limit and cancellation: when it fires, the best plan so far is returned with
        status ``time_limit`` or ``cancelled``.
    progress
        Called as ``progress(fraction, best_total_length)`` when the search improves or moves on.

    Examples
    --------
    >>> from smartwms.model import (Location, Order, OrderLine, ParallelAisleLayout, Sku,
    ...                             Station, StockRecord)
    >>> from smartwms.batching import Cart
    >>> lay = ParallelAisleLayout(n_aisles=3, aisle_spacing=3, cells_per_block=10,
    ...                           cell_length=1, cross_aisle_widths=1)
    >>> inst = Instance(layout=lay,
    ...     locations=[Location(id="A", aisle=0, cell=5), Location(id="B", aisle=2, cell=3)],
    ...     skus=[Sku(id="a"), Sku(id="b")],
    ...     stock=[StockRecord(sku="a", location="A"), StockRecord(sku="b", location="B")],
    ...     orders=[Order(id="1", lines=[OrderLine(sku="a")]),
    ...             Order(id="2", lines=[OrderLine(sku="b")]),
    ...             Order(id="3", lines=[OrderLine(sku="a")])],
    ...     stations=[Station(id="depot", aisle=0, cross_aisle=1)])
    >>> result = solve_batching(inst, method="fcfs", params=BatchingParams(cart=Cart(articles=2)))
    >>> [b.orders for b in result.batches], result.total_length
    ([['1', '2'], ['3']], 44.0)
    """
    started = time.perf_counter()
    params = params if params is not None else BatchingParams()
    name = method if method is not None else params.method
    if name not in BATCHING_METHODS:
        raise InstanceValidationError(
            [("method", f"unknown method {name!r}; use one of {', '.join(BATCHING_METHODS)}")]
        )
    if isinstance(instance, BatchingProblem):
        problem = instance
    else:
        problem = build_batching_problem(
            instance,
            orders,
            cart=params.cart,
            pickers=params.pickers,
            routing=params.routing,
            split_orders=params.split_orders,
        )
    lengths = TourLengths(problem)
    ctx = Search(problem, lengths, params, seed=seed, stop=stop, progress=progress)
    name = _resolve_auto(problem) if name == "auto" else name
    outcome = _methods()[name](ctx)
    return build_result(problem, lengths, outcome, name, seed, time.perf_counter() - started, stop)


def _resolve_auto(problem: BatchingProblem) -> str:
    from smartwms.batching.exact import exact_applies

    return "exact" if exact_applies(problem) else "alns"


def _status(outcome: Outcome, stop: Stop | None) -> SolveStatus:
    if outcome.stopped and stop is not None and stop():
        return SolveStatus.CANCELLED if stop.cancelled else SolveStatus.TIME_LIMIT
    return SolveStatus.OPTIMAL if outcome.proven else SolveStatus.FEASIBLE


def build_result(
    problem: BatchingProblem,
    lengths: TourLengths,
    outcome: Outcome,
    method: str,
    seed: int = 0,
    seconds: float = 0.0,
    stop: Stop | None = None,
) -> BatchingResult:
    """The :class:`BatchingResult` of a method's batches: routes, totes, loads and totals.

    Orders within a batch, and batches by their first order, follow release times (ties: the
    order given); batches are numbered ``B1, B2, ...`` in that order.
    """
    rank = {i: k for k, i in enumerate(release_order(problem))}
    batches = sorted(
        (sorted(b, key=rank.__getitem__) for b in outcome.batches if b),
        key=lambda b: rank[b[0]],
    )
    covered = sorted(i for b in batches for i in b)
    if covered != list(range(problem.n)):
        raise AssertionError("a batching method lost or repeated an order")  # a solver bug
    batch_lengths = lengths.lengths(batches)
    routes = lengths.routes(batches)
    split = any(u.part is not None for u in problem.orders)
    out: list[Batch] = []
    for k, (members, length, route) in enumerate(zip(batches, batch_lengths, routes, strict=True)):
        load = problem.load(members)
        orders: dict[str, list[int]] = {}
        for i in members:
            unit = problem.orders[i]
            orders.setdefault(unit.order, []).extend(unit.lines)
        totes: dict[str, list[int]] = {}
        if problem.cart.totes is not None:
            next_tote = 0
            for oid in orders:
                volume = sum(
                    problem.orders[i].load.volume for i in members if problem.orders[i].order == oid
                )
                need = problem.cart.totes_for(volume)
                totes[oid] = list(range(next_tote, next_tote + need))
                next_tote += need
        out.append(
            Batch(
                id=f"B{k + 1}",
                orders=list(orders),
                lines={o: sorted(v) for o, v in orders.items()} if split else None,
                totes=totes,
                route=route,
                articles=load.articles,
                volume=load.volume,
                weight=load.weight,
                length=length,
            )
        )
    total = float(sum(batch_lengths))
    status = _status(outcome, stop)
    lower = outcome.lower_bound
    if outcome.proven and lower is None:
        lower = total
    kpis = {
        "batches": float(len(out)),
        "orders": float(len({u.order for u in problem.orders})),
        "mean_batch_length": total / len(out) if out else 0.0,
        "mean_articles_per_batch": sum(b.articles for b in out) / len(out) if out else 0.0,
        "evaluations": float(lengths.evaluations),
        **outcome.stats,
    }
    return BatchingResult(
        method=method,
        status=status,
        objective=total,
        lower_bound=lower,
        seconds=seconds,
        seed=seed,
        kpis=kpis,
        routing=problem.routing,
        cart=problem.cart,
        total_length=total,
        batches=out,
    )
