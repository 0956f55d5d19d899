"""Simulate a day of planned tours: a shift plan executed with random handling times.

:mod:`smartwms.sim.model` asks what a warehouse does under a policy with orders arriving at
random. A shift plan asks a narrower question: *these* orders, in *these* tours, on *these*
pickers - what happens when the picks take as long as they really do, and pickers meet in
narrow aisles? :func:`simulate_shift` executes a :class:`ShiftModel` (built from a plan by
:mod:`smartwms.plan.evaluate`):

* every tour waits for its release (its orders and its wave), then its picker sets up at the
  depot, walks the tour's legs (holding an aisle while inside it when ``aisle_capacity`` is
  set) and picks; an order is complete when its tour is back at the depot;
* tours either follow the plan (``dispatch="plan"``: each picker works through its own list)
  or go to whichever picker is free next, first come first served (``dispatch="pool"``, how
  most warehouses release single orders today);
* handling times are random: each order's mean handling time is multiplied by a gamma factor
  (mean 1, coefficient of variation ``cv``) drawn per order from the ``handling`` stream of
  ``(seed, replication)``, so the plan and its baseline see the same noise for the same order
  (common random numbers) and their paired difference has a narrow confidence interval.
"""

from __future__ import annotations

import math
from collections.abc import Generator, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import simpy

from smartwms.sim.model import random_streams
from smartwms.sim.prepare import Leg

__all__ = ["SHIFT_KPIS", "ShiftModel", "ShiftTour", "simulate_shift", "tour_legs"]

#: KPIs of a simulated shift, in report order, with their meaning.
SHIFT_KPIS: dict[str, str] = {
    "orders_per_hour": "orders completed per hour of the shift (until the last completion)",
    "orders_per_picker_hour": "orders completed per hour a picker is busy",
    "travel_per_order_m": "walking distance per order",
    "on_time_rate": "share of orders with a due time completed by it",
    "tardiness_mean_s": "mean lateness over the orders with a due time (0 when on time)",
    "cycle_time_mean_s": "mean time from an order's release to its completion",
    "makespan_s": "time of the last completion",
    "picker_utilisation": "busy share of the pickers' time until the last completion",
    "congestion_wait_s": "mean time per order spent waiting for a blocked aisle",
}


@dataclass(frozen=True)
class ShiftTour:
    """One tour: its orders (indices into the model's orders), legs and mean handling."""

    picker: int  # the picker it is planned for (ignored when tours are pooled)
    release_s: float
    orders: tuple[int, ...]
    order_handling_s: tuple[float, ...]
    lines: int
    legs: tuple[Leg, ...]
    return_m: float
    travel_m: float


@dataclass(frozen=True)
class ShiftModel:
    """Everything a simulated shift needs; tours listed in dispatch order."""

    name: str
    picker_speeds: tuple[float, ...]
    setup_s: float
    tours: tuple[ShiftTour, ...]
    release_s: tuple[float, ...]  # per order
    due_s: tuple[float | None, ...]  # per order
    n_aisles: int
    aisle_capacity: int | None
    cv: float
    dispatch: Literal["plan", "pool"]


def tour_legs(
    stops: Sequence[str],
    walk_m: Sequence[float],
    length_m: float,
    aisle_of: dict[str, int],
    lines_at: dict[str, int],
) -> tuple[tuple[Leg, ...], float]:
    """A tour's per-aisle legs and the walk back to the depot.

    ``walk_m[k]`` is the shortest walk to stop ``k`` from the one before (the depot first),
    ``walk_m[-1]`` the walk back; they are stretched to add up to ``length_m`` (a router may
    walk further than the shortest path between stops). Consecutive stops in one aisle form
    one leg: the picker holds that aisle from its first pick there until it walks on.

    Examples
    --------
    >>> aisle_of, lines_at = {"A": 0, "B": 0}, {"A": 1, "B": 2}
    >>> legs, back = tour_legs(["A", "B"], [3.0, 2.0, 5.0], 10.0, aisle_of, lines_at)
    >>> legs, back
    ((Leg(aisle=0, approach_m=3.0, inside_m=2.0, lines=3),), 5.0)
    """
    total = sum(walk_m)
    scale = length_m / total if total > 0 else 0.0
    legs: list[Leg] = []
    for k, stop in enumerate(stops):
        aisle = aisle_of.get(stop, -1)
        walk = walk_m[k] * scale
        if legs and aisle >= 0 and legs[-1].aisle == aisle:
            last = legs[-1]
            legs[-1] = Leg(
                aisle, last.approach_m, last.inside_m + walk, last.lines + lines_at[stop]
            )
        else:
            legs.append(Leg(aisle, walk, 0.0, lines_at[stop]))
    return tuple(legs), walk_m[-1] * scale


class _Run:
    def __init__(self, model: ShiftModel, seed: int, replication: int) -> None:
        self.m = model
        self.env = simpy.Environment()
        n = len(model.release_s)
        rng = random_streams(seed, replication)["handling"]
        shape = 1.0 / model.cv**2
        self.factor = rng.gamma(shape, 1.0 / shape, size=n)
        self.done = np.full(n, math.nan)
        self.cong = np.zeros(n)
        self.busy = 0.0
        cap = model.aisle_capacity
        self.aisles = (
            [simpy.Resource(self.env, capacity=cap) for _ in range(model.n_aisles)]
            if cap is not None
            else []
        )

    def work(self, picker: int, tour: ShiftTour) -> Generator[simpy.Event, Any, None]:
        env, m = self.env, self.m
        if tour.release_s > env.now:
            yield env.timeout(tour.release_s - env.now)
        began = env.now
        speed = m.picker_speeds[picker]
        handling = sum(
            h * self.factor[o] for o, h in zip(tour.orders, tour.order_handling_s, strict=True)
        )
        per_line = handling / max(tour.lines, 1)
        yield env.timeout(m.setup_s)
        waited = 0.0
        for leg in tour.legs:
            yield env.timeout(leg.approach_m / speed)
            inside = leg.inside_m / speed + per_line * leg.lines
            if not self.aisles or leg.aisle < 0:
                yield env.timeout(inside)
                continue
            asked = env.now
            with self.aisles[leg.aisle].request() as req:
                yield req
                waited += env.now - asked
                yield env.timeout(inside)
        yield env.timeout(tour.return_m / speed)
        for o in tour.orders:
            self.done[o] = env.now
            self.cong[o] = waited / len(tour.orders)
        self.busy += env.now - began

    def planned(self, picker: int, tours: list[ShiftTour]) -> Generator[simpy.Event, Any, None]:
        for tour in tours:
            yield from self.work(picker, tour)

    def pooled(self, picker: int, queue: simpy.Store) -> Generator[simpy.Event, Any, None]:
        while True:
            tour = yield queue.get()
            yield from self.work(picker, tour)

    def source(self, queue: simpy.Store) -> Generator[simpy.Event, Any, None]:
        for tour in sorted(self.m.tours, key=lambda t: t.release_s):
            if tour.release_s > self.env.now:
                yield self.env.timeout(tour.release_s - self.env.now)
            queue.put(tour)

    def run(self) -> dict[str, float]:
        m, env = self.m, self.env
        if m.dispatch == "plan":
            own: list[list[ShiftTour]] = [[] for _ in m.picker_speeds]
            for tour in m.tours:
                own[tour.picker].append(tour)
            for p, tours in enumerate(own):
                env.process(self.planned(p, tours))
        else:
            queue: simpy.Store = simpy.Store(env)
            env.process(self.source(queue))
            for p in range(len(m.picker_speeds)):
                env.process(self.pooled(p, queue))
        env.run()
        return self.kpis()

    def kpis(self) -> dict[str, float]:
        m = self.m
        done = self.done
        finished = ~np.isnan(done)
        makespan = float(np.nanmax(done)) if finished.any() else math.nan
        release = np.asarray(m.release_s)
        travel = np.zeros(len(done))
        for t in m.tours:
            for o in t.orders:
                travel[o] = t.travel_m / len(t.orders)
        dues = [(k, d) for k, d in enumerate(m.due_s) if d is not None]
        late = np.array([max(0.0, done[k] - d) for k, d in dues]) if dues else np.zeros(0)
        hours = makespan / 3600.0 if makespan > 0 else math.nan
        pickers = len(m.picker_speeds)
        return {
            "orders_per_hour": float(finished.sum()) / hours,
            "orders_per_picker_hour": float(finished.sum()) / (self.busy / 3600.0)
            if self.busy > 0
            else math.nan,
            "travel_per_order_m": float(travel.mean()),
            "on_time_rate": float(np.mean(late <= 1e-9)) if len(late) else math.nan,
            "tardiness_mean_s": float(late.mean()) if len(late) else math.nan,
            "cycle_time_mean_s": float(np.mean(done[finished] - release[finished])),
            "makespan_s": makespan,
            "picker_utilisation": self.busy / (pickers * makespan) if makespan > 0 else math.nan,
            "congestion_wait_s": float(self.cong.mean()),
        }


def simulate_shift(model: ShiftModel, *, seed: int = 0, replication: int = 0) -> dict[str, float]:
    """One replication of the shift: its KPIs (see :data:`SHIFT_KPIS`).

    Same model, seed and replication, same result; replication ``r`` of two models uses the
    same per-order handling factors.
    """
    return _Run(model, seed, replication).run()
