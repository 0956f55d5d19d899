"""The exact routing DP against brute force, the closed-form distances and published optima."""

from __future__ import annotations

import csv
import itertools
import math
import random
from functools import lru_cache
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from smartwms.errors import InstanceValidationError, SmartwmsError
from smartwms.io import read_sprp
from smartwms.layout import aisle_distances, distance_matrix, location_points, points_of
from smartwms.model import Instance, ParallelAisleLayout, Station
from smartwms.routing.exact import optimal_tour, optimal_tour_length


def closed_form(
    layout: ParallelAisleLayout, depot: Station, aisles: list[int], cells: list[int]
) -> np.ndarray:
    """Distances among the depot (row 0) and the picks, from the closed form only."""
    dep = points_of(layout, [depot])
    picks = location_points(layout, aisles, cells)
    pts = type(picks)(
        np.concatenate([dep.x, picks.x]),
        np.concatenate([dep.y, picks.y]),
        np.concatenate([dep.aisle, picks.aisle]),
        np.concatenate([dep.cross, picks.cross]),
        np.concatenate([dep.spur, picks.spur]),
    )
    return aisle_distances(layout, pts)


def tour_length(dist: np.ndarray, order: list[int]) -> float:
    """Independent validator: length of depot -> picks in ``order`` -> depot."""
    seq = [0, *(i + 1 for i in order), 0]
    return float(sum(dist[a, b] for a, b in itertools.pairwise(seq)))


def brute_force(dist: np.ndarray) -> float:
    n = dist.shape[0] - 1
    if n == 0:
        return 0.0
    return min(tour_length(dist, list(perm)) for perm in itertools.permutations(range(n)))


def check(
    layout: ParallelAisleLayout, depot: Station, aisles: list[int], cells: list[int]
) -> float:
    """Solve, validate the order and the length against the closed form; return the length."""
    length, order = optimal_tour(layout, depot, aisles, cells)
    assert sorted(order) == list(range(len(aisles)))
    dist = closed_form(layout, depot, aisles, cells)
    assert math.isclose(tour_length(dist, order), length, abs_tol=1e-7)
    assert math.isclose(optimal_tour_length(layout, depot, aisles, cells), length, abs_tol=1e-9)
    return length


@st.composite
def instances(draw: st.DrawFn, max_blocks: int = 2) -> tuple:
    n_blocks = draw(st.integers(1, max_blocks))
    layout = ParallelAisleLayout(
        n_aisles=draw(st.integers(1, 6)),
        aisle_spacing=draw(st.sampled_from([1.0, 2.5, 3.0, 7.0])),
        cells_per_block=draw(st.integers(1, 6)),
        cell_length=draw(st.sampled_from([0.5, 1.0, 2.0])),
        n_blocks=n_blocks,
        cross_aisle_widths=draw(
            st.lists(
                st.sampled_from([0.0, 1.0, 2.0, 3.5]), min_size=n_blocks + 1, max_size=n_blocks + 1
            )
        ),
    )
    depot = Station(
        id="depot",
        aisle=draw(st.integers(0, layout.n_aisles - 1)),
        cross_aisle=draw(st.integers(0, n_blocks)),
        spur=draw(st.sampled_from([0.0, 0.0, 1.5])),
    )
    n = draw(st.integers(0, 6))
    aisles = draw(st.lists(st.integers(0, layout.n_aisles - 1), min_size=n, max_size=n))
    cells = draw(st.lists(st.integers(0, layout.cells_per_aisle - 1), min_size=n, max_size=n))
    return layout, depot, aisles, cells


@settings(max_examples=300, deadline=None)
@given(instances(max_blocks=1))
def test_single_block_matches_brute_force(case: tuple) -> None:
    layout, depot, aisles, cells = case
    assert math.isclose(check(*case), brute_force(closed_form(layout, depot, aisles, cells)))


@settings(max_examples=300, deadline=None)
@given(instances(max_blocks=3))
def test_multi_block_matches_brute_force(case: tuple) -> None:
    layout, depot, aisles, cells = case
    assert math.isclose(check(*case), brute_force(closed_form(layout, depot, aisles, cells)))


def test_duplicate_positions_are_all_listed() -> None:
    lay = ParallelAisleLayout(n_aisles=4, aisle_spacing=3, cells_per_block=5, cell_length=1)
    depot = Station(id="d", aisle=1, cross_aisle=1)
    length, order = optimal_tour(lay, depot, [2, 2, 0, 2], [1, 1, 4, 1])
    assert sorted(order) == [0, 1, 2, 3]
    assert length == check(lay, depot, [2, 2, 0, 2], [1, 1, 4, 1])


def test_no_picks_is_an_empty_tour() -> None:
    lay = ParallelAisleLayout(n_aisles=2, aisle_spacing=3, cells_per_block=5, cell_length=1)
    assert optimal_tour(lay, Station(id="d", aisle=0, cross_aisle=0, spur=2), [], []) == (0.0, [])


def test_deterministic() -> None:
    rng = random.Random(7)
    lay = ParallelAisleLayout(
        n_aisles=12, aisle_spacing=2, cells_per_block=10, cell_length=1, n_blocks=2
    )
    depot = Station(id="d", aisle=5, cross_aisle=2)
    aisles = [rng.randrange(12) for _ in range(25)]
    cells = [rng.randrange(20) for _ in range(25)]
    first = optimal_tour(lay, depot, aisles, cells)
    assert all(optimal_tour(lay, depot, aisles, cells) == first for _ in range(3))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"aisles": [7], "cells": [0]}, "aisles"),
        ({"aisles": [0], "cells": [10]}, "cells"),
        ({"aisles": [0, 1], "cells": [0]}, "cells"),
    ],
)
def test_bad_picks_name_the_field(kwargs: dict, message: str) -> None:
    lay = ParallelAisleLayout(n_aisles=3, aisle_spacing=3, cells_per_block=10, cell_length=1)
    with pytest.raises(InstanceValidationError) as info:
        optimal_tour(lay, Station(id="d", aisle=0, cross_aisle=1), **kwargs)
    assert info.value.problems[0][0] == message


def test_unsupported_cases_raise_clearly() -> None:
    many = ParallelAisleLayout(
        n_aisles=3, aisle_spacing=3, cells_per_block=2, cell_length=1, n_blocks=4
    )
    with pytest.raises(SmartwmsError, match="at most 3 blocks"):
        optimal_tour(many, Station(id="d", aisle=0, cross_aisle=0), [1], [1])
    lay = ParallelAisleLayout(n_aisles=3, aisle_spacing=3, cells_per_block=2, cell_length=1)
    with pytest.raises(SmartwmsError, match="at an aisle"):
        optimal_tour(lay, Station(id="d", x=1.0, cross_aisle=0), [1], [1])


# --- published optima (Heßler & Irnich SPRP sets) -------------------------------------------


@lru_cache
def published(shared: Path, two_block: bool) -> dict[str, float]:
    if two_block:
        with (shared / "sprp/results_SPRP_two_block.csv").open() as fh:
            return {r["filename"]: float(r["objective"]) for r in csv.DictReader(fh)}
    out = {}
    with (shared / "sprp/results_SPRP.csv").open() as fh:
        for r in csv.DictReader(fh):
            name = (
                f"unit_F1_m{r['num aisles']}_C{r['num cells']}_a{r['num articles']}_"
                f"{r['random seed']}.txt"
            )
            out[name] = float(r["DP cost"])
    return out


def solve_instance(inst: Instance) -> float:
    """Route an SPRP order and check that its visiting order re-computes to the length."""
    locs = inst.location_index
    picks = [
        locs[rec.location]
        for line in inst.orders[0].lines
        for rec in inst.stock
        if rec.sku == line.sku
    ]
    assert isinstance(inst.layout, ParallelAisleLayout)
    length, order = optimal_tour(
        inst.layout, inst.depot, [p.aisle for p in picks], [p.cell for p in picks]
    )
    dist = distance_matrix(inst, [inst.depot.id, *(picks[i].id for i in order)])
    assert sorted(order) == list(range(len(picks)))
    assert math.isclose(float(sum(np.diag(dist, 1)) + dist[-1, 0]), length)
    return length


@pytest.mark.shared
@pytest.mark.parametrize("two_block", [False, True], ids=["single-block", "two-block"])
def test_published_optima_sample(shared: Path, two_block: bool) -> None:
    rng = random.Random(3)
    names = sorted(published(shared, False))
    sample = rng.sample(names, 40)
    reference = published(shared, two_block)
    for name in sample:
        inst = read_sprp(
            shared / "sprp/instances" / name, layout="two-block" if two_block else "single-block"
        )
        assert solve_instance(inst) == reference[name], name
