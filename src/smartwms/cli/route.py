"""``smartwms route``: shortest pick tours for instance files."""

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
    extra = foodmart_options(foodmart_locations, foodmart_orders)
    for path in files:
        instance = load(path, fmt, sprp_layout, **extra)
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
