"""Generator and reader benchmark: seconds to generate, write and read instances.

Target (foundation issue): a 10,000-SKU x 12,000-slot warehouse with 5,000 orders generated
"in seconds". Also times reading the published Foodmart files (skipped with a message when
``../shared/benchmarks`` is absent) and a CSV export round trip.

    .venv/bin/python benchmarks/bench_io.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from rich.console import Console
from rich.table import Table

from smartwms.io import (
    read_csv_folder,
    read_foodmart,
    read_instance,
    write_csv_folder,
    write_instance,
)
from smartwms.layout.generator import PRESETS, GeneratorConfig, generate_instance

SHARED = Path(__file__).resolve().parents[2] / "shared" / "benchmarks"


def _median_seconds(func: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    table = Table(title=f"smartwms instance generation and io (median of {args.repeat})")
    for column in ("what", "size", "seconds"):
        table.add_column(column, justify="right" if column == "seconds" else "left")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for preset, values in PRESETS.items():
            config = GeneratorConfig(**values, assignment="poor")  # type: ignore[arg-type]
            size = (
                f"{config.n_skus:,} SKUs, {config.n_locations:,} slots, {config.n_orders:,} orders"
            )
            seconds = _median_seconds(lambda c=config: generate_instance(c, seed=1), args.repeat)
            table.add_row(f"generate ({preset}, poor)", size, f"{seconds:.2f}")
        large = generate_instance(GeneratorConfig(**PRESETS["large"]), seed=1)  # type: ignore[arg-type]
        path = folder / "large.json"
        table.add_row(
            "write our JSON (large)",
            "",
            f"{_median_seconds(lambda: write_instance(large, path), args.repeat):.2f}",
        )
        table.add_row(
            "read our JSON (large)",
            f"{path.stat().st_size / 1e6:.1f} MB",
            f"{_median_seconds(lambda: read_instance(path), args.repeat):.2f}",
        )
        csv_dir = folder / "csv"
        table.add_row(
            "write CSV folder (large)",
            "",
            f"{_median_seconds(lambda: write_csv_folder(large, csv_dir), args.repeat):.2f}",
        )
        table.add_row(
            "read CSV folder (large)",
            "",
            f"{_median_seconds(lambda: read_csv_folder(csv_dir), args.repeat):.2f}",
        )
    fm = SHARED / "foodmart"
    if fm.is_dir():
        orders = fm / "largeInstances" / "instances_ord5000_fsd10"
        seconds = _median_seconds(
            lambda: read_foodmart(
                fm / "warehouse_16_1_3_1560", fm / "productsDB_1560_locations", orders
            ),
            args.repeat,
        )
        table.add_row(
            "read Foodmart (16 aisles, 5,000 orders)", "1,632 slots, 21,197 lines", f"{seconds:.2f}"
        )
    else:
        Console(stderr=True).print(f"Foodmart data not found at {fm}: its row is skipped")
    Console().print(table)


if __name__ == "__main__":
    main()
