"""``smartwms batch``: group orders into cart loads of least total tour length."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from smartwms.cli._common import app, err, friendly_errors, out, print_json
from smartwms.errors import SmartwmsError

_FORMATS = ("auto", "henn", "smartwms", "csv")


def _load(path: Path, fmt: str, capacity: float | None) -> tuple[Any, str]:
    """The instance of ``path`` and the format it was read as."""
    from smartwms.io import detect_format, load_instance

    if fmt not in _FORMATS:
        raise SmartwmsError(f"--format: expected one of {', '.join(_FORMATS)}, got {fmt!r}")
    if not path.exists():
        raise SmartwmsError(f"{path}: no such file")
    actual = detect_format(path) if fmt == "auto" else fmt
    if actual not in _FORMATS:
        raise SmartwmsError(f"{path}: a {actual} file; batch reads {', '.join(_FORMATS[1:])}")
    if actual == "henn":
        return load_instance(path, format="henn", capacity=capacity), actual
    return load_instance(path, format=actual), actual


def _cart(instance: Any, capacity: float | None, fmt: str) -> Any:
    """The instance's cart, its article capacity replaced by ``--capacity`` when given."""
    from smartwms.batching import Cart

    cart = Cart.of(instance)
    if capacity is not None and fmt != "henn":
        cart = cart.model_copy(update={"articles": capacity})
    return cart


def parse_waves(spec: str, known: list[str]) -> list[tuple[str, list[str]]]:
    """``--waves``: ``NAME:ID,ID;NAME:ID,...`` (or ``ID,ID;ID,...``, named W1, W2, ...), or
    ``@FILE`` with a JSON object ``{name: [ids]}``. Every order id must exist, and be in one
    wave at most; orders in no wave form a last wave ``rest``."""
    if spec.startswith("@"):
        path = Path(spec[1:])
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise SmartwmsError(f"--waves: cannot read {path}: {exc}") from None
        if not isinstance(data, dict) or not all(isinstance(v, list) for v in data.values()):
            raise SmartwmsError(f"--waves: {path} must hold an object {{wave: [order ids]}}")
        waves = [(str(k), [str(i) for i in v]) for k, v in data.items()]
    else:
        waves = []
        for k, part in enumerate(p for p in spec.split(";") if p.strip()):
            name, sep, listed = part.partition(":")
            if not sep:
                name, listed = f"W{k + 1}", part
            waves.append((name.strip(), [i.strip() for i in listed.split(",") if i.strip()]))
    if not waves:
        raise SmartwmsError("--waves: no wave given")
    known_set = set(known)
    seen: dict[str, str] = {}
    for name, ids in waves:
        if not ids:
            raise SmartwmsError(f"--waves: wave {name!r} has no order")
        for oid in ids:
            if oid not in known_set:
                raise SmartwmsError(f"--waves: wave {name!r} names unknown order {oid!r}")
            if oid in seen:
                raise SmartwmsError(
                    f"--waves: order {oid!r} is in waves {seen[oid]!r} and {name!r}"
                )
            seen[oid] = name
    rest = [o for o in known if o not in seen]
    if rest:
        waves.append(("rest", rest))
    return waves


def batch_record(path: Path, result: Any, capacity: float | None) -> dict[str, Any]:
    """The ``--json`` object of one input file (the DESIGN.md contract, plus details)."""
    return {
        "file": str(path),
        "method": result.method,
        "routing": result.routing,
        "capacity": capacity,
        "cart": result.cart.model_dump(exclude_none=True),
        "total_length": result.total_length,
        "lower_bound": result.lower_bound,
        "gap": result.gap,
        "status": result.status.value,
        "seconds": round(result.seconds, 6),
        "batches": [
            {
                "id": b.id,
                "orders": b.orders,
                "length": b.length,
                "articles": b.articles,
                **({"wave": b.wave} if b.wave is not None else {}),
                **({"totes": b.totes} if b.totes else {}),
            }
            for b in result.batches
        ],
        "kpis": result.kpis,
    }


def _merge_waves(parts: list[tuple[Any, Any]], seconds: float) -> Any:
    """One result of several waves' results (batches renumbered, wave names kept)."""
    from smartwms.model import SolveStatus

    first = parts[0][1]
    batches: list[Any] = []
    for name, result in parts:
        for b in result.batches:
            batches.append(b.model_copy(update={"id": f"B{len(batches) + 1}", "wave": name}))
    statuses = {r.status for _, r in parts}
    status = next(
        (s for s in (SolveStatus.CANCELLED, SolveStatus.TIME_LIMIT) if s in statuses),
        SolveStatus.OPTIMAL if statuses == {SolveStatus.OPTIMAL} else SolveStatus.FEASIBLE,
    )
    total = sum(r.total_length for _, r in parts)
    bounds = [r.lower_bound for _, r in parts]
    return first.model_copy(
        update={
            "batches": batches,
            "total_length": total,
            "objective": total,
            "lower_bound": None if None in bounds else sum(bounds),
            "status": status,
            "seconds": seconds,
            "kpis": {"batches": float(len(batches)), "waves": float(len(parts))},
        }
    )


@app.command()
@friendly_errors
def batch(
    files: Annotated[list[Path], typer.Argument(help="Order files or instances to batch.")],
    fmt: Annotated[
        str, typer.Option("--format", help="Input format: auto, henn, smartwms or csv.")
    ] = "auto",
    capacity: Annotated[
        float | None,
        typer.Option(
            "--capacity",
            help="Cart capacity in articles (default: the Henn-Wäscher file name's "
            "-<capacity>-, or the instance's picker cart).",
        ),
    ] = None,
    routing: Annotated[
        str,
        typer.Option(
            "--routing",
            help="Routing policy of every tour: optimal, sshape, return, midpoint, "
            "largest-gap or combined.",
        ),
    ] = "optimal",
    method: Annotated[
        str,
        typer.Option(
            "--method",
            help="fcfs, seed, savings, local, alns, exact (proven optimum where the "
            "enumeration of feasible batches fits) or auto (exact when small, else alns).",
        ),
    ] = "auto",
    time_limit: Annotated[
        float | None,
        typer.Option("--time-limit", help="Seconds per file (default: 10 for alns/exact/auto)."),
    ] = None,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the random choices.")] = 0,
    iterations: Annotated[
        int | None,
        typer.Option("--iterations", help="ALNS iterations (a reproducible budget)."),
    ] = None,
    split_orders: Annotated[
        bool,
        typer.Option("--split-orders", help="Split an order too big for one cart into parts."),
    ] = False,
    waves: Annotated[
        str | None,
        typer.Option(
            "--waves",
            help="Batch waves apart: 'NAME:ID,ID;NAME:ID,...', 'ID,ID;ID,...' or @FILE.json "
            "({wave: [order ids]}); orders in no wave form the wave 'rest'.",
        ),
    ] = None,
    out_dir: Annotated[
        Path | None,
        typer.Option("--out", help="Write <file>.json (the plan) and <file>-picks.csv here."),
    ] = None,
    plot: Annotated[
        Path | None, typer.Option("--plot", help="Draw the batches' tours (PNG).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per file.")] = False,
) -> None:
    """Order batching: fcfs, seed, savings, local search, ALNS or exact set partitioning."""
    from smartwms.batching import BATCHING_METHODS, ROUTING_POLICIES, BatchingParams

    if method not in BATCHING_METHODS:
        raise SmartwmsError(
            f"--method: expected one of {', '.join(BATCHING_METHODS)}, got {method!r}"
        )
    if routing not in ROUTING_POLICIES:
        raise SmartwmsError(
            f"--routing: expected one of {', '.join(ROUTING_POLICIES)}, got {routing!r}"
        )
    if time_limit is not None and time_limit <= 0:
        raise SmartwmsError(f"--time-limit: must be > 0 seconds, got {time_limit:g}")
    if capacity is not None and capacity <= 0:
        raise SmartwmsError(f"--capacity: must be > 0 articles, got {capacity:g}")
    if iterations is not None and iterations < 0:
        raise SmartwmsError(f"--iterations: must be >= 0, got {iterations}")
    if time_limit is None and method in ("alns", "exact", "auto") and iterations is None:
        time_limit = 10.0
    if out_dir is not None:
        out_dir.mkdir(parents=True, exist_ok=True)
    for path in files:
        instance, actual = _load(path, fmt, capacity)
        cart = _cart(instance, capacity, actual)
        params = BatchingParams(
            method=method,
            routing=routing,
            cart=cart,
            split_orders=split_orders,
            iterations=iterations,
        )
        result = _solve(instance, params, seed, time_limit, waves, path.name)
        _report(path, instance, result, cart.articles, out_dir, plot, len(files) > 1, as_json)


def _solve(
    instance: Any,
    params: Any,
    seed: int,
    time_limit: float | None,
    waves: str | None,
    name: str,
) -> Any:
    import time

    from smartwms.batching import solve_batching
    from smartwms.stopping import Stop

    groups = (
        [(None, None)] if waves is None else parse_waves(waves, [o.id for o in instance.orders])
    )
    started = time.perf_counter()
    share = None if time_limit is None else time_limit / len(groups)
    parts = []
    with _Bar(f"batching {name}", enabled=time_limit is not None and time_limit >= 1) as bar:
        for wave, orders in groups:
            stop = Stop(time_limit=share) if share is not None else None
            parts.append(
                (
                    wave,
                    solve_batching(
                        instance,
                        orders=orders,
                        params=params,
                        seed=seed,
                        stop=stop,
                        progress=bar.update if stop is not None else None,
                    ),
                )
            )
    if waves is None:
        return parts[0][1]
    return _merge_waves(parts, time.perf_counter() - started)


class _Bar:
    """A transient progress bar of the time budget with the best length so far."""

    def __init__(self, description: str, enabled: bool) -> None:
        from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

        self.progress = Progress(
            "[progress.description]{task.description}",
            BarColumn(),
            TextColumn("{task.fields[best]}"),
            TimeElapsedColumn(),
            console=err,
            transient=True,
            disable=not enabled,
        )
        self.task = self.progress.add_task(description, total=1.0, best="")

    def __enter__(self) -> _Bar:
        self.progress.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self.progress.__exit__(*exc)  # type: ignore[arg-type]

    def update(self, fraction: float | None, best: float | None) -> None:
        fields: dict[str, Any] = {}
        if best is not None:
            fields["best"] = f"best {best:g}"
        if fraction is not None:
            fields["completed"] = fraction
        self.progress.update(self.task, **fields)


def _report(
    path: Path,
    instance: Any,
    result: Any,
    capacity: float | None,
    out_dir: Path | None,
    plot: Path | None,
    several: bool,
    as_json: bool,
) -> None:
    if out_dir is not None:
        plan = out_dir / f"{path.stem}.json"
        plan.write_text(result.model_dump_json(indent=1, exclude_none=True) + "\n")
        rows = result.write_pick_list(instance, out_dir / f"{path.stem}-picks.csv")
        err.print(f"wrote {plan} and {out_dir / f'{path.stem}-picks.csv'} ({rows} picks)")
    if plot is not None:
        from smartwms.plotting.routes import plot_routes

        target = plot.with_name(f"{plot.stem}-{path.stem}{plot.suffix}") if several else plot
        plot_routes(instance, [b.route for b in result.batches], target)
        err.print(f"wrote {target}")
    if as_json:
        print_json(batch_record(path, result, capacity))
        return
    table = Table(
        title=f"{path}: {result.method}, {result.routing} routing ({result.status.value})"
    )
    table.add_column("batch")
    table.add_column("orders")
    table.add_column("articles", justify="right")
    table.add_column("length", justify="right")
    for b in result.batches[:30]:
        table.add_row(b.id, ",".join(b.orders), f"{b.articles:g}", f"{b.length:g}")
    if len(result.batches) > 30:
        table.add_row(f"... {len(result.batches) - 30} more", "", "", "")
    out.print(table)
    bound = "" if result.lower_bound is None else f", lower bound {result.lower_bound:g}"
    out.print(
        f"total length {result.total_length:g} in {len(result.batches)} batches{bound}, "
        f"{result.seconds:.2f} s"
    )
