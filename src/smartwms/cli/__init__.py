"""The ``smartwms`` command: a thin layer over the public API, one module per command group.

``_common`` holds the Typer app, the consoles, error reporting and instance loading; each
command module registers its commands on import. Heavy libraries (solvers, compiled kernels,
the service) are imported inside the commands, so ``smartwms --help`` stays fast.
"""

from __future__ import annotations

# Imported for their side effect of registering commands, in the order ``--help`` lists them.
# isort: off
from smartwms.cli import io, route, batch, slot, agv, sim, plan, serve  # noqa: F401
from smartwms.cli._common import app

# isort: on

__all__ = ["app", "main"]


def main() -> None:
    """Entry point of the ``smartwms`` console script."""
    app()
