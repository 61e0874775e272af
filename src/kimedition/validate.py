"""``kimedition validate``: well-formedness, RELAX NG, Schematron, corpus-wide rules.

:func:`validate` returns a :class:`ValidationReport` with every problem in every file;
it never stops at the first. The command line only formats the report.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lxml import etree

from .corpus import Corpus, CorpusIndex, read_corpus, source_kind
from .edition import Edition
from .errors import SchemaError, UsageError
from .gitfiles import changed_sources
from .parsing import DEFAULT_MAX_BYTES, Source
from .problems import Problem, Severity
from .relaxng import RelaxNGValidator
from .saxon import SaxonRuntime, TransformError
from .schematron import Result, compile_schematron, read_results

KIM = "urn:kimedition"


@dataclass
class ValidationReport:
    """The outcome of validating some files of an edition."""

    problems: list[Problem] = field(default_factory=list)
    files: list[str] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity is Severity.WARNING]

    def failed(self, strict: bool = False) -> bool:
        """Whether the report should fail a build or a CI job."""
        return bool(self.errors) or (strict and bool(self.warnings))


class Checker:
    """Validates one source at a time against the edition's schemas.

    Holds the compiled RELAX NG schema and the compiled Schematron rules with the
    corpus-wide parameters already set; build one per process.
    """

    def __init__(self, edition: Edition, corpus: Corpus) -> None:
        self.edition = edition
        self.relaxng = RelaxNGValidator(edition.rng_path)
        compiled = compile_schematron(edition.sch_path)
        self.rules = compiled.rules
        self.runtime = SaxonRuntime()
        self.stylesheet = self.runtime.compile(text=compiled.xslt)
        self.runtime.lock()
        self._set_corpus(corpus)

    def _set_corpus(self, corpus: Corpus) -> None:
        runtime, rules = self.runtime, self.stylesheet
        empty = runtime.document("<TEI xmlns='http://www.tei-c.org/ns/1.0'/>")

        def node(source: Source | None) -> Any:
            return runtime.document(source.root) if source is not None else empty

        registers = [node(corpus.register(kind)) for kind in ("person", "place", "org")]
        try:
            register_index = rules.call(
                f"{{{KIM}}}register-index", [*registers, node(corpus.header)]
            )
            name_index = rules.call(f"{{{KIM}}}name-index", registers)
        except TransformError as error:
            raise SchemaError(
                f"{self.edition.sch_path}: the corpus functions of the editorial rules "
                f"failed: {error}"
            ) from None
        index = corpus.index.as_json()
        rules.set("kim-registers", register_index)
        rules.set("kim-names", name_index)
        rules.set("kim-ids", runtime.json(index["ids"]))
        rules.set("kim-used", runtime.json(index["used"]))
        rules.set_string("kim-tei", self.edition.tei_dir.as_uri() + "/")
        present = [kind for kind in ("person", "place", "org") if corpus.register(kind) is not None]
        rules.set("kim-present", runtime.strings(present))

    def check(self, source: Source, kind: str) -> list[Problem]:
        """Every RELAX NG and Schematron problem in one parsed source."""
        problems = self.relaxng.validate(source)
        self.stylesheet.set_string("kim-file", source.path.name)
        self.stylesheet.set_string("kim-kind", kind)
        try:
            report = self.stylesheet.transform(self.runtime.document(source.root))
        except TransformError as error:
            problems.append(
                Problem(
                    source.display,
                    message=f"the editorial rules could not be checked: {error}",
                    rule="schematron",
                )
            )
            return problems
        problems.extend(self._problem(source, result) for result in read_results(report))
        return problems

    def _problem(self, source: Source, result: Result) -> Problem:
        line, column = locate(source, result.path, result.properties.get("phrase"))
        severity = Severity.ERROR if result.is_error else Severity.WARNING
        message = result.message
        if result.diagnostics:
            message += " " + " ".join(result.diagnostics)
        return Problem(source.display, line, column, severity, message, result.rule)


def locate(source: Source, path: str, phrase: str | None = None) -> tuple[int, int]:
    """Line and column of the node an XPath from ``fn:path()`` selects in ``source``."""
    expression, namespaces = _lxml_path(path)
    try:
        found = source.tree.xpath(expression, namespaces=namespaces) if expression else []
    except etree.XPathError:
        return 0, 0
    if not isinstance(found, list) or not found:
        return 0, 0
    node = found[0]
    if isinstance(node, etree._Element):
        position = source.text.element(node)
        if phrase:
            position = source.text.phrase(node, phrase)
        return position.line, position.column
    parent = getattr(node, "getparent", lambda: None)()
    if parent is None:
        return 0, 0
    if getattr(node, "is_attribute", False):
        position = source.text.attribute(parent, str(getattr(node, "attrname", "")))
    elif phrase:
        position = source.text.phrase(parent, phrase)
    else:
        position = source.text.element(parent)
    return position.line, position.column


def _lxml_path(path: str) -> tuple[str, dict[str, str]]:
    """Rewrite ``fn:path()`` output (``/Q{uri}TEI[1]/@Q{uri}id``) for lxml's XPath."""
    namespaces: dict[str, str] = {}
    prefixes: dict[str, str] = {}

    def prefix(uri: str) -> str:
        if uri == "http://www.w3.org/XML/1998/namespace":
            return "xml"
        if uri not in prefixes:
            prefixes[uri] = f"n{len(prefixes)}"
            namespaces[prefixes[uri]] = uri
        return prefixes[uri]

    out: list[str] = []
    i = 0
    while i < len(path):
        if path.startswith("Q{", i):
            end = path.index("}", i)
            uri = path[i + 2 : end]
            out.append(f"{prefix(uri)}:" if uri else "")
            i = end + 1
        else:
            out.append(path[i])
            i += 1
    expression = "".join(out)
    if expression == "/":
        expression = "/*"
    return expression, namespaces


NOT_SOURCES = frozenset({"schema", "templates"})
"""Folders under ``tei/`` whose XML files are not sources: a folder given on the command
line does not expand to them (the schema, and the template ``kimedition new`` fills)."""


def resolve_targets(edition: Edition, paths: Sequence[Path]) -> list[Path]:
    """The source files named on the command line (folders expand to their XML files).

    Raises :class:`UsageError` for a path that does not exist or lies outside the
    edition's ``tei/`` folder.
    """
    targets: list[Path] = []
    tei = edition.tei_dir.resolve()
    for given in paths:
        path = Path(given)
        if not path.exists():
            raise UsageError(f"{given}: no such file or folder")
        resolved = path.resolve()
        if resolved != tei and tei not in resolved.parents:
            raise UsageError(
                f"{given}: not part of the edition in {edition.root}; validate files under "
                f"{edition.relative(tei)}/ (or choose the edition with -C PATH)"
            )
        if resolved.is_dir():
            targets.extend(
                p
                for p in sorted(resolved.rglob("*.xml"))
                if not NOT_SOURCES.intersection(p.parts[len(tei.parts) :])
            )
        else:
            targets.append(resolved)
    return list(dict.fromkeys(targets))


def validate(
    edition: Edition,
    paths: Iterable[Path] | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    changed_since: str | None = None,
) -> ValidationReport:
    """Validate the edition, or only ``paths`` against the whole corpus.

    Every problem in every file is reported; files that cannot be parsed are reported
    and skipped, the others are still checked.

    With ``changed_since``, a git revision, only the sources (among ``paths``, if given)
    changed since that revision are checked, committed, staged, unstaged or untracked;
    all of them when the header, a register or the schema changed, since every document
    is checked against those (see :func:`~kimedition.gitfiles.changed_sources`). Raises
    :class:`UsageError` when the edition is not in a git work tree or the revision is
    unknown.
    """
    targets = resolve_targets(edition, list(paths)) if paths else None
    if changed_since is not None:
        changed = changed_sources(edition, changed_since)
        if not changed.everything:
            targets = [p for p in changed.paths if targets is None or p in targets]
            if not targets:
                return ValidationReport()
    corpus = read_corpus(edition, targets, max_bytes)
    return check_corpus(corpus, targets)


def check_corpus(corpus: Corpus, targets: list[Path] | None = None) -> ValidationReport:
    """Run the schemas over the corpus's parsed sources (or only ``targets``)."""
    edition = corpus.edition
    report = ValidationReport(problems=list(corpus.problems))
    checker = Checker(edition, corpus)
    wanted = set(targets) if targets is not None else None
    for path, source in sorted(corpus.sources.items()):
        if wanted is not None and path not in wanted:
            continue
        report.files.append(source.display)
        report.problems.extend(checker.check(source, source_kind(edition, path)))
    if wanted is not None:
        report.problems = [
            p
            for p in report.problems
            if any(p.path == s.display for s in corpus.sources.values() if s.path in wanted)
            or p.rule == "file"
        ]
    report.problems.sort(key=lambda p: (p.path, p.line, p.column, p.rule, p.message))
    return report


__all__ = ["Checker", "CorpusIndex", "ValidationReport", "check_corpus", "validate"]
