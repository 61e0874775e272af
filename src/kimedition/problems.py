"""Problems found in an edition's files, and how they are ordered."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Severity(StrEnum):
    """How serious a problem is. Errors always fail; warnings fail under ``--strict``."""

    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, order=True)
class Problem:
    """One problem at one place in one file.

    ``path`` is as it should be shown to the user (relative to the current folder when
    possible). ``line`` and ``column`` are 1-based; 0 means the position is unknown.
    ``rule`` names the check that found it: a Schematron rule id, ``rng`` for the
    RELAX NG schema, ``xml`` for well-formedness, ``file`` for unreadable files.
    """

    path: str
    line: int = 0
    column: int = 0
    severity: Severity = field(default=Severity.ERROR, compare=False)
    message: str = field(default="", compare=True)
    rule: str = field(default="", compare=True)

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def format(self) -> str:
        """The one-line form ``path:line:col: severity: message [rule]``."""
        where = self.path
        if self.line:
            where += f":{self.line}"
            if self.column:
                where += f":{self.column}"
        suffix = f" [{self.rule}]" if self.rule else ""
        return f"{where}: {self.severity.value}: {self.message}{suffix}"

    def as_dict(self) -> dict[str, object]:
        return {
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "severity": self.severity.value,
            "rule": self.rule,
            "message": self.message,
        }
