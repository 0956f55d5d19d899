"""Closed-form M/M/c results (Erlang C), the reference the simulation is validated against."""

from __future__ import annotations

__all__ = ["erlang_c", "mmc_wait"]


def erlang_c(servers: int, offered_load: float) -> float:
    """Probability that an arrival has to wait in an M/M/c queue (Erlang's C formula).

    Parameters
    ----------
    servers
        Number of servers ``c``.
    offered_load
        ``a = lambda / mu`` in Erlangs; must be below ``c``.

    Examples
    --------
    >>> round(erlang_c(1, 0.5), 6)  # M/M/1: P(wait) = rho
    0.5
    >>> round(erlang_c(2, 1.0), 6)
    0.333333
    """
    if servers < 1:
        raise ValueError("servers must be >= 1")
    if not 0 <= offered_load < servers:
        raise ValueError("offered load must be in [0, servers) for a stable queue")
    # Erlang B by its stable recursion, then C from B.
    b = 1.0
    for k in range(1, servers + 1):
        b = offered_load * b / (k + offered_load * b)
    rho = offered_load / servers
    return b / (1 - rho + rho * b)


def mmc_wait(servers: int, rate_per_hour: float, mean_service_s: float) -> float:
    """Mean waiting time in queue ``Wq`` (seconds) of an M/M/c queue.

    Examples
    --------
    >>> round(mmc_wait(1, 30, 60), 6)  # M/M/1, rho = 0.5: Wq = rho / (mu - lambda) = 60 s
    60.0
    """
    lam = rate_per_hour / 3600.0
    mu = 1.0 / mean_service_s
    return erlang_c(servers, lam / mu) / (servers * mu - lam)
