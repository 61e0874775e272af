"""The ``kimedition`` command: a thin layer over the library.

Each command parses its options and calls one library function; formatting of results
lives here. Library errors are :class:`~kimedition.errors.KimeditionError` and print as
one line; anything unexpected prints one line asking for a report, with exit code 3.
"""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click
from click.shell_completion import CompletionItem

from . import __version__
from .build import Interrupted, check_base_url
from .build import build as build_edition
from .corpus import display_path
from .edition import Edition
from .errors import EXIT_INTERNAL, UsageError
from .links import Link, one_line
from .links import check_links as check_output_links
from .new import NewDocument, complete_parties, complete_types, create_document
from .parsing import DEFAULT_MAX_BYTES
from .reporting import (
    FORMATS,
    check_report_path,
    github_summary,
    render,
    summary_line,
    write_junit,
)
from .serve import DEFAULT_HOST, DEFAULT_PORT, Preview, is_loopback
from .suggest import suggest as suggest_names
from .validate import validate as validate_edition
from .watchdog import DEFAULT_TIMEOUT

REPORT_HINT = (
    "please report it to the kimedition maintainers, with the command you ran and this line"
)


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
        except Interrupted:  # SIGTERM during a build; the output was left as it was
            click.echo("terminated: the build stopped; the previous output is unchanged", err=True)
            ctx.exit(143)
        except BrokenPipeError:
            ctx.exit(1)
        except Exception as error:  # the last line of defence: never a traceback
            if os.environ.get("KIMEDITION_DEBUG"):
                raise
            detail = " ".join(str(error).split())
            click.echo(
                f"kimedition: internal error: {error.__class__.__name__}: {detail}. "
                f"This is a bug; {REPORT_HINT} "
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


F = TypeVar("F", bound=Callable[..., Any])


def run_options(function: F) -> F:
    """Options shared by the commands that read the whole corpus."""
    options = [
        click.option(
            "-j",
            "--jobs",
            type=click.IntRange(min=1),
            default=None,
            help="Worker processes.  [default: one per core]",
        ),
        click.option(
            "--timeout",
            type=click.FloatRange(min=0, min_open=True),
            default=DEFAULT_TIMEOUT,
            show_default=True,
            help="Seconds one file may take in one stage before the run is stopped.",
        ),
        click.option(
            "--max-file-size",
            "max_file_size",
            type=click.IntRange(min=1),
            default=DEFAULT_MAX_BYTES // (1024 * 1024),
            show_default=True,
            help="Largest source file accepted, in MB.",
        ),
    ]
    for option in reversed(options):
        function = option(function)
    return function


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
@click.option(
    "--changed-since",
    "changed_since",
    metavar="REF",
    help="Check only the sources changed since the git revision REF (committed, staged, "
    "unstaged or untracked), still against the whole corpus; all of them when "
    "tei/edition.xml, a register or the schema changed, because every document is "
    "checked against those.",
)
@click.option(
    "--no-cache",
    "no_cache",
    is_flag=True,
    help="Check every file afresh and keep nothing for the next run (by default the "
    "results of unchanged files are reused from the user's cache folder, "
    "$KIMEDITION_CACHE_DIR or ~/.cache/kimedition).",
)
@run_options
@click.pass_context
def validate(
    ctx: click.Context,
    paths: tuple[Path, ...],
    fmt: str,
    strict: bool,
    junit_xml: Path | None,
    quiet: bool,
    changed_since: str | None,
    no_cache: bool,
    jobs: int | None,
    timeout: float,
    max_file_size: int,
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
        kimedition validate --changed-since origin/main
    """
    edition = _edition(ctx)
    if junit_xml is not None:
        check_report_path(edition, junit_xml)
    report = validate_edition(
        edition,
        list(paths) or None,
        max_file_size * 1024 * 1024,
        changed_since,
        jobs=jobs,
        timeout=timeout,
        cache=not no_cache,
    )
    output = render(report, fmt, strict)
    if output:
        click.echo(output, nl=False)
    if junit_xml is not None:
        write_junit(junit_xml, report, strict)
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


def _public_url(ctx: click.Context, param: click.Parameter, value: str) -> str:
    """Accept only an http(s) address for --base-url: it is written into every page."""
    try:
        return check_base_url(value)
    except UsageError as error:
        raise click.BadParameter(error.message) from None


@cli.command()
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Output folder, replaced whole: a new or empty folder, or an earlier output.  "
    "[default: output/ in the edition folder]",
)
@click.option("--strict", is_flag=True, help="Do not build when validation finds warnings.")
@click.option(
    "--base-url",
    default="",
    metavar="URL",
    callback=_public_url,
    help="The edition's public address: the http(s) folder its pages are published in "
    "(a final / is added), used in citations and stable links.",
)
@click.option("-q", "--quiet", is_flag=True, help="No progress and no summary.")
@run_options
@click.pass_context
def build(
    ctx: click.Context,
    out: Path | None,
    strict: bool,
    base_url: str,
    quiet: bool,
    jobs: int | None,
    timeout: float,
    max_file_size: int,
) -> None:
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

    result = build_edition(
        edition,
        out,
        strict=strict,
        base_url=base_url,
        jobs=jobs,
        timeout=timeout,
        max_bytes=max_file_size * 1024 * 1024,
        progress=progress,
    )
    for problem in result.report.problems:
        click.echo(problem.format(), err=True)
    if not quiet:
        documents = f"{result.documents} document{'s' if result.documents != 1 else ''}"
        click.echo(
            f"built {documents} into {display_path(result.out)} "
            f"({len(result.files)} files; {summary_line(result.report)})",
            err=True,
        )


def _root(ctx: click.Context) -> Path:
    """The edition folder during shell completion, when the group has not run yet."""
    return Path(ctx.find_root().params.get("directory") or ".")


def _complete_types(
    ctx: click.Context, param: click.Parameter, incomplete: str
) -> list[CompletionItem]:
    return [CompletionItem(v, help=h) for v, h in complete_types(_root(ctx), incomplete)]


def _complete_parties(
    ctx: click.Context, param: click.Parameter, incomplete: str
) -> list[CompletionItem]:
    return [CompletionItem(v, help=h) for v, h in complete_parties(_root(ctx), incomplete)]


@cli.command()
@click.option(
    "--date",
    required=True,
    metavar="DATE",
    help="YYYY, YYYY-MM or YYYY-MM-DD; a period as START/END (1956-08-29/1956-09-14).",
)
@click.option("--title", required=True, help="The record's title, as the source gives it.")
@click.option(
    "--type",
    "doc_type",
    required=True,
    metavar="TYPE",
    shell_complete=_complete_types,
    help="The document type: a category of tei/edition.xml, without type- (telegram).",
)
@click.option("--slug", help="The end of the id and file name.  [default: from the title]")
@click.option(
    "--sender",
    "senders",
    multiple=True,
    metavar="ID",
    shell_complete=_complete_parties,
    help="A sender: the register id of a person or organisation. Repeatable.",
)
@click.option(
    "--addressee",
    "addressees",
    multiple=True,
    metavar="ID",
    shell_complete=_complete_parties,
    help="An addressee: the register id of a person or organisation. Repeatable.",
)
@click.option(
    "--written",
    metavar="TEXT",
    help='The date as the source writes it.  [default: like "October 02, 1956"]',
)
@click.option("--today", hidden=True, envvar="KIMEDITION_TODAY", help="The day of creation.")
@click.pass_context
def new(
    ctx: click.Context,
    date: str,
    title: str,
    doc_type: str,
    slug: str | None,
    senders: tuple[str, ...],
    addressees: tuple[str, ...],
    written: str | None,
    today: str | None,
) -> None:
    """Start a new document from the edition's template, and print its path.

    Fills tei/templates/document.xml: the id and file name PREFIX-DATE-SLUG, the
    title (in the header and as the head), the type, the date, and, for letters,
    telegrams and reports, the sender(s) and addressee(s) with their standard names.
    The file is valid as it is; write the summary in its empty paragraph, then tag
    the names (kimedition suggest) and dates. Never overwrites a file.

    Exit codes: 0 written, 1 the file or id exists already, 2 usage error (a bad
    date, an unknown type or id: the message names the closest ones).

    \b
    Examples:
        kimedition new --date 1950-05-12 --type ciphered-telegram \\
            --title "Ciphered Telegram, Shtykov to Vyshinsky" \\
            --sender shtykov --addressee vyshinsky
        kimedition new --date 1956-08-29/1956-09-14 --type diary --slug ivanov-diary \\
            --title "Diary of V.I. Ivanov"
    """
    request = NewDocument(
        date=date,
        title=title,
        type=doc_type,
        slug=slug,
        senders=senders,
        addressees=addressees,
        written=written,
        today=today,
    )
    path = create_document(_edition(ctx), request)
    click.echo(display_path(path))


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--write",
    is_flag=True,
    help="Apply the unambiguous proposals to the files (markup only), then validate them.",
)
@click.pass_context
def suggest(ctx: click.Context, paths: tuple[Path, ...], write: bool) -> None:
    """Find registered names the documents mention without tagging them.

    Looks in the text of every document (or of the documents in PATHs) for every
    name and variant of the registers, across spellings: case, spaces, hyphens,
    apostrophes, diacritics and, for names the registers mark xml:lang="ko-Latn",
    McCune-Reischauer and Revised Romanization (Pak Hon-yong, Pak Heon-yeong).
    Prints a unified diff, one hunk per name, each after a line saying which entry
    the name belongs to and why it matched. Ambiguous names (of two entries) and
    names tagged with another entry are listed, never applied.

    Nothing is written unless --write: then only markup is added (the text stays
    identical), and the changed files are validated again.

    Exit codes: 0 nothing to suggest, 1 suggestions (with --write: something left to
    tag by hand, or a changed file is invalid), 2 usage error.

    \b
    Examples:
        kimedition suggest
        kimedition suggest tei/documents/kim-1950-04-stalin-kim-pak.xml
        kimedition suggest > names.diff && git apply --unidiff-zero names.diff
        kimedition suggest --write
    """
    report = suggest_names(_edition(ctx), list(paths), write=write)
    if report.diff:
        click.echo(report.diff, nl=False)
    for problem in report.problems:
        click.echo(problem.format(), err=True)
    for path in report.written:
        click.echo(f"{display_path(path)}: names tagged", err=True)
    if report.validation is not None:
        for problem in report.validation.problems:
            click.echo(problem.format(), err=True)
        click.echo(f"validation: {summary_line(report.validation)}", err=True)
    click.echo(report.summary(), err=True)
    if report.failed:
        ctx.exit(1)


@cli.command("check-links")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="The built output folder.  [default: output/ in the edition folder]",
)
@click.option(
    "--external",
    is_flag=True,
    help="Also list the links to other sites (never fetched; they do not fail the check).",
)
@click.pass_context
def check_links(ctx: click.Context, out: Path | None, external: bool) -> None:
    """Check that every internal link and anchor of the built HTML resolves.

    Reads every page under OUT/html (run kimedition build first) and checks each
    relative link: the file exists inside html/ (a folder needs an index.html), and
    the #fragment names an id of the target page. Links to other sites are never
    fetched. Prints one line per broken link,
    ``path:line:col: error: broken link "HREF": reason [link]``, then a summary.

    Exit codes: 0 every link resolves, 1 broken links, 2 no built HTML.

    \b
    Examples:
        kimedition build && kimedition check-links
        kimedition check-links --out /tmp/site --external
    """
    folder = out if out is not None else _edition(ctx).default_output
    report = check_output_links(folder, external=external)

    def where(link: Link) -> str:
        return f"{display_path(report.root / link.page)}:{link.line}:{link.column}"

    for page, reason in report.unreadable:
        click.echo(one_line(f"{display_path(report.root / page)}:0:0: error: {reason} [link]"))
    for broken in report.broken:
        link = broken.link
        line = f'{where(link)}: error: broken link "{link.href}": {broken.reason} [link]'
        click.echo(one_line(line))
    for link in report.external:
        click.echo(one_line(f'{where(link)}: note: external link "{link.href}" [external]'))
    count = len(report.broken)
    summary = (
        f"checked {report.links:,} link{'s' if report.links != 1 else ''} in "
        f"{report.pages:,} page{'s' if report.pages != 1 else ''}: "
        + (f"{count} broken" if count else "no broken links")
    )
    if report.unreadable:
        summary += f", {len(report.unreadable)} unreadable page(s)"
    if external:
        summary += f"; {len(report.external)} external link(s) listed, not checked"
    click.echo(summary, err=True)
    if not report.ok:
        ctx.exit(1)


@cli.command()
@click.option(
    "--host",
    default=DEFAULT_HOST,
    show_default=True,
    help="The address to listen on; anything but a loopback address makes the preview "
    "visible on the network.",
)
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=DEFAULT_PORT,
    show_default=True,
    help="The port; 0 picks a free one.",
)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Output folder to build into and serve.  [default: output/ in the edition folder]",
)
@click.option("--no-watch", "no_watch", is_flag=True, help="Build once; do not rebuild on saves.")
@click.pass_context
def serve(ctx: click.Context, host: str, port: int, out: Path | None, no_watch: bool) -> None:
    """Preview the edition on a local web server, rebuilt on every save.

    Builds the edition (incrementally, into output/), serves OUT/html at
    http://127.0.0.1:8000/, then rebuilds whenever a source, register, template,
    schema or stylesheet is saved, and reloads the open page. When validation fails,
    the previous output stays served and the page lists the problems. The files
    written are the same as kimedition build writes: the reload script exists only in
    the preview.

    Exit codes: 0 stopped with Ctrl-C, 2 usage error (the port is in use: choose
    another with --port).

    \b
    Examples:
        kimedition serve
        kimedition serve --port 0 --no-watch
    """
    edition = _edition(ctx)
    if not is_loopback(host):
        click.echo(
            f"warning: listening on {host}: the preview is visible to anyone on the network "
            "who can reach this machine",
            err=True,
        )
    preview = Preview(
        edition,
        out,
        host=host,
        port=port,
        watch=not no_watch,
        echo=lambda line: click.echo(line, err=True),
    )
    try:
        preview.start()
        watched = " and ".join(f"{edition.relative(p)}/" for p in preview.watched_paths())
        what = "no rebuilds" if no_watch else f"rebuilding on changes in {watched}"
        click.echo(
            f"serving {display_path(preview.root)} at {preview.url} ({what}; Ctrl-C to stop)"
        )
        while not preview.wait(0.5):
            pass
    except KeyboardInterrupt:
        preview.stop()
        click.echo("stopped", err=True)


COLLECTOR_THRESHOLDS = (50_000, 20, 10)
"""The cycle collector's thresholds in the command's process (Python's are 700, 10, 10)."""


def main() -> None:
    """Entry point of the ``kimedition`` command and of ``python -m kimedition``: runs
    the command and exits with its status."""
    # A build or a validation reads the state of every file, hundreds of thousands of
    # objects that live until the end: with Python's thresholds the collector traverses
    # them again and again while they are read (0.15 s at 10,000 documents), to find
    # no garbage.
    gc.set_threshold(*COLLECTOR_THRESHOLDS)
    try:
        cli(prog_name="kimedition")
    finally:
        # The process ends here; left to the collector, its last collection would
        # traverse everything the command held (about 0.2 s after a large build).
        gc.freeze()


if __name__ == "__main__":  # pragma: no cover
    main()
