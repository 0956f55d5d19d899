"""Simulation scenarios: a warehouse plus the policy it is operated under (JSON, validated).

A scenario names an instance (a path relative to the scenario file, inline, or none for a
pure queueing model with travel off) and every operating choice: how orders arrive, how many
pickers walk at which speed, how long a pick takes, which routing method and slotting are used,
replenishment, aisle congestion, breaks and the AGV goods-to-person mode. Any field can be
changed with a dotted override such as ``pickers.count=12`` (:func:`apply_overrides`).

Times are seconds, speeds metres per second, rates per hour.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, ValidationError, model_validator

from smartwms.errors import SmartwmsError
from smartwms.io.native import read_json_object
from smartwms.model import Instance
from smartwms.model.base import Frozen

__all__ = [
    "AgvMode",
    "Arrivals",
    "Break",
    "Congestion",
    "OrderProfile",
    "PickTime",
    "Pickers",
    "Replenishment",
    "Scenario",
    "ScenarioError",
    "Shifts",
    "Slotting",
    "Travel",
    "apply_overrides",
    "load_scenario",
    "parse_override",
    "scenario_from_dict",
]


class ScenarioError(SmartwmsError):
    """A scenario (file or override) is invalid; the message names the key and the reason."""


class Arrivals(Frozen):
    """How orders arrive.

    ``poisson``: exponential inter-arrival times at ``rate_per_hour``, the content of each order
    drawn from the order pool (:class:`OrderProfile`). ``replay``: the instance's own orders at
    their ``release_time`` (timestamped order history), due at their ``due_time`` when given.
    """

    process: Literal["poisson", "replay"] = "poisson"
    rate_per_hour: float = Field(default=60.0, gt=0)
    due_after_s: float = Field(
        default=3600.0, gt=0, description="promised lead time: an order is on time if done by then"
    )


class OrderProfile(Frozen):
    """Where the content of Poisson orders comes from.

    ``instance``: the instance's orders form the pool; ``generated``: a pool of ``pool_size``
    orders whose SKUs are drawn by demand (more popular SKUs appear in more orders), with
    ``1 + Poisson(lines_mean - 1)`` lines of ``1 + Poisson(units_mean - 1)`` units. The pool is
    drawn with ``seed`` once per scenario, so compared scenarios share the same orders.
    """

    source: Literal["generated", "instance"] = "generated"
    pool_size: int = Field(default=1000, ge=1)
    lines_mean: float = Field(default=3.0, ge=1)
    units_mean: float = Field(default=1.5, ge=1)
    seed: int = 0


class Release(Frozen):
    """Order release policy: ``single`` = one order per tour, first come first served."""

    policy: Literal["single"] = "single"


class Pickers(Frozen):
    """Human pickers: how many, how fast they walk, set-up time at the depot per tour."""

    count: int = Field(default=10, ge=1)
    speed_mps: float = Field(default=1.0, gt=0)
    setup_s: float = Field(default=30.0, ge=0)


class PickTime(Frozen):
    """Handling time of an order: ``mean_s + per_line_s * lines + per_unit_s * units``.

    ``distribution`` turns that mean into a random time: ``deterministic``, ``exponential``
    (the M/M/c validation uses ``mean_s`` alone with travel off) or ``gamma`` with coefficient of
    variation ``cv``.
    """

    distribution: Literal["deterministic", "exponential", "gamma"] = "gamma"
    mean_s: float = Field(default=0.0, ge=0)
    per_line_s: float = Field(default=10.0, ge=0)
    per_unit_s: float = Field(default=2.0, ge=0)
    cv: float = Field(default=0.3, gt=0)


class Travel(Frozen):
    """Whether pickers walk, and which routing method orders their stops.

    ``routing`` is any method of :func:`smartwms.routing.solve_routing` (``sshape``,
    ``optimal``, ...) when the routing package provides it, or ``nearest`` (nearest-neighbour
    over the exact distance matrix, always available).
    """

    enabled: bool = True
    routing: str = "sshape"


class Slotting(Frozen):
    """Which slotting is simulated: the instance's current stock, or a plan.

    ``plan`` is a path to a slotting plan JSON (``{"assignment": {sku: [location, ...]}}``, as
    written by ``smartwms slot --out``) or the assignment itself inline.
    """

    plan: str | dict[str, list[str]] | None = None


class Replenishment(Frozen):
    """Min/max replenishment of pick slots.

    Every slot starts at ``max_units``; each pick takes its units; when a slot falls to
    ``min_units`` a task is raised. One of ``workers`` replenishers walks there from the depot
    (competing with pickers for the aisle when congestion is on), spends ``time_s`` and refills
    the slot to ``max_units``.
    """

    enabled: bool = False
    min_units: float = Field(default=5.0, ge=0)
    max_units: float = Field(default=40.0, gt=0)
    time_s: float = Field(default=120.0, ge=0)
    workers: int = Field(default=1, ge=1)
    speed_mps: float = Field(default=1.0, gt=0)

    @model_validator(mode="after")
    def _min_below_max(self) -> Replenishment:
        if self.min_units >= self.max_units:
            raise ValueError("min_units must be below max_units")
        return self


class Congestion(Frozen):
    """Narrow aisles hold at most ``aisle_capacity`` people at a time; others wait outside."""

    enabled: bool = False
    aisle_capacity: int = Field(default=1, ge=1)


class Break(Frozen):
    """A break: pickers finish the order in hand, then stop until ``start_s + duration_s``."""

    start_s: float = Field(ge=0)
    duration_s: float = Field(gt=0)


class Shifts(Frozen):
    """Breaks within the simulated horizon (the same for every picker)."""

    breaks: list[Break] = Field(default_factory=list)


class AgvMode(Frozen):
    """Goods-to-person mode: AGVs bring racks to pick stations instead of pickers walking.

    An order occupies one of ``stations`` (operators); each line needs one of ``count`` AGVs to
    drive from the station to the SKU's location, lift the rack (``handling_s``), bring it to the
    station, wait while the operator picks (the order's handling time is shared by its lines)
    and take the rack back.

    ``fidelity`` says how driving is modelled. ``detour``: the exact aisle-network distance
    between the station (the instance's depot) and the location at ``speed_mps`` times
    ``detour_factor`` (a calibrated allowance for one-way lanes and traffic), AGVs never meet.
    ``grid``: the AGVs drive on the warehouse's grid map (:func:`smartwms.layout.warehouse_grid`:
    aisles and cross aisles free, racks obstacles, one pick-station port per station as a dead
    end off the front cross aisle), one cell per step, moved by the collision-free online
    planner of :mod:`smartwms.agv.online` (``planner``: ``pibt`` or ``guided``); they queue in
    aisles, wait for each other and take detours, and the travel KPI is what they drove.
    """

    enabled: bool = False
    count: int = Field(default=10, ge=1)
    stations: int = Field(default=2, ge=1)
    speed_mps: float = Field(default=1.5, gt=0)
    handling_s: float = Field(default=5.0, ge=0)
    detour_factor: float = Field(default=1.2, ge=1)
    fidelity: Literal["detour", "grid"] = "detour"
    planner: Literal["pibt", "guided"] = "pibt"


class Scenario(Frozen):
    """A simulation scenario; see the module documentation and ``instances/scenarios/README.md``.

    Examples
    --------
    >>> sc = Scenario(name="q", travel={"enabled": False}, pickers={"count": 2})
    >>> sc.pickers.count, sc.travel.enabled
    (2, False)
    >>> apply_overrides(sc, ["pickers.count=5"]).pickers.count
    5
    """

    format: Literal["smartwms-scenario"] = "smartwms-scenario"
    format_version: str = "1.0"
    name: str = "scenario"
    description: str | None = None
    instance: str | Instance | None = Field(
        default=None, description="path (relative to the scenario file), inline, or none"
    )
    horizon_s: float = Field(default=8 * 3600.0, gt=0, description="arrivals stop here")
    warmup_s: float = Field(default=1800.0, ge=0, description="excluded from every KPI")
    drain_s: float = Field(
        default=4 * 3600.0, ge=0, description="after the horizon, orders in hand may finish"
    )
    arrivals: Arrivals = Field(default_factory=Arrivals)
    orders: OrderProfile = Field(default_factory=OrderProfile)
    release: Release = Field(default_factory=Release)
    pickers: Pickers = Field(default_factory=Pickers)
    pick_time: PickTime = Field(default_factory=PickTime)
    travel: Travel = Field(default_factory=Travel)
    slotting: Slotting = Field(default_factory=Slotting)
    replenishment: Replenishment = Field(default_factory=Replenishment)
    congestion: Congestion = Field(default_factory=Congestion)
    shifts: Shifts = Field(default_factory=Shifts)
    agv: AgvMode = Field(default_factory=AgvMode)
    base_dir: str | None = Field(
        default=None, description="folder relative paths are read from (set by load_scenario)"
    )

    @model_validator(mode="after")
    def _consistent(self) -> Scenario:
        if self.warmup_s >= self.horizon_s:
            raise ValueError("warmup_s must be below horizon_s")
        needs_instance = (
            self.travel.enabled
            or self.agv.enabled
            or self.replenishment.enabled
            or self.arrivals.process == "replay"
            or self.orders.source == "instance"
        )
        if needs_instance and self.instance is None:
            raise ValueError(
                "instance: required when travel, AGVs, replenishment, replay or instance orders "
                "are used (set travel.enabled=false for a pure queueing model)"
            )
        return self

    def resolve(self, path: str) -> Path:
        """A path of the scenario, relative to the scenario file's folder."""
        p = Path(path)
        if p.is_absolute() or self.base_dir is None:
            return p
        return Path(self.base_dir) / p


# ---------------------------------------------------------------------- reading
def _problems(exc: ValidationError) -> str:
    parts = []
    for e in exc.errors():
        loc = ".".join(str(p) for p in e["loc"] if p not in ("parallel-aisle", "graph", "grid"))
        parts.append(f"{loc or '(scenario)'}: {e['msg'].removeprefix('Value error, ')}")
    return "; ".join(parts[:5]) + (f" (and {len(parts) - 5} more)" if len(parts) > 5 else "")


def scenario_from_dict(data: dict[str, Any], *, where: str = "scenario") -> Scenario:
    """Validate plain data as a :class:`Scenario`; errors name the field and the reason."""
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(f"{where}: {_problems(exc)}") from None
    except SmartwmsError as exc:  # an inline instance's own validation
        raise ScenarioError(f"{where}: instance: {exc}") from None


def load_scenario(path: str | Path) -> Scenario:
    """Read a scenario JSON file; relative paths in it are resolved from its folder."""
    path = Path(path)
    data = read_json_object(path, "a scenario object")
    data.setdefault("base_dir", str(path.resolve().parent))
    return scenario_from_dict(data, where=str(path))


# ---------------------------------------------------------------------- overrides
def parse_override(text: str) -> tuple[str, Any]:
    """Split ``key=value``; the value is read as JSON when it parses, else as a string.

    Examples
    --------
    >>> parse_override("pickers.count=12")
    ('pickers.count', 12)
    >>> parse_override("travel.routing=sshape")
    ('travel.routing', 'sshape')
    """
    key, sep, raw = text.partition("=")
    key = key.strip()
    if not sep or not key:
        raise ScenarioError(f"--set {text!r}: expected key=value, e.g. pickers.count=12")
    raw = raw.strip()
    try:
        value: Any = json.loads(raw)
    except json.JSONDecodeError:
        value = raw
    return key, value


def _set_path(data: dict[str, Any], key: str, value: Any) -> None:
    node: Any = data
    parts = key.split(".")
    for depth, part in enumerate(parts):
        here = ".".join(parts[: depth + 1])
        if not isinstance(node, dict):
            raise ScenarioError(f"--set {key}: {'.'.join(parts[:depth])} has no fields")
        if part not in node:
            known = ", ".join(sorted(k for k in node if k not in ("format", "base_dir")))
            raise ScenarioError(f"--set {key}: unknown key {here!r}; known keys: {known}")
        if depth == len(parts) - 1:
            node[part] = value
        else:
            node = node[part]


def apply_overrides(scenario: Scenario, overrides: list[str] | dict[str, Any]) -> Scenario:
    """A copy of ``scenario`` with dotted-path fields replaced (``["pickers.count=12"]``).

    Unknown keys and ill-typed values raise :class:`ScenarioError` naming the key.
    """
    pairs = (
        list(overrides.items())
        if isinstance(overrides, dict)
        else [parse_override(o) for o in overrides]
    )
    if not pairs:
        return scenario
    data = scenario.model_dump(mode="python", exclude={"instance"})
    for key, value in pairs:
        if key == "instance" or key.startswith("instance."):
            raise ScenarioError(f"--set {key}: the instance cannot be overridden field by field")
        _set_path(data, key, value)
    data["instance"] = scenario.instance
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        keys = ", ".join(k for k, _ in pairs)
        raise ScenarioError(f"--set {keys}: {_problems(exc)}") from None
