"""``kimedition build``: validate, then publish the edition with XSLT 3.0.

The build reads and validates the whole corpus first; when there are errors it writes
nothing. Then, in one Saxon runtime per process (stylesheets compiled once, registers
parsed once and handed over as parameters):

1. each document gives its catalogue card (``xslt/cards.xsl``);
2. the cards, in chronological order, give the indexes (:mod:`kimedition.indexes`);
3. each document gives its HTML page and its plain text; the edition header gives the
   home page; each register gives its index page, in HTML and in text;
4. the indexes are also written as JSON and CSV, and the sources and assets copied.

Everything is written into a staging folder that replaces the output folder only when
the whole build has succeeded (:mod:`kimedition.output`).
"""

from __future__ import annotations

import shutil
import signal
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType

from lxml import etree

from . import __version__
from .corpus import Corpus, display_path, read_corpus
from .edition import Edition
from .errors import BuildError, InvalidEdition
from .indexes import Card, build_index, chronological, index_csv, index_json, index_xml
from .output import OutputLock, Staging
from .parsing import DEFAULT_MAX_BYTES, make_parser
from .registers import read_entries
from .saxon import SaxonRuntime, Stylesheet, TransformError
from .validate import ValidationReport, check_corpus

Progress = Callable[[str, int, int], None]
"""Called as ``progress(phase, done, total)``."""

STYLESHEETS = {
    "card": "cards.xsl",
    "html-document": "html-document.xsl",
    "html-home": "html-home.xsl",
    "html-index": "html-index.xsl",
    "text-document": "text-document.xsl",
    "text-index": "text-index.xsl",
}
"""The driver stylesheets a build runs, by role; see docs/stylesheets.md."""

INDEX_PAGES = {"person": "persons", "place": "places", "org": "organisations"}
"""Register kind → base name of its index files."""


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


class Publisher:
    """The compiled stylesheets of one process, with the registers set as parameters."""

    def __init__(self, edition: Edition, corpus: Corpus, base_url: str = "") -> None:
        self.edition = edition
        self.runtime = SaxonRuntime()
        xslt = edition.xslt_dir
        self.stylesheets: dict[str, Stylesheet] = {
            role: self.runtime.compile(path=xslt / name) for role, name in STYLESHEETS.items()
        }
        self.runtime.lock()
        empty = "<TEI xmlns='http://www.tei-c.org/ns/1.0'/>"
        shared = {
            "persons": corpus.register("person"),
            "places": corpus.register("place"),
            "orgs": corpus.register("org"),
            "edition": corpus.header,
        }
        values = {
            name: self.runtime.document(source.root if source is not None else empty)
            for name, source in shared.items()
        }
        for stylesheet in self.stylesheets.values():
            for name, value in values.items():
                stylesheet.set(name, value)
            stylesheet.set_string("base-url", base_url)
            stylesheet.set_string("version", __version__)

    def run(self, role: str, source: etree._Element | str, **parameters: str | None) -> str:
        """Run the stylesheet for ``role`` on a document; XML-valued parameters as text."""
        stylesheet = self.stylesheets[role]
        for name, value in parameters.items():
            if value is None:
                stylesheet.set(name, self.runtime.processor.empty_sequence())
            else:
                stylesheet.set(name, self.runtime.document(value))
        return stylesheet.transform(self.runtime.document(source))


def _card_text(card: etree._Element | None) -> str | None:
    return etree.tostring(card, encoding="unicode") if card is not None else None


def validate_for_build(
    edition: Edition, strict: bool, max_bytes: int = DEFAULT_MAX_BYTES
) -> tuple[Corpus, ValidationReport]:
    """Read and validate the corpus; raise :class:`InvalidEdition` when it must not be built."""
    corpus = read_corpus(edition, max_bytes=max_bytes)
    report = check_corpus(corpus)
    if report.failed(strict):
        lines = "".join(problem.format() + "\n" for problem in report.problems)
        count = len(report.errors) + (len(report.warnings) if strict else 0)
        raise InvalidEdition(
            f"{lines}build stopped: {count} problem{'s' if count != 1 else ''} "
            f"(see above); nothing was written, {display_path(edition.default_output)} is "
            "unchanged"
        )
    return corpus, report


def build(
    edition: Edition,
    out: Path | None = None,
    *,
    strict: bool = False,
    base_url: str = "",
    progress: Progress | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> BuildResult:
    """Validate the edition and publish it into ``out`` (default: the edition's output/).

    Raises :class:`InvalidEdition` (nothing written) when validation finds errors, or
    warnings under ``strict``; :class:`BuildError` when a stylesheet fails. In every
    failure the previous output is left exactly as it was.
    """
    target = (out or edition.default_output).absolute()
    corpus, report = validate_for_build(edition, strict, max_bytes)
    result = BuildResult(target, report)
    with OutputLock(target), _terminate_as_exception():
        staging = Staging(target)
        try:
            _publish(edition, corpus, staging, result, base_url, progress)
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


def _publish(
    edition: Edition,
    corpus: Corpus,
    staging: Staging,
    result: BuildResult,
    base_url: str,
    progress: Progress | None,
) -> None:
    def report(phase: str, done: int, total: int) -> None:
        if progress is not None:
            progress(phase, done, total)

    publisher = Publisher(edition, corpus, base_url)
    documents = corpus.documents()
    total = len(documents)

    # 1. Catalogue cards.
    parser = make_parser()
    cards_xml: dict[str, etree._Element] = {}
    for done, source in enumerate(documents, start=1):
        cards_xml[source.path.name] = etree.fromstring(
            publisher.run("card", source.root).encode("utf-8"), parser
        )
        report("reading", done, total)
    cards = {name: Card.from_xml(card) for name, card in cards_xml.items()}
    order = chronological(list(cards.values()))
    by_id = {name: cards_xml[name] for name in cards_xml}
    position = {card.id: i for i, card in enumerate(order)}
    ordered_sources = sorted(documents, key=lambda s: position[cards[s.path.name].id])
    catalogue = etree.Element("{urn:kimedition}catalogue", nsmap={"kim": "urn:kimedition"})
    for source in ordered_sources:
        catalogue.append(by_id[source.path.name])
    catalogue_text = etree.tostring(catalogue, encoding="unicode")

    # 2. Document pages and texts.
    for i, source in enumerate(ordered_sources):
        doc_id = cards[source.path.name].id
        previous = _card_text(catalogue[i - 1]) if i > 0 else None
        following = _card_text(catalogue[i + 1]) if i + 1 < len(catalogue) else None
        html = publisher.run("html-document", source.root, previous=previous, next=following)
        text = publisher.run("text-document", source.root)
        staging.write_text(f"html/documents/{doc_id}.html", html)
        staging.write_text(f"text/{doc_id}.txt", text)
        staging.write_text(f"html/text/{doc_id}.txt", text)
        staging.write_bytes(f"html/tei/{doc_id}.xml", source.data)
        report("publishing", i + 1, total)
    result.documents = total

    # 3. Home page, indexes, data.
    header = corpus.header
    assert header is not None  # validation guarantees the header
    staging.write_text(
        "html/index.html", publisher.run("html-home", header.root, catalogue=catalogue_text)
    )
    staging.write_bytes("html/tei/edition.xml", header.data)
    for kind, name in INDEX_PAGES.items():
        register = corpus.register(kind)
        assert register is not None
        entries = read_entries(register.root, kind)
        index = build_index(entries, list(cards.values()))
        index_text = index_xml(kind, index)
        staging.write_text(
            f"html/{name}.html",
            publisher.run("html-index", register.root, index=index_text, catalogue=catalogue_text),
        )
        staging.write_text(
            f"text/{name}.txt", publisher.run("text-index", register.root, index=index_text)
        )
        json_text = index_json(kind, index)
        csv_text = index_csv(kind, index)
        for folder in ("data", "html/data"):
            staging.write_text(f"{folder}/{name}.json", json_text)
            staging.write_text(f"{folder}/{name}.csv", csv_text)
        staging.write_bytes(f"html/tei/{register.path.name}", register.data)
    _copy_assets(edition, staging)
    result.files = sorted(
        p.relative_to(staging.root).as_posix() for p in staging.root.rglob("*") if p.is_file()
    )


def _copy_assets(edition: Edition, staging: Staging) -> None:
    assets = edition.xslt_dir / "assets"
    if not assets.is_dir():
        return
    for path in sorted(assets.rglob("*")):
        if path.is_file():
            relative = path.relative_to(assets).as_posix()
            shutil.copyfile(path, staging.path(f"html/assets/{relative}"))


__all__ = ["BuildResult", "Publisher", "build"]
