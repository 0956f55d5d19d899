"""Shared pieces of the ``smartwms`` command: the Typer app, consoles, error reporting, loading.

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


def foodmart_options(locations: Path | None, orders: Path | None) -> dict[str, Any]:
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


def load(path: Path, fmt: str, sprp_layout: str = "single-block", **extra: Any) -> Any:
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


def progress_bar(description: str) -> Any:
    """A transient rich progress bar on stderr (description, bar, done/total, elapsed)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    return Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    )
