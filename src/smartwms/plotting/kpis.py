"""Figures of simulation results: before/after KPI bars, sweeps and an example pick route.

Every function writes a PNG with the non-interactive Agg backend and returns its path.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from smartwms.layout import points_of
from smartwms.model import Instance, ParallelAisleLayout

__all__ = [
    "plot_kpi_comparison",
    "plot_route",
    "plot_sweep",
]


def _err(entry: dict[str, Any]) -> tuple[float, float]:
    mean = entry["mean"] or 0.0
    lo, hi = entry["ci95"]
    if lo is None or hi is None:
        return 0.0, 0.0
    return max(0.0, mean - lo), max(0.0, hi - mean)


def plot_kpi_comparison(
    before: dict[str, dict[str, Any]],
    after: dict[str, dict[str, Any]],
    names: Sequence[str],
    path: Path,
    *,
    labels: tuple[str, str] = ("baseline", "optimised"),
    title: str = "before / after (mean, 95 % CI)",
) -> Path:
    """One small bar chart per KPI: before and after with their confidence intervals."""
    fig, axes = plt.subplots(1, len(names), figsize=(3.0 * len(names), 3.4), squeeze=False)
    for ax, name in zip(axes[0], names, strict=True):
        means = [before[name]["mean"] or 0.0, after[name]["mean"] or 0.0]
        errs = list(zip(_err(before[name]), _err(after[name]), strict=True))
        ax.bar(labels, means, yerr=errs, capsize=4, color=["#9e9e9e", "#2e7d32"])
        ax.set_title(name, fontsize=9)
        ax.tick_params(labelsize=8)
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def plot_sweep(
    key: str,
    values: Sequence[Any],
    kpis: Sequence[dict[str, dict[str, Any]]],
    names: Sequence[str],
    path: Path,
) -> Path:
    """KPI against a swept parameter, with 95 % confidence bands."""
    fig, axes = plt.subplots(1, len(names), figsize=(3.6 * len(names), 3.2), squeeze=False)
    xs = list(range(len(values)))
    numeric = all(isinstance(v, int | float) for v in values)
    x = [float(v) for v in values] if numeric else xs
    for ax, name in zip(axes[0], names, strict=True):
        means = [k[name]["mean"] for k in kpis]
        lows = [k[name]["ci95"][0] for k in kpis]
        highs = [k[name]["ci95"][1] for k in kpis]
        ax.plot(x, [m if m is not None else float("nan") for m in means], marker="o")
        if all(v is not None for v in lows + highs):
            ax.fill_between(x, lows, highs, alpha=0.25)
        ax.set_xlabel(key, fontsize=8)
        ax.set_title(name, fontsize=9)
        if not numeric:
            ax.set_xticks(xs, [str(v) for v in values])
        ax.tick_params(labelsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def _require_aisles(instance: Instance) -> ParallelAisleLayout:
    if not isinstance(instance.layout, ParallelAisleLayout):
        raise ValueError("plots of slots and routes need a parallel-aisle layout")
    return instance.layout


def plot_route(
    instance: Instance,
    routes: dict[str, tuple[Sequence[str], float]],
    path: Path,
) -> Path:
    """Pick tours drawn through their stops (straight segments between stops, stops numbered).

    ``routes`` maps a label (e.g. the method) to ``(location ids in visiting order, length)``.
    """
    layout = _require_aisles(instance)
    fig, axes = plt.subplots(1, len(routes), figsize=(6 * len(routes), 5), squeeze=False)
    all_pts = points_of(layout, instance.locations)
    depot = points_of(layout, [instance.depot])
    for ax, (label, (stops, length)) in zip(axes[0], routes.items(), strict=True):
        ax.scatter(all_pts.x, all_pts.y, s=4, c="#dddddd", marker="s")
        pts = points_of(layout, [instance.depot, *(instance.location_index[s] for s in stops)])
        xs = [*pts.x.tolist(), float(depot.x[0])]
        ys = [*pts.y.tolist(), float(depot.y[0])]
        ax.plot(xs, ys, "-", color="#1565c0", linewidth=1.2)
        ax.plot(xs[1:-1], ys[1:-1], "o", color="#c62828", markersize=5)
        for i, (x, y) in enumerate(zip(xs[1:-1], ys[1:-1], strict=True), start=1):
            ax.annotate(str(i), (x, y), fontsize=7, xytext=(3, 3), textcoords="offset points")
        ax.plot(depot.x, depot.y, "b^", markersize=9)
        ax.invert_yaxis()
        ax.set_aspect("equal")
        ax.set_title(
            f"{label}: {length:.0f} m (stops in order; lines are not the walk)", fontsize=9
        )
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
