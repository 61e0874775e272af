"""Errors a user can cause, each with its exit code.

Every error the library raises for a user's mistake is a :class:`KimeditionError`; the
command line prints its message on one line and exits with its code, without a
traceback. Exit codes follow the conventions of validators and compilers:

- 1: the edition is invalid (or, under ``--strict``, has warnings);
- 2: the command was used wrongly: a bad path, option or an unloadable schema;
- 3: an internal error: a bug to report.
"""

from __future__ import annotations

import click

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
    """Validation found errors; the problems were already reported."""

    exit_code = EXIT_INVALID


class BuildError(KimeditionError):
    """A build could not finish; the previous output is left as it was."""

    exit_code = EXIT_INVALID


class LockedError(KimeditionError):
    """Another build is writing the same output folder."""

    exit_code = EXIT_INVALID
