"""Values a JSON document may carry but nothing downstream can hold: refused by field.

JSON allows an unpaired UTF-16 surrogate escape (``"\\ud800"``), which no UTF-8 encoder can
write (the store, the result serialiser and the logs all failed on it with a 500), and integers
of any size, which overflow SQLite, numpy and OR-Tools (64-bit) and, past 4,300 digits,
Python's own int parser. :func:`unstorable_value` finds the first such value and names its
field; it costs one regular-expression scan unless the document may hold one.
"""

from __future__ import annotations

import json
import re
from typing import Any

__all__ = ["INT64_MAX", "unstorable_value"]

INT64_MAX = 2**63 - 1

# Cheap pre-filters: a surrogate escape, or a run of 19 or more digits (|n| >= 10**18).
_SUSPECT = re.compile(rb"\\u[dD][89a-fA-F]|[0-9]{19}")


class _BigInt:
    """Stands in for an integer literal beyond 64 bits while the document is searched."""

    def __init__(self, digits: str) -> None:
        self.digits = digits


def _parse_int(digits: str) -> int | _BigInt:
    # Length first: int() of thousands of digits is refused by Python (and slow before that).
    if len(digits.lstrip("-")) > 19:
        return _BigInt(digits)
    value = int(digits)
    return value if -INT64_MAX - 1 <= value <= INT64_MAX else _BigInt(digits)


def _path(parts: list[str | int]) -> str:
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else ("." if out else "") + part
    return out or "body"


def _has_surrogate(text: str) -> bool:
    return any("\ud800" <= ch <= "\udfff" for ch in text)


def _problem(value: Any) -> str | None:
    if isinstance(value, _BigInt):
        digits = value.digits
        shown = digits if len(digits) <= 25 else f"{digits[:12]}... ({len(digits)} digits)"
        return f"integer {shown} is outside the 64-bit range (-2**63 to 2**63 - 1)"
    if isinstance(value, str) and _has_surrogate(value):
        return "contains an unpaired UTF-16 surrogate escape (not valid Unicode)"
    return None


def _find(document: Any) -> tuple[str, str] | None:
    # Depth first, in document order, without recursion (documents may nest deeply).
    stack: list[tuple[Any, list[str | int]]] = [(document, [])]
    while stack:
        value, parts = stack.pop()
        reason = _problem(value)
        if reason is not None:
            return _path(parts), reason
        if isinstance(value, dict):
            for key in value:
                if _has_surrogate(key):
                    return _path(parts), "a key contains an unpaired UTF-16 surrogate escape"
            stack.extend((item, [*parts, key]) for key, item in reversed(value.items()))
        elif isinstance(value, list):
            stack.extend((item, [*parts, i]) for i, item in reversed(list(enumerate(value))))
    return None


def unstorable_value(body: bytes) -> tuple[str, str] | None:
    """``(field, reason)`` of the first value of a JSON document no store could hold, or None.

    ``None`` too for a document that is not JSON at all: the caller's parser reports that.

    Examples
    --------
    >>> unstorable_value(b'{"name": "\\\\ud800"}')
    ('name', 'contains an unpaired UTF-16 surrogate escape (not valid Unicode)')
    >>> unstorable_value(b'{"a": [1, 9223372036854775808]}')[0]
    'a[1]'
    >>> unstorable_value(b'{"name": "\\\\ud83d\\\\ude00", "n": 9223372036854775807}') is None
    True
    """
    if not _SUSPECT.search(body):
        return None
    try:
        document = json.loads(body, parse_int=_parse_int)
    except (ValueError, RecursionError):
        return None
    return _find(document)
