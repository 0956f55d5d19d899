"""Battery and charging (off by default): consumption per move, charge below a threshold.

Each agent's charge (percent) drops by ``consumption_per_move`` per move and
``consumption_per_step_idle`` per wait. When it falls below ``threshold``, the agent heads
for the nearest charger nobody else is heading for or using, charges ``charge_per_step`` per
step on it until full, then goes back to its task. Its task goals are overridden meanwhile, so
charging shows up as lost throughput. An agent whose charge reaches 0 is counted in
``battery_depleted`` (the run does not immobilise it, so plans stay comparable).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from smartwms.agv.grid import UNREACHABLE, Grid
from smartwms.agv.tasks import Task
from smartwms.model import Battery

__all__ = ["BatteryPolicy"]


class BatteryPolicy:
    """Charge levels of a fleet and the go-charge decisions.

    Examples
    --------
    >>> from smartwms.model import GridLayout
    >>> grid = Grid(GridLayout(height=1, width=4, rows=["...."]))
    >>> pol = BatteryPolicy(grid, Battery(initial=21, threshold=20, consumption_per_move=2),
    ...                     chargers=[3], n_agents=1)
    >>> pol.after_step([0], [1])
    >>> pol.before_step([1], [[]], 1)
    >>> pol.goals([0], [1])
    [3]
    """

    def __init__(self, grid: Grid, spec: Battery, chargers: Sequence[int], n_agents: int) -> None:
        if not chargers:
            raise ValueError("battery: no charger cell given")
        for c in chargers:
            if not grid.is_free(c):
                raise ValueError(f"battery: charger cell {c} is not a free cell")
        self.grid = grid
        self.spec = spec
        self.chargers = list(chargers)
        self.level = [spec.initial] * n_agents
        self.target: list[int | None] = [None] * n_agents  # charger each agent heads for / uses
        self.charge_trips = 0
        self.charging_steps = 0
        self.depleted: set[int] = set()

    def before_step(self, pos: Sequence[int], queues: Sequence[list[Task]], now: int) -> None:
        """Send agents below the threshold to the nearest charger that is not taken."""
        taken = {c for c in self.target if c is not None}
        for i, level in enumerate(self.level):
            if self.target[i] is not None or level >= self.spec.threshold:
                continue
            free = [c for c in self.chargers if c not in taken]
            if not free:
                continue
            best = min(free, key=lambda c: (self.grid.distance(pos[i], c), c))
            if self.grid.distance(pos[i], best) >= UNREACHABLE:
                continue
            self.target[i] = best
            taken.add(best)
            self.charge_trips += 1

    def goals(self, goals: Sequence[int], pos: Sequence[int]) -> list[int]:
        """Task goals, with charging agents' goals replaced by their charger."""
        return [g if self.target[i] is None else self.target[i] for i, g in enumerate(goals)]  # type: ignore[misc]

    def after_step(self, before: Sequence[int], after: Sequence[int]) -> None:
        """Drain on moves and waits; charge on the target charger; release when full."""
        spec = self.spec
        for i, (a, b) in enumerate(zip(before, after, strict=True)):
            if self.target[i] is not None and b == self.target[i] and a == b:
                self.level[i] = min(100.0, self.level[i] + spec.charge_per_step)
                self.charging_steps += 1
                if self.level[i] >= 100.0:
                    self.target[i] = None
                continue
            drain = spec.consumption_per_move if a != b else spec.consumption_per_step_idle
            self.level[i] = max(0.0, self.level[i] - drain)
            if self.level[i] <= 0.0:
                self.depleted.add(i)

    def kpis(self) -> dict[str, Any]:
        """Charging figures for the run summary."""
        return {
            "battery_charge_trips": self.charge_trips,
            "battery_charging_steps": self.charging_steps,
            "battery_depleted": len(self.depleted),
            "battery_min_level": min(self.level) if self.level else None,
        }
