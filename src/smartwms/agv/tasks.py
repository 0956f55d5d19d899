"""Tasks and the streams that reveal them over time.

A task is a sequence of errands (cells to visit in order): one goal for LoRR 2023 tasks, a
pickup then a delivery for generated transport tasks. Two ways of handing them out:

* :class:`RoundRobinTasks` - LoRR 2023 ``roundrobin`` ownership: task ``j`` of the file
  belongs to agent ``j mod N`` and an agent's next task is revealed when it finishes one
  (``numTasksReveal`` at a time); the file is reused cyclically.
* :class:`TaskPool` - tasks released into a shared pool (the LoRR file in order, or generated
  pickup -> delivery tasks at a given frequency) that an assignment policy hands to agents.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field

__all__ = ["RoundRobinTasks", "Task", "TaskPool", "generated_tasks", "lorr_pool"]


@dataclass
class Task:
    """A task: visit ``errands`` in order. Times are plan steps (``None`` until they happen)."""

    id: int
    errands: tuple[int, ...]
    released_at: int = 0
    agent: int | None = None
    assigned_at: int | None = None
    completed_at: int | None = None
    visited: int = 0  # errands done so far

    @property
    def next_errand(self) -> int:
        """The cell to go to next."""
        return self.errands[self.visited]

    @property
    def started(self) -> bool:
        """Whether its first errand is done (then it may no longer be reassigned)."""
        return self.visited > 0

    def to_dict(self) -> dict[str, object]:
        """The PLAN.json record."""
        return {
            "id": self.id,
            "agent": self.agent,
            "errands": list(self.errands),
            "released_at": self.released_at,
            "assigned_at": self.assigned_at,
            "completed_at": self.completed_at,
        }


class RoundRobinTasks:
    """LoRR 2023 roundrobin ownership over a task file of goal cells.

    Examples
    --------
    >>> rr = RoundRobinTasks([10, 11, 12, 13, 14], n_agents=2)
    >>> [t.errands for t in rr.reveal(0, time=0)], [t.errands for t in rr.reveal(1, time=0)]
    ([(10,)], [(11,)])
    >>> rr.reveal(0, time=5)[0].errands  # agent 0's second task is file task 2
    (12,)
    """

    def __init__(self, cells: Sequence[int], n_agents: int, reveal: int = 1) -> None:
        if not cells:
            raise ValueError("the task file lists no task")
        self.cells = list(cells)
        self.n_agents = n_agents
        self.reveal_count = reveal
        self._counter = [0] * n_agents
        self.tasks: list[Task] = []

    def reveal(self, agent: int, time: int) -> list[Task]:
        """The agent's next task (file index ``counter * N + agent``), assigned at ``time``."""
        j = self._counter[agent] * self.n_agents + agent
        self._counter[agent] += 1
        task = Task(
            id=j,
            errands=(self.cells[j % len(self.cells)],),
            released_at=time,
            agent=agent,
            assigned_at=time,
        )
        self.tasks.append(task)
        return [task]


@dataclass
class TaskPool:
    """Tasks released over time into a pool that an assignment policy draws from.

    ``schedule`` lists ``(release step, errands)`` in release order; with ``refill`` a new
    task from ``source`` is released whenever one completes (LoRR files, pooled).
    """

    schedule: list[tuple[int, tuple[int, ...]]] = field(default_factory=list)
    refill_source: list[tuple[int, ...]] | None = None
    tasks: list[Task] = field(default_factory=list)
    _next: int = 0
    _source_next: int = 0

    def release(self, time: int) -> list[Task]:
        """Tasks whose release step has come (each released once)."""
        new = []
        while self._next < len(self.schedule) and self.schedule[self._next][0] <= time:
            _, errands = self.schedule[self._next]
            new.append(Task(id=len(self.tasks), errands=errands, released_at=time))
            self.tasks.append(new[-1])
            self._next += 1
        return new

    def refill(self, time: int) -> Task | None:
        """Release the next task of the source (cyclically), after a completion."""
        if not self.refill_source:
            return None
        errands = self.refill_source[self._source_next % len(self.refill_source)]
        self._source_next += 1
        task = Task(id=len(self.tasks), errands=errands, released_at=time)
        self.tasks.append(task)
        return task

    @property
    def exhausted(self) -> bool:
        """No task is left to release (with refilling, never)."""
        return self.refill_source is None and self._next >= len(self.schedule)


def lorr_pool(cells: Sequence[int], n_agents: int, reveal: int = 1) -> TaskPool:
    """The LoRR task file as a pool: ``N * reveal`` tasks open at once, refilled in file order."""
    if not cells:
        raise ValueError("the task file lists no task")
    source: list[tuple[int, ...]] = [(c,) for c in cells]
    first = min(len(source), n_agents * reveal)
    pool = TaskPool(schedule=[(0, source[i]) for i in range(first)], refill_source=source)
    pool._source_next = first
    return pool


def generated_tasks(
    pickups: Sequence[int],
    deliveries: Sequence[int],
    count: int,
    frequency: float = 1.0,
    seed: int = 0,
) -> TaskPool:
    """``count`` pickup -> delivery tasks, ``frequency`` per step on average (Ma et al. style).

    With ``frequency >= 1``, ``int(frequency)`` tasks appear each step; below 1, one task
    appears with that probability. Pickup and delivery differ.

    Examples
    --------
    >>> pool = generated_tasks([1, 2], [2, 3], count=3, frequency=1, seed=0)
    >>> [t for t, _ in pool.schedule]
    [0, 1, 2]
    >>> all(p != d for _, (p, d) in pool.schedule)
    True
    """
    if count < 0 or frequency <= 0:
        raise ValueError("count must be >= 0 and frequency > 0")
    if not pickups or not deliveries or (len(set(pickups) | set(deliveries)) < 2):
        raise ValueError("need pickup and delivery cells (at least two distinct cells)")
    rng = random.Random(seed)
    schedule: list[tuple[int, tuple[int, ...]]] = []
    step = 0
    while len(schedule) < count:
        n_new = int(frequency) if frequency >= 1 else int(rng.random() < frequency)
        for _ in range(min(n_new, count - len(schedule))):
            while True:
                p, d = rng.choice(pickups), rng.choice(deliveries)
                if p != d:
                    break
            schedule.append((step, (p, d)))
        step += 1
    return TaskPool(schedule=schedule)
