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
and CSV. The pages these stylesheets make are queued and made in worker processes
(:mod:`kimedition.pages`).

The build remembers what it did (:mod:`kimedition.cache`): a file whose content and
inputs are unchanged is not checked again and its outputs are not rewritten. A first
build writes everything into a staging folder that replaces the output folder when the
whole build has succeeded; a later build moves only the changed files into place
(:mod:`kimedition.output`).
"""

from __future__ import annotations

import filecmp
import hashlib
import json
import os
import re
import signal
import sqlite3
import time
from collections.abc import Callable, Collection, Iterable, Iterator
from contextlib import ExitStack, contextmanager
from copy import deepcopy
from dataclasses import dataclass, field, replace
from functools import cache, partial
from pathlib import Path
from types import FrameType
from typing import Any, BinaryIO
from urllib.parse import urlsplit
from xml.sax.saxutils import escape

import orjson
from lxml import etree

from . import __version__
from .cache import (
    FORMAT,
    BuildState,
    CardStore,
    Stat,
    content_sha,
    digest,
    file_digest,
    folder_digest,
    framed,
    interned,
    problems_from_json,
    problems_to_json,
    read_json,
    rules_key,
    scan_from_json,
    scan_to_json,
    vouches,
    write_json,
)
from .corpus import context_from_scans, missing_problems, source_files
from .edition import Edition
from .engine import (
    DOCUMENT_STYLESHEETS,
    INLINE_LIMIT,
    LARGE_EDITION,
    CheckersStarted,
    CheckTask,
    Context,
    NameIndex,
    Scan,
    Settings,
    check_files,
    checks_started,
    default_jobs,
    display_path,
    makes_pages,
    path_display,
    scan_files,
    sharing,
)
from .errors import BuildError, InvalidEdition, UsageError
from .indexes import (
    KIM,
    Card,
    CardFacts,
    IndexEntry,
    build_index,
    entry_xml,
    entry_xml_start,
    index_csv_parts,
    index_element,
    index_json_parts,
    index_xml,
    one_per_pointer,
)
from .output import (
    KEEP,
    OutputLock,
    Staging,
    check_target,
    claim,
    commit_changes,
    folder_identity,
    listing,
    open_regular,
    recover,
)
from .pages import (
    FINISHING_STYLESHEETS,
    PAGES_INLINE,
    Copied,
    Finisher,
    Output,
    Page,
    PageQueue,
    Parameter,
    Parts,
    Streamed,
)
from .parsing import (
    DEFAULT_MAX_BYTES,
    NS,
    TEI_NS,
    XML_ID,
    Source,
    UnreadableSource,
    load_bytes,
    load_bytes_any,
    load_source,
    read_bytes,
)
from .problems import Problem
from .registers import ELEMENTS, NAME_ELEMENTS, Entry, read_entries
from .saxon import TransformError, real_stderr
from .sitemap import sitemap_files
from .validate import ValidationReport
from .watchdog import DEFAULT_TIMEOUT

Progress = Callable[[str, int, int], None]
"""Called as ``progress(phase, done, total)`` after each file."""

INDEX_PAGES = {"person": "persons", "place": "places", "org": "organisations"}
"""Register kind → base name of its index files."""

ROWS = 50
"""In an edition published in parts, the documents an index entry lists on its letter's
page; an entry with more has a page of its own with all of them."""

SPLIT_AT = LARGE_EDITION
"""From this many documents on, the indexes are published one page per letter and the
list of documents one page per year, so that no page grows past a few megabytes."""

QUICK = "quick.json"
"""The small file beside the build state that lets a build with nothing to do stop at
once."""


@dataclass
class BuildResult:
    """What a build wrote, and the validation report that allowed it."""

    out: Path
    report: ValidationReport
    documents: int = 0
    files: list[str] = field(default_factory=list)
    """Every file of the output."""
    written: list[str] = field(default_factory=list)
    """The files this build wrote or rewrote (all of them in a first build)."""


_PUBLIC_URL = re.compile(r"https?://[^\s\"'<>\\`]+", re.IGNORECASE)


def check_base_url(value: str) -> str:
    """``value`` if it is empty, else the http(s) address of the folder the edition is
    published in, ending in ``/`` (added when missing: the pages' addresses are made by
    appending their paths to it). It is written into every page.

    Raises :class:`UsageError` for anything else (``javascript:``, a relative path, an
    address with no host, a query or a fragment).
    """
    if not value:
        return value
    if not _PUBLIC_URL.fullmatch(value) or not urlsplit(value).netloc:
        raise UsageError(
            f"{value!r} is not an http:// or https:// address (e.g. https://example.org/kim/)"
        )
    if "?" in value or "#" in value:
        raise UsageError(
            f"{value!r}: the edition's address cannot hold a query (?) or a fragment (#); give "
            "the folder its pages are published in, e.g. https://example.org/kim/"
        )
    return value if value.endswith("/") else value + "/"


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
    exactly as it was. Raises :class:`UsageError`, before anything is written, when
    ``out`` is a folder a build must not replace (:func:`kimedition.output.check_target`).
    """
    target = (out or edition.default_output).absolute()
    check_base_url(base_url)
    state = BuildState.for_output(target).path
    check_target(target, edition, state)
    with OutputLock(target), _terminate_as_exception():
        # What the build keeps beside its output is its own: never a link planted there.
        claim(state.parent, folder=True)
        for kept in (state, state.with_name(QUICK), CardStore.for_output(target).path):
            claim(kept)
        recover(target)
        staging = Staging(target)

        def stop(message: str) -> None:  # a file overran the time limit, in this process
            staging.discard()
            os.write(real_stderr(), (message + "\n").encode("utf-8"))

        try:
            files = source_files(edition)
            settings = Settings(
                str(edition.root),
                max_bytes,
                timeout,
                base_url,
                staging=str(staging.root),
                split=sum(kind == "document" for _, kind in files) >= SPLIT_AT,
            )
            run = _Build(
                edition, settings, files, jobs or default_jobs(), target, staging, progress, stop
            )
            result = run.build(strict)
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
    if progress is None or total == 0:
        return None
    done = [0]

    def step(count: int) -> None:
        done[0] += count
        progress(phase, done[0], total)

    return step


@dataclass(frozen=True)
class Digests:
    """Digests of everything besides a file's own content that its results depend on.

    Made from file digests only, so that a build with nothing to do knows it at once;
    the registers' entries are digested apart (:class:`RegisterDigests`), when needed."""

    scan: str
    rules: str
    """What the editorial rules of a register or the header depend on: all registers."""
    schematron: str
    """The editorial rules themselves, the header and the options."""
    pages: str
    finishing: str
    registers: str
    """The registers' files, as read."""
    register_files: tuple[tuple[str, str], ...]
    """Each register's file, as read, by kind (its entries' digests are kept under it)."""
    names_shown: bool
    """Whether the document stylesheets declare that a document's page and text show
    only the names of the entries it refers to (:func:`shows_names_only`)."""
    index_text_shown: bool
    """Whether the plain-text index declares that it shows only the names, dates and
    coordinates of its entries (:func:`index_text_shows_less`)."""

    @classmethod
    def compute(cls, edition: Edition, settings: Settings) -> Digests:
        xslt = folder_digest(edition.xslt_dir)
        header = file_digest(edition.header_path)
        files = {kind: file_digest(p) for kind, p in edition.register_paths.items()}
        registers = list(files.values())
        options = json.dumps(
            [__version__, FORMAT, settings.base_url, settings.max_bytes, settings.split]
        )
        return cls(
            scan=digest(options, file_digest(edition.rng_path), xslt, header),
            rules=digest(options, file_digest(edition.sch_path), header, *registers),
            schematron=digest(options, file_digest(edition.sch_path), header),
            pages=digest(options, xslt, header),
            finishing=digest(options, xslt, header, *registers),
            registers=digest(options, *registers),
            register_files=tuple((kind, digest(options, d)) for kind, d in files.items()),
            names_shown=shows_names_only(edition.xslt_dir),
            index_text_shown=index_text_shows_less(edition.xslt_dir),
        )


ENTRIES_SHOWN = f"{{{KIM}}}entries-shown"
"""The attribute by which a driver declares what it shows of the register entries it
shows, as words: ``names`` (their ids, sort keys, types and names), ``dates`` (births
and deaths), ``coordinates`` (locations); no attribute, or another word, for the whole
entry."""

INDEX_TEXT_SHOWN = frozenset({"names", "dates", "coordinates"})
"""What the plain-text index driver may declare it shows for its parts to be keyed on
those parts of its entries only (:func:`index_text_shows_less`)."""


def declared_shown(xslt_dir: Path, name: str) -> frozenset[str] | None:
    """The words a driver declares in ``kim:entries-shown`` on its root; None when it
    declares nothing or cannot be read (the build reports it when it compiles it)."""
    path = xslt_dir / name
    try:
        shown = display_path(path)
        root = load_bytes_any(read_bytes(path, shown), shown).getroot()
    except UnreadableSource:
        return None
    value = root.get(ENTRIES_SHOWN)
    return frozenset(value.split()) if value is not None else None


def shows_names_only(xslt_dir: Path) -> bool:
    """Whether both document stylesheets declare ``kim:entries-shown="names"`` on their
    root: an edit of an entry's note or dates then leaves the pages of the documents
    that refer to it as they are."""
    return all(
        declared_shown(xslt_dir, name) == frozenset({"names"})
        for name in DOCUMENT_STYLESHEETS.values()
    )


def index_text_shows_less(xslt_dir: Path) -> bool:
    """Whether the plain-text index driver declares that it shows of its entries no more
    than their names, dates and coordinates: an edit of an entry's note, roles or
    authority identifiers then leaves its letter's part as it is."""
    shown = declared_shown(xslt_dir, FINISHING_STYLESHEETS["text-index"])
    return shown is not None and bool(shown) and shown <= INDEX_TEXT_SHOWN


_NAME_TAGS = frozenset(f"{{{TEI_NS}}}{name}" for name in NAME_ELEMENTS.values())
_INDEXED_TAGS = frozenset(f"{{{TEI_NS}}}{name}" for name in ("birth", "death", "location"))


@dataclass(frozen=True)
class RegisterDigests:
    """The registers digested entry by entry, for outputs that show only some entries.

    A document's page shows the entries it refers to (by their names only, when its
    stylesheets say so); an index's letter page shows its own entries in full and the
    others by their names only (cross-references). So a change to one entry's note or
    dates redoes the pages of that entry, not the others, nor those of its documents.
    """

    entries: dict[str, str]
    """``kind:id`` → a digest of the entry's element."""
    named: dict[str, str]
    """``kind:id`` → a digest of the entry's id, sort key, type and names: all that a
    document's page shows of it when its stylesheets declare so (:func:`shows_names_only`)."""
    indexed: dict[str, str]
    """``kind:id`` → a digest of the entry's id, sort key, type and names, and its births,
    deaths and locations: all that the plain-text index shows of it when its driver
    declares so (:func:`index_text_shows_less`)."""
    names: str
    """Every entry's id, sort key, type and names (its ``persName``, ``placeName`` and
    ``orgName`` children, whatever its kind), and every register without its entries
    (its header and any other content): all that the index pages show of the other
    entries, and all that the editorial rules' name index is made from."""
    ids: str
    """Every entry's ``kind:id``: what the editorial rules of a document depend on,
    besides the registers' names (not the entries' notes or dates)."""

    @classmethod
    def combine(cls, parts: list[RegisterPart]) -> RegisterDigests:
        """The digests of the registers from each register's own, in the registers' order."""
        entries: dict[str, str] = {}
        named: dict[str, str] = {}
        indexed: dict[str, str] = {}
        for part in parts:
            entries.update(part.entries)
            named.update(part.named)
            indexed.update(part.indexed)
        return cls(
            entries=entries,
            named=named,
            indexed=indexed,
            names=digest(*(part.names for part in parts)),
            ids=digest(*sorted(entries)),
        )


@dataclass(frozen=True)
class RegisterPart:
    """One register digested entry by entry (see :class:`RegisterDigests`): kept between
    builds under the digest of its file, so that an edit of one register digests that
    register only."""

    entries: dict[str, str]
    named: dict[str, str]
    indexed: dict[str, str]
    names: str
    """The register without its entries, and each entry's id, sort key, type and names."""

    @classmethod
    def of(cls, kind: str, register: Source | None) -> RegisterPart:
        """The digests of the register of ``kind`` (None: one that cannot be read)."""
        if register is None:  # reported by validation; nothing to reuse
            return cls(entries={}, named={}, indexed={}, names=digest(f"unreadable {kind}"))
        entries: dict[str, str] = {}
        named: dict[str, str] = {}
        indexed: dict[str, str] = {}
        frame = deepcopy(register.root)
        for element in frame.iterfind(f".//tei:{ELEMENTS[kind]}[@{XML_ID}]", NS):
            parent = element.getparent()
            if parent is not None:
                parent.remove(element)
        names: list[str | bytes] = [etree.tostring(frame)]
        for element in register.root.iterfind(f".//tei:{ELEMENTS[kind]}[@{XML_ID}]", NS):
            key = f"{kind}:{element.get(XML_ID)}"
            entries[key] = digest(etree.tostring(element))
            shown = json.dumps([key, element.get("sortKey"), element.get("type")]) + "".join(
                etree.tostring(name, encoding="unicode", with_tail=False)
                for name in element
                if name.tag in _NAME_TAGS
            )
            named[key] = digest(shown)
            names.append(shown)
            indexed[key] = digest(
                shown,
                *(
                    etree.tostring(part, with_tail=False)
                    for part in element
                    if part.tag in _INDEXED_TAGS
                ),
            )
        return cls(entries=entries, named=named, indexed=indexed, names=digest(*names))

    def to_json(self) -> list[Any]:
        return [self.entries, self.named, self.indexed, self.names]

    @classmethod
    def from_json(cls, data: Any) -> RegisterPart | None:
        """The digests as :meth:`to_json` wrote them; None for anything else."""
        if not isinstance(data, list) or len(data) != 4:
            return None
        entries, named, indexed, names = data
        if not (
            isinstance(names, str)
            and all(
                isinstance(table, dict) and all(type(v) is str for v in table.values())
                for table in (entries, named, indexed)
            )
        ):
            return None
        return cls(entries=entries, named=named, indexed=indexed, names=names)


class _Build:
    """One build: the passes, what can be reused, and the commit."""

    def __init__(
        self,
        edition: Edition,
        settings: Settings,
        files: list[tuple[Path, str]],
        jobs: int,
        target: Path,
        staging: Staging,
        progress: Progress | None,
        stop: Callable[[str], None],
    ) -> None:
        self.edition = edition
        self.settings = settings
        self.files = files
        """The sources (:func:`~kimedition.corpus.source_files`), listed once for the build."""
        self.jobs = jobs
        self.target = target
        self.staging = staging
        self.progress = progress
        self.stop = stop
        self.quick = BuildState.for_output(target).path.with_name(QUICK)
        self.stats: dict[str, Stat] = {}
        """Each source's size and modification time, taken once (by :meth:`fingerprint`),
        before the build reads it."""
        self.started = time.time_ns()
        """A source changed less than :data:`~kimedition.cache.RACY_NS` before this is
        not vouched for by its size and time in the next build: it may change again
        within the same tick of the file system's clock, or was changed while this
        build ran."""
        self.names_digest = ""
        self.rescanned: set[str] = set()
        """The sources scanned again (not carried over from the previous build)."""
        self.occurrences: dict[str, str] = {}
        """For each index, a digest of what it shows of the documents."""
        self.few = False
        """Whether only a few documents were scanned again, and no other source: an
        edit whose few pages and checks are made while the pages made once per build
        are."""
        self.index_text_edited = False
        """Whether a register changed since the previous build in what its plain-text
        index shows (:meth:`register_digests`): a letter's page and its plain-text part
        are then both made again."""
        self.beside_names = False
        """Whether a register changed since the previous build, but neither in its own
        header nor in any entry's id, sort key, type or names (an edit of a note or of
        dates; :meth:`register_digests`): no document's rules or page depend on it, and
        its check pass is that of the registers and the header."""
        self.checkers: CheckersStarted | None = None
        self.written: list[str] = []
        self._finisher: Finisher | None = None
        self._register_bytes: dict[str, bytes | None] | None = None
        self._read_registers: dict[str, Source | None] = {}
        self._names: str | NameIndex | None = None

    def _load(self) -> None:
        """Read the previous build's state and list the output as it is now."""
        self.previous = BuildState.for_output(self.target).load()
        self.cards = CardStore.for_output(self.target)
        if self.previous.output != folder_identity(self.target):
            # Not kept for this folder as the last build left it (copied, replaced, or
            # checked out with the files beside it planted): nothing of it is trusted.
            self.previous = BuildState(self.previous.path)
            self.cards.discard()
        self.state = self.previous.following()
        self.stored = self.cards.keys()
        # Reuse outputs only when the previous output is there, with no link in it through
        # which files could be moved out of the folder.
        self.present, links = listing(self.target)
        self.incremental = bool(self.previous.outputs) and self.target.is_dir() and not links

    # The scan pass ------------------------------------------------------------

    def scan(self, digests: Digests, stack: ExitStack) -> list[Scan]:
        """The scan of every source: carried over from the previous build when it still
        holds, else made (in this process when few, sharing the stylesheets with the
        check pass when that will most likely be made here too)."""
        files = self.files
        scans: dict[int, Scan] = {}
        needed: list[tuple[int, Path, str]] = []
        keys = {kind: digest(digests.scan, kind) for kind in {kind for _, kind in files}}
        show = path_display()
        pointers = self.state.pointers
        for position, (path, kind) in enumerate(files):
            name = str(path)
            cached = self.previous.scans.get(name)
            if cached is not None and self._still_holds(path, name, cached, keys[kind]):
                try:
                    scans[position] = scan_from_json(
                        cached["scan"], name, kind, show(name), pointers
                    )
                except ValueError:  # a damaged record: the file is scanned again
                    needed.append((position, path, kind))
                    continue
                self.state.scans[name] = cached
            else:
                needed.append((position, path, kind))
        self.rescanned = {str(path) for _, path, _ in needed}
        self.few = len(needed) < PAGES_INLINE and all(kind == "document" for _, _, kind in needed)
        if len(self.files) < INLINE_LIMIT or self.few:
            # Not after an edit of a register or of many documents: their check pass is
            # mostly made in workers.
            stack.enter_context(sharing())
        fresh = scan_files(
            [(path, kind, True) for _, path, kind in needed],
            self.settings,
            # Only documents have cards: an edit of a register alone needs no Saxon here.
            any(kind == "document" for _, _, kind in needed),
            self.jobs,
            _counter(self.progress, "checking", len(needed)),
            self.stop,
        )
        # The previous scans, as read, are let go: the state keeps the new ones.
        self.previous.scans = {}
        for (position, path, kind), scan in zip(needed, fresh, strict=True):
            interned(scan)
            scans[position] = scan
            if scan.card is not None and scan.facts is not None:
                self.cards.put(scan.facts.text, scan.card, scan.card_json)
            scan.card_json = None  # kept in the store only
            if scan.sha:
                self.state.record(str(path), self.stats.get(str(path)), scan.sha, self.started)
                self.state.scans[str(path)] = {
                    "key": keys[kind],
                    "scan": scan_to_json(scan, pointers),
                }
        return [scans[i] for i in range(len(files))]

    def _still_holds(self, path: Path, name: str, cached: dict[str, Any], key: str) -> bool:
        """Whether the scan the previous build recorded for a file holds for it now: same
        key, its card stored, and the same content, which the file's size and time vouch
        for or, when they do not, its hash (a file touched or saved unchanged keeps its
        scan). Records the file's content for the next build."""
        scan = cached["scan"]
        if cached["key"] != key or (scan["facts"] and scan["facts"][3] not in self.stored):
            return False
        stat = self.stats.get(name)
        sha = self.previous.current_sha(path, stat, self.settings.max_bytes)
        if sha is None or sha != scan["sha"]:
            return False
        self.state.record(name, stat, sha, self.started)
        return True

    def _content_sha(self, path: Path) -> str | None:
        """A source's content as the quick check compares it (:func:`content_sha`)."""
        return content_sha(path, self.settings.max_bytes)

    # The check pass -----------------------------------------------------------

    def start_names(self, digests: Digests, stack: ExitStack) -> None:
        """Begin working out the registers' name index for the editorial rules, unless
        the previous build kept it. In a large edition it is made in a process of its
        own, while this one scans: it needs Saxon and the compiled rules, which this
        process would otherwise hold for the rest of the build."""
        known = self.previous.memo.get("names")
        if isinstance(known, list) and len(known) == 2 and known[0] == self._names_key(digests):
            self._names = str(known[1])
        else:
            aside = self.jobs > 1 and len(self.files) >= SPLIT_AT
            self._names = stack.enter_context(NameIndex(self.edition, self.settings, aside))

    def names(self, digests: Digests) -> str:
        """The registers' name index (see :meth:`start_names`), kept between builds."""
        if isinstance(self._names, str):
            names = self._names
        else:
            names = (self._names or NameIndex(self.edition, self.settings, False)).result()
        self.state.memo["names"] = [self._names_key(digests), names]
        return names

    def _names_key(self, digests: Digests) -> str:
        # The rules' functions and the registers' names: an edit of an entry's note or
        # dates leaves the name index as it was.
        return digest(digests.schematron, self.registers.names)

    def plan_checks(
        self, digests: Digests, scans: list[Scan], ordered: list[Catalogued]
    ) -> _Checks:
        """What the check pass must do: the files whose rules must run or whose page
        must be made, with the results carried over from the previous build for the
        others. Records every document's outputs with their keys."""
        context = replace(context_from_scans(self.edition, scans), names=self.names(digests))
        self.names_digest = digest(context.names or "")
        # What the rules of every document depend on besides its own content: the
        # rules, the registers' ids and names.
        self.document_rules = digest(digests.schematron, self.registers.ids, self.names_digest)
        used = digest(*context.used)
        tasks: list[CheckTask] = []
        known: list[Problem] = []
        keys: dict[str, str] = {}
        neighbours: dict[str, tuple[Catalogued | None, Catalogued | None]] = {}
        identifiers = {c.scan.path: c.facts.id for c in ordered}
        # What a document's page shows of the entries it refers to.
        entries = self.registers.named if digests.names_shown else self.registers.entries
        for i, catalogued in enumerate(ordered):
            neighbours[catalogued.scan.path] = (
                ordered[i - 1] if i > 0 else None,
                ordered[i + 1] if i + 1 < len(ordered) else None,
            )
        carried, pages_carried = self._carried_keys(digests, context, used, ordered)
        for scan in scans:
            if not scan.readable:
                continue
            cached = self.previous.checks.get(scan.path)
            if scan.path in carried and cached is not None:
                key = cached["key"]
            else:
                key = rules_key(
                    self.document_rules if scan.kind == "document" else digests.rules,
                    scan,
                    context,
                    used,
                )
            keys[scan.path] = key
            rules = cached is None or cached["key"] != key
            if cached is not None and not rules:
                known.extend(problems_from_json(cached["problems"], scan.display))
                self.state.checks[scan.path] = cached
            page = False
            doc_id = ""
            # A file with errors is not published (and a stylesheet may fail on it).
            publishable = not any(p.is_error for p in scan.problems)
            previous, following = neighbours.get(scan.path, (None, None))
            if publishable and scan.path in identifiers:
                doc_id = identifiers[scan.path]
                outputs = self._document_outputs(doc_id)
                page_key = (
                    self.previous.outputs.get(outputs[0], "") if scan.path in pages_carried else ""
                )
                if not page_key:
                    page_key = digest(
                        digests.pages,
                        scan.sha,
                        previous.facts.text if previous else "",
                        following.facts.text if following else "",
                        # The entries it refers to, in the order of its (sorted) pointers.
                        "".join(map(entries.get, scan.refs, scan.refs)),
                    )
                for output in outputs:
                    self.state.outputs[output] = page_key
                page = not self._up_to_date(outputs, page_key)
            if rules or page:
                tasks.append(
                    CheckTask(
                        scan.path,
                        scan.kind,
                        scan.display,
                        doc_id,
                        previous.card if previous else None,
                        following.card if following else None,
                        rules=rules,
                        page=page,
                    )
                )
        # In a large edition this process already holds the state of every file: the
        # rules and pages of more than a few files are checked in workers, so that it
        # does not also hold Saxon, the rules and the registers; and so are those of
        # any file after an edit of a register, which this process follows by building
        # an index (the memory Saxon takes is not given back).
        if len(self.files) < SPLIT_AT:
            inline_limit = INLINE_LIMIT
        else:
            inline_limit = PAGES_INLINE if self.few else 1
        return _Checks(context, tasks, known, keys, inline_limit)

    def _carried_keys(
        self, digests: Digests, context: Context, used: str, ordered: list[Catalogued]
    ) -> tuple[set[str], set[str]]:
        """The files whose rules' key, and those whose page's key, are those the
        previous build recorded, which need not be worked out again.

        A file's keys are made from its content and from inputs shared by the corpus
        (the rules, what the rules and pages of a document show of the registers, the
        registers in use, the ids that several files define, the documents' order),
        and a page's key from the cards of the document's neighbours too. When the
        shared inputs are those of the previous build, every file that was not scanned
        again keeps its rules' key, and its page's key unless a neighbour was scanned
        again; the rules of a register or the header depend on all the registers, so
        after an edit of an entry's note they are worked out again, not the
        documents'."""
        order = "\n".join(c.scan.path for c in ordered)
        shared = [
            self.document_rules,
            digests.pages,
            self.registers.names if digests.names_shown else digests.registers,
            used,
            json.dumps(context.present),
            digest(json.dumps({i: f for i, f in context.ids.items() if len(f) > 1})),
            digest(order),
        ]
        self.state.memo["keys"] = [*shared, digests.rules]
        previous = self.previous.memo.get("keys")
        if not isinstance(previous, list) or previous[:-1] != shared:
            return set(), set()
        rules = {str(path) for path, _ in self.files} - self.rescanned
        if previous[-1] != digests.rules:
            rules.difference_update(str(path) for path, kind in self.files if kind != "document")
        pages = set(rules)
        for i, catalogued in enumerate(ordered):
            if catalogued.scan.path in self.rescanned:
                # Its neighbours' pages show its card.
                pages.difference_update(c.scan.path for c in ordered[max(i - 1, 0) : i + 2])
        return rules, pages

    def run_checks(self, checks: _Checks) -> list[Problem]:
        """Run the check pass :meth:`plan_checks` planned; every problem of the files,
        found now or carried over."""
        tasks = checks.tasks
        results = check_files(
            tasks,
            self.settings,
            checks.context,
            self.jobs,
            _counter(self.progress, "publishing", len(tasks)),
            self.stop,
            checks.inline_limit,
        )
        return self._recorded(checks, results)

    @contextmanager
    def checks_alongside(self, checks: _Checks) -> Iterator[Callable[[], list[Problem]]]:
        """The check pass :meth:`plan_checks` planned, started in worker processes while
        this process goes on (a few files in one worker: each one starts Saxon and
        compiles the stylesheets); what is yielded waits for it and returns what
        :meth:`run_checks` would."""
        workers = min(self.jobs, -(-len(checks.tasks) // PAGES_INLINE))
        pages = makes_pages(checks.tasks)
        if self.checkers is not None and workers == 1 and (self.checkers.pages or not pages):
            progress = _counter(self.progress, "publishing", len(checks.tasks))
            started = self.checkers.run(checks.tasks, checks.context, progress)
            yield lambda: self._recorded(checks, started())
            return
        with checks_started(
            checks.tasks,
            self.settings,
            checks.context,
            workers,
            _counter(self.progress, "publishing", len(checks.tasks)),
        ) as results:
            yield lambda: self._recorded(checks, results())

    def _recorded(self, checks: _Checks, results: list[list[Problem]]) -> list[Problem]:
        """Every problem of the files, found now or carried over; the checks recorded
        for the next build and the pages counted as written."""
        tasks, keys = checks.tasks, checks.keys
        problems = list(checks.known)
        for task, found in zip(tasks, results, strict=True):
            problems.extend(found)
            if task.rules:
                self.state.checks[task.path] = {
                    "key": keys[task.path],
                    "problems": problems_to_json(found),
                }
            if task.page and task.doc_id:
                self.written.extend(self._document_outputs(task.doc_id))
        return problems

    @staticmethod
    def _document_outputs(doc_id: str) -> list[str]:
        return [
            f"html/documents/{doc_id}.html",
            f"text/{doc_id}.txt",
            f"html/text/{doc_id}.txt",
            f"html/tei/{doc_id}.xml",
        ]

    def _up_to_date(self, outputs: list[str], key: str) -> bool:
        recorded, present = self.previous.outputs, self.present
        return self.incremental and all(recorded.get(o) == key and o in present for o in outputs)

    # The whole build ------------------------------------------------------------

    def fingerprint(self, digests: Digests) -> str:
        """Every input at once: sources by size and modification time, the rest by digest."""
        stats: list[object] = []
        for path, kind in self.files:
            try:
                stat = os.stat(path)
            except OSError:
                continue
            self.stats[str(path)] = (stat.st_size, stat.st_mtime_ns)
            stats.append([str(path), kind, stat.st_size, stat.st_mtime_ns])
        return digest(
            digests.scan, digests.rules, digests.pages, digests.finishing, orjson.dumps(stats)
        )

    def _folders(self) -> dict[str, int]:
        """Every folder of the output with its modification time: a file added, removed
        or renamed in a folder changes the folder's time."""
        folders: dict[str, int] = {}
        for folder, dirs, _ in os.walk(self.target, followlinks=False):
            path = Path(folder)
            folders[path.relative_to(self.target).as_posix()] = path.stat().st_mtime_ns
            dirs.sort()
        return folders

    def unchanged(self, fingerprint: str) -> dict[str, Any] | None:
        """What the previous build recorded, if nothing changed since and its output is
        as it left it; read from a small file, so that a build with nothing to do is quick."""
        quick = read_json(self.quick)
        if not isinstance(quick, dict) or quick.get("fingerprint") != fingerprint:
            return None
        if not self.target.is_dir() or quick.get("folders") != self._folders():
            return None
        if quick.get("output") != folder_identity(self.target):
            return None
        # Sources changed just before the previous build: their content is compared.
        verify = quick.get("verify", {})
        if not isinstance(verify, dict):
            return None
        if verify:
            sources = {str(path): path for path, _ in self.files}
            if not set(verify) <= set(sources):
                return None
            for name, sha in verify.items():
                if self._content_sha(sources[name]) != sha:
                    return None
        return quick

    def build(self, strict: bool) -> BuildResult:
        digests = Digests.compute(self.edition, self.settings)
        fingerprint = self.fingerprint(digests)
        quick = self.unchanged(fingerprint)
        if quick is not None:
            report = ValidationReport(problems=BuildState.problems_from(quick["problems"]))
            report.files = [display_path(p) for p, _ in self.files]
            self._stop_if_invalid(report, strict)
            self.staging.discard()
            return BuildResult(self.target, report, int(quick["documents"]), list(quick["files"]))
        with ExitStack() as stack:
            self.pages = PageQueue(self.settings, self.jobs, stack, self.finisher, self._write)
            if self.jobs > 1 and len(self.files) >= SPLIT_AT and self.quick.is_file():
                # A rebuild of a large edition: the pages made once per build (a year's
                # page, an index letter) are made by a worker started now, while this
                # process reads the state and scans.
                self.pages.warm()
            self._load()
            self.pages.memo = self.state.memo
            self.registers = self.register_digests(digests)
            if self.index_text_edited:
                # A letter's page and its plain-text part will be made, at once.
                self.pages.widen()
            if self.pages.warmed and self.beside_names:
                # The check pass of the registers and the header will be made in a
                # worker, alongside the index: started now, it is ready when planned
                # (without the page stylesheets when no document page shows more of an
                # entry than its names).
                staging = "" if digests.names_shown else self.settings.staging
                self.checkers = CheckersStarted(replace(self.settings, staging=staging), stack)
            self.start_names(digests, stack)
            # The Saxon runtime the scan and check passes share, let go after the checks:
            # an index is then built here without it.
            shared = stack.enter_context(ExitStack())
            scans = self.scan(digests, shared)
            report = ValidationReport(problems=missing_problems(self.edition))
            report.files = [scan.display for scan in scans]
            for scan in scans:
                report.problems.extend(scan.problems)
            cards = [
                Catalogued(s, s.facts, self.cards)
                for s in scans
                if s.kind == "document" and s.readable and s.facts
            ]
            cards.sort(key=lambda c: (c.facts.sort, c.facts.id))
            # What each index shows of the documents, kept to tell whether it changed.
            self.occurrences = {
                kind: digest(*(c.facts.kind_digest(kind) for c in cards)) for kind in INDEX_PAGES
            }
            self.state.memo["occurrences"] = self.occurrences
            # After an edit of a few documents that no index shows, the worker makes the
            # pages while this process checks: they are sent now and waited for once the
            # checks are done (and thrown away if the checks stop the build). An index
            # to build waits until the checks are done and their Saxon let go.
            early = (
                self.pages.warmed
                and self.few
                and self.previous.memo.get("occurrences") == self.occurrences
                and not report.failed(strict)
            )
            if early:
                self.pages.deferred = True
                self._finish(digests, cards)
            checks = self.plan_checks(digests, scans, cards)
            # After an edit of a register, or of many documents, the checks are made in
            # workers while this process builds the indexes and sends their pages, made
            # in the finishing workers and thrown away if the checks stop the build.
            alongside = (
                not early
                and self.pages.warmed
                and checks.inline_limit <= 1
                and not report.failed(strict)
            )
            if alongside:
                with self.checks_alongside(checks) as checked:
                    self.pages.deferred = True
                    self._finish(digests, cards)
                    report.problems.extend(checked())
            else:
                report.problems.extend(self.run_checks(checks))
            shared.close()
            report.sort()
            self._stop_if_invalid(report, strict)
            if not (early or alongside):
                self._finish(digests, cards)
            self._sitemap()
            self.pages.flush(final=True)
        self.commit()
        self.state.output = folder_identity(self.target)
        self.state.fingerprint = fingerprint
        self.state.remember_problems(report.problems)
        try:
            self.cards.save(c.facts.text for c in cards)
        except sqlite3.Error:  # the output is published; the next build starts afresh
            self.state = BuildState(self.state.path)
        finally:
            self.cards.close()
        self.state.save()
        quick = {
            "fingerprint": fingerprint,
            "folders": self._folders(),
            "problems": self.state.problems,
            "documents": len(cards),
            "files": sorted(self.state.outputs),
            "output": self.state.output,
            "verify": {
                name: record["scan"]["sha"]
                for name, record in self.state.scans.items()
                if not vouches(self.stats.get(name), self.started)
            },
        }
        write_json(self.quick, quick)
        return BuildResult(
            self.target,
            report,
            documents=len(cards),
            files=sorted(self.state.outputs),
            written=sorted(self.written),
        )

    def _stop_if_invalid(self, report: ValidationReport, strict: bool) -> None:
        if report.failed(strict):
            lines = "".join(problem.format() + "\n" for problem in report.problems)
            count = len(report.errors) + (len(report.warnings) if strict else 0)
            raise InvalidEdition(
                f"{lines}build stopped: {count} problem{'s' if count != 1 else ''} (see above); "
                f"nothing was written, {display_path(self.target)} is unchanged",
                report.problems,
            )

    def register_digests(self, digests: Digests) -> RegisterDigests:
        """The registers digested entry by entry, each register's digests kept between
        builds under the digest of its file: most builds follow an edit of a document,
        not of a register, and an edit of a register leaves the others as they were
        (:attr:`index_text_edited` tells whether one changed what its plain-text index
        shows)."""
        parts: list[RegisterPart] = []
        names_kept = True
        for kind, key in digests.register_files:
            memo = f"register:{kind}"
            known = self.previous.memo.get(memo)
            before = part = None
            if isinstance(known, list) and len(known) == 2:
                before = RegisterPart.from_json(known[1])
                if known[0] == key:
                    part = before
            if part is None:
                part = RegisterPart.of(kind, self._register(kind))
                self.index_text_edited |= before is not None and (
                    not digests.index_text_shown or part.indexed != before.indexed
                )
                self.beside_names = True
                names_kept &= before is not None and part.names == before.names
                known = [key, part.to_json()]
            self.state.memo[memo] = known
            parts.append(part)
        self.beside_names &= names_kept
        return RegisterDigests.combine(parts)

    def _register_data(self) -> dict[str, bytes | None]:
        """The registers' bytes by kind, read once for the whole build (None: unreadable,
        which validation reports): most builds need only their digests."""
        if self._register_bytes is None:
            self._register_bytes = {}
            for kind, path in self.edition.register_paths.items():
                try:
                    data: bytes | None = read_bytes(
                        path, display_path(path), self.settings.max_bytes
                    )
                except UnreadableSource:
                    data = None
                self._register_bytes[kind] = data
        return self._register_bytes

    def _register(self, kind: str) -> Source | None:
        """The register of ``kind``, parsed from the bytes :meth:`_register_data` read,
        once for the whole build (None: unreadable, which validation reports)."""
        if kind not in self._read_registers:
            data = self._register_data()[kind]
            path = self.edition.register_path(kind)
            try:
                source = (
                    load_bytes(data, path, display_path(path), self.settings.max_bytes)
                    if data is not None
                    else None
                )
            except UnreadableSource:
                source = None
            self._read_registers[kind] = source
        return self._read_registers[kind]

    # The pages made once per build ------------------------------------------

    def finisher(self, roles: Collection[str] = FINISHING_STYLESHEETS) -> Finisher:
        """The finishing stylesheets of ``roles`` in this process, compiled on first use
        (a few pages need only the driver they are made with)."""
        if self._finisher is None or not set(roles) <= set(self._finisher.stylesheets):
            known = self._finisher.stylesheets if self._finisher else ()
            self._finisher = Finisher(self.edition, self.settings, {*known, *roles})
        return self._finisher

    def _emit(self, relative: str, key: str, make: Callable[[], Output]) -> None:
        """Write an output unless the previous build made it from the same inputs; a
        page a stylesheet makes is queued (:class:`~kimedition.pages.PageQueue`)."""
        self.state.outputs[relative] = key
        if self._up_to_date([relative], key):
            return
        content = make()
        if isinstance(content, Page | Parts):
            self.pages.add(relative, content)
        else:
            self._write(relative, content)

    def _copy_of(self, relative: str) -> Copied:
        """The same content as another output of this build: as staged, or as published
        when this build did not rewrite it."""
        staged = self.staging.root / relative
        return Copied(staged if staged.is_file() else self.target / relative)

    def _write(self, relative: str, content: str | bytes | Streamed | Copied) -> None:
        """Write an output into the staging folder and count it as written."""
        if isinstance(content, Streamed):
            self.staging.write_parts(relative, content.parts())
        elif isinstance(content, Copied):
            self.staging.copy_in(relative, content.source)
        else:
            data = content.encode("utf-8") if isinstance(content, str) else content
            self.staging.write_bytes(relative, data)
        self.written.append(relative)

    def _finish(self, digests: Digests, catalogue_cards: list[Catalogued]) -> None:
        """The home page, the indexes and data, the copied sources and assets, queued
        or written (:attr:`pages` makes the queued ones; its last flush waits for them).

        Each output is made only when its key changed; the inputs a key needs are cheap
        digests, the outputs' own inputs (the catalogue, an index) are made on demand.
        The sitemap is made apart (:meth:`_sitemap`), after the documents' outputs are
        known too.
        """
        edition = self.edition
        documents = len(catalogue_cards)

        def run(role: str, source: str, **parameters: Parameter) -> Page:
            return Page(role, source, tuple(sorted(parameters.items())))

        @cache
        def catalogue() -> str:
            body = "".join(c.card for c in catalogue_cards)
            return f'<kim:catalogue xmlns:kim="{KIM}">{body}</kim:catalogue>'

        parsed: dict[str, Card] = {}

        def cards_of(wanted: frozenset[str] | None) -> list[Card]:
            # The cards of the documents that mention one of ``wanted`` (None: all), as
            # objects, from their JSON form, only when an index is made: with the
            # mentions of ``wanted`` alone for an index of a few entries, else whole,
            # each read once for the build.
            chosen = [
                c.facts.text
                for c in catalogue_cards
                if wanted is None or not wanted.isdisjoint(c.facts.pointers)
            ]
            if wanted is not None:
                few = self.cards.parsed(chosen, only=wanted)
                return [few[text] for text in chosen]
            missing = [text for text in chosen if text not in parsed]
            if missing:
                parsed.update(self.cards.parsed(missing))
            return [parsed[text] for text in chosen]

        # The pages made once per build show the registers' entries by their names only,
        # besides an index's own register (see RegisterDigests).
        shown = digest(digests.pages, self.registers.names)
        header = load_source(edition.header_path, display_path(edition.header_path))
        home = partial(lambda: run("home", "edition", catalogue=catalogue))
        if self.settings.split:
            years: dict[str, list[Catalogued]] = {}
            for catalogued in catalogue_cards:
                years.setdefault(catalogued.facts.sort[:4], []).append(catalogued)
            summary = json.dumps([[year, len(found)] for year, found in sorted(years.items())])

            def part(year: str | None) -> str:
                # The pages of a split edition show the cards of one year (or none) and
                # count the others: those are given as stubs, to keep the input small.
                body = "".join(
                    "".join(c.card for c in found)
                    if here == year
                    else "".join(
                        f'<kim:card sort="{escape(c.facts.sort, _QUOTE)}"/>' for c in found
                    )
                    for here, found in sorted(years.items())
                )
                return f'<kim:catalogue xmlns:kim="{KIM}">{body}</kim:catalogue>'

            self._emit(
                "html/index.html",
                digest(shown, "home", summary),
                lambda: run("home", "edition", catalogue=partial(part, None)),
            )
            for year in sorted(years):
                self._emit(
                    f"html/years/{year}.html",
                    digest(shown, "year", year, summary, *(c.facts.text for c in years[year])),
                    partial(
                        lambda y: run("home", "edition", catalogue=partial(part, y), year=y), year
                    ),
                )
        else:
            self._emit(
                "html/index.html",
                digest(shown, "home", *(c.facts.text for c in catalogue_cards)),
                home,
            )
        self._emit("html/tei/edition.xml", digest(header.data), _constant(header.data))

        for kind, name in INDEX_PAGES.items():
            path = edition.register_path(kind)
            data = self._register_data()[kind]
            if data is None:  # validation stopped the build before this
                raise BuildError(f"{display_path(path)}: the register cannot be read")
            # What this index shows of the documents: an edit of a person's reference
            # leaves the other indexes' keys as they were.
            occurrences = self.occurrences[kind]
            key = digest(shown, kind, data, occurrences)

            # What the index shows of each entry's documents, kept for the next build
            # while what it shows of the documents is as now (an edit of a register
            # entry's note, or of a document's wording).
            memo = f"touched:{kind}"
            known = self.previous.memo.get(memo)
            if isinstance(known, list) and len(known) == 2 and known[0] == occurrences:
                self.state.memo[memo] = known

            @cache
            def touched(
                kind: str = kind, memo: str = memo, occurrences: str = occurrences
            ) -> Touched:
                # Made (or read back) only when some index page's key is worked out.
                known = self.state.memo.get(memo)
                kept = Touched.from_json(known[1]) if known is not None else None
                if kept is not None:
                    return kept
                made = Touched.of(kind, (c.facts for c in catalogue_cards))
                self.state.memo[memo] = [occurrences, made.to_json()]
                return made

            @cache
            def entries(kind: str = kind, path: Path = path) -> list[Entry]:
                # Parsed only when an output of the index is made.
                register = self._register(kind)
                if register is None:
                    raise BuildError(f"{display_path(path)}: the register cannot be read")
                return read_entries(register.root, kind)

            index = IndexSource(entries, cards_of, KeptEntries(self.cards, kind, touched))

            @cache
            def whole(kind: str = kind, index: IndexSource = index) -> str:
                return index_xml(kind, index.index(), documents)

            def page(index: Parameter, kind: str = kind, **strings: Parameter) -> Page:
                return run("html-index", kind, index=index, **strings)

            if self.settings.split:
                self._index_in_parts(
                    IndexParts(kind, name, index, documents, page, touched),
                    digests,
                    key,
                )
            else:
                self._emit(f"html/{name}.html", key, partial(page, whole))
                self._emit(f"text/{name}.txt", key, partial(run, "text-index", kind, index=whole))
            # The JSON export shows every entry in full; the CSV export an entry's id,
            # name and type only (and a place's coordinates, from the whole register),
            # so that an edit of a person's note leaves it as it was.
            prefix = f"{kind}:"
            named = (v for p, v in self.registers.named.items() if p.startswith(prefix))
            data_keys = {
                "json": digest("data", kind, data, occurrences, __version__),
                "csv": digest(
                    "data-csv",
                    kind,
                    *([data] if kind == "place" else named),
                    occurrences,
                    __version__,
                ),
            }

            @cache
            def entry_keys(
                kind: str = kind,
                index: IndexSource = index,
                touched: Callable[[], Touched] = touched,
            ) -> list[str]:
                # What an entry's part of an export shows: the entry, and what the index
                # shows of each of its documents, in their order.
                found = touched().digests
                return [
                    digest(__version__, self.registers.entries.get(p, ""), found.get(p, ""))
                    for p in (f"{kind}:{entry.id}" for entry in index.entries())
                ]

            if self.pages.deferred:
                # Its pages are sent before its exports are written, and made meanwhile.
                self.pages.flush(final=False)
            for suffix, parts in (("json", index_json_parts), ("csv", index_csv_parts)):
                first = f"data/{name}.{suffix}"
                # Where each entry's part lies: kept while the file is, replaced when made.
                self._carry_parts(first)
                self._emit(
                    first,
                    data_keys[suffix],
                    partial(self._export, first, Export(kind, index, parts, entry_keys)),
                )
                self._emit(
                    f"html/data/{name}.{suffix}", data_keys[suffix], partial(self._copy_of, first)
                )
            self._emit(f"html/tei/{path.name}", digest(data), _constant(data))
            # The index's pages are made now, so that its objects are let go before the
            # next index is built.
            self.pages.flush(final=False)
        assets = edition.xslt_dir / "assets"
        if assets.is_dir():
            for asset in sorted(p for p in assets.rglob("*") if p.is_file()):
                content = asset.read_bytes()
                relative = f"html/assets/{asset.relative_to(assets).as_posix()}"
                self._emit(relative, digest(content), _constant(content))

    def _sitemap(self) -> None:
        """The sitemap, once every page of the build is known (:meth:`plan_checks` and
        :meth:`_finish` record them)."""
        pages = (p.removeprefix("html/") for p in self.state.outputs if p.startswith("html/"))
        for name, text in sitemap_files(self.settings.base_url, pages).items():
            self._emit(f"html/{name}", digest(text), _constant(text))

    def _index_in_parts(
        self,
        parts: IndexParts,
        digests: Digests,
        index_key: str,
    ) -> None:
        """A split index: its front page, a page per letter (given only the index of its
        own entries), and a page of its own for an entry with more documents than a
        letter's page lists.

        A letter's or an entry's page is keyed on its own entries (see
        :class:`RegisterDigests`) and on the digests of the cards of the documents they
        occur in, so that the index itself is built only when some page must be made."""
        kind, page, documents = parts.kind, parts.page, parts.documents
        letters, letter_of = self._letters(kind, digests)
        shared = digest(
            digests.pages, self.registers.names, kind, json.dumps(letters), str(documents)
        )
        relative = f"text/{parts.name}.txt"
        # Every page's key below is made from ``shared``, the register and the cards'
        # digests, which ``index_key`` covers, and which entries have pages of their own
        # depends on ROWS: when these are as in the previous build, so are the pages'
        # keys, which are then carried over without being worked out.
        whole = digest(shared, index_key, str(ROWS))
        memo = f"index-pages:{kind}"
        if self._carry_keys(memo, whole):
            self._carry_parts(relative)
            return
        emitted = len(self.state.outputs)
        entry_digests = self.registers.entries
        self._emit(
            f"html/{parts.name}.html",
            digest(shared, "front"),
            lambda: page(index_xml(kind, [], documents)),
        )
        by_letter: dict[str, list[str]] = {}
        for entry, letter in letter_of.items():
            by_letter.setdefault(letter, []).append(entry)

        def letter_key(letter: str, *what: str, shown: dict[str, str] = entry_digests) -> str:
            # What a letter's page or plain-text part shows: its own entries (in full,
            # or as much of them as ``shown`` digests) and the cards of their documents
            # (the rest is in ``shared``).
            entries = by_letter.get(letter, [])
            return digest(
                shared,
                *what,
                letter,
                *(shown.get(f"{kind}:{e}", e) for e in entries),
                parts.occurrences(entries),
            )

        def index_of(entries: list[str]) -> str:
            # The part of the index a page shows, made only when the page is.
            wanted = {f"{kind}:{entry}" for entry in entries}
            return index_element(kind, parts.index.entries_xml(wanted), documents)

        def text_index(letter: str) -> str:
            # Every entry, for the count and the cross-references; the documents of the
            # letter's own entries only.
            wanted = {f"{kind}:{entry}" for entry in by_letter.get(letter, [])}
            return index_element(kind, parts.index.entries_xml(wanted, others=True), documents)

        def text_part(letter: str, before: bool, first: bool) -> Page:
            return Page(
                "text-index",
                kind,
                (
                    ("before-letters", int(before)),
                    ("first-part", int(first)),
                    ("index", partial(text_index, letter)),
                    ("letter", letter),
                ),
            )

        # The plain-text parts: the names of no letter ('') that sort before A, the
        # letters, then the names of no letter that sort after Z.
        text_letters = [(letter, False) for letter in letters if letter]
        if "" in letters:
            text_letters = [("", True), *text_letters, ("", False)]
        # A part is keyed as a letter's page is: an edit of one entry redoes its letter's
        # part, and the others are taken from the published file.
        indexed = self.registers.indexed if digests.index_text_shown else entry_digests
        part_keys = tuple(
            letter_key(letter, "text-part", str(position == 0), str(before), shown=indexed)
            for position, (letter, before) in enumerate(text_letters)
        )

        def text_parts() -> Parts:
            kept = self._published_parts(relative, set(part_keys))
            return Parts(
                tuple(
                    kept[key] if key in kept else text_part(letter, before, position == 0)
                    for position, ((letter, before), key) in enumerate(
                        zip(text_letters, part_keys, strict=True)
                    )
                ),
                part_keys,
            )

        self._carry_parts(relative)
        # Queued first: a letter's plain-text part takes longer to make than its page.
        # The file is its parts joined, so it is keyed on theirs: an edit that no part
        # shows (a note, when the parts show no notes) leaves it as it was, unread.
        self._emit(relative, digest("text-parts", *part_keys), text_parts)

        for letter in letters:
            entries = by_letter.get(letter, [])
            self._emit(
                f"html/{parts.name}-{letter.lower() or 'other'}.html",
                letter_key(letter, "letter"),
                partial(
                    lambda e, x: page(partial(index_of, e), letter=x, rows=ROWS),
                    entries,
                    letter,
                ),
            )
            for entry in entries:
                if parts.touched().counts.get(f"{kind}:{entry}", 0) > ROWS:
                    self._emit(
                        f"html/{parts.name}/{entry}.html",
                        digest(
                            shared,
                            "entry",
                            entry_digests.get(f"{kind}:{entry}", entry),
                            parts.occurrences([entry]),
                        ),
                        partial(
                            lambda e: page(partial(index_of, [e]), entry=e),
                            entry,
                        ),
                    )
        # The outputs of this index are those added to the state since ``emitted``
        # (a dictionary keeps the order of insertion; none was there before).
        self.state.memo[memo] = [whole, dict(list(self.state.outputs.items())[emitted:])]

    def _carry_keys(self, memo: str, whole: str) -> bool:
        """Record the outputs of ``memo`` with the keys the previous build gave them, if
        it made them from inputs of digest ``whole`` and they are as it left them."""
        known = self.previous.memo.get(memo)
        if not (isinstance(known, list) and len(known) == 2 and known[0] == whole):
            return False
        outputs = known[1]
        if not (
            self.incremental
            and isinstance(outputs, dict)
            and all(
                isinstance(key, str) and self.previous.outputs.get(output) == key
                for output, key in outputs.items()
            )
            and self.present.issuperset(outputs)
        ):
            return False
        self.state.outputs.update(outputs)
        self.state.memo[memo] = known
        return True

    def _export(self, relative: str, export: Export) -> Streamed:
        """A data export written entry by entry, each entry's part taken from the
        published file when its key is the one recorded there and its bytes are as
        recorded (a change of one entry's note makes that entry's part only); where each
        part lies is recorded for the next build."""

        def parts() -> Iterator[bytes]:
            # The first entry's part has no separator before it.
            keys = [key + ("-first" if n == 0 else "") for n, key in enumerate(export.keys())]
            layout: list[list[str | int]] = []
            offset = 0
            with PublishedParts(self._published_layout(relative), self.target / relative) as old:
                source = export.index
                pointers = [entry.pointer for entry in source.entries()]
                # The entries whose part is not in the published file are made; the
                # others are taken from it, unless their bytes are no longer as
                # recorded: those are made too, from the index with their documents.
                fresh = {p for p, key in zip(pointers, keys, strict=True) if key not in old.layout}
                kept: dict[int, bytes] = {}

                def items() -> Iterator[IndexEntry]:
                    for number, item in enumerate(source.index(fresh)):
                        if item.entry.pointer not in fresh:
                            data = old.get(keys[number])
                            if data is not None:
                                kept[number] = data
                            else:
                                item = source.index([item.entry.pointer])[number]
                        yield item

                made = export.make(export.kind, items(), kept=lambda i, _: kept.pop(i, None))
                for number, part in enumerate(made):
                    data = part if isinstance(part, bytes) else part.encode("utf-8")
                    if 0 < number <= len(keys):  # an entry's part (after the opening)
                        key = keys[number - 1]
                        sha = old.sha(key) if isinstance(part, bytes) else None
                        layout.append(
                            [key, offset, len(data), sha or hashlib.sha256(data).hexdigest()]
                        )
                    yield data
                    offset += len(data)
            self.state.memo[f"parts:{relative}"] = layout

        return Streamed(parts)

    def _published_layout(self, relative: str) -> dict[str, tuple[int, int, str]]:
        """Where the previous build recorded each part of ``relative``, by key, when the
        file is published as it left it."""
        layout = self.previous.memo.get(f"parts:{relative}")
        if not self.incremental or relative not in self.present or not isinstance(layout, list):
            return {}
        places: dict[str, tuple[int, int, str]] = {}
        for record in layout:
            if isinstance(record, list) and len(record) == 4:
                key, offset, length, sha = record
                if isinstance(offset, int) and isinstance(length, int) and isinstance(sha, str):
                    places[str(key)] = (offset, length, sha)
        return places

    def _carry_parts(self, relative: str) -> None:
        """Keep where the parts of a file made in parts lie in it, for as long as the file
        is not made again (a new layout replaces it when it is)."""
        known = self.previous.memo.get(f"parts:{relative}")
        if known is not None:
            self.state.memo[f"parts:{relative}"] = known

    def _published_parts(self, relative: str, wanted: set[str]) -> dict[str, str]:
        """The texts of the parts of ``relative`` among ``wanted`` (by key) as the
        previous build published them, each read back only if its digest is as
        recorded."""
        kept: dict[str, str] = {}
        with PublishedParts(self._published_layout(relative), self.target / relative) as old:
            for key in wanted:
                data = old.get(key)
                if data is not None:
                    kept[key] = data.decode("utf-8", errors="replace")
        return kept

    def _letters(self, kind: str, digests: Digests) -> tuple[list[str], dict[str, str]]:
        """The letters of a split index and the letter of each entry, asked of the
        stylesheet once per register and kept between builds: an entry's letter depends
        on its names and sort key, not on its notes or dates (:class:`RegisterDigests`)."""
        key = digest("letters", kind, self.registers.names, digests.pages)
        known = self.previous.memo.get(f"letters-{kind}")
        if (
            isinstance(known, list)
            and len(known) == 3
            and known[0] == key
            and isinstance(known[1], list)
            and isinstance(known[2], dict)
        ):
            letters, letter_of = list(known[1]), dict(known[2])
        else:
            letters, letter_of = self.pages.letters(kind)
        self.state.memo[f"letters-{kind}"] = [key, letters, letter_of]
        return letters, letter_of

    # Commit ---------------------------------------------------------------------

    def commit(self) -> None:
        """Swap in the staging folder (first build) or move the changed files in."""
        if not self.incremental:
            self.staging.commit()
            return
        removals = sorted(self.present - set(self.state.outputs) - set(KEEP))
        # Rewritten files that came out identical are left as they are.
        for relative in list(self.written):
            staged = self.staging.root / relative
            existing = self.target / relative
            if existing.is_file() and filecmp.cmp(existing, staged, shallow=False):
                staged.unlink()
                self.written.remove(relative)
        commit_changes(self.staging, removals)


@dataclass(frozen=True)
class _Checks:
    """The check pass as planned (:meth:`_Build.plan_checks`)."""

    context: Context
    tasks: list[CheckTask]
    known: list[Problem]
    """The problems carried over from the previous build, for the files not checked."""
    keys: dict[str, str]
    """Each file's key of its rules' result."""
    inline_limit: int
    """Fewer tasks than this are checked in the build's own process."""


@dataclass(frozen=True)
class Catalogued:
    """A document that has a catalogue card: its scan and the card's facts; the card
    itself is read from the store when a page shows it."""

    scan: Scan
    facts: CardFacts
    store: CardStore

    @property
    def card(self) -> str:
        return self.scan.card if self.scan.card is not None else self.store.get(self.facts.text)


class IndexSource:
    """The index of one register, built as far as the outputs made need it.

    A page of a split index, or the part of an export, that shows a few entries asks for
    those: their documents are then found in the cards that mention them, not in every
    card of the edition (after an edit of one entry's note, its letter's page, its own
    page, its letter's part of the plain-text index and its part of the exports). Once
    more than :data:`PARTIAL_SHARE` of the entries have been asked for, or when an output
    shows them all, the whole index is built, and serves every later request."""

    def __init__(
        self,
        entries: Callable[[], list[Entry]],
        cards: Callable[[frozenset[str] | None], list[Card]],
        kept: KeptEntries | None = None,
    ) -> None:
        self._entries = entries
        self._cards = cards
        self._kept = kept
        self._whole: list[IndexEntry] | None = None
        self._asked: set[str] = set()
        self._made: dict[frozenset[str], list[IndexEntry]] = {}
        self._unique: list[Entry] | None = None
        self._written: set[str] = set()

    def entries(self) -> list[Entry]:
        """The register's entries, in its order (one for each pointer, as in the index)."""
        if self._unique is None:
            self._unique = [entry for _, entry in one_per_pointer(self._entries())]
        return self._unique

    def index(self, wanted: Iterable[str] | None = None) -> list[IndexEntry]:
        """Every entry of the register, in its order: each with every document it occurs
        in, or, given ``wanted`` (pointers), at least those."""
        if self._whole is None and wanted is not None:
            asked = frozenset(wanted)
            self._asked |= asked
            if len(self._asked) <= len(self._entries()) * PARTIAL_SHARE:
                made = self._made.get(asked)
                if made is None:
                    made = build_index(self._entries(), self._cards(asked), only=asked)
                    self._made[asked] = made
                return made
        if self._whole is None:
            self._made.clear()
            self._whole = build_index(self._entries(), self._cards(None))
        return self._whole

    def entries_xml(self, pointers: Collection[str], others: bool = False) -> str:
        """The ``kim:entry`` elements of the entries of ``pointers`` in the register's
        order, each with every document it occurs in (:func:`entry_xml`), and, when
        ``others``, every other entry without its documents.

        Before the whole index is built, an entry kept under its key (see
        :class:`KeptEntries`) is taken as kept; the entries made are kept for the next
        build."""
        chosen = [entry for entry in self.entries() if entry.pointer in pointers]
        kept = self._kept
        found: dict[str, str] = {}
        keys: dict[str, str] = {}
        if kept is not None:
            keys = {entry.pointer: kept.key(entry) for entry in chosen}
            if self._whole is None:
                by_pointer = {entry.pointer: entry for entry in chosen}
                for pointer, xml in kept.store.kept_entries(keys).items():
                    if xml.startswith(entry_xml_start(by_pointer[pointer])):
                        found[pointer] = xml
        missing = [entry.pointer for entry in chosen if entry.pointer not in found]
        if missing:
            wanted = set(missing)
            shown: dict[str, tuple[str, str]] = {}
            made = {
                item.entry.pointer: entry_xml(item, shown)
                for item in self.index(missing)
                if item.entry.pointer in wanted
            }
            if kept is not None:
                kept.store.keep_entries(
                    (pointer, keys[pointer], xml)
                    for pointer, xml in made.items()
                    if pointer not in self._written
                )
                self._written.update(made)
            found.update(made)
        if not others:
            return "".join(found[entry.pointer] for entry in chosen)
        return "".join(
            found[entry.pointer] if entry.pointer in found else entry_xml(IndexEntry(entry))
            for entry in self.entries()
        )


@dataclass(frozen=True)
class KeptEntries:
    """Where the entries of one index are kept as XML between builds, and under what
    key: an entry's XML depends on its id and pointer and on what the index shows of
    each document it occurs in, which :class:`Touched` digests."""

    store: CardStore
    kind: str
    touched: Callable[[], Touched]

    def key(self, entry: Entry) -> str:
        """The key of ``entry``'s XML in this build."""
        shown = self.touched().digests.get(entry.pointer, "")
        return digest(__version__, "entry", self.kind, entry.id, entry.pointer, shown)


PARTIAL_SHARE = 0.125
"""The share of a register's entries an index is built for, a few at a time, before it
is built whole (:class:`IndexSource`)."""


@dataclass(frozen=True)
class Export:
    """A data export of one register's index: its kind, the index (built as far as
    needed), how it is written in parts, and what each entry's part is made from."""

    kind: str
    index: IndexSource
    make: Callable[..., Iterator[str | bytes]]
    keys: Callable[[], list[str]]
    """Each entry's key, in the index's order (made on first call, for all the
    register's exports)."""


class PublishedParts:
    """The parts of a published file, read one at a time where a layout says they lie,
    each only if its bytes have the SHA-256 recorded for them."""

    def __init__(self, layout: dict[str, tuple[int, int, str]], path: Path) -> None:
        self.layout = layout
        self.path = path
        self._handle: BinaryIO | None = None

    def __enter__(self) -> PublishedParts:
        if self.layout:
            self._handle = open_regular(self.path)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._handle is not None:
            self._handle.close()

    def get(self, key: str) -> bytes | None:
        """The part recorded under ``key``, or None (not recorded, or not as recorded)."""
        place = self.layout.get(key)
        if place is None or self._handle is None:
            return None
        offset, length, sha = place
        self._handle.seek(offset)
        data = self._handle.read(length)
        if len(data) != length or hashlib.sha256(data).hexdigest() != sha:
            return None
        return data

    def sha(self, key: str) -> str | None:
        place = self.layout.get(key)
        return place[2] if place else None


@dataclass(frozen=True)
class IndexParts:
    """What the pages of one split index are made from."""

    kind: str
    name: str
    index: IndexSource
    """The index, built as far as the pages made need it."""
    documents: int
    page: Callable[..., Page]
    touched: Callable[[], Touched]
    """What the index shows of each entry's documents (made on first call)."""

    def occurrences(self, entries: list[str]) -> str:
        """A digest of what a part of the index shows of the documents: for each entry,
        the digest of the cards it occurs in (a card's digest covers its mentions and
        roles)."""
        found = self.touched().digests
        return digest(*(f"{entry} {found.get(f'{self.kind}:{entry}', '')}" for entry in entries))


@dataclass(frozen=True)
class Touched:
    """For each pointer of one index's kind: the number of documents it occurs in, and a
    digest of what the index shows of each of them under its entry (the document, and
    the entry's mentions and roles there: :meth:`CardFacts.entry_digests`), in the
    edition's order."""

    counts: dict[str, int]
    digests: dict[str, str]

    @classmethod
    def of(cls, kind: str, cards: Iterable[CardFacts]) -> Touched:
        """Worked out from the cards' facts, in the edition's order."""
        # Each pointer's digest is made as its documents come (the :func:`digest` of
        # them all): a list of what is shown of each would hold a string for each of
        # the hundreds of thousands of occurrences of a large edition.
        counts: dict[str, int] = {}
        hashes: dict[str, Any] = {}
        for facts in cards:
            for pointer, shown in facts.entry_digests(kind):
                running = hashes.get(pointer)
                if running is None:
                    running = hashes[pointer] = hashlib.sha256()
                    counts[pointer] = 0
                running.update(framed(shown))
                counts[pointer] += 1
        return cls(counts=counts, digests={p: h.hexdigest() for p, h in hashes.items()})

    def to_json(self) -> list[Any]:
        return [self.counts, self.digests]

    @classmethod
    def from_json(cls, data: Any) -> Touched | None:
        """As :meth:`to_json` wrote it; None for anything else (a damaged state)."""
        if not (isinstance(data, list) and len(data) == 2):
            return None
        counts, digests = data
        if (
            isinstance(counts, dict)
            and isinstance(digests, dict)
            and counts.keys() == digests.keys()
            and all(type(n) is int for n in counts.values())
            and all(type(d) is str for d in digests.values())
        ):
            return cls(counts=counts, digests=digests)
        return None


_QUOTE = {'"': "&quot;"}
"""What :func:`escape` must also escape in an attribute value between double quotes."""


def _constant(value: str | bytes) -> Callable[[], str | bytes]:
    return lambda: value


__all__ = ["INDEX_PAGES", "BuildResult", "build"]
