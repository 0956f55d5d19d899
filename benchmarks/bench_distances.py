"""Distance-matrix benchmark: closed form vs graph shortest paths on the same layout.

Target (foundation issue): a 2,000 x 2,000 matrix on a parallel-aisle layout well under a second.

    .venv/bin/python benchmarks/bench_distances.py [--points 2000] [--repeat 7]
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
from rich.console import Console
from rich.table import Table
from scipy.sparse.csgraph import dijkstra

from smartwms.layout import aisle_distances, aisle_network, location_points
from smartwms.model import ParallelAisleLayout


def _median_seconds(func, repeat: int) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--points", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    layout = ParallelAisleLayout(
        n_aisles=40, aisle_spacing=3.0, cells_per_block=60, cell_length=1.0, n_blocks=3
    )
    aisles = rng.integers(0, layout.n_aisles, args.points)
    cells = rng.integers(0, layout.cells_per_aisle, args.points)
    points = location_points(layout, aisles, cells)

    closed = _median_seconds(lambda: aisle_distances(layout, points), args.repeat)
    graph, names = aisle_network(layout, points)
    import networkx as nx

    order = list(graph.nodes)
    index = {n: i for i, n in enumerate(order)}
    sparse = nx.to_scipy_sparse_array(graph, nodelist=order, weight="length", format="csr")
    sources = [index[n] for n in names]
    reference = dijkstra(sparse, directed=False, indices=sources)[:, sources]
    sp = _median_seconds(
        lambda: dijkstra(sparse, directed=False, indices=sources)[:, sources],
        max(1, args.repeat // 3),
    )
    agree = bool(np.allclose(aisle_distances(layout, points), reference))

    table = Table(
        title=f"{args.points} x {args.points} distance matrix, {layout.n_aisles} aisles, "
        f"{layout.n_blocks} blocks (median of {args.repeat})"
    )
    table.add_column("method")
    table.add_column("seconds", justify="right")
    table.add_column("ratio to closed form", justify="right")
    table.add_row("smartwms closed form (numpy)", f"{closed:.4f}", "1.00")
    table.add_row("scipy dijkstra on the aisle graph", f"{sp:.4f}", f"{sp / closed:.1f}")
    Console().print(table)
    Console().print(f"closed form equals shortest paths: {agree}; target < 1 s: {closed < 1.0}")


if __name__ == "__main__":
    main()
