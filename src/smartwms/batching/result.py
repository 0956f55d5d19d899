"""The outcome of order batching: batches with their totes and tours, totals, lower bound.

Stable API (other modules, e.g. waves and picker scheduling, build on it; fields are only ever
added): :class:`Batch`, :class:`BatchingResult`, :data:`PICK_LIST_COLUMNS`,
:meth:`BatchingResult.pick_list` and :meth:`BatchingResult.write_pick_list`.

Times (``start``, ``end``) are seconds from the start of the horizon; they, ``picker`` and
``wave`` stay ``None`` until a schedule assigns them.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pydantic import Field

from smartwms.batching.problem import Cart
from smartwms.model import Instance, PickRoute, SolveStatus
from smartwms.model.base import Frozen

__all__ = ["PICK_LIST_COLUMNS", "Batch", "BatchingResult"]

#: Columns of the pick list, one row per pick in walking order.
PICK_LIST_COLUMNS = (
    "picker",
    "wave",
    "batch",
    "sequence",
    "order",
    "line",
    "sku",
    "location",
    "quantity",
    "tote",
    "planned_start_s",
)
_UNIT_TOLERANCE = 1e-9


class Batch(Frozen):
    """One cart load: the orders picked together in one tour.

    ``lines`` is ``None`` when every order is picked whole; with split orders it lists, per
    order, the indices of its lines picked in this batch. ``totes`` gives, per order, the
    totes (numbered from 0) its articles go into.
    """

    id: str
    orders: list[str]
    lines: dict[str, list[int]] | None = None
    totes: dict[str, list[int]] = Field(default_factory=dict)
    route: PickRoute
    articles: float = Field(ge=0)
    volume: float = Field(default=0.0, ge=0)
    weight: float = Field(default=0.0, ge=0)
    length: float = Field(ge=0, description="tour length under the result's routing policy")
    picker: str | None = None
    wave: str | None = None
    start: float | None = None
    end: float | None = None


class BatchingResult(Frozen):
    """Outcome of :func:`~smartwms.batching.solve_batching`.

    ``objective`` is the total tour length (``total_length``) unless a schedule optimises
    something else (then ``objective_name`` says what). ``lower_bound`` is a proven bound on
    the total length where the method gives one (``exact``), else ``None``.
    """

    method: str
    status: SolveStatus
    objective: float
    objective_name: str = "total_length"
    lower_bound: float | None = None
    seconds: float = Field(ge=0)
    seed: int = 0
    kpis: dict[str, float] = Field(default_factory=dict)
    routing: str
    cart: Cart
    total_length: float = Field(ge=0)
    batches: list[Batch]

    @property
    def gap(self) -> float | None:
        """Relative gap between the total length and the lower bound (``None`` without one)."""
        if self.lower_bound is None or self.total_length <= 0:
            return None
        return max(0.0, (self.total_length - self.lower_bound) / self.total_length)

    def summary(self) -> dict[str, Any]:
        """A flat dictionary of the solve (for logs, ``--json`` and job results)."""
        return {
            "method": self.method,
            "routing": self.routing,
            "status": self.status.value,
            "objective": self.objective,
            "total_length": self.total_length,
            "lower_bound": self.lower_bound,
            "batches": len(self.batches),
            "orders": sum(len(b.orders) for b in self.batches),
            "seconds": self.seconds,
            "seed": self.seed,
            **self.kpis,
        }

    # ------------------------------------------------------------------ pick list
    def pick_list(self, instance: Instance) -> Iterator[dict[str, Any]]:
        """One row per pick in walking order (:data:`PICK_LIST_COLUMNS`).

        A stop's units of a SKU are shared out over the batch's order lines of that SKU in
        the order of the batch's orders, so each row traces back to one order line.
        """
        orders = {o.id: o for o in instance.orders}
        for batch in self.batches:
            open_lines: dict[str, list[list[Any]]] = {}  # sku -> [[order, line, units left]]
            for oid in batch.orders:
                order = orders[oid]
                wanted = batch.lines[oid] if batch.lines is not None else range(len(order.lines))
                for i in wanted:
                    line = order.lines[i]
                    open_lines.setdefault(line.sku, []).append([oid, i, line.quantity])
            sequence = 0
            for stop in batch.route.stops:
                for sku, units in stop.picks.items():
                    left = units
                    for entry in open_lines.get(sku, []):
                        if left <= _UNIT_TOLERANCE:
                            break
                        take = min(entry[2], left)
                        if take <= _UNIT_TOLERANCE:
                            continue
                        entry[2] -= take
                        left -= take
                        totes = batch.totes.get(entry[0], [])
                        yield {
                            "picker": batch.picker or "",
                            "wave": batch.wave or "",
                            "batch": batch.id,
                            "sequence": sequence,
                            "order": entry[0],
                            "line": entry[1],
                            "sku": sku,
                            "location": stop.id,
                            "quantity": take,
                            "tote": ";".join(str(t) for t in totes),
                            "planned_start_s": "" if batch.start is None else batch.start,
                        }
                        sequence += 1

    def write_pick_list(self, instance: Instance, path: str | Path) -> int:
        """Write :meth:`pick_list` as CSV (header :data:`PICK_LIST_COLUMNS`); returns rows."""
        rows = 0
        with Path(path).open("w", newline="", encoding="utf-8") as fh:
            writer = csv.DictWriter(fh, fieldnames=PICK_LIST_COLUMNS)
            writer.writeheader()
            for row in self.pick_list(instance):
                if isinstance(row["quantity"], float) and row["quantity"].is_integer():
                    row["quantity"] = int(row["quantity"])
                writer.writerow(row)
                rows += 1
        return rows
