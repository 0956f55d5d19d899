"""API keys: hashed at rest, from a file or the environment; --no-auth; the key CLI."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from smartwms.cli import app as cli
from smartwms.errors import SmartwmsError
from smartwms.service.auth import KeyRing, hash_key

from .conftest import small_instance


def test_key_file_holds_hashes_only(tmp_path: Path, make_client: Callable[..., Any]) -> None:
    data = tmp_path / "data"
    result = CliRunner().invoke(cli, ["api-key", "carol", "--data-dir", str(data)])
    assert result.exit_code == 0, result.output
    key = result.stdout.strip().splitlines()[-1]
    stored = (data / "api-keys").read_text()
    assert key not in stored and stored.strip() == f"carol {hash_key(key)}"
    assert (data / "api-keys").stat().st_mode & 0o077 == 0
    with make_client(api_keys=None) as client:
        assert client.get("/v1/jobs", headers={"X-API-Key": key}).status_code == 200
        assert client.get("/v1/jobs", headers={"X-API-Key": key + "x"}).status_code == 401


def test_no_keys_refuses_to_start(make_client: Callable[..., Any]) -> None:
    with pytest.raises(SmartwmsError, match="no API keys"), make_client(api_keys=None):
        pass


def test_no_auth_serves_everyone_as_local(make_client: Callable[..., Any]) -> None:
    with make_client(api_keys=None, auth=False) as client:
        answer = client.post(
            "/v1/jobs", json={"kind": "distance-matrix", "payload": {"instance": small_instance()}}
        )
        assert answer.status_code == 202


def test_no_auth_refuses_a_public_host() -> None:
    result = CliRunner().invoke(cli, ["serve", "--no-auth", "--host", "0.0.0.0"])
    assert result.exit_code == 2 and "local use only" in result.output


def test_bad_key_file_line_is_named(tmp_path: Path) -> None:
    path = tmp_path / "keys"
    path.write_text("# comment\nalice sha256:abc\nbroken\n")
    with pytest.raises(SmartwmsError, match=r"keys:3"):
        KeyRing.load(path, None)
    with pytest.raises(SmartwmsError, match="entry 1"):
        KeyRing.load(None, "no-equals-sign")


def test_second_server_on_one_data_dir_is_refused(make_client: Callable[..., Any]) -> None:
    with (
        make_client(),
        pytest.raises(SmartwmsError, match="another smartwms server"),
        make_client(),
    ):
        pass
