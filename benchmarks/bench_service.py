"""Solve-job service under load: 1,000 submissions from 50 concurrent clients.

Starts ``smartwms serve`` on 127.0.0.1 (a free port, a temporary data directory, the embedded
SQLite store and local workers), fires the submissions, waits until every job has finished,
checks that none failed, was lost or was duplicated, and stops the server. Prints submit latency
(p50/p90/p99/max, goal p99 <= 100 ms) and jobs completed per second.

    .venv/bin/python benchmarks/bench_service.py [--submissions 1000] [--clients 50]
        [--workers 2] [--repeats 3]

Each job routes one small order (the exact method): the typical WMS call of a picker tour.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
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

import httpx
from rich.console import Console
from rich.table import Table

KEY = "bench-key"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def order_job(index: int) -> dict[str, Any]:
    """A routing job for one order of 5 lines in a 10-aisle warehouse (varies with index)."""
    aisles, cells = 10, 20
    locations = [
        {"id": f"A{a}-C{c}", "aisle": a, "cell": c} for a in range(aisles) for c in range(cells)
    ]
    lines = [{"sku": f"S{(index * 37 + k * 41) % len(locations)}"} for k in range(5)]
    return {
        "kind": "routing",
        "time_limit": 30,
        "payload": {
            "instance": {
                "layout": {
                    "kind": "parallel-aisle",
                    "n_aisles": aisles,
                    "aisle_spacing": 3,
                    "cells_per_block": cells,
                    "cell_length": 1,
                },
                "locations": locations,
                "skus": [{"id": f"S{i}"} for i in range(len(locations))],
                "stock": [
                    {"sku": f"S{i}", "location": loc["id"]} for i, loc in enumerate(locations)
                ],
                "orders": [{"id": f"O{index}", "lines": lines}],
                "stations": [{"id": "depot", "aisle": 0, "cross_aisle": 1}],
            },
            "method": "optimal",
        },
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
    http: httpx.AsyncClient, jobs: list[dict[str, Any]], latencies: list[float], errors: list[str]
) -> None:
    for job in jobs:
        started = time.perf_counter()
        try:
            answer = await http.post("/v1/jobs", json=job)
        except httpx.HTTPError as exc:
            errors.append(type(exc).__name__)
            continue
        latencies.append(time.perf_counter() - started)
        if answer.status_code != 202:
            errors.append(f"HTTP {answer.status_code}")


async def _run(url: str, submissions: int, clients: int) -> dict[str, Any]:
    bodies = [order_job(i) for i in range(submissions)]
    latencies: list[float] = []
    errors: list[str] = []
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(
        base_url=url, headers={"Authorization": f"Bearer {KEY}"}, limits=limits, timeout=60
    ) as http:
        started = time.perf_counter()
        await asyncio.gather(
            *(_client(http, bodies[c::clients], latencies, errors) for c in range(clients))
        )
        submitted = time.perf_counter() - started
        deadline = time.monotonic() + 600
        counts: dict[str, int] = {}
        while time.monotonic() < deadline:
            counts = (await http.get("/readyz")).json()["detail"]["jobs"]
            if counts["queued"] == 0 and counts["running"] == 0:
                break
            await asyncio.sleep(0.05)
        finished = time.perf_counter() - started
        listed: list[str] = []
        cursor = None
        for _ in range(submissions // 500 + 2):
            params: dict[str, Any] = {"limit": 500, **({"cursor": cursor} if cursor else {})}
            page = (await http.get("/v1/jobs", params=params)).json()
            listed += [job["id"] for job in page["items"]]
            cursor = page["next_cursor"]
            if cursor is None:
                break
    return {
        "latencies": sorted(latencies),
        "errors": errors,
        "submitted_s": submitted,
        "finished_s": finished,
        "counts": counts,
        "listed": len(listed),
        "unique": len(set(listed)),
    }


def _quantile(values: list[float], q: float) -> float:
    return values[min(len(values) - 1, int(q * len(values)))] if values else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--submissions", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    load_before = os.getloadavg()[0]
    runs = []
    for repeat in range(args.repeats):
        with tempfile.TemporaryDirectory(prefix="smartwms-bench-") as tmp:
            server = Server(Path(tmp) / "data", args.workers)
            try:
                run = asyncio.run(_run(server.url, args.submissions, args.clients))
            finally:
                server.stop()
        runs.append(run)
        lat = run["latencies"]
        print(
            f"run {repeat + 1}: p50 {1000 * _quantile(lat, 0.5):.1f} ms, "
            f"p99 {1000 * _quantile(lat, 0.99):.1f} ms, errors {len(run['errors'])}, "
            f"{args.submissions / run['finished_s']:.1f} jobs/s "
            f"{dict(collections.Counter(run['errors']))}",
            file=sys.stderr,
        )

    def median(key: Any) -> float:
        return statistics.median(key(run) for run in runs)

    table = Table(
        title=(
            f"smartwms serve: {args.submissions} submissions from {args.clients} clients, "
            f"{args.workers} workers, median of {args.repeats} runs "
            f"(load average before: {load_before:.1f} on {os.cpu_count()} cores)"
        )
    )
    table.add_column("figure")
    table.add_column("measured", justify="right")
    table.add_column("goal", justify="right")
    p99 = median(lambda r: _quantile(r["latencies"], 0.99)) * 1000
    rows = [
        ("submit errors (all runs)", str(sum(len(r["errors"]) for r in runs)), "0"),
        ("submit p50 (ms)", f"{median(lambda r: _quantile(r['latencies'], 0.5)) * 1000:.1f}", ""),
        ("submit p90 (ms)", f"{median(lambda r: _quantile(r['latencies'], 0.9)) * 1000:.1f}", ""),
        ("submit p99 (ms)", f"{p99:.1f}", "<= 100"),
        ("submit max (ms)", f"{median(lambda r: r['latencies'][-1]) * 1000:.1f}", ""),
        (
            "submissions per second",
            f"{median(lambda r: args.submissions / r['submitted_s']):.0f}",
            "",
        ),
        (
            "jobs completed per second",
            f"{median(lambda r: args.submissions / r['finished_s']):.1f}",
            "",
        ),
        (
            "jobs succeeded (all runs)",
            str(sum(r["counts"].get("succeeded", 0) for r in runs)),
            str(args.submissions * len(runs)),
        ),
        (
            "jobs listed / unique (all runs)",
            f"{sum(r['listed'] for r in runs)} / {sum(r['unique'] for r in runs)}",
            str(args.submissions * len(runs)),
        ),
    ]
    for row in rows:
        table.add_row(*row)
    Console().print(table)


if __name__ == "__main__":
    main()
