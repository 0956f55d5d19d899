"""State space and transition tables of the column-by-column picker-routing dynamic program.

The exact DPs of Ratliff & Rosenthal (one block), Roodbergen & de Koster (two blocks) and
Pansart, Catusse & Cambazard (any number of blocks) share one idea: sweep the aisles from left
to right and remember, for the cross-aisle vertices of the current aisle, only what decides
whether a partial tour subgraph can still be completed into a closed tour: each vertex's degree
(zero, odd or even) and which vertices are already connected. This module enumerates those
*frontier states* for ``K`` cross aisles and the transitions between them; the tables depend on
``K`` alone, so they are built once and cached.

Per aisle the DP applies, block by block, one of six *sub-aisle configurations* (the vertical
edges between the block's upper vertex ``b`` and lower vertex ``b + 1``), then one horizontal
multiplicity ``0, 1, 2`` per cross aisle towards the next aisle.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
from numpy.typing import NDArray

__all__ = [
    "BOTTOM",
    "CONFIG_EDGES",
    "GAP",
    "NONE",
    "PASS1",
    "PASS2",
    "TOP",
    "Tables",
    "tables_for",
]

# Sub-aisle configurations (codes index the per-block cost arrays).
NONE, PASS1, PASS2, TOP, BOTTOM, GAP = range(6)
# (degree added at the upper vertex, at the lower vertex, whether they get connected)
CONFIG_EDGES: tuple[tuple[int, int, bool], ...] = (
    (0, 0, False),  # NONE: nothing to pick in the block
    (1, 1, True),  # PASS1: traverse once
    (2, 2, True),  # PASS2: traverse twice
    (2, 0, False),  # TOP: enter from the upper cross aisle and return
    (0, 2, False),  # BOTTOM: enter from the lower cross aisle and return
    (2, 2, False),  # GAP: return from both ends, skipping the largest gap between picks
)
WITH_PICKS = (PASS1, PASS2, TOP, BOTTOM, GAP)
WITHOUT_PICKS = (NONE, PASS1, PASS2)

# A vertex is 0 (no edge yet) or 2 * component label + (1 if its degree is odd); labels >= 1.
State = tuple[int, ...]
IntArray = NDArray[np.int64]


def _canonical(codes: list[int]) -> State:
    """Renumber component labels by first appearance so equal states compare equal."""
    relabel: dict[int, int] = {}
    out = []
    for code in codes:
        if code == 0:
            out.append(0)
            continue
        label = relabel.setdefault(code >> 1, len(relabel) + 1)
        out.append(2 * label + (code & 1))
    return tuple(out)


def _apply_config(state: State, block: int, config: int) -> State | None:
    add_top, add_bottom, connect = CONFIG_EDGES[config]
    codes = list(state)
    fresh = max((c >> 1 for c in codes), default=0) + 1
    for vertex, add in ((block, add_top), (block + 1, add_bottom)):
        if add == 0:
            continue
        if codes[vertex] == 0:
            codes[vertex] = 2 * fresh + (add & 1)
            fresh += 1
        else:
            codes[vertex] ^= add & 1
    if connect:
        keep, drop = codes[block] >> 1, codes[block + 1] >> 1
        codes = [(2 * keep + (c & 1)) if c and c >> 1 == drop else c for c in codes]
    return _canonical(codes)


def _apply_horizontal(state: State, mult: tuple[int, ...]) -> tuple[State, int] | None:
    """State at the next aisle and the bit mask of vertices whose final degree is non-zero.

    ``None`` when the move is infeasible: an odd final degree, or a component left behind
    while the tour is not finished.
    """
    codes = list(state)
    fresh = max((c >> 1 for c in codes), default=0) + 1
    final_nonzero = 0
    for k, (code, h) in enumerate(zip(codes, mult, strict=True)):
        if (code & 1) != (h & 1) and code:
            return None  # odd final degree
        if code == 0 and h:
            if h & 1:
                return None
            codes[k] = 2 * fresh
            fresh += 1
        if codes[k]:
            final_nonzero |= 1 << k
    labels = {c >> 1 for c in codes if c}
    continuing = {codes[k] >> 1 for k in range(len(codes)) if mult[k]}
    if labels - continuing:
        # A component ends here: only allowed when it is the whole (finished) tour.
        if len(labels) == 1 and not any(mult):
            return DONE, final_nonzero
        return None
    nxt = [(2 * (codes[k] >> 1) + (h & 1)) if h else 0 for k, h in enumerate(mult)]
    return _canonical(nxt), final_nonzero


DONE: State = (-1,)


@dataclass(frozen=True)
class Tables:
    """Transition tables of the DP for ``n_cross`` cross aisles (arrays for the kernel).

    ``v_src/v_dst/v_cfg`` hold single-block vertical transitions; the ones of block ``b`` for a
    block with (``p = 1``) or without (``p = 0``) picks are ``v_off[b, p, 0] <= t < v_off[b, p,
    1]``. ``h_src/h_dst/h_sum/h_fin/h_code`` hold horizontal moves: ``h_sum`` edges of aisle
    spacing, ``h_fin`` the bit mask of vertices left with a non-zero degree, ``h_code`` the
    multiplicities in base 3. ``final_ok`` marks states that close a tour after the last aisle
    and ``nonzero`` the bit mask of each state's vertices with edges.
    """

    n_cross: int
    states: tuple[State, ...]
    empty: int
    done: int
    v_src: IntArray
    v_dst: IntArray
    v_cfg: IntArray
    v_off: IntArray
    h_src: IntArray
    h_dst: IntArray
    h_sum: IntArray
    h_fin: IntArray
    h_code: IntArray
    final_ok: IntArray
    nonzero: IntArray

    def kernel_args(self) -> tuple[Any, ...]:
        """The tables as the sweeping kernels take them (``sweep``, ``route_tours``), in order."""
        return (
            len(self.states),
            self.empty,
            self.v_src,
            self.v_dst,
            self.v_cfg,
            self.v_off,
            self.h_src,
            self.h_dst,
            self.h_sum,
            self.h_fin,
            self.h_code,
            self.final_ok,
            self.nonzero,
        )


def _closure(n_cross: int) -> list[State]:
    """Every frontier state reachable from the empty one."""
    empty: State = (0,) * n_cross
    seen = {empty: None, DONE: None}
    todo = [empty]
    mults = list(itertools.product((0, 1, 2), repeat=n_cross))
    while todo:
        state = todo.pop()
        successors: list[State | None] = []
        for block in range(n_cross - 1):
            successors += [_apply_config(state, block, c) for c in range(1, 6)]
        for mult in mults:
            res = _apply_horizontal(state, mult)
            successors.append(None if res is None else res[0])
        for nxt in successors:
            if nxt is not None and nxt not in seen:
                seen[nxt] = None
                todo.append(nxt)
    return list(seen)


@lru_cache(maxsize=8)
def tables_for(n_cross: int) -> Tables:
    """Build (once per number of cross aisles) the DP's states and transitions."""
    states = _closure(n_cross)
    index = {s: i for i, s in enumerate(states)}
    empty, done = index[(0,) * n_cross], index[DONE]
    v_src: list[int] = []
    v_dst: list[int] = []
    v_cfg: list[int] = []
    v_off = np.zeros((max(n_cross - 1, 1), 2, 2), dtype=np.int64)
    for block in range(n_cross - 1):
        for has_picks, configs in ((0, WITHOUT_PICKS), (1, WITH_PICKS)):
            v_off[block, has_picks, 0] = len(v_src)
            for s, state in enumerate(states):
                for config in configs:
                    if state == DONE:
                        nxt: State | None = DONE if config == NONE else None
                    else:
                        nxt = _apply_config(state, block, config)
                    if nxt is not None:
                        v_src.append(s)
                        v_dst.append(index[nxt])
                        v_cfg.append(config)
            v_off[block, has_picks, 1] = len(v_src)
    h_rows: list[tuple[int, int, int, int, int]] = []
    for code, mult in enumerate(itertools.product((0, 1, 2), repeat=n_cross)):
        for s, state in enumerate(states):
            if state == DONE:
                if not any(mult):
                    h_rows.append((s, done, 0, 0, code))
                continue
            res = _apply_horizontal(state, mult)
            if res is not None:
                h_rows.append((s, index[res[0]], sum(mult), res[1], code))
    h = np.asarray(h_rows, dtype=np.int64).reshape(-1, 5)
    final_ok = np.zeros(len(states), dtype=np.int64)
    nonzero = np.zeros(len(states), dtype=np.int64)
    for s, state in enumerate(states):
        if state == DONE:
            final_ok[s] = 1
            continue
        nonzero[s] = sum(1 << k for k, c in enumerate(state) if c)
        labels = {c >> 1 for c in state if c}
        final_ok[s] = int(len(labels) == 1 and all(c & 1 == 0 for c in state))
    return Tables(
        n_cross=n_cross,
        states=tuple(states),
        empty=empty,
        done=done,
        v_src=np.asarray(v_src, dtype=np.int64),
        v_dst=np.asarray(v_dst, dtype=np.int64),
        v_cfg=np.asarray(v_cfg, dtype=np.int64),
        v_off=v_off,
        h_src=h[:, 0].copy(),
        h_dst=h[:, 1].copy(),
        h_sum=h[:, 2].copy(),
        h_fin=h[:, 3].copy(),
        h_code=h[:, 4].copy(),
        final_ok=final_ok,
        nonzero=nonzero,
    )
