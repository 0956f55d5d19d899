"""``smartwms slot``: storage location assignment and the moves to get there."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from smartwms.cli._common import FormatOpt, app, err, friendly_errors, load, out, print_json
from smartwms.errors import SmartwmsError


@app.command()
@friendly_errors
def slot(
    instance_file: Annotated[Path, typer.Argument(metavar="INSTANCE", help="Instance file.")],
    method: Annotated[
        str,
        typer.Option(help="current, random, abc, coi, optimal, cpsat or affinity."),
    ] = "optimal",
    max_moves: Annotated[
        int | None, typer.Option("--max-moves", help="Re-slotting budget: at most K moves.")
    ] = None,
    time_limit: Annotated[
        float, typer.Option("--time-limit", help="Seconds for cpsat and affinity.")
    ] = 30.0,
    aisle_balance: Annotated[
        float | None,
        typer.Option(
            "--aisle-balance", help="cpsat: max share (0..1] of the picks in any one aisle."
        ),
    ] = None,
    families: Annotated[
        bool,
        typer.Option(
            "--families/--no-families",
            help="cpsat: keep each SKU family (the instance's Sku.family) in adjacent aisles.",
        ),
    ] = True,
    hazards: Annotated[
        bool,
        typer.Option(
            "--hazards/--no-hazards",
            help="cpsat: at most one hazard class (the instance's Sku.hazard) per aisle.",
        ),
    ] = True,
    seed: Annotated[int, typer.Option(help="Seed of every random choice.")] = 0,
    as_json: Annotated[bool, typer.Option("--json", help="Summary as one JSON line.")] = False,
    out_path: Annotated[
        Path | None, typer.Option("--out", help="Write the plan (assignment and moves) here.")
    ] = None,
    plot: Annotated[
        Path | None, typer.Option("--plot", help="Demand heatmap before/after (PNG, SVG, ...).")
    ] = None,
    fmt: FormatOpt = "auto",
) -> None:
    """Assign SKUs to storage locations and plan the moves to get there."""
    from smartwms.slotting import METHODS, SlottingParams, build_tables, solve_slotting
    from smartwms.stopping import Stop

    if method not in METHODS:
        raise SmartwmsError(f"--method: expected one of {', '.join(METHODS)}, got {method!r}")
    if max_moves is not None and max_moves < 0:
        raise SmartwmsError(f"--max-moves: must be >= 0, got {max_moves}")
    if time_limit <= 0:
        raise SmartwmsError(f"--time-limit: must be > 0, got {time_limit}")
    if aisle_balance is not None and not 0 < aisle_balance <= 1:
        raise SmartwmsError(f"--aisle-balance: must be in (0, 1], got {aisle_balance}")
    instance = load(instance_file, fmt)
    params = SlottingParams(
        max_moves=max_moves,
        time_limit=time_limit,
        aisle_balance=aisle_balance,
        group_families=families,
        segregate_hazards=hazards,
    )
    with err.status(f"slotting {instance_file} ({method})"):
        result = solve_slotting(
            instance, method=method, params=params, seed=seed, stop=Stop(time_limit)
        )
    if out_path is not None:
        out_path.write_text(result.plan.model_dump_json(indent=1))
    if plot is not None:
        from smartwms.plotting.slotting import plot_slotting_heatmap

        tables = build_tables(instance, params)
        weights = dict(zip(tables.skus.ids, tables.skus.weight.tolist(), strict=True))
        before = {s: instance.locations_of(s) for s in tables.skus.ids}
        plot_slotting_heatmap(instance, before, result.plan.assignment, weights, plot)
    summary = {"file": str(instance_file), **result.summary()}
    if as_json:
        print_json(summary)
        return
    table = Table(title=f"slotting {instance_file}", show_header=False)
    for key, value in summary.items():
        table.add_row(key, str(value))
    out.print(table)
