"""Figures of simulation results: before/after KPI bars with CIs, KPI-vs-parameter sweeps.

Every function writes a PNG with the non-interactive Agg backend and returns its path.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

__all__ = [
    "plot_kpi_comparison",
    "plot_paired_differences",
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


def plot_paired_differences(
    difference: dict[str, dict[str, Any]],
    baseline: dict[str, dict[str, Any]],
    names: Sequence[str],
    path: Path,
    *,
    title: str = "plan - baseline, paired (mean and 95 % CI, % of the baseline)",
) -> Path:
    """Relative paired differences per KPI with their 95 % CIs; green where the change is
    significant and better (``difference[name]["better"]``), red where worse."""
    fig, ax = plt.subplots(figsize=(7.5, 0.45 * len(names) + 1.4))
    ys = list(range(len(names)))
    for y, name in zip(ys, names, strict=True):
        d, base = difference[name], baseline[name]["mean"]
        if d["mean"] is None or not base:
            continue
        mean = 100 * d["mean"] / abs(base)
        lo, hi = (100 * v / abs(base) if v is not None else mean for v in d["ci95"])
        colour = "#9e9e9e"
        if d.get("better") is True:
            colour = "#2e7d32"
        elif d.get("better") is False:
            colour = "#c62828"
        ax.barh(y, mean, color=colour, height=0.6)
        ax.errorbar(mean, y, xerr=[[mean - lo], [hi - mean]], color="black", capsize=3, lw=1)
    ax.axvline(0, color="black", lw=0.8)
    ax.set_yticks(ys, list(names), fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel("% change against the baseline")
    ax.set_title(title, fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
