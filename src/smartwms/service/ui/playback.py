"""AGV plans for the console's playback: positions of every agent at every step, compact.

An ``agv-run`` result carries its plan (collision-free, step by step). A ``dispatch`` result
carries routes (stops with arrival steps); the playback walks each AGV along a shortest grid
path between its stops and waits where the route waits (dispatch plans are not checked for
collisions between AGVs: the playback shows the routes, not a conflict-free schedule).

Positions travel as base64 of little-endian int32, agent-major (``agents x (steps + 1)``).
"""

from __future__ import annotations

import base64
from typing import Any

import numpy as np
from numpy.typing import NDArray

from smartwms.model import GridLayout

__all__ = [
    "PLAYBACK_KINDS",
    "dispatch_positions",
    "playback_document",
    "playback_of",
    "traffic_counts",
]

PLAYBACK_KINDS = ("agv-run", "dispatch")


def _walk(grid: Any, start: int, goal: int) -> list[int]:
    """A shortest path of cells from ``start`` to ``goal`` (both included)."""
    field = grid.distances_to(goal)
    path = [start]
    cell = start
    while cell != goal:
        here = int(field[cell])
        if here <= 0 or here >= 2**30:
            break  # unreachable (the solver would not have planned it)
        cell = next(n for n in grid.neighbours[cell] if int(field[n]) == here - 1)
        path.append(cell)
    return path


def dispatch_positions(
    layout: GridLayout, result: dict[str, Any], service: dict[str, int]
) -> NDArray[np.int32]:
    """Cells of every AGV at every step of a dispatch result (``service``: steps per order)."""
    from smartwms.agv import Grid

    grid = Grid(layout)
    tracks: list[list[int]] = []
    for start, route in zip(result["starts"], result["routes"], strict=True):
        track = [int(start)]
        for stop in route:
            track += _walk(grid, track[-1], int(stop["cell"]))[1:]
            wait = int(stop["arrival"]) - (len(track) - 1)
            track += [track[-1]] * max(0, wait)
            track += [track[-1]] * service.get(str(stop["order"]), 0)
        tracks.append(track)
    steps = max(len(t) for t in tracks)
    out = np.empty((len(tracks), steps), dtype=np.int32)
    for i, track in enumerate(tracks):
        out[i, : len(track)] = track
        out[i, len(track) :] = track[-1]
    return out


def traffic_counts(positions: NDArray[np.int32], cells: int) -> NDArray[np.int64]:
    """Agent-steps spent on every cell."""
    return np.bincount(positions.ravel(), minlength=cells)


def playback_document(
    layout: GridLayout, positions: NDArray[np.int32], tasks: list[dict[str, Any]]
) -> dict[str, Any]:
    """The JSON the playback script reads."""
    data = np.ascontiguousarray(positions, dtype="<i4")
    goals = [
        [int(t["agent"]), int(t["errands"][-1]), t.get("assigned_at"), t.get("completed_at")]
        for t in tasks
        if t.get("agent") is not None and t.get("errands")
    ]
    return {
        "height": layout.height,
        "width": layout.width,
        "rows": layout.rows,
        "agents": int(data.shape[0]),
        "steps": int(data.shape[1] - 1),
        "positions": base64.b64encode(data.tobytes()).decode(),
        "goals": goals,
    }


def _dispatch_goals(result: dict[str, Any]) -> list[dict[str, Any]]:
    """Each stop of a dispatch route as a task record: heading there from the previous stop."""
    goals = []
    for agent, route in enumerate(result["routes"]):
        since = 0
        for stop in route:
            goals.append(
                {
                    "agent": agent,
                    "errands": [stop["cell"]],
                    "assigned_at": since,
                    "completed_at": stop["arrival"],
                }
            )
            since = stop["arrival"]
    return goals


def playback_of(kind: str, result: dict[str, Any], payload: dict[str, Any]) -> dict[str, Any]:
    """The playback document of an ``agv-run`` or ``dispatch`` job."""
    layout = GridLayout.model_validate(payload["layout"])
    if kind == "agv-run":
        plan = result["plan"]
        return playback_document(
            layout, np.asarray(plan["positions"], dtype=np.int32), plan.get("tasks", [])
        )
    service = {str(o["id"]): int(o.get("service", 0)) for o in payload["orders"]}
    positions = dispatch_positions(layout, result, service)
    return playback_document(layout, positions, _dispatch_goals(result))
