"""What every batching method works with: the problem, its tour lengths, stop and progress.

A method is a function ``method(ctx: Search) -> Outcome``: it reads the problem and the
cached tour lengths from ``ctx``, checks ``ctx.stopped()`` in its loops, reports improvements
through ``ctx.improved(total)`` and returns its batches (lists of unit indices).
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from smartwms.batching.evaluate import TourLengths
from smartwms.batching.params import BatchingParams
from smartwms.batching.problem import BatchingProblem
from smartwms.stopping import Stop

__all__ = ["Outcome", "ProgressCallback", "Search"]

#: ``progress(fraction, best_total_length)``: how far a solve is (``None`` when unknown).
ProgressCallback = Callable[[float | None, float | None], None]


@dataclass
class Outcome:
    """A method's answer: batches of unit indices, and what it proved."""

    batches: list[list[int]]
    lower_bound: float | None = None
    proven: bool = False
    stopped: bool = False
    stats: dict[str, float] = field(default_factory=dict)


@dataclass
class Search:
    """The shared state of one solve."""

    problem: BatchingProblem
    lengths: TourLengths
    params: BatchingParams
    seed: int = 0
    stop: Stop | None = None
    progress: ProgressCallback | None = None
    best: float | None = None
    started: float = field(default_factory=time.perf_counter)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)

    def stopped(self) -> bool:
        """Whether the solve must end now (time limit or cancellation)."""
        return self.stop is not None and self.stop()

    def total(self, batches: Sequence[Sequence[int]]) -> float:
        """Total tour length of a set of batches."""
        return float(sum(self.lengths.lengths(batches)))

    def improved(self, total: float, fraction: float | None = None) -> None:
        """Record a new best total length (reported when it is better than the last one)."""
        if self.best is None or total < self.best - 1e-9:
            self.best = total
            self.report(fraction)

    def report(self, fraction: float | None = None) -> None:
        """Tell the progress callback how far the solve is."""
        if self.progress is not None:
            self.progress(fraction, self.best)

    def fraction_of_time(self) -> float | None:
        """Share of the time limit used (``None`` without one)."""
        if self.stop is None or self.stop.time_limit is None or self.stop.time_limit <= 0:
            return None
        return min(1.0, self.stop.elapsed / self.stop.time_limit)
