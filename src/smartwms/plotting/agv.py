"""AGV figures: a traffic heatmap of a plan and an animation of its first steps."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["animate_plan", "traffic_heatmap"]

_OBSTACLES = frozenset("@TOW")


def _obstacle_mask(rows: Sequence[str]) -> np.ndarray:
    return np.array([[ch in _OBSTACLES for ch in row] for row in rows], dtype=bool)


def _figure(height: int, width: int) -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    scale = min(12.0 / max(width, 1), 8.0 / max(height, 1), 0.4)
    return plt.figure(figsize=(max(3.0, width * scale + 1.5), max(2.5, height * scale + 1.0)))


def traffic_heatmap(plan: dict[str, Any], rows: Sequence[str], path: str | Path) -> Path:
    """Save a PNG of how many agent-steps each cell carried (obstacles in black).

    ``plan`` is the PLAN.json structure (``height``, ``width``, ``positions``).
    """
    import matplotlib.pyplot as plt

    height, width = int(plan["height"]), int(plan["width"])
    counts = np.bincount(
        np.asarray(plan["positions"], dtype=np.int64).ravel(), minlength=height * width
    ).reshape(height, width)
    fig = _figure(height, width)
    ax = fig.add_subplot(1, 1, 1)
    shown = np.ma.masked_where(_obstacle_mask(rows), counts.astype(float))
    cmap = plt.get_cmap("inferno").with_extremes(bad="#222222")
    image = ax.imshow(shown, cmap=cmap, interpolation="nearest")
    fig.colorbar(image, ax=ax, label="agent-steps on cell", shrink=0.8)
    ax.set_title(f"AGV traffic: {len(plan['positions'])} agents, {plan['steps']} steps")
    ax.set_xticks([])
    ax.set_yticks([])
    fig.tight_layout()
    out = Path(path)
    fig.savefig(out, dpi=120)
    plt.close(fig)
    return out


def animate_plan(
    plan: dict[str, Any], rows: Sequence[str], path: str | Path, frames: int = 60, fps: int = 6
) -> Path:
    """Save a GIF (matplotlib PillowWriter) of the plan's first ``frames`` steps.

    Agents are dots coloured by index; their current errand (from ``tasks``) is a cross.
    """
    import matplotlib.pyplot as plt
    from matplotlib.animation import FuncAnimation, PillowWriter

    height, width = int(plan["height"]), int(plan["width"])
    pos = np.asarray(plan["positions"], dtype=np.int64)
    n_frames = max(1, min(frames, pos.shape[1]))
    goal_at = _goals_over_time(plan, n_frames)
    fig = _figure(height, width)
    ax = fig.add_subplot(1, 1, 1)
    ax.imshow(_obstacle_mask(rows), cmap="Greys", interpolation="nearest")
    ax.set_xticks([])
    ax.set_yticks([])
    colours = plt.get_cmap("tab20")(np.arange(pos.shape[0]) % 20)
    size = max(4.0, 400.0 / max(height, width))
    dots = ax.scatter(pos[:, 0] % width, pos[:, 0] // width, s=size, c=colours)
    goals = ax.scatter([], [], s=size, marker="x", c="red", linewidths=0.8)
    title = ax.set_title("t = 0")

    def draw(t: int) -> tuple[Any, ...]:
        dots.set_offsets(np.column_stack([pos[:, t] % width, pos[:, t] // width]))
        cells = goal_at[t]
        if cells:
            goals.set_offsets(np.column_stack([np.array(cells) % width, np.array(cells) // width]))
        title.set_text(f"t = {t}")
        return dots, goals, title

    animation = FuncAnimation(fig, draw, frames=n_frames, blit=False)
    out = Path(path)
    animation.save(out, writer=PillowWriter(fps=fps))
    plt.close(fig)
    return out


def _goals_over_time(plan: dict[str, Any], n_frames: int) -> list[list[int]]:
    """Cells of the errands open at each frame (the next errand of each running task)."""
    goals: list[list[int]] = [[] for _ in range(n_frames)]
    for task in plan.get("tasks", []):
        start = task.get("assigned_at")
        if start is None or start >= n_frames:
            continue
        end = task.get("completed_at")
        end = n_frames if end is None else min(end, n_frames)
        cell = task["errands"][-1]
        for t in range(start, end):
            goals[t].append(cell)
    return goals
