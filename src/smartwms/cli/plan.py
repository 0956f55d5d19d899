"""``smartwms check-plan``: the independent checker of a shift plan's instruction folder."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from smartwms.cli._common import app, err, friendly_errors, out, print_json


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
