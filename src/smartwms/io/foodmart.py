"""The Foodmart order-picking instances (Arbex/Valle et al.): a graph layout plus text files.

An instance is three files (``instanceFilesDescription.txt`` in the benchmark folder):

``warehouse_<aisles>_<extra cross aisles>_<shelves>_<products>``
    The layout: input parameters, every location (position in its aisle side, aisle side,
    shelf), the product vertices (position in aisle, aisle), the artificial vertices on the
    cross aisles, which locations each vertex picks, and the graph as arcs with lengths.
``productsDB_<n>_locations``
    ``productIndex locationIndex`` per line: the current assignment.
``instances_*`` (optional)
    Orders: a count, a header, then ``numProducts product quantity ...`` per order.

The converted :class:`~smartwms.model.Instance` keeps the source's numbering as string ids:
graph nodes are the vertex indices, locations the location indices (1-based), SKUs the
product indices and orders their 1-based position in the file. Vertex ``0`` (the origin) is
the depot station ``"depot"``. A location keeps its aisle (``aisleSide // 2``), its position
in the aisle side as ``cell``, its side (even aisle side ``left``, odd ``right``) and its shelf
as ``level``. Node coordinates (for drawing) follow the input parameters: aisles
``aisleWidth + 2 * rackDepth`` apart, the first cross aisle at ``y = 0``, the origin
``sourceToFirstCrossAisle + crossAisleWidth / 2`` in front of it. The source gives no stock
levels, so every stock record holds one unit.
"""

from __future__ import annotations

import bisect
import itertools
import json
import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from smartwms.errors import InputFileError, InstanceValidationError
from smartwms.model import (
    Arc,
    GraphLayout,
    GraphNode,
    Instance,
    Location,
    Order,
    OrderLine,
    Sku,
    Station,
    StockRecord,
)

__all__ = [
    "find_foodmart_locations",
    "looks_like_foodmart",
    "read_foodmart",
    "read_foodmart_manifest",
    "read_foodmart_orders",
    "write_foodmart",
    "write_foodmart_folder",
]

_SECTIONS = (
    "INPUT_PARAMETERS",
    "DATA",
    "all_locations_X_aislePos_Y_aisleSide_Z_shelf",
    "position_product_vertices_X_aislePos_Y_aisle",
    "position_artificial_vertices_aisle_block",
    "vertices_pick_which_locations",
    "arcs_distances",
)
_PARAMETERS = (
    "aisleWidth",
    "rackDepth",
    "locationWidth",
    "crossAisleWidth",
    "sourceToFirstCrossAisle",
)
SOURCE_VERTEX = "0"
DEPOT_ID = "depot"


# ---------------------------------------------------------------------- parsing helpers
def _numbered_lines(path: Path) -> Iterator[tuple[int, list[str]]]:
    """Non-blank lines as ``(line number, tokens)``."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        raise InputFileError(path, exc.strerror or str(exc)) from None
    for number, raw in enumerate(text.splitlines(), start=1):
        tokens = raw.split()
        if tokens:
            yield number, tokens


def _int(path: Path, line: int, token: str, what: str) -> int:
    try:
        return int(token)
    except ValueError:
        raise InputFileError(path, f"{what}: expected an integer, got {token!r}", line) from None


def _float(path: Path, line: int, token: str, what: str) -> float:
    try:
        value = float(token)
    except ValueError:
        raise InputFileError(path, f"{what}: expected a number, got {token!r}", line) from None
    if value != value or value < 0:  # NaN or negative
        raise InputFileError(path, f"{what}: expected a non-negative number, got {token!r}", line)
    return value


def _ints(path: Path, line: int, tokens: list[str], names: tuple[str, ...]) -> list[int]:
    if len(tokens) != len(names):
        raise InputFileError(
            path, f"expected {len(names)} integers ({' '.join(names)}), got {len(tokens)}", line
        )
    return [_int(path, line, t, n) for t, n in zip(tokens, names, strict=True)]


@dataclass
class _LayoutFile:
    """The sections of a Foodmart layout file, as read."""

    params: dict[str, list[str]] = field(default_factory=dict)
    param_lines: dict[str, int] = field(default_factory=dict)
    # location index -> (position in aisle side, aisle side, shelf)
    locations: dict[int, tuple[int, int, int]] = field(default_factory=dict)
    # product vertex -> (position in aisle, aisle)
    product_vertices: dict[int, tuple[int, int]] = field(default_factory=dict)
    # artificial vertex -> (cross aisle, aisle)
    artificial_vertices: dict[int, tuple[int, int]] = field(default_factory=dict)
    picks: dict[int, list[int]] = field(default_factory=dict)
    pick_lines: dict[int, int] = field(default_factory=dict)
    # (tail, head, length, line)
    arcs: list[tuple[int, int, float, int]] = field(default_factory=list)


def looks_like_foodmart(path: Path) -> bool:
    """Whether a file starts like a Foodmart layout file."""
    try:
        with path.open(encoding="utf-8", errors="replace") as fh:
            head = fh.read(300)
    except OSError:
        return False
    return head.lstrip().startswith("INPUT_PARAMETERS") and "numAisles" in head


def _parse_layout(path: Path) -> _LayoutFile:
    parsed = _LayoutFile()
    section = None
    for number, tokens in _numbered_lines(path):
        if len(tokens) == 1 and tokens[0] in _SECTIONS:
            section = tokens[0]
            continue
        if section is None:
            raise InputFileError(path, "expected the INPUT_PARAMETERS section first", number)
        if section in ("INPUT_PARAMETERS", "DATA"):
            if len(tokens) < 2:
                raise InputFileError(path, f"expected 'name value', got {tokens[0]!r}", number)
            parsed.params[tokens[0]] = tokens[1:]
            parsed.param_lines[tokens[0]] = number
        elif section == _SECTIONS[2]:
            if tokens == ["0"]:  # the origin, listed before the locations
                continue
            idx, pos, side, shelf = _ints(
                path, number, tokens, ("locationIndex", "positionInAisleSide", "aisleSide", "shelf")
            )
            if idx in parsed.locations:
                raise InputFileError(path, f"location {idx} listed twice", number)
            parsed.locations[idx] = (pos, side, shelf)
        elif section == _SECTIONS[3]:
            v, pos, aisle = _ints(path, number, tokens, ("vertex", "positionInAisle", "aisle"))
            parsed.product_vertices[v] = (pos, aisle)
        elif section == _SECTIONS[4]:
            v, cross, aisle = _ints(path, number, tokens, ("vertex", "crossAisle", "aisle"))
            parsed.artificial_vertices[v] = (cross, aisle)
        elif section == _SECTIONS[5]:
            _parse_pick_line(path, number, tokens, parsed)
        else:
            _parse_arc_line(path, number, tokens, parsed)
    if not parsed.arcs:
        raise InputFileError(path, "no arcs_distances section: not a Foodmart layout file")
    return parsed


def _parse_pick_line(path: Path, number: int, tokens: list[str], parsed: _LayoutFile) -> None:
    vertex = _int(path, number, tokens[0], "vertex")
    if len(tokens) == 2 and tokens[1] in ("source", "artificial"):
        return
    count = _int(path, number, tokens[1], "number of locations") if len(tokens) > 1 else -1
    if count != len(tokens) - 2:
        raise InputFileError(
            path, f"vertex {vertex}: says {count} locations but lists {len(tokens) - 2}", number
        )
    parsed.picks[vertex] = [_int(path, number, t, "location") for t in tokens[2:]]
    parsed.pick_lines[vertex] = number


def _parse_arc_line(path: Path, number: int, tokens: list[str], parsed: _LayoutFile) -> None:
    tail = _int(path, number, tokens[0], "vertex")
    count = _int(path, number, tokens[1], "number of arcs") if len(tokens) > 1 else -1
    if count < 0 or len(tokens) != 2 + 2 * count:
        raise InputFileError(
            path,
            f"vertex {tail}: expected 'vertex numberOfArcs' then {max(count, 0)} "
            f"'head distance' pairs",
            number,
        )
    for k in range(count):
        head = _int(path, number, tokens[2 + 2 * k], "arc head")
        length = _float(path, number, tokens[3 + 2 * k], "arc distance")
        parsed.arcs.append((tail, head, length, number))


def _param(path: Path, parsed: _LayoutFile, name: str, default: float | None = None) -> float:
    if name not in parsed.params:
        if default is not None:
            return default
        raise InputFileError(path, f"missing parameter {name}")
    return _float(path, parsed.param_lines[name], parsed.params[name][0], name)


# ---------------------------------------------------------------------- layout
def _check_counts(path: Path, parsed: _LayoutFile) -> int:
    """Check the DATA counts against the sections; return the number of vertices."""
    expected = {
        "totalLocations": len(parsed.locations),
        "numProductVertices": len(parsed.product_vertices),
        "numArtificialVertices": len(parsed.artificial_vertices),
    }
    for name, actual in expected.items():
        if name in parsed.params:
            stated = _int(path, parsed.param_lines[name], parsed.params[name][0], name)
            if stated != actual:
                raise InputFileError(
                    path,
                    f"{name} says {stated} but the file lists {actual}",
                    parsed.param_lines[name],
                )
    n_vertices = 1 + len(parsed.product_vertices) + len(parsed.artificial_vertices)
    if "totalVertices" in parsed.params:
        line = parsed.param_lines["totalVertices"]
        stated = _int(path, line, parsed.params["totalVertices"][0], "totalVertices")
        if stated != n_vertices:
            raise InputFileError(
                path, f"totalVertices says {stated} but the file lists {n_vertices}", line
            )
    known = {0, *parsed.product_vertices, *parsed.artificial_vertices}
    for tail, head, _, line in parsed.arcs:
        for end in (tail, head):
            if end not in known:
                raise InputFileError(path, f"arc {tail}-{head}: unknown vertex {end}", line)
    for vertex, locs in parsed.picks.items():
        line = parsed.pick_lines[vertex]
        if vertex not in parsed.product_vertices:
            raise InputFileError(
                path, f"vertex {vertex} picks locations but is no product vertex", line
            )
        for loc in locs:
            if loc not in parsed.locations:
                raise InputFileError(path, f"vertex {vertex} picks unknown location {loc}", line)
    return n_vertices


def _node_coordinates(path: Path, parsed: _LayoutFile) -> dict[int, tuple[float, float]]:
    """Drawing coordinates of every vertex from the input parameters."""
    spacing = _param(path, parsed, "aisleWidth") + 2 * _param(path, parsed, "rackDepth")
    loc_w = _param(path, parsed, "locationWidth")
    cross_w = _param(path, parsed, "crossAisleWidth")
    to_first = _param(path, parsed, "sourceToFirstCrossAisle")
    positions = sorted({p for p, _ in parsed.product_vertices.values()})
    last = positions[-1] if positions else 0
    raw = parsed.params.get("crossAislesPositions", ["0", str(last)])
    line = parsed.param_lines.get("crossAislesPositions", 0)
    cross_pos = [_int(path, line, t, "crossAislesPositions") for t in raw]
    middles = sorted(cross_pos[1:-1])

    def product_y(pos: int) -> float:
        return (cross_w + loc_w) / 2 + pos * loc_w + cross_w * bisect.bisect_left(middles, pos)

    coords: dict[int, tuple[float, float]] = {0: (0.0, -(to_first + cross_w / 2))}
    for v, (pos, aisle) in parsed.product_vertices.items():
        coords[v] = (aisle * spacing, product_y(pos))
    for v, (cross, aisle) in parsed.artificial_vertices.items():
        if not 0 <= cross < len(cross_pos):
            raise InputFileError(path, f"artificial vertex {v}: cross aisle {cross} not listed")
        y = 0.0 if cross == 0 else product_y(cross_pos[cross]) + (loc_w + cross_w) / 2
        coords[v] = (aisle * spacing, y)
    return coords


def _graph(parsed: _LayoutFile, coords: dict[int, tuple[float, float]]) -> GraphLayout:
    """Arcs listed from both ends with the same length become one undirected arc."""
    lengths: dict[tuple[int, int], float] = {}
    for tail, head, length, _ in parsed.arcs:
        lengths.setdefault((tail, head), length)
    arcs = []
    for (tail, head), length in lengths.items():
        back = lengths.get((head, tail))
        if back == length:
            if tail < head:
                arcs.append(Arc(tail=str(tail), head=str(head), length=length))
        else:
            arcs.append(Arc(tail=str(tail), head=str(head), length=length, directed=True))
    arcs.sort(key=lambda arc: (int(arc.tail), int(arc.head)))
    nodes = [GraphNode(id=str(v), x=x, y=y) for v, (x, y) in sorted(coords.items())]
    return GraphLayout(nodes=nodes, arcs=arcs)


def _locations(parsed: _LayoutFile) -> list[Location]:
    vertex_of = {loc: v for v, locs in parsed.picks.items() for loc in locs}
    out = []
    for idx, (pos, side, shelf) in sorted(parsed.locations.items()):
        if idx not in vertex_of:
            continue  # a slot no vertex reaches cannot be picked from
        out.append(
            Location(
                id=str(idx),
                node=str(vertex_of[idx]),
                aisle=side // 2,
                cell=pos,
                side="left" if side % 2 == 0 else "right",
                level=shelf,
            )
        )
    return out


# ---------------------------------------------------------------------- products and orders
def _read_counted(path: Path, what: str) -> list[tuple[int, list[str]]]:
    """Lines of a 'count, header, records' file; checks the count."""
    lines = list(_numbered_lines(path))
    if not lines:
        raise InputFileError(path, f"empty file; expected the number of {what}")
    number, tokens = lines[0]
    count = _int(path, number, tokens[0], f"number of {what}")
    body = lines[1:]
    if body and not _is_int(body[0][1][0]):  # the header line
        body = body[1:]
    if len(body) != count:
        raise InputFileError(path, f"says {count} {what} but lists {len(body)}", number)
    return body


def _is_int(token: str) -> bool:
    return re.fullmatch(r"[+-]?\d+", token) is not None


def _read_stock(path: Path, location_ids: set[str]) -> list[StockRecord]:
    stock = []
    for number, tokens in _read_counted(path, "products"):
        product, location = _ints(path, number, tokens, ("productIndex", "locationIndex"))
        if str(location) not in location_ids:
            raise InputFileError(
                path, f"product {product}: location {location} is not in the layout", number
            )
        stock.append(StockRecord(sku=str(product), location=str(location)))
    return stock


def read_foodmart_orders(path: str | Path, known_skus: set[str] | None = None) -> list[Order]:
    """Read a Foodmart order file; orders are named by their 1-based position.

    Parameters
    ----------
    path
        An ``instances_*`` file.
    known_skus
        When given, a product outside this set is an error naming the line.
    """
    path = Path(path)
    orders = []
    for position, (number, tokens) in enumerate(_read_counted(path, "orders"), start=1):
        n = _int(path, number, tokens[0], "numProducts")
        if n < 1 or len(tokens) != 1 + 2 * n:
            raise InputFileError(
                path,
                f"order {position}: says {n} products but has {len(tokens) - 1} numbers "
                f"(expected {2 * max(n, 1)}: product quantity pairs)",
                number,
            )
        lines = []
        for k in range(n):
            product = str(_int(path, number, tokens[1 + 2 * k], "product"))
            qty = _float(path, number, tokens[2 + 2 * k], "quantity")
            if known_skus is not None and product not in known_skus:
                raise InputFileError(
                    path, f"order {position}: product {product} is not in the products file", number
                )
            if qty <= 0:
                raise InputFileError(path, f"order {position}: quantity must be > 0", number)
            lines.append(OrderLine(sku=product, quantity=qty))
        orders.append(Order(id=str(position), lines=lines))
    return orders


def find_foodmart_locations(layout_file: Path) -> Path:
    """The ``productsDB_*_locations`` file beside a layout file (there must be exactly one)."""
    candidates = sorted(layout_file.parent.glob("productsDB_*_locations"))
    if len(candidates) != 1:
        found = ", ".join(c.name for c in candidates) or "none"
        raise InputFileError(
            layout_file,
            f"cannot tell the products-locations file (found {found}); pass it explicitly",
        )
    return candidates[0]


def read_foodmart(
    layout_file: str | Path,
    locations_file: str | Path,
    orders_file: str | Path | None = None,
) -> Instance:
    """Read a Foodmart instance: layout, product locations and (optionally) orders.

    Parameters
    ----------
    layout_file
        A ``warehouse_*`` file.
    locations_file
        The ``productsDB_*_locations`` file (product -> location).
    orders_file
        An order file (``instances_*``); without it the instance has no orders.

    Returns
    -------
    Instance
        A graph layout with the depot ``"depot"`` on vertex ``"0"``; every error names the
        file and the line.
    """
    layout_path, loc_path = Path(layout_file), Path(locations_file)
    parsed = _parse_layout(layout_path)
    _check_counts(layout_path, parsed)
    layout = _graph(parsed, _node_coordinates(layout_path, parsed))
    locations = _locations(parsed)
    stock = _read_stock(loc_path, {loc.id for loc in locations})
    products = sorted({rec.sku for rec in stock}, key=int)
    orders: list[Order] = []
    names = [layout_path.name, loc_path.name]
    if orders_file is not None:
        orders = read_foodmart_orders(orders_file, set(products))
        names.append(Path(orders_file).name)
    per_location: dict[str, int] = defaultdict(int)
    for rec in stock:
        per_location[rec.location] += 1
    try:
        return Instance(
            name="-".join([layout_path.name, *([Path(orders_file).name] if orders_file else [])]),
            source="Foodmart (Arbex/Valle et al.): " + ", ".join(names),
            units={"length": "Foodmart standardised units", "time": "s"},
            layout=layout,
            locations=locations,
            skus=[Sku(id=p) for p in products],
            stock=stock,
            orders=orders,
            stations=[Station(id=DEPOT_ID, kind="depot", node=SOURCE_VERTEX)],
            shared_locations=any(n > 1 for n in per_location.values()),
        )
    except InstanceValidationError as exc:
        problems = "; ".join(f"{f}: {r}" for f, r in exc.problems[:10])
        raise InputFileError(layout_path, f"inconsistent Foodmart instance: {problems}") from None


def read_foodmart_manifest(path: str | Path) -> Instance:
    """Read a Foodmart instance named by a small JSON manifest.

    The manifest names the three files, relative to the manifest's folder::

        {"format": "foodmart", "layout": "warehouse_8_1_3_1560",
         "locations": "productsDB_1560_locations",
         "orders": "largeInstances/instances_ord100_fsd10"}

    ``orders`` may be left out. Any command that reads instances accepts such a manifest.
    """
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputFileError(path, exc.strerror or str(exc)) from None
    except json.JSONDecodeError as exc:
        raise InputFileError(path, f"invalid JSON: {exc.msg}", line=exc.lineno) from None
    if not isinstance(data, dict) or data.get("format") != "foodmart":
        raise InputFileError(path, 'expected a JSON object with "format": "foodmart"')
    unknown = sorted(set(data) - {"format", "layout", "locations", "orders"})
    if unknown:
        raise InputFileError(
            path, f"unknown manifest keys {unknown}; use layout, locations, orders"
        )
    for key in ("layout", "locations"):
        if not isinstance(data.get(key), str):
            raise InputFileError(path, f"manifest key {key!r}: expected a file name")
    orders = data.get("orders")
    if orders is not None and not isinstance(orders, str):
        raise InputFileError(path, "manifest key 'orders': expected a file name")
    base = path.parent
    files = [base / data["layout"], base / data["locations"], *([base / orders] if orders else [])]
    for file in files:
        if not file.exists():
            raise InputFileError(path, f"the manifest names a missing file {file}")
    return read_foodmart(files[0], files[1], files[2] if orders else None)


# ---------------------------------------------------------------------- writer
def _fmt(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def _coordinates(layout: GraphLayout) -> dict[str, tuple[float, float]]:
    xy = {}
    for i, node in enumerate(layout.nodes):
        if node.x is None or node.y is None:
            raise InstanceValidationError(
                [(f"layout.nodes[{i}]", "the Foodmart writer needs x and y on every node")]
            )
        xy[node.id] = (node.x, node.y)
    return xy


def _layout_geometry(instance: Instance, xy: dict[str, tuple[float, float]]) -> dict[str, float]:
    """Recover the input parameters from node coordinates and locations (see module doc)."""
    product_nodes = {loc.node for loc in instance.locations}
    aisle_x = sorted({xy[n][0] for n in product_nodes if n is not None})
    ys_by_cell: dict[int, float] = {}
    for loc in instance.locations:
        assert loc.node is not None and loc.cell is not None
        ys_by_cell.setdefault(loc.cell, xy[loc.node][1])
    cells = sorted(ys_by_cell)
    loc_w = 1.0
    for a, b in itertools.pairwise(cells):
        if b == a + 1:
            loc_w = ys_by_cell[b] - ys_by_cell[a]
            break
    cross_w = 2 * ys_by_cell[cells[0]] - loc_w
    depot_y = xy[instance.depot.node or SOURCE_VERTEX][1]
    return {
        # Only aisleWidth + 2 * rackDepth enters the geometry, so the spacing goes to aisleWidth.
        "aisleWidth": aisle_x[1] - aisle_x[0] if len(aisle_x) > 1 else 1.0,
        "rackDepth": 0.0,
        "locationWidth": loc_w,
        "crossAisleWidth": cross_w,
        "sourceToFirstCrossAisle": -depot_y - cross_w / 2,
    }


def write_foodmart(
    instance: Instance,
    layout_file: str | Path,
    locations_file: str | Path,
    orders_file: str | Path | None = None,
) -> None:
    """Write an instance read from Foodmart files back in that format.

    The instance must have the Foodmart structure: a graph layout whose integer-named nodes
    are the origin ``0``, product vertices (those holding locations) and artificial vertices,
    with Foodmart node coordinates, and integer location, SKU and order ids. Every distance
    is kept; of the input parameters only the sum ``aisleWidth + 2 * rackDepth`` is known, so
    the writer puts the aisle spacing in ``aisleWidth`` and ``0`` in ``rackDepth``.
    """
    layout = instance.layout
    if not isinstance(layout, GraphLayout):
        raise InstanceValidationError([("layout", "Foodmart needs a graph layout")])
    for kind, ids in (
        ("nodes", [n.id for n in layout.nodes]),
        ("locations", [loc.id for loc in instance.locations]),
        ("skus", [s.id for s in instance.skus]),
    ):
        bad = [i for i in ids if not _is_int(i)]
        if bad:
            raise InstanceValidationError([(kind, f"Foodmart needs integer ids, got {bad[0]!r}")])
    xy = _coordinates(layout)
    geometry = _layout_geometry(instance, xy)
    locs = sorted(instance.locations, key=lambda loc: int(loc.id))
    picks: dict[int, list[int]] = defaultdict(list)
    for loc in locs:
        picks[int(loc.node or 0)].append(int(loc.id))
    product_vertices = sorted(picks)
    aisle_of_x = {x: a for a, x in enumerate(sorted({xy[str(v)][0] for v in product_vertices}))}
    artificial = [
        int(n.id) for n in layout.nodes if int(n.id) not in picks and n.id != SOURCE_VERTEX
    ]
    by_aisle: dict[int, list[int]] = defaultdict(list)
    for v in artificial:
        by_aisle[aisle_of_x.get(xy[str(v)][0], 0)].append(v)
    cross_of = {
        v: k
        for vs in by_aisle.values()
        for k, v in enumerate(sorted(vs, key=lambda v: xy[str(v)][1]))
    }
    n_cross = 1 + max(cross_of.values(), default=0)
    cross_positions = _cross_positions(instance, xy, n_cross, geometry)
    per_side = 1 + max((loc.cell or 0) for loc in locs)
    out = [
        "INPUT_PARAMETERS",
        f"numAisles {len(aisle_of_x)}",
        f"numExtraCrossAisles {n_cross - 2}",
        f"numShelves {1 + max(loc.level for loc in locs)}",
        f"minimumProductsRequired {len(instance.skus)}",
        *(f"{k} {_fmt(geometry[k])}" for k in _PARAMETERS),
        "",
        "DATA",
        f"numLocationsPerAisleSide {per_side}",
        f"totalLocations {len(locs)}",
        f"totalVertices {len(layout.nodes)}",
        f"numProductVertices {len(product_vertices)}",
        f"numArtificialVertices {len(artificial)}",
        "crossAislesPositions " + " ".join(str(p) for p in cross_positions),
        "",
        "all_locations_X_aislePos_Y_aisleSide_Z_shelf",
        "0",
    ]
    for loc in locs:
        side = 2 * (loc.aisle or 0) + (1 if loc.side == "right" else 0)
        out.append(f"{loc.id} {loc.cell} {side} {loc.level}")
    out += ["", "", "position_product_vertices_X_aislePos_Y_aisle"]
    cell_of_vertex = {int(loc.node or 0): loc.cell for loc in locs}
    aisle_of_vertex = {int(loc.node or 0): loc.aisle for loc in locs}
    out += [f"{v} {cell_of_vertex[v]} {aisle_of_vertex[v]}" for v in product_vertices]
    out += ["", "", "position_artificial_vertices_aisle_block"]
    out += [f"{v} {cross_of[v]} {aisle_of_x.get(xy[str(v)][0], 0)}" for v in sorted(artificial)]
    out += ["", "", "vertices_pick_which_locations", "0 source"]
    for v in sorted([*product_vertices, *artificial]):
        ls = picks.get(v)
        out.append(f"{v} {len(ls)} " + " ".join(map(str, ls)) if ls else f"{v} artificial")
    out += ["", "", "arcs_distances"]
    adjacency: dict[int, list[tuple[int, float]]] = defaultdict(list)
    for arc in layout.arcs:
        adjacency[int(arc.tail)].append((int(arc.head), arc.length))
        if not arc.directed:
            adjacency[int(arc.head)].append((int(arc.tail), arc.length))
    for v in sorted(int(n.id) for n in layout.nodes):
        pairs = " ".join(f"{h} {length:.2f}" for h, length in adjacency[v])
        out.append(f"{v} {len(adjacency[v])} {pairs}".rstrip())
    Path(layout_file).write_text("\n".join(out) + "\n", encoding="utf-8")

    stock_lines = [f"{rec.sku} {rec.location}" for rec in instance.stock]
    text = [str(len(stock_lines)), "id location", *stock_lines]
    Path(locations_file).write_text("\n".join(text) + "\n", encoding="utf-8")
    if orders_file is not None:
        order_lines = [
            " ".join([str(len(o.lines)), *(f"{ln.sku} {_fmt(ln.quantity)}" for ln in o.lines)])
            for o in instance.orders
        ]
        text = [str(len(order_lines)), "numProducts product quantity", *order_lines]
        Path(orders_file).write_text("\n".join(text) + "\n", encoding="utf-8")


def _cross_positions(
    instance: Instance, xy: dict[str, tuple[float, float]], n_cross: int, geometry: dict[str, float]
) -> list[int]:
    """Positions of the cross aisles: 0, the last cell before each middle one, the last cell."""
    loc_w, cross_w = geometry["locationWidth"], geometry["crossAisleWidth"]
    ys: dict[int, float] = {}
    for loc in instance.locations:
        ys.setdefault(loc.cell or 0, xy[loc.node or SOURCE_VERTEX][1])
    cells = sorted(ys)
    # A middle cross aisle sits where the gap between consecutive cells exceeds one cell.
    middles = [
        a for a, b in itertools.pairwise(cells) if ys[b] - ys[a] > (b - a) * loc_w + cross_w / 2
    ]
    positions = [0, *middles, cells[-1]] if cells else [0]
    return positions[:n_cross] if len(positions) >= n_cross else positions


def write_foodmart_folder(instance: Instance, folder: str | Path) -> Path:
    """Write the Foodmart files and a manifest (``foodmart.json``) into a folder.

    Returns the manifest's path; :func:`read_foodmart_manifest` (and ``load_instance``) read
    it back.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    names = {"layout": "warehouse", "locations": "productsDB_locations", "orders": "orders"}
    write_foodmart(
        instance,
        folder / names["layout"],
        folder / names["locations"],
        folder / names["orders"] if instance.orders else None,
    )
    if not instance.orders:
        del names["orders"]
    manifest = folder / "foodmart.json"
    manifest.write_text(json.dumps({"format": "foodmart", **names}, indent=1) + "\n")
    return manifest
