"""The ``smartwms`` command: a thin layer over the public API.

Every command turns :class:`~smartwms.errors.SmartwmsError` into a one-line message and a
non-zero exit status, never a traceback. Machine-readable output (``--json``) goes to stdout;
progress bars and messages go to stderr.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from smartwms import __version__
from smartwms.errors import SmartwmsError

app = typer.Typer(
    name="smartwms",
    help="Warehouse optimiser: slotting, picker routing, AGV dispatch, simulation, job API.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
out = Console()
err = Console(stderr=True)

F = TypeVar("F", bound=Callable[..., Any])


def friendly_errors(func: F) -> F:
    """Report our errors as ``error: ...`` on stderr with exit status 2."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except SmartwmsError as exc:
            err.print(f"[bold red]error:[/] {escape(str(exc))}", highlight=False, soft_wrap=True)
            raise typer.Exit(2) from None
        except (OSError, ValueError) as exc:
            err.print(f"[bold red]error:[/] {escape(str(exc))}", highlight=False, soft_wrap=True)
            raise typer.Exit(2) from None

    return wrapper  # type: ignore[return-value]


def print_json(obj: Any) -> None:
    """One compact JSON object per line on stdout."""
    sys.stdout.write(json.dumps(obj, separators=(",", ":"), default=str) + "\n")
    sys.stdout.flush()


def _version(value: bool) -> None:
    if value:
        out.print(f"smartwms {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    """Warehouse optimiser: slotting, picker routing, AGV dispatch, simulation, job API."""


# ------------------------------------------------------------------ foundation: info, convert
FormatOpt = Annotated[
    str, typer.Option("--format", help="Input format: auto, smartwms, sprp, foodmart, csv, ...")
]
SprpLayoutOpt = Annotated[
    str, typer.Option("--sprp-layout", help="SPRP files: single-block or two-block.")
]
FoodmartLocationsOpt = Annotated[
    Path | None,
    typer.Option(
        "--foodmart-locations",
        help="Foodmart: the productsDB_*_locations file (default: the one beside the layout).",
    ),
]
FoodmartOrdersOpt = Annotated[
    Path | None, typer.Option("--foodmart-orders", help="Foodmart: an order file (instances_*).")
]


def _foodmart_options(locations: Path | None, orders: Path | None) -> dict[str, Any]:
    """Reader options of the Foodmart format (only those given)."""
    options: dict[str, Any] = {}
    if locations is not None:
        options["locations_file"] = locations
    if orders is not None:
        options["orders_file"] = orders
    return options


def _reader_options(fmt: str, sprp_layout: str) -> dict[str, Any]:
    if sprp_layout not in ("single-block", "two-block"):
        raise SmartwmsError(
            f"--sprp-layout: expected single-block or two-block, got {sprp_layout!r}"
        )
    return {"layout": sprp_layout} if fmt in ("auto", "sprp") else {}


def _load(path: Path, fmt: str, sprp_layout: str = "single-block", **extra: Any) -> Any:
    from smartwms.io import detect_format, load_instance

    options = _reader_options(fmt, sprp_layout)
    actual = detect_format(path) if fmt == "auto" and path.exists() else fmt
    if actual != "sprp":
        options.pop("layout", None)
    if extra and actual == "foodmart":
        options.update(extra)
    elif extra:
        raise SmartwmsError(f"--foodmart-* options apply to Foodmart files, not to {actual}")
    return load_instance(path, format=fmt, **options)


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
    extra = _foodmart_options(foodmart_locations, foodmart_orders)
    for path in files:
        summary = {"file": str(path), **_load(path, fmt, sprp_layout, **extra).summary()}
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

    extra = _foodmart_options(foodmart_locations, foodmart_orders)
    instance = _load(source, fmt, sprp_layout, **extra)
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


# ------------------------------------------------------------------ routing
def _order_selection(orders: str | None) -> list[str] | None:
    """``--orders``: ``None``/``all`` for every order, else a comma-separated list of ids."""
    if orders is None or orders.strip() == "all":
        return None
    ids = [o.strip() for o in orders.split(",") if o.strip()]
    if not ids:
        raise SmartwmsError("--orders: expected 'all' or a comma-separated list of order ids")
    return ids


def _plot_path(plot: Path, path: Path, several: bool) -> Path:
    """One figure per input file: ``route.png`` becomes ``route-<file stem>.png`` for many."""
    return plot.with_name(f"{plot.stem}-{path.stem}{plot.suffix}") if several else plot


def _route_record(path: Path, result: Any) -> dict[str, Any]:
    """The ``--json`` object of one input file (the DESIGN.md contract)."""
    tour: list[dict[str, Any]] = []
    for k, r in enumerate(result.routes):
        stops = [s.model_dump(mode="json", exclude_none=True) for s in r.stops]
        tour += stops if k == 0 else stops[1:]  # consecutive tours share their depot stop
    return {
        "file": str(path),
        "method": result.method,
        "length": result.objective,
        "tour": tour,
        "status": result.status.value,
        "seconds": round(result.seconds, 6),
        "routes": [
            {
                "orders": r.orders,
                "length": r.length,
                "status": r.status.value,
                "stops": len(r.stops),
            }
            for r in result.routes
        ],
    }


@app.command()
@friendly_errors
def route(
    files: Annotated[list[Path], typer.Argument(help="Instance files to route.")],
    fmt: FormatOpt = "auto",
    sprp_layout: SprpLayoutOpt = "single-block",
    foodmart_locations: FoodmartLocationsOpt = None,
    foodmart_orders: FoodmartOrdersOpt = None,
    method: Annotated[
        str,
        typer.Option(
            "--method",
            help="optimal (exact: the aisle DP on parallel-aisle layouts of up to 3 blocks "
            "with the depot at an aisle, Held-Karp up to 12 pick locations, else OR-Tools), "
            "sshape, return, midpoint, largest-gap, combined, combined-plus "
            "(combined+), combined-opt (combined + 2-opt/or-opt) or ortools.",
        ),
    ] = "optimal",
    time_limit: Annotated[
        float, typer.Option("--time-limit", help="Seconds of OR-Tools search per tour.")
    ] = 1.0,
    orders: Annotated[
        str | None,
        typer.Option(
            "--orders", help="'all' (default) or comma-separated order ids, one tour each."
        ),
    ] = None,
    plot: Annotated[
        Path | None, typer.Option("--plot", help="Draw the tours on the layout (PNG).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per file.")] = False,
) -> None:
    """Shortest pick tours: exact, the classic heuristics or OR-Tools."""
    from rich.progress import Progress

    from smartwms.routing import METHODS, solve_routing

    if method not in METHODS:
        raise SmartwmsError(f"--method: expected one of {', '.join(METHODS)}, got {method!r}")
    if time_limit <= 0:
        raise SmartwmsError(f"--time-limit: must be > 0 seconds, got {time_limit:g}")
    selection = _order_selection(orders)
    extra = _foodmart_options(foodmart_locations, foodmart_orders)
    for path in files:
        instance = _load(path, fmt, sprp_layout, **extra)
        n_tours = len(instance.orders) if selection is None else len(selection)
        with Progress(console=err, transient=True, disable=n_tours < 2) as bar:
            task = bar.add_task(f"routing {path.name}", total=n_tours)

            def advance(done: int, _total: int, task: Any = task, bar: Progress = bar) -> None:
                bar.update(task, completed=done)

            result = solve_routing(
                instance,
                orders=selection,
                method=method,
                params={"time_limit": time_limit},
                progress=advance,
            )
        if plot is not None:
            from smartwms.plotting.routes import plot_routes

            target = _plot_path(plot, path, len(files) > 1)
            plot_routes(instance, result.routes, target)
            err.print(f"wrote {target}")
        if as_json:
            print_json(_route_record(path, result))
            continue
        table = Table(title=f"{path}: {result.method} ({result.status.value})")
        table.add_column("orders")
        table.add_column("length", justify="right")
        table.add_column("status")
        table.add_column("stops")
        for r in result.routes[:20]:
            table.add_row(
                ",".join(r.orders),
                f"{r.length:g}",
                r.status.value,
                " > ".join(s.id for s in r.stops),
            )
        if len(result.routes) > 20:
            table.add_row(f"... {len(result.routes) - 20} more", "", "", "")
        out.print(table)
        out.print(f"total length {result.objective:g} in {result.seconds:.3f} s")


# ------------------------------------------------------------------ slotting
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
    instance = _load(instance_file, fmt)
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


# ------------------------------------------------------------------ agv
agv_app = typer.Typer(help="AGV fleets: lifelong task assignment and collision-free planning.")
app.add_typer(agv_app, name="agv")


@agv_app.command("run")
@friendly_errors
def agv_run(
    problem: Annotated[
        Path | None, typer.Option("--problem", help="LoRR 2023 problem JSON.")
    ] = None,
    map_file: Annotated[Path | None, typer.Option("--map", help="MovingAI .map file.")] = None,
    agents: Annotated[
        str | None,
        typer.Option("--agents", help="LoRR .agents file, or a number of agents to place."),
    ] = None,
    tasks_file: Annotated[
        Path | None,
        typer.Option("--tasks", help="LoRR .tasks file (default: generated pickup->delivery)."),
    ] = None,
    steps: Annotated[int, typer.Option("--steps", help="Steps to simulate.")] = 500,
    seed: Annotated[int, typer.Option("--seed", help="Random seed.")] = 0,
    plan_out: Annotated[
        Path | None, typer.Option("--plan-out", help="Write PLAN.json here.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Summary as one JSON line.")] = False,
    assign: Annotated[
        str | None,
        typer.Option("--assign", help="Pool tasks: greedy or optimal (default: file ownership)."),
    ] = None,
    planner: Annotated[
        str, typer.Option("--planner", help="auto, pibt, guided (traffic flow) or windowed (A*).")
    ] = "auto",
    task_count: Annotated[
        int | None, typer.Option("--task-count", help="Generated tasks (default: no limit).")
    ] = None,
    task_frequency: Annotated[
        float, typer.Option("--task-frequency", help="Generated tasks per step.")
    ] = 1.0,
    battery: Annotated[
        bool, typer.Option("--battery", help="Simulate batteries and charging.")
    ] = False,
    chargers: Annotated[
        str | None, typer.Option("--chargers", help="Charger cells, comma-separated.")
    ] = None,
    heatmap: Annotated[Path | None, typer.Option("--heatmap", help="Traffic heatmap PNG.")] = None,
    animate: Annotated[
        Path | None, typer.Option("--animate", help="GIF of the first steps.")
    ] = None,
    frames: Annotated[int, typer.Option("--frames", help="Steps in the animation.")] = 60,
    time_limit: Annotated[
        float | None, typer.Option("--time-limit", help="Stop after S seconds (plan so far).")
    ] = None,
) -> None:
    """Run an AGV fleet step by step (PIBT), check the plan and report throughput."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from smartwms.agv.check import check_plan
    from smartwms.agv.scenario import RunOptions, run_from_options
    from smartwms.stopping import Stop

    options = RunOptions(
        problem=problem,
        map_file=map_file,
        agents=agents,
        tasks_file=tasks_file,
        steps=steps,
        seed=seed,
        assign=assign,
        planner=planner,
        task_count=task_count,
        task_frequency=task_frequency,
        battery=battery,
        chargers=chargers,
    )
    with Progress(
        TextColumn("agv"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=err
    ) as bar:
        job = bar.add_task("steps", total=steps)
        result = run_from_options(
            options,
            progress=lambda t, n: bar.update(job, completed=t),
            stop=None if time_limit is None else Stop(time_limit=time_limit),
        )
    plan = result.plan_dict()
    conflicts = check_plan(plan, result.layout.rows)
    summary = {**result.summary(), "conflicts": len(conflicts)}
    if plan_out is not None:
        result.write_plan(plan_out)
    if heatmap is not None or animate is not None:
        from smartwms.plotting.agv import animate_plan, traffic_heatmap

        if heatmap is not None:
            traffic_heatmap(plan, result.layout.rows, heatmap)
        if animate is not None:
            animate_plan(plan, result.layout.rows, animate, frames=frames)
    if as_json:
        print_json(summary)
    else:
        table = Table(title="agv run", show_header=False)
        for key, value in summary.items():
            table.add_row(key, f"{value:.3f}" if isinstance(value, float) else str(value))
        out.print(table)
    if conflicts:
        err.print(
            f"error: the plan checker found {len(conflicts)} conflicts: {conflicts[0].message}"
        )
        raise typer.Exit(1)


# ------------------------------------------------------------------ simulation and demo
def _progress_bar(description: str) -> Any:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    return Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    )


def _kpi_table(title: str, columns: list[tuple[str, dict[str, Any]]]) -> Table:
    table = Table(title=title)
    table.add_column("KPI")
    for name, _ in columns:
        table.add_column(name, justify="right")
    for kpi in columns[0][1]:
        cells = []
        for _, kpis in columns:
            entry = kpis[kpi]
            cells.append(_fmt_ci(entry))
        table.add_row(kpi, *cells)
    return table


def _fmt(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return f"{value:,.3g}" if abs(value) < 100 else f"{value:,.0f}"


def _fmt_ci(entry: dict[str, Any]) -> str:
    lo, hi = entry["ci95"]
    text = f"{_fmt(entry['mean'])} [{_fmt(lo)}, {_fmt(hi)}]"
    if "significant" in entry:
        text += " *" if entry["significant"] else ""
    return text


def _parse_sweep(text: str) -> tuple[str, list[Any]]:
    from smartwms.sim import ScenarioError, parse_override

    key, raw = parse_override(text)
    values = (
        raw if isinstance(raw, list) else str(raw).split(",") if isinstance(raw, str) else [raw]
    )
    parsed = [parse_override(f"{key}={v}")[1] if isinstance(v, str) else v for v in values]
    if not parsed:
        raise ScenarioError(f"--sweep {text!r}: expected key=v1,v2,...")
    return key, parsed


_PATH_KEYS = ("slotting.plan",)


def _paths_from_cwd(overrides: list[str] | None) -> list[str]:
    """``--set slotting.plan=FILE``: a path typed on the command line is relative to the cwd."""
    out = []
    for item in overrides or []:
        key, sep, value = item.partition("=")
        if key.strip() in _PATH_KEYS and sep and value and not value.lstrip().startswith("{"):
            value = str(Path(value.strip()).resolve())
        out.append(f"{key}{sep}{value}")
    return out


@app.command()
@friendly_errors
def simulate(
    scenario_file: Annotated[Path, typer.Argument(help="Scenario JSON (see instances/scenarios).")],
    replications: Annotated[int, typer.Option("--replications", "-n", min=1)] = 10,
    seed: Annotated[int, typer.Option("--seed", help="Selects the random streams.")] = 0,
    overrides: Annotated[
        list[str] | None,
        typer.Option("--set", help="Override a field, e.g. --set pickers.count=12 (repeatable)."),
    ] = None,
    sweep_spec: Annotated[
        str | None, typer.Option("--sweep", help="Sweep a field: pickers.count=5,10,15,20.")
    ] = None,
    compare_file: Annotated[
        Path | None,
        typer.Option("--compare", help="Second scenario: paired before/after comparison."),
    ] = None,
    compare_overrides: Annotated[
        list[str] | None,
        typer.Option(
            "--compare-set",
            help="Override a field of the second scenario only (without --compare: of a copy "
            "of the first), e.g. --compare-set travel.routing=optimal.",
        ),
    ] = None,
    workers: Annotated[
        int | None, typer.Option("--workers", min=1, help="Worker processes (default: all cores).")
    ] = None,
    out_dir: Annotated[
        Path | None, typer.Option("--out", help="Write JSON, CSV and charts to this folder.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object on stdout.")] = False,
) -> None:
    """Simulate a scenario: KPIs with 95 % confidence intervals over replications."""
    from smartwms.sim import (
        apply_overrides,
        compare,
        load_scenario,
        run_experiment,
        sweep,
    )
    from smartwms.sim.report import write_comparison, write_experiment, write_sweep

    overrides = _paths_from_cwd(overrides)
    compare_overrides = _paths_from_cwd(compare_overrides)
    scenario = apply_overrides(load_scenario(scenario_file), overrides)
    other = None
    if compare_file is not None:
        other = apply_overrides(load_scenario(compare_file), overrides)
    if compare_overrides:
        base = other if other is not None else scenario.model_copy(update={"name": "after"})
        other = apply_overrides(base, compare_overrides)
    if sweep_spec is not None and other is not None:
        raise SmartwmsError("--sweep and --compare cannot be combined")
    sweep_key, sweep_values = _parse_sweep(sweep_spec) if sweep_spec else ("", [])
    if sweep_spec:
        apply_overrides(scenario, {sweep_key: sweep_values[0]})  # bad key: fail before running
    with _progress_bar("simulating") as bar:
        task = bar.add_task(f"simulating {scenario.name}", total=None)

        def progress(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        if sweep_spec:
            result: Any = sweep(
                scenario,
                sweep_key,
                sweep_values,
                replications,
                seed=seed,
                workers=workers,
                progress=progress,
            )
        elif other is not None:
            result = compare(
                scenario, other, replications, seed=seed, workers=workers, progress=progress
            )
        else:
            result = run_experiment(
                scenario, replications, seed=seed, workers=workers, progress=progress
            )
    if out_dir is not None:
        if sweep_spec:
            written = write_sweep(result, out_dir)
        elif other is not None:
            written = write_comparison(result, out_dir, labels=(scenario.name, other.name))
        else:
            written = write_experiment(result, out_dir)
        err.print(f"wrote {', '.join(str(p) for p in written)}")
    if as_json:
        print_json(result.to_dict())
        return
    if sweep_spec:
        for value, exp in zip(sweep_values, result.experiments, strict=True):
            out.print(_kpi_table(f"{sweep_key}={value}", [("mean [95 % CI]", exp.kpis)]))
    elif other is not None:
        out.print(
            _kpi_table(
                f"{scenario.name} vs {other.name}: {replications} paired replications "
                "(* = CI of the difference excludes 0)",
                [
                    (scenario.name, result.before.kpis),
                    (other.name, result.after.kpis),
                    ("difference", result.difference),
                ],
            )
        )
    else:
        out.print(
            _kpi_table(
                f"{scenario.name}: {replications} replications, routing {result.routing_used}",
                [("mean [95 % CI]", result.kpis)],
            )
        )


@app.command()
@friendly_errors
def demo(
    out_dir: Annotated[Path, typer.Option("--out", help="Report folder.")] = Path("reports/demo"),
    replications: Annotated[int, typer.Option("--replications", "-n", min=2)] = 10,
    seed: Annotated[int, typer.Option("--seed")] = 0,
    instance_file: Annotated[
        Path | None,
        typer.Option("--instance", help="Use this warehouse instead of generating one."),
    ] = None,
) -> None:
    """The end-to-end demo: baseline vs optimised slotting and routing, simulated with CIs."""
    from smartwms.sim.demo import run_demo

    with _progress_bar("demo") as bar:
        task = bar.add_task("demo", total=None)

        def progress(step: str, done: int, total: int) -> None:
            bar.update(task, description=step, completed=done, total=total)

        report = run_demo(
            out_dir,
            replications=replications,
            seed=seed,
            instance_path=instance_file,
            progress=progress,
        )
    for line in report.notes:
        err.print(line, highlight=False)
    out.print(
        _kpi_table(
            f"{report.labels[0]} vs {report.labels[1]}: {replications} paired replications, "
            "common random numbers (* = CI of the difference excludes 0)",
            [
                (report.labels[0], report.comparison.before.kpis),
                (report.labels[1], report.comparison.after.kpis),
                ("difference", report.comparison.difference),
            ],
        )
    )
    for line in report.headline:
        out.print(line, highlight=False)
    out.print(f"report written to {out_dir}/ ({', '.join(p.name for p in report.files)})")


# ------------------------------------------------------------------ service
@app.command()
@friendly_errors
def serve(
    host: Annotated[str, typer.Option("--host", help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="TCP port.")] = 8000,
    data_dir: Annotated[
        Path | None,
        typer.Option("--data-dir", help="Job store, key file (default: ./smartwms-data)."),
    ] = None,
    no_auth: Annotated[
        bool, typer.Option("--no-auth", help="No API keys: local use only (loopback host).")
    ] = False,
    workers: Annotated[
        int | None, typer.Option("--workers", help="Jobs solved at once (default 2).")
    ] = None,
) -> None:
    """Run the solve-job API on the embedded job store (no other server needed)."""
    import uvicorn

    from smartwms.service import ServiceSettings, create_app
    from smartwms.service.logs import configure_logging

    overrides: dict[str, Any] = {}
    if data_dir is not None:
        overrides["data_dir"] = data_dir
    if no_auth:
        if host not in ("127.0.0.1", "localhost", "::1"):
            raise SmartwmsError(f"--no-auth is for local use only; got --host {host}")
        overrides["auth"] = False
    if workers is not None:
        overrides["workers"] = workers
    settings = ServiceSettings(**overrides)
    configure_logging(settings.log_level)
    app = create_app(settings)
    _tune_gc_for_serving()
    # Keep idle connections open longer than typical client pools do (uvicorn's 5 s default
    # lets a client reuse a connection the server is closing: a failed, non-retried POST).
    uvicorn.run(
        app,
        host=host,
        port=port,
        log_config=None,
        access_log=False,
        timeout_keep_alive=75,
    )


def _tune_gc_for_serving() -> None:
    """Keep the cyclic garbage collector from pausing every request in flight.

    A server allocates many short-lived objects per request; with CPython's default threshold
    (700 allocations) collections run every few requests and a full one pauses all 50 clients
    of a busy integrator at once (the submit p99 in ``benchmarks/bench_service.py`` fell from
    about 200 ms to about 100 ms). The objects alive after start-up (modules, the app) are
    moved out of the collector's sight, and young collections run less often.
    """
    import gc

    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)


@app.command("api-key")
@friendly_errors
def api_key(
    name: Annotated[str, typer.Argument(help="Owner name of the new key (one word).")],
    data_dir: Annotated[Path, typer.Option("--data-dir", help="Server data directory.")] = Path(
        "smartwms-data"
    ),
) -> None:
    """Create an API key: its hash goes to DATA_DIR/api-keys, the key is printed once."""
    from smartwms.service.auth import append_key

    key = append_key(data_dir / "api-keys", name)
    err.print(f"key for {name} stored (hashed) in {data_dir / 'api-keys'}; shown only now:")
    sys.stdout.write(key + "\n")


def main() -> None:
    """Entry point of the ``smartwms`` console script."""
    app()


if __name__ == "__main__":
    main()
