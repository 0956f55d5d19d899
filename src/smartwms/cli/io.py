"""``smartwms info``, ``convert`` and ``generate``: instances in, instances out."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from smartwms.cli._common import (
    FoodmartLocationsOpt,
    FoodmartOrdersOpt,
    FormatOpt,
    SprpLayoutOpt,
    app,
    err,
    foodmart_options,
    friendly_errors,
    load,
    out,
    print_json,
)
from smartwms.errors import SmartwmsError


@app.command()
@friendly_errors
def info(
    files: Annotated[list[Path], typer.Argument(help="Instance files to validate and summarise.")],
    fmt: FormatOpt = "auto",
    sprp_layout: SprpLayoutOpt = "single-block",
    foodmart_locations: FoodmartLocationsOpt = None,
    foodmart_orders: FoodmartOrdersOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per file.")] = False,
) -> None:
    """Validate instance files and summarise them."""
    extra = foodmart_options(foodmart_locations, foodmart_orders)
    for path in files:
        summary = {"file": str(path), **load(path, fmt, sprp_layout, **extra).summary()}
        if as_json:
            print_json(summary)
            continue
        table = Table(title=str(path), show_header=False)
        for key, value in summary.items():
            table.add_row(key, str(value))
        out.print(table)


@app.command()
@friendly_errors
def convert(
    source: Annotated[Path, typer.Argument(help="File in any supported format.")],
    target: Annotated[Path, typer.Argument(help="Output file (our JSON, or .txt for SPRP).")],
    fmt: FormatOpt = "auto",
    sprp_layout: SprpLayoutOpt = "single-block",
    foodmart_locations: FoodmartLocationsOpt = None,
    foodmart_orders: FoodmartOrdersOpt = None,
    to: Annotated[
        str,
        typer.Option(
            "--to", help="Output format: smartwms, sprp, csv (a folder) or foodmart (a folder)."
        ),
    ] = "smartwms",
) -> None:
    """Convert an instance to our JSON format (or back to SPRP, CSV or Foodmart)."""
    from smartwms.io import write_csv_folder, write_foodmart_folder, write_instance, write_sprp

    extra = foodmart_options(foodmart_locations, foodmart_orders)
    instance = load(source, fmt, sprp_layout, **extra)
    if to == "smartwms":
        write_instance(instance, target)
    elif to == "sprp":
        write_sprp(instance, target)
    elif to == "csv":
        write_csv_folder(instance, target)
    elif to == "foodmart":
        write_foodmart_folder(instance, target)
    else:
        raise SmartwmsError(f"--to: expected smartwms, sprp, csv or foodmart, got {to!r}")
    err.print(f"wrote {target} ({to})")


# ------------------------------------------------------------------ generator
_GENERATE_OPTIONS = {
    "n_skus": "skus",
    "n_locations": "locations",
    "n_orders": "orders",
    "n_aisles": "aisles",
    "n_blocks": "blocks",
    "levels": "levels",
    "demand": "demand",
    "skew": "skew",
    "lines_per_order": "lines-per-order",
    "quantity_mean": "quantity-mean",
    "group_size": "group-size",
    "affinity": "affinity",
    "assignment": "assignment",
    "pickers": "pickers",
    "depot": "depot",
    "horizon": "horizon",
}


@app.command()
@friendly_errors
def generate(
    target: Annotated[
        Path, typer.Argument(help="Output: our JSON file (or a folder with --to csv).")
    ],
    preset: Annotated[
        str | None, typer.Option("--preset", help="Start from a named size: small, medium, large.")
    ] = None,
    skus: Annotated[int | None, typer.Option("--skus", help="Number of SKUs.")] = None,
    locations: Annotated[
        int | None, typer.Option("--locations", help="Number of slots (default: SKUs + 20%).")
    ] = None,
    orders: Annotated[int | None, typer.Option("--orders", help="Number of orders.")] = None,
    aisles: Annotated[
        int | None, typer.Option("--aisles", help="Aisles (default: a squarish floor).")
    ] = None,
    blocks: Annotated[
        int | None, typer.Option("--blocks", help="Blocks (cross aisles - 1).")
    ] = None,
    levels: Annotated[int | None, typer.Option("--levels", help="Storage levels.")] = None,
    demand: Annotated[
        str | None, typer.Option("--demand", help="Skew model: pareto or abc.")
    ] = None,
    skew: Annotated[
        float | None, typer.Option("--skew", help="Share of order lines of the top 20% SKUs.")
    ] = None,
    lines_per_order: Annotated[
        float | None, typer.Option("--lines-per-order", help="Mean lines per order.")
    ] = None,
    quantity_mean: Annotated[
        float | None, typer.Option("--quantity-mean", help="Mean units per line.")
    ] = None,
    group_size: Annotated[
        int | None, typer.Option("--group-size", help="SKUs per affinity group.")
    ] = None,
    affinity: Annotated[
        float | None,
        typer.Option("--affinity", help="Chance a further line comes from the first's group."),
    ] = None,
    assignment: Annotated[
        str | None, typer.Option("--assignment", help="Current stock: random, poor or none.")
    ] = None,
    pickers: Annotated[int | None, typer.Option("--pickers", help="Number of pickers.")] = None,
    depot: Annotated[
        str | None, typer.Option("--depot", help="front-left or front-middle.")
    ] = None,
    horizon: Annotated[
        float | None, typer.Option("--horizon", help="Seconds over which orders are released.")
    ] = None,
    seed: Annotated[int, typer.Option("--seed", help="Random seed.")] = 0,
    to: Annotated[str, typer.Option("--to", help="Output format: smartwms or csv.")] = "smartwms",
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
) -> None:
    """Generate a seeded synthetic warehouse (layout, SKUs, orders, current assignment)."""
    from pydantic import ValidationError
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from smartwms.io import write_csv_folder, write_instance
    from smartwms.layout.generator import PRESETS, GeneratorConfig, generate_instance

    if preset is not None and preset not in PRESETS:
        raise SmartwmsError(f"--preset: expected one of {', '.join(PRESETS)}, got {preset!r}")
    if to not in ("smartwms", "csv"):
        raise SmartwmsError(f"--to: expected smartwms or csv, got {to!r}")
    given = locals()
    values: dict[str, Any] = dict(PRESETS[preset]) if preset else {}
    for field, option in _GENERATE_OPTIONS.items():
        value = given[option.replace("-", "_")]
        if value is not None:
            values[field] = value
    try:
        config = GeneratorConfig(**values)
    except ValidationError as exc:
        first = exc.errors()[0]
        message = first["msg"].removeprefix("Value error, ")
        # Cross-field checks name their field at the start of the message instead.
        field = str(first["loc"][0]) if first["loc"] else message.split(":")[0]
        option = _GENERATE_OPTIONS.get(field, field.replace("_", "-") if first["loc"] else "")
        if not first["loc"] and option:
            message = message.split(":", 1)[1].strip()
        raise SmartwmsError(f"--{option}: {message}" if option else message) from None
    with Progress(
        TextColumn("{task.description:<12}"),
        BarColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    ) as bar:
        task = bar.add_task("generating", total=1.0)
        instance = generate_instance(
            config,
            seed=seed,
            progress=lambda stage, done: bar.update(task, description=stage, completed=done),
        )
        bar.update(task, description="writing")
        if to == "csv":
            write_csv_folder(instance, target)
        else:
            write_instance(instance, target)
    summary = {"file": str(target), "seed": seed, **instance.summary()}
    if as_json:
        print_json(summary)
    else:
        err.print(
            f"wrote {target}: {summary['skus']} SKUs, {summary['locations']} slots, "
            f"{summary['orders']} orders ({summary['order_lines']} lines), seed {seed}"
        )
