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
            err.print(f"[bold red]error:[/] {exc}", highlight=False, markup=True)
            raise typer.Exit(2) from None
        except (OSError, ValueError) as exc:
            err.print(f"[bold red]error:[/] {exc}", highlight=False)
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


def _reader_options(fmt: str, sprp_layout: str) -> dict[str, Any]:
    if sprp_layout not in ("single-block", "two-block"):
        raise SmartwmsError(
            f"--sprp-layout: expected single-block or two-block, got {sprp_layout!r}"
        )
    return {"layout": sprp_layout} if fmt in ("auto", "sprp") else {}


def _load(path: Path, fmt: str, sprp_layout: str = "single-block") -> Any:
    from smartwms.io import detect_format, load_instance

    options = _reader_options(fmt, sprp_layout)
    actual = detect_format(path) if fmt == "auto" and path.exists() else fmt
    if actual != "sprp":
        options.pop("layout", None)
    return load_instance(path, format=fmt, **options)


@app.command()
@friendly_errors
def info(
    files: Annotated[list[Path], typer.Argument(help="Instance files to validate and summarise.")],
    fmt: FormatOpt = "auto",
    sprp_layout: SprpLayoutOpt = "single-block",
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per file.")] = False,
) -> None:
    """Validate instance files and summarise them."""
    for path in files:
        summary = {"file": str(path), **_load(path, fmt, sprp_layout).summary()}
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
    to: Annotated[str, typer.Option("--to", help="Output format: smartwms or sprp.")] = "smartwms",
) -> None:
    """Convert an instance to our JSON format (or back to SPRP)."""
    from smartwms.io import write_instance, write_sprp

    instance = _load(source, fmt, sprp_layout)
    if to == "smartwms":
        write_instance(instance, target)
    elif to == "sprp":
        write_sprp(instance, target)
    else:
        raise SmartwmsError(f"--to: expected smartwms or sprp, got {to!r}")
    err.print(f"wrote {target} ({to})")


# ------------------------------------------------------------------ generator


# ------------------------------------------------------------------ routing


# ------------------------------------------------------------------ slotting


# ------------------------------------------------------------------ agv


# ------------------------------------------------------------------ simulation and demo
@app.command()
@friendly_errors
def demo(
    out_dir: Annotated[Path, typer.Option("--out", help="Report folder.")] = Path("reports/demo"),
) -> None:
    """Run the end-to-end demo (today: what exists end to end, said honestly)."""
    import time

    import numpy as np

    from smartwms.io import write_instance
    from smartwms.layout import distance_matrix
    from smartwms.model import (
        Instance,
        Location,
        ParallelAisleLayout,
        Sku,
        Station,
        StockRecord,
    )

    layout = ParallelAisleLayout(
        n_aisles=20, aisle_spacing=3.0, cells_per_block=50, cell_length=1.0, n_blocks=2
    )
    locations = [
        Location(id=f"A{a:02d}-C{c:03d}", aisle=a, cell=c)
        for a in range(layout.n_aisles)
        for c in range(layout.cells_per_aisle)
    ]
    instance = Instance(
        name="demo-foundation",
        layout=layout,
        locations=locations,
        skus=[Sku(id=f"S{i}") for i in range(len(locations))],
        stock=[StockRecord(sku=f"S{i}", location=loc.id) for i, loc in enumerate(locations)],
        stations=[Station(id="depot", aisle=0, cross_aisle=layout.n_blocks)],
    )
    out_dir.mkdir(parents=True, exist_ok=True)
    write_instance(instance, out_dir / "instance.json")
    ids = ["depot", *(loc.id for loc in locations)]
    start = time.perf_counter()
    dist = distance_matrix(instance, ids)
    seconds = time.perf_counter() - start
    err.print(
        "[bold]smartwms demo[/] - only the foundation exists so far: it builds and validates a "
        "two-block warehouse, writes it as JSON and computes its exact walking-distance matrix. "
        "Slotting, routing and simulation are not built yet, so no optimisation is shown."
    )
    table = Table(title="foundation demo")
    table.add_column("what")
    table.add_column("value", justify="right")
    table.add_row("locations", f"{len(locations):,}")
    table.add_row("distance matrix", f"{dist.shape[0]:,} x {dist.shape[1]:,}")
    table.add_row("seconds to compute it", f"{seconds:.3f}")
    table.add_row("mean distance from depot (m)", f"{float(np.mean(dist[0, 1:])):.1f}")
    table.add_row("instance written to", str(out_dir / "instance.json"))
    out.print(table)


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
    uvicorn.run(create_app(settings), host=host, port=port, log_config=None, access_log=False)


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
