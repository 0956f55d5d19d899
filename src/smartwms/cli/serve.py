"""``smartwms serve`` and ``api-key``: the solve-job API on the embedded default."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from smartwms.cli._common import app, err, friendly_errors
from smartwms.errors import SmartwmsError


@app.command()
@friendly_errors
def serve(
    host: Annotated[str, typer.Option("--host", help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="TCP port.")] = 8000,
    data_dir: Annotated[
        Path | None,
        typer.Option("--data-dir", help="Job store, key file (default: ./smartwms-data)."),
    ] = None,
    no_auth: Annotated[
        bool, typer.Option("--no-auth", help="No API keys: local use only (loopback host).")
    ] = False,
    workers: Annotated[
        int | None, typer.Option("--workers", help="Jobs solved at once (default 2).")
    ] = None,
) -> None:
    """Run the solve-job API on the embedded job store (no other server needed)."""
    import uvicorn

    from smartwms.service import ServiceSettings, create_app
    from smartwms.service.logs import configure_logging

    overrides: dict[str, Any] = {}
    if data_dir is not None:
        overrides["data_dir"] = data_dir
    if no_auth:
        if host not in ("127.0.0.1", "localhost", "::1"):
            raise SmartwmsError(f"--no-auth is for local use only; got --host {host}")
        overrides["auth"] = False
    if workers is not None:
        overrides["workers"] = workers
    settings = ServiceSettings(**overrides)
    configure_logging(settings.log_level)
    app = create_app(settings)
    _tune_gc_for_serving()
    # Keep idle connections open longer than typical client pools do (uvicorn's 5 s default
    # lets a client reuse a connection the server is closing: a failed, non-retried POST).
    uvicorn.run(
        app,
        host=host,
        port=port,
        log_config=None,
        access_log=False,
        timeout_keep_alive=75,
    )


def _tune_gc_for_serving() -> None:
    """Keep the cyclic garbage collector from pausing every request in flight.

    A server allocates many short-lived objects per request; with CPython's default threshold
    (700 allocations) collections run every few requests and a full one pauses all 50 clients
    of a busy integrator at once (the submit p99 in ``benchmarks/bench_service.py`` fell from
    about 200 ms to about 100 ms). The objects alive after start-up (modules, the app) are
    moved out of the collector's sight, and young collections run less often.
    """
    import gc

    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)


@app.command("api-key")
@friendly_errors
def api_key(
    name: Annotated[str, typer.Argument(help="Owner name of the new key (one word).")],
    data_dir: Annotated[Path, typer.Option("--data-dir", help="Server data directory.")] = Path(
        "smartwms-data"
    ),
) -> None:
    """Create an API key: its hash goes to DATA_DIR/api-keys, the key is printed once."""
    from smartwms.service.auth import append_key

    key = append_key(data_dir / "api-keys", name)
    err.print(f"key for {name} stored (hashed) in {data_dir / 'api-keys'}; shown only now:")
    sys.stdout.write(key + "\n")
