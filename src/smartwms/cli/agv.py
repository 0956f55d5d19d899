"""``smartwms agv ...``: AGV fleets, lifelong task assignment and collision-free plans."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from smartwms.cli._common import app, err, friendly_errors, out, print_json

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
