"""``smartwms simulate`` and ``demo``: SimPy replications with confidence intervals."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from smartwms.cli._common import app, err, friendly_errors, out, print_json, progress_bar
from smartwms.errors import SmartwmsError


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
    with progress_bar("simulating") as bar:
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

    with progress_bar("demo") as bar:
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
