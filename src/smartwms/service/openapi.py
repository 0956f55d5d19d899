"""Write the published contract: ``python -m smartwms.service.openapi api/openapi.json``."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from smartwms.service.app import create_app
from smartwms.service.settings import ServiceSettings

__all__ = ["openapi_document", "render_openapi"]


def openapi_document() -> dict[str, Any]:
    """The OpenAPI document of the app (independent of local settings)."""
    return create_app(ServiceSettings(auth=True)).openapi()


def render_openapi() -> str:
    """The document as the stable text stored in ``api/openapi.json``."""
    return json.dumps(openapi_document(), indent=2, sort_keys=True) + "\n"


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("api/openapi.json")
    target.write_text(render_openapi())
    print(f"wrote {target}")
