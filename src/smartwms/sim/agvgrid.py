"""Goods-to-person AGVs on the grid map, inside the SimPy model (``agv.fidelity = grid``).

The SimPy clock drives an :class:`~smartwms.agv.online.OnlineFleet`: while any AGV has an
errand, a clock process advances the fleet one move every ``cell_m / speed_mps`` seconds and
turns what the fleet reports (an AGV reached its rack, the station, ...) into SimPy events the
order processes wait for. While every AGV is idle the clock sleeps until the next request, so
quiet periods cost nothing.

A station works through the lines of its order with at most two racks on their way; each line
gets the nearest idle AGV (grid distance to the rack's access cell), or waits first-come
first-served for the next AGV to become free. The trip is four errands: the rack's access cell
(held ``handling_s`` to lift), the station's queue cell (held until the port is free), the
port (held until the operator has picked) and the access cell again (held ``handling_s`` to
put the rack down).
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable, Generator
from typing import Any

import simpy

from smartwms.agv.grid import Grid
from smartwms.agv.online import Errand, OnlineFleet
from smartwms.sim.prepare import AgvGrid

__all__ = ["GridAgvs"]


class GridAgvs:
    """The AGV fleet of one replication.

    Parameters
    ----------
    env
        The replication's environment.
    data
        The prepared grid, ports and start cells.
    speed_mps, handling_s, planner
        The scenario's AGV settings.
    seed
        Tie-breaking seed of the planner (derived from the replication's seed).
    """

    def __init__(
        self,
        env: simpy.Environment,
        data: AgvGrid,
        *,
        speed_mps: float,
        handling_s: float,
        planner: str,
        seed: int,
    ) -> None:
        self.env = env
        self.data = data
        self.grid = Grid(data.layout)
        self.fleet = OnlineFleet(self.grid, data.starts, planner=planner, seed=seed)
        self.step_s = data.cell_m / speed_mps
        self.lift_steps = math.ceil(handling_s / self.step_s) if handling_s > 0 else 0
        self._free = set(range(self.fleet.size))
        self._requests: deque[tuple[int, simpy.Event]] = deque()
        self._pending: dict[tuple[int, int, str], simpy.Event] = {}
        self._window = [simpy.Resource(env, capacity=2) for _ in data.ports]
        self._port = [simpy.Resource(env, capacity=1) for _ in data.ports]
        self._wake = env.event()
        env.process(self._clock())

    # ------------------------------------------------------------------ requests
    def _acquire(self, cell: int) -> simpy.Event:
        """An event whose value is the AGV that will serve a rack at ``cell``."""
        event = self.env.event()
        if self._free:
            event.succeed(self._nearest(cell))
        else:
            self._requests.append((cell, event))
        return event

    def _nearest(self, cell: int) -> int:
        dist = self.grid.distances_to(cell)
        agent = min(self._free, key=lambda i: (int(dist[self.fleet.pos[i]]), i))
        self._free.discard(agent)
        return agent

    def line(
        self, station: int, access: int, on_port: Callable[[], Any], picked: simpy.Event
    ) -> Generator[simpy.Event, Any, float]:
        """Serve one order line at ``station``: returns the metres its AGV drove.

        The station keeps at most two racks on their way (one at the port, the next waiting
        beside it), as a WMS releases work to a station; then the nearest free AGV lifts the
        rack at ``access``, waits at the station's queue cell until the port is free, stands
        at the port until ``picked`` fires (``on_port()`` is called on arrival) and puts the
        rack back. Run inside a SimPy process with ``yield from``.
        """
        with self._window[station].request() as slot:
            yield slot
            agent = yield self._acquire(access)
            moves_before = self.fleet.moves[agent]
            port, queue = self.data.ports[station], self.data.queues[station]
            errands = [
                Errand(access, self.lift_steps),
                Errand(queue, None),
                Errand(port, None),
                Errand(access, self.lift_steps),
            ]
            at_queue = self._expect(agent, 1, "reached")
            at_port = self._expect(agent, 2, "reached")
            back = self._expect(agent, 3, "finished")
            self.fleet.assign(agent, errands)
            self._kick()
            yield at_queue
            with self._port[station].request() as turn:
                yield turn
                self.fleet.release(agent)
                yield at_port
                on_port()
                yield picked
                self.fleet.release(agent)
        yield back
        self._free.add(agent)
        self._serve_waiting()
        return (self.fleet.moves[agent] - moves_before) * self.data.cell_m

    def _expect(self, agent: int, errand: int, what: str) -> simpy.Event:
        event = self.env.event()
        self._pending[(agent, errand, what)] = event
        return event

    def _serve_waiting(self) -> None:
        while self._free and self._requests:
            cell, event = self._requests.popleft()
            event.succeed(self._nearest(cell))

    def _kick(self) -> None:
        if not self._wake.triggered:
            self._wake.succeed()

    # ------------------------------------------------------------------ the clock
    def _clock(self) -> Generator[simpy.Event, Any, None]:
        env = self.env
        while True:
            if not self.fleet.busy:
                self._wake = env.event()
                yield self._wake
                continue
            yield env.timeout(self.step_s)
            for arrival in self.fleet.step():
                key = (arrival.agent, arrival.errand, arrival.event)
                event = self._pending.pop(key, None)
                if event is not None:
                    event.succeed()

    @property
    def stuck_events(self) -> int:
        """How often the planner had to break a deadlock or livelock."""
        return self.fleet.stuck_events
