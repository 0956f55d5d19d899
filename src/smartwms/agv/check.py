"""Independent plan checker: an AGV plan is valid when nobody collides and every task is honest.

It reads the PLAN.json structure (``height``, ``width``, ``positions``, ``tasks``) and the map
rows only; it shares no code with the planners, so a planner bug cannot hide itself.

Rules
-----
* every agent has ``steps + 1`` positions, each a free cell of the map;
* a move goes to a 4-neighbour or waits, one per step (no jumps, no wrap-around);
* no vertex conflict (two agents on one cell at one time);
* no edge/swap conflict (two agents exchanging their cells in one step);
* a completed task's errands are visited in order at times ``assigned_at < t_1 <= ... <= t_k =
  completed_at`` by the task's agent.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["Conflict", "check_plan"]

_OBSTACLES = frozenset("@TOW")
_MAX_REPORTED = 1000


@dataclass(frozen=True)
class Conflict:
    """One violation: ``kind`` is one of ``shape``, ``obstacle``, ``jump``, ``vertex``,
    ``swap`` or ``task``; ``time`` the step (``t`` for positions, ``t -> t+1`` for moves)."""

    kind: str
    time: int
    agents: tuple[int, ...]
    message: str


def _free_mask(rows: Sequence[str], height: int, width: int) -> np.ndarray:
    if len(rows) != height or any(len(r) != width for r in rows):
        raise ValueError(f"map rows do not match the plan's {height}x{width} size")
    return np.array([ch not in _OBSTACLES for row in rows for ch in row], dtype=bool)


def check_plan(plan: Mapping[str, Any], rows: Sequence[str]) -> list[Conflict]:
    """Every rule the plan breaks (empty list: valid).

    Parameters
    ----------
    plan
        PLAN.json content: ``height``, ``width``, ``steps``, ``positions`` (one list of
        ``steps + 1`` linear cells per agent) and optionally ``tasks``.
    rows
        The map rows (``GridLayout.rows``).

    Examples
    --------
    >>> rows = ["...", "..."]
    >>> plan = {"height": 2, "width": 3, "steps": 1, "positions": [[0, 1], [1, 0]]}
    >>> [c.kind for c in check_plan(plan, rows)]
    ['swap']
    """
    height, width, steps = int(plan["height"]), int(plan["width"]), int(plan["steps"])
    free = _free_mask(rows, height, width)
    raw = plan["positions"]
    bad_shape = [i for i, p in enumerate(raw) if len(p) != steps + 1]
    if bad_shape:
        return [
            Conflict("shape", 0, (i,), f"agent {i} has {len(raw[i])} positions, not {steps + 1}")
            for i in bad_shape[:_MAX_REPORTED]
        ]
    if not raw:
        return []
    pos = np.asarray(raw, dtype=np.int64)  # (agents, steps + 1)
    conflicts: list[Conflict] = []
    conflicts += _cell_conflicts(pos, free)
    if conflicts:  # the rest assumes cells on the map
        return conflicts[:_MAX_REPORTED]
    conflicts += _move_conflicts(pos, width)
    conflicts += _vertex_conflicts(pos)
    conflicts += _swap_conflicts(pos, free.size)
    conflicts += _task_conflicts(pos, plan.get("tasks", []), free)
    return conflicts[:_MAX_REPORTED]


def _cell_conflicts(pos: np.ndarray, free: np.ndarray) -> list[Conflict]:
    inside = (pos >= 0) & (pos < free.size)
    ok = inside.copy()
    ok[inside] = free[pos[inside]]
    out = []
    for a, t in zip(*np.nonzero(~ok), strict=True):
        cell = int(pos[a, t])
        what = "off the map" if not inside[a, t] else "an obstacle"
        message = f"agent {a} at t={t} on {what} ({cell})"
        out.append(Conflict("obstacle", int(t), (int(a),), message))
    return out


def _move_conflicts(pos: np.ndarray, width: int) -> list[Conflict]:
    a_row, a_col = np.divmod(pos[:, :-1], width)
    b_row, b_col = np.divmod(pos[:, 1:], width)
    manhattan = np.abs(a_row - b_row) + np.abs(a_col - b_col)
    out = []
    for a, t in zip(*np.nonzero(manhattan > 1), strict=True):
        out.append(
            Conflict(
                "jump",
                int(t),
                (int(a),),
                f"agent {a} jumps {int(pos[a, t])} -> {int(pos[a, t + 1])} at t={t}->{t + 1}",
            )
        )
    return out


def _vertex_conflicts(pos: np.ndarray) -> list[Conflict]:
    out = []
    for t in range(pos.shape[1]):
        column = pos[:, t]
        order = np.argsort(column, kind="stable")
        sorted_cells = column[order]
        dup = np.nonzero(sorted_cells[1:] == sorted_cells[:-1])[0]
        for k in dup:
            a, b = int(order[k]), int(order[k + 1])
            message = f"agents {a} and {b} both on cell {column[a]} at t={t}"
            out.append(Conflict("vertex", t, (a, b), message))
        if len(out) > _MAX_REPORTED:
            break
    return out


def _swap_conflicts(pos: np.ndarray, size: int) -> list[Conflict]:
    src, dst = pos[:, :-1], pos[:, 1:]
    moving = src != dst
    agents, times = np.nonzero(moving)
    u, v = src[moving], dst[moving]
    forward = (times * size + u) * size + v
    backward = (times * size + v) * size + u
    _, i_fwd, i_bwd = np.intersect1d(forward, backward, return_indices=True)
    out = []
    for i, j in zip(i_fwd, i_bwd, strict=True):
        a, b = int(agents[i]), int(agents[j])
        if a < b:
            out.append(
                Conflict(
                    "swap",
                    int(times[i]),
                    (a, b),
                    f"agents {a} and {b} swap cells {u[i]} <-> {v[i]} at t={times[i]}->"
                    f"{times[i] + 1}",
                )
            )
    return out


def _task_conflicts(
    pos: np.ndarray, tasks: Sequence[Mapping[str, Any]], free: np.ndarray
) -> list[Conflict]:
    n, horizon = pos.shape
    out = []
    for k, task in enumerate(tasks):
        tid = task.get("id", k)
        agent = task.get("agent")
        done = task.get("completed_at")
        if done is None:
            continue
        start = task.get("assigned_at")
        errands = list(task.get("errands", []))

        def bad(msg: str, tid: Any = tid, agent: Any = agent, done: Any = done) -> Conflict:
            who = (int(agent),) if isinstance(agent, int) else ()
            return Conflict("task", int(done), who, f"task {tid}: {msg}")

        if not isinstance(agent, int) or not 0 <= agent < n:
            out.append(bad(f"completed by unknown agent {agent!r}"))
            continue
        if not isinstance(start, int) or not 0 <= start < done < horizon:
            out.append(bad(f"needs 0 <= assigned_at ({start}) < completed_at ({done}) <= steps"))
            continue
        if not errands or any(not (0 <= e < free.size and free[e]) for e in errands):
            out.append(bad(f"errands {errands} must be free cells of the map"))
            continue
        t = start
        for e in errands:
            later = np.nonzero(pos[agent, t + 1 : done + 1] == e)[0]
            if later.size == 0:
                out.append(bad(f"agent {agent} never reaches errand {e} in order by t={done}"))
                break
            t = t + 1 + int(later[0])
        else:
            if int(pos[agent, done]) != errands[-1]:
                out.append(bad(f"agent {agent} is not on the last errand at completed_at={done}"))
    return out
