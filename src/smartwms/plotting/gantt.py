"""Gantt charts: who does what when (a shift plan's batches per picker, coloured by wave).

Plain data in, a PNG out (Agg backend): each bar is ``(row, start, end, group)``; rows are
drawn top to bottom in the order given, groups get one colour each and a legend entry.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from matplotlib.patches import Patch

__all__ = ["Bar", "plot_gantt"]

Bar = tuple[str, float, float, str]


def plot_gantt(
    rows: Sequence[str],
    bars: Sequence[Bar],
    path: str | Path,
    *,
    title: str = "",
    marks: Sequence[tuple[str, float]] = (),
    time_unit: float = 3600.0,
    xlabel: str = "hours from the start of the shift",
) -> Path:
    """Draw ``bars`` on ``rows``; ``marks`` are ``(row, time)`` crosses (e.g. late orders).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "g.png"
    >>> plot_gantt(["p1", "p2"], [("p1", 0, 60, "W1"), ("p2", 30, 90, "W2")], out).exists()
    True
    """
    groups = list(dict.fromkeys(b[3] for b in bars))
    colours = plt.get_cmap("tab10")
    colour = {g: colours(k % 10) for k, g in enumerate(groups)}
    y = {r: k for k, r in enumerate(rows)}
    height = max(2.5, 0.35 * len(rows) + 1.2)
    fig, ax = plt.subplots(figsize=(10, height))
    try:
        for row, start, end, group in bars:
            ax.barh(
                y[row],
                (end - start) / time_unit,
                left=start / time_unit,
                height=0.7,
                color=colour[group],
                edgecolor="white",
                linewidth=0.3,
            )
        if marks:
            ax.scatter(
                [t / time_unit for _, t in marks],
                [y[r] for r, _ in marks],
                marker="x",
                color="crimson",
                s=18,
                zorder=3,
                label="late order",
            )
        ax.set_yticks(range(len(rows)), list(rows), fontsize=7)
        ax.invert_yaxis()
        ax.set_xlabel(xlabel)
        ax.set_title(title)
        handles = [Patch(color=colour[g], label=g) for g in groups[:12]]
        if marks:
            handles.append(ax.collections[-1])  # type: ignore[arg-type]
        if handles:
            ax.legend(handles=handles, loc="upper right", fontsize=7)
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        fig.tight_layout()
        fig.savefig(target, dpi=110)
    finally:
        plt.close(fig)
    return target
