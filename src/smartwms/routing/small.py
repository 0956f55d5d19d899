"""Exact tours of a few stops on any distance matrix (Held-Karp dynamic program).

Used where the aisle DPs do not apply (graph layouts, several depots) and the tour is small
enough, so that ``method="optimal"`` still proves optimality there; and by the tests as an
independent brute-force reference.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

__all__ = ["HELD_KARP_MAX_STOPS", "held_karp"]

#: Largest number of stops :func:`held_karp` accepts (2^n * n^2 work).
HELD_KARP_MAX_STOPS = 12


def held_karp(
    dist: NDArray[np.float64], start: int, end: int, nodes: Sequence[int]
) -> tuple[float, list[int]]:
    """Shortest walk ``start -> every node of nodes -> end`` and its visiting order.

    Examples
    --------
    >>> d = np.array([[0, 1, 9, 1], [1, 0, 1, 9], [9, 1, 0, 1], [1, 9, 1, 0]], dtype=float)
    >>> held_karp(d, 0, 0, [2, 3, 1])
    (4.0, [1, 2, 3])
    """
    k = len(nodes)
    if k > HELD_KARP_MAX_STOPS:
        raise ValueError(f"held_karp takes at most {HELD_KARP_MAX_STOPS} stops, got {k}")
    if k == 0:
        return float(dist[start, end]), []
    idx = np.asarray(nodes, dtype=np.int64)
    inner = dist[np.ix_(idx, idx)]
    full = 1 << k
    cost = np.full((full, k), np.inf)
    parent = np.full((full, k), -1, dtype=np.int64)
    for j in range(k):
        cost[1 << j, j] = dist[start, idx[j]]
    for mask in range(1, full):
        row = cost[mask]
        if not np.isfinite(row).any():
            continue
        for j in range(k):
            if mask & (1 << j):
                continue
            # Best way to reach j after visiting exactly the stops of mask.
            via = row + inner[:, j]
            last = int(np.argmin(via))
            nxt = mask | (1 << j)
            if via[last] < cost[nxt, j]:
                cost[nxt, j] = via[last]
                parent[nxt, j] = last
    closing = cost[full - 1] + dist[idx, end]
    last = int(np.argmin(closing))
    length = float(closing[last])
    order: list[int] = []
    mask = full - 1
    while last >= 0:
        order.append(int(idx[last]))
        prev = int(parent[mask, last])
        mask ^= 1 << last
        last = prev
    order.reverse()
    return length, order
