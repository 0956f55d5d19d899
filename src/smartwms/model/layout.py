"""Warehouse layouts: parametric parallel-aisle, general graphs and AGV grid maps.

Coordinates of a parallel-aisle layout
--------------------------------------
Aisles are vertical lines at ``x = first_aisle_x + a * aisle_spacing``. Cross aisles are
horizontal lines numbered from the back (``0``, the *top* cross aisle of the SPRP convention)
to the front (``n_blocks``, the *bottom* one); ``y`` grows from the back cross aisle towards the
front. Cells are numbered along each aisle from ``0`` (next to the top cross aisle) to
``n_blocks * cells_per_block - 1``. The distance between a cross-aisle centre line and the
centre of the nearest cell is ``(cell_length + width) / 2`` where ``width`` is that cross
aisle's width, so a cross aisle of width ``w`` adds ``w`` to the walk between the two cells on
either side of it.
"""

from __future__ import annotations

from functools import cached_property
from typing import Annotated, ClassVar, Literal

from pydantic import Field, field_validator, model_validator

from smartwms.model.base import Frozen

__all__ = [
    "Arc",
    "GraphLayout",
    "GraphNode",
    "GridLayout",
    "Layout",
    "ParallelAisleLayout",
]


class ParallelAisleLayout(Frozen):
    """A rectangular warehouse of parallel aisles cut by cross aisles into blocks.

    Parameters
    ----------
    n_aisles
        Number of pick aisles.
    aisle_spacing
        Centre-to-centre distance between neighbouring aisles.
    cells_per_block
        Storage cells along one aisle within one block.
    cell_length
        Length of one cell along the aisle.
    n_blocks
        Number of blocks; ``n_blocks + 1`` cross aisles.
    cross_aisle_widths
        Width of each cross aisle from back (top) to front (bottom); one value for all of
        them, or ``n_blocks + 1`` values.
    levels
        Storage levels (shelves) per cell; they do not change walking distance.
    first_aisle_x
        ``x`` of aisle 0.
    """

    kind: Literal["parallel-aisle"] = "parallel-aisle"
    n_aisles: int = Field(ge=1)
    aisle_spacing: float = Field(gt=0)
    cells_per_block: int = Field(ge=1)
    cell_length: float = Field(gt=0)
    n_blocks: int = Field(default=1, ge=1)
    cross_aisle_widths: float | list[float] = 1.0
    levels: int = Field(default=1, ge=1)
    first_aisle_x: float = 0.0

    @field_validator("cross_aisle_widths")
    @classmethod
    def _widths_non_negative(cls, value: float | list[float]) -> float | list[float]:
        values = value if isinstance(value, list) else [value]
        if any(w < 0 for w in values):
            raise ValueError("cross-aisle widths must be >= 0")
        return value

    @model_validator(mode="after")
    def _widths_match_blocks(self) -> ParallelAisleLayout:
        if isinstance(self.cross_aisle_widths, list) and (
            len(self.cross_aisle_widths) != self.n_blocks + 1
        ):
            raise ValueError(
                f"cross_aisle_widths: expected {self.n_blocks + 1} values (n_blocks + 1), "
                f"got {len(self.cross_aisle_widths)}"
            )
        return self

    @property
    def n_cross_aisles(self) -> int:
        """Number of cross aisles (``n_blocks + 1``)."""
        return self.n_blocks + 1

    @property
    def cells_per_aisle(self) -> int:
        """Cells along one aisle over all blocks."""
        return self.n_blocks * self.cells_per_block

    @cached_property
    def widths(self) -> tuple[float, ...]:
        """Width of every cross aisle, back to front."""
        if isinstance(self.cross_aisle_widths, list):
            return tuple(self.cross_aisle_widths)
        return (float(self.cross_aisle_widths),) * self.n_cross_aisles

    @cached_property
    def cross_aisle_y(self) -> tuple[float, ...]:
        """``y`` of each cross-aisle centre line, back (0) to front (``n_blocks``)."""
        ys = [0.0]
        for k in range(self.n_blocks):
            block_length = (
                self.widths[k] / 2
                + self.cells_per_block * self.cell_length
                + self.widths[k + 1] / 2
            )
            ys.append(ys[-1] + block_length)
        return tuple(ys)

    def aisle_x(self, aisle: int) -> float:
        """``x`` of an aisle's centre line."""
        return self.first_aisle_x + aisle * self.aisle_spacing

    def cell_y(self, cell: int) -> float:
        """``y`` of a cell's centre (cell 0 is next to the back/top cross aisle).

        Examples
        --------
        SPRP convention: one cell unit, top cross aisle one unit from cell 0.

        >>> lay = ParallelAisleLayout(n_aisles=5, aisle_spacing=3, cells_per_block=30,
        ...                           cell_length=1, cross_aisle_widths=1)
        >>> lay.cell_y(0), lay.cell_y(29), lay.cross_aisle_y[1]
        (1.0, 30.0, 31.0)
        """
        block, within = divmod(cell, self.cells_per_block)
        return (
            self.cross_aisle_y[block] + self.widths[block] / 2 + (within + 0.5) * self.cell_length
        )

    def block_of_cell(self, cell: int) -> int:
        """Block (0 = back) that holds a cell."""
        return cell // self.cells_per_block

    @property
    def x_range(self) -> tuple[float, float]:
        """``x`` of the first and last aisle."""
        return self.first_aisle_x, self.aisle_x(self.n_aisles - 1)


class GraphNode(Frozen):
    """A node of a graph layout; coordinates are optional and only used for drawing."""

    id: str
    x: float | None = None
    y: float | None = None


class Arc(Frozen):
    """A walkable connection between two nodes (both directions unless ``directed``)."""

    tail: str
    head: str
    length: float = Field(ge=0)
    directed: bool = False


class GraphLayout(Frozen):
    """A warehouse given as a graph: locations and stations sit on nodes."""

    kind: Literal["graph"] = "graph"
    nodes: list[GraphNode]
    arcs: list[Arc]

    @model_validator(mode="after")
    def _arcs_join_known_nodes(self) -> GraphLayout:
        ids = [n.id for n in self.nodes]
        if len(set(ids)) != len(ids):
            dup = sorted({i for i in ids if ids.count(i) > 1})[:5]
            raise ValueError(f"nodes: duplicate node ids {dup}")
        known = set(ids)
        for i, arc in enumerate(self.arcs):
            for end in ("tail", "head"):
                if getattr(arc, end) not in known:
                    raise ValueError(f"arcs[{i}].{end}: unknown node '{getattr(arc, end)}'")
        return self


class GridLayout(Frozen):
    """A 4-connected grid map for AGVs (MovingAI conventions).

    ``rows`` holds ``height`` strings of ``width`` characters: ``.``, ``E``, ``S`` and the
    lower-case ``e``/``s``/``p``/``d`` station marks are free; ``@``, ``T`` and ``O`` are
    obstacles. A cell is named by its linear index ``row * width + col``.
    """

    kind: Literal["grid"] = "grid"
    height: int = Field(ge=1)
    width: int = Field(ge=1)
    rows: list[str]

    @model_validator(mode="after")
    def _rows_match_size(self) -> GridLayout:
        if len(self.rows) != self.height:
            raise ValueError(f"rows: expected {self.height} rows (height), got {len(self.rows)}")
        for r, row in enumerate(self.rows):
            if len(row) != self.width:
                raise ValueError(
                    f"rows[{r}]: expected {self.width} characters (width), got {len(row)}"
                )
        return self

    OBSTACLES: ClassVar[frozenset[str]] = frozenset("@TOW")

    def is_free(self, cell: int) -> bool:
        """Whether a linear cell index is inside the map and not an obstacle."""
        if not 0 <= cell < self.height * self.width:
            return False
        row, col = divmod(cell, self.width)
        return self.rows[row][col] not in self.OBSTACLES


Layout = Annotated[ParallelAisleLayout | GraphLayout | GridLayout, Field(discriminator="kind")]
