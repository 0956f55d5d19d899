#!/usr/bin/env python3
"""Set up and run smartwms with nothing but Python installed.

    python3 dev.py demo      # the end-to-end demo
    python3 dev.py test      # the test suite
    python3 dev.py lint      # ruff (lint + format check) and mypy on src/
    python3 dev.py smartwms ARGS...   # any smartwms command

Each creates ``.venv`` and installs the project into it (editable, with the ``dev`` extra)
when it is missing or when pyproject.toml changed since the last install.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / ("python.exe" if os.name == "nt" else "python")
STAMP = VENV / ".smartwms-installed"


def _run(*cmd: str | Path) -> int:
    return subprocess.call([str(c) for c in cmd], cwd=ROOT)


def ensure_env() -> None:
    """Create the virtual environment and install the project when needed."""
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if STAMP.exists() and STAMP.read_text().strip() == wanted and PY.exists():
        return
    if not PY.exists():
        print(f"[dev] creating {VENV}", file=sys.stderr)
        venv.EnvBuilder(with_pip=True).create(VENV)
    print("[dev] installing smartwms and its dependencies (first run takes a minute)", file=sys.stderr)
    pip = [PY, "-m", "pip", "install", "--disable-pip-version-check", "-q"]
    if _run(*pip, "--upgrade", "pip") != 0 or _run(*pip, "-e", f"{ROOT}[dev]") != 0:
        sys.exit("[dev] installation failed")
    # Build the solver kernels' compiled cache now, so a fresh server's first job does not
    # wait for it (a failure here only means the first worker builds it instead).
    _run(PY, "-m", "smartwms.jobs.warm")
    STAMP.write_text(wanted + "\n")


def main(argv: list[str]) -> int:
    if not argv or argv[0] in ("-h", "--help"):
        print(__doc__)
        return 0
    ensure_env()
    command, rest = argv[0], argv[1:]
    if command == "demo":
        return _run(PY, "-m", "smartwms.cli", "demo", *rest)
    if command == "test":
        return _run(PY, "-m", "pytest", "-n", "2", *rest)
    if command == "lint":
        status = _run(PY, "-m", "ruff", "check", "src", "tests", "benchmarks")
        status |= _run(PY, "-m", "ruff", "format", "--check", "src", "tests", "benchmarks")
        status |= _run(PY, "-m", "mypy", "src")
        return status
    if command == "smartwms":
        return _run(PY, "-m", "smartwms.cli", *rest)
    print(f"unknown command {command!r}\n{__doc__}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
