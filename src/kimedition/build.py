"""``kimedition build``: validate, then publish the edition with XSLT 3.0.

A build runs the two passes of :mod:`kimedition.engine` over every file:

1. the scan pass checks each file and makes each document's catalogue card
   (``xslt/cards.xsl``);
2. the check pass runs the editorial rules and writes each document's HTML page
   (``html-document.xsl``) and plain text (``text-document.xsl``), knowing from the
   cards which documents come before and after it in time.

When validation finds errors nothing is published. Otherwise the cards give the home
page (``html-home.xsl``) and, with the registers, the cumulative indexes
(:mod:`kimedition.indexes`): HTML (``html-index.xsl``), text (``text-index.xsl``), JSON
and CSV. Everything is written into a staging folder that replaces the output folder
only when the whole build has succeeded (:mod:`kimedition.output`).
"""

from __future__ import annotations

import shutil
import signal
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType

from lxml import etree

from . import __version__
from .corpus import context_from_scans, missing_problems, source_files
from .edition import Edition
from .engine import (
    CheckTask,
    Scan,
    Settings,
    check_files,
    default_jobs,
    display_path,
    register_nodes,
    scan_files,
)
from .errors import BuildError, InvalidEdition
from .indexes import Card, build_index, index_csv, index_json, index_xml
from .output import OutputLock, Staging
from .parsing import DEFAULT_MAX_BYTES, load_source, make_parser
from .registers import read_entries
from .saxon import SaxonRuntime, Stylesheet, TransformError
from .validate import ValidationReport
from .watchdog import DEFAULT_TIMEOUT

Progress = Callable[[str, int, int], None]
"""Called as ``progress(phase, done, total)`` after each file."""

FINISHING_STYLESHEETS = {
    "home": "html-home.xsl",
    "html-index": "html-index.xsl",
    "text-index": "text-index.xsl",
}
"""The drivers run once per build (not per document); see docs/stylesheets.md."""

INDEX_PAGES = {"person": "persons", "place": "places", "org": "organisations"}
"""Register kind → base name of its index files."""

KIM = "urn:kimedition"


@dataclass
class BuildResult:
    """What a build wrote, and the validation report that allowed it."""

    out: Path
    report: ValidationReport
    documents: int = 0
    files: list[str] = field(default_factory=list)


class Interrupted(BaseException):
    """The build received SIGTERM; it stops and leaves the output as it was."""


@contextmanager
def _terminate_as_exception() -> Iterator[None]:
    """Turn SIGTERM into an exception during the build, so that clean-up runs."""

    def handler(signum: int, frame: FrameType | None) -> None:
        raise Interrupted()

    try:
        previous = signal.signal(signal.SIGTERM, handler)
    except ValueError:  # not in the main thread
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def build(
    edition: Edition,
    out: Path | None = None,
    *,
    strict: bool = False,
    base_url: str = "",
    jobs: int | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    max_bytes: int = DEFAULT_MAX_BYTES,
    progress: Progress | None = None,
) -> BuildResult:
    """Validate the edition and publish it into ``out`` (default: the edition's output/).

    Raises :class:`InvalidEdition` (nothing written) when validation finds errors, or
    warnings under ``strict``; :class:`BuildError` when a stylesheet fails or a file
    takes longer than ``timeout`` seconds. In every failure the previous output is left
    exactly as it was.
    """
    target = (out or edition.default_output).absolute()
    workers = jobs or default_jobs()
    with OutputLock(target), _terminate_as_exception():
        staging = Staging(target)

        def stop(message: str) -> None:  # a file overran the time limit, in this process
            staging.discard()
            sys.stderr.write(message + "\n")
            sys.stderr.flush()

        try:
            settings = Settings(
                str(edition.root), max_bytes, timeout, base_url, staging=str(staging.root)
            )
            result = _build(edition, settings, workers, strict, target, staging, progress, stop)
            staging.commit()
        except TransformError as error:
            staging.discard()
            raise BuildError(
                f"the build failed: {error}; nothing was written, {display_path(target)} is "
                "unchanged"
            ) from None
        except BaseException:
            staging.discard()
            raise
    return result


def _counter(progress: Progress | None, phase: str, total: int) -> Callable[[int], None] | None:
    if progress is None:
        return None
    done = [0]

    def step(count: int) -> None:
        done[0] += count
        progress(phase, done[0], total)

    return step


def _build(
    edition: Edition,
    settings: Settings,
    workers: int,
    strict: bool,
    target: Path,
    staging: Staging,
    progress: Progress | None,
    stop: Callable[[str], None],
) -> BuildResult:
    files = source_files(edition)
    scans = scan_files(
        [(path, kind, True) for path, kind in files],
        settings,
        True,
        workers,
        _counter(progress, "checking", len(files)),
        stop,
    )
    report = ValidationReport(problems=missing_problems(edition))
    report.files = [scan.display for scan in scans]
    for scan in scans:
        report.problems.extend(scan.problems)
    documents = [s for s in scans if s.kind == "document" and s.readable and s.card]
    cards_xml = {
        s.path: etree.fromstring(s.card.encode("utf-8"), make_parser()) for s in documents if s.card
    }
    cards = {path: Card.from_xml(card) for path, card in cards_xml.items()}
    ordered = sorted(documents, key=lambda s: (cards[s.path].sort, cards[s.path].id))
    tasks: list[CheckTask] = []
    for i, scan in enumerate(ordered):
        tasks.append(
            CheckTask(
                scan.path,
                scan.kind,
                scan.display,
                cards[scan.path].id,
                ordered[i - 1].card if i > 0 else None,
                ordered[i + 1].card if i + 1 < len(ordered) else None,
            )
        )
    tasks += [
        CheckTask(s.path, s.kind, s.display) for s in scans if s.readable and s.kind != "document"
    ]
    context = context_from_scans(edition, scans)
    for problems in check_files(
        tasks, settings, context, workers, _counter(progress, "publishing", len(tasks)), stop
    ):
        report.problems.extend(problems)
    report.sort()
    if report.failed(strict):
        lines = "".join(problem.format() + "\n" for problem in report.problems)
        count = len(report.errors) + (len(report.warnings) if strict else 0)
        raise InvalidEdition(
            f"{lines}build stopped: {count} problem{'s' if count != 1 else ''} (see above); "
            f"nothing was written, {display_path(target)} is unchanged"
        )
    result = BuildResult(target, report, documents=len(ordered))
    _finish(edition, settings, staging, [cards_xml[s.path] for s in ordered], scans)
    result.files = sorted(
        p.relative_to(staging.root).as_posix() for p in staging.root.rglob("*") if p.is_file()
    )
    return result


class Finisher:
    """The stylesheets run once per build, with the registers as parameters."""

    def __init__(self, edition: Edition, settings: Settings) -> None:
        self.runtime = SaxonRuntime()
        self.stylesheets: dict[str, Stylesheet] = {
            role: self.runtime.compile(path=edition.xslt_dir / name)
            for role, name in FINISHING_STYLESHEETS.items()
        }
        self.runtime.lock()
        registers = register_nodes(self.runtime, edition)
        for stylesheet in self.stylesheets.values():
            for name, node in registers.items():
                stylesheet.set(name, node)
            stylesheet.set_string("base-url", settings.base_url)
            stylesheet.set_string("version", __version__)

    def run(self, role: str, source: etree._Element, **documents: str) -> str:
        """Run a driver on ``source``; ``documents`` are XML parameters given as text."""
        stylesheet = self.stylesheets[role]
        for name, text in documents.items():
            stylesheet.set(name, self.runtime.document(text))
        return stylesheet.transform(self.runtime.document(source))


def _finish(
    edition: Edition,
    settings: Settings,
    staging: Staging,
    cards: list[etree._Element],
    scans: list[Scan],
) -> None:
    """The pages made once per build: home, indexes, data; and the copied files."""
    finisher = Finisher(edition, settings)
    catalogue = etree.Element(f"{{{KIM}}}catalogue", nsmap={"kim": KIM})
    catalogue.extend(cards)
    catalogue_text = etree.tostring(catalogue, encoding="unicode")
    header = load_source(edition.header_path, display_path(edition.header_path))
    staging.write_text(
        "html/index.html", finisher.run("home", header.root, catalogue=catalogue_text)
    )
    staging.write_bytes("html/tei/edition.xml", header.data)
    parsed_cards = [Card.from_xml(card) for card in cards]
    for kind, name in INDEX_PAGES.items():
        register = load_source(
            edition.register_path(kind), display_path(edition.register_path(kind))
        )
        index = build_index(read_entries(register.root, kind), parsed_cards)
        index_text = index_xml(kind, index)
        staging.write_text(
            f"html/{name}.html",
            finisher.run("html-index", register.root, index=index_text, catalogue=catalogue_text),
        )
        staging.write_text(
            f"text/{name}.txt", finisher.run("text-index", register.root, index=index_text)
        )
        json_text, csv_text = index_json(kind, index), index_csv(kind, index)
        for folder in ("data", "html/data"):
            staging.write_text(f"{folder}/{name}.json", json_text)
            staging.write_text(f"{folder}/{name}.csv", csv_text)
        staging.write_bytes(f"html/tei/{register.path.name}", register.data)
    assets = edition.xslt_dir / "assets"
    if assets.is_dir():
        for path in sorted(assets.rglob("*")):
            if path.is_file():
                shutil.copyfile(
                    path, staging.path(f"html/assets/{path.relative_to(assets).as_posix()}")
                )


__all__ = ["INDEX_PAGES", "BuildResult", "build"]
