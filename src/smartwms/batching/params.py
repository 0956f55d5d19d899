"""The parameters model of order batching: the method and its knobs, the cart, the routing.

Stable API: :class:`BatchingParams` (fields are only ever added), :data:`BATCHING_METHODS`,
:data:`SEED_RULES`, :data:`SIMILARITIES`. The time budget is never a parameter: it comes from
the :class:`~smartwms.stopping.Stop` given to :func:`~smartwms.batching.solve_batching`.
"""

from __future__ import annotations

from typing import Literal, get_args

from pydantic import Field

from smartwms.batching.problem import Cart, Pickers, RoutingPolicy
from smartwms.model.base import Frozen

__all__ = [
    "BATCHING_METHODS",
    "SEED_RULES",
    "SIMILARITIES",
    "BatchingMethod",
    "BatchingParams",
    "SeedRule",
    "Similarity",
]

BatchingMethod = Literal["auto", "fcfs", "seed", "savings", "local", "alns", "exact"]
#: Every batching method (``auto``: exact when small enough, else ALNS).
BATCHING_METHODS: tuple[str, ...] = get_args(BatchingMethod)

SeedRule = Literal["first", "largest", "longest", "farthest", "most-aisles", "random"]
#: How the seed algorithm picks the order that opens a batch (de Koster et al. 1999).
SEED_RULES: tuple[str, ...] = get_args(SeedRule)

Similarity = Literal["tour", "aisles", "shared-aisles", "gravity"]
#: How the seed algorithm picks the next order to add to an open batch.
SIMILARITIES: tuple[str, ...] = get_args(Similarity)


class BatchingParams(Frozen):
    """Everything :func:`~smartwms.batching.solve_batching` can be told, besides the data.

    Parameters
    ----------
    method
        ``fcfs`` (orders in release order, a new batch when the cart is full), ``seed``
        (seed order plus the most similar orders), ``savings`` (Clarke & Wright), ``local``
        (savings, then shift/swap/exchange of orders between batches), ``alns`` (adaptive large
        neighbourhood search with local search, after Žulj, Kramer & Schneider 2018),
        ``exact`` (set partitioning over every feasible batch with CP-SAT, or column
        generation; a proven lower bound) or ``auto`` (exact when the enumeration is small,
        else ALNS).
    routing
        Routing policy of every tour (the objective is the total tour length).
    cart, pickers
        Override the instance's first picker class.
    split_orders
        Split an order too big for one cart into parts instead of failing.
    seed_rule, similarity
        The seed algorithm's rules (also used by ALNS's repair operators).
    iterations
        ALNS iterations (``None``: until the stop fires, or a default budget without one); a
        fixed budget makes a run reproducible whatever the machine's speed.
    exact_max_columns
        Largest number of feasible batches the exact method enumerates before it switches to
        column generation.
    """

    method: BatchingMethod = "auto"
    routing: RoutingPolicy = "optimal"
    cart: Cart | None = None
    pickers: Pickers | None = None
    split_orders: bool = False
    seed_rule: SeedRule = "longest"
    similarity: Similarity = "tour"
    iterations: int | None = Field(default=None, ge=0)
    exact_max_columns: int = Field(default=2_000_000, ge=1)
