"""The SPRP text format of Heßler & Irnich (single picker routing, scattered storage).

Cell 0 is next to the top cross aisle; the depot sits on the cross aisle that
``DEPOT_LOCATION`` names, at aisle ``DEPOT_AISLE``. The two-block variant adds a middle cross
aisle of width 1 between cells ``C/2 - 1`` and ``C/2`` (the distance between them becomes 2).
Converted instances keep the article ids; a storage position becomes the location
``a{aisle}c{cell}{L|R}``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from smartwms.errors import InputFileError, InstanceValidationError
from smartwms.model import (
    Instance,
    Location,
    Order,
    OrderLine,
    ParallelAisleLayout,
    Sku,
    Station,
    StockRecord,
)

__all__ = ["SprpLayout", "looks_like_sprp", "read_sprp", "write_sprp"]

SprpLayout = Literal["single-block", "two-block"]
_REQUIRED = (
    "NUM_AISLES",
    "NUM_CELLS",
    "DEPOT_AISLE",
    "DEPOT_LOCATION",
    "DISTANCE_AISLE_TO_AISLE",
    "DISTANCE_CELL_TO_CELL",
    "DISTANCE_TOP_TO_CELL",
    "DISTANCE_BOTTOM_TO_CELL",
)


@dataclass
class _Parsed:
    header: dict[str, str] = field(default_factory=dict)
    articles: list[str] = field(default_factory=list)
    # (article, aisle, cell, quantity, side, line number)
    skus: list[tuple[str, int, int, float, str, int]] = field(default_factory=list)
    order: list[tuple[str, float, int]] = field(default_factory=list)


def looks_like_sprp(path: Path) -> bool:
    """Whether a file starts like an SPRP instance."""
    try:
        with path.open(encoding="latin-1") as fh:
            head = fh.read(400)
    except OSError:
        return False
    return "NUM_AISLES" in head or "Single_picker_routing" in head


def _lines(path: Path) -> Iterator[tuple[int, str]]:
    try:
        # The published files carry a Latin-1 'ß' in their comment line.
        text = path.read_text(encoding="latin-1")
    except OSError as exc:
        raise InputFileError(path, exc.strerror or str(exc)) from None
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if line:
            yield number, line


def _number(path: Path, line: int, text: str, what: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise InputFileError(path, f"{what}: expected a number, got {text!r}", line=line) from None


def _integer(path: Path, line: int, text: str, what: str) -> int:
    value = _number(path, line, text, what)
    if value != int(value) or value < 0:
        raise InputFileError(path, f"{what}: expected a non-negative integer, got {text!r}", line)
    return int(value)


def _record(path: Path, line: int, text: str, keys: tuple[str, ...]) -> dict[str, str]:
    tokens = text.split()
    if len(tokens) != 2 * len(keys) or tuple(tokens[0::2]) != keys:
        raise InputFileError(path, f"expected '{' '.join(k + ' ...' for k in keys)}'", line=line)
    return dict(zip(tokens[0::2], tokens[1::2], strict=True))


def _parse(path: Path) -> _Parsed:
    parsed = _Parsed()
    section = "header"
    sku_keys = ("ID", "AISLE", "CELL", "QUANTITY", "LEFT_RIGHT_HAND_SIDE")
    for number, line in _lines(path):
        if line in ("ARTICLE_SECTION", "SKU_SECTION", "ORDER_SECTION"):
            section = line
            continue
        if line == "EOF":
            break
        if ":" in line:
            key, _, value = line.partition(":")
            parsed.header.setdefault(f"{section}.{key.strip()}", value.strip())
            if section == "header":
                parsed.header[key.strip()] = value.strip()
            continue
        if section == "ARTICLE_SECTION":
            parsed.articles.append(_record(path, number, line, ("ID",))["ID"])
        elif section == "SKU_SECTION":
            rec = _record(path, number, line, sku_keys)
            side = rec["LEFT_RIGHT_HAND_SIDE"].lower()
            if side not in ("left", "right"):
                raise InputFileError(path, f"side must be left or right, got {side!r}", number)
            parsed.skus.append(
                (
                    rec["ID"],
                    _integer(path, number, rec["AISLE"], "AISLE"),
                    _integer(path, number, rec["CELL"], "CELL"),
                    _number(path, number, rec["QUANTITY"], "QUANTITY"),
                    side,
                    number,
                )
            )
        elif section == "ORDER_SECTION":
            rec = _record(path, number, line, ("ID", "QUANTITY"))
            qty = _number(path, number, rec["QUANTITY"], "QUANTITY")
            parsed.order.append((rec["ID"], qty, number))
        else:
            raise InputFileError(path, f"unexpected line {line[:40]!r}", line=number)
    return parsed


def read_sprp(
    path: str | Path,
    layout: SprpLayout = "single-block",
    middle_cross_aisle_width: float = 1.0,
) -> Instance:
    """Read an SPRP instance (single- or two-block; scattered storage included).

    Parameters
    ----------
    path
        The ``.txt`` file.
    layout
        ``"single-block"`` as the file describes, or ``"two-block"``: the same file with a
        middle cross aisle between cells ``C/2 - 1`` and ``C/2``.
    middle_cross_aisle_width
        Width of that middle cross aisle.
    """
    path = Path(path)
    parsed = _parse(path)
    header = parsed.header
    for key in _REQUIRED:
        if key not in header:
            raise InputFileError(path, f"missing header field {key}")
    n_aisles = _integer(path, 0, header["NUM_AISLES"], "NUM_AISLES")
    n_cells = _integer(path, 0, header["NUM_CELLS"], "NUM_CELLS")
    cell_len = _number(path, 0, header["DISTANCE_CELL_TO_CELL"], "DISTANCE_CELL_TO_CELL")
    top = _number(path, 0, header["DISTANCE_TOP_TO_CELL"], "DISTANCE_TOP_TO_CELL")
    bottom = _number(path, 0, header["DISTANCE_BOTTOM_TO_CELL"], "DISTANCE_BOTTOM_TO_CELL")
    # A cross aisle of width w puts the nearest cell centre (cell_len + w) / 2 away.
    top_w, bottom_w = 2 * top - cell_len, 2 * bottom - cell_len
    if layout == "two-block":
        if n_cells % 2:
            raise InputFileError(path, f"two-block layout needs an even NUM_CELLS, got {n_cells}")
        blocks, per_block, widths = 2, n_cells // 2, [top_w, middle_cross_aisle_width, bottom_w]
    else:
        blocks, per_block, widths = 1, n_cells, [top_w, bottom_w]
    depot_side = header["DEPOT_LOCATION"].lower()
    if depot_side not in ("top", "bottom"):
        raise InputFileError(path, f"DEPOT_LOCATION must be top or bottom, got {depot_side!r}")
    spur = _number(path, 0, header.get("DISTANCE_TOP_OR_BOTTOM_TO_DEPOT", "0"), "depot distance")

    locations: dict[str, Location] = {}
    stock: list[StockRecord] = []
    for article, aisle, cell, qty, side, _line in parsed.skus:
        loc_id = f"a{aisle}c{cell}{side[0].upper()}"
        locations.setdefault(loc_id, Location(id=loc_id, aisle=aisle, cell=cell, side=side))
        stock.append(StockRecord(sku=article, location=loc_id, quantity=qty))
    articles = parsed.articles or sorted({rec[0] for rec in parsed.skus})
    lines = [OrderLine(sku=art, quantity=qty) for art, qty, _ in parsed.order]
    try:
        return Instance(
            name=header.get("NAME", path.stem).removesuffix(".txt"),
            description=header.get("TYPE"),
            source=f"SPRP ({layout}): {path.name}",
            layout=ParallelAisleLayout(
                n_aisles=n_aisles,
                aisle_spacing=_number(path, 0, header["DISTANCE_AISLE_TO_AISLE"], "aisle distance"),
                cells_per_block=per_block,
                cell_length=cell_len,
                n_blocks=blocks,
                cross_aisle_widths=widths,
            ),
            locations=list(locations.values()),
            skus=[Sku(id=a) for a in articles],
            stock=stock,
            orders=[Order(id=path.stem, lines=lines)] if lines else [],
            stations=[
                Station(
                    id="depot",
                    kind="depot",
                    aisle=_integer(path, 0, header["DEPOT_AISLE"], "DEPOT_AISLE"),
                    cross_aisle=0 if depot_side == "top" else blocks,
                    spur=spur,
                )
            ],
            shared_locations=True,  # the format allows two articles in one cell
        )
    except InstanceValidationError as exc:
        problems = "; ".join(f"{f}: {r}" for f, r in exc.problems[:10])
        raise InputFileError(path, f"inconsistent SPRP instance: {problems}") from None


def write_sprp(instance: Instance, path: str | Path) -> None:
    """Write a single-order parallel-aisle instance in the SPRP format.

    Two-block layouts are written as their single-block file (read them back with
    ``layout="two-block"``), as in the published benchmark.
    """
    lay = instance.layout
    if not isinstance(lay, ParallelAisleLayout) or lay.n_blocks > 2:
        raise InstanceValidationError(
            [("layout", "SPRP needs a parallel-aisle layout of 1-2 blocks")]
        )
    if len(instance.orders) != 1:
        raise InstanceValidationError([("orders", "SPRP holds exactly one order")])
    depot = instance.depot
    if depot.aisle is None:
        raise InstanceValidationError([("stations", "SPRP needs the depot at an aisle")])
    top = (lay.cell_length + lay.widths[0]) / 2
    bottom = (lay.cell_length + lay.widths[-1]) / 2
    locs = instance.location_index
    out = [
        f"NAME : {instance.name}.txt",
        f"TYPE : {instance.description or 'Single_picker_routing'}",
        "COMMENT : written by smartwms",
        "LAYOUT : single-block",
        f"NUM_AISLES : {lay.n_aisles}",
        f"NUM_CELLS : {lay.cells_per_aisle}",
        f"DEPOT_AISLE : {depot.aisle}",
        f"DEPOT_LOCATION : {'top' if depot.cross_aisle == 0 else 'bottom'}",
        f"DISTANCE_AISLE_TO_AISLE : {_fmt(lay.aisle_spacing)}",
        f"DISTANCE_CELL_TO_CELL : {_fmt(lay.cell_length)}",
        f"DISTANCE_TOP_TO_CELL : {_fmt(top)}",
        f"DISTANCE_BOTTOM_TO_CELL : {_fmt(bottom)}",
        f"DISTANCE_TOP_OR_BOTTOM_TO_DEPOT : {_fmt(depot.spur)}",
        "ARTICLE_SECTION",
        f"NUM_ARTICLES : {len(instance.skus)}",
        *(f"ID {s.id}" for s in instance.skus),
        "SKU_SECTION",
        f"NUM_SKUS : {len(instance.stock)}",
    ]
    for rec in instance.stock:
        loc = locs[rec.location]
        out.append(
            f"ID {rec.sku} AISLE {loc.aisle} CELL {loc.cell} QUANTITY {_fmt(rec.quantity)} "
            f"LEFT_RIGHT_HAND_SIDE {loc.side or 'left'}"
        )
    out += ["ORDER_SECTION", f"NUM_ARTICLES : {len(instance.orders[0].lines)}"]
    out += [f"ID {ln.sku} QUANTITY {_fmt(ln.quantity)}" for ln in instance.orders[0].lines]
    out.append("EOF")
    Path(path).write_text("\n".join(out) + "\n", encoding="latin-1")


def _fmt(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))
