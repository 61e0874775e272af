"""The ``kimedition`` command: a thin layer over the library.

Each command parses its options and calls one library function; formatting of results
lives here. Library errors are :class:`~kimedition.errors.KimeditionError` and print as
one line; anything unexpected prints one line asking for a report, with exit code 3.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import click

from . import __version__
from .build import build as build_edition
from .corpus import display_path
from .edition import Edition
from .errors import EXIT_INTERNAL, UsageError
from .reporting import FORMATS, format_junit, github_summary, render, summary_line
from .validate import validate as validate_edition

ISSUES_URL = "https://github.com/kimedition/kimedition/issues"


class KimeditionGroup(click.Group):
    """A group that turns unexpected exceptions into one line and exit code 3."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            ctx.exit(130)
        except BrokenPipeError:
            ctx.exit(1)
        except Exception as error:  # the last line of defence: never a traceback
            if os.environ.get("KIMEDITION_DEBUG"):
                raise
            click.echo(
                f"kimedition: internal error: {error.__class__.__name__}: {error}. "
                f"This is a bug; please report it at {ISSUES_URL} "
                "(set KIMEDITION_DEBUG=1 to see the traceback).",
                err=True,
            )
            ctx.exit(EXIT_INTERNAL)


@click.group(cls=KimeditionGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "-C",
    "--directory",
    "directory",
    type=click.Path(file_okay=False, path_type=Path),
    default=".",
    show_default="the current folder",
    help="The edition folder (holding tei/).",
)
@click.version_option(__version__, prog_name="kimedition")
@click.pass_context
def cli(ctx: click.Context, directory: Path) -> None:
    """Validate and publish a scholarly edition encoded in TEI.

    \b
    Set-up free use, from an edition folder:
        kimedition validate          check every source
        kimedition build             validate, then publish into output/
    """
    ctx.obj = directory


def _edition(ctx: click.Context) -> Edition:
    return Edition.open(ctx.obj)


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="text",
    show_default=True,
    help="How to print problems: text lines, JSON, JUnit XML or GitHub annotations.",
)
@click.option("--strict", is_flag=True, help="Fail on warnings too.")
@click.option(
    "--junit-xml",
    "junit_xml",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Also write a JUnit XML report to this file.",
)
@click.option("-q", "--quiet", is_flag=True, help="Do not print the summary line.")
@click.pass_context
def validate(
    ctx: click.Context,
    paths: tuple[Path, ...],
    fmt: str,
    strict: bool,
    junit_xml: Path | None,
    quiet: bool,
) -> None:
    """Check the edition's sources: XML, RELAX NG, Schematron, references.

    With no PATH, checks every document and register; with PATHs (files or folders
    under tei/), checks those, still resolving references and ids against the whole
    corpus. Prints one line per problem, ``path:line:col: severity: message [rule]``.

    Exit codes: 0 valid, 1 invalid (or warnings under --strict), 2 usage error.

    \b
    Examples:
        kimedition validate
        kimedition validate tei/documents/kim-1950-04-stalin-kim-pak.xml
        kimedition validate --format github --junit-xml report.xml
    """
    report = validate_edition(_edition(ctx), list(paths) or None)
    output = render(report, fmt, strict)
    if output:
        click.echo(output, nl=False)
    if junit_xml is not None:
        try:
            junit_xml.write_text(format_junit(report, strict), encoding="utf-8")
        except OSError as error:
            raise UsageError(
                f"{junit_xml}: cannot write the JUnit report: {error.strerror}"
            ) from None
    summary_file = os.environ.get("GITHUB_STEP_SUMMARY")
    if fmt == "github" and summary_file:
        try:
            with open(summary_file, "a", encoding="utf-8") as handle:
                handle.write(github_summary(report, strict))
        except OSError as error:
            click.echo(f"cannot write the GitHub summary: {error.strerror}", err=True)
    if not quiet:
        click.echo(summary_line(report), err=True)
    if report.failed(strict):
        ctx.exit(1)


@cli.command()
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Output folder.  [default: output/ in the edition folder]",
)
@click.option("--strict", is_flag=True, help="Do not build when validation finds warnings.")
@click.option(
    "--base-url",
    default="",
    metavar="URL",
    help="The edition's public address, used in citations and stable links.",
)
@click.option("-q", "--quiet", is_flag=True, help="No progress and no summary.")
@click.pass_context
def build(ctx: click.Context, out: Path | None, strict: bool, base_url: str, quiet: bool) -> None:
    """Validate the edition, then publish it: HTML, plain text, indexes and data.

    Writes into a temporary folder next to the output and swaps it in at the end, so
    the output is never half-written; when validation finds errors, or the build fails,
    nothing is written and the previous output stays as it was.

    \b
    Examples:
        kimedition build
        kimedition build --out /tmp/site --base-url https://example.org/kim/
    """
    edition = _edition(ctx)
    show = not quiet and sys.stderr.isatty()
    bars: dict[str, Any] = {}

    def progress(phase: str, done: int, total: int) -> None:
        if not show:
            return
        if phase not in bars:
            bars[phase] = click.progressbar(length=total, label=f"{phase:<10}", file=sys.stderr)
            bars[phase].__enter__()
        bars[phase].update(1)
        if done == total:
            bars.pop(phase).__exit__(None, None, None)

    result = build_edition(edition, out, strict=strict, base_url=base_url, progress=progress)
    for problem in result.report.problems:
        click.echo(problem.format(), err=True)
    if not quiet:
        click.echo(
            f"built {result.documents} documents into {display_path(result.out)} "
            f"({len(result.files)} files; {summary_line(result.report)})",
            err=True,
        )


def main() -> None:
    """Entry point for ``python -m kimedition``."""
    cli(prog_name="kimedition")


if __name__ == "__main__":  # pragma: no cover
    main()
