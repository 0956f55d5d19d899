"""The FastAPI solve-job service over :mod:`smartwms.jobs` (``smartwms serve``)."""

from smartwms.service.app import create_app
from smartwms.service.settings import ServiceSettings

__all__ = ["ServiceSettings", "create_app"]
