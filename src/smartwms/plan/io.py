"""The instruction folder of a shift plan: what a WMS imports and a shift lead prints.

``write_plan_folder(plan, instance, DIR)`` writes

``plan.json``
    the whole :class:`~smartwms.plan.model.ShiftPlan`;
``instance.json``
    the warehouse the plan is for (so ``smartwms check-plan DIR`` needs nothing else);
``picks.csv``
    one row per pick in walking order (picker, then the picker's batches in time order):
    ``picker,wave,batch,sequence,order,line,sku,location,quantity,tote,planned_start_s``;
``moves.csv``
    the relocations in the order to do them: ``sequence,sku,from_location,to_location,quantity``;
``waves.csv``
    the wave schedule: per wave its release, orders, batches, start, end and tardy orders;
``pick-lists/<picker>.html``
    a printable page per picker: the batches in order, each with its totes and picks;
``relocations.html``
    the relocation list with who does each move and when;
``agv/<agv>.json``
    per AGV its tasks in order; ``agv/plan.json`` the AGV run in the PLAN.json format of
    ``smartwms agv run`` (positions per step), ``agv/map.map`` its grid map.
"""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from smartwms.io import write_instance
from smartwms.io.mapf import write_map
from smartwms.model import GridLayout, Instance
from smartwms.plan.check import MOVE_COLUMNS, PICK_COLUMNS
from smartwms.plan.model import ShiftPlan

__all__ = ["clock_time", "write_plan_folder"]

_ENV = Environment(
    loader=PackageLoader("smartwms.plan", "templates"),
    autoescape=select_autoescape(default=True),
    trim_blocks=True,
    lstrip_blocks=True,
)


def clock_time(seconds: float) -> str:
    """``h:mm:ss`` from the start of the shift.

    >>> clock_time(3725.4)
    '1:02:05'
    """
    s = round(seconds)
    return f"{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}"


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def _write_csv(path: Path, header: tuple[str, ...], rows: list[list[Any]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def _page(path: Path, title: str, subtitle: str, blocks: list[dict[str, Any]]) -> None:
    html = _ENV.get_template("page.html").render(title=title, subtitle=subtitle, blocks=blocks)
    path.write_text(html, encoding="utf-8")


def write_plan_folder(plan: ShiftPlan, instance: Instance, folder: str | Path) -> list[Path]:
    """Write the instruction folder (see the module documentation); returns the files."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    files = [folder / "plan.json", folder / "instance.json"]
    files[0].write_text(plan.model_dump_json(indent=1) + "\n", encoding="utf-8")
    write_instance(instance, files[1])
    files.append(folder / "picks.csv")
    _write_csv(
        files[-1],
        PICK_COLUMNS,
        [
            [
                p.picker,
                p.wave,
                p.batch,
                p.sequence,
                p.order,
                p.line,
                p.sku,
                p.location,
                _number(p.quantity),
                p.tote,
                repr(p.planned_start_s),
            ]
            for p in plan.picks
        ],
    )
    files.append(folder / "moves.csv")
    _write_csv(
        files[-1],
        MOVE_COLUMNS,
        [
            [m.sequence, m.sku, m.from_location or "", m.to_location, _number(m.quantity)]
            for m in plan.moves
        ],
    )
    files.append(_write_waves(plan, folder))
    files += _write_pick_lists(plan, folder)
    files.append(_write_relocations(plan, folder))
    files += _write_agv(plan, folder)
    return files


def _write_waves(plan: ShiftPlan, folder: Path) -> Path:
    late = {o.order for o in plan.orders if o.tardiness_s > 0}
    pickers = defaultdict(set)
    for b in plan.batches:
        pickers[b.wave].add(b.picker)
    path = folder / "waves.csv"
    _write_csv(
        path,
        ("wave", "release_s", "orders", "batches", "pickers", "start_s", "end_s", "tardy_orders"),
        [
            [
                w.id,
                _number(w.release_s),
                len(w.orders),
                len(w.batches),
                len(pickers[w.id]),
                "" if w.start_s is None else repr(w.start_s),
                "" if w.end_s is None else repr(w.end_s),
                sum(o in late for o in w.orders),
            ]
            for w in plan.waves
        ],
    )
    return path


def _write_pick_lists(plan: ShiftPlan, folder: Path) -> list[Path]:
    out_dir = folder / "pick-lists"
    out_dir.mkdir(exist_ok=True)
    picks_of = defaultdict(list)
    for p in plan.picks:
        picks_of[p.batch].append(p)
    batches = {b.id: b for b in plan.batches}
    files = []
    for shift in plan.pickers:
        blocks = []
        for bid in shift.batches:
            b = batches[bid]
            totes = ", ".join(f"{t} = order {o}" for o, t in b.totes.items())
            blocks.append(
                {
                    "heading": f"Batch {b.id} (wave {b.wave}): {clock_time(b.start_s)} to "
                    f"{clock_time(b.end_s)}, {b.length_m:.0f} m",
                    "note": f"Totes: {totes}",
                    "header": ["#", "location", "SKU", "qty", "tote", "order", "line", "at"],
                    "rows": [
                        [
                            p.sequence,
                            p.location,
                            p.sku,
                            _number(p.quantity),
                            p.tote,
                            p.order,
                            p.line,
                            clock_time(p.planned_start_s),
                        ]
                        for p in sorted(picks_of[bid], key=lambda p: p.sequence)
                    ],
                }
            )
        path = out_dir / f"{shift.id}.html"
        subtitle = (
            f"Shift plan for {plan.instance}: {len(shift.batches)} batches, busy "
            f"{clock_time(shift.busy_s)}. Times are from the start of the shift."
        )
        _page(path, f"Pick list: {shift.id}", subtitle, blocks)
        files.append(path)
    return files


def _write_relocations(plan: ShiftPlan, folder: Path) -> Path:
    path = folder / "relocations.html"
    rows = [
        [
            m.sequence,
            m.sku,
            m.from_location or "(receiving)",
            m.to_location,
            _number(m.quantity),
            m.worker,
            clock_time(m.planned_start_s),
            clock_time(m.planned_end_s),
        ]
        for m in plan.moves
    ]
    block = {
        "heading": f"{len(rows)} relocations, in the order to do them",
        "note": "A move may need an earlier one to empty its target; do them in this order.",
        "header": ["#", "SKU", "from", "to", "qty", "by", "start", "end"],
        "rows": rows,
    }
    _page(path, "Relocations", f"Shift plan for {plan.instance}.", [block])
    return path


def _write_agv(plan: ShiftPlan, folder: Path) -> list[Path]:
    agv = plan.agv
    if agv is None:
        return []
    out_dir = folder / "agv"
    out_dir.mkdir(exist_ok=True)
    files = []
    for k, name in enumerate(agv.agents):
        tasks = [t.model_dump(mode="json") for t in agv.tasks if t.agent == k]
        path = out_dir / f"{name}.json"
        path.write_text(
            json.dumps({"agv": name, "step_s": agv.step_s, "tasks": tasks}, indent=1) + "\n",
            encoding="utf-8",
        )
        files.append(path)
    layout = GridLayout(height=agv.height, width=agv.width, rows=agv.rows)
    files.append(out_dir / "map.map")
    write_map(layout, files[-1])
    files.append(out_dir / "plan.json")
    data = agv.plan_dict()
    data["map"] = "map.map"
    files[-1].write_text(json.dumps(data, separators=(",", ":")) + "\n", encoding="utf-8")
    return files
