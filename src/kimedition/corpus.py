"""The corpus: every source of an edition, read once.

Validation and publishing both start here: each file is read and parsed with the
hardened parser, unreadable files become problems, and the corpus-wide facts that the
Schematron rules need (which ids are defined where, which register entries documents
refer to) are gathered with lxml in one pass.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from .edition import REGISTER_FILES, Edition
from .parsing import DEFAULT_MAX_BYTES, XML_ID, Source, UnreadableSource, load_source
from .problems import Problem


def display_path(path: Path) -> str:
    """How a path is shown in messages: relative to the current folder when inside it."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return str(path)


def source_kind(edition: Edition, path: Path) -> str:
    """``document``, ``register`` or ``edition``: what role a source plays."""
    resolved = path.resolve()
    if resolved == edition.header_path.resolve():
        return "edition"
    if resolved.parent == edition.documents_dir.resolve():
        return "document"
    return "register"


@dataclass
class CorpusIndex:
    """Corpus-wide facts for the editorial rules.

    ``ids`` maps every ``xml:id`` to the files defining it, relative to ``tei/``;
    ``used`` holds every register id some document refers to.
    """

    ids: dict[str, list[str]] = field(default_factory=dict)
    used: set[str] = field(default_factory=set)

    def add(self, edition: Edition, source: Source, kind: str) -> None:
        relative = source.path.resolve().relative_to(edition.tei_dir.resolve()).as_posix()
        for element in source.root.iter():
            value = element.get(XML_ID) if isinstance(element.tag, str) else None
            if value is not None:
                self.ids.setdefault(value, []).append(relative)
        if kind == "document":
            for element in source.root.iter():
                if not isinstance(element.tag, str):
                    continue
                ref = element.get("ref")
                if ref:
                    for pointer in ref.split():
                        _, _, target = pointer.partition(":")
                        if target:
                            self.used.add(target)

    def as_json(self) -> dict[str, object]:
        return {
            "ids": {key: sorted(files) for key, files in sorted(self.ids.items())},
            "used": {key: True for key in sorted(self.used)},
        }


@dataclass
class Corpus:
    """The parsed sources of an edition, the problems met reading them, and the index."""

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
    """Read every source of ``edition`` (or only ``paths`` plus the header and registers).

    A missing header or register, and every file that cannot be read as a TEI document,
    is recorded in ``problems``; the other files are still read.
    """
    corpus = Corpus(edition)
    wanted = list(paths) if paths is not None else edition.document_paths()
    for path in edition.auxiliary_paths():
        if not path.is_file():
            corpus.problems.append(
                Problem(
                    display_path(path),
                    message=_missing_message(edition, path),
                    rule="file",
                )
            )
    for path in dict.fromkeys([*edition.auxiliary_paths(), *wanted]):
        if not path.exists() and path in edition.auxiliary_paths():
            continue
        kind = source_kind(edition, path)
        try:
            source = load_source(path, display_path(path), max_bytes)
        except UnreadableSource as error:
            corpus.problems.append(error.problem)
            continue
        corpus.sources[path] = source
        corpus.kinds[path] = kind
    # Ids and references come from the whole corpus even when only some files are checked.
    indexed: dict[Path, Source] = dict(corpus.sources)
    if paths is not None:
        for path in edition.document_paths():
            if path not in indexed:
                try:
                    indexed[path] = load_source(path, display_path(path), max_bytes)
                except UnreadableSource:
                    continue
    for path, source in sorted(indexed.items()):
        corpus.index.add(edition, source, source_kind(edition, path))
    return corpus


def _missing_message(edition: Edition, path: Path) -> str:
    if path == edition.header_path:
        return "the edition's header is missing: create tei/edition.xml (see docs/encoding.md)"
    kind = next(k for k, name in REGISTER_FILES.items() if path.name == name)
    return (
        f"the {kind} register is missing: create tei/{path.name}; every {kind} reference "
        "in the documents points into it"
    )
