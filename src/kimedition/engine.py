"""Processing many documents: two passes, in worker processes.

Validation and publishing read every file in two passes:

1. **scan** (:class:`Scanner`): read and check the bytes, parse with the hardened
   parser, validate against the RELAX NG schema, collect the ``xml:id`` and ``@ref``
   values the corpus-wide rules need and, when publishing, make the document's
   catalogue card;
2. **check** (:class:`Checker`): run the editorial rules (Schematron) with the
   corpus-wide facts the first pass gathered and, when publishing, write the document's
   HTML page and plain text into the staging folder.

Each pass runs in worker processes (``jobs``), each with its own Saxon runtime, so
stylesheets are compiled and registers parsed once per process. With one job, or
little work, a pass runs in the calling process. A file that takes longer than the
time limit stops the command with a message naming it (:mod:`kimedition.watchdog`).
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import pickle
import shutil
import signal
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar

from lxml import etree

from . import __version__
from .edition import Edition
from .errors import BuildError, SchemaError
from .indexes import KIM, Card, CardFacts
from .parsing import (
    DEFAULT_MAX_BYTES,
    XML_ID,
    Source,
    UnreadableSource,
    check_bytes,
    load_bytes,
    read_bytes,
)
from .problems import Problem, Severity
from .relaxng import RelaxNGValidator
from .saxon import SaxonRuntime, Stylesheet, TransformError
from .schematron import Result, compile_schematron, locate, read_results
from .watchdog import DEFAULT_TIMEOUT, Watchdog

KINDS = ("person", "place", "org")

INLINE_LIMIT = 40
"""Below this many files a pass runs in the calling process, saving the start-up."""

WORKER_DIED = "a worker process ended unexpectedly (out of memory, or killed); nothing was written"
"""The start of the message when a worker process dies."""

DOCUMENT_STYLESHEETS = {"html": "html-document.xsl", "text": "text-document.xsl"}

LARGE_EDITION = 500
"""From this many documents on, an edition is published in parts (one index page per
letter, one page of documents per year), and the rules' name index is made in a process
of its own (:class:`NameIndex`)."""

T = TypeVar("T")
R = TypeVar("R")


def display_path(path: Path) -> str:
    """How a path is shown in messages: relative to the current folder when inside it.

    The path is made absolute without following links (no system call per part), so a
    linked file is shown where the edition has it.
    """
    return path_display()(path)


def path_display() -> Callable[[Path | str], str]:
    """:func:`display_path` for many paths: the current folder is read once, here."""
    here = os.getcwd().rstrip(os.sep) + os.sep

    def show(path: Path | str) -> str:
        absolute = os.path.abspath(path)
        if absolute.startswith(here):
            return absolute[len(here) :].replace(os.sep, "/")
        return absolute

    return show


def default_jobs() -> int:
    """The number of cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not on Linux
        return max(1, os.cpu_count() or 1)


@dataclass(frozen=True)
class Settings:
    """What every worker needs to know; sent to each worker process once."""

    root: str
    max_bytes: int = DEFAULT_MAX_BYTES
    timeout: float = DEFAULT_TIMEOUT
    base_url: str = ""
    staging: str = ""
    """Where the check pass writes pages; empty when only validating."""
    notes: str = ""
    """A folder where a worker that overruns the time limit leaves its message."""
    split: bool = False
    """Publish the indexes one page per letter and the documents one page per year."""

    @property
    def edition(self) -> Edition:
        return Edition(Path(self.root))


@dataclass
class Scan:
    """What the scan pass learnt about one file."""

    path: str
    kind: str
    display: str
    sha: str = ""
    problems: list[Problem] = field(default_factory=list)
    readable: bool = False
    ids: list[str] = field(default_factory=list)
    refs: list[str] = field(default_factory=list)
    """Every pointer of a document's ``@ref`` values, once each, sorted."""
    card: str | None = None
    facts: CardFacts | None = None
    """What the indexes need of the card, made with it."""
    card_json: str | None = None
    """The card as JSON (:meth:`~kimedition.indexes.Card.to_json`), for the indexes."""


@dataclass(frozen=True)
class CheckTask:
    """One file for the check pass, with its neighbours' cards when publishing."""

    path: str
    kind: str
    display: str
    doc_id: str = ""
    previous: str | None = None
    next: str | None = None
    rules: bool = True
    """Run the editorial rules (False when their result is already known)."""
    page: bool = True
    """Write the page and text (when publishing; False when they are up to date)."""


@dataclass(frozen=True)
class Context:
    """The corpus-wide facts the editorial rules need, gathered by the scan pass.

    ``ids``: every ``xml:id`` → the files defining it (relative to ``tei/``);
    ``used``: the register ids documents refer to; ``present``: the register kinds
    whose file could be read.
    """

    ids: dict[str, list[str]]
    used: list[str]
    present: list[str]
    names: str | None = None
    """The registers' name index as JSON (``kim:name-index-json``), when already known."""


SOURCE_PARAMETERS = {"person": "persons", "place": "places", "org": "orgs", "edition": "edition"}
"""The parameter that hands the stylesheets each register (by kind) and the header."""


def register_nodes(runtime: SaxonRuntime, edition: Edition) -> dict[str, Any]:
    """The registers and the header as XDM documents, by parameter name.

    A register that cannot be read is replaced by an empty TEI document; validation
    reports the unreadable file itself.
    """
    empty = "<TEI xmlns='http://www.tei-c.org/ns/1.0'/>"
    paths = {
        name: edition.header_path if source == "edition" else edition.register_path(source)
        for source, name in SOURCE_PARAMETERS.items()
    }
    nodes: dict[str, Any] = {}
    for name, path in paths.items():
        try:
            nodes[name] = runtime.document(_checked_text(path))
        except (UnreadableSource, TransformError):
            nodes[name] = runtime.document(empty)
    return nodes


def configure(
    runtime: SaxonRuntime,
    stylesheets: Iterable[Stylesheet],
    registers: dict[str, Any],
    settings: Settings,
) -> None:
    """Give publishing stylesheets the parameters they all declare (docs/stylesheets.md):
    the registers and the header, the base URL, the toolkit's version, ``split``."""
    for stylesheet in stylesheets:
        for name, node in registers.items():
            stylesheet.set(name, node)
        stylesheet.set_string("base-url", settings.base_url)
        stylesheet.set_string("version", __version__)
        stylesheet.set("split", runtime.boolean(settings.split))


_TEXTS: dict[tuple[str, int, int], str] = {}


def _checked_text(path: Path) -> str:
    """A source's text, read and checked as every source is (regular file, size, UTF-8,
    no document type declaration), kept for the next runtime of this process. Saxon
    parses it itself: a runtime is locked, so nothing in the text can make it read."""
    try:
        info = path.stat()
    except OSError:
        raise UnreadableSource(Problem(display_path(path), message="no such file")) from None
    key = (str(path), info.st_size, info.st_mtime_ns)
    if key not in _TEXTS:
        shown = display_path(path)
        data = read_bytes(path, shown)
        check_bytes(data, shown)
        if len(_TEXTS) > 16:  # a few editions' registers at most
            _TEXTS.clear()
        _TEXTS[key] = data.decode("utf-8-sig")
    return _TEXTS[key]


class FileStylesheets:
    """The stylesheets run on each file of a build, compiled into one Saxon runtime:
    the editorial rules, the card (unless ``card`` is false) and, when publishing, the
    pages, with the registers parsed once for all of them. A build whose scan and check
    passes both run in its own process shares one (:func:`sharing`) instead of a runtime
    per pass."""

    def __init__(self, settings: Settings, card: bool = True) -> None:
        edition = settings.edition
        self.runtime = SaxonRuntime()
        self.card = self.runtime.compile(path=edition.xslt_dir / "cards.xsl") if card else None
        self.rules = self.runtime.compile(
            text=compile_schematron(edition.sch_path).xslt, name=str(edition.sch_path)
        )
        self.pages: dict[str, Stylesheet] = {}
        if settings.staging:
            for role, name in DOCUMENT_STYLESHEETS.items():
                self.pages[role] = self.runtime.compile(path=edition.xslt_dir / name)
        self.runtime.lock()
        self.registers = register_nodes(self.runtime, edition)
        if self.card is not None:
            for name, node in self.registers.items():
                self.card.set(name, node)
        configure(self.runtime, self.pages.values(), self.registers, settings)
        self.checked = False
        """Whether a check pass took the rules (their parameters are then set)."""


_SHARING: list[dict[Settings, FileStylesheets]] = []


@contextmanager
def sharing() -> Iterator[None]:
    """While this lasts, the scan and check passes run in this process (not in worker
    processes) share one :class:`FileStylesheets` per settings; let go at the end."""
    _SHARING.append({})
    try:
        yield
    finally:
        _SHARING.pop()


def _shared(settings: Settings) -> FileStylesheets | None:
    if not _SHARING:
        return None
    known = _SHARING[-1]
    if settings not in known:
        known[settings] = FileStylesheets(settings)
    return known[settings]


class Scanner:
    """The scan pass, for one process."""

    def __init__(
        self, settings: Settings, cards: bool, shared: FileStylesheets | None = None
    ) -> None:
        self.settings = settings
        edition = settings.edition
        self.relaxng = RelaxNGValidator(edition.rng_path)
        self.runtime: SaxonRuntime | None = None
        self.card: Stylesheet | None = None
        if cards and shared is not None:
            self.runtime, self.card = shared.runtime, shared.card
        elif cards:
            self.runtime = SaxonRuntime()
            self.card = self.runtime.compile(path=edition.xslt_dir / "cards.xsl")
            self.runtime.lock()
            for name, node in register_nodes(self.runtime, edition).items():
                self.card.set(name, node)

    def scan(self, path: str, kind: str, full: bool = True) -> Scan:
        """Check one file's bytes and XML, gather its ids and refs; when ``full``, also
        validate it against the RELAX NG schema and make its card."""
        shown = display_path(Path(path))
        result = Scan(path, kind, shown)
        try:
            data = read_bytes(Path(path), shown, self.settings.max_bytes)
            result.sha = hashlib.sha256(data).hexdigest()
            source = load_bytes(data, Path(path), shown, self.settings.max_bytes)
        except UnreadableSource as error:
            result.problems.append(error.problem)
            return result
        result.readable = True
        if full:
            result.problems.extend(self.relaxng.validate(source))
        refs: set[str] = set()
        for element in source.root.iter():
            if not isinstance(element.tag, str):
                continue
            value = element.get(XML_ID)
            if value is not None:
                result.ids.append(value)
            if kind == "document":
                ref = element.get("ref")
                if ref:
                    refs.update(ref.split())
        result.refs = sorted(refs)
        if full and self.card is not None and self.runtime is not None and kind == "document":
            try:
                result.card = self.card.transform(self.runtime.document(source.root))
                card = Card.from_text(result.card)
                result.facts = CardFacts.from_card(card, result.card)
                result.card_json = card.to_json_text()
            except (TransformError, etree.XMLSyntaxError) as error:
                result.card = None
                result.problems.append(
                    Problem(shown, message=f"the catalogue card failed: {error}", rule="xslt")
                )
        return result


def name_index_json(edition: Edition, shared: FileStylesheets | None = None) -> str:
    """The registers' name index, as the editorial rules compute it, in JSON (with the
    rules and registers of ``shared`` when given and no check pass took them yet);
    raises :class:`SchemaError` when the rules' function fails."""
    if shared is None or shared.checked:
        shared = FileStylesheets(Settings(str(edition.root)), card=False)
    rules, nodes = shared.rules, shared.registers
    try:
        value = rules.call(
            f"{{{KIM}}}name-index-json", [nodes["persons"], nodes["places"], nodes["orgs"]]
        )
    except TransformError as error:
        raise _corpus_functions_failed(edition, error) from None
    return str(value.head.string_value)


class NameIndex:
    """The registers' name index (:func:`name_index_json`), made while the caller goes
    on: in a process of its own when ``aside`` (a large edition, whose build or
    validation would otherwise hold Saxon, the rules and the registers in its own
    process, or wait for them), else here, when first asked for."""

    def __init__(self, edition: Edition, settings: Settings, aside: bool) -> None:
        self.edition = edition
        self.settings = settings
        self.aside = aside
        self._stack = ExitStack()
        self._future: Future[str] | None = None
        if aside:
            pool = self._stack.enter_context(worker_pool(1, "names", settings, no_worker))
            self._future = pool.submit(name_index_json, edition)

    def result(self) -> str:
        """The index as JSON; the process that made it is then let go (a process that
        died makes :class:`BuildError`)."""
        with self:
            if self._future is not None:
                return self._future.result()
            known = _SHARING[-1].get(self.settings) if _SHARING else None
            return name_index_json(self.edition, known)

    def __enter__(self) -> NameIndex:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        # On an error or an interruption the process is killed, not waited for.
        self._stack.__exit__(kind, error, traceback)


def no_worker(settings: Settings) -> None:
    """A worker process that keeps nothing between tasks."""
    return None


def _corpus_functions_failed(edition: Edition, error: TransformError) -> SchemaError:
    return SchemaError(
        f"{edition.sch_path}: the corpus functions of the editorial rules failed: {error}"
    )


class Checker:
    """The check pass, for one process: editorial rules, then (when publishing) pages."""

    def __init__(
        self, settings: Settings, context: Context, shared: FileStylesheets | None = None
    ) -> None:
        self.settings = settings
        if shared is None or shared.checked:
            shared = FileStylesheets(settings, card=False)
        shared.checked = True
        self.runtime, self.rules, self.pages = shared.runtime, shared.rules, shared.pages
        self._set_rules_context(settings.edition, shared.registers, context)

    def _set_rules_context(
        self, edition: Edition, registers: dict[str, Any], context: Context
    ) -> None:
        rules, runtime = self.rules, self.runtime
        persons, places, orgs = registers["persons"], registers["places"], registers["orgs"]
        try:
            register_index = rules.call(
                f"{{{KIM}}}register-index", [persons, places, orgs, registers["edition"]]
            )
            name_index = (
                runtime.json_text(context.names)
                if context.names is not None
                else rules.call(f"{{{KIM}}}name-index", [persons, places, orgs])
            )
        except TransformError as error:
            raise _corpus_functions_failed(edition, error) from None
        rules.set("kim-registers", register_index)
        rules.set("kim-names", name_index)
        # Only the ids defined in more than one file: the rules ask of an id only whether
        # it is, and the whole map would cost a conversion of every id of the corpus.
        rules.set("kim-ids", runtime.json({i: f for i, f in context.ids.items() if len(f) > 1}))
        rules.set("kim-used", runtime.json(dict.fromkeys(context.used, True)))
        rules.set("kim-present", runtime.strings(context.present))
        rules.set_string("kim-tei", edition.tei_dir.as_uri() + "/")

    def check(self, task: CheckTask) -> list[Problem]:
        """The editorial rules' problems for one file; its page and text when publishing."""
        path = Path(task.path)
        try:
            data = read_bytes(path, task.display, self.settings.max_bytes)
            source_text = data.decode("utf-8-sig")
            document = self.runtime.document(source_text)
        except (UnreadableSource, UnicodeDecodeError, TransformError) as error:
            message = error.problem.message if isinstance(error, UnreadableSource) else str(error)
            return [
                Problem(task.display, message=f"changed during the run: {message}", rule="file")
            ]
        problems: list[Problem] = []
        if task.rules:
            self.rules.set_string("kim-file", path.name)
            self.rules.set_string("kim-kind", task.kind)
            try:
                report = self.rules.transform(document)
            except TransformError as error:
                return [
                    Problem(
                        task.display,
                        message=f"the editorial rules could not be checked: {error}",
                        rule="schematron",
                    )
                ]
            results = read_results(report)
            problems = _locate(path, data, task.display, results) if results else []
        if task.page and self.pages and task.kind == "document":
            try:
                self._publish(task, document, data)
            except TransformError as error:
                problems.append(
                    Problem(
                        task.display,
                        message=f"the page could not be made: {error}",
                        rule="xslt",
                    )
                )
        return problems

    def _publish(self, task: CheckTask, document: Any, data: bytes) -> None:
        staging = Path(self.settings.staging)
        html = self.pages["html"]
        for name, card in (("previous", task.previous), ("next", task.next)):
            if card is None:
                html.set(name, self.runtime.processor.empty_sequence())
            else:
                html.set(name, self.runtime.document(card))
        page = html.transform(document)
        text = self.pages["text"].transform(document)
        _write(staging / "html" / "documents" / f"{task.doc_id}.html", page.encode("utf-8"))
        encoded = text.encode("utf-8")
        _write(staging / "text" / f"{task.doc_id}.txt", encoded)
        _write(staging / "html" / "text" / f"{task.doc_id}.txt", encoded)
        _write(staging / "html" / "tei" / f"{task.doc_id}.xml", data)


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def _locate(path: Path, data: bytes, display: str, results: list[Result]) -> list[Problem]:
    """Turn Schematron results into problems with lines and columns (parses with lxml)."""
    try:
        source: Source = load_bytes(data, path, display)
    except UnreadableSource as error:
        return [error.problem]
    problems: list[Problem] = []
    for result in results:
        line, column = locate(source, result.path, result.properties.get("phrase"))
        severity = Severity.ERROR if result.is_error else Severity.WARNING
        message = result.message
        if result.diagnostics:
            message += " " + " ".join(result.diagnostics)
        problems.append(Problem(display, line, column, severity, message, result.rule))
    return problems


# Running a pass -------------------------------------------------------------------

_STATE: dict[str, Any] = {}
"""The worker object of a worker process (set by :func:`_initialise`)."""


def _initialise(role: str, settings: Settings, handed: str) -> None:
    """Start-up of a worker process: build its scanner or checker once, from the
    argument :func:`_pool` handed over in the file ``handed``."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the main process handles Ctrl-C
    _STATE["watchdog"] = Watchdog(settings.timeout, _leave_note(settings.notes))
    try:
        argument = pickle.loads(Path(handed).read_bytes())
        _STATE["worker"] = _make_worker(role, settings, argument)
    except BaseException as error:  # reported by the main process on the first task
        _STATE["error"] = error


def _make_worker(role: str, settings: Settings, argument: Any, inline: bool = False) -> Any:
    """The worker object of a pass: a scanner, a checker, or (any other role) what the
    factory ``argument`` makes of the settings. ``inline``: in the caller's process,
    where the stylesheets may be shared (:func:`sharing`)."""
    if role == "scan":
        shared = _shared(settings) if inline and argument else None
        return Scanner(settings, argument, shared)
    if role == "check":
        return Checker(settings, argument, _shared(settings) if inline else None)
    return argument(settings)


def _leave_note(folder: str) -> Callable[[str], None]:
    def note(message: str) -> None:
        if folder:
            # Written whole under another name, then renamed: the note is never read
            # half-written.
            final = Path(folder) / f"timeout-{os.getpid()}.txt"
            partial = final.with_suffix(".part")
            partial.write_text(message, encoding="utf-8")
            os.replace(partial, final)

    return note


def _run_scan(task: tuple[str, str, bool]) -> Scan:
    worker = _worker()
    with _STATE["watchdog"].watch(display_path(Path(task[0]))):
        result: Scan = worker.scan(*task)
    return result


def _run_check(task: CheckTask) -> list[Problem]:
    worker = _worker()
    with _STATE["watchdog"].watch(task.display):
        result: list[Problem] = worker.check(task)
    return result


def _run_started_check(item: tuple[str, CheckTask]) -> list[Problem]:
    facts, task = item
    worker: StartedChecker = _worker()
    with _STATE["watchdog"].watch(task.display):
        return worker.check(facts, task)


def ready() -> None:
    """In a worker process: nothing; sent so that the process starts."""


def _worker() -> Any:
    if "error" in _STATE:
        raise _STATE["error"]
    return _STATE["worker"]


def current_worker() -> Any:
    """The worker object of this worker process (raises what its start-up raised)."""
    return _worker()


class StartedChecker:
    """The check pass's worker object in a process started before the corpus-wide facts
    are known (:class:`CheckersStarted`): the stylesheets compiled and the registers
    parsed at once, the facts read from the file the first task names (a worker serves
    one pass)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.stylesheets = FileStylesheets(settings, card=False)
        self.checker: Checker | None = None

    def check(self, facts: str, task: CheckTask) -> list[Problem]:
        """What :meth:`Checker.check` finds, with the facts pickled in the file ``facts``."""
        if self.checker is None:
            context: Context = pickle.loads(Path(facts).read_bytes())
            self.checker = Checker(self.settings, context, self.stylesheets)
        return self.checker.check(task)


class CheckersStarted:
    """A check-pass worker process started before the pass is planned, so that its
    start-up (Python, Saxon, the rules and page stylesheets, the registers: about half
    a second at 10,000 documents) overlaps the build's own work until then; the pass is
    sent to it with :meth:`run`. It lives as long as ``stack`` and is killed, not waited
    for, once its results are back, or at the end if it was sent nothing. Settings
    without a staging folder start it without the page stylesheets (:attr:`pages`)."""

    def __init__(self, settings: Settings, stack: ExitStack) -> None:
        self.pages = bool(settings.staging)
        """Whether it can make documents' pages, not only check files."""
        folder = Path(tempfile.mkdtemp(prefix="kimedition-facts-"))
        stack.callback(shutil.rmtree, folder, True)
        self.facts = folder / "context.pickle"
        self.pool = stack.enter_context(worker_pool(1, "started-check", settings, StartedChecker))
        self.pool.submit(ready)
        stack.callback(self.stop)

    def run(
        self,
        tasks: Sequence[CheckTask],
        context: Context,
        progress: Callable[[int], None] | None = None,
    ) -> Callable[[], list[list[Problem]]]:
        """Send ``tasks`` with the corpus-wide ``context``; what is returned waits for
        the results, in order (as :func:`check_files` returns them)."""
        self.facts.write_bytes(pickle.dumps(context, protocol=pickle.HIGHEST_PROTOCOL))
        futures = [self.pool.submit(_run_started_check, (str(self.facts), t)) for t in tasks]

        def results() -> list[list[Problem]]:
            collected = []
            for future in futures:
                collected.append(future.result())
                if progress is not None:
                    progress(1)
            self.stop()
            return collected

        return results

    def stop(self) -> None:
        """Stop the worker process (a task being made is lost)."""
        if isinstance(self.pool, ProcessPoolExecutor):
            kill_pool(self.pool)


@contextmanager
def worker_pool(
    jobs: int, role: str, settings: Settings, factory: Callable[[Settings], Any]
) -> Iterator[Executor]:
    """Worker processes whose worker object ``factory(settings)`` makes once each; a
    worker that dies makes :class:`BuildError`."""
    with _pool(jobs, role, settings, factory, "run again with --jobs 1") as executor:
        yield executor


@contextmanager
def _pool(jobs: int, role: str, settings: Settings, argument: Any, hint: str) -> Iterator[Executor]:
    """Worker processes with a private folder of their own, removed with them. A worker
    that dies makes :class:`BuildError`: with the message a worker that overran the time
    limit left in the folder, else saying so, and ``hint``."""
    folder = tempfile.mkdtemp(prefix="kimedition-pool-")
    try:
        # The workers' start-up argument (the corpus-wide facts of the check pass, with
        # the registers' name index: megabytes) is handed over in a file: given with the
        # process, it would be written into the pipe that starts it, and this process
        # would wait, at each worker's start, until the new interpreter had started and
        # read it (0.2 s at 10,000 documents).
        handed = Path(folder) / "argument.pickle"
        handed.write_bytes(pickle.dumps(argument, protocol=pickle.HIGHEST_PROTOCOL))
        executor = ProcessPoolExecutor(
            max_workers=jobs,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_initialise,
            initargs=(role, replace(settings, notes=folder), str(handed)),
        )
        try:
            yield executor
        except BaseException:
            kill_pool(executor)
            raise
        else:
            executor.shutdown(wait=True)
    except BrokenProcessPool:
        notes = sorted(Path(folder).glob("timeout-*.txt"))
        if notes:
            raise BuildError("; ".join(n.read_text(encoding="utf-8") for n in notes)) from None
        raise BuildError(f"{WORKER_DIED} — {hint}") from None
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def kill_pool(executor: ProcessPoolExecutor) -> None:
    """Stop a pool's worker processes at once (a task being made is lost)."""
    processes = list((getattr(executor, "_processes", None) or {}).values())
    # Taken before the shutdown, which lets go of it.
    manager = getattr(executor, "_executor_manager_thread", None)
    executor.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        if process.is_alive():
            process.kill()
    for process in processes:
        process.join(timeout=5)
    # The pool's manager thread sees its workers gone and closes its wake-up pipe; waited
    # for, so that Python's exit handler, which writes to that pipe, cannot race the
    # closing (Python 3.11 then prints a traceback at exit: "Bad file descriptor").
    if manager is not None:
        manager.join(timeout=5)


def run_pass(
    role: str,
    function: Callable[[T], R],
    tasks: Sequence[T],
    settings: Settings,
    argument: Any,
    jobs: int,
    progress: Callable[[int], None] | None = None,
    on_timeout: Callable[[str], None] | None = None,
    inline_limit: int = INLINE_LIMIT,
) -> list[R]:
    """Run ``function`` over ``tasks``, in order, in ``jobs`` processes or, when there
    are fewer than ``inline_limit`` tasks, inline.

    ``role`` is ``scan`` or ``check``; ``argument`` is what the worker objects are built
    with. A file that overruns the time limit raises :class:`BuildError` naming it.
    """
    if not tasks:
        return []
    if jobs <= 1 or len(tasks) < inline_limit:
        _STATE.clear()
        _STATE["watchdog"] = Watchdog(settings.timeout, on_timeout)
        _STATE["worker"] = _make_worker(role, settings, argument, inline=True)
        results = []
        try:
            for task in tasks:
                results.append(function(task))
                if progress is not None:
                    progress(1)
        finally:
            _STATE.clear()
        return results
    with _started(role, function, tasks, settings, argument, jobs, progress) as collect:
        return collect()


@contextmanager
def _started(
    role: str,
    function: Callable[[T], R],
    tasks: Sequence[T],
    settings: Settings,
    argument: Any,
    jobs: int,
    progress: Callable[[int], None] | None,
) -> Iterator[Callable[[], list[R]]]:
    """``function`` over ``tasks`` in worker processes, started at once; what is yielded
    waits for the results, in order. Leaving the block early stops the workers; a worker
    that dies or overruns the time limit makes :class:`BuildError`."""
    chunk = max(1, min(64, len(tasks) // (jobs * 8)))
    hint = "run again with --jobs 1 to see which file causes it"
    with _pool(min(jobs, len(tasks)), role, settings, argument, hint) as executor:
        made = executor.map(function, tasks, chunksize=chunk)

        def results() -> list[R]:
            collected = []
            for result in made:
                collected.append(result)
                if progress is not None:
                    progress(1)
            return collected

        yield results


def scan_files(
    files: Sequence[tuple[Path, str, bool]],
    settings: Settings,
    cards: bool,
    jobs: int,
    progress: Callable[[int], None] | None = None,
    on_timeout: Callable[[str], None] | None = None,
) -> list[Scan]:
    """The scan pass over ``(path, kind, full)`` triples, in the order given."""
    tasks = [(str(path), kind, full) for path, kind, full in files]
    return run_pass("scan", _run_scan, tasks, settings, cards, jobs, progress, on_timeout)


def check_files(
    tasks: Sequence[CheckTask],
    settings: Settings,
    context: Context,
    jobs: int,
    progress: Callable[[int], None] | None = None,
    on_timeout: Callable[[str], None] | None = None,
    inline_limit: int = INLINE_LIMIT,
) -> list[list[Problem]]:
    """The check pass over ``tasks``, in the order given (inline below ``inline_limit``
    tasks)."""
    return run_pass(
        "check", _run_check, tasks, settings, context, jobs, progress, on_timeout, inline_limit
    )


def makes_pages(tasks: Iterable[CheckTask]) -> bool:
    """Whether any of ``tasks`` makes a document's page (the others only check)."""
    return any(task.page and task.kind == "document" for task in tasks)


@contextmanager
def checks_started(
    tasks: Sequence[CheckTask],
    settings: Settings,
    context: Context,
    jobs: int,
    progress: Callable[[int], None] | None = None,
) -> Iterator[Callable[[], list[list[Problem]]]]:
    """The check pass over ``tasks`` started now in worker processes, while the caller
    goes on; what is yielded waits for the results (as :func:`check_files` returns
    them). Leaving the block early stops the workers."""
    if not tasks:
        yield list
        return
    if settings.staging and not makes_pages(tasks):
        # No page to make (an edit of a register checks the registers and the header):
        # the workers do not compile the page stylesheets.
        settings = replace(settings, staging="")
    with _started("check", _run_check, tasks, settings, context, jobs, progress) as results:
        yield results
