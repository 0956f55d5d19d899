"""Cooperative stopping: time limits and cancellation shared by every long-running solve.

A :class:`Stop` is checked by our own loops (``if stop(): break``) and wired into OR-Tools by
each solver adapter (routing ``CancelSearch``, CP-SAT ``stop_search``), so a cancelled solve
still returns the best solution found so far.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

__all__ = ["Stop"]


class Stop:
    """Stopping criterion: an optional time limit, explicit cancellation, an external flag.

    Parameters
    ----------
    time_limit
        Seconds from construction after which :meth:`__call__` answers ``True``.
    external
        A callable polled on every check, e.g. reading a job's cancel flag; ``True`` stops.

    Examples
    --------
    >>> stop = Stop(time_limit=60)
    >>> stop()
    False
    >>> stop.cancel()
    >>> stop(), stop.cancelled
    (True, True)
    """

    def __init__(
        self,
        time_limit: float | None = None,
        external: Callable[[], bool] | None = None,
    ) -> None:
        if time_limit is not None and time_limit < 0:
            raise ValueError("time_limit must be >= 0")
        self.time_limit = time_limit
        self._started = time.monotonic()
        self._external = external
        self._event = threading.Event()

    def cancel(self) -> None:
        """Ask every loop that checks this criterion to stop."""
        self._event.set()

    @property
    def cancelled(self) -> bool:
        """Whether stopping was asked for (by :meth:`cancel` or the external flag)."""
        if self._event.is_set():
            return True
        if self._external is not None and self._external():
            self._event.set()
            return True
        return False

    @property
    def elapsed(self) -> float:
        """Seconds since this criterion was created."""
        return time.monotonic() - self._started

    def remaining(self) -> float | None:
        """Seconds left before the time limit (``None`` without a limit)."""
        if self.time_limit is None:
            return None
        return max(0.0, self.time_limit - self.elapsed)

    @property
    def timed_out(self) -> bool:
        """Whether the time limit has passed."""
        return self.time_limit is not None and self.elapsed >= self.time_limit

    def __call__(self) -> bool:
        """``True`` once the solve should stop."""
        return self.cancelled or self.timed_out
