"""Abstract scheduling problems for the tests: orders on a line of aisles, closed-form tours."""

from __future__ import annotations

import math
from dataclasses import dataclass

from hypothesis import strategies as st

from smartwms.batching.scheduling import PickerSpec, Schedule, SchedulingProblem
from tests.batching.schedule_check import Picker, Timed, brute_force, check_schedule


@dataclass(frozen=True)
class Toy:
    """Orders as (aisles visited, articles); the tour is a return-policy walk along a line."""

    aisles: tuple[frozenset[int], ...]
    articles: tuple[int, ...]
    release: tuple[float, ...]
    due: tuple[float, ...]
    capacity: int
    pickers: tuple[PickerSpec, ...]

    def length(self, batch: tuple[int, ...]) -> float:
        if not batch:
            return 0.0
        visited = frozenset().union(*(self.aisles[o] for o in batch))
        return 2.0 * 5 * max(visited) + 2.0 * 10 * len(visited)

    def fits(self, batch: tuple[int, ...]) -> bool:
        return sum(self.articles[o] for o in batch) <= self.capacity

    def problem(self, objective: str = "tardiness") -> SchedulingProblem:
        n = len(self.articles)
        return SchedulingProblem(
            order_ids=[f"o{i}" for i in range(n)],
            release=self.release,
            due=self.due,
            lines=[len(a) for a in self.aisles],
            units=[float(a) for a in self.articles],
            pickers=self.pickers,
            lengths=lambda batches: [self.length(b) for b in batches],
            loads=[(float(a),) for a in self.articles],
            capacity=(float(self.capacity),),
            objective=objective,  # type: ignore[arg-type]
        )

    def check(self, schedule: Schedule) -> float:
        return check_schedule(
            n_orders=len(self.articles),
            release=self.release,
            due=self.due,
            lines=[len(a) for a in self.aisles],
            units=[float(a) for a in self.articles],
            pickers=[
                Picker(p.speed, p.setup_s, p.per_line_s, p.per_unit_s, p.available_s)
                for p in self.pickers
            ],
            length_of=self.length,
            fits=self.fits,
            batches=[Timed(b.orders, b.picker, b.length, b.start, b.end) for b in schedule.batches],
            claimed_tardiness=schedule.total_tardiness,
            claimed_tardy=schedule.tardy,
            claimed_makespan=schedule.makespan,
        )

    def optimum(self, objective: str = "tardiness") -> tuple[float, float]:
        return brute_force(
            n_orders=len(self.articles),
            release=self.release,
            due=self.due,
            lines=[len(a) for a in self.aisles],
            units=[float(a) for a in self.articles],
            pickers=[
                Picker(p.speed, p.setup_s, p.per_line_s, p.per_unit_s, p.available_s)
                for p in self.pickers
            ],
            length_of=self.length,
            fits=self.fits,
            objective=objective,
        )


@st.composite
def toys(draw: st.DrawFn, max_orders: int = 5, max_pickers: int = 2) -> Toy:
    n = draw(st.integers(1, max_orders))
    aisles = tuple(
        frozenset(draw(st.sets(st.integers(0, 5), min_size=1, max_size=3))) for _ in range(n)
    )
    articles = tuple(draw(st.integers(1, 4)) for _ in range(n))
    release = tuple(float(draw(st.sampled_from([0, 0, 50, 120]))) for _ in range(n))
    due = tuple(r + float(draw(st.sampled_from([60, 150, 250, 400, math.inf]))) for r in release)
    m = draw(st.integers(1, max_pickers))
    pickers = tuple(
        PickerSpec(
            f"p{k}",
            speed=draw(st.sampled_from([1.0, 1.5])),
            setup_s=draw(st.sampled_from([0.0, 20.0])),
            per_line_s=5.0,
            per_unit_s=1.0,
            available_s=float(draw(st.sampled_from([0, 0, 30]))),
        )
        for k in range(m)
    )
    capacity = max(articles) + draw(st.integers(0, 6))
    return Toy(aisles, articles, release, due, capacity, pickers)
