"""A fleet driven one step at a time by an outside clock: errands with holds, planned by PIBT.

:func:`~smartwms.agv.lifelong.run_lifelong` owns its clock and its task stream. A discrete-event
simulation (or a shift plan whose tasks depend on when pickers finish) needs the opposite: it
hands an agent a list of errands when its own events happen, advances the fleet one step when
its clock says so, and learns which agent reached which errand. :class:`OnlineFleet` is that
driver, on the same planner (PIBT with stuck detection, optional traffic guidance) and the same
make-way rule for idle agents as the lifelong runner, so its moves are collision-free by
construction and can be recorded as a PLAN.json for :func:`~smartwms.agv.check_plan`.

An errand is a cell plus a *hold*: the number of steps the agent must then stand on it (lifting
a rack, say), or ``None`` to stand there until :meth:`OnlineFleet.release` is called (a rack
held at a pick station while the operator picks). Hold steps count only while the agent is on
the cell: an agent pushed off its errand by a higher-priority one comes back and carries on.
"""

from __future__ import annotations

import random
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from smartwms.agv.grid import Grid
from smartwms.agv.guidance import TrafficGuidance
from smartwms.agv.lifelong import check_starts, make_way
from smartwms.agv.pibt import PIBT
from smartwms.errors import InstanceValidationError

__all__ = ["Arrival", "Errand", "OnlineFleet"]


@dataclass(frozen=True)
class Errand:
    """Go to ``cell``, then stand there ``hold`` steps (``None``: until released)."""

    cell: int
    hold: int | None = 0


@dataclass(frozen=True)
class Arrival:
    """What happened to an agent in a step: it ``reached`` an errand or ``finished`` it."""

    agent: int
    errand: int  # index in the list given to :meth:`OnlineFleet.assign`
    event: str  # "reached" or "finished"


class OnlineFleet:
    """Agents on a grid, each working through the errands it was last given.

    Parameters
    ----------
    grid
        The map.
    starts
        Distinct free start cells, one per agent.
    planner
        ``pibt`` or ``guided`` (PIBT on congestion-aware guide fields).
    seed
        Tie-breaking seed: the same calls give the same moves.
    record
        Keep every position, so :meth:`plan_dict` can write the run for the plan checker.

    Examples
    --------
    >>> from smartwms.model import GridLayout
    >>> fleet = OnlineFleet(Grid(GridLayout(height=1, width=4, rows=["...."])), [0])
    >>> fleet.assign(0, [Errand(3, hold=1)])
    >>> [fleet.step() for _ in range(4)][-2:]
    [[Arrival(agent=0, errand=0, event='reached')], [Arrival(agent=0, errand=0, event='finished')]]
    >>> fleet.idle(0), fleet.moves[0]
    (True, 3)
    """

    def __init__(
        self,
        grid: Grid,
        starts: Sequence[int],
        *,
        planner: str = "pibt",
        seed: int = 0,
        record: bool = False,
    ) -> None:
        if planner not in ("pibt", "guided"):
            raise InstanceValidationError(
                [("planner", f"expected pibt or guided, got {planner!r}")]
            )
        check_starts(grid, starts)
        n = len(starts)
        self.grid = grid
        grid.reserve(2 * n + 64)
        self.pos: list[int] = list(starts)
        self.steps = 0
        self.moves = [0] * n
        self._pibt = PIBT(grid, seed=seed)
        self._guide = TrafficGuidance(grid) if planner == "guided" else None
        self._todo: list[deque[tuple[int, Errand]]] = [deque() for _ in range(n)]
        self._held = [0] * n  # hold steps done on the current errand
        self._reached = [False] * n
        self._released = [False] * n
        self._elapsed = [0] * n
        rng = random.Random(seed)
        self._tie = [rng.random() for _ in range(n)]
        self._history: list[list[int]] | None = [list(starts)] if record else None
        self.records: list[dict[str, Any]] = []

    # ------------------------------------------------------------------ state
    @property
    def size(self) -> int:
        """Number of agents."""
        return len(self.pos)

    def idle(self, agent: int) -> bool:
        """Whether the agent has no errand left."""
        return not self._todo[agent]

    @property
    def busy(self) -> bool:
        """Whether any agent has an errand."""
        return any(self._todo)

    @property
    def stuck_events(self) -> int:
        """How often the planner broke a deadlock or livelock by a detour."""
        return self._pibt.stuck_events

    def goal(self, agent: int) -> int:
        """The cell the agent is heading for (its own cell when idle)."""
        todo = self._todo[agent]
        return todo[0][1].cell if todo else self.pos[agent]

    # ------------------------------------------------------------------ commands
    def assign(self, agent: int, errands: Sequence[Errand], label: Any = None) -> None:
        """Give an idle agent its next errands (a task), recorded under ``label``."""
        if not self.idle(agent):
            raise ValueError(f"agent {agent} still has errands")
        for e in errands:
            if not self.grid.is_free(e.cell):
                raise InstanceValidationError(
                    [("errands", f"cell {e.cell} is not a free cell of the map")]
                )
        self._todo[agent].extend(enumerate(errands))
        self._held[agent] = 0
        self._reached[agent] = False
        self._released[agent] = False
        self.records.append(
            {
                "id": len(self.records),
                "agent": agent,
                "errands": [e.cell for e in errands],
                "assigned_at": self.steps,
                "completed_at": None,
                "label": label,
            }
        )

    def release(self, agent: int) -> None:
        """End the agent's indefinite hold (its errand finishes at the next step)."""
        self._released[agent] = True

    # ------------------------------------------------------------------ the clock
    def step(self) -> list[Arrival]:
        """Advance every agent one move (or wait); what was reached or finished."""
        n = self.size
        goals = [self.goal(i) for i in range(n)]
        has_task = [bool(q) for q in self._todo]
        parking = make_way(self.grid, self.pos, has_task, goals)
        field_of = self._guide.fields(self.pos, goals) if self._guide is not None else None
        order = sorted(range(n), key=lambda i: (not has_task[i], -self._elapsed[i], -self._tie[i]))
        if parking:  # agents making way move first, so they can leave dead ends
            order = parking + [i for i in order if i not in set(parking)]
        nxt = self._pibt.step(self.pos, goals, order, field_of)
        for i in range(n):
            if nxt[i] != self.pos[i]:
                self.moves[i] += 1
        self.pos = nxt
        self.steps += 1
        if self._history is not None:
            self._history.append(list(nxt))
        return self._advance_errands()

    def _advance_errands(self) -> list[Arrival]:
        events: list[Arrival] = []
        for i, todo in enumerate(self._todo):
            if not todo:
                self._elapsed[i] = 0
                continue
            index, errand = todo[0]
            if self.pos[i] != errand.cell:
                self._elapsed[i] += 1
                continue
            self._elapsed[i] = 0
            if not self._reached[i]:
                self._reached[i] = True
                events.append(Arrival(i, index, "reached"))
            else:
                self._held[i] += 1
            done = self._released[i] if errand.hold is None else self._held[i] >= errand.hold
            if done:
                todo.popleft()
                self._held[i] = 0
                self._reached[i] = False
                self._released[i] = False
                events.append(Arrival(i, index, "finished"))
                if not todo:
                    self._complete(i)
        return events

    def _complete(self, agent: int) -> None:
        for rec in reversed(self.records):
            if rec["agent"] == agent and rec["completed_at"] is None:
                rec["completed_at"] = self.steps
                break

    def wait(self, steps: int) -> None:
        """Let ``steps`` steps pass while nobody has an errand (agents stand still)."""
        if self.busy:
            raise ValueError("wait() is only for an idle fleet; call step()")
        if self._history is not None:
            self._history.extend([list(self.pos)] * steps)
        self.steps += steps

    # ------------------------------------------------------------------ output
    def plan_dict(self) -> dict[str, Any]:
        """The run as PLAN.json (needs ``record=True``), tasks as assigned and completed."""
        if self._history is None:
            raise ValueError("the fleet was not recording (record=False)")
        positions = np.asarray(self._history, dtype=np.int64).T
        return {
            "height": self.grid.height,
            "width": self.grid.width,
            "steps": self.steps,
            "positions": positions.tolist(),
            "tasks": [{k: v for k, v in rec.items() if k != "label"} for rec in self.records],
        }
