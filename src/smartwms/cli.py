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

    scenario = apply_overrides(load_scenario(scenario_file), overrides or [])
    other = (
        apply_overrides(load_scenario(compare_file), overrides or [])
        if compare_file is not None
        else None
    )
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


def main() -> None:
    """Entry point of the ``smartwms`` console script."""
    app()


if __name__ == "__main__":
    main()
