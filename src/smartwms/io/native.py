"""Our own JSON format: an :class:`~smartwms.model.Instance` with a format version."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from smartwms.errors import InputFileError, InstanceValidationError
from smartwms.model import Instance

__all__ = [
    "instance_from_dict",
    "read_instance",
    "read_json_object",
    "validation_problems",
    "write_instance",
]


def _loc_to_path(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out or "(root)"


def validation_problems(exc: ValidationError) -> list[tuple[str, str]]:
    """Turn a pydantic error into ``(field path, reason)`` pairs."""
    problems = []
    for err in exc.errors():
        # Tagged unions add the tag ('parallel-aisle') to the path: drop it for readability.
        loc = tuple(p for p in err["loc"] if p not in ("parallel-aisle", "graph", "grid"))
        msg = err["msg"].removeprefix("Value error, ")
        problems.append((_loc_to_path(loc), msg))
    return problems


def instance_from_dict(data: dict[str, Any]) -> Instance:
    """Build and validate an instance from plain data (e.g. parsed JSON).

    Raises
    ------
    InstanceValidationError
        Listing every problem with its field path.
    """
    try:
        return Instance.model_validate(data)
    except ValidationError as exc:
        raise InstanceValidationError(validation_problems(exc)) from None


def read_json_object(path: str | Path, what: str = "a JSON object") -> dict[str, Any]:
    """Parse a JSON file whose top level must be an object; errors name the file and line."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputFileError(path, exc.strerror or str(exc)) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputFileError(path, f"invalid JSON: {exc.msg}", line=exc.lineno) from None
    if not isinstance(data, dict):
        raise InputFileError(path, f"expected {what} at the top level")
    return data


def read_instance(path: str | Path) -> Instance:
    """Read an instance from our JSON format; errors name the file (and line, for syntax)."""
    path = Path(path)
    data = read_json_object(path)
    if data.get("format") not in (None, "smartwms-instance"):
        raise InputFileError(path, f"not a smartwms instance (format={data.get('format')!r})")
    try:
        return instance_from_dict(data)
    except InstanceValidationError as exc:
        problems = "; ".join(f"{f}: {r}" for f, r in exc.problems[:20])
        more = f" (and {len(exc.problems) - 20} more)" if len(exc.problems) > 20 else ""
        raise InputFileError(path, f"invalid instance: {problems}{more}") from None


def write_instance(instance: Instance, path: str | Path) -> None:
    """Write an instance as indented JSON (``None`` fields left out)."""
    text = instance.model_dump_json(indent=1, exclude_none=True)
    Path(path).write_text(text + "\n", encoding="utf-8")
