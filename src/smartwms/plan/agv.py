"""AGV transport tasks of a shift: relocations driven on the warehouse's grid map.

Where the instance has AGVs and a grid map (a grid layout, or a parallel-aisle warehouse
rasterised by :func:`~smartwms.layout.warehouse_grid`), the relocation moves become AGV tasks:
lift the slot's load at the source's access cell, carry it to the target's, put it down. The
tasks run on an :class:`~smartwms.agv.OnlineFleet` (PIBT, collision-free by construction), a
move starting once every earlier move that touches its slots or SKU has been put down; the
recorded run is the plan's :class:`~smartwms.plan.model.AgvSchedule`, which the plan checker
validates with :func:`smartwms.agv.check_plan`. Moves from or to the buffer (and put-aways)
start or end at the depot.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from smartwms.agv import Errand, Grid, OnlineFleet
from smartwms.errors import InfeasibleError, InstanceValidationError
from smartwms.layout.gridmap import WarehouseGrid, parking_cells, warehouse_grid
from smartwms.model import Instance, Move
from smartwms.model.slotting import BUFFER
from smartwms.plan.assemble import move_quantities
from smartwms.plan.model import AgvSchedule, AgvTask, Relocation

__all__ = ["agv_names", "has_agv_map", "plan_agv_relocations"]


def agv_names(instance: Instance) -> list[str]:
    """``<class id>-<k>`` for every AGV of the fleet."""
    return [f"{cls.id}-{k + 1}" for cls in instance.fleet.agvs for k in range(cls.count)]


def has_agv_map(instance: Instance) -> bool:
    """Whether AGVs can work this warehouse: it has AGVs and a grid map (given or derived)."""
    return bool(agv_names(instance)) and instance.layout.kind in ("grid", "parallel-aisle")


def _cell(grid: WarehouseGrid, location: str | None) -> int:
    if location is None or location == BUFFER:
        return grid.depot
    return grid.access[location]


def plan_agv_relocations(
    instance: Instance,
    moves: Sequence[Move],
    *,
    handling_s: float = 5.0,
    seed: int = 0,
) -> tuple[list[Relocation], AgvSchedule]:
    """Carry out ``moves`` with the instance's AGVs; the timed relocations and the AGV run.

    Parameters
    ----------
    instance
        A warehouse with AGVs and a grid map (see :func:`has_agv_map`).
    moves
        The slotting moves, in their safe order.
    handling_s
        Time to lift or put down a load (rounded up to whole steps).
    seed
        Tie-breaking seed of the planner.

    The AGVs start at the shift's start (step 0 is time 0), parked nearest the depot. The run
    is short (a move budget's worth of trips), so it is not cut by the plan's time limit: a
    relocation half done would leave the slotting the later stages rely on undone.

    Raises
    ------
    InfeasibleError
        When the fleet cannot finish the moves within a generous step budget (a map where a
        slot cannot be reached).
    """
    names = agv_names(instance)
    if not names:
        raise InstanceValidationError([("fleet.agvs", "no AGV to carry the relocations")])
    grid = warehouse_grid(instance)
    speed = min(cls.speed for cls in instance.fleet.agvs if cls.count > 0)
    step_s = grid.cell_m / speed
    lift = math.ceil(handling_s / step_s) if handling_s > 0 else 0
    fleet = OnlineFleet(Grid(grid.layout), parking_cells(grid, len(names)), seed=seed, record=True)
    units = move_quantities(instance, moves)
    pending = list(range(len(moves)))
    busy_keys: dict[str, int] = {}  # slot or SKU -> the move holding it
    started: dict[int, tuple[int, int]] = {}  # move -> (agent, step)
    finished: dict[int, int] = {}
    running: dict[int, int] = {}  # agent -> move
    total = sum(fleet.grid.distance(_cell(grid, m.source), _cell(grid, m.target)) for m in moves)
    budget = 50 * (total + len(moves) * (lift + 1)) + 10 * (grid.layout.height + grid.layout.width)

    def keys(m: Move) -> list[str]:
        return [f"sku:{m.sku}", f"loc:{m.target}", *([f"loc:{m.source}"] if m.source else [])]

    while pending or running:
        blocked: set[str] = set()
        for k in list(pending):
            mine = [key for key in keys(moves[k]) if key != f"loc:{BUFFER}"]
            # A move waits for earlier moves on its slots or SKU, running or still pending.
            if any(key in busy_keys or key in blocked for key in mine):
                blocked.update(mine)
                continue
            idle = [a for a in range(fleet.size) if fleet.idle(a)]
            if not idle:
                break
            src, dst = _cell(grid, moves[k].source), _cell(grid, moves[k].target)
            dist = fleet.grid.distances_to(src)
            agent = min(idle, key=lambda a: (int(dist[fleet.pos[a]]), a))
            fleet.assign(agent, [Errand(src, lift), Errand(dst, lift)], label=k)
            started[k] = (agent, fleet.steps)
            running[agent] = k
            for key in mine:
                busy_keys[key] = k
            pending.remove(k)
        if not running:
            break
        for arrival in fleet.step():
            if arrival.event == "finished" and arrival.errand == 1:
                k = running.pop(arrival.agent)
                finished[k] = fleet.steps
                for key in keys(moves[k]):
                    busy_keys.pop(key, None)
        if fleet.steps > budget:
            raise InfeasibleError(
                f"the AGVs did not finish {len(moves)} relocations in {budget} steps"
            )
    relocations = [
        Relocation(
            sequence=k + 1,
            step=moves[k].step,
            sku=moves[k].sku,
            from_location=moves[k].source,
            to_location=moves[k].target,
            quantity=units[k],
            kind=moves[k].kind,
            worker=names[started[k][0]],
            planned_start_s=started[k][1] * step_s,
            planned_end_s=finished[k] * step_s,
        )
        for k in sorted(finished)
    ]
    plan = fleet.plan_dict()
    by_label = {rec["label"]: rec for rec in fleet.records}
    tasks = [
        AgvTask(
            id=i,
            agent=by_label[k]["agent"],
            kind="relocation",
            ref=f"move {k + 1}",
            errands=list(by_label[k]["errands"]),
            assigned_at=by_label[k]["assigned_at"],
            completed_at=by_label[k]["completed_at"],
            planned_start_s=by_label[k]["assigned_at"] * step_s,
            planned_end_s=by_label[k]["completed_at"] * step_s,
        )
        for i, k in enumerate(sorted(finished))
    ]
    schedule = AgvSchedule(
        height=grid.layout.height,
        width=grid.layout.width,
        rows=list(grid.layout.rows),
        ports=0,
        step_s=step_s,
        cell_m=grid.cell_m,
        steps=plan["steps"],
        agents=names,
        positions=plan["positions"],
        tasks=tasks,
    )
    return relocations, schedule
