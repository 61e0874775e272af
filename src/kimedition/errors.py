"""Errors a user can cause, each with its exit code.

Every error the library raises for a user's mistake is a :class:`KimeditionError`; the
command line prints its message on one line and exits with its code, without a
traceback. Exit codes follow the conventions of validators and compilers:

- 1: the edition is invalid (or, under ``--strict``, has warnings);
- 2: the command was used wrongly: a bad path, option or an unloadable schema;
- 3: an internal error: a bug to report.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from .problems import Problem

EXIT_INVALID = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 3


class KimeditionError(click.ClickException):
    """A failure the user can act on; the message says what to do."""

    exit_code = EXIT_INVALID

    def format_message(self) -> str:
        return self.message


class UsageError(KimeditionError):
    """A bad path, option or configuration: the command cannot start."""

    exit_code = EXIT_USAGE


class SchemaError(KimeditionError):
    """The schema or a stylesheet cannot be loaded or compiled."""

    exit_code = EXIT_USAGE


class InvalidEdition(KimeditionError):
    """Validation found errors; ``problems`` holds them, the message lists them."""

    exit_code = EXIT_INVALID

    def __init__(self, message: str, problems: Sequence[Problem] = ()) -> None:
        super().__init__(message)
        self.problems = list(problems)


class BuildError(KimeditionError):
    """A build could not finish; the previous output is left as it was."""

    exit_code = EXIT_INVALID


class LockedError(KimeditionError):
    """Another build is writing the same output folder."""

    exit_code = EXIT_INVALID
