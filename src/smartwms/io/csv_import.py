"""CSV import of WMS exports: a folder of tables plus a small JSON frame.

The folder holds (columns documented in ``docs/csv-import.md``):

``warehouse.json``
    The frame: ``layout`` (required) and optionally ``name``, ``description``, ``source``,
    ``units``, ``fleet``, ``stations`` and ``shared_locations``, exactly as in our JSON format.
``locations.csv``
    One storage slot per row.
``skus.csv``
    One SKU per row.
``stock.csv`` (optional)
    The current assignment: one ``sku, location, quantity`` per row.
``orders.csv`` (optional)
    One order line per row; rows of one order share its ``order`` id (and its release and
    due times); orders keep the order of their first row.

Headers name the columns (any order; unknown columns are an error, so a typo is not silently
ignored). Empty cells mean "not given". Files are UTF-8 (a byte-order mark is fine), separated
by commas, or by semicolons when the header has no comma. Every error names the file, the line
and the column.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from smartwms.errors import InputFileError, InstanceValidationError
from smartwms.model import Instance, Location, Order, OrderLine, Sku, StockRecord

__all__ = ["CSV_TABLES", "looks_like_csv_folder", "read_csv_folder", "write_csv_folder"]

FRAME_FILE = "warehouse.json"
_FRAME_KEYS = {
    "format",
    "format_version",
    "name",
    "description",
    "source",
    "units",
    "layout",
    "fleet",
    "stations",
    "shared_locations",
}

Parser = Callable[[str], Any]


def _text(value: str) -> str:
    return value


def _integer(value: str) -> int:
    if not re.fullmatch(r"[+-]?\d+", value):
        raise ValueError("expected an integer")
    return int(value)


def _number(value: str) -> float:
    try:
        out = float(value)
    except ValueError:
        raise ValueError("expected a number") from None
    if out != out:
        raise ValueError("expected a number")
    return out


def _side(value: str) -> str:
    lowered = value.lower()
    if lowered not in ("left", "right"):
        raise ValueError("expected left or right")
    return lowered


def _names(value: str) -> list[str]:
    return [part.strip() for part in value.split(";") if part.strip()]


@dataclass(frozen=True)
class _Column:
    name: str
    parse: Parser
    required: bool = False
    field: str | None = None  # model field, when it differs from the column name

    @property
    def model_field(self) -> str:
        return self.field or self.name


#: The columns of every table, in the order the writer uses.
CSV_TABLES: dict[str, tuple[_Column, ...]] = {
    "locations.csv": (
        _Column("id", _text, required=True),
        _Column("aisle", _integer),
        _Column("cell", _integer),
        _Column("node", _text),
        _Column("side", _side),
        _Column("level", _integer),
        _Column("zone", _text),
        _Column("volume_capacity", _number),
        _Column("weight_capacity", _number),
    ),
    "skus.csv": (
        _Column("id", _text, required=True),
        _Column("unit_volume", _number),
        _Column("unit_weight", _number),
        _Column("demand", _number),
        _Column("pick_frequency", _number),
        _Column("family", _text),
        _Column("zones", _names),
        _Column("hazard", _text),
        _Column("name", _text),
    ),
    "stock.csv": (
        _Column("sku", _text, required=True),
        _Column("location", _text, required=True),
        _Column("quantity", _number),
    ),
    "orders.csv": (
        _Column("order", _text, required=True),
        _Column("sku", _text, required=True),
        _Column("quantity", _number),
        _Column("release_time", _number),
        _Column("due_time", _number),
    ),
}
_REQUIRED_FILES = ("locations.csv", "skus.csv")


def looks_like_csv_folder(path: Path) -> bool:
    """Whether ``path`` is a folder holding a CSV export."""
    return path.is_dir() and (path / FRAME_FILE).is_file() and (path / "locations.csv").is_file()


# ---------------------------------------------------------------------- reading tables
@dataclass
class _Row:
    line: int
    values: dict[str, Any]


def _rows(path: Path, columns: tuple[_Column, ...]) -> Iterator[_Row]:
    """Parsed rows of one table; errors name the file, the line and the column."""
    spec = {c.name: c for c in columns}
    try:
        handle = path.open(encoding="utf-8-sig", newline="")
    except OSError as exc:
        raise InputFileError(path, exc.strerror or str(exc)) from None
    with handle:
        first = handle.readline()
        handle.seek(0)
        delimiter = ";" if ";" in first and "," not in first else ","
        reader = csv.reader(handle, delimiter=delimiter)
        header = next(reader, None)
        if header is None:
            raise InputFileError(path, "empty file: expected a header line", line=1)
        header = [h.strip() for h in header]
        unknown = [h for h in header if h not in spec]
        if unknown:
            raise InputFileError(
                path,
                f"unknown column {unknown[0]!r}; the columns are {', '.join(spec)}",
                line=1,
            )
        missing = [c.name for c in columns if c.required and c.name not in header]
        if missing:
            raise InputFileError(path, f"missing column {missing[0]!r}", line=1)
        for cells in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in cells):
                continue
            if len(cells) != len(header):
                raise InputFileError(
                    path, f"expected {len(header)} cells like the header, got {len(cells)}", line
                )
            values: dict[str, Any] = {}
            for name, raw in zip(header, cells, strict=True):
                cell = raw.strip()
                column = spec[name]
                if not cell:
                    if column.required:
                        raise InputFileError(path, f"column {name!r}: value required", line)
                    continue
                try:
                    values[column.model_field] = column.parse(cell)
                except ValueError as exc:
                    raise InputFileError(
                        path, f"column {name!r}: {exc}, got {cell!r}", line
                    ) from None
            yield _Row(line, values)


def _build(path: Path, row: _Row, model: type[BaseModel], **extra: Any) -> Any:
    """A model from a row; a pydantic error names the column."""
    try:
        return model.model_validate({**row.values, **extra})
    except ValidationError as exc:
        first = exc.errors()[0]
        column = first["loc"][0] if first["loc"] else "row"
        raise InputFileError(
            path, f"column {column!r}: {first['msg'].removeprefix('Value error, ')}", row.line
        ) from None


# ---------------------------------------------------------------------- the folder
def _read_frame(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except OSError as exc:
        raise InputFileError(path, exc.strerror or str(exc)) from None
    except json.JSONDecodeError as exc:
        raise InputFileError(path, f"invalid JSON: {exc.msg}", line=exc.lineno) from None
    if not isinstance(data, dict):
        raise InputFileError(path, "expected a JSON object with at least 'layout'")
    unknown = sorted(set(data) - _FRAME_KEYS)
    if unknown:
        tables = {"locations", "skus", "stock", "orders"} & set(unknown)
        hint = f"; {sorted(tables)[0]} belong in {sorted(tables)[0]}.csv" if tables else ""
        raise InputFileError(path, f"unknown key {unknown[0]!r}{hint}")
    if "layout" not in data:
        raise InputFileError(path, "missing 'layout'")
    return data


@dataclass
class _Tables:
    """The records read from the folder with the line of each one."""

    locations: list[Location]
    location_lines: list[int]
    skus: list[Sku]
    sku_lines: list[int]
    stock: list[StockRecord]
    stock_lines: list[int]
    orders: list[Order]
    order_lines: list[list[int]]  # per order, the line of each of its lines


def _read_orders(path: Path, known_skus: set[str]) -> tuple[list[Order], list[list[int]]]:
    grouped: dict[str, list[_Row]] = {}
    for row in _rows(path, CSV_TABLES["orders.csv"]):
        if row.values["sku"] not in known_skus:
            raise InputFileError(path, f"column 'sku': unknown SKU {row.values['sku']!r}", row.line)
        grouped.setdefault(row.values["order"], []).append(row)
    orders, lines = [], []
    for order_id, rows in grouped.items():
        first = rows[0]
        for row in rows[1:]:
            for key in ("release_time", "due_time"):
                if row.values.get(key) != first.values.get(key):
                    raise InputFileError(
                        path,
                        f"column {key!r}: order {order_id!r} has {row.values.get(key)} here but "
                        f"{first.values.get(key)} on line {first.line}",
                        row.line,
                    )
        order_lines = [_line(path, row) for row in rows]
        times = {k: first.values[k] for k in ("release_time", "due_time") if k in first.values}
        try:
            orders.append(Order(id=order_id, lines=order_lines, **times))
        except ValidationError as exc:
            err = exc.errors()[0]
            column = err["loc"][0] if err["loc"] else "order"
            raise InputFileError(
                path, f"column {column!r}: {err['msg'].removeprefix('Value error, ')}", first.line
            ) from None
        lines.append([row.line for row in rows])
    return orders, lines


def _line(path: Path, row: _Row) -> OrderLine:
    values = {k: v for k, v in row.values.items() if k in ("sku", "quantity")}
    line: OrderLine = _build(path, _Row(row.line, values), OrderLine)
    return line


def _read_tables(folder: Path) -> _Tables:
    for name in _REQUIRED_FILES:
        if not (folder / name).is_file():
            raise InputFileError(folder / name, "missing: a CSV export needs this file")
    loc_path, sku_path = folder / "locations.csv", folder / "skus.csv"
    loc_rows = list(_rows(loc_path, CSV_TABLES["locations.csv"]))
    locations = [_build(loc_path, r, Location) for r in loc_rows]
    sku_rows = list(_rows(sku_path, CSV_TABLES["skus.csv"]))
    skus = [_build(sku_path, r, Sku) for r in sku_rows]
    known_locations = {loc.id for loc in locations}
    known_skus = {sku.id for sku in skus}
    stock: list[StockRecord] = []
    stock_lines: list[int] = []
    stock_path = folder / "stock.csv"
    if stock_path.is_file():
        for row in _rows(stock_path, CSV_TABLES["stock.csv"]):
            if row.values["sku"] not in known_skus:
                raise InputFileError(
                    stock_path, f"column 'sku': unknown SKU {row.values['sku']!r}", row.line
                )
            if row.values["location"] not in known_locations:
                raise InputFileError(
                    stock_path,
                    f"column 'location': unknown location {row.values['location']!r}",
                    row.line,
                )
            stock.append(_build(stock_path, row, StockRecord))
            stock_lines.append(row.line)
    orders: list[Order] = []
    order_lines: list[list[int]] = []
    if (folder / "orders.csv").is_file():
        orders, order_lines = _read_orders(folder / "orders.csv", known_skus)
    return _Tables(
        locations,
        [r.line for r in loc_rows],
        skus,
        [r.line for r in sku_rows],
        stock,
        stock_lines,
        orders,
        order_lines,
    )


def _where(folder: Path, tables: _Tables, field: str, reason: str) -> tuple[Path, int | None]:
    """The file and line behind a field path such as ``stock[3].sku``."""
    match = re.match(r"(\w+)\[([^\]]+)\](?:\.lines\[(\d+)\])?", field)
    if match is None:
        return folder / FRAME_FILE, None
    table, key, sub = match.group(1), match.group(2), match.group(3)
    if table == "locations":
        # Capacity problems name the location by id, the others by position.
        by_id = field == match.group(0) and ("capacity" in reason or "holds several" in reason)
        ids = [loc.id for loc in tables.locations]
        index = ids.index(key) if by_id and key in ids else int(key) if key.isdigit() else -1
        if index < 0:
            return folder / "locations.csv", None
        return folder / "locations.csv", tables.location_lines[index]
    lines: dict[str, list[int]] = {"skus": tables.sku_lines, "stock": tables.stock_lines}
    if table in lines and key.isdigit():
        return folder / f"{table}.csv", lines[table][int(key)]
    if table == "orders" and key.isdigit():
        return folder / "orders.csv", tables.order_lines[int(key)][int(sub or 0)]
    return folder / FRAME_FILE, None


def read_csv_folder(folder: str | Path) -> Instance:
    """Read a CSV export folder (see the module documentation and ``docs/csv-import.md``).

    Raises
    ------
    InputFileError
        Naming the file, the line and the column of the first problem.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise InputFileError(folder, "expected a folder holding warehouse.json and CSV files")
    frame_path = folder / FRAME_FILE
    if not frame_path.is_file():
        raise InputFileError(frame_path, "missing: a CSV export needs this file")
    frame = _read_frame(frame_path)
    tables = _read_tables(folder)
    data = {
        "name": folder.name,
        **frame,
        "locations": tables.locations,
        "skus": tables.skus,
        "stock": tables.stock,
        "orders": tables.orders,
    }
    try:
        return Instance.model_validate(data)
    except InstanceValidationError as exc:
        field, reason = exc.problems[0]
        path, line = _where(folder, tables, field, reason)
        more = f" (and {len(exc.problems) - 1} more problems)" if len(exc.problems) > 1 else ""
        raise InputFileError(path, f"{field}: {reason}{more}", line) from None
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"] if p not in ("parallel-aisle", "graph", "grid"))
        raise InputFileError(
            frame_path, f"{where}: {err['msg'].removeprefix('Value error, ')}"
        ) from None


# ---------------------------------------------------------------------- writing
def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return ";".join(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


def _write_table(path: Path, table: str, records: list[dict[str, Any]]) -> None:
    columns = CSV_TABLES[table]
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow([c.name for c in columns])
        for record in records:
            writer.writerow([_cell(record.get(c.model_field)) for c in columns])


def write_csv_folder(instance: Instance, folder: str | Path) -> None:
    """Write an instance as a CSV export folder that :func:`read_csv_folder` reads back."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    frame = instance.model_dump(
        mode="json", exclude={"locations", "skus", "stock", "orders"}, exclude_none=True
    )
    (folder / FRAME_FILE).write_text(json.dumps(frame, indent=1) + "\n", encoding="utf-8")
    _write_table(
        folder / "locations.csv", "locations.csv", [loc.model_dump() for loc in instance.locations]
    )
    _write_table(folder / "skus.csv", "skus.csv", [sku.model_dump() for sku in instance.skus])
    _write_table(folder / "stock.csv", "stock.csv", [rec.model_dump() for rec in instance.stock])
    order_rows = [
        {
            "order": order.id,
            "sku": line.sku,
            "quantity": line.quantity,
            "release_time": order.release_time,
            "due_time": order.due_time,
        }
        for order in instance.orders
        for line in order.lines
    ]
    _write_table(folder / "orders.csv", "orders.csv", order_rows)
