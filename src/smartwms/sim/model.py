"""The SimPy model: one replication of a prepared scenario.

Pickers (or, in goods-to-person mode, station operators and AGVs) are SimPy processes; aisles,
stations, AGVs and replenishers are resources. Each source of randomness has its own seeded
stream (``arrivals``, ``content``, ``handling``), keyed by ``(seed, replication, source)``:
two scenarios simulated with the same seed see the same orders at the same times with the same
handling-time noise (common random numbers), so their difference has a small variance.
"""

from __future__ import annotations

import math
import time
from collections.abc import Generator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import simpy

from smartwms.sim.agvgrid import GridAgvs
from smartwms.sim.prepare import OrderPlan, Prepared

__all__ = ["KPI_NAMES", "ReplicationResult", "random_streams", "simulate"]

#: KPI names, in report order, with their meaning.
KPI_NAMES: dict[str, str] = {
    "orders_per_hour": "orders completed per hour (after warm-up, until the horizon)",
    "lines_per_hour": "order lines completed per hour",
    "cycle_time_mean_s": "mean time from an order's arrival to its completion",
    "cycle_time_p95_s": "95th percentile of the cycle time",
    "order_wait_s": "mean time from an order's arrival until a picker (or station) starts it",
    "picker_utilisation": "busy share of the pickers' (operators') available time",
    "travel_per_order_m": "mean walking (AGV driving) distance per order",
    "congestion_wait_s": "mean time per order spent waiting for a blocked aisle",
    "replenishments_per_hour": "replenishment tasks completed per hour",
    "stockouts": "picks from a slot that was empty when the picker came",
    "on_time_rate": "share of orders completed by their due time",
    "wip_mean": "time-average number of orders in the system (waiting or in progress)",
    "arrival_rate_per_hour": "orders arriving per hour",
    "unfinished_orders": "orders that arrived after warm-up and were not completed in time",
}

_SOURCES = {"arrivals": 1, "content": 2, "handling": 3}


def random_streams(seed: int, replication: int) -> dict[str, np.random.Generator]:
    """One independent generator per source of randomness.

    Examples
    --------
    >>> a = random_streams(1, 0)["arrivals"].random()
    >>> a == random_streams(1, 0)["arrivals"].random() != random_streams(1, 1)["arrivals"].random()
    True
    """
    return {
        name: np.random.default_rng([seed, replication, code]) for name, code in _SOURCES.items()
    }


@dataclass
class ReplicationResult:
    """KPIs of one replication, plus how much work the kernel did."""

    replication: int
    kpis: dict[str, float]
    events: int = 0
    orders: int = 0
    sim_seconds: float = 0.0
    run_seconds: float = 0.0
    run_cpu_seconds: float = 0.0


@dataclass
class _Stats:
    window_start: float
    window_end: float
    arrivals: list[float] = field(default_factory=list)
    starts: list[float] = field(default_factory=list)
    ends: list[float] = field(default_factory=list)
    dues: list[float] = field(default_factory=list)
    travel: list[float] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)
    congestion: list[float] = field(default_factory=list)
    busy: float = 0.0
    replenishments: int = 0
    stockouts: int = 0
    in_system: int = 0
    last_change: float = 0.0
    area: float = 0.0

    def overlap(self, start: float, end: float) -> float:
        return max(0.0, min(end, self.window_end) - max(start, self.window_start))

    def change_wip(self, now: float, delta: int) -> None:
        self.area += self.in_system * self.overlap(self.last_change, now)
        self.in_system += delta
        self.last_change = now


def _arrivals(prepared: Prepared, streams: dict[str, np.random.Generator]) -> tuple[Any, ...]:
    """Arrival times, pool indices, due times and handling factors of one replication."""
    sc = prepared.scenario
    n_pool = len(prepared.plans)
    if prepared.replay_times is not None:
        times = np.asarray(prepared.replay_times, dtype=float)
        order = np.argsort(times, kind="stable")
        times = times[order]
        keep = times <= sc.horizon_s
        times, pool_idx = times[keep], order[keep]
        assert prepared.replay_due is not None
        due = np.array(
            [
                d if (d := prepared.replay_due[i]) is not None else t + sc.arrivals.due_after_s
                for i, t in zip(pool_idx, times, strict=True)
            ]
        )
    else:
        mean_gap = 3600.0 / sc.arrivals.rate_per_hour
        expected = int(sc.horizon_s / mean_gap)
        gaps = streams["arrivals"].exponential(
            mean_gap, size=expected + 10 * int(expected**0.5) + 20
        )
        times = np.cumsum(gaps)
        while times[-1] <= sc.horizon_s:  # rare: draw more
            extra = np.cumsum(streams["arrivals"].exponential(mean_gap, size=len(gaps))) + times[-1]
            times = np.concatenate([times, extra])
        times = times[times <= sc.horizon_s]
        pool_idx = streams["content"].integers(0, n_pool, size=len(times))
        due = times + sc.arrivals.due_after_s
    return times, pool_idx, due, _handling_factors(prepared, streams["handling"], len(times))


def _handling_factors(prepared: Prepared, rng: np.random.Generator, n: int) -> np.ndarray:
    pt = prepared.scenario.pick_time
    if pt.distribution == "exponential":
        return rng.exponential(1.0, size=n)
    if pt.distribution == "gamma":
        shape = 1.0 / pt.cv**2
        return rng.gamma(shape, 1.0 / shape, size=n)
    return np.ones(n)


class _Model:
    """State and processes of one replication."""

    def __init__(self, prepared: Prepared, seed: int, replication: int) -> None:
        self.p = prepared
        sc = prepared.scenario
        self.sc = sc
        self.env = simpy.Environment()
        self.stats = _Stats(sc.warmup_s, sc.horizon_s)
        streams = random_streams(seed, replication)
        self.times, self.pool_idx, self.due, self.factors = _arrivals(prepared, streams)
        n = len(self.times)
        self.start = np.full(n, math.nan)
        self.end = np.full(n, math.nan)
        self.cong = np.zeros(n)
        self.queue: simpy.Store = simpy.Store(self.env)
        cap = sc.congestion.aisle_capacity
        self.aisles = (
            [simpy.Resource(self.env, capacity=cap) for _ in range(prepared.n_aisles)]
            if sc.congestion.enabled
            else []
        )
        rep = sc.replenishment
        self.stock = np.full(len(prepared.slot_ids), rep.max_units, dtype=float)
        self.pending = np.zeros(len(prepared.slot_ids), dtype=bool)
        self.replenishers = simpy.Resource(self.env, capacity=rep.workers) if rep.enabled else None
        self.run_seconds = 0.0
        self.run_cpu_seconds = 0.0
        self.breaks = sorted((b.start_s, b.start_s + b.duration_s) for b in sc.shifts.breaks)
        self.seed, self.replication = seed, replication
        self.driven = np.zeros(n)  # metres the AGVs drove per order, on the grid map
        self.grid_agvs: GridAgvs | None = None

    # ------------------------------------------------------------------ processes
    def source(self) -> Generator[simpy.Event, Any, None]:
        env = self.env
        for k, t in enumerate(self.times):
            if t > env.now:
                yield env.timeout(t - env.now)
            self.stats.change_wip(env.now, +1)
            self.queue.put(k)

    def _break_until(self, now: float) -> float | None:
        for start, end in self.breaks:
            if start <= now < end:
                return end
        return None

    def _take_break(self) -> Generator[simpy.Event, Any, None]:
        end = self._break_until(self.env.now)
        if end is not None:
            yield self.env.timeout(end - self.env.now)

    def picker(self) -> Generator[simpy.Event, Any, None]:
        env, sc = self.env, self.sc
        speed = sc.pickers.speed_mps
        congested = bool(self.aisles)
        while True:
            yield from self._take_break()
            k = yield self.queue.get()
            yield from self._take_break()
            plan = self.p.plans[self.pool_idx[k]]
            began = env.now
            self.start[k] = began
            self._consume_stock(plan)
            handling = plan.handling_s * self.factors[k]
            if not congested:
                yield env.timeout(sc.pickers.setup_s + plan.travel_m / speed + handling)
            else:
                yield env.timeout(sc.pickers.setup_s)
                per_line = handling / max(plan.lines, 1)
                for leg in plan.legs:
                    yield env.timeout(leg.approach_m / speed)
                    inside = leg.inside_m / speed + per_line * leg.lines
                    if leg.aisle < 0:
                        yield env.timeout(inside)
                        continue
                    aisle = self.aisles[leg.aisle]
                    asked = env.now
                    with aisle.request() as req:
                        yield req
                        self.cong[k] += env.now - asked
                        yield env.timeout(inside)
                yield env.timeout(plan.return_m / speed)
            self._finish(k, began)

    def _finish(self, k: int, began: float) -> None:
        now = self.env.now
        self.end[k] = now
        self.stats.busy += self.stats.overlap(began, now)
        self.stats.change_wip(now, -1)

    def _consume_stock(self, plan: OrderPlan) -> None:
        if self.replenishers is None:
            return
        rep = self.sc.replenishment
        for slot, qty in zip(plan.slots, plan.quantities, strict=True):
            if self.stock[slot] <= 0:
                self.stats.stockouts += 1
            self.stock[slot] -= qty
            if self.stock[slot] <= rep.min_units and not self.pending[slot]:
                self.pending[slot] = True
                self.env.process(self.replenish(slot))

    def replenish(self, slot: int) -> Generator[simpy.Event, Any, None]:
        env, rep = self.env, self.sc.replenishment
        assert self.replenishers is not None
        walk = self.p.slot_depot_m[slot] / rep.speed_mps
        with self.replenishers.request() as worker:
            yield worker
            yield env.timeout(walk)
            aisle = self.p.slot_aisle[slot]
            if self.aisles and aisle >= 0:
                with self.aisles[aisle].request() as req:
                    yield req
                    yield env.timeout(rep.time_s)
            else:
                yield env.timeout(rep.time_s)
            self.stock[slot] = rep.max_units
            self.pending[slot] = False
            if self.stats.window_start <= env.now <= self.stats.window_end:
                self.stats.replenishments += 1
            yield env.timeout(walk)

    # ------------------------------------------------------------------ goods-to-person
    def station(
        self, agvs: simpy.Resource | GridAgvs, station: int = 0
    ) -> Generator[simpy.Event, Any, None]:
        env = self.env
        while True:
            yield from self._take_break()
            k = yield self.queue.get()
            yield from self._take_break()
            plan = self.p.plans[self.pool_idx[k]]
            began = env.now
            self.start[k] = began
            self._consume_stock(plan)
            per_line = plan.handling_s * self.factors[k] / max(plan.lines, 1)
            arrived: simpy.Store = simpy.Store(env)
            done = [env.event() for _ in plan.agv_m]
            for j, metres in enumerate(plan.agv_m):
                if isinstance(agvs, GridAgvs):
                    cell = plan.agv_cells[j]
                    env.process(self.grid_trip(agvs, k, cell, station, j, arrived, done[j]))
                else:
                    env.process(self.agv_trip(agvs, metres, j, arrived, done[j]))
            for _ in plan.agv_m:
                j = yield arrived.get()
                yield env.timeout(per_line)
                done[j].succeed()
            self._finish(k, began)

    def agv_trip(
        self,
        agvs: simpy.Resource,
        metres: float,
        j: int,
        arrived: simpy.Store,
        done: simpy.Event,
    ) -> Generator[simpy.Event, Any, None]:
        agv = self.sc.agv
        drive = metres / agv.speed_mps
        with agvs.request() as req:
            yield req
            yield self.env.timeout(2 * drive + agv.handling_s)
            arrived.put(j)
            yield done
            yield self.env.timeout(drive + agv.handling_s)

    def grid_trip(
        self,
        agvs: GridAgvs,
        k: int,
        cell: int,
        station: int,
        j: int,
        arrived: simpy.Store,
        done: simpy.Event,
    ) -> Generator[simpy.Event, Any, None]:
        """One order line on the grid map: an AGV brings the rack at ``cell`` to ``station``."""
        metres = yield from agvs.line(station, cell, lambda: arrived.put(j), done)
        self.driven[k] += metres

    # ------------------------------------------------------------------ run
    def run(self) -> int:
        """Run to the end of the drain period; returns the number of events scheduled."""
        env, sc = self.env, self.sc
        env.process(self.source())
        if sc.agv.enabled and self.p.agv_grid is not None:
            grid = self.p.agv_grid
            self.grid_agvs = GridAgvs(
                env,
                grid,
                speed_mps=sc.agv.speed_mps,
                handling_s=sc.agv.handling_s,
                planner=sc.agv.planner,
                seed=self.seed * 100_003 + self.replication,
            )
            for s in range(sc.agv.stations):
                env.process(self.station(self.grid_agvs, s))
        elif sc.agv.enabled:
            agvs = simpy.Resource(env, capacity=sc.agv.count)
            for _ in range(sc.agv.stations):
                env.process(self.station(agvs))
        else:
            for _ in range(sc.pickers.count):
                env.process(self.picker())
        started, cpu_started = time.perf_counter(), time.process_time()
        env.run(until=sc.horizon_s + sc.drain_s)
        self.run_seconds = time.perf_counter() - started
        self.run_cpu_seconds = time.process_time() - cpu_started
        # SimPy numbers every scheduled event from one counter; reading it costs nothing,
        # unlike stepping the loop by hand. Zero if a future SimPy renames it.
        counter = getattr(env, "_eid", None)
        return next(counter) if counter is not None else 0

    # ------------------------------------------------------------------ KPIs
    def kpis(self) -> dict[str, float]:
        sc, st = self.sc, self.stats
        window_h = (st.window_end - st.window_start) / 3600.0
        now = self.env.now
        st.change_wip(now, 0)
        in_window = (self.times >= st.window_start) & (self.times <= st.window_end)
        done = ~np.isnan(self.end)
        completed_in = done & (self.end >= st.window_start) & (self.end <= st.window_end)
        plans = self.p.plans
        lines = np.array([plans[i].lines for i in self.pool_idx], dtype=float)
        travel = np.array([plans[i].travel_m for i in self.pool_idx], dtype=float)
        if self.grid_agvs is not None:
            # What the AGVs drove, known for completed orders only.
            travel = np.where(done, self.driven, math.nan)
        arrived = in_window & done
        cycle = (self.end - self.times)[arrived]
        wait_mask = in_window & ~np.isnan(self.start)
        wait = (self.start - self.times)[wait_mask]
        servers = sc.agv.stations if sc.agv.enabled else sc.pickers.count
        on_break = sum(st.overlap(a, b) for a, b in self.breaks)
        available = servers * ((st.window_end - st.window_start) - on_break)
        n_in = int(in_window.sum())
        on_time = done & (self.end <= self.due)
        return {
            "orders_per_hour": float(completed_in.sum()) / window_h,
            "lines_per_hour": float(np.sum(lines[completed_in])) / window_h,
            "cycle_time_mean_s": _mean(cycle),
            "cycle_time_p95_s": float(np.percentile(cycle, 95)) if len(cycle) else math.nan,
            "order_wait_s": _mean(wait),
            "picker_utilisation": float(st.busy / available) if available > 0 else math.nan,
            "travel_per_order_m": _nanmean(travel[in_window]),
            "congestion_wait_s": _mean(self.cong[in_window]),
            "replenishments_per_hour": st.replenishments / window_h,
            "stockouts": float(st.stockouts),
            "on_time_rate": float(on_time[in_window].sum()) / n_in if n_in else math.nan,
            "wip_mean": float(st.area / (st.window_end - st.window_start)),
            "arrival_rate_per_hour": n_in / window_h,
            "unfinished_orders": float((in_window & ~done).sum()),
        }


def _mean(values: np.ndarray) -> float:
    return float(np.mean(values)) if len(values) else math.nan


def _nanmean(values: np.ndarray) -> float:
    known = values[~np.isnan(values)]
    return float(np.mean(known)) if len(known) else math.nan


def simulate(prepared: Prepared, *, seed: int = 0, replication: int = 0) -> ReplicationResult:
    """Run one replication and return its KPIs (see :data:`KPI_NAMES`).

    Parameters
    ----------
    prepared
        The output of :func:`smartwms.sim.prepare`.
    seed, replication
        Select the random streams; the same pair gives the same result.
    """
    started = time.perf_counter()
    model = _Model(prepared, seed, replication)
    events = model.run()
    kpis = model.kpis()
    return ReplicationResult(
        replication=replication,
        kpis=kpis,
        events=events,
        orders=len(model.times),
        sim_seconds=time.perf_counter() - started,
        run_seconds=model.run_seconds,
        run_cpu_seconds=model.run_cpu_seconds,
    )
