"""``smartwms plan``: the shift plan from an instance or a CSV export; ``smartwms check-plan``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from smartwms.cli._common import app, err, friendly_errors, load, out, print_json
from smartwms.errors import SmartwmsError

# KPIs shown in the terminal summary (the JSON and the report have them all).
_SHOWN = ("orders_per_hour", "travel_per_order_m", "on_time_rate", "orders_per_picker_hour")


def _baseline(spec: str) -> dict[str, str]:
    """``current`` or ``slotting=current,batching=single,routing=sshape`` (any subset)."""
    if spec.strip() in ("", "current", "today"):
        return {}
    out: dict[str, str] = {}
    for part in spec.split(","):
        key, sep, value = part.partition("=")
        key = key.strip()
        if not sep or key not in ("slotting", "batching", "routing"):
            raise SmartwmsError(
                f"--baseline: expected 'current' or slotting=...,batching=...,routing=..., "
                f"got {part!r}"
            )
        out[key] = value.strip()
    return out


def _waves(spec: str | None) -> int | list[float] | None:
    if spec is None:
        return None
    try:
        if "," not in spec:
            return int(spec)
        return [float(t) for t in spec.split(",") if t.strip()]
    except ValueError:
        raise SmartwmsError(
            f"--waves: expected a number of waves or release times in seconds (0,7200,...), "
            f"got {spec!r}"
        ) from None


class _Bars:
    """One progress bar per stage of the chain."""

    def __init__(self, bar: Any) -> None:
        self.bar = bar
        self.tasks: dict[str, Any] = {}
        self.current = ""

    def __call__(
        self, stage: str, done: float, total: float | None = None, best: float | None = None
    ) -> None:
        if stage != self.current:
            if self.current in self.tasks:
                task = self.tasks[self.current]
                total_done = self.bar.tasks[task].total or 1
                self.bar.update(task, completed=total_done, total=total_done)
            self.tasks[stage] = self.bar.add_task(stage, total=None)
            self.current = stage
        self.bar.update(self.tasks[stage], completed=done, total=total)

    def close(self) -> None:
        self("done", 1, 1)


def _contract_json(plan: Any, folder: Path, valid: bool) -> dict[str, Any]:
    """The ``--json`` record of DESIGN.md: status, seconds, stages, kpis, baseline_kpis."""
    sim = plan.simulation
    if sim is not None:
        kpis, baseline, difference = sim["kpis"], sim["baseline_kpis"], sim["difference"]
    else:
        kpis = {
            k: {"mean": v, "ci95": [None, None]}
            for k, v in plan.kpis.items()
            if isinstance(v, int | float)
        }
        baseline, difference = {}, {}
    return {
        "status": plan.status.value,
        "seconds": round(plan.seconds, 3),
        "stages": plan.stages,
        "kpis": kpis,
        "baseline_kpis": baseline,
        "difference": difference,
        "plan_kpis": plan.kpis,
        "baseline": sim["baseline"] if sim else None,
        "replications": sim["replications"] if sim else 0,
        "contributions": sim.get("contributions") if sim else None,
        "method": plan.method,
        "objective": plan.objective,
        "notes": plan.notes,
        "out": str(folder),
        "valid": valid,
    }


def _num(value: float | None, signed: bool = False) -> str:
    if value is None:
        return "-"
    return format(value, "+.4g" if signed else ".4g")


def _summary_table(plan: Any) -> Table:
    sim = plan.simulation
    table = Table(
        title=f"baseline ({sim['baseline']}) vs plan: {sim['replications']} paired "
        "replications; * = the 95 % CI of the difference excludes 0"
    )
    table.add_column("KPI")
    table.add_column("baseline", justify="right")
    table.add_column("plan", justify="right")
    table.add_column("plan - baseline [95 % CI]", justify="right")
    for name in _SHOWN:
        d = sim["difference"][name]
        lo, hi = d["ci95"]
        table.add_row(
            name,
            _num(sim["baseline_kpis"][name]["mean"]),
            _num(sim["kpis"][name]["mean"]),
            f"{_num(d['mean'], True)} [{_num(lo, True)}, {_num(hi, True)}]"
            + (" *" if d["significant"] else ""),
        )
    return table


@app.command("plan")
@friendly_errors
def plan_command(
    source: Annotated[
        Path,
        typer.Argument(
            metavar="INSTANCE_OR_CSV_FOLDER",
            help="An instance file, or a CSV export folder (warehouse.json + CSV tables).",
        ),
    ],
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for the instructions.")],
    baseline: Annotated[
        str,
        typer.Option(
            "--baseline",
            help="What today looks like: 'current' (today's slotting, single orders, S-shape) "
            "or slotting=current|plan,batching=single|METHOD,routing=METHOD.",
        ),
    ] = "current",
    max_moves: Annotated[
        int | None, typer.Option("--max-moves", help="Re-slot with at most K moves.")
    ] = None,
    slotting: Annotated[str, typer.Option(help="Re-slotting method (with --max-moves).")] = (
        "optimal"
    ),
    waves: Annotated[
        str | None,
        typer.Option("--waves", help="A number of equal waves, or release times 0,7200,..."),
    ] = None,
    pickers: Annotated[
        int | None, typer.Option("--pickers", help="Pickers on shift (default: the fleet's).")
    ] = None,
    batching: Annotated[str, typer.Option(help="Batching method (auto: the best).")] = "auto",
    routing: Annotated[str, typer.Option(help="Routing method of the tours.")] = "optimal",
    scheduling: Annotated[str, typer.Option(help="edd or fcfs.")] = "edd",
    relocation_window: Annotated[
        str, typer.Option("--relocation-window", help="before (the shift) or during.")
    ] = "before",
    horizon: Annotated[float, typer.Option("--horizon", help="Shift length in seconds.")] = (
        8 * 3600.0
    ),
    time_limit: Annotated[
        float | None, typer.Option("--time-limit", help="Seconds for the whole plan.")
    ] = None,
    replications: Annotated[
        int, typer.Option("--replications", "-n", help="Simulation replications.")
    ] = 10,
    simulate: Annotated[
        bool, typer.Option("--simulate/--no-simulate", help="Simulate plan and baseline.")
    ] = True,
    stages: Annotated[
        bool, typer.Option("--stages", help="Also measure what each stage adds.")
    ] = False,
    aisle_capacity: Annotated[
        int | None, typer.Option("--aisle-capacity", help="People per aisle in the simulation.")
    ] = None,
    seed: Annotated[int, typer.Option(help="Seed of every random choice.")] = 0,
    as_json: Annotated[bool, typer.Option("--json", help="The summary as one JSON line.")] = False,
) -> None:
    """Plan a shift: relocations, waves, batches, routes and picker schedules, written as
    instructions (pick lists, relocation list, AGV tasks) with a report of the plan's simulated
    worth against the baseline."""
    from smartwms.plan import (
        PlanParams,
        check_plan_folder,
        plan_shift,
        write_plan_folder,
        write_report,
    )
    from smartwms.plan.chain import coerce_params
    from smartwms.stopping import Stop

    params: PlanParams = coerce_params(
        {
            "baseline": _baseline(baseline),
            "max_moves": max_moves,
            "slotting": slotting,
            "waves": _waves(waves),
            "pickers": pickers,
            "batching": batching,
            "routing": routing,
            "scheduling": scheduling,
            "relocation_window": relocation_window,
            "horizon_s": horizon,
            "replications": replications,
            "simulate": simulate,
            "contributions": stages,
            "aisle_capacity": aisle_capacity,
        }
    )
    if time_limit is not None and time_limit <= 0:
        raise SmartwmsError(f"--time-limit: must be > 0 seconds, got {time_limit:g}")
    instance = load(source, "auto")
    from smartwms.cli._common import progress_bar

    with progress_bar("planning") as bar:
        bars = _Bars(bar)
        plan = plan_shift(
            instance, params, seed=seed, stop=Stop(time_limit=time_limit), progress=bars
        )
        bars.close()
    write_plan_folder(plan, instance, out_dir)
    write_report(plan, instance, out_dir)
    verdict = check_plan_folder(out_dir)
    if as_json:
        print_json(_contract_json(plan, out_dir, verdict.ok))
    else:
        if plan.simulation is not None:
            out.print(_summary_table(plan))
        for note in plan.notes:
            err.print(f"note: {note}", highlight=False)
        times = ", ".join(f"{k} {v:.1f} s" for k, v in plan.stages.items())
        err.print(f"{plan.status.value} in {plan.seconds:.1f} s ({times})")
        err.print(f"wrote {out_dir}/ (picks.csv, moves.csv, pick-lists/, report/index.html)")
    if not verdict.ok:
        err.print("[bold red]internal error:[/] the plan fails its own checker:")
        for problem in verdict.problems[:10]:
            err.print(f"  {problem}", highlight=False)
        raise typer.Exit(1)


@app.command("check-plan")
@friendly_errors
def check_plan(
    folder: Annotated[
        Path, typer.Argument(metavar="DIR", help="Plan folder (written by smartwms plan --out).")
    ],
    as_json: Annotated[bool, typer.Option("--json", help="The verdict as one JSON line.")] = False,
) -> None:
    """Check a shift plan: every line picked once, stock there when picked, carts, schedules,
    due dates, AGV paths. Exit status 0 only for a valid plan (1: invalid, 2: unreadable)."""
    from smartwms.plan import check_plan_folder

    result = check_plan_folder(folder)
    if as_json:
        print_json(result.to_dict())
    else:
        counts = ", ".join(f"{n} {what}" for what, n in result.checked.items())
        if result.ok:
            out.print(f"valid plan ({counts})")
        else:
            out.print(f"[bold red]invalid plan[/]: {len(result.problems)} problems ({counts})")
            for problem in result.problems:
                out.print(f"  {problem}", highlight=False, soft_wrap=True)
        if result.tardy:
            err.print(f"{len(result.tardy)} orders are planned to be late (reported, not errors)")
    if not result.ok:
        raise typer.Exit(1)
