"""smartwms: a warehouse intelligent-logistics optimiser.

Slotting (which SKU lives in which slot), picker routing, AGV dispatch, a SimPy model
that measures what those decisions are worth, and a solve-job API.
"""

from smartwms.errors import (
    InputFileError,
    InstanceValidationError,
    SmartwmsError,
)

__version__ = "0.1.0"

__all__ = [
    "InputFileError",
    "InstanceValidationError",
    "SmartwmsError",
    "__version__",
]
