"""Property-based requests generated from api/openapi.json: no answer is a 5xx.

Bounded on purpose (a few examples per operation) to keep the suite fast; every error answer
must also be problem+json.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig

from smartwms.service import ServiceSettings, create_app

API = Path(__file__).resolve().parents[2] / "api"
# Fuzzing only: the coverage phase alone would try hundreds of boundary values per field of the
# (large) instance schema; the suite's budget keeps this run to a few examples per operation.
_CONFIG = SchemathesisConfig.from_dict(
    {"phases": {"coverage": {"enabled": False}, "stateful": {"enabled": False}}}
)
schema = schemathesis.openapi.from_path(API / "openapi.json", config=_CONFIG)


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    data = tmp_path_factory.mktemp("schemathesis")
    application = create_app(
        ServiceSettings(
            data_dir=data,
            api_keys="fuzz=fuzz-key",
            workers=1,
            sync_time_limit=1.0,
            max_time_limit=5.0,
        )
    )
    with TestClient(application) as test_client:  # runs the lifespan: store and workers
        yield test_client


def _send(client: TestClient, case: schemathesis.Case, headers: dict[str, str]) -> Any:
    """Send a generated request through the in-process client (the app's own ASGI stack)."""
    kwargs = case.as_transport_kwargs(base_url="http://testserver", headers=headers)
    kwargs.pop("cookies", None)
    if "data" in kwargs:
        kwargs["content"] = kwargs.pop("data")
    return client.request(**kwargs)


@schema.parametrize()
@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_no_server_errors(case: schemathesis.Case, client: TestClient) -> None:
    for headers in ({"Authorization": "Bearer fuzz-key"}, {}):
        response = _send(client, case, headers)
        assert response.status_code < 500, (case.method, case.path, response.text[:500])
        if response.status_code >= 400:
            assert response.headers["content-type"] == "application/problem+json"
