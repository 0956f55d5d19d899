"""The plan's KPI report: ``DIR/report/index.html`` with its pictures.

* ``gantt.png`` - the shift per picker (batches coloured by wave, late orders marked) and the
  relocation crew's and AGVs' tasks;
* ``routes.png`` - a few of the plan's tours drawn on the layout;
* ``kpis.png`` - baseline and plan side by side (means and 95 % CIs of the replications);
* ``differences.png`` - the paired differences plan - baseline with their 95 % CIs;
* ``index.html`` - the figures, the planned and simulated KPIs, the stages and the notes, and
  links to the instructions (pick lists, relocations, CSV files).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from smartwms.model import Instance, PickRoute, TourStop
from smartwms.plan.model import ShiftPlan

__all__ = ["write_report"]

_ENV = Environment(
    loader=PackageLoader("smartwms.plan", "templates"),
    autoescape=select_autoescape(default=True),
    trim_blocks=True,
    lstrip_blocks=True,
)

#: KPIs drawn in the before/after charts.
CHART_KPIS = ("orders_per_hour", "travel_per_order_m", "on_time_rate", "orders_per_picker_hour")


def _fmt(value: Any, signed: bool = False) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    text = f"{value:+,.3g}" if signed else f"{value:,.4g}"
    return text


def _route(instance: Instance, plan: ShiftPlan, batch_id: str) -> PickRoute:
    b = next(x for x in plan.batches if x.id == batch_id)
    depot = instance.depot.id
    stops = [
        TourStop(kind="depot", id=depot),
        *(TourStop(kind="pick", id=loc) for loc in b.route),
        TourStop(kind="depot", id=depot),
    ]
    return PickRoute(orders=[b.id], method="plan", stops=stops, length=b.length_m)


def write_report(plan: ShiftPlan, instance: Instance, folder: str | Path) -> list[Path]:
    """Write ``folder/report/`` (see the module documentation); returns the files."""
    from smartwms.plotting.gantt import plot_gantt
    from smartwms.plotting.kpis import plot_kpi_comparison, plot_paired_differences
    from smartwms.plotting.routes import plot_routes

    out = Path(folder) / "report"
    out.mkdir(parents=True, exist_ok=True)
    files = []
    rows = [p.id for p in plan.pickers]
    workers = sorted({m.worker for m in plan.moves})
    bars = [(b.picker, b.start_s, b.end_s, b.wave) for b in plan.batches]
    bars += [
        (m.worker, m.planned_start_s, m.planned_end_s, m.kind)
        for m in plan.moves
        if m.planned_end_s > 0
    ]
    late = {o.order: o for o in plan.orders if o.tardiness_s > 0}
    marks = [(o.picker, o.completion_s) for o in late.values()]
    files.append(
        plot_gantt(
            [*rows, *workers],
            bars,
            out / "gantt.png",
            title=f"{plan.instance}: batches per picker by wave, relocation tasks "
            f"({len(late)} late orders marked)",
            marks=marks,
        )
    )
    longest = sorted(plan.batches, key=lambda b: -b.length_m)[:4]
    routes = [_route(instance, plan, b.id) for b in longest]
    if routes and instance.layout.kind != "grid":
        files.append(
            plot_routes(
                instance, routes, out / "routes.png", title="the four longest tours of the plan"
            )
        )
    sim = plan.simulation
    if sim is not None:
        names = [n for n in CHART_KPIS if sim["kpis"][n]["mean"] is not None]
        files.append(
            plot_kpi_comparison(
                sim["baseline_kpis"],
                sim["kpis"],
                names,
                out / "kpis.png",
                labels=("baseline", "plan"),
                title=f"baseline vs plan: {sim['replications']} replications (mean, 95 % CI)",
            )
        )
        files.append(
            plot_paired_differences(
                sim["difference"], sim["baseline_kpis"], names, out / "differences.png"
            )
        )
    html = _ENV.get_template("report.html").render(
        plan=plan,
        sim=sim,
        fmt=_fmt,
        contribution_kpis=("orders_per_hour", "travel_per_order_m", "on_time_rate"),
    )
    files.append(out / "index.html")
    files[-1].write_text(html, encoding="utf-8")
    return files
