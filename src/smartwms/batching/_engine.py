"""Compiled core of batching: tour lengths from bit masks, local search and insertion (numba).

Every unit (order) is a bit mask of the storage positions it visits: one 64-bit word per
(aisle, block, 64 cells), bit ``k`` of word ``w`` standing for the cell ``64 w + k`` of that
block (both sides of an aisle share a position). A batch's mask is the OR of its units' masks,
so adding an order to a batch costs a few word operations, and a tour length is read off the
mask aisle by aisle:

- ``optimal``: each sub-aisle's lowest and highest pick and largest gap give the costs of its
  six configurations, then the exact aisle DP of :mod:`smartwms.routing` (Ratliff & Rosenthal,
  Roodbergen & de Koster, Pansart et al.; up to three blocks) finds the shortest tour;
- the heuristics (one block): their planned walks from the leftmost pick aisle (the same walks
  as :func:`smartwms.routing.heuristics.heuristic_walk`; tests hold them equal).

On top of it a plan is an assignment ``assign[i]`` of every unit to a batch number:

- :func:`local_search`: shift a unit to another batch (or a new one), swap two units of
  different batches, until no move of a unit on the work list improves the plan (best
  improvement per unit; the units of changed batches go back on the list);
- :func:`insert_units`: put removed units back one by one, greedily (cheapest insertion first)
  or by regret-2, with a table of insertion costs updated only for the batch that changed.
"""

from __future__ import annotations

import numpy as np
from numba import njit
from numpy.typing import NDArray

from smartwms.routing._dp_kernel import _best_final, _forward

__all__ = ["OPTIMAL", "POLICY_CODES", "Engine"]

_INF = 1e300
_EPS = 1e-9
#: Kernel code of the exact DP.
OPTIMAL = -1
#: Kernel code of every heuristic policy.
POLICY_CODES = {"sshape": 0, "return": 1, "midpoint": 2, "largest-gap": 3, "combined": 4}


# ---------------------------------------------------------------------- tour length of a mask
@njit(cache=True, inline="always")
def _ys(mask, base, words, cell0, cell_y, out):  # type: ignore[no-untyped-def]
    """The y of every set bit of one (aisle, block) in ascending cell order; their count."""
    m = 0
    for w in range(words):
        word = mask[base + w]
        k = 0
        while word:
            if word & np.uint64(1):
                out[m] = cell_y[cell0 + 64 * w + k]
                m += 1
            word >>= np.uint64(1)
            k += 1
    return m


@njit(cache=True)
def _walk(policy, xs, lo, hi, front_max, back_min, n, length, depot_x):  # type: ignore[no-untyped-def]
    """Planned walk of a policy through ``n`` pick aisles at ``xs`` (ascending)."""
    if policy == 3 or policy == 2:  # largest gap, midpoint
        if n == 1:
            return 2.0 * abs(xs[0] - depot_x) + 2.0 * hi[0]
        total = abs(xs[0] - depot_x) + length
        pos = xs[0]
        for k in range(1, n - 1):
            if back_min[k] < _INF:
                total += abs(xs[k] - pos) + 2.0 * (length - back_min[k])
                pos = xs[k]
        total += abs(xs[n - 1] - pos) + length
        pos = xs[n - 1]
        for k in range(n - 2, 0, -1):
            if front_max[k] > -_INF:
                total += abs(xs[k] - pos) + 2.0 * front_max[k]
                pos = xs[k]
        return total + abs(depot_x - pos)
    horizontal = abs(xs[0] - depot_x) + abs(xs[n - 1] - xs[0]) + abs(xs[n - 1] - depot_x)
    if policy == 0:  # S-shape: every aisle traversed, an odd last one entered from the front
        if n % 2 == 1:
            return horizontal + (n - 1) * length + 2.0 * hi[n - 1]
        return horizontal + n * length
    if policy == 1:  # return
        vertical = 0.0
        for k in range(n):
            vertical += 2.0 * hi[k]
        return horizontal + vertical
    # combined: traverse or enter-and-return per aisle, a two-state DP ending at the front
    front, back = 0.0, _INF
    for k in range(n):
        stay_front = front + 2.0 * hi[k]
        cross_front = back + length
        stay_back = back + 2.0 * (length - lo[k])
        cross_back = front + length
        front = stay_front if stay_front <= cross_front else cross_front
        back = stay_back if stay_back <= cross_back else cross_back
    return horizontal + front


@njit(cache=True)
def _mask_length(mask, geo, ints, scal, tabs, ws):  # type: ignore[no-untyped-def]
    """Tour length (with the depot's spur) of the positions set in ``mask``."""
    cell_y, cross_y = geo
    kind, n_aisles, n_blocks, words, cpb, depot_col, depot_cross = (
        ints[0],
        ints[1],
        ints[2],
        ints[3],
        ints[4],
        ints[5],
        ints[6],
    )
    spacing, x0, length, front_y, depot_x, spur = (
        scal[0],
        scal[1],
        scal[2],
        scal[3],
        scal[4],
        scal[5],
    )
    ybuf, cost_ws, has_ws, xs, lo, hi, fmax, bmin = ws
    stride = n_blocks * words
    first, last, any_pick = depot_col, depot_col, False
    for a in range(n_aisles):
        for q in range(a * stride, (a + 1) * stride):
            if mask[q]:
                any_pick = True
                if a < first:
                    first = a
                if a > last:
                    last = a
                break
    if not any_pick:
        return 0.0
    if kind == OPTIMAL:
        n_cols = last - first + 1
        cost = cost_ws[:n_cols]
        has = has_ws[:n_cols]
        for c in range(n_cols):
            a = first + c
            for b in range(n_blocks):
                top, bottom = cross_y[b], cross_y[b + 1]
                span = bottom - top
                cost[c, b, 0] = 0.0
                cost[c, b, 1] = span
                cost[c, b, 2] = 2.0 * span
                cost[c, b, 3] = _INF
                cost[c, b, 4] = _INF
                cost[c, b, 5] = _INF
                m = _ys(mask, (a * n_blocks + b) * words, words, b * cpb, cell_y, ybuf)
                if m == 0:
                    has[c, b] = 0
                    continue
                has[c, b] = 1
                gap = 0.0
                for k in range(1, m):
                    if ybuf[k] - ybuf[k - 1] > gap:
                        gap = ybuf[k] - ybuf[k - 1]
                cost[c, b, 0] = _INF
                cost[c, b, 3] = 2.0 * (ybuf[m - 1] - top)
                cost[c, b, 4] = 2.0 * (bottom - ybuf[0])
                if gap > 0.0:
                    cost[c, b, 5] = 2.0 * (span - gap)
        (
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
            d3,
            d2,
        ) = tabs
        value = _forward(
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
            d3,
            d2,
            False,
        )
        best, _ = _best_final(value, final_ok, nonzero, depot_col - first, depot_cross, n_cols)
        return best + spur
    # A heuristic in one block: depths from the depot's cross aisle, ascending.
    n = 0
    for a in range(first, last + 1):
        m = _ys(mask, a * words, words, 0, cell_y, ybuf)
        if m == 0:
            continue
        for k in range(m):
            ybuf[k] = abs(front_y - ybuf[k])
        if ybuf[0] > ybuf[m - 1]:
            ybuf[:m] = ybuf[:m][::-1].copy()
        xs[n] = x0 + spacing * a
        lo[n] = ybuf[0]
        hi[n] = ybuf[m - 1]
        fmax[n] = -_INF
        bmin[n] = _INF
        if kind == 2:  # midpoint: picks up to half the aisle come from the front
            for k in range(m):
                if ybuf[k] <= length / 2:
                    fmax[n] = ybuf[k]
                elif bmin[n] >= _INF:
                    bmin[n] = ybuf[k]
        elif kind == 3:  # largest gap (the first of equal gaps), cross aisles included
            best, split, prev = -1.0, 0, 0.0
            for k in range(m + 1):
                here = ybuf[k] if k < m else length
                if here - prev > best:
                    best, split = here - prev, k
                prev = here
            if split > 0:
                fmax[n] = ybuf[split - 1]
            if split < m:
                bmin[n] = ybuf[split]
        n += 1
    return _walk(kind, xs, lo, hi, fmax, bmin, n, length, depot_x) + spur


# ---------------------------------------------------------------------- masks of batches
@njit(cache=True, inline="always")
def _or_into(out, umask, members, b, count, skip, extra):  # type: ignore[no-untyped-def]
    """``out`` = OR of batch ``b``'s units except ``skip``, plus unit ``extra`` (``-1``: none)."""
    out[:] = 0
    for t in range(count[b]):
        u = members[b, t]
        if u != skip:
            out |= umask[u]
    if extra >= 0:
        out |= umask[extra]


@njit(cache=True)
def batch_lengths(offsets, members, umask, geo, ints, scal, tabs, ws):  # type: ignore[no-untyped-def]
    """Tour lengths of batches ``members[offsets[k]:offsets[k + 1]]``."""
    out = np.zeros(offsets.shape[0] - 1)
    buf = np.zeros(umask.shape[1], dtype=np.uint64)
    for k in range(out.shape[0]):
        buf[:] = 0
        for t in range(offsets[k], offsets[k + 1]):
            buf |= umask[members[t]]
        out[k] = _mask_length(buf, geo, ints, scal, tabs, ws)
    return out


@njit(cache=True)
def _fits(a, b, limit):  # type: ignore[no-untyped-def]
    for d in range(limit.shape[0]):  # noqa: SIM110 (a loop numba compiles well)
        if a[d] + b[d] > limit[d] * (1 + 1e-9) + 1e-9:
            return False
    return True


@njit(cache=True)
def _fits_swap(a, plus, minus, limit):  # type: ignore[no-untyped-def]
    for d in range(limit.shape[0]):
        if a[d] + plus[d] - minus[d] > limit[d] * (1 + 1e-9) + 1e-9:
            return False
    return True


@njit(cache=True)
def _state(assign, load, umask, width, geo, ints, scal, tabs, ws):  # type: ignore[no-untyped-def]
    """Members, counts, loads, masks and lengths of every batch number (``-1``: unassigned)."""
    n = assign.shape[0]
    members = np.empty((n, width), dtype=np.int64)
    count = np.zeros(n, dtype=np.int64)
    bload = np.zeros((n, load.shape[1]))
    bmask = np.zeros((n, umask.shape[1]), dtype=np.uint64)
    for i in range(n):
        b = assign[i]
        if b >= 0:
            members[b, count[b]] = i
            count[b] += 1
            bload[b] += load[i]
            bmask[b] |= umask[i]
    blen = np.zeros(n)
    for b in range(n):
        if count[b]:
            blen[b] = _mask_length(bmask[b], geo, ints, scal, tabs, ws)
    return members, count, bload, bmask, blen


@njit(cache=True)
def _move(members, count, bload, bmask, umask, load, assign, i, src, dst):  # type: ignore[no-untyped-def]
    k = 0
    for t in range(count[src]):
        if members[src, t] != i:
            members[src, k] = members[src, t]
            k += 1
    count[src] = k
    bload[src] -= load[i]
    _or_into(bmask[src], umask, members, src, count, -1, -1)
    members[dst, count[dst]] = i
    count[dst] += 1
    bload[dst] += load[i]
    bmask[dst] |= umask[i]
    assign[i] = dst


@njit(cache=True)
def _free_batch(count):  # type: ignore[no-untyped-def]
    for b in range(count.shape[0]):
        if count[b] == 0:
            return b
    return -1


@njit(cache=True)
def local_search(  # type: ignore[no-untyped-def]
    assign, focus, neighbours, load, limit, umask, width, max_evals, geo, ints, scal, tabs, ws
):
    """Shift and swap moves until no unit on the work list improves the plan (in place).

    ``focus[i]`` puts unit ``i`` on the initial work list; ``neighbours[i]`` lists the units
    whose batches unit ``i`` may move to or swap with (``-1`` pads). Stops after ``max_evals``
    tour evaluations. Returns the batch lengths and the number of evaluations.
    """
    n = assign.shape[0]
    members, count, bload, bmask, blen = _state(
        assign, load, umask, width, geo, ints, scal, tabs, ws
    )
    tmp = np.zeros(umask.shape[1], dtype=np.uint64)
    rest = np.zeros(umask.shape[1], dtype=np.uint64)
    size = n + 1
    queue = np.empty(size, dtype=np.int64)
    queued = np.zeros(n, dtype=np.bool_)
    head, tail = 0, 0
    for i in range(n):
        if focus[i]:
            queue[tail % size] = i
            tail += 1
            queued[i] = True
    seen_batch = np.full(n, -1, dtype=np.int64)
    evals = 0
    visit = 0
    while head < tail and evals < max_evals:
        i = queue[head % size]
        head += 1
        queued[i] = False
        visit += 1
        a = assign[i]
        _or_into(rest, umask, members, a, count, i, -1)
        rest_a = _mask_length(rest, geo, ints, scal, tabs, ws)
        evals += 1
        gain = blen[a] - rest_a
        best = -_EPS
        kind = 0  # 1 shift, 2 new batch, 3 swap
        target, partner = -1, -1
        new_a, new_b = 0.0, 0.0
        if count[a] > 1:
            alone = _mask_length(umask[i], geo, ints, scal, tabs, ws)
            evals += 1
            if alone - gain < best:
                best, kind, new_b = alone - gain, 2, alone
        for t in range(neighbours.shape[1]):
            j = neighbours[i, t]
            if j < 0:
                break
            b = assign[j]
            if b == a:
                continue
            if seen_batch[b] != visit:
                seen_batch[b] = visit
                if _fits(bload[b], load[i], limit):
                    tmp[:] = bmask[b] | umask[i]
                    with_i = _mask_length(tmp, geo, ints, scal, tabs, ws)
                    evals += 1
                    delta = with_i - blen[b] - gain
                    if delta < best:
                        best, kind, target, new_b = delta, 1, b, with_i
            if _fits_swap(bload[a], load[j], load[i], limit) and _fits_swap(
                bload[b], load[i], load[j], limit
            ):
                tmp[:] = rest | umask[j]
                la = _mask_length(tmp, geo, ints, scal, tabs, ws)
                _or_into(tmp, umask, members, b, count, j, i)
                lb = _mask_length(tmp, geo, ints, scal, tabs, ws)
                evals += 2
                delta = la + lb - blen[a] - blen[b]
                if delta < best:
                    best, kind, target, partner, new_a, new_b = delta, 3, b, j, la, lb
        if kind == 0:
            continue
        if kind == 2:
            target = _free_batch(count)
        _move(members, count, bload, bmask, umask, load, assign, i, a, target)
        if kind == 3:
            _move(members, count, bload, bmask, umask, load, assign, partner, target, a)
            blen[a] = new_a
        else:
            blen[a] = rest_a
        blen[target] = new_b
        for b in (a, target):
            for q in range(count[b]):
                u = members[b, q]
                if not queued[u]:
                    queue[tail % size] = u
                    tail += 1
                    queued[u] = True
    return blen, evals


@njit(cache=True)
def insert_units(  # type: ignore[no-untyped-def]
    assign, removed, regret, noise, load, limit, umask, width, geo, ints, scal, tabs, ws
):
    """Put the ``removed`` units (``assign == -1``) back, greedily or by regret-2 (in place).

    ``noise[r]`` (>= 0) is added to removed unit ``r``'s choice key (randomised repair).
    Returns the number of tour evaluations.
    """
    n = assign.shape[0]
    members, count, bload, bmask, blen = _state(
        assign, load, umask, width, geo, ints, scal, tabs, ws
    )
    r_n = removed.shape[0]
    cost = np.full((r_n, n), _INF)
    alone = np.empty(r_n)
    tmp = np.zeros(umask.shape[1], dtype=np.uint64)
    evals = 0
    for r in range(r_n):
        alone[r] = _mask_length(umask[removed[r]], geo, ints, scal, tabs, ws)
        evals += 1
    for b in range(n):
        if count[b] == 0:
            continue
        for r in range(r_n):
            i = removed[r]
            if _fits(bload[b], load[i], limit):
                tmp[:] = bmask[b] | umask[i]
                cost[r, b] = _mask_length(tmp, geo, ints, scal, tabs, ws) - blen[b]
                evals += 1
    done = np.zeros(r_n, dtype=np.bool_)
    for _ in range(r_n):
        pick, pick_b, pick_key = -1, -1, _INF
        for r in range(r_n):
            if done[r]:
                continue
            best, best_b, second = alone[r], -1, _INF
            for b in range(n):
                c = cost[r, b]
                if c < best:
                    second = best
                    best, best_b = c, b
                elif c < second:
                    second = c
            key = best
            if regret:
                key = -(second - best) if second < _INF else -1e12
            key += noise[r]
            if key < pick_key:
                pick, pick_b, pick_key = r, best_b, key
        i = removed[pick]
        done[pick] = True
        if pick_b < 0:
            pick_b = _free_batch(count)
        assign[i] = pick_b
        members[pick_b, count[pick_b]] = i
        count[pick_b] += 1
        bload[pick_b] += load[i]
        bmask[pick_b] |= umask[i]
        blen[pick_b] = _mask_length(bmask[pick_b], geo, ints, scal, tabs, ws)
        evals += 1
        for r in range(r_n):
            if done[r]:
                continue
            cost[r, pick_b] = _INF
            u = removed[r]
            if _fits(bload[pick_b], load[u], limit):
                tmp[:] = bmask[pick_b] | umask[u]
                cost[r, pick_b] = _mask_length(tmp, geo, ints, scal, tabs, ws) - blen[pick_b]
                evals += 1
    return evals


@njit(cache=True)
def removal_gains(assign, load, umask, width, geo, ints, scal, tabs, ws):  # type: ignore[no-untyped-def]
    """Length each unit's batch saves without it."""
    members, count, _, _, blen = _state(assign, load, umask, width, geo, ints, scal, tabs, ws)
    tmp = np.zeros(umask.shape[1], dtype=np.uint64)
    out = np.empty(assign.shape[0])
    for i in range(assign.shape[0]):
        a = assign[i]
        _or_into(tmp, umask, members, a, count, i, -1)
        out[i] = blen[a] - _mask_length(tmp, geo, ints, scal, tabs, ws)
    return out


@njit(cache=True)
def price_batches(  # type: ignore[no-untyped-def]
    seeds, duals, cut, neighbours, load, limit, umask, width, geo, ints, scal, tabs, ws
):
    """Batches of negative reduced cost grown from every seed unit (column generation).

    From ``{seed}``, the best of adding a neighbour of a member (that fits) or dropping a
    member is applied while it lowers the reduced cost ``L(S) - sum of duals - cut``. Returns
    ``(offsets, members, lengths, reduced costs)`` of the batches that end below zero.
    """
    n = load.shape[0]
    words = umask.shape[1]
    inside = np.zeros(n, dtype=np.bool_)
    members = np.empty(width + 1, dtype=np.int64)
    mask = np.zeros(words, dtype=np.uint64)
    tmp = np.zeros(words, dtype=np.uint64)
    bload = np.zeros(load.shape[1])
    out_members = []
    out_offsets = [0]
    out_lengths = []
    out_rc = []
    for s in seeds:
        members[0] = s
        k = 1
        inside[s] = True
        mask[:] = umask[s]
        bload[:] = load[s]
        length = _mask_length(mask, geo, ints, scal, tabs, ws)
        rc = length - duals[s] - cut
        while True:
            best, op, who, best_len = -1e-9, 0, -1, 0.0
            for t in range(k):
                m = members[t]
                for q in range(neighbours.shape[1]):
                    j = neighbours[m, q]
                    if j < 0:
                        break
                    if inside[j] or not _fits(bload, load[j], limit):
                        continue
                    tmp[:] = mask | umask[j]
                    new_len = _mask_length(tmp, geo, ints, scal, tabs, ws)
                    delta = new_len - length - duals[j]
                    if delta < best:
                        best, op, who, best_len = delta, 1, j, new_len
            if k > 1:
                for t in range(k):
                    tmp[:] = 0
                    for u in range(k):
                        if u != t:
                            tmp |= umask[members[u]]
                    new_len = _mask_length(tmp, geo, ints, scal, tabs, ws)
                    delta = new_len - length + duals[members[t]]
                    if delta < best:
                        best, op, who, best_len = delta, 2, t, new_len
            if op == 0:
                break
            if op == 1:
                members[k] = who
                k += 1
                inside[who] = True
                mask |= umask[who]
                bload += load[who]
            else:
                gone = members[who]
                inside[gone] = False
                members[who] = members[k - 1]
                k -= 1
                bload -= load[gone]
                mask[:] = 0
                for u in range(k):
                    mask |= umask[members[u]]
            length = best_len
            rc += best
            if k >= width:
                break
        if rc < -1e-6:
            for t in range(k):
                out_members.append(members[t])
            out_offsets.append(len(out_members))
            out_lengths.append(length)
            out_rc.append(rc)
        for t in range(k):
            inside[members[t]] = False
    return (
        np.asarray(out_offsets, dtype=np.int64),
        np.asarray(out_members, dtype=np.int64),
        np.asarray(out_lengths),
        np.asarray(out_rc),
    )


# ---------------------------------------------------------------------- Python side
class Engine:
    """The compiled kernels bound to one problem's data (see the module docstring).

    Parameters
    ----------
    kind
        :data:`OPTIMAL` or a code of :data:`POLICY_CODES`.
    unit_masks
        ``(units, aisles * blocks * words)`` masks of every unit's positions.
    cell_y, cross_y
        ``y`` of every cell of an aisle and of every cross aisle.
    shape
        ``(aisles, blocks, words per block, cells per block, depot aisle, depot cross aisle)``.
    scalars
        ``(aisle spacing, x of aisle 0, block length, y of the depot's cross aisle,
        x of the depot, twice the depot's spur)``.
    tables
        The DP tables (``Tables.kernel_args()`` without ``h_code``).
    load, limit, width
        Units' loads (rows of five), the cart's limits, the most units in one batch.
    """

    def __init__(
        self,
        kind: int,
        unit_masks: NDArray[np.uint64],
        cell_y: NDArray[np.float64],
        cross_y: NDArray[np.float64],
        shape: tuple[int, int, int, int, int, int],
        scalars: tuple[float, float, float, float, float, float],
        tables: tuple[object, ...],
        load: NDArray[np.float64],
        limit: NDArray[np.float64],
        width: int,
    ) -> None:
        n_aisles, n_blocks = shape[0], shape[1]
        self.umask = unit_masks
        self.geo = (cell_y, cross_y)
        self.ints = np.asarray([kind, *shape], dtype=np.int64)
        self.scal = np.asarray(scalars, dtype=np.float64)
        self.tabs = (
            *tables,
            np.empty((1, 1, 1), dtype=np.int64),
            np.empty((1, 1), dtype=np.int64),
        )
        cells = max(1, cell_y.shape[0])
        self.ws = (
            np.empty(cells),
            np.empty((n_aisles, n_blocks, 6)),
            np.zeros((n_aisles, n_blocks), dtype=np.int64),
            np.empty(n_aisles),
            np.empty(n_aisles),
            np.empty(n_aisles),
            np.empty(n_aisles),
            np.empty(n_aisles),
        )
        self.load = load
        self.limit = limit
        self.width = int(width)
        self.evaluations = 0

    def _args(self) -> tuple[object, ...]:
        return (self.geo, self.ints, self.scal, self.tabs, self.ws)

    def batch_lengths(
        self, offsets: NDArray[np.int64], members: NDArray[np.int64]
    ) -> NDArray[np.float64]:
        """Tour lengths of the batches ``members[offsets[k]:offsets[k + 1]]``."""
        self.evaluations += offsets.shape[0] - 1
        return batch_lengths(offsets, members, self.umask, *self._args())

    def price(
        self,
        seeds: NDArray[np.int64],
        duals: NDArray[np.float64],
        cut: float,
        neighbours: NDArray[np.int64],
    ) -> tuple[list[list[int]], NDArray[np.float64], NDArray[np.float64]]:
        """Batches of negative reduced cost (:func:`price_batches`), their lengths and costs."""
        offsets, members, lengths, rc = price_batches(
            seeds,
            duals,
            float(cut),
            neighbours,
            self.load,
            self.limit,
            self.umask,
            self.width,
            *self._args(),
        )
        flat = members.tolist()
        cols = [sorted(flat[offsets[k] : offsets[k + 1]]) for k in range(len(offsets) - 1)]
        return cols, lengths, rc

    def removal_gains(self, assign: NDArray[np.int64]) -> NDArray[np.float64]:
        """Length each unit's batch saves without it."""
        self.evaluations += 2 * assign.shape[0]
        return removal_gains(assign, self.load, self.umask, self.width, *self._args())

    def local_search(
        self,
        assign: NDArray[np.int64],
        focus: NDArray[np.bool_],
        neighbours: NDArray[np.int64],
        max_evals: int = 10**12,
    ) -> NDArray[np.float64]:
        """:func:`local_search` in place; returns the length of every batch number."""
        blen, evals = local_search(
            assign,
            focus,
            neighbours,
            self.load,
            self.limit,
            self.umask,
            self.width,
            max_evals,
            *self._args(),
        )
        self.evaluations += int(evals)
        return blen

    def insert(
        self,
        assign: NDArray[np.int64],
        removed: NDArray[np.int64],
        regret: bool,
        noise: NDArray[np.float64],
    ) -> None:
        """:func:`insert_units` in place."""
        self.evaluations += int(
            insert_units(
                assign,
                removed,
                regret,
                noise,
                self.load,
                self.limit,
                self.umask,
                self.width,
                *self._args(),
            )
        )
