"""Compiled core of the exact picker-routing DP (numba): per-block pick statistics, the forward
pass over the aisles and the backtracking of the chosen configurations.

Kept free of Python objects so one call routes an order in microseconds; the tables come from
:mod:`smartwms.routing._dp_tables`.
"""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = ["batch_lengths", "block_costs", "route_tours", "sweep", "visiting_order"]

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
def _forward(  # type: ignore[no-untyped-def]
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
    vback,
    hback,
    track,
):
    """Forward pass; the value of every state after the last aisle (back pointers if track)."""
    n_cols, n_blocks = has.shape[0], has.shape[1]
    value = np.full(n_states, INF)
    value[empty] = 0.0
    new = np.empty(n_states)
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
                    if track:
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
                if track:
                    hback[c, d] = t
        value[:] = new
    return value


@njit(cache=True)
def _best_final(value, final_ok, nonzero, depot_col, depot_cross, n_cols):  # type: ignore[no-untyped-def]
    best, state = INF, -1
    for s in range(value.shape[0]):
        if not final_ok[s] or value[s] >= best:
            continue
        if depot_col == n_cols - 1 and not (nonzero[s] >> depot_cross) & 1:
            continue  # the depot sits in the last aisle and the tour misses it
        best, state = value[s], s
    return best, state


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
    vback = np.full((n_cols, n_blocks, n_states), -1, dtype=np.int64)
    hback = np.full((max(n_cols - 1, 1), n_states), -1, dtype=np.int64)
    value = _forward(
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
        vback,
        hback,
        True,
    )
    best, state = _best_final(value, final_ok, nonzero, depot_col, depot_cross, n_cols)
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


@njit(cache=True)
def _add_chain(eu, ev, n_edges, nodes, first, last, times):  # type: ignore[no-untyped-def]
    """Add ``times`` copies of the path ``nodes[first], ..., nodes[last]``."""
    for _ in range(times):
        for i in range(first, last):
            eu[n_edges] = nodes[i]
            ev[n_edges] = nodes[i + 1]
            n_edges += 1
    return n_edges


@njit(cache=True)
def visiting_order(  # type: ignore[no-untyped-def]
    configs, hcodes, n_cross, pick_col, pick_block, pick_y, depot_node
):
    """Indices of the picks in the order an Euler circuit of the DP's tour subgraph meets them.

    Nodes: the cross-aisle vertex ``(c, k)`` is ``c * n_cross + k``; distinct pick positions
    follow, numbered by aisle and then ``y``. The circuit starts at the depot's vertex.
    """
    n_cols, n_blocks = configs.shape[0], configs.shape[1]
    n = pick_col.shape[0]
    by_y = np.argsort(pick_y, kind="mergesort")
    by_col = np.argsort(pick_col[by_y], kind="mergesort")
    order = by_y[by_col]  # sorted by (aisle, y), stable in the input order
    base = n_cols * n_cross
    pos_of_rank = np.empty(n, dtype=np.int64)
    pos_start = np.empty(n + 1, dtype=np.int64)
    n_pos = 0
    for r in range(n):
        i = order[r]
        if r == 0 or pick_col[i] != pick_col[order[r - 1]] or pick_y[i] != pick_y[order[r - 1]]:
            pos_start[n_pos] = r
            n_pos += 1
        pos_of_rank[r] = n_pos - 1
    pos_start[n_pos] = n
    # Positions of each (aisle, block) are a contiguous run.
    run_lo = np.zeros((n_cols, n_blocks), dtype=np.int64)
    run_hi = np.zeros((n_cols, n_blocks), dtype=np.int64)
    for p in range(n_pos - 1, -1, -1):
        i = order[pos_start[p]]
        c, b = pick_col[i], pick_block[i]
        if run_hi[c, b] == 0:
            run_hi[c, b] = p + 1
        run_lo[c, b] = p
    pos_y = np.empty(n_pos)
    for p in range(n_pos):
        pos_y[p] = pick_y[order[pos_start[p]]]
    cap = 2 * (n_pos + n_cols * n_blocks) + 2 * n_cross * n_cols + 2
    eu = np.empty(cap, dtype=np.int64)
    ev = np.empty(cap, dtype=np.int64)
    m = 0
    chain = np.empty(n_pos + 2, dtype=np.int64)
    for c in range(n_cols):
        for b in range(n_blocks):
            config = configs[c, b]
            if config == 0:
                continue
            lo, hi = run_lo[c, b], run_hi[c, b]
            k = hi - lo
            chain[0] = c * n_cross + b
            for j in range(k):
                chain[1 + j] = base + lo + j
            chain[k + 1] = c * n_cross + b + 1
            if config == 1 or config == 2:
                m = _add_chain(eu, ev, m, chain, 0, k + 1, config)
            elif config == 3:
                m = _add_chain(eu, ev, m, chain, 0, k, 2)
            elif config == 4:
                m = _add_chain(eu, ev, m, chain, 1, k + 1, 2)
            else:
                split, widest = 1, -1.0
                for j in range(1, k):
                    g = pos_y[lo + j] - pos_y[lo + j - 1]
                    if g > widest:
                        split, widest = j, g
                m = _add_chain(eu, ev, m, chain, 0, split, 2)
                m = _add_chain(eu, ev, m, chain, split + 1, k + 1, 2)
        if c < n_cols - 1:
            code = hcodes[c]
            for k in range(n_cross - 1, -1, -1):  # cross aisle 0 is the most significant digit
                mult = code % 3
                code //= 3
                for _ in range(mult):
                    eu[m] = c * n_cross + k
                    ev[m] = (c + 1) * n_cross + k
                    m += 1
    # Hierholzer's algorithm on the multigraph (compressed adjacency lists).
    n_nodes = base + n_pos
    degree = np.zeros(n_nodes + 1, dtype=np.int64)
    for e in range(m):
        degree[eu[e] + 1] += 1
        degree[ev[e] + 1] += 1
    offset = np.cumsum(degree)
    fill = offset[:-1].copy()
    adj_node = np.empty(2 * m, dtype=np.int64)
    adj_edge = np.empty(2 * m, dtype=np.int64)
    for e in range(m):
        u, v = eu[e], ev[e]
        adj_node[fill[u]] = v
        adj_edge[fill[u]] = e
        fill[u] += 1
        adj_node[fill[v]] = u
        adj_edge[fill[v]] = e
        fill[v] += 1
    used = np.zeros(m, dtype=np.bool_)
    pointer = offset[:-1].copy()
    stack = np.empty(m + 1, dtype=np.int64)
    top = 0
    stack[0] = depot_node
    seen = np.zeros(n_pos, dtype=np.bool_)
    visit = np.empty(n_pos, dtype=np.int64)
    n_seen = 0
    while top >= 0:
        u = stack[top]
        i = pointer[u]
        while i < offset[u + 1] and used[adj_edge[i]]:
            i += 1
        pointer[u] = i
        if i == offset[u + 1]:
            top -= 1
            if u >= base and not seen[u - base]:
                seen[u - base] = True
                visit[n_seen] = u - base
                n_seen += 1
        else:
            used[adj_edge[i]] = True
            top += 1
            stack[top] = adj_node[i]
    result = np.empty(n, dtype=np.int64)
    r = 0
    for j in range(n_seen):
        p = visit[j]
        for q in range(pos_start[p], pos_start[p + 1]):
            result[r] = order[q]
            r += 1
    return result[:r]


@njit(cache=True, inline="always")  # a call per aisle would cost more than its work
def _advance(  # type: ignore[no-untyped-def]
    value,
    new,
    cost,
    has,
    c,
    spacing,
    depot_col,
    depot_cross,
    v_src,
    v_dst,
    v_cfg,
    v_off,
    h_src,
    h_dst,
    h_sum,
    h_fin,
):
    """One aisle of the forward pass, in place (the untracked step of :func:`_forward`):
    aisle ``c``'s blocks, then the cross-aisle edges to aisle ``c + 1`` unless it is the last."""
    n_cols, n_blocks = has.shape[0], has.shape[1]
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
        value[:] = new
    if c == n_cols - 1:
        return
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
    value[:] = new


@njit(cache=True)
def batch_lengths(  # type: ignore[no-untyped-def]
    base_col,
    base_block,
    base_y,
    extra_col,
    extra_block,
    extra_y,
    n_cols,
    n_blocks,
    cross_y,
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
    final_ok,
    nonzero,
):
    """Shortest tour length through the base picks plus ``extra[i]``, for every ``i``.

    The base picks' forward values before every aisle and backward values (the cheapest
    completion) after every aisle are computed once; an extra pick in aisle ``c`` then re-runs
    aisle ``c`` alone, with its block's costs re-computed, and joins the two.
    """
    cost, has = block_costs(n_cols, n_blocks, cross_y, base_col, base_block, base_y)
    # Forward values before each aisle.
    before = np.empty((n_cols, n_states))
    value = np.full(n_states, INF)
    value[empty] = 0.0
    new = np.empty(n_states)
    for c in range(n_cols):
        before[c, :] = value
        _advance(
            value,
            new,
            cost,
            has,
            c,
            spacing,
            depot_col,
            depot_cross,
            v_src,
            v_dst,
            v_cfg,
            v_off,
            h_src,
            h_dst,
            h_sum,
            h_fin,
        )
    # Backward: rest[c, s] is the cheapest completion from state s after aisle c's blocks
    # (and, for c < n_cols - 1, before its cross-aisle edges).
    rest = np.full((n_cols, n_states), INF)
    for s in range(n_states):
        if final_ok[s] and not (depot_col == n_cols - 1 and not (nonzero[s] >> depot_cross) & 1):
            rest[n_cols - 1, s] = 0.0
    vec = np.empty(n_states)
    for c in range(n_cols - 2, -1, -1):
        # Cross-aisle edges from aisle c to c + 1, then aisle c + 1's blocks (bottom up).
        vec[:] = rest[c + 1, :]
        for b in range(n_blocks - 1, -1, -1):
            new[:] = INF
            p = has[c + 1, b]
            for t in range(v_off[b, p, 0], v_off[b, p, 1]):
                w = vec[v_dst[t]]
                if w >= INF:
                    continue
                w += cost[c + 1, b, v_cfg[t]]
                if w < new[v_src[t]]:
                    new[v_src[t]] = w
            vec[:] = new
        for t in range(h_src.shape[0]):
            w = vec[h_dst[t]]
            if w >= INF:
                continue
            if c == depot_col and not (h_fin[t] >> depot_cross) & 1:
                continue
            w += spacing * h_sum[t]
            if w < rest[c, h_src[t]]:
                rest[c, h_src[t]] = w
    out = np.empty(extra_col.shape[0])
    # The base picks' y of every (aisle, block), sorted (compressed rows).
    n = base_col.shape[0]
    key_start = np.zeros(n_cols * n_blocks + 1, dtype=np.int64)
    for i in range(n):
        key_start[base_col[i] * n_blocks + base_block[i] + 1] += 1
    key_start = np.cumsum(key_start)
    fill = key_start[:-1].copy()
    sorted_y = np.empty(n)
    for i in np.argsort(base_y, kind="mergesort"):
        k = base_col[i] * n_blocks + base_block[i]
        sorted_y[fill[k]] = base_y[i]
        fill[k] += 1
    saved = np.empty(6)
    for i in range(extra_col.shape[0]):
        c, b, y = extra_col[i], extra_block[i], extra_y[i]
        k = c * n_blocks + b
        # Costs of block (c, b) with the extra pick, as block_costs computes them.
        lo, hi, gap, last, inserted = INF, -INF, 0.0, -INF, False
        j = key_start[k]
        while j < key_start[k + 1] or not inserted:
            if not inserted and (j == key_start[k + 1] or y < sorted_y[j]):
                here = y
                inserted = True
            else:
                here = sorted_y[j]
                j += 1
            if last > -INF and here - last > gap:
                gap = here - last
            last = here
            lo = min(lo, here)
            hi = max(hi, here)
        saved[:] = cost[c, b, :]
        saved_has = has[c, b]
        top, bottom = cross_y[b], cross_y[b + 1]
        cost[c, b, 0] = INF
        cost[c, b, 3] = 2.0 * (hi - top)
        cost[c, b, 4] = 2.0 * (bottom - lo)
        cost[c, b, 5] = 2.0 * ((bottom - top) - gap) if gap > 0.0 else INF
        has[c, b] = 1
        # Aisle c's blocks only (the cross-aisle edges are in rest[c]).
        value[:] = before[c, :]
        for bb in range(n_blocks):
            new[:] = INF
            p = has[c, bb]
            for t in range(v_off[bb, p, 0], v_off[bb, p, 1]):
                v = value[v_src[t]]
                if v >= INF:
                    continue
                v += cost[c, bb, v_cfg[t]]
                if v < new[v_dst[t]]:
                    new[v_dst[t]] = v
            value[:] = new
        best = INF
        for s in range(n_states):
            if value[s] + rest[c, s] < best:
                best = value[s] + rest[c, s]
        out[i] = best
        cost[c, b, :] = saved
        has[c, b] = saved_has
    return out


@njit(cache=True)
def route_tours(  # type: ignore[no-untyped-def]
    offsets,
    pick_col,
    pick_block,
    pick_y,
    n_blocks,
    cross_y,
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
    """Shortest tours of many orders in one call: tour ``k`` visits the picks
    ``offsets[k] <= i < offsets[k + 1]`` (absolute aisle ``pick_col[i]``).

    Returns the lengths (without the depot's spur; ``inf`` when the DP finds no tour) and, for
    every tour's slice, the picks' indices within the slice in visiting order (``-1`` when the
    circuit misses a pick, which consistent tables never produce).
    """
    n_tours = offsets.shape[0] - 1
    lengths = np.zeros(n_tours)
    order = np.full(offsets[n_tours], -1, dtype=np.int64)
    for k in range(n_tours):
        lo, hi = offsets[k], offsets[k + 1]
        if hi == lo:
            continue  # nothing to pick: an empty tour
        first, last = depot_col, depot_col
        for i in range(lo, hi):
            first = min(first, pick_col[i])
            last = max(last, pick_col[i])
        col = pick_col[lo:hi] - first
        cost, has = block_costs(
            last - first + 1, n_blocks, cross_y, col, pick_block[lo:hi], pick_y[lo:hi]
        )
        length, configs, hcodes = sweep(
            cost,
            has,
            spacing,
            depot_col - first,
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
        )
        lengths[k] = length
        if not length < INF:
            continue
        depot_node = (depot_col - first) * (cross_y.shape[0]) + depot_cross
        visit = visiting_order(
            configs, hcodes, cross_y.shape[0], col, pick_block[lo:hi], pick_y[lo:hi], depot_node
        )
        order[lo : lo + visit.shape[0]] = visit
    return lengths, order
