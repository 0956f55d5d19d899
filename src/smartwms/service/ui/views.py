"""What each job kind's result page shows: template name and context, built from the result.

A view never trusts the result to be of the shape it expects: a result that does not parse
falls back to the generic view (its KPIs and a download), so a new kind or an old job never
breaks the page.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ValidationError

from smartwms.errors import SmartwmsError
from smartwms.model import GridLayout, Instance
from smartwms.service.ui.drawing import canvas_of, grid_canvas, grid_heat, heat_map, tour_drawings

__all__ = ["ResultView", "parameters_of", "result_view", "unit_of"]

log = logging.getLogger("smartwms.console")


@dataclass
class ResultView:
    """A template under ``results/`` and its context."""

    template: str
    context: dict[str, Any]


def unit_of(name: str, length_unit: str = "m") -> str:
    """The unit a KPI's name states (``cycle_time_mean_s`` -> ``s``)."""
    suffixes = (
        ("_per_hour", "/h"),
        ("_pct", "%"),
        ("_s", "s"),
        ("_h", "h"),
        ("_m", length_unit),
        ("_days", "days"),
        ("_ms", "ms"),
    )
    for suffix, unit in suffixes:
        if name.endswith(suffix):
            return unit
    if name.endswith(("utilisation", "_rate")):
        return "share"
    if "length" in name or "distance" in name or "travel" in name:
        return length_unit
    return ""


def parameters_of(payload: dict[str, Any]) -> list[tuple[str, str]]:
    """The payload's settings as (name, value) rows; the problem data itself is summarised."""
    rows: list[tuple[str, str]] = []

    def walk(prefix: str, value: Any) -> None:
        if isinstance(value, dict) and value and len(json.dumps(value)) > 200 and prefix:
            rows.append((prefix, f"{len(value)} fields (in the downloaded payload)"))
        elif isinstance(value, dict):
            for key, sub in value.items():
                walk(f"{prefix}.{key}" if prefix else key, sub)
        elif isinstance(value, list) and len(json.dumps(value)) > 200:
            rows.append((prefix, f"{len(value)} items (in the downloaded payload)"))
        elif value is not None:  # unset: the solver's default
            rows.append((prefix, json.dumps(value) if not isinstance(value, str) else value))

    walk("", {k: v for k, v in payload.items() if k != "instance"})
    return rows


def _kpi_rows(kpis: dict[str, Any], length_unit: str) -> list[tuple[str, str, str]]:
    out = []
    for name, value in kpis.items():
        if isinstance(value, int | float) and not isinstance(value, bool):
            out.append((name, f"{value:,.4g}", unit_of(name, length_unit)))
        elif isinstance(value, str | bool) or value is None:
            out.append((name, str(value), ""))
    return out


def _routing(result: dict[str, Any], instance: Instance | None) -> ResultView:
    from smartwms.routing.solve import RoutingResult

    parsed = RoutingResult.model_validate(result)
    unit = instance.units.length if instance else "m"
    context: dict[str, Any] = {
        "result": parsed,
        "unit": unit,
        "kpis": _kpi_rows(parsed.kpis, unit),
        "canvas": None,
        "tours": [],
    }
    if instance is not None:
        canvas = canvas_of(instance)
        context["canvas"] = canvas
        context["tours"] = tour_drawings(instance, canvas, parsed.routes)
    return ResultView("routing.html", context)


def _slotting_weights(instance: Instance, params: Any) -> dict[str, float]:
    from smartwms.slotting.costs import build_tables

    tables = build_tables(instance, params)
    return dict(zip(tables.skus.ids, tables.skus.weight.tolist(), strict=True))


def _location_load(assignment: dict[str, list[str]], weight: dict[str, float]) -> dict[str, float]:
    load: dict[str, float] = {}
    for sku, locs in assignment.items():
        for loc in locs:
            load[loc] = load.get(loc, 0.0) + weight.get(sku, 0.0) / max(len(locs), 1)
    return load


def _slotting(
    result: dict[str, Any], instance: Instance | None, payload: BaseModel | None
) -> ResultView:
    from smartwms.slotting import SlottingParams
    from smartwms.slotting.solve import SlottingResult

    parsed = SlottingResult.model_validate(result)
    unit = instance.units.length if instance else "m"
    context: dict[str, Any] = {
        "result": parsed,
        "plan": parsed.plan,
        "unit": unit,
        "kpis": _kpi_rows(parsed.kpis, unit),
        "maps": [],
        "canvas": None,
    }
    if instance is not None:
        params = getattr(payload, "params", None) or SlottingParams()
        weight = _slotting_weights(instance, params)
        before = _location_load({s: instance.locations_of(s) for s in weight}, weight)
        after = _location_load(parsed.plan.assignment, weight)
        top = max([*before.values(), *after.values(), 0.0])
        canvas = canvas_of(instance)
        context["canvas"] = canvas
        context["maps"] = [
            heat_map(instance, canvas, before, title="before", unit="picks/day", top=top),
            heat_map(instance, canvas, after, title="after", unit="picks/day", top=top),
        ]
    return ResultView("slotting.html", context)


def _generic(result: dict[str, Any], instance: Instance | None) -> ResultView:
    unit = instance.units.length if instance else "m"
    scalars = {k: v for k, v in result.items() if not isinstance(v, dict | list)}
    kpis = result.get("kpis") if isinstance(result.get("kpis"), dict) else {}
    return ResultView(
        "generic.html",
        {"summary": _kpi_rows(scalars, unit), "kpis": _kpi_rows(kpis or {}, unit)},
    )


# ---------------------------------------------------------------------- AGVs
def _agv(
    layout: GridLayout,
    positions: Any,
    context: dict[str, Any],
) -> ResultView:
    from smartwms.service.ui.playback import traffic_counts

    canvas = grid_canvas(layout)
    counts = traffic_counts(positions, layout.height * layout.width)
    context.update(
        canvas=canvas,
        map=grid_heat(layout, counts.tolist(), unit="agent-steps"),
        agents=int(positions.shape[0]),
        steps=int(positions.shape[1] - 1),
    )
    return ResultView("agv.html", context)


def _agv_run(result: dict[str, Any], _instance: Instance | None, payload: Any) -> ResultView:
    import numpy as np

    plan = result["plan"]
    positions = np.asarray(plan["positions"], dtype=np.int32)
    done, steps = result["tasks_completed"], result["steps"]
    headline = (
        f"{result['agents']} AGVs, {steps} steps: {done} tasks completed "
        f"({result['throughput']:.3g} per step), planner {result['planner']}, "
        f"assignment {result['assignment']}; {result.get('conflicts', 0)} conflicts in the plan."
    )
    kpis = {k: v for k, v in result.items() if k not in ("plan",)}
    return _agv(
        payload.layout,
        positions,
        {
            "headline": headline,
            "note": "The plan is collision-free (checked: no vertex, edge or swap conflict).",
            "routes": [],
            "kpis": _kpi_rows(kpis, "cell"),
        },
    )


def _dispatch(result: dict[str, Any], _instance: Instance | None, payload: Any) -> ResultView:
    from smartwms.service.ui.playback import dispatch_positions

    service = {o.id: o.service for o in payload.orders}
    positions = dispatch_positions(payload.layout, result, service)
    headline = (
        f"{result['orders_served']} orders served by {result['agvs_used']} AGVs, "
        f"{result['objective']} moves in all, last delivery at step {result['makespan']}"
        f"{'; unserved: ' + ', '.join(result['unserved']) if result['unserved'] else ''}."
    )
    return _agv(
        payload.layout,
        positions,
        {
            "headline": headline,
            "note": "Each AGV walks a shortest path between its stops; dispatch routes are not "
            "scheduled against each other, so two AGVs may meet.",
            "routes": list(zip(result["starts"], result["routes"], strict=True)),
            "kpis": _kpi_rows(
                {k: v for k, v in result.items() if not isinstance(v, list | dict)}, "cell"
            ),
        },
    )


# ---------------------------------------------------------------------- simulation
def _simulation(result: dict[str, Any], _instance: Instance | None, _payload: Any) -> ResultView:
    reps = result.get("per_replication") or []
    rows = []
    for name, entry in result["kpis"].items():
        mean = entry.get("mean")
        lo, hi = (entry.get("ci95") or [None, None])[:2]
        values = [r[name] for r in reps if isinstance(r.get(name), int | float)]
        top = max([v for v in [mean, hi, *values] if v is not None] + [0.0]) * 1.08 or 1.0

        def x(value: float | None, top: float = top) -> float | None:
            return None if value is None else round(200 * max(0.0, value) / top, 2)

        rows.append(
            {
                "name": name,
                "mean": mean,
                "lo": lo,
                "hi": hi,
                "unit": unit_of(name),
                "top": top,
                "mean_x": x(mean),
                "lo_x": x(lo) if lo is not None and hi is not None else None,
                "hi_x": x(hi),
                "reps": [x(v) for v in values],
            }
        )
    return ResultView(
        "simulation.html",
        {
            "rows": rows,
            "replications": result.get("replications"),
            "scenario": result.get("scenario", ""),
            "seed": result.get("seed"),
            "complete": result.get("complete", True),
            "routing": result.get("routing", ""),
        },
    )


_BUILDERS: dict[str, Callable[[dict[str, Any], Instance | None, Any], ResultView]] = {
    "routing": lambda r, i, _p: _routing(r, i),
    "slotting": _slotting,
    "agv-run": _agv_run,
    "dispatch": _dispatch,
    "simulation": _simulation,
}


def register_view(
    kind: str, builder: Callable[[dict[str, Any], Instance | None, Any], ResultView]
) -> None:
    """Show results of ``kind`` with ``builder(result, instance, payload)``."""
    _BUILDERS[kind] = builder


def result_view(
    kind: str, result: dict[str, Any], instance: Instance | None, payload: Any, job_id: str = ""
) -> ResultView:
    """The view of a result (the generic one when the kind has none or the result is odd)."""
    builder = _BUILDERS.get(kind)
    if builder is not None:
        try:
            view = builder(result, instance, payload)
            view.context.setdefault("job_id", job_id)
            return view
        except (ValidationError, SmartwmsError, KeyError, ValueError, TypeError) as exc:
            log.warning("console: cannot draw a %s result (%s); generic view", kind, exc)
    return _generic(result, instance)
