"""Compiled core of the exact picker-routing DP (numba): per-block pick statistics, the forward
pass over the aisles and the backtracking of the chosen configurations.

Kept free of Python objects so one call routes an order in microseconds; the tables come from
:mod:`smartwms.routing._dp_tables`.
"""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = ["block_costs", "sweep"]

INF = 1e300


@njit(cache=True)
def block_costs(  # type: ignore[no-untyped-def]
    n_cols, n_blocks, cross_y, pick_col, pick_block, pick_y
):
    """Cost of each sub-aisle configuration for every (aisle, block), and which blocks hold picks.

    Configurations: none, traverse once, traverse twice, return from the top, return from the
    bottom, return from both ends skipping the largest gap between consecutive picks.
    """
    cost = np.full((n_cols, n_blocks, 6), INF)
    has = np.zeros((n_cols, n_blocks), dtype=np.int64)
    lo = np.full((n_cols, n_blocks), INF)
    hi = np.full((n_cols, n_blocks), -INF)
    gap = np.zeros((n_cols, n_blocks))
    last = np.full((n_cols, n_blocks), -INF)
    order = np.argsort(pick_y, kind="mergesort")
    for i in order:
        c, b, y = pick_col[i], pick_block[i], pick_y[i]
        if has[c, b]:
            g = y - last[c, b]
            if g > gap[c, b]:
                gap[c, b] = g
        has[c, b] = 1
        last[c, b] = y
        if y < lo[c, b]:
            lo[c, b] = y
        if y > hi[c, b]:
            hi[c, b] = y
    for c in range(n_cols):
        for b in range(n_blocks):
            top, bottom = cross_y[b], cross_y[b + 1]
            length = bottom - top
            cost[c, b, 1] = length
            cost[c, b, 2] = 2.0 * length
            if has[c, b]:
                cost[c, b, 3] = 2.0 * (hi[c, b] - top)
                cost[c, b, 4] = 2.0 * (bottom - lo[c, b])
                if gap[c, b] > 0.0:  # needs two distinct positions
                    cost[c, b, 5] = 2.0 * (length - gap[c, b])
            else:
                cost[c, b, 0] = 0.0
    return cost, has


@njit(cache=True)
def sweep(  # type: ignore[no-untyped-def]
    cost,
    has,
    spacing,
    depot_col,
    depot_cross,
    n_states,
    empty,
    v_src,
    v_dst,
    v_cfg,
    v_off,
    h_src,
    h_dst,
    h_sum,
    h_fin,
    h_code,
    final_ok,
    nonzero,
):
    """Forward DP over the aisles and backtracking; returns (length, configs, horizontal codes).

    ``configs[c, b]`` is the configuration of block ``b`` in aisle ``c`` and ``hcodes[c]`` the
    base-3 multiplicities of the cross-aisle edges from aisle ``c`` to ``c + 1``. The length is
    ``inf`` when no tour exists.
    """
    n_cols, n_blocks = has.shape[0], has.shape[1]
    value = np.full(n_states, INF)
    value[empty] = 0.0
    new = np.empty(n_states)
    vback = np.full((n_cols, n_blocks, n_states), -1, dtype=np.int64)
    hback = np.full((max(n_cols - 1, 1), n_states), -1, dtype=np.int64)
    for c in range(n_cols):
        for b in range(n_blocks):
            new[:] = INF
            p = has[c, b]
            for t in range(v_off[b, p, 0], v_off[b, p, 1]):
                v = value[v_src[t]]
                if v >= INF:
                    continue
                v += cost[c, b, v_cfg[t]]
                d = v_dst[t]
                if v < new[d]:
                    new[d] = v
                    vback[c, b, d] = t
            value[:] = new
        if c == n_cols - 1:
            break
        new[:] = INF
        for t in range(h_src.shape[0]):
            v = value[h_src[t]]
            if v >= INF:
                continue
            if c == depot_col and not (h_fin[t] >> depot_cross) & 1:
                continue
            v += spacing * h_sum[t]
            d = h_dst[t]
            if v < new[d]:
                new[d] = v
                hback[c, d] = t
        value[:] = new
    best, state = INF, -1
    for s in range(n_states):
        if not final_ok[s] or value[s] >= best:
            continue
        if depot_col == n_cols - 1 and not (nonzero[s] >> depot_cross) & 1:
            continue  # the depot sits in the last aisle and the tour misses it
        best, state = value[s], s
    configs = np.zeros((n_cols, n_blocks), dtype=np.int64)
    hcodes = np.zeros(max(n_cols - 1, 1), dtype=np.int64)
    if state < 0:
        return INF, configs, hcodes
    for c in range(n_cols - 1, -1, -1):
        for b in range(n_blocks - 1, -1, -1):
            t = vback[c, b, state]
            configs[c, b] = v_cfg[t]
            state = v_src[t]
        if c > 0:
            t = hback[c - 1, state]
            hcodes[c - 1] = h_code[t]
            state = h_src[t]
    return best, configs, hcodes
