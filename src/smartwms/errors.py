"""Exception hierarchy shared by every smartwms module.

Every error a user can cause (a broken file, an inconsistent instance, an infeasible request)
derives from :class:`SmartwmsError`, so the CLI and the service can turn it into a clear message
instead of a traceback.
"""

from __future__ import annotations

from pathlib import Path

__all__ = [
    "InfeasibleError",
    "InputFileError",
    "InstanceValidationError",
    "SmartwmsError",
]


class SmartwmsError(Exception):
    """Base class of every error smartwms raises on purpose."""


class InputFileError(SmartwmsError):
    """A file could not be read: names the file, the line (when known) and the reason.

    Examples
    --------
    >>> str(InputFileError("a.txt", "expected an integer, got 'x'", line=3))
    "a.txt:3: expected an integer, got 'x'"
    """

    def __init__(self, path: str | Path, reason: str, line: int | None = None) -> None:
        self.path = str(path)
        self.reason = reason
        self.line = line
        where = f"{self.path}:{line}" if line is not None else self.path
        super().__init__(f"{where}: {reason}")


class InstanceValidationError(SmartwmsError):
    """An instance is inconsistent; ``problems`` lists ``(field path, reason)`` pairs.

    Examples
    --------
    >>> err = InstanceValidationError([("orders[0].lines[1].sku", "unknown SKU 'X'")])
    >>> print(err)
    orders[0].lines[1].sku: unknown SKU 'X'
    """

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        self.problems = problems
        super().__init__("\n".join(f"{field}: {reason}" for field, reason in problems))


class InfeasibleError(SmartwmsError):
    """A request has no feasible solution; the message says which constraint fails."""
