"""The pages a build makes once, not per document: the home page, the year pages and
the cumulative indexes, each made by a finishing stylesheet (:data:`FINISHING_STYLESHEETS`).

:mod:`kimedition.build` says which pages are out of date and queues them
(:class:`PageQueue`) as :class:`Page` or :class:`Parts` objects, whose large parameters
(a letter's part of an index) are made only when the page is sent; the queue makes them
in worker processes, each holding one :class:`Finisher` (the stylesheets compiled once,
the registers parsed once), or in the build's own process when there are few.
"""

from __future__ import annotations

import hashlib
from collections import deque
from collections.abc import Callable, Collection, Iterable
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ProcessPoolExecutor, wait
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .edition import Edition
from .engine import (
    SOURCE_PARAMETERS,
    Settings,
    configure,
    current_worker,
    kill_pool,
    ready,
    register_nodes,
    worker_pool,
)
from .indexes import KIM
from .memory import keep_within
from .saxon import SaxonRuntime, Stylesheet

FINISHING_STYLESHEETS = {
    "home": "html-home.xsl",
    "html-index": "html-index.xsl",
    "text-index": "text-index.xsl",
}
"""The drivers run once per build (not per document); see docs/stylesheets.md."""

Parameter = str | int | Callable[[], str]
"""A page's parameter: a value, or how to make it (a large index, made when the page is)."""


@dataclass(frozen=True)
class Page:
    """An output a finishing stylesheet makes: the driver's role, what it is applied to
    (``edition`` for the header, else a register kind) and its parameters."""

    role: str
    source: str
    parameters: tuple[tuple[str, Parameter], ...]

    def resolved(self) -> Page:
        """The page with every parameter made: what a worker process is sent."""
        return Page(
            self.role,
            self.source,
            tuple((name, value() if callable(value) else value) for name, value in self.parameters),
        )


@dataclass(frozen=True)
class Parts:
    """An output made of several pages, joined: a plain-text index made letter by letter
    (each part without the blank lines around it; the file ends with a line end). A part
    given as text is already made; ``keys``, when given, name the parts, so that the
    next build can find them in the file (:meth:`layout`)."""

    pages: tuple[Page | str, ...]
    keys: tuple[str, ...] = ()

    def to_make(self) -> tuple[Page, ...]:
        return tuple(part for part in self.pages if isinstance(part, Page))

    def texts(self, made: list[str]) -> list[str]:
        """Every part's text, ``made`` being those of :meth:`to_make`, in order."""
        remaining = iter(made)
        return [part if isinstance(part, str) else next(remaining) for part in self.pages]

    @staticmethod
    def join(texts: list[str]) -> str:
        return "\n\n".join(text for text in texts if text) + "\n"

    def layout(self, texts: list[str]) -> list[list[str | int]]:
        """Where each part lies in :meth:`join`'s text: key, byte offset, length and
        SHA-256 of its UTF-8 bytes."""
        records: list[list[str | int]] = []
        position, first = 0, True
        for key, text in zip(self.keys, texts, strict=True):
            data = text.encode("utf-8")
            if data and not first:
                position += 2
            records.append([key, position, len(data), hashlib.sha256(data).hexdigest()])
            if data:
                position += len(data)
                first = False
        return records


@dataclass(frozen=True)
class Streamed:
    """An output written part by part (a large data file), never held whole."""

    parts: Callable[[], Iterable[str | bytes]]


@dataclass(frozen=True)
class Copied:
    """An output with the content of a file already written."""

    source: Path


Output = str | bytes | Page | Parts | Streamed | Copied
"""What an output is made as: its content, or how to make or copy it."""


PAGES_INLINE = 8
"""Fewer pages than this are made in the build's own process, saving the start-up of
worker processes."""

AHEAD = 1
"""Pages sent to the worker processes beyond one for each to make. A page's parameters
are made only when it is sent, and its text is written and let go as soon as it and the
pages queued before it are back, so that the indexes of a large edition are never all
held as text at once."""


class PageQueue:
    """The pages of a build's finishing stylesheets: queued, then made in worker
    processes (one per job, each compiling the stylesheets once), or in this process
    when there are few.

    ``finisher(roles)`` gives this process's :class:`Finisher`, compiled on first use;
    ``write(relative, text)`` stages an output; ``memo`` is the build state's memo (it
    may be given once the state is read), where a file in parts records where each part
    lies. The worker processes live as long as ``stack``."""

    def __init__(
        self,
        settings: Settings,
        jobs: int,
        stack: ExitStack,
        finisher: Callable[[Collection[str]], Finisher],
        write: Callable[[str, str], None],
        memo: dict[str, Any] | None = None,
    ) -> None:
        self.settings = settings
        self.jobs = jobs
        self.stack = stack
        self.finisher = finisher
        self.write = write
        self.memo: dict[str, Any] = {} if memo is None else memo
        self.queue: list[tuple[str, Page | Parts]] = []
        self.pool: Executor | None = None
        self.deferred = False
        """When set, :meth:`flush` sends the pages and returns; the last flush waits for
        them all. Set by a build that makes its pages while it checks the documents."""
        self.warmed = False
        self._submitted = False
        self._sent: set[Future[str]] = set()
        self._made: deque[tuple[str, Page | Parts, list[Future[str]]]] = deque()

    def add(self, relative: str, page: Page | Parts) -> None:
        self.queue.append((relative, page))

    def _pool(self, jobs: int) -> Executor:
        if self.pool is None:
            self.pool = self.stack.enter_context(
                worker_pool(jobs, "finish", self.settings, _new_finisher)
            )
        return self.pool

    def warm(self) -> None:
        """Start one worker process now, so that its start-up (Python, Saxon, the
        stylesheets and the registers) overlaps the build's own work. A worker that is
        never sent a page is killed, not waited for, when the queue's stack closes."""
        pool = self._pool(self.jobs)
        pool.submit(ready)
        self.warmed = True

        def release() -> None:
            if not self._submitted and isinstance(pool, ProcessPoolExecutor):
                kill_pool(pool)

        self.stack.callback(release)

    def widen(self) -> None:
        """Start the other workers too, when :meth:`warm` started one: a rebuild that
        makes an index's pages (after an edit of a register) sends a letter's page and
        its plain-text part at once, each then made by a worker already started.

        The pool starts a worker for a task sent while none is idle, up to :attr:`jobs`;
        so ``jobs`` tasks sent now leave ``jobs`` workers started."""
        if self.warmed and self.pool is not None:
            for _ in range(self.jobs):
                self.pool.submit(ready)

    def letters(self, kind: str) -> tuple[list[str], dict[str, str]]:
        """The letters of a split index and the letter of each entry
        (:meth:`Finisher.letters`), asked of a worker process: Saxon is then loaded
        into this process only for the few pages of a small rebuild."""
        if self.jobs <= 1:
            return self.finisher(FINISHING_STYLESHEETS).letters(kind)
        self._submitted = True
        return self._pool(self.jobs).submit(_letters, kind).result()

    def _write(self, relative: str, page: Page | Parts, made: list[str]) -> None:
        """Write an output from the texts of its pages made (a file in parts: with the
        parts already made, recording where each lies)."""
        if not isinstance(page, Parts):
            self.write(relative, made[0])
            return
        texts = page.texts(made)
        if page.keys:
            self.memo[f"parts:{relative}"] = page.layout(texts)
        self.write(relative, Parts.join(texts))

    def flush(self, *, final: bool) -> None:
        """Make every queued page and write it to the staging folder, in the order
        queued (when :attr:`deferred`, only the last flush waits for the pages sent)."""
        queue, self.queue = self.queue, []
        count = sum(len(_pages_of(page)) for _, page in queue)
        jobs = min(self.jobs, count) if final else self.jobs
        roles = {p.role for _, page in queue for p in _pages_of(page)}
        # An index of a large edition is held here while its pages are made: its pages
        # go to workers however few, so that this process does not also hold Saxon, the
        # registers and a letter's index as a tree.
        heavy = self.settings.split and bool(roles & {"html-index", "text-index"})
        if self.pool is None and (jobs <= 1 or (count < PAGES_INLINE and not heavy)):
            finisher = self.finisher(roles) if roles else None
            for relative, page in queue:
                pages = _pages_of(page)
                self._write(
                    relative, page, [finisher.page(p.resolved()) for p in pages] if finisher else []
                )
            return
        if queue:
            pool = self._pool(jobs)
            self._submitted = True
            queue.reverse()
            while queue:
                relative, page = queue.pop()
                futures: list[Future[str]] = []
                for part in _pages_of(page):
                    futures.append(pool.submit(_make_page, part.resolved()))
                    self._sent.add(futures[-1])
                    self._settle(self.jobs + AHEAD)
                self._made.append((relative, page, futures))
        if final or not self.deferred:
            self._settle(0, final=True)
        if final and self._submitted and isinstance(self.pool, ProcessPoolExecutor):
            # Every page is back and written: the workers hold nothing the build needs,
            # and are stopped rather than waited for while each shuts Saxon down. (A
            # pool that was sent nothing is stopped when the queue's stack closes.)
            kill_pool(self.pool)

    def _settle(self, limit: int, final: bool = False) -> None:
        """Wait until at most ``limit`` pages are being made; write, in order, every
        output whose pages are all back (a failed page raises here; when
        :attr:`deferred`, only in the last flush, so that what the check pass finds in
        the meantime is reported first)."""
        sent, made = self._sent, self._made
        while len(sent) > limit:
            sent.difference_update(wait(sent, return_when=FIRST_COMPLETED).done)
        while made and all(future.done() for future in made[0][2]):
            relative, page, futures = made[0]
            if self.deferred and not final and any(f.exception() for f in futures):
                break
            made.popleft()
            self._write(relative, page, [f.result() for f in futures])


def _pages_of(page: Page | Parts) -> tuple[Page, ...]:
    return page.to_make() if isinstance(page, Parts) else (page,)


def _new_finisher(settings: Settings) -> Finisher:
    return Finisher(settings.edition, settings)


def _make_page(page: Page) -> str:
    """In a worker process: make one page."""
    finisher: Finisher = current_worker()
    made = finisher.page(page)
    # What the page left in Saxon's heap and the C library's is given back before the
    # next one (the largest pages would otherwise take a worker past 500 MB).
    keep_within(finisher.runtime)
    return made


def _letters(kind: str) -> tuple[list[str], dict[str, str]]:
    """In a worker process: the letters of a split index."""
    finisher: Finisher = current_worker()
    return finisher.letters(kind)


class Finisher:
    """The stylesheets run once per build, with the registers as parameters."""

    def __init__(
        self,
        edition: Edition,
        settings: Settings,
        roles: Collection[str] = FINISHING_STYLESHEETS,
    ) -> None:
        """Compile the drivers of ``roles`` (default: all of them)."""
        self.runtime = SaxonRuntime()
        self.stylesheets: dict[str, Stylesheet] = {
            role: self.runtime.compile(path=edition.xslt_dir / name)
            for role, name in FINISHING_STYLESHEETS.items()
            if role in roles
        }
        # saxonche cannot call a function of a stylesheet whose parameters are set: the
        # index's letters are asked of a second copy, which is given none.
        self.functions: Stylesheet | None = (
            self.runtime.compile(path=edition.xslt_dir / FINISHING_STYLESHEETS["html-index"])
            if settings.split and "html-index" in roles
            else None
        )
        self.runtime.lock()
        # The header and the registers, parsed once: the parameters of every driver, and
        # the documents the drivers are applied to.
        self.sources = register_nodes(self.runtime, edition)
        configure(self.runtime, self.stylesheets.values(), self.sources, settings)
        self._parsed: dict[str, object] = {}

    def page(self, page: Page) -> str:
        """Make ``page`` (its parameters made): its driver applied to the header or a
        register."""
        parameters: dict[str, str | int] = {}
        for name, value in page.parameters:
            if callable(value):
                raise TypeError(f"the parameter {name} of the page is not made")
            parameters[name] = value
        return self._run(page.role, self._source(page.source), **parameters)

    def _source(self, source: str) -> object:
        """The header (``edition``) or a register (by kind), as parsed for the parameters
        (validation has reported any that cannot be read, and stopped the build)."""
        return self.sources[SOURCE_PARAMETERS[source]]

    def _run(self, role: str, source: object, **parameters: str | int) -> str:
        """Run a driver on a parsed ``source``. ``catalogue`` and ``index`` are XML given as text;
        ``letter``, ``year`` and ``entry`` strings, ``rows`` a number; a parameter not
        given is left empty (``rows``: 0, every document)."""
        stylesheet = self.stylesheets[role]
        for name in self.DOCUMENTS:
            if name in parameters:
                stylesheet.set(name, self._document(str(parameters[name])))
        for name in self.STRINGS:
            value = parameters.get(name)
            stylesheet.set(
                name,
                self.runtime.string(str(value)) if value is not None else self.runtime.empty(),
            )
        if role == "html-index":
            stylesheet.set("rows", self.runtime.integer(int(parameters.get("rows", 0))))
        if role == "text-index":
            stylesheet.set(
                "first-part", self.runtime.boolean(bool(parameters.get("first-part", 1)))
            )
            stylesheet.set(
                "before-letters",
                self.runtime.boolean(bool(parameters.get("before-letters", 0))),
            )
        return stylesheet.transform(source)

    DOCUMENTS = ("catalogue", "index")
    STRINGS = ("letter", "year", "entry")

    def _document(self, text: str) -> object:
        """An XML parameter, parsed once however many pages use it."""
        if text not in self._parsed:
            self._parsed = {text: self.runtime.document(text)}
        return self._parsed[text]

    def letters(self, kind: str) -> tuple[list[str], dict[str, str]]:
        """The letters a split index of the register of ``kind`` has a page for ('' for
        names in other scripts), and the letter of each entry."""
        if self.functions is None:
            raise ValueError("the index is not split: it has no letter pages")
        arguments = [self._source(kind), self.runtime.string(kind)]
        letters = self.functions.call(f"{{{KIM}}}index-letters", arguments)
        pairs = self.functions.call(f"{{{KIM}}}entry-letters", arguments)
        letter_of = {}
        for i in range(pairs.size):
            entry, _, letter = str(pairs.item_at(i).get_string_value()).partition(" ")
            letter_of[entry] = letter
        return [str(letters.item_at(i).get_string_value()) for i in range(letters.size)], letter_of


__all__ = [
    "FINISHING_STYLESHEETS",
    "Copied",
    "Finisher",
    "Output",
    "Page",
    "PageQueue",
    "Parameter",
    "Parts",
    "Streamed",
]
