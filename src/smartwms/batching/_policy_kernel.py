"""Compiled planned-walk lengths of the classic routing policies in a single-block warehouse.

The same walks as :func:`smartwms.routing.heuristics.heuristic_walk` (Roodbergen & de Koster's
rules for one block, the depot on a cross aisle at an aisle; the plan starts at the leftmost
pick aisle, as the batching literature counts it), computed from per-aisle statistics instead
of walking stop by stop, for many batches in one call. Tests hold the two implementations
equal.
"""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = ["POLICY_CODES", "policy_lengths"]

#: Kernel code of every routing policy it computes.
POLICY_CODES = {"sshape": 0, "return": 1, "midpoint": 2, "largest-gap": 3, "combined": 4}

_INF = 1e300


@njit(cache=True)
def _walk(policy, xs, lo, hi, front_max, back_min, n, length, depot_x):  # type: ignore[no-untyped-def]
    """Planned walk through ``n`` pick aisles at ``xs`` (ascending), from the leftmost one."""
    first, last, step = 0, n - 1, 1
    if policy == 3 or policy == 2:  # largest gap, midpoint
        if n == 1:
            return 2.0 * abs(xs[0] - depot_x) + 2.0 * hi[0]
        total = abs(xs[first] - depot_x) + length
        pos = xs[first]
        k = first + step
        while k != last:
            if back_min[k] < _INF:
                total += abs(xs[k] - pos) + 2.0 * (length - back_min[k])
                pos = xs[k]
            k += step
        total += abs(xs[last] - pos) + length
        pos = xs[last]
        k = last - step
        while k != first:
            if front_max[k] > -_INF:
                total += abs(xs[k] - pos) + 2.0 * front_max[k]
                pos = xs[k]
            k -= step
        return total + abs(depot_x - pos)
    horizontal = abs(xs[first] - depot_x) + abs(xs[last] - xs[first]) + abs(xs[last] - depot_x)
    if policy == 0:  # S-shape: every aisle traversed, an odd last one entered from the front
        if n % 2 == 1:
            return horizontal + (n - 1) * length + 2.0 * hi[last]
        return horizontal + n * length
    if policy == 1:  # return
        vertical = 0.0
        for k in range(n):
            vertical += 2.0 * hi[k]
        return horizontal + vertical
    # combined: traverse or enter-and-return per aisle, a two-state DP ending at the front
    front, back = 0.0, _INF
    k = first
    for _ in range(n):
        stay_front = front + 2.0 * hi[k]
        cross_front = back + length
        stay_back = back + 2.0 * (length - lo[k])
        cross_back = front + length
        front = stay_front if stay_front <= cross_front else cross_front
        back = stay_back if stay_back <= cross_back else cross_back
        k += step
    return horizontal + front


@njit(cache=True)
def policy_lengths(  # type: ignore[no-untyped-def]
    policy,
    tour_offsets,
    tour_groups,
    group_offsets,
    group_locations,
    loc_col,
    loc_y,
    spacing,
    x0,
    length,
    front_y,
    depot_col,
):
    """Planned-walk lengths (without the depot's spur) of tours that are unions of groups.

    Tour ``k`` visits the locations of groups ``tour_groups[tour_offsets[k]:tour_offsets[k+1]]``
    (see :meth:`smartwms.routing.bulk.BulkRouter.union_lengths`). Aisle ``c`` runs at
    ``x0 + spacing * c``; the block is ``length`` long between cross-aisle centre lines; the
    depot sits on the cross aisle at ``front_y``, at aisle ``depot_col``. ``policy`` is a
    :data:`POLICY_CODES` value.
    """
    n_tours = tour_offsets.shape[0] - 1
    out = np.zeros(n_tours)
    n_locs = loc_col.shape[0]
    mark = np.full(n_locs, -1, dtype=np.int64)
    picked = np.empty(n_locs, dtype=np.int64)
    depot_x = x0 + spacing * depot_col
    n_cols = 0
    for i in range(n_locs):
        n_cols = max(n_cols, loc_col[i] + 1)
    xs = np.empty(n_cols)
    lo = np.empty(n_cols)
    hi = np.empty(n_cols)
    front_max = np.empty(n_cols)
    back_min = np.empty(n_cols)
    depth = np.empty(n_locs)
    col = np.empty(n_locs, dtype=np.int64)
    for k in range(n_tours):
        m = 0
        for t in range(tour_offsets[k], tour_offsets[k + 1]):
            g = tour_groups[t]
            for q in range(group_offsets[g], group_offsets[g + 1]):
                loc = group_locations[q]
                if mark[loc] != k:
                    mark[loc] = k
                    picked[m] = loc
                    m += 1
        if m == 0:
            continue
        for i in range(m):
            depth[i] = abs(front_y - loc_y[picked[i]])
            col[i] = loc_col[picked[i]]
        # Picks by aisle, then depth (both stable).
        by_depth = np.argsort(depth[:m], kind="mergesort")
        order = by_depth[np.argsort(col[:m][by_depth], kind="mergesort")]
        n = 0
        i = 0
        while i < m:
            c = col[order[i]]
            j = i
            while j < m and col[order[j]] == c:
                j += 1
            xs[n] = x0 + spacing * c
            lo[n] = depth[order[i]]
            hi[n] = depth[order[j - 1]]
            front_max[n] = -_INF
            back_min[n] = _INF
            if policy == 2:  # midpoint: picks up to half the aisle come from the front
                for q in range(i, j):
                    d = depth[order[q]]
                    if d <= length / 2:
                        front_max[n] = max(front_max[n], d)
                    else:
                        back_min[n] = min(back_min[n], d)
            elif policy == 3:  # largest gap (the first of equal gaps), cross aisles included
                best, split, prev = -1.0, i, 0.0
                for q in range(i, j + 1):
                    here = depth[order[q]] if q < j else length
                    if here - prev > best:
                        best, split = here - prev, q
                    prev = here
                if split > i:
                    front_max[n] = depth[order[split - 1]]
                if split < j:
                    back_min[n] = depth[order[split]]
            n += 1
            i = j
        out[k] = _walk(policy, xs, lo, hi, front_max, back_min, n, length, depot_x)
    return out
