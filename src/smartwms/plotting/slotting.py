"""Demand heatmap of a warehouse before and after slotting."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import numpy as np

from smartwms.model import GraphLayout, Instance, ParallelAisleLayout

__all__ = ["plot_slotting_heatmap"]


def _positions(instance: Instance) -> dict[str, tuple[float, float]]:
    """Drawing position of every location: aisle geometry, node coordinates or grid cell."""
    layout = instance.layout
    out: dict[str, tuple[float, float]] = {}
    if isinstance(layout, ParallelAisleLayout):
        for loc in instance.locations:
            assert loc.aisle is not None and loc.cell is not None
            side = {"left": -0.6, "right": 0.6}.get(loc.side or "", 0.0)
            out[loc.id] = (layout.aisle_x(loc.aisle) + side, -layout.cell_y(loc.cell))
    elif isinstance(layout, GraphLayout):
        nodes = {n.id: n for n in layout.nodes}
        order = {n.id: k for k, n in enumerate(layout.nodes)}
        for loc in instance.locations:
            node = nodes[loc.node or ""]
            if node.x is not None and node.y is not None:
                out[loc.id] = (node.x, node.y)
            else:
                out[loc.id] = (float(order[node.id] % 40), -float(order[node.id] // 40))
    else:
        for loc in instance.locations:
            row, col = divmod(loc.cell or 0, layout.width)
            out[loc.id] = (float(col), -float(row))
    return out


def plot_slotting_heatmap(
    instance: Instance,
    before: dict[str, list[str]],
    after: dict[str, list[str]],
    weight: dict[str, float],
    path: str | Path,
) -> Path:
    """Draw the pick weight per location before and after side by side and save it.

    Parameters
    ----------
    instance
        The warehouse.
    before, after
        ``{sku: [locations]}`` assignments.
    weight
        Picks per day of every SKU (split evenly over its locations).
    path
        Image file to write (format from the suffix).
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    pos = _positions(instance)
    ids = [loc.id for loc in instance.locations]
    xy = np.asarray([pos[i] for i in ids]) if ids else np.zeros((0, 2))
    fig, axes = plt.subplots(1, 2, figsize=(12, 5), sharex=True, sharey=True)
    heat = []
    for assignment in (before, after):
        load: dict[str, float] = defaultdict(float)
        for sku, locs in assignment.items():
            for loc in locs:
                load[loc] += weight.get(sku, 0.0) / max(len(locs), 1)
        heat.append(np.asarray([load[i] for i in ids]))
    top = max((float(h.max()) for h in heat if len(h)), default=1.0) or 1.0
    for ax, values, title in zip(axes, heat, ("before", "after"), strict=True):
        order = np.argsort(values, kind="stable")
        art = ax.scatter(
            xy[order, 0], xy[order, 1], c=values[order], cmap="inferno_r", s=10, vmin=0, vmax=top
        )
        ax.set_title(f"picks per day by location: {title}")
        ax.set_aspect("equal", adjustable="box")
        ax.set_xticks([])
        ax.set_yticks([])
    fig.colorbar(art, ax=axes, shrink=0.8, label="picks per day")
    target = Path(path)
    fig.savefig(target, dpi=120)
    plt.close(fig)
    return target
