"""MAPF files: MovingAI ``.map`` grids, LoRR 2023 agents/tasks/problem JSONs, Ma et al. ``.pd``.

* ``.map`` (MovingAI): ``type octile`` (optional), ``height H``, ``width W``, ``map``, then
  ``H`` rows of ``W`` characters (``.``, ``E``, ``S`` free; ``@``, ``T`` obstacles).
* LoRR 2023 ``.agents``: a count, then one start cell (linear index ``row*W+col``) per line.
* LoRR 2023 ``.tasks``: a count, then one goal cell per line (a task is one errand).
* LoRR problem JSON: ``mapFile``, ``agentFile``, ``teamSize``, ``taskFile``, ``numTasksReveal``,
  ``taskAssignmentStrategy`` (paths relative to the JSON file).
* Ma et al. (2017) ``.map.pd``: ``H`` rows of ``W`` characters marking ``p`` pickup, ``d``
  delivery, ``s`` both, ``e`` non-task endpoint, ``a`` all of them.

The readers return our :class:`~smartwms.model.GridLayout` plus plain cell lists, so the AGV
solvers never parse text themselves.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from smartwms.errors import InputFileError, InstanceValidationError
from smartwms.io.native import validation_problems
from smartwms.model import AgvClass, Fleet, GridLayout, Instance, Station

__all__ = [
    "LorrProblem",
    "PdStations",
    "looks_like_lorr",
    "looks_like_map",
    "read_agents",
    "read_lorr_instance",
    "read_lorr_problem",
    "read_map",
    "read_map_instance",
    "read_pd",
    "read_tasks",
    "write_agents",
    "write_lorr_problem",
    "write_map",
    "write_tasks",
]


@dataclass(frozen=True)
class PdStations:
    """Cells of a Ma et al. ``.pd`` file (linear indices)."""

    pickup: tuple[int, ...]
    delivery: tuple[int, ...]
    endpoints: tuple[int, ...]


@dataclass(frozen=True)
class LorrProblem:
    """A League of Robot Runners 2023 problem: map, agents' starts and the task file."""

    layout: GridLayout
    starts: tuple[int, ...]
    tasks: tuple[int, ...]
    num_tasks_reveal: int = 1
    strategy: str = "roundrobin"
    map_path: str = ""
    source: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def _read_text(path: Path) -> list[str]:
    try:
        return path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError as exc:
        raise InputFileError(path, exc.strerror or str(exc)) from None


def looks_like_map(path: Path) -> bool:
    """Whether a file starts like a MovingAI map."""
    try:
        with path.open(encoding="utf-8", errors="replace") as fh:
            head = fh.read(200)
    except OSError:
        return False
    start = head.lstrip()
    return start.startswith(("type ", "height ")) and "width" in head and "map" in head


def looks_like_lorr(path: Path) -> bool:
    """Whether a JSON file is a LoRR problem (it has ``mapFile`` and ``agentFile``)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(data, dict) and "mapFile" in data and "agentFile" in data


def _header_int(path: Path, lines: list[str], number: int, key: str) -> int:
    if number >= len(lines):
        raise InputFileError(path, f"missing '{key} N' line", line=number + 1)
    parts = lines[number].split()
    if len(parts) != 2 or parts[0] != key:
        raise InputFileError(path, f"expected '{key} N', got {lines[number][:40]!r}", number + 1)
    try:
        value = int(parts[1])
    except ValueError:
        raise InputFileError(
            path, f"{key}: expected an integer, got {parts[1]!r}", number + 1
        ) from None
    if value < 1:
        raise InputFileError(path, f"{key}: must be >= 1, got {value}", number + 1)
    return value


def read_map(path: str | Path) -> GridLayout:
    """Read a MovingAI ``.map`` file.

    Raises
    ------
    InputFileError
        Naming the line and the reason (bad header, wrong row length, missing rows).
    """
    path = Path(path)
    lines = _read_text(path)
    # The 'type octile' line is optional (Ma et al.'s maps start with 'height').
    first = 1 if lines and lines[0].startswith("type") else 0
    height = _header_int(path, lines, first, "height")
    width = _header_int(path, lines, first + 1, "width")
    body = first + 3
    if len(lines) < body or lines[body - 1].strip() != "map":
        raise InputFileError(path, f"expected 'map' on line {body}", line=body)
    rows = [line.rstrip("\r") for line in lines[body : body + height]]
    if len(rows) != height:
        raise InputFileError(path, f"height {height} but only {len(rows)} map rows")
    for r, row in enumerate(rows):
        if len(row) != width:
            raise InputFileError(
                path, f"row has {len(row)} characters, expected width {width}", line=body + 1 + r
            )
    return GridLayout(height=height, width=width, rows=rows)


def write_map(layout: GridLayout, path: str | Path) -> None:
    """Write a grid layout as a MovingAI ``.map`` file."""
    text = f"type octile\nheight {layout.height}\nwidth {layout.width}\nmap\n"
    Path(path).write_text(text + "\n".join(layout.rows) + "\n", encoding="utf-8")


def _read_cells(path: Path, layout: GridLayout | None, what: str) -> tuple[int, ...]:
    lines = [(i + 1, ln.strip()) for i, ln in enumerate(_read_text(path)) if ln.strip()]
    if not lines:
        raise InputFileError(path, f"empty {what} file: expected a count on the first line")
    try:
        count = int(lines[0][1])
    except ValueError:
        raise InputFileError(path, f"expected a count, got {lines[0][1]!r}", lines[0][0]) from None
    if count < 0:
        raise InputFileError(path, f"count must be >= 0, got {count}", lines[0][0])
    body = lines[1:]
    if len(body) < count:
        raise InputFileError(path, f"count says {count} {what} but the file lists {len(body)}")
    cells = []
    for number, text in body[:count]:
        token = text.split(",")[0].strip()
        try:
            cell = int(token)
        except ValueError:
            raise InputFileError(path, f"expected a cell index, got {token!r}", number) from None
        if layout is not None and not layout.is_free(cell):
            raise InputFileError(
                path,
                f"cell {cell} is an obstacle or off the {layout.height}x{layout.width} map",
                number,
            )
        cells.append(cell)
    return tuple(cells)


def read_agents(path: str | Path, layout: GridLayout | None = None) -> tuple[int, ...]:
    """Read a LoRR ``.agents`` file: start cells, checked against ``layout`` when given."""
    path = Path(path)
    starts = _read_cells(path, layout, "agents")
    seen: dict[int, int] = {}
    for i, cell in enumerate(starts):
        if cell in seen:
            raise InputFileError(path, f"agents {seen[cell]} and {i} both start on cell {cell}")
        seen[cell] = i
    return starts


def read_tasks(path: str | Path, layout: GridLayout | None = None) -> tuple[int, ...]:
    """Read a LoRR 2023 ``.tasks`` file: one goal cell per task."""
    return _read_cells(Path(path), layout, "tasks")


def _write_cells(cells: tuple[int, ...] | list[int], path: str | Path) -> None:
    Path(path).write_text(f"{len(cells)}\n" + "".join(f"{c}\n" for c in cells), encoding="utf-8")


def write_agents(starts: tuple[int, ...] | list[int], path: str | Path) -> None:
    """Write a LoRR ``.agents`` file."""
    _write_cells(starts, path)


def write_tasks(tasks: tuple[int, ...] | list[int], path: str | Path) -> None:
    """Write a LoRR 2023 ``.tasks`` file."""
    _write_cells(tasks, path)


def read_lorr_problem(path: str | Path) -> LorrProblem:
    """Read a LoRR 2023 problem JSON and the map, agents and tasks files it names."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputFileError(path, exc.strerror or str(exc)) from None
    except ValueError as exc:
        raise InputFileError(path, f"not valid JSON: {exc}") from None
    if not isinstance(data, dict):
        raise InputFileError(path, "expected a JSON object")
    for key in ("mapFile", "agentFile", "taskFile"):
        if not isinstance(data.get(key), str):
            raise InputFileError(path, f"{key}: missing or not a string")
    base = path.parent
    layout = read_map(base / data["mapFile"])
    starts = read_agents(base / data["agentFile"], layout)
    team = data.get("teamSize", len(starts))
    if not isinstance(team, int) or not 1 <= team <= len(starts):
        raise InputFileError(path, f"teamSize: expected 1..{len(starts)}, got {team!r}")
    reveal = data.get("numTasksReveal", 1)
    if not isinstance(reveal, int) or reveal < 1:
        raise InputFileError(path, f"numTasksReveal: expected an integer >= 1, got {reveal!r}")
    strategy = data.get("taskAssignmentStrategy", "roundrobin")
    if strategy not in ("roundrobin", "greedy"):
        raise InputFileError(
            path, f"taskAssignmentStrategy: expected roundrobin or greedy, got {strategy!r}"
        )
    tasks = read_tasks(base / data["taskFile"], layout)
    if not tasks:
        raise InputFileError(path, "taskFile: lists no task")
    known = {
        "mapFile",
        "agentFile",
        "teamSize",
        "taskFile",
        "numTasksReveal",
        "taskAssignmentStrategy",
    }
    return LorrProblem(
        layout=layout,
        starts=starts[:team],
        tasks=tasks,
        num_tasks_reveal=reveal,
        strategy=strategy,
        map_path=str(base / data["mapFile"]),
        source=str(path),
        extra={k: v for k, v in data.items() if k not in known},
    )


def write_lorr_problem(problem: LorrProblem, path: str | Path, stem: str = "problem") -> None:
    """Write a problem JSON with its map, agents and tasks files beside it (``stem.*``)."""
    path = Path(path)
    base = path.parent
    write_map(problem.layout, base / f"{stem}.map")
    write_agents(problem.starts, base / f"{stem}.agents")
    write_tasks(problem.tasks, base / f"{stem}.tasks")
    data = {
        "mapFile": f"{stem}.map",
        "agentFile": f"{stem}.agents",
        "teamSize": len(problem.starts),
        "taskFile": f"{stem}.tasks",
        "numTasksReveal": problem.num_tasks_reveal,
        "taskAssignmentStrategy": problem.strategy,
    }
    path.write_text(json.dumps(data, indent=4) + "\n", encoding="utf-8")


def read_pd(path: str | Path, layout: GridLayout) -> PdStations:
    """Read a Ma et al. ``.map.pd`` station file matching ``layout``."""
    path = Path(path)
    rows = [ln.rstrip("\r") for ln in _read_text(path)]
    while rows and not rows[-1]:
        rows.pop()
    if len(rows) != layout.height:
        raise InputFileError(path, f"expected {layout.height} rows (map height), got {len(rows)}")
    pickup, delivery, ends = [], [], []
    for r, row in enumerate(rows):
        if len(row) != layout.width:
            raise InputFileError(
                path, f"row has {len(row)} characters, expected width {layout.width}", r + 1
            )
        for c, ch in enumerate(row):
            cell = r * layout.width + c
            if ch in "psdea" and not layout.is_free(cell):
                raise InputFileError(path, f"station mark {ch!r} on obstacle cell {cell}", r + 1)
            if ch in "psa":
                pickup.append(cell)
            if ch in "dsa":
                delivery.append(cell)
            if ch in "ea":
                ends.append(cell)
    return PdStations(tuple(pickup), tuple(delivery), tuple(ends))


def _build(layout: GridLayout, **kwargs: Any) -> Instance:
    try:
        return Instance(layout=layout, **kwargs)
    except ValidationError as exc:
        raise InstanceValidationError(validation_problems(exc)) from None


def read_map_instance(path: str | Path) -> Instance:
    """A ``.map`` file as an instance; stations from ``<map>.pd`` beside it when present."""
    path = Path(path)
    layout = read_map(path)
    stations: list[Station] = []
    pd_path = path.with_name(path.name + ".pd")
    if pd_path.exists():
        pd = read_pd(pd_path, layout)
        stations += [Station(id=f"p{c}", kind="pickup", cell=c) for c in pd.pickup]
        stations += [Station(id=f"d{c}", kind="delivery", cell=c) for c in pd.delivery]
    return _build(layout, name=path.stem, source=str(path), stations=stations)


def read_lorr_instance(path: str | Path) -> Instance:
    """A LoRR problem JSON as an instance: the grid and an AGV fleet of ``teamSize``."""
    problem = read_lorr_problem(path)
    return _build(
        problem.layout,
        name=Path(path).stem,
        source=str(path),
        description=(
            f"LoRR 2023 problem: {len(problem.starts)} agents, {len(problem.tasks)} tasks, "
            f"{problem.strategy} ownership"
        ),
        fleet=Fleet(agvs=[AgvClass(count=len(problem.starts))]),
    )
