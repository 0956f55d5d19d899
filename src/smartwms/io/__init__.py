"""Readers and writers: our JSON, and the public formats converted to it.

:func:`load_instance` picks the reader from the file (``format="auto"``).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from smartwms.errors import InputFileError
from smartwms.io.csv_import import looks_like_csv_folder, read_csv_folder, write_csv_folder
from smartwms.io.foodmart import (
    find_foodmart_locations,
    looks_like_foodmart,
    read_foodmart,
    read_foodmart_manifest,
    write_foodmart,
    write_foodmart_folder,
)
from smartwms.io.henn import looks_like_henn, read_henn
from smartwms.io.mapf import (
    looks_like_lorr,
    looks_like_map,
    read_lorr_instance,
    read_lorr_problem,
    read_map,
    read_map_instance,
)
from smartwms.io.native import instance_from_dict, read_instance, write_instance
from smartwms.io.sprp import looks_like_sprp, read_sprp, write_sprp
from smartwms.model import Instance

__all__ = [
    "FORMATS",
    "detect_format",
    "instance_from_dict",
    "load_instance",
    "read_csv_folder",
    "read_foodmart",
    "read_henn",
    "read_instance",
    "read_lorr_problem",
    "read_map",
    "read_sprp",
    "write_csv_folder",
    "write_foodmart",
    "write_foodmart_folder",
    "write_instance",
    "write_sprp",
]

#: Formats :func:`load_instance` understands (``auto`` guesses from the file).
FORMATS = ("auto", "smartwms", "sprp", "foodmart", "csv", "mapf", "lorr", "henn")


def detect_format(path: Path) -> str:
    """Guess a file's format from its name and first bytes."""
    if path.is_dir():
        if looks_like_csv_folder(path):
            return "csv"
        raise InputFileError(path, "a folder, but not a CSV export (no warehouse.json)")
    if path.suffix.lower() == ".json":
        if _is_foodmart_manifest(path):
            return "foodmart"
        return "lorr" if looks_like_lorr(path) else "smartwms"
    if path.suffix.lower() == ".map" or looks_like_map(path):
        return "mapf"
    if looks_like_foodmart(path):
        return "foodmart"
    if looks_like_sprp(path):
        return "sprp"
    if looks_like_henn(path):
        return "henn"
    raise InputFileError(path, f"cannot tell the format; pass one of {', '.join(FORMATS[1:])}")


def load_instance(path: str | Path, format: str = "auto", **options: Any) -> Instance:
    """Read any supported instance file.

    Parameters
    ----------
    path
        The file (or folder, for formats spread over several files).
    format
        One of :data:`FORMATS`.
    **options
        Reader options, e.g. ``layout="two-block"`` for SPRP; for Foodmart
        ``locations_file=`` and ``orders_file=`` (``path`` is the layout file or a manifest);
        for Henn-Wäscher order files ``capacity=`` and ``setting=``.
    """
    path = Path(path)
    if not path.exists():
        raise InputFileError(path, "no such file")
    fmt = detect_format(path) if format == "auto" else format
    if fmt == "smartwms":
        return read_instance(path)
    if fmt == "sprp":
        return read_sprp(path, **options)
    if fmt == "foodmart":
        return _load_foodmart(path, **options)
    if fmt == "csv":
        return read_csv_folder(path)
    if fmt == "mapf":
        return read_map_instance(path)
    if fmt == "lorr":
        return read_lorr_instance(path)
    if fmt == "henn":
        return read_henn(path, **options)
    raise InputFileError(path, f"unknown format {format!r}; use one of {', '.join(FORMATS)}")


def _is_foodmart_manifest(path: Path) -> bool:
    try:
        with path.open(encoding="utf-8", errors="replace") as fh:
            head = fh.read(2000)
    except OSError:
        return False
    return re.search(r'"format"\s*:\s*"foodmart"', head) is not None


def _load_foodmart(
    path: Path,
    locations_file: str | Path | None = None,
    orders_file: str | Path | None = None,
) -> Instance:
    if path.suffix.lower() == ".json":
        return read_foodmart_manifest(path)
    locations = find_foodmart_locations(path) if locations_file is None else locations_file
    return read_foodmart(path, locations, orders_file)
