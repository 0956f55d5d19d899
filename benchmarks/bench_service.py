"""Solve-job service under load: 1,000 submissions from 50 concurrent clients, two ways.

Starts ``smartwms serve`` on 127.0.0.1 (a free port, a temporary data directory, the embedded
SQLite store and local workers) and, against that one server, fires the submissions twice:

* **inline**: every job carries its whole warehouse (a ~19 KB instance with the order in it);
* **by reference**: the warehouse is stored once with ``POST /v1/instances``; every job sends its
  ``instance_id`` and the order (``pick_orders``), as Nextmv's and GraphHopper's APIs allow.

Each of the 50 clients submits its next job as soon as its previous submit returned. After each
mode the script waits until every job has finished, checks that none failed, was lost or was
duplicated, and prints submit latency (p50/p90/p99/max, goal p99 <= 100 ms) and jobs completed
per second, median over the repeats (the order of the two modes alternates between repeats).
Before measuring, each server runs two jobs per worker (start-up imports and JIT compilation of
the workers are not part of the steady state); they are not counted.

    .venv/bin/python benchmarks/bench_service.py [--submissions 1000] [--clients 50]
        [--workers 2] [--repeats 3]

The client is aiohttp (the ``bench`` extra) with bodies encoded beforehand, so the figures are
the server's rather than a Python HTTP client's. Each job routes one small order (the exact
method): the typical WMS call of a picker tour.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp
import httpx
from rich.console import Console
from rich.table import Table

KEY = "bench-key"
MODES = ("inline", "by reference")
_AISLES, _CELLS = 10, 20


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def warehouse() -> dict[str, Any]:
    """A 10-aisle warehouse of 200 locations, one SKU each, and a depot (no orders)."""
    locations = [
        {"id": f"A{a}-C{c}", "aisle": a, "cell": c} for a in range(_AISLES) for c in range(_CELLS)
    ]
    return {
        "layout": {
            "kind": "parallel-aisle",
            "n_aisles": _AISLES,
            "aisle_spacing": 3,
            "cells_per_block": _CELLS,
            "cell_length": 1,
        },
        "locations": locations,
        "skus": [{"id": f"S{i}"} for i in range(len(locations))],
        "stock": [{"sku": f"S{i}", "location": loc["id"]} for i, loc in enumerate(locations)],
        "stations": [{"id": "depot", "aisle": 0, "cross_aisle": 1}],
    }


def order(index: int) -> dict[str, Any]:
    """Order ``O<index>`` of 5 lines (varies with index)."""
    count = _AISLES * _CELLS
    return {
        "id": f"O{index}",
        "lines": [{"sku": f"S{(index * 37 + k * 41) % count}"} for k in range(5)],
    }


def order_job(index: int) -> dict[str, Any]:
    """A routing job for one order with its whole warehouse inline."""
    instance = {**warehouse(), "orders": [order(index)]}
    return {
        "kind": "routing",
        "time_limit": 30,
        "payload": {"instance": instance, "method": "optimal"},
    }


def reference_job(index: int, instance_id: str) -> dict[str, Any]:
    """The same job with the warehouse stored once: its id and the order to route."""
    return {
        "kind": "routing",
        "time_limit": 30,
        "payload": {"instance_id": instance_id, "pick_orders": [order(index)], "method": "optimal"},
    }


class Server:
    """``smartwms serve`` in a subprocess on 127.0.0.1."""

    def __init__(self, data_dir: Path, workers: int) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, "SMARTWMS_API_KEYS": f"bench={KEY}", "SMARTWMS_LOG_LEVEL": "WARNING"}
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "smartwms.cli",
                "serve",
                "--port",
                str(self.port),
                "--data-dir",
                str(data_dir),
                "--workers",
                str(workers),
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        with httpx.Client(base_url=self.url) as client:
            while time.monotonic() < deadline:
                try:
                    if client.get("/readyz").status_code == 200:
                        return
                except httpx.TransportError:
                    pass
                if self.process.poll() is not None:
                    raise SystemExit("the server exited during start-up")
                time.sleep(0.1)
        self.stop()
        raise SystemExit("the server was not ready within 60 s")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


async def _client(
    http: aiohttp.ClientSession,
    url: str,
    bodies: list[bytes],
    latencies: list[float],
    errors: list[str],
) -> None:
    headers = {"Authorization": f"Bearer {KEY}", "Content-Type": "application/json"}
    for body in bodies:
        started = time.perf_counter()
        try:
            async with http.post(url, data=body, headers=headers) as answer:
                await answer.read()
                status = answer.status
        except aiohttp.ClientError as exc:
            errors.append(type(exc).__name__)
            continue
        latencies.append(time.perf_counter() - started)
        if status != 202:
            errors.append(f"HTTP {status}")


async def _wait_idle(http: httpx.AsyncClient) -> dict[str, int]:
    deadline = time.monotonic() + 600
    counts: dict[str, int] = {}
    while time.monotonic() < deadline:
        counts = (await http.get("/readyz")).json()["detail"]["jobs"]
        if counts["queued"] == 0 and counts["running"] == 0:
            break
        await asyncio.sleep(0.05)
    return counts


async def _mode(url: str, mode: str, submissions: int, clients: int) -> dict[str, Any]:
    async with httpx.AsyncClient(
        base_url=url, headers={"Authorization": f"Bearer {KEY}"}, timeout=60
    ) as control:
        if mode == "inline":
            jobs = [order_job(i) for i in range(submissions)]
        else:
            stored = await control.post("/v1/instances", json=warehouse())
            stored.raise_for_status()
            jobs = [reference_job(i, stored.json()["id"]) for i in range(submissions)]
        bodies = [json.dumps(job).encode() for job in jobs]
        before = (await control.get("/readyz")).json()["detail"]["jobs"]
        latencies: list[float] = []
        errors: list[str] = []
        connector = aiohttp.TCPConnector(limit=clients)
        async with aiohttp.ClientSession(
            connector=connector, timeout=aiohttp.ClientTimeout(total=60)
        ) as http:
            started = time.perf_counter()
            await asyncio.gather(
                *(
                    _client(http, f"{url}/v1/jobs", bodies[c::clients], latencies, errors)
                    for c in range(clients)
                )
            )
            submitted = time.perf_counter() - started
            counts = await _wait_idle(control)
            finished = time.perf_counter() - started
    return {
        "latencies": sorted(latencies),
        "errors": errors,
        "submitted_s": submitted,
        "finished_s": finished,
        "succeeded": counts.get("succeeded", 0) - before.get("succeeded", 0),
        "body_bytes": statistics.mean(len(body) for body in bodies),
    }


async def _listed(url: str, expected: int) -> tuple[int, int]:
    listed: list[str] = []
    cursor = None
    async with httpx.AsyncClient(
        base_url=url, headers={"Authorization": f"Bearer {KEY}"}, timeout=60
    ) as http:
        for _ in range(expected // 500 + 2):
            params: dict[str, Any] = {"limit": 500, **({"cursor": cursor} if cursor else {})}
            page = (await http.get("/v1/jobs", params=params)).json()
            listed += [job["id"] for job in page["items"]]
            cursor = page["next_cursor"]
            if cursor is None:
                break
    return len(listed), len(set(listed))


def _warm_up_jobs(workers: int) -> int:
    return 2 * workers


def _quantile(values: list[float], q: float) -> float:
    return values[min(len(values) - 1, int(q * len(values)))] if values else float("nan")


async def _warm_up(url: str, jobs: int) -> None:
    """Run a few jobs first: worker start-up (imports, JIT compilation) is not steady state."""
    async with httpx.AsyncClient(
        base_url=url, headers={"Authorization": f"Bearer {KEY}"}, timeout=60
    ) as http:
        for index in range(jobs):
            (await http.post("/v1/jobs", json=order_job(-1 - index))).raise_for_status()
        await _wait_idle(http)


def _one_repeat(args: argparse.Namespace, order_of_modes: tuple[str, ...]) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="smartwms-bench-") as tmp:
        server = Server(Path(tmp) / "data", args.workers)
        try:
            asyncio.run(_warm_up(server.url, _warm_up_jobs(args.workers)))
            runs = {
                mode: asyncio.run(_mode(server.url, mode, args.submissions, args.clients))
                for mode in order_of_modes
            }
            listed, unique = asyncio.run(_listed(server.url, 2 * args.submissions))
            listed -= _warm_up_jobs(args.workers)
            unique -= _warm_up_jobs(args.workers)
        finally:
            server.stop()
    return {"modes": runs, "listed": listed, "unique": unique}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--submissions", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    load_before = os.getloadavg()[0]
    repeats = []
    for repeat in range(args.repeats):
        order_of_modes = MODES if repeat % 2 == 0 else MODES[::-1]
        result = _one_repeat(args, order_of_modes)
        repeats.append(result)
        for mode in order_of_modes:
            run = result["modes"][mode]
            lat = run["latencies"]
            print(
                f"run {repeat + 1} {mode}: p50 {1000 * _quantile(lat, 0.5):.1f} ms, "
                f"p99 {1000 * _quantile(lat, 0.99):.1f} ms, max {1000 * lat[-1]:.1f} ms, "
                f"errors {len(run['errors'])} {dict(collections.Counter(run['errors']))}, "
                f"{args.submissions / run['finished_s']:.1f} jobs/s",
                file=sys.stderr,
            )

    def figure(mode: str, key: Any, scale: float = 1.0, digits: int = 1) -> str:
        values = [key(r["modes"][mode]) * scale for r in repeats]
        text = f"{statistics.median(values):.{digits}f}"
        if len(values) > 1 and min(values) != max(values):
            text += f" ({min(values):.{digits}f}-{max(values):.{digits}f})"
        return text

    def total(mode: str, key: Any) -> str:
        return str(sum(key(r["modes"][mode]) for r in repeats))

    table = Table(
        title=(
            f"smartwms serve: {args.submissions} submissions from {args.clients} clients per "
            f"mode, {args.workers} workers; median (min-max) of {args.repeats} runs, both modes "
            f"against the same server in each run (load average before: {load_before:.1f} on "
            f"{os.cpu_count()} cores)"
        )
    )
    table.add_column("figure")
    for mode in MODES:
        table.add_column(mode, justify="right")
    table.add_column("goal", justify="right")
    n = args.submissions
    rows: list[tuple[str, Any, str]] = [
        ("request body (bytes)", lambda m: figure(m, lambda r: r["body_bytes"], digits=0), ""),
        ("submit errors (all runs)", lambda m: total(m, lambda r: len(r["errors"])), "0"),
    ]
    for q, label in ((0.5, "p50"), (0.9, "p90"), (0.99, "p99")):
        rows.append(
            (
                f"submit {label} (ms)",
                lambda m, q=q: figure(m, lambda r: _quantile(r["latencies"], q), 1000),
                "<= 100" if label == "p99" else "",
            )
        )
    rows += [
        ("submit max (ms)", lambda m: figure(m, lambda r: r["latencies"][-1], 1000), ""),
        ("submissions per second", lambda m: figure(m, lambda r: n / r["submitted_s"], 1, 0), ""),
        ("jobs completed per second", lambda m: figure(m, lambda r: n / r["finished_s"]), ""),
        (
            "jobs succeeded (all runs)",
            lambda m: total(m, lambda r: r["succeeded"]),
            str(n * len(repeats)),
        ),
    ]
    for label, cell, goal in rows:
        table.add_row(label, *(cell(mode) for mode in MODES), goal)
    listed = sum(r["listed"] for r in repeats)
    unique = sum(r["unique"] for r in repeats)
    Console(width=130).print(table)
    print(
        f"jobs listed / unique over both modes and all runs: {listed} / {unique} "
        f"(expected {2 * n * len(repeats)})"
    )


if __name__ == "__main__":
    main()
