"""kimedition: validate and publish scholarly digital editions in TEI."""

from __future__ import annotations

__version__ = "0.1.0"

from .edition import Edition  # noqa: E402
from .errors import KimeditionError  # noqa: E402
from .problems import Problem, Severity  # noqa: E402
from .validate import ValidationReport, validate  # noqa: E402

__all__ = [
    "Edition",
    "KimeditionError",
    "Problem",
    "Severity",
    "ValidationReport",
    "__version__",
    "validate",
]
