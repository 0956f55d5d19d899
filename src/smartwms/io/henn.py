"""The order batching files of Henn & Wäscher (2012) and Žulj, Kramer & Schneider (2018).

An *order file* ``<k><s|l>-<orders>-<capacity>-<index>.txt`` lists orders::

    Order 0	number of articles 7
    0	Aisle 14	Location 3
    ...

``Aisle k`` is an aisle *side* (twice as many as physical aisles): the physical aisle is
``k // 2``. ``Location l`` counts storage positions from the depot's end of the aisle. Its
*setting file* ``sett<k>.txt`` (beside it or in ``../problem classes/``) describes the
warehouse (``no_aisles_``, ``no_cells__``, ``cell_lengt``, ``cell_width``, ``aisle_widt``,
``dis_ais_wa``) and the class (``no_orders_``, ``m_no_a_p_b`` = the cart's capacity in
articles). Without a setting file the standard warehouse of the set is used (10 aisles of 45
positions per side).

Geometry (pinned by ``../shared/benchmarks/batching/README.md`` against the published proven
optima): aisle ``a`` runs at ``x = a * (2 * cell_width + aisle_widt)`` = ``5a``; position
``l`` sits ``dis_ais_wa + (l + 0.5) * cell_lengt`` = ``l + 1.5`` from the front cross aisle;
the back cross aisle lies ``no_cells * cell_lengt + 2 * dis_ais_wa`` = 47 from the front one;
the depot is on the front cross aisle, level with aisle 0. In our layout that is one block of
``no_cells`` cells, cross aisles of width ``2 * dis_ais_wa`` and the depot at aisle 0 on cross
aisle 1 (the front); position ``l`` is cell ``no_cells - 1 - l`` (our cell 0 is at the back).

Every position becomes a location ``"<side>-<position>"`` (e.g. ``"14-3"``) holding one SKU of
the same id; an order's article at that position is an order line of one unit (two articles at
one position make one line of two units). Order ids are the numbers after ``Order``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from smartwms.errors import InputFileError, InstanceValidationError
from smartwms.model import (
    Fleet,
    Instance,
    Location,
    Order,
    OrderLine,
    ParallelAisleLayout,
    PickerClass,
    Sku,
    Station,
    StockRecord,
)

__all__ = [
    "REFERENCE_POLICIES",
    "HennName",
    "HennSetting",
    "PublishedValue",
    "find_henn_setting",
    "looks_like_henn",
    "parse_henn_name",
    "read_detailed_results",
    "read_henn",
    "read_henn_setting",
]

_NAME = re.compile(
    r"^(?P<setting>\d+)(?P<policy>[sl])-(?P<orders>\d+)-(?P<capacity>\d+)-(?P<index>\d+)$"
)
_ORDER = re.compile(r"^Order\s+(\S+)\s+number of articles\s+(\S+)$")
_ARTICLE = re.compile(r"^(\S+)\s+Aisle\s+(\S+)\s+Location\s+(\S+)$")


@dataclass(frozen=True)
class HennName:
    """What an order file's name says: ``<setting><policy>-<orders>-<capacity>-<index>``."""

    setting: int
    policy: str  # "s" (S-shape instance set) or "l" (largest-gap instance set)
    orders: int
    capacity: int
    index: int


@dataclass(frozen=True)
class HennSetting:
    """The fields of a setting file that shape the instance (the standard values by default)."""

    aisles: int = 10
    cells: int = 45
    cell_length: float = 1.0
    cell_width: float = 1.5
    aisle_width: float = 2.0
    depot_distance: float = 1.0
    orders: int | None = None
    capacity: int | None = None
    path: Path | None = None

    def layout(self) -> ParallelAisleLayout:
        """The warehouse of the pinned geometry (see the module docstring)."""
        return ParallelAisleLayout(
            n_aisles=self.aisles,
            aisle_spacing=2 * self.cell_width + self.aisle_width,
            cells_per_block=self.cells,
            cell_length=self.cell_length,
            cross_aisle_widths=2 * self.depot_distance,
        )


def parse_henn_name(path: str | Path) -> HennName | None:
    """The parts of a Henn-Wäscher order file's name, or ``None`` when it does not match."""
    match = _NAME.match(Path(path).stem)
    if match is None:
        return None
    return HennName(
        setting=int(match["setting"]),
        policy=match["policy"],
        orders=int(match["orders"]),
        capacity=int(match["capacity"]),
        index=int(match["index"]),
    )


def looks_like_henn(path: Path) -> bool:
    """Whether a file starts like a Henn-Wäscher order file."""
    try:
        with path.open(encoding="latin-1") as fh:
            head = fh.readline()
    except OSError:
        return False
    return _ORDER.match(head.strip()) is not None


def find_henn_setting(path: str | Path) -> Path | None:
    """The setting file of an order file: ``sett<k>.txt`` beside it or in ``../problem classes/``.

    Looks in the file's folder, then ``problem classes/`` in its parent and grandparent (the
    published folders nest instances one or two levels below it).
    """
    path = Path(path)
    name = parse_henn_name(path)
    if name is None:
        return None
    file = f"sett{name.setting}.txt"
    for folder in (
        path.parent,
        path.parent.parent / "problem classes",
        path.parent.parent.parent / "problem classes",
    ):
        candidate = folder / file
        if candidate.is_file():
            return candidate
    return None


_SETTING_FIELDS = {
    "no_aisles_": ("aisles", int),
    "no_cells__": ("cells", int),
    "cell_lengt": ("cell_length", float),
    "cell_width": ("cell_width", float),
    "aisle_widt": ("aisle_width", float),
    "dis_ais_wa": ("depot_distance", float),
    "no_orders_": ("orders", int),
    "m_no_a_p_b": ("capacity", int),
}


def read_henn_setting(path: str | Path) -> HennSetting:
    """Read the fields of a setting file that matter here; errors name the file and line."""
    path = Path(path)
    try:
        text = path.read_text(encoding="latin-1")
    except OSError as exc:
        raise InputFileError(path, exc.strerror or str(exc)) from None
    values: dict[str, int | float] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        key, sep, value = raw.partition(":")
        key = key.strip()
        if not sep or key not in _SETTING_FIELDS:
            continue
        field, kind = _SETTING_FIELDS[key]
        try:
            parsed = kind(value.strip())
        except ValueError:
            raise InputFileError(
                path,
                f"{key}: expected {'an integer' if kind is int else 'a number'}, "
                f"got {value.strip()!r}",
                line=number,
            ) from None
        if (parsed <= 0 and field != "depot_distance") or parsed < 0:
            raise InputFileError(path, f"{key}: must be positive, got {value.strip()}", line=number)
        values[field] = parsed
    if "aisles" not in values or "cells" not in values:
        raise InputFileError(path, "not a setting file: no 'no_aisles_' and 'no_cells__' fields")
    return HennSetting(path=path, **values)  # type: ignore[arg-type]


def _parse_orders(path: Path) -> list[tuple[str, list[tuple[int, int]], int]]:
    """``(order id, [(side, position)], line number)`` per order, checked against its count."""
    try:
        text = path.read_text(encoding="latin-1")
    except OSError as exc:
        raise InputFileError(path, exc.strerror or str(exc)) from None
    orders: list[tuple[str, list[tuple[int, int]], int]] = []
    expected: list[int] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        head = _ORDER.match(line)
        if head is not None:
            count = _integer(path, number, head[2], "number of articles")
            if count < 1:
                raise InputFileError(path, f"order {head[1]} has no article", line=number)
            orders.append((head[1], [], number))
            expected.append(count)
            continue
        article = _ARTICLE.match(line)
        if article is None:
            raise InputFileError(
                path,
                f"expected 'Order <id> number of articles <n>' or "
                f"'<i> Aisle <k> Location <l>', got {line[:60]!r}",
                line=number,
            )
        if not orders:
            raise InputFileError(path, "an article before the first 'Order' line", line=number)
        side = _integer(path, number, article[2], "Aisle")
        position = _integer(path, number, article[3], "Location")
        orders[-1][1].append((side, position))
    if not orders:
        raise InputFileError(path, "no 'Order' line: not a Henn-Wäscher order file")
    for (oid, articles, number), count in zip(orders, expected, strict=True):
        if len(articles) != count:
            raise InputFileError(
                path,
                f"order {oid} announces {count} articles but lists {len(articles)}",
                line=number,
            )
    seen: set[str] = set()
    for oid, _, number in orders:
        if oid in seen:
            raise InputFileError(path, f"duplicate order id {oid!r}", line=number)
        seen.add(oid)
    return orders


def _integer(path: Path, line: int, text: str, what: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise InputFileError(
            path, f"{what}: expected an integer, got {text!r}", line=line
        ) from None
    if value < 0:
        raise InputFileError(path, f"{what}: must be >= 0, got {value}", line=line)
    return value


def read_henn(
    path: str | Path,
    capacity: float | None = None,
    setting: str | Path | None = None,
) -> Instance:
    """Read a Henn-Wäscher order file as an :class:`~smartwms.model.Instance`.

    Parameters
    ----------
    path
        The order file.
    capacity
        The cart's capacity in articles; by default the file name's ``-<capacity>-``, else
        the setting file's ``m_no_a_p_b``. Stored as the instance's picker
        ``cart_capacity_articles``.
    setting
        A setting file; by default :func:`find_henn_setting`, else the standard warehouse.

    Raises
    ------
    InputFileError
        For a malformed file, a position outside the warehouse, a setting file that
        contradicts the file name (orders or capacity), or no capacity at all.
    """
    path = Path(path)
    if not path.is_file():
        raise InputFileError(path, "no such file")
    name = parse_henn_name(path)
    setting_path = Path(setting) if setting is not None else find_henn_setting(path)
    sett = read_henn_setting(setting_path) if setting_path is not None else HennSetting()
    orders = _parse_orders(path)
    if name is not None and sett.path is not None:
        _check_setting_against_name(path, name, sett)
    if name is not None and name.orders != len(orders):
        raise InputFileError(
            path, f"the file name says {name.orders} orders but the file holds {len(orders)}"
        )
    if capacity is None:
        capacity = name.capacity if name is not None else sett.capacity
    if capacity is None:
        raise InputFileError(
            path,
            "no cart capacity: the name has no '-<capacity>-' and no setting file gives "
            "one; pass a capacity",
        )
    if capacity <= 0:
        raise InputFileError(path, f"capacity must be > 0, got {capacity:g}")
    return _instance(path, orders, sett, float(capacity))


def _check_setting_against_name(path: Path, name: HennName, sett: HennSetting) -> None:
    assert sett.path is not None
    for what, in_name, in_setting in (
        ("orders", name.orders, sett.orders),
        ("capacity", name.capacity, sett.capacity),
    ):
        if in_setting is not None and in_setting != in_name:
            raise InputFileError(
                path,
                f"the setting file {sett.path.name} says {what} {in_setting} but the file name "
                f"says {in_name}",
            )


def _instance(
    path: Path,
    orders: list[tuple[str, list[tuple[int, int]], int]],
    sett: HennSetting,
    capacity: float,
) -> Instance:
    layout = sett.layout()
    sides = 2 * sett.aisles
    used: dict[tuple[int, int], str] = {}
    built: list[Order] = []
    for oid, articles, number in orders:
        units: dict[str, float] = {}
        for side, position in articles:
            if side >= sides:
                raise InputFileError(
                    path,
                    f"order {oid}: Aisle {side} outside 0..{sides - 1} "
                    f"({sett.aisles} aisles, two sides each)",
                    line=number,
                )
            if position >= sett.cells:
                raise InputFileError(
                    path,
                    f"order {oid}: Location {position} outside 0..{sett.cells - 1}",
                    line=number,
                )
            loc = used.setdefault((side, position), f"{side}-{position}")
            units[loc] = units.get(loc, 0.0) + 1.0
        built.append(Order(id=oid, lines=[OrderLine(sku=s, quantity=q) for s, q in units.items()]))
    keys = sorted(used)
    locations = [
        Location(
            id=used[k],
            aisle=k[0] // 2,
            cell=sett.cells - 1 - k[1],
            side="left" if k[0] % 2 == 0 else "right",
        )
        for k in keys
    ]
    try:
        return Instance(
            name=path.stem,
            description="order batching (Henn & Wäscher format)",
            source=f"Henn-Wäscher: {path.name}"
            + (
                f" (setting {sett.path.name})" if sett.path is not None else " (standard warehouse)"
            ),
            layout=layout,
            locations=locations,
            skus=[Sku(id=used[k]) for k in keys],
            stock=[StockRecord(sku=used[k], location=used[k], quantity=1.0) for k in keys],
            orders=built,
            fleet=Fleet(pickers=[PickerClass(cart_capacity_articles=capacity)]),
            stations=[Station(id="depot", kind="depot", aisle=0, cross_aisle=1)],
        )
    except InstanceValidationError as exc:
        problems = "; ".join(f"{f}: {r}" for f, r in exc.problems[:10])
        raise InputFileError(path, f"inconsistent instance: {problems}") from None


# ---------------------------------------------------------------------- published values
#: Routing policies of the detailed result tables, in their column order, by our names.
REFERENCE_POLICIES = {
    "traversal": "sshape",
    "return": "return",
    "midpoint": "midpoint",
    "largest gap": "largest-gap",
    "combined": "combined",
    "optimal": "optimal",
}


@dataclass(frozen=True)
class PublishedValue:
    """One instance under one policy in Wahlen & Gschwind's detailed results.

    ``bks`` is the best-known total length (``proven`` when optimal), ``lower_bound`` the
    branch-price-and-cut bound and ``bpc_seconds`` its run time (``None`` at the time limit);
    ``sc2``/``sc2_seconds`` and ``bpc_df2``/``bpc_df2_seconds`` the two heuristics.
    """

    bks: float
    proven: bool
    lower_bound: float | None
    bpc_seconds: float | None
    sc2: float | None
    sc2_seconds: float | None
    bpc_df2: float | None
    bpc_df2_seconds: float | None


def _maybe(text: str) -> float | None:
    text = text.strip()
    if not text or text.upper() == "TL":
        return None
    return float(text.replace(",", "."))


def read_detailed_results(
    path: str | Path,
) -> dict[tuple[int, int, int], dict[str, PublishedValue]]:
    """Read a ``detailedResults-*.csv`` table (three header rows, ``;``-separated).

    Returns ``{(capacity, orders, index): {policy: PublishedValue}}`` with our policy names
    (:data:`REFERENCE_POLICIES`).
    """
    path = Path(path)
    try:
        rows = path.read_text(encoding="utf-8-sig").splitlines()
    except OSError as exc:
        raise InputFileError(path, exc.strerror or str(exc)) from None
    if len(rows) < 3:
        raise InputFileError(path, "expected three header rows")
    policies = [p.strip() for p in rows[0].split(";")[3:]]
    out: dict[tuple[int, int, int], dict[str, PublishedValue]] = {}
    for number, row in enumerate(rows[3:], start=4):
        cells = row.split(";")
        if len(cells) < 3 or not cells[0].strip():
            continue
        try:
            key = (int(cells[0]), int(cells[1]), int(cells[2]))
            values: dict[str, PublishedValue] = {}
            for start in range(3, len(cells) - 7, 8):
                name = REFERENCE_POLICIES.get(policies[start - 3])
                if name is None:
                    continue
                c = cells[start : start + 8]
                values[name] = PublishedValue(
                    bks=float(c[0]),
                    proven=c[1].strip().lower() == "true",
                    lower_bound=_maybe(c[2]),
                    bpc_seconds=_maybe(c[3]),
                    sc2=_maybe(c[4]),
                    sc2_seconds=_maybe(c[5]),
                    bpc_df2=_maybe(c[6]),
                    bpc_df2_seconds=_maybe(c[7]),
                )
        except (ValueError, IndexError):
            raise InputFileError(path, f"unreadable row {row[:60]!r}", line=number) from None
        out[key] = values
    return out
