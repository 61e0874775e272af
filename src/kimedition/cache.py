"""What the previous build did, so that the next one redoes only what changed.

The state of a build is kept next to its output folder, in ``.<out>.cache/state.json``
(never inside the output, so that the output stays byte-identical whatever the
history). It records:

- for each source file, its size, modification time and SHA-256, so that unchanged
  files are not even read again;
- the result of each pass for each file, under a key made of everything that result
  depends on (the file's content, the schemas, the stylesheets, the registers, the
  corpus-wide facts that concern it, the options and the toolkit's version), the
  pointers of the documents' scans written once, in a table (:class:`Pointers`);
- for each output file, the key of the inputs it was made from.

The documents' catalogue cards are kept apart, in ``cards.sqlite`` (:class:`CardStore`),
by the digest of their text: a build reads a card only when a page it makes shows it,
and the state stays small enough to read and write quickly.

A result or an output whose key has not changed is reused; anything else is redone.
The state is written only after a build has succeeded.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import secrets
import sqlite3
import time
import zlib
from collections.abc import Container, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from sys import intern
from typing import Any

import orjson

from . import __version__
from .edition import Edition
from .engine import Context, Scan, display_path
from .indexes import Card, CardFacts
from .output import read_regular
from .parsing import UnreadableSource, read_bytes
from .problems import Problem, Severity

FORMAT = 8
"""The version of the state file's layout; a state of another version is ignored."""

COMPACT_SLACK = 1024
"""How many pointers a state's table may hold beyond twice those in use when it was
last made afresh (:meth:`BuildState._compact`)."""


def digest(*parts: str | bytes) -> str:
    """A SHA-256 over the parts, each length-prefixed so that boundaries count."""
    return hashlib.sha256(b"".join(map(framed, parts))).hexdigest()


def framed(part: str | bytes) -> bytes:
    """One part as :func:`digest` hashes it: its length, then its bytes (so that a
    digest of many parts can also be made a part at a time)."""
    data = part.encode("utf-8") if isinstance(part, str) else part
    return len(data).to_bytes(8, "big") + data


Stat = tuple[int, int]
"""A file's size and modification time (in nanoseconds)."""

RACY_NS = 2_000_000_000
"""How recent a file's modification time may be for its size and time not to be
trusted as a sign of its content (two seconds: the coarsest clock of common file
systems)."""


def stat_of(path: Path | str) -> Stat | None:
    """The size and modification time of the file ``path`` names; None when it has none."""
    try:
        info = os.stat(path)
    except OSError:
        return None
    return info.st_size, info.st_mtime_ns


def vouches(stat: Stat | None, started: int) -> bool:
    """Whether a file's size and time, taken before a run that began at ``started`` read
    it, can stand for its content in the next run: not when it was changed less than
    :data:`RACY_NS` before (or during) the run, since a change within the same tick of
    the file system's clock could leave both as they were."""
    return stat is not None and stat[1] <= started - RACY_NS


def content_sha(path: Path, max_bytes: int) -> str | None:
    """The SHA-256 of a source as it is now, read as sources are; None when it cannot
    be read."""
    try:
        return hashlib.sha256(read_bytes(path, display_path(path), max_bytes)).hexdigest()
    except UnreadableSource:
        return None


STATE_LIMIT = 1024 * 1024 * 1024
"""The largest state file read back (25 MB at 10,000 documents)."""


def read_json(path: Path) -> Any:
    """The JSON value in ``path``; None when it is missing, not a regular file (a link
    is not followed), larger than :data:`STATE_LIMIT` or not JSON (a state file that
    cannot be read counts as no state)."""
    data = read_regular(path, STATE_LIMIT)
    if data is None:
        return None
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError:
        return None


def write_json(path: Path, value: Any) -> None:
    """Write ``value`` as compact JSON into ``path`` atomically (a temporary file of its
    own, then a rename), creating its folder: two runs writing the same file at once
    leave one of their two values, whole."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    try:
        with temporary.open("xb") as stream:
            stream.write(orjson.dumps(value))
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def folder_digest(folder: Path) -> str:
    """A digest of every regular file under ``folder`` (names and contents)."""
    parts: list[str | bytes] = []
    if folder.is_dir():
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            parts += [path.relative_to(folder).as_posix(), file_digest(path)]
    return digest(*parts)


def file_digest(path: Path) -> str:
    """A digest of a file's content, read as sources are (never a pipe or a device);
    a file that cannot be read has a digest of its own, so that it is never reused."""
    try:
        return digest(read_bytes(path, str(path)))
    except UnreadableSource as error:
        return digest("unreadable", str(path), error.problem.message)


def _problem_to_json(problem: Problem) -> list[Any]:
    return [problem.line, problem.column, problem.severity.value, problem.message, problem.rule]


def _problem_from_json(data: list[Any], display: str) -> Problem:
    line, column, severity, message, rule = data
    return Problem(display, int(line), int(column), Severity(severity), str(message), str(rule))


class Pointers:
    """The pointers (``person:stalin``) of the scans a state records, each written once:
    a scan records the positions of its pointers in this table. The same few thousand
    pointers recur in the scans of every document; written out, they were two fifths of
    the state, and read back, each had to be interned again.

    A state starts from the table of the state before it, to which new pointers are
    added, so that the records it carries over stay valid; :meth:`BuildState.save`
    makes the table afresh once most of it is no longer used."""

    def __init__(self, table: list[str] | None = None, live: int = 0) -> None:
        self.table: list[str] = table if table is not None else []
        self.live = live
        """How many pointers of the table were in use when it was last made afresh."""
        self._positions: dict[str, int] | None = None

    def positions(self, pointers: Iterable[str]) -> list[int]:
        """The positions of ``pointers`` in the table, adding the pointers it lacks."""
        known = self._positions
        if known is None:
            known = self._positions = {pointer: i for i, pointer in enumerate(self.table)}
        table = self.table
        result = []
        for pointer in pointers:
            position = known.get(pointer)
            if position is None:
                position = known[pointer] = len(table)
                table.append(pointer)
            result.append(position)
        return result

    def pointers(self, positions: list[int]) -> list[str]:
        """The pointers at ``positions``, each the table's own string (so held once);
        raises :class:`ValueError` for a list a damaged state gives."""
        if not isinstance(positions, list):
            raise ValueError("not a list of positions")
        try:
            if positions and min(positions) < 0:
                raise ValueError("a negative position")
            return list(map(self.table.__getitem__, positions))
        except (TypeError, IndexError):
            raise ValueError("not a position in the table") from None


def scan_to_json(scan: Scan, pointers: Pointers) -> dict[str, Any]:
    """``scan`` as the state records it, its pointers as positions in ``pointers``."""
    facts = scan.facts.to_json() if scan.facts else None
    if facts is not None:
        # The card's pointers are the document's in most cards: then not written twice.
        facts[4] = None if facts[4] == scan.refs else pointers.positions(facts[4])
    return {
        "sha": scan.sha,
        "readable": scan.readable,
        "problems": [_problem_to_json(p) for p in scan.problems],
        "ids": scan.ids,
        "refs": pointers.positions(scan.refs),
        "facts": facts,
    }


def scan_from_json(
    data: dict[str, Any], path: str, kind: str, display: str, pointers: Pointers
) -> Scan:
    """A scan as the state records it (see :func:`scan_to_json`); raises
    :class:`ValueError` when its pointers are not those of a table position."""
    refs = pointers.pointers(data["refs"])
    facts = data["facts"]
    if facts:
        identifier, sort, card_digest, text = map(str, facts[:4])
        card_facts: CardFacts | None = CardFacts(
            identifier,
            sort,
            card_digest,
            text,
            tuple(refs if facts[4] is None else pointers.pointers(facts[4])),
            tuple(map(str, facts[5])),
            str(facts[6]),
            str(facts[7]),
        )
    else:
        card_facts = None
    return Scan(
        path,
        kind,
        display,
        sha=data["sha"],
        problems=[_problem_from_json(p, display) for p in data["problems"]],
        readable=bool(data["readable"]),
        ids=list(data["ids"]),
        refs=refs,
        facts=card_facts,
    )


def interned(scan: Scan) -> Scan:
    """``scan`` with its pointers interned: the same few thousand pointers recur in the
    scans of every document, and are then held once (returns the scan, changed in place)."""
    scan.refs = list(map(intern, scan.refs))
    if scan.facts is not None:
        scan.facts = replace(scan.facts, pointers=tuple(map(intern, scan.facts.pointers)))
    return scan


def rules_key(base: str, scan: Scan, context: Context, used: str) -> str:
    """The key of the editorial rules' result for one file: ``base`` (the rules and what
    they read besides the corpus-wide facts), the file's content and kind, the files
    that define its ids too, the register ids the documents use (for a register: its
    unused entries are reported) and the registers present."""
    # An id defined in this file only adds nothing to its content and path (the key is
    # kept per path): only the ids that other files define too are spelled out.
    ids = context.ids
    shared = [i for i in scan.ids if len(ids.get(i, ())) > 1]
    collisions = json.dumps({i: ids[i] for i in sorted(set(shared))}) if shared else ""
    return digest(
        base,
        scan.sha,
        scan.kind,
        collisions,
        used if scan.kind == "register" else "",
        *context.present,
    )


def problems_to_json(problems: list[Problem]) -> list[list[Any]]:
    return [_problem_to_json(p) for p in problems]


def problems_from_json(data: list[list[Any]], display: str) -> list[Problem]:
    return [_problem_from_json(p, display) for p in data]


@dataclass
class BuildState:
    """The state of the last successful build of one output folder."""

    path: Path
    files: dict[str, list[Any]] = field(default_factory=dict)
    """source path → [size, mtime_ns, sha256]"""
    scans: dict[str, dict[str, Any]] = field(default_factory=dict)
    """source path → {"key": …, "scan": …}"""
    checks: dict[str, dict[str, Any]] = field(default_factory=dict)
    """source path → {"key": …, "problems": …}"""
    outputs: dict[str, str] = field(default_factory=dict)
    """output path (relative) → key of its inputs"""
    fingerprint: str = ""
    """A digest of every source's size and modification time and of every other input."""
    problems: list[list[Any]] = field(default_factory=list)
    """The validation problems of the build, with their paths."""
    memo: dict[str, Any] = field(default_factory=dict)
    """Other results worth keeping between builds, each stored with its own key."""
    output: list[int] = field(default_factory=list)
    """The identity of the output folder as the build left it
    (:func:`~kimedition.output.folder_identity`)."""
    pointers: Pointers = field(default_factory=Pointers)
    """The table of the pointers the scans record (see :class:`Pointers`)."""

    @classmethod
    def for_output(cls, out: Path) -> BuildState:
        return cls(out.parent / f".{out.name}.cache" / "state.json")

    def load(self) -> BuildState:
        """Read the state file; an unreadable or foreign one counts as no state."""
        data = read_json(self.path)
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            return self
        if data.get("version") != __version__ or not _well_formed(data):
            return self
        self.files = data.get("files", {})
        self.scans = data.get("scans", {})
        self.checks = data.get("checks", {})
        self.outputs = data.get("outputs", {})
        self.fingerprint = data.get("fingerprint", "")
        self.problems = data.get("problems", [])
        self.memo = data.get("memo", {})
        self.output = data.get("output", [])
        table, live = data["pointers"]
        self.pointers = Pointers(table, live)
        return self

    def following(self) -> BuildState:
        """An empty state for the next run, which may carry this one's records over:
        it starts from this state's table of pointers."""
        return BuildState(self.path, pointers=self.pointers)

    def save(self) -> None:
        """Write the state atomically (temporary file, then rename)."""
        self._compact()
        payload = {
            "format": FORMAT,
            "version": __version__,
            "files": self.files,
            "scans": self.scans,
            "checks": self.checks,
            "outputs": self.outputs,
            "fingerprint": self.fingerprint,
            "problems": self.problems,
            "memo": self.memo,
            "output": self.output,
            "pointers": [self.pointers.table, self.pointers.live],
        }
        write_json(self.path, payload)

    def _compact(self) -> None:
        """Make the table of pointers afresh when it has grown to more than twice what
        was in use when it was last made (pointers no document has any more stay in it
        until then), renumbering every record's positions."""
        pointers = self.pointers
        if len(pointers.table) <= 2 * pointers.live + COMPACT_SLACK:
            return
        lists = [record["scan"]["refs"] for record in self.scans.values()]
        lists += [
            facts[4]
            for record in self.scans.values()
            if (facts := record["scan"]["facts"]) and facts[4] is not None
        ]
        used = sorted({position for positions in lists for position in positions})
        if 2 * len(used) < len(pointers.table):
            renumbered = {old: new for new, old in enumerate(used)}
            for positions in lists:
                positions[:] = map(renumbered.__getitem__, positions)
            self.pointers = Pointers([pointers.table[old] for old in used])
        self.pointers.live = len(used)

    def current_sha(self, path: Path, stat: Stat | None, max_bytes: int) -> str | None:
        """The SHA-256 of ``path``'s content: the one recorded when its size and time
        (``stat``, taken earlier in the same run) are those recorded with it, else read
        and hashed now; None when it cannot be read."""
        record = self.files.get(str(path))
        if record is not None and stat is not None and (stat[0], stat[1]) == tuple(record[:2]):
            return str(record[2])
        return content_sha(path, max_bytes)

    def record(self, name: str, stat: Stat | None, sha: str, started: int) -> None:
        """Record that the file ``name`` holds content ``sha`` under ``stat``, taken
        before a run that began at ``started`` read it, when that can vouch for it
        (:func:`vouches`); else the next run hashes the file again."""
        if stat is not None and vouches(stat, started):
            self.files[name] = [stat[0], stat[1], sha]
        else:
            self.files.pop(name, None)

    def remember_problems(self, problems: list[Problem]) -> None:
        self.problems = [[p.path, *_problem_to_json(p)] for p in problems]

    @staticmethod
    def problems_from(records: list[list[Any]]) -> list[Problem]:
        """Problems as :meth:`remember_problems` recorded them."""
        return [_problem_from_json(p[1:], str(p[0])) for p in records]


CACHE_VARIABLE = "KIMEDITION_CACHE_DIR"
"""The environment variable that moves :func:`cache_home`."""


def cache_home() -> Path | None:
    """The user's folder for what the toolkit keeps between runs other than builds:
    ``$KIMEDITION_CACHE_DIR``, else ``$XDG_CACHE_HOME/kimedition``, else
    ``~/.cache/kimedition``; None when there is no home folder to find."""
    own = os.environ.get(CACHE_VARIABLE)
    if own:
        return Path(own)
    xdg = os.environ.get("XDG_CACHE_HOME")
    if xdg:
        return Path(xdg) / "kimedition"
    try:
        return Path.home() / ".cache" / "kimedition"
    except (RuntimeError, KeyError):  # no $HOME and no entry in the password database
        return None


class ValidationCache:
    """What the last runs of ``kimedition validate`` found in the files of one edition.

    Kept in the user's cache folder (:func:`cache_home`), one file per edition folder,
    never in the edition itself: a file planted in a pull request cannot pass its own
    results off as checked. A file's results are reused only when its content (its
    SHA-256, vouched for by an unchanged size and modification time, else read and
    hashed again) and everything else they depend on are unchanged: for
    the scan (well-formedness, RELAX NG), the schema, the size limit and the toolkit's
    version; for the editorial rules, the Schematron, the header, the registers and
    the corpus-wide facts that concern the file (:func:`rules_key`). An unreadable or
    damaged cache counts as none; one that cannot be written is not written.
    """

    def __init__(self, path: Path, scan_base: str, rules_base: str) -> None:
        self.path = path
        self.scan_base = scan_base
        self.rules_base = rules_base
        self.previous = BuildState(path).load()
        self.state = self.previous.following()
        self.started = time.time_ns()
        self._keys: dict[tuple[str, bool], str] = {}

    @classmethod
    def for_edition(cls, edition: Edition, max_bytes: int) -> ValidationCache | None:
        """The cache of ``edition``, checked with files of at most ``max_bytes``; None
        when the user has no cache folder (:func:`cache_home`)."""
        home = cache_home()
        if home is None:
            return None
        options = json.dumps([__version__, FORMAT, max_bytes])
        inputs = (file_digest(p) for p in edition.auxiliary_paths())
        return cls(
            home / "validate" / f"{digest(str(edition.root.resolve()))[:32]}.json",
            digest(options, file_digest(edition.rng_path)),
            digest(options, file_digest(edition.sch_path), *inputs),
        )

    def _scan_key(self, kind: str, full: bool) -> str:
        key = self._keys.get((kind, full))
        if key is None:
            key = self._keys[kind, full] = digest(self.scan_base, kind, "full" if full else "ids")
        return key

    def scan(self, path: Path, kind: str, full: bool, display: str, max_bytes: int) -> Scan | None:
        """The scan recorded for ``path`` as it is now, or None. A full scan (with
        RELAX NG) also answers for one that only gathers ids and pointers."""
        record = self.previous.scans.get(str(path))
        if record is None:
            return None
        keys = {self._scan_key(kind, True)}
        if not full:
            keys.add(self._scan_key(kind, False))
        if record["key"] not in keys:
            return None
        stat = stat_of(path)
        sha = self.previous.current_sha(path, stat, max_bytes)
        if sha is None or record["scan"]["sha"] != sha:
            return None
        try:
            scan = scan_from_json(record["scan"], str(path), kind, display, self.state.pointers)
        except ValueError:  # a damaged record: the file is scanned again
            return None
        self.state.record(str(path), stat, sha, self.started)
        self.state.scans[str(path)] = record
        return scan

    def keep_scan(self, scan: Scan, full: bool) -> None:
        """Record a fresh scan of a file that could be read."""
        if scan.sha:
            # Its size and time as they are after the scan: a change during this run
            # makes them too recent to vouch for it.
            self.state.record(scan.path, stat_of(scan.path), scan.sha, self.started)
            self.state.scans[scan.path] = {
                "key": self._scan_key(scan.kind, full),
                "scan": scan_to_json(scan, self.state.pointers),
            }

    def rules_key(self, scan: Scan, context: Context, used: str) -> str:
        return rules_key(self.rules_base, scan, context, used)

    def problems(self, scan: Scan, key: str) -> list[Problem] | None:
        """The editorial rules' problems recorded for ``scan`` under ``key``, or None."""
        record = self.previous.checks.get(scan.path)
        if record is None or record["key"] != key:
            return None
        self.state.checks[scan.path] = record
        return problems_from_json(record["problems"], scan.display)

    def keep_problems(self, path: str, key: str, problems: list[Problem]) -> None:
        self.state.checks[path] = {"key": key, "problems": problems_to_json(problems)}

    def names(self) -> str | None:
        """The registers' name index (:func:`~kimedition.engine.name_index_json`) as an
        earlier run kept it for the same rules and registers, or None."""
        known = self.previous.memo.get("names")
        if isinstance(known, list) and len(known) == 2 and known[0] == self.rules_base:
            self.state.memo["names"] = known
            return str(known[1])
        return None

    def keep_names(self, names: str) -> None:
        self.state.memo["names"] = [self.rules_base, names]

    def save(self) -> None:
        """Write what this run found, with the rules' results of the files it did not
        check that are still scanned; nothing when the folder cannot be written."""
        for path, record in self.previous.checks.items():
            if path in self.state.scans:
                self.state.checks.setdefault(path, record)
        if "names" not in self.state.memo:  # a run that checked no file keeps it too
            self.names()
        with contextlib.suppress(OSError):
            self.state.save()


_SCAN_FIELDS = {"sha", "readable", "problems", "ids", "refs", "facts"}


def _well_formed(data: dict[str, Any]) -> bool:
    """Whether a state read from disk has the shape :meth:`BuildState.save` gives it, so
    that a damaged file counts as no state instead of failing the build."""

    def mapping(value: Any) -> bool:
        return isinstance(value, dict)

    try:
        return (
            all(
                isinstance(record, list) and len(record) == 3
                for record in data.get("files", {}).values()
            )
            and all(
                mapping(record)
                and isinstance(record.get("key"), str)
                and mapping(record.get("scan"))
                and set(record["scan"]) >= _SCAN_FIELDS
                and (
                    record["scan"]["facts"] is None
                    or (
                        isinstance(record["scan"]["facts"], list)
                        and len(record["scan"]["facts"]) == 8
                    )
                )
                for record in data.get("scans", {}).values()
            )
            and all(
                mapping(record)
                and isinstance(record.get("key"), str)
                and isinstance(record.get("problems"), list)
                for record in data.get("checks", {}).values()
            )
            and all(isinstance(key, str) for key in data.get("outputs", {}).values())
            and mapping(data.get("memo", {}))
            and isinstance(data.get("problems", []), list)
            and isinstance(data.get("output", []), list)
            and _pointer_table(data.get("pointers"))
        )
    except AttributeError:  # a part that is not a mapping
        return False


def _pointer_table(value: Any) -> bool:
    """Whether ``value`` is a table of pointers as :meth:`BuildState.save` writes it (the
    positions in the scans are checked as each scan is read: :meth:`Pointers.pointers`)."""
    return (
        isinstance(value, list)
        and len(value) == 2
        and isinstance(value[0], list)
        and all(isinstance(pointer, str) for pointer in value[0])
        and isinstance(value[1], int)
    )


FEW_CARDS = 2000
"""Up to this many cards are read from the store by their keys; more, in one pass over
the whole table (quicker than many look-ups)."""

CARDS_A_QUERY = 500
"""Keys in one query (SQLite allows a few hundred at least)."""

ENTRIES_HELD = 8_000_000
"""Bytes of compressed index entries held before they are written (a full build keeps
every entry of every index)."""


def _rows_of(connection: sqlite3.Connection, query: str, values: list[str]) -> list[Any]:
    """The rows of ``query`` (ending with the column compared) ``IN`` ``values``, asked
    :data:`CARDS_A_QUERY` values at a time."""
    rows: list[Any] = []
    for start in range(0, len(values), CARDS_A_QUERY):
        chunk = values[start : start + CARDS_A_QUERY]
        rows += connection.execute(f"{query} IN ({', '.join('?' * len(chunk))})", chunk).fetchall()
    return rows


class CardStore:
    """The documents' catalogue cards, by the SHA-256 of their text, in an SQLite file
    next to the state. New cards are kept in memory until :meth:`save`.

    The same file keeps, for each register entry, the part of its index that lists its
    documents, as the stylesheets are given it, under a key of what it shows
    (:meth:`kept_entries`): a page of a split index whose entries' documents are as
    before (after an edit of an entry's note) takes them from here instead of reading
    the cards of every document they occur in."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.pending: dict[str, str] = {}
        self.pending_json: dict[str, str] = {}
        self.pending_entries: dict[str, tuple[str, bytes]] = {}
        self._pending_size = 0
        self._connection: sqlite3.Connection | None = None

    @classmethod
    def for_output(cls, out: Path) -> CardStore:
        return cls(BuildState.for_output(out).path.with_name("cards.sqlite"))

    def _connect(self) -> sqlite3.Connection:
        if self._connection is None:
            if self.path.is_symlink():  # never write through a link to another database
                self.path.unlink()
            self._connection = sqlite3.connect(self.path, isolation_level=None)
            self._connection.execute(
                "CREATE TABLE IF NOT EXISTS cards (key TEXT PRIMARY KEY, card TEXT NOT NULL)"
            )
            # The same cards as JSON (Card.to_json), which the indexes read. A table of
            # that name and another shape (from an earlier layout, or planted) is made
            # anew: it only saves parsing the cards.
            columns = [row[1] for row in self._connection.execute("PRAGMA table_info(parsed)")]
            if columns != ["key", "card"]:
                self._connection.execute("DROP TABLE IF EXISTS parsed")
                self._connection.execute(
                    "CREATE TABLE parsed (key TEXT PRIMARY KEY, card TEXT NOT NULL)"
                )
            # Likewise the index entries (compressed: they repeat each document's
            # title and date under every entry it names).
            columns = [row[1] for row in self._connection.execute("PRAGMA table_info(entries)")]
            if columns != ["pointer", "key", "xml"]:
                self._connection.execute("DROP TABLE IF EXISTS entries")
                self._connection.execute(
                    "CREATE TABLE entries (pointer TEXT PRIMARY KEY, key TEXT NOT NULL, "
                    "xml BLOB NOT NULL)"
                )
        return self._connection

    def keys(self) -> set[str]:
        """The digests of the cards stored; none when the file is missing or unreadable."""
        if self.path.is_symlink() or not self.path.is_file():
            return set()
        try:
            return {row[0] for row in self._connect().execute("SELECT key FROM cards")}
        except sqlite3.Error:
            self.close()
            return set()

    def get(self, key: str) -> str:
        """The card whose text has digest ``key``; :class:`KeyError` when not stored."""
        if key in self.pending:
            return self.pending[key]
        try:
            row = self._connect().execute("SELECT card FROM cards WHERE key = ?", (key,)).fetchone()
        except sqlite3.Error:
            row = None
        if row is None:
            raise KeyError(key)
        return str(row[0])

    def put(self, key: str, card: str, card_json: str | None = None) -> None:
        """Keep a card (and its JSON form, when known) until :meth:`save`."""
        self.pending[key] = card
        if card_json is not None:
            self.pending_json[key] = card_json

    def parsed(self, keys: Iterable[str], only: Container[str] | None = None) -> dict[str, Card]:
        """The cards of ``keys`` as objects, read from their JSON form (a few by their
        keys, many in one pass over the table); given ``only`` (pointers), with the
        mentions of those alone.

        A card whose JSON form is missing or damaged is parsed from its text (and its
        JSON form kept for the next build); :class:`KeyError` for a card not stored."""
        wanted = list(keys)
        texts: dict[str, str] = dict(self.pending_json)
        missing = sorted({key for key in wanted if key not in texts})
        if missing and self.path.is_file() and not self.path.is_symlink():
            try:
                connection = self._connect()
                if len(missing) > FEW_CARDS:
                    rows = connection.execute("SELECT key, card FROM parsed").fetchall()
                else:
                    rows = _rows_of(connection, "SELECT key, card FROM parsed WHERE key", missing)
            except sqlite3.Error:
                rows = []
            texts.update((key, card) for key, card in rows if key not in texts)
        cards: dict[str, Card] = {}
        for key in wanted:
            if key in cards:
                continue
            try:
                cards[key] = Card.from_json_text(texts[key], only)
            except (KeyError, ValueError, TypeError):
                card = Card.from_text(self.get(key))
                cards[key] = card
                self.pending_json[key] = card.to_json_text()
        return cards

    def kept_entries(self, keys: dict[str, str]) -> dict[str, str]:
        """The index entries kept for the pointers of ``keys`` (pointer → key), each
        only if it was kept under that key; none when the store cannot be read."""
        found: dict[str, str] = {}
        wanted = [pointer for pointer in keys if pointer not in self.pending_entries]
        rows: list[tuple[str, str, bytes]] = [
            (pointer, key, xml)
            for pointer, (key, xml) in self.pending_entries.items()
            if pointer in keys
        ]
        if wanted and self.path.is_file() and not self.path.is_symlink():
            try:
                query = "SELECT pointer, key, xml FROM entries WHERE pointer"
                rows += _rows_of(self._connect(), query, wanted)
            except sqlite3.Error:
                self.close()
        for pointer, key, xml in rows:
            if keys.get(pointer) == key and isinstance(xml, bytes):
                with contextlib.suppress(zlib.error, UnicodeDecodeError):  # damaged: made again
                    found[pointer] = zlib.decompress(xml).decode("utf-8")
        return found

    def keep_entries(self, entries: Iterable[tuple[str, str, str]]) -> None:
        """Keep index entries, each (pointer, key, XML), in place of any kept for the same
        pointer: held until they add up to :data:`ENTRIES_HELD` bytes, then written,
        and the rest by :meth:`save`. They only save work: when they cannot be
        written, they are not kept."""
        for pointer, key, xml in entries:
            data = zlib.compress(xml.encode("utf-8"), 1)
            self.pending_entries[pointer] = (key, data)
            self._pending_size += len(data)
        if self._pending_size > ENTRIES_HELD:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                connection = self._connect()
                connection.execute("BEGIN")
                try:
                    self._write_entries(connection)
                    connection.execute("COMMIT")
                except BaseException:
                    connection.execute("ROLLBACK")
                    raise
            except (OSError, sqlite3.Error):
                self.close()
            self.pending_entries.clear()
            self._pending_size = 0

    def _write_entries(self, connection: sqlite3.Connection) -> None:
        connection.executemany(
            "INSERT OR REPLACE INTO entries (pointer, key, xml) VALUES (?, ?, ?)",
            ((pointer, key, xml) for pointer, (key, xml) in self.pending_entries.items()),
        )

    def save(self, keep: Iterable[str]) -> None:
        """Store the new cards and forget those not in ``keep``, with the index entries
        not yet written, in one transaction; a file that is not a card store is
        replaced.

        Raises :class:`sqlite3.Error` when the file cannot be written."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        kept = list(keep)
        try:
            self._save(kept)
        except sqlite3.DatabaseError:
            self.close()
            self.path.unlink(missing_ok=True)
            self._save(kept)

    def _save(self, keep: list[str]) -> None:
        connection = self._connect()
        connection.execute("BEGIN")
        try:
            connection.executemany(
                "INSERT OR IGNORE INTO cards (key, card) VALUES (?, ?)", self.pending.items()
            )
            connection.executemany(
                "INSERT OR REPLACE INTO parsed (key, card) VALUES (?, ?)",
                self.pending_json.items(),
            )
            # The keys are read from the tables' indexes: a search for the rows to
            # delete would read every card.
            kept = set(keep)
            stored = {row[0] for row in connection.execute("SELECT key FROM cards")}
            connection.executemany(
                "DELETE FROM cards WHERE key = ?", ((k,) for k in sorted(stored - kept))
            )
            parsed = {row[0] for row in connection.execute("SELECT key FROM parsed")}
            connection.executemany(
                "DELETE FROM parsed WHERE key = ?",
                ((k,) for k in sorted(parsed - (stored & kept))),
            )
            self._write_entries(connection)
            connection.execute("COMMIT")
        except BaseException:
            connection.execute("ROLLBACK")
            raise
        self.pending.clear()
        self.pending_json.clear()
        self.pending_entries.clear()
        self._pending_size = 0

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def discard(self) -> None:
        """Forget every stored card: remove the file (a link is removed, not followed)."""
        self.close()
        self.path.unlink(missing_ok=True)
