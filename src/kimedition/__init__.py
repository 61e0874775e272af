"""kimedition: validate and publish scholarly digital editions in TEI."""

from __future__ import annotations

__version__ = "0.1.0"

from .edition import Edition
from .errors import KimeditionError
from .problems import Problem, Severity
from .validate import ValidationReport, validate

__all__ = [
    "Edition",
    "KimeditionError",
    "Problem",
    "Severity",
    "ValidationReport",
    "__version__",
    "validate",
]
