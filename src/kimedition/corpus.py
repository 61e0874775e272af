"""The corpus: which files an edition has, what role each plays, and the corpus-wide
facts gathered from them for the editorial rules.

Validation and publishing gather the facts in worker processes (:mod:`kimedition.engine`);
the lighter commands (``new``, ``suggest``) read the corpus here with :func:`read_corpus`.
Both index the corpus with :class:`CorpusIndex`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .edition import REGISTER_FILES, Edition
from .engine import Context, Scan, display_path
from .parsing import DEFAULT_MAX_BYTES, XML_ID, Source, UnreadableSource, load_source
from .problems import Problem

__all__ = [
    "Corpus",
    "CorpusIndex",
    "context_from_scans",
    "display_path",
    "missing_problems",
    "read_corpus",
    "source_files",
    "source_kind",
]


def source_kind(edition: Edition, path: Path) -> str:
    """``document``, ``register`` or ``edition``: what role a source plays."""
    resolved = path.resolve()
    if resolved == edition.header_path.resolve():
        return "edition"
    if resolved.parent == edition.documents_dir.resolve():
        return "document"
    return "register"


def source_files(edition: Edition) -> list[tuple[Path, str]]:
    """Every source file that exists, with its kind: header, registers, documents."""
    files = [(p, source_kind(edition, p)) for p in edition.auxiliary_paths() if p.exists()]
    files += [(p, "document") for p in edition.document_paths()]
    return files


def missing_problems(edition: Edition) -> list[Problem]:
    """One problem for each missing header or register file."""
    problems: list[Problem] = []
    for path in edition.auxiliary_paths():
        if path.exists():
            continue
        if path == edition.header_path:
            message = (
                "the edition's header is missing: create tei/edition.xml (see docs/encoding.md)"
            )
        else:
            kind = next(k for k, name in REGISTER_FILES.items() if path.name == name)
            message = (
                f"the {kind} register is missing: create tei/{path.name}; every {kind} "
                "reference in the documents points into it"
            )
        problems.append(Problem(display_path(path), message=message, rule="file"))
    return problems


@dataclass
class CorpusIndex:
    """Corpus-wide facts for the editorial rules.

    ``ids`` maps every ``xml:id`` to the files defining it, relative to ``tei/``;
    :attr:`used` holds every register id some document refers to.
    """

    ids: dict[str, list[str]] = field(default_factory=dict)
    pointers: set[str] = field(default_factory=set)
    """Every pointer (``person:stalin``) some document gives."""

    @property
    def used(self) -> set[str]:
        """Every register id some document refers to (the pointers without their prefix)."""
        return {pointer.partition(":")[2] for pointer in self.pointers} - {""}

    def add(
        self, edition: Edition, path: Path, kind: str, ids: Iterable[str], refs: Iterable[str]
    ) -> None:
        """Record the ids a file defines and, for a document, the entries it refers to."""
        self.add_relative(_relative(edition.tei_dir.as_posix() + "/", str(path)), kind, ids, refs)

    def add_relative(
        self, relative: str, kind: str, ids: Iterable[str], refs: Iterable[str]
    ) -> None:
        """:meth:`add` for a file already named relative to ``tei/``."""
        for value in ids:
            self.ids.setdefault(value, []).append(relative)
        if kind == "document":
            self.pointers.update(refs)


def _ids_and_refs(source: Source) -> tuple[list[str], list[str]]:
    ids: list[str] = []
    refs: list[str] = []
    for element in source.root.iter():
        if not isinstance(element.tag, str):
            continue
        value = element.get(XML_ID)
        if value is not None:
            ids.append(value)
        ref = element.get("ref")
        if ref:
            refs.extend(ref.split())
    return ids, refs


def _relative(tei: str, path: str) -> str:
    """``path`` relative to ``tei`` (the folder's POSIX path ending in "/"), or as it is
    when it lies elsewhere."""
    posix = path if path.startswith(tei) else Path(path).as_posix()
    return posix[len(tei) :] if posix.startswith(tei) else path


def context_from_scans(edition: Edition, scans: Sequence[Scan]) -> Context:
    """The corpus-wide facts for the editorial rules, from the scan of every file."""
    index = CorpusIndex()
    present: set[str] = set()
    tei = edition.tei_dir.as_posix() + "/"
    for scan in scans:
        if not scan.readable:
            continue
        index.add_relative(_relative(tei, scan.path), scan.kind, scan.ids, scan.refs)
        if scan.kind == "register":
            present.update(k for k, name in REGISTER_FILES.items() if Path(scan.path).name == name)
    return Context(
        ids={key: sorted(files) for key, files in sorted(index.ids.items())},
        used=sorted(index.used),
        present=[kind for kind in REGISTER_FILES if kind in present],
    )


@dataclass
class Corpus:
    """Parsed sources of an edition, the problems met reading them, and the index."""

    edition: Edition
    sources: dict[Path, Source] = field(default_factory=dict)
    kinds: dict[Path, str] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    index: CorpusIndex = field(default_factory=CorpusIndex)

    @property
    def header(self) -> Source | None:
        return self.sources.get(self.edition.header_path)

    def register(self, kind: str) -> Source | None:
        return self.sources.get(self.edition.register_path(kind))

    def documents(self) -> list[Source]:
        """Parsed documents, sorted by file name."""
        return [s for p, s in sorted(self.sources.items()) if self.kinds[p] == "document"]


def read_corpus(
    edition: Edition,
    paths: Iterable[Path] | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> Corpus:
    """Read the header, the registers and the documents (or only ``paths``), in this process.

    The index covers the whole corpus even when only ``paths`` are kept; missing and
    unreadable files are recorded in ``problems``.
    """
    corpus = Corpus(edition, problems=missing_problems(edition))
    wanted = {p.resolve() for p in paths} if paths is not None else None
    for path, kind in source_files(edition):
        try:
            source = load_source(path, display_path(path), max_bytes)
        except UnreadableSource as error:
            if wanted is None or path.resolve() in wanted or kind != "document":
                corpus.problems.append(error.problem)
            continue
        ids, refs = _ids_and_refs(source)
        corpus.index.add(edition, path, kind, ids, refs)
        if wanted is None or kind != "document" or path.resolve() in wanted:
            corpus.sources[path] = source
            corpus.kinds[path] = kind
    return corpus
