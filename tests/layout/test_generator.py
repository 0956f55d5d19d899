from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from smartwms.cli import app
from smartwms.io import load_instance
from smartwms.layout import distance_matrix
from smartwms.layout.generator import (
    PRESETS,
    GeneratorConfig,
    demand_weights,
    generate_instance,
    top_share,
)
from smartwms.model import Instance, ParallelAisleLayout

ROOT = Path(__file__).resolve().parents[2]


def test_same_seed_same_instance_and_other_seed_differs() -> None:
    cfg = GeneratorConfig(n_skus=120, n_orders=60, n_blocks=2, levels=2, assignment="poor")
    a, b = generate_instance(cfg, seed=7), generate_instance(cfg, seed=7)
    assert a == b
    assert a.model_dump_json() == b.model_dump_json()
    c = generate_instance(cfg, seed=8)
    assert c.orders != a.orders


@settings(max_examples=30, deadline=None)
@given(
    n_skus=st.integers(1, 80),
    spare=st.integers(0, 30),
    n_orders=st.integers(0, 40),
    blocks=st.integers(1, 3),
    levels=st.integers(1, 3),
    aisles=st.none() | st.integers(1, 6),
    demand=st.sampled_from(["pareto", "abc"]),
    skew=st.floats(0.2, 0.95),
    assignment=st.sampled_from(["random", "poor", "none"]),
    lines=st.floats(1, 6),
    seed=st.integers(0, 2**32 - 1),
)
def test_generated_instances_validate_and_match_requested_sizes(
    n_skus: int,
    spare: int,
    n_orders: int,
    blocks: int,
    levels: int,
    aisles: int | None,
    demand: str,
    skew: float,
    assignment: str,
    lines: float,
    seed: int,
) -> None:
    cfg = GeneratorConfig(
        n_skus=n_skus,
        n_locations=n_skus + spare,
        n_orders=n_orders,
        n_blocks=blocks,
        levels=levels,
        n_aisles=aisles,
        demand=demand,  # type: ignore[arg-type]
        skew=skew,
        assignment=assignment,  # type: ignore[arg-type]
        lines_per_order=lines,
        group_size=4,
    )
    inst = generate_instance(cfg, seed=seed)
    # Re-validating from plain data checks every cross reference and capacity again.
    assert Instance.model_validate(inst.model_dump()) == inst
    assert isinstance(inst.layout, ParallelAisleLayout)
    assert (inst.layout.n_blocks, inst.layout.levels) == (blocks, levels)
    if aisles is not None:
        assert inst.layout.n_aisles == aisles
    assert len(inst.skus) == n_skus
    assert len(inst.locations) == n_skus + spare
    assert len(inst.orders) == n_orders
    for order in inst.orders:
        skus = [ln.sku for ln in order.lines]
        assert len(skus) == len(set(skus)) >= 1  # distinct SKUs per order
        assert order.due_time is not None and order.due_time >= order.release_time
    if assignment == "none":
        assert inst.stock == []
    else:
        assert sorted(rec.sku for rec in inst.stock) == sorted(s.id for s in inst.skus)
        assert len({rec.location for rec in inst.stock}) == n_skus  # one slot per SKU


@settings(max_examples=40, deadline=None)
@given(n=st.integers(5, 3000), skew=st.floats(0.2, 0.97), model=st.sampled_from(["pareto", "abc"]))
def test_demand_weights_hit_the_requested_skew(n: int, skew: float, model: str) -> None:
    w = demand_weights(n, skew, model)  # type: ignore[arg-type]
    assert w.sum() == pytest.approx(1.0)
    assert np.all(np.diff(w) <= 1e-15)  # by rank, fastest first
    least = max(1, round(0.2 * n)) / n  # a few SKUs cannot be less skewed than this
    assert top_share(w) == pytest.approx(max(skew, least), abs=1e-6)


@pytest.mark.parametrize(("demand", "skew"), [("pareto", 0.8), ("pareto", 0.5), ("abc", 0.7)])
def test_order_lines_follow_the_skew(demand: str, skew: float) -> None:
    """Popularity holds the skew exactly; the sampled lines follow it, with or without affinity."""
    cfg = GeneratorConfig(
        n_skus=2000,
        n_orders=4000,
        demand=demand,
        skew=skew,
        affinity=0.0,
        assignment="none",  # type: ignore[arg-type]
    )
    inst = generate_instance(cfg, seed=3)
    ranked = sorted(inst.skus, key=lambda s: -(s.pick_frequency or 0))
    top = ranked[:400]  # the top 20 %
    total = sum(s.pick_frequency or 0 for s in ranked)
    assert sum(s.pick_frequency or 0 for s in top) / total == pytest.approx(skew, abs=1e-3)
    counts = Counter(ln.sku for o in inst.orders for ln in o.lines)
    share = sum(counts[s.id] for s in top) / sum(counts.values())
    assert share == pytest.approx(skew, abs=0.03)
    mean_lines = sum(counts.values()) / len(inst.orders)
    assert mean_lines == pytest.approx(cfg.lines_per_order, abs=0.1)
    # Affinity groups are SKUs of neighbouring popularity, so they keep the skew.
    grouped = generate_instance(cfg.model_copy(update={"affinity": 0.5}), seed=3)
    counts = Counter(ln.sku for o in grouped.orders for ln in o.lines)
    grouped_share = sum(counts[s.id] for s in top) / sum(counts.values())
    assert grouped_share == pytest.approx(skew, abs=0.03)


def test_affinity_groups_are_ordered_together() -> None:
    base = {"n_skus": 400, "n_orders": 800, "group_size": 10, "lines_per_order": 4.0}

    def same_family_share(affinity: float) -> float:
        inst = generate_instance(GeneratorConfig(**base, affinity=affinity), seed=5)
        family = {s.id: s.family for s in inst.skus}
        pairs = [
            family[ln.sku] == family[o.lines[0].sku] for o in inst.orders for ln in o.lines[1:]
        ]
        return sum(pairs) / len(pairs)

    assert same_family_share(0.9) > 0.8
    assert same_family_share(0.0) < 0.35  # by chance only: the top groups are popular


def test_poor_assignment_puts_fast_movers_far_from_the_depot() -> None:
    cfg = GeneratorConfig(n_skus=300, n_orders=50, n_blocks=2)

    def fast_vs_all(assignment: str) -> float:
        inst = generate_instance(cfg.model_copy(update={"assignment": assignment}), seed=2)
        where = {rec.sku: rec.location for rec in inst.stock}
        skus = sorted(inst.skus, key=lambda s: -(s.pick_frequency or 0))
        dist = distance_matrix(inst, ["depot"], [where[s.id] for s in skus])[0]
        return float(dist[:60].mean() / dist.mean())

    assert fast_vs_all("poor") > 1.2
    assert 0.8 < fast_vs_all("random") < 1.2


def test_config_errors_name_the_field() -> None:
    with pytest.raises(ValueError, match="n_locations: 5 slots cannot hold 10 SKUs"):
        GeneratorConfig(n_skus=10, n_locations=5)


runner = CliRunner()


def test_cli_generate_writes_a_readable_instance(tmp_path: Path) -> None:
    out = tmp_path / "g.json"
    result = runner.invoke(
        app, ["generate", str(out), "--skus", "40", "--orders", "10", "--seed", "4", "--json"]
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert (summary["skus"], summary["orders"], summary["seed"]) == (40, 10, 4)
    assert load_instance(out) == generate_instance(GeneratorConfig(n_skus=40, n_orders=10), seed=4)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--skew", "1.5"], "--skew: Input should be less than 1"),
        (["--preset", "huge"], "--preset: expected one of small, medium, large"),
        (["--skus", "10", "--locations", "5"], "--locations: 5 slots cannot hold 10 SKUs"),
        (["--demand", "zipf"], "--demand:"),
    ],
)
def test_cli_generate_bad_options_exit_2(tmp_path: Path, args: list[str], message: str) -> None:
    result = runner.invoke(app, ["generate", str(tmp_path / "x.json"), *args])
    assert result.exit_code == 2
    assert message in " ".join(result.output.split())
    assert not (tmp_path / "x.json").exists()


@pytest.mark.parametrize("family", ["small", "medium", "large"])
def test_shipped_families_load(family: str) -> None:
    files = sorted((ROOT / "instances" / family).glob("*.json"))
    assert files and (ROOT / "instances" / family / "README.md").is_file()
    for path in files:
        inst = load_instance(path)
        assert len(inst.skus) == PRESETS[family]["n_skus"]


def test_small_family_regenerates_from_its_readme_command() -> None:
    """The shipped files are exactly what their documented command and seed produce."""
    for assignment in ("random", "poor"):
        shipped = load_instance(ROOT / "instances" / "small" / f"{assignment}-seed1.json")
        config = GeneratorConfig(**PRESETS["small"], assignment=assignment)  # type: ignore[arg-type]
        assert generate_instance(config, seed=1) == shipped
