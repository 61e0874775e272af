"""``kimedition suggest``: registered names the documents mention without tagging them.

For every document, every text node of its ``text`` (date line, head, paragraphs…) is
split into words and searched, longest phrase first, for the names and variants of
the registers (see :mod:`kimedition.names` for how spellings are matched). A phrase
is *untagged* unless an enclosing ``persName``, ``placeName``, ``orgName`` or ``rs``
already points to the entry. A phrase inside a tagged name of the same kind is part
of that name ("Ministry of Foreign Affairs" in "Ministry of Foreign Affairs of the
DPRK") and is left alone, unless it is the whole of it: then the name is tagged with
another entry, which is reported as a conflict.

Each finding is a proposal to wrap the phrase in ``<persName ref="person:ID">`` (or
``placeName``/``orgName``), shown as a unified diff. Ambiguous phrases (names of more
than one entry), conflicts and phrases in CDATA sections are reported but never applied.

Edits are made on the source text, not by re-serialising the tree: each text node of
the parsed document is mapped back to the characters of the file it came from
(entities such as ``&amp;``, character references, CDATA, line ends), and tags are
inserted at those offsets, so that a file is otherwise byte for byte as it was. Before
a file is written, its text content (every text node, in order) is checked to be the
same as before.
"""

from __future__ import annotations

import html
import os
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path

from lxml import etree

from .corpus import display_path, read_corpus
from .edition import Edition
from .errors import UsageError
from .names import Candidate, NameIndex, base_key, words
from .output import synced_temporary
from .parsing import DEFAULT_MAX_BYTES, TEI_NS, UnreadableSource, load_bytes
from .problems import Problem
from .registers import KINDS, NAME_ELEMENTS, Entry, read_entries
from .validate import ValidationReport, resolve_targets, validate

_NAME_KINDS = {element: kind for kind, element in NAME_ELEMENTS.items()}
_TEXT = f"{{{TEI_NS}}}text"

_MARKUP = re.compile(
    r"""<!--.*?-->
      | <\?.*?\?>
      | <!\[CDATA\[(?P<cdata>.*?)\]\]>
      | <!DOCTYPE[^>]*>
      | </[^>]*>
      | <[^\s/>!?][^\s/>]*(?:\s+[^\s=/>]+\s*=\s*(?:"[^"]*"|'[^']*'))*\s*(?P<empty>/?)>
    """,
    re.DOTALL | re.VERBOSE,
)
_REFERENCE = re.compile(r"&(#[0-9]+|#x[0-9a-fA-F]+|amp|lt|gt|quot|apos);|\r\n?")
_PREDEFINED = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}
_POSSESSIVE = re.compile(r"['’ʼ]s$")


class Status(Enum):
    """What can be done with a finding."""

    TAG = "tag"
    AMBIGUOUS = "ambiguous"
    CONFLICT = "conflict"
    UNTAGGABLE = "untaggable"


@dataclass(frozen=True)
class Finding:
    """One untagged occurrence of a registered name in a document.

    ``start`` and ``end`` are character offsets in the file's decoded text; ``line``
    and ``column`` (1-based) where the phrase starts. Only findings whose status is
    :attr:`Status.TAG` carry markup and are applied by ``--write``.
    """

    document: str
    path: Path
    start: int
    end: int
    line: int
    column: int
    phrase: str
    candidates: tuple[Candidate, ...]
    status: Status
    tagged_as: str = ""
    open_tag: str = ""
    close_tag: str = ""

    @property
    def where(self) -> str:
        return f"{self.document}:{self.line}:{self.column}"

    @property
    def applicable(self) -> bool:
        return self.status is Status.TAG

    def note(self) -> str:
        """``path:line:col: person:ID: "…" matches the variant "…" (…)`` and the like.

        One line: a phrase broken across lines in the source is shown on one.
        """
        first = self.candidates[0]
        phrase = " ".join(self.phrase.split())
        if self.status is Status.TAG:
            return f"{self.where}: {first.pointer}: {first.explain(phrase)}"
        if self.status is Status.AMBIGUOUS:
            names = " or ".join(f"{c.pointer} ({c.entry.name})" for c in self.candidates)
            return (
                f'{self.where}: ambiguous: "{phrase}" is a registered name of {names}; '
                "not applied: tag it by hand"
            )
        if self.status is Status.CONFLICT:
            return (
                f'{self.where}: conflict: "{phrase}" is tagged as {self.tagged_as} but '
                f"{first.explain(phrase)}, a name of {first.pointer}; not applied: check "
                "the @ref"
            )
        return (
            f'{self.where}: "{phrase}" ({first.pointer}) is in a CDATA section; not '
            "applied: tag it by hand"
        )


@dataclass
class SuggestReport:
    """What ``kimedition suggest`` found, and, with ``write``, what it changed."""

    documents: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    diff: str = ""
    problems: list[Problem] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)
    validation: ValidationReport | None = None
    write: bool = False

    @property
    def applicable(self) -> list[Finding]:
        return [f for f in self.findings if f.applicable]

    @property
    def failed(self) -> bool:
        """Whether the command should exit 1.

        Without ``write``: when anything was found (or a document could not be read).
        With ``write``: when something is left to do by hand, or a changed file is
        invalid.
        """
        if self.problems:
            return True
        if not self.write:
            return bool(self.findings)
        invalid = self.validation is not None and bool(self.validation.errors)
        return invalid or len(self.applicable) < len(self.findings)

    def summary(self) -> str:
        """``20 documents searched: 3 names to tag in 2 documents, 1 ambiguous``."""
        count = len(self.documents)
        text = f"{count} document{'s' if count != 1 else ''} searched: "
        tag = self.applicable
        files = len({f.document for f in tag})
        verb = "tagged" if self.write else "to tag"
        if tag:
            text += (
                f"{len(tag)} name{'s' if len(tag) != 1 else ''} {verb} in {files} "
                f"document{'s' if files != 1 else ''}"
            )
        else:
            text += f"no names {verb}"
        for status, label in (
            (Status.AMBIGUOUS, "ambiguous"),
            (Status.CONFLICT, "tagged with another entry"),
            (Status.UNTAGGABLE, "in CDATA"),
        ):
            found = sum(1 for f in self.findings if f.status is status)
            if found:
                text += f", {found} {label}"
        return text


# Mapping text nodes to the source --------------------------------------------------


@dataclass
class _Run:
    """The text of one text node, with where each character comes from in the source.

    ``starts[i]`` and ``ends[i]`` delimit the source characters that character ``i``
    was read from (one character, an entity or character reference, or a CR LF).
    """

    chars: list[str] = field(default_factory=list)
    starts: list[int] = field(default_factory=list)
    ends: list[int] = field(default_factory=list)
    cdata: list[bool] = field(default_factory=list)
    text: str = ""

    def add(self, char: str, start: int, end: int, cdata: bool) -> None:
        self.chars.append(char)
        self.starts.append(start)
        self.ends.append(end)
        self.cdata.append(cdata)

    def finish(self) -> _Run:
        self.text = "".join(self.chars)
        return self


class _Unmappable(Exception):
    """The source text and the parsed tree disagree; the file is not edited."""


def _decode(run: _Run, source: str, start: int, end: int, cdata: bool) -> None:
    position = start
    pattern = re.compile(r"\r\n?") if cdata else _REFERENCE
    for match in pattern.finditer(source, start, end):
        for offset in range(position, match.start()):
            run.add(source[offset], offset, offset + 1, cdata)
        token = match.group(0)
        if token.startswith("\r"):
            char = "\n"
        elif token.startswith("&#x"):
            char = chr(int(token[3:-1], 16))
        elif token.startswith("&#"):
            char = chr(int(token[2:-1]))
        else:
            char = _PREDEFINED[token[1:-1]]
        run.add(char, match.start(), match.end(), cdata)
        position = match.end()
    for offset in range(position, end):
        run.add(source[offset], offset, offset + 1, cdata)


def _source_runs(source: str) -> list[_Run]:
    """The character data inside the root element, one run per text node, in order."""
    runs: list[_Run] = []
    current: _Run | None = None
    depth = 0
    position = 0
    while position < len(source):
        if source[position] != "<":
            end = source.find("<", position)
            end = len(source) if end < 0 else end
            if depth > 0:
                current = current or _Run()
                _decode(current, source, position, end, cdata=False)
            position = end
            continue
        match = _MARKUP.match(source, position)
        if not match:
            raise _Unmappable(f"unexpected markup at offset {position}")
        token = match.group(0)
        if match.group("cdata") is not None:
            if depth > 0:
                current = current or _Run()
                _decode(current, source, match.start("cdata"), match.end("cdata"), cdata=True)
            position = match.end()
            continue
        if current is not None and current.chars:
            runs.append(current.finish())
        current = None
        if token.startswith("</"):
            depth -= 1
            if depth == 0:
                break
        elif not token.startswith(("<!", "<?")):
            if match.group("empty"):
                if depth == 0:
                    break  # an empty root element
            else:
                depth += 1
        position = match.end()
    return runs


@dataclass(frozen=True)
class _Node:
    text: str
    container: etree._Element
    in_text: bool


def _tree_nodes(root: etree._Element) -> Iterator[_Node]:
    """Every text node under ``root`` in document order, with its parent element."""

    def walk(element: etree._Element, in_text: bool) -> Iterator[_Node]:
        if element.text:
            yield _Node(element.text, element, in_text)
        for child in element:
            if isinstance(child.tag, str):
                yield from walk(child, in_text or (element is root and child.tag == _TEXT))
            if child.tail:
                yield _Node(child.tail, element, in_text)

    yield from walk(root, False)


def _text_content(root: etree._Element) -> str:
    return "".join(node.text for node in _tree_nodes(root))


# Finding names -------------------------------------------------------------------------


@dataclass(frozen=True)
class _Enclosing:
    element: etree._Element
    kind: str
    pointers: tuple[str, ...]


def _enclosing(container: etree._Element) -> list[_Enclosing]:
    """The names and referring strings with @ref around a text node, innermost first."""
    found: list[_Enclosing] = []
    element: etree._Element | None = container
    while element is not None:
        if isinstance(element.tag, str) and element.get("ref"):
            qname = etree.QName(element)
            pointers = tuple(element.get("ref", "").split())
            kind = ""
            if qname.namespace == TEI_NS and qname.localname in _NAME_KINDS:
                kind = _NAME_KINDS[qname.localname]
            elif qname.namespace == TEI_NS and qname.localname == "rs":
                typed = element.get("type", "")
                kind = typed if typed in KINDS else pointers[0].partition(":")[0]
            if kind:
                found.append(_Enclosing(element, kind, pointers))
        element = element.getparent()
    return found


def _tei_prefix(element: etree._Element) -> str:
    for prefix, uri in element.nsmap.items():
        if uri == TEI_NS:
            return f"{prefix}:" if prefix else ""
    return ""


@dataclass
class _Document:
    """One document being searched: its text, tree and where it is shown."""

    path: Path
    relative: str
    source: str
    root: etree._Element
    line_starts: list[int] = field(default_factory=list)

    def position(self, offset: int) -> tuple[int, int]:
        if not self.line_starts:
            self.line_starts = [0] + [m.end() for m in re.finditer("\n", self.source)]
        low, high = 0, len(self.line_starts) - 1
        while low < high:
            middle = (low + high + 1) // 2
            if self.line_starts[middle] <= offset:
                low = middle
            else:
                high = middle - 1
        return low + 1, offset - self.line_starts[low] + 1


def _phrase_ends(run: _Run, bounds: list[tuple[int, int]], first: int, last: int) -> list[int]:
    """Where a phrase of words ``first``–``last`` may end: whole, then without a possessive."""
    end = bounds[last][1]
    ends = [end]
    word = run.text[bounds[last][0] : end]
    if _POSSESSIVE.search(word) and end - 2 > bounds[last][0]:
        ends.append(end - 2)
    return ends


def _extend(run: _Run, start: int, end: int, name: str) -> int:
    """Extend a match over punctuation the registered name ends with ("V.I.", "VKP(b)")."""
    trailing = re.search(r"[^\w\s]*$", name.strip())
    tail = trailing.group(0) if trailing else ""
    if tail and run.text.startswith(tail, end):
        return end + len(tail)
    return end


def _find_in_run(
    document: _Document, run: _Run, node: _Node, index: NameIndex
) -> Iterator[Finding]:
    bounds = words(run.text)
    enclosing = _enclosing(node.container)
    pointers = {p for e in enclosing for p in e.pointers}
    position = 0
    while position < len(bounds):
        taken = 0
        for length in range(min(index.longest, len(bounds) - position), 0, -1):
            start = bounds[position][0]
            for end in _phrase_ends(run, bounds, position, position + length - 1):
                candidates = index.lookup(run.text[start:end])
                if candidates:
                    end = _extend(run, start, end, candidates[0].name.text)
                    finding = _judge(
                        document, run, node, enclosing, pointers, start, end, candidates
                    )
                    if finding is not None:
                        yield finding
                    taken = length
                    break
            if taken:
                break
        position += taken or 1


def _judge(
    document: _Document,
    run: _Run,
    node: _Node,
    enclosing: list[_Enclosing],
    pointers: set[str],
    start: int,
    end: int,
    candidates: list[Candidate],
) -> Finding | None:
    """The finding for a phrase that names ``candidates``, or None when it is tagged."""
    if any(c.pointer in pointers for c in candidates):
        return None
    phrase = run.text[start:end]
    kinds = {c.entry.kind for c in candidates}
    same = next((e for e in enclosing if e.kind in kinds), None)
    status = Status.AMBIGUOUS if len(candidates) > 1 else Status.TAG
    tagged_as = ""
    if same is not None:
        whole = base_key(str(same.element.xpath("string()")))
        if whole != base_key(phrase):
            return None  # part of a longer name of the same kind
        status, tagged_as = Status.CONFLICT, " ".join(same.pointers)
    if status is Status.TAG and any(run.cdata[start:end]):
        status = Status.UNTAGGABLE
    source_start, source_end = run.starts[start], run.ends[end - 1]
    line, column = document.position(source_start)
    open_tag = close_tag = ""
    if status is Status.TAG:
        entry: Entry = candidates[0].entry
        element = _tei_prefix(node.container) + NAME_ELEMENTS[entry.kind]
        open_tag = f'<{element} ref="{html.escape(entry.pointer, quote=True)}"'
        if candidates[0].name.type == "codename":
            open_tag += ' type="codename"'  # as docs/encoding.md asks for codenames
        open_tag += ">"
        close_tag = f"</{element}>"
    return Finding(
        document.relative,
        document.path,
        source_start,
        source_end,
        line,
        column,
        phrase,
        tuple(candidates),
        status,
        tagged_as,
        open_tag,
        close_tag,
    )


def find_untagged(document: _Document, index: NameIndex) -> list[Finding]:
    """Every untagged registered name in the ``text`` of one document."""
    runs = _source_runs(document.source)
    nodes = list(_tree_nodes(document.root))
    if len(runs) != len(nodes) or any(r.text != n.text for r, n in zip(runs, nodes, strict=False)):
        raise _Unmappable("the text nodes of the tree and of the source differ")
    findings: list[Finding] = []
    for run, node in zip(runs, nodes, strict=True):
        if node.in_text:
            findings.extend(_find_in_run(document, run, node, index))
    return findings


# Applying and showing ------------------------------------------------------------------


def apply_findings(source: str, findings: Sequence[Finding]) -> str:
    """The source with the markup of the applicable findings inserted."""
    text = source
    for finding in sorted((f for f in findings if f.applicable), key=lambda f: -f.start):
        text = (
            text[: finding.start]
            + finding.open_tag
            + text[finding.start : finding.end]
            + finding.close_tag
            + text[finding.end :]
        )
    return text


def _diff_line(sign: str, line: str) -> str:
    if line.endswith("\n"):
        return sign + line
    return sign + line + "\n\\ No newline at end of file\n"


def unified_diff(relative: str, old: str, findings: Sequence[Finding]) -> str:
    """A ``git diff``-style patch of one file: one hunk per finding, each with its note.

    Findings are taken in order; each is preceded by its note as a ``#`` line, and an
    applicable one is followed by a file header and a hunk without context that
    changes its line(s) as the previous hunks left them. So several names on one line
    give several hunks, each showing one change, and ``git apply --unidiff-zero`` (or
    ``patch -p1``) applies them one after the other, as ``--write`` does.
    """
    out: list[str] = []
    text = old
    shift = 0
    for finding in sorted(findings, key=lambda f: f.start):
        out.append(f"# {finding.note()}\n")
        if not finding.applicable:
            continue
        start, end = finding.start + shift, finding.end + shift
        new = text[:start] + finding.open_tag + text[start:end] + finding.close_tag + text[end:]
        added = len(finding.open_tag) + len(finding.close_tag)
        first = text.rfind("\n", 0, start) + 1
        last = text.find("\n", end)
        last = len(text) if last < 0 else last + 1
        before = text[first:last].splitlines(keepends=True)
        after = new[first : last + added].splitlines(keepends=True)
        span = f"{finding.line}" if len(before) == 1 else f"{finding.line},{len(before)}"
        out += [
            f"diff --git a/{relative} b/{relative}\n",
            f"--- a/{relative}\n",
            f"+++ b/{relative}\n",
            f"@@ -{span} +{span} @@\n",
            *(_diff_line("-", line) for line in before),
            *(_diff_line("+", line) for line in after),
        ]
        text, shift = new, shift + added
    return "".join(out)


def _write_atomically(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` in one step, keeping the file's permissions."""
    with synced_temporary(path, data, path.stat().st_mode & 0o7777) as temporary:
        os.replace(temporary, path)


# The command -------------------------------------------------------------------------


def _documents(edition: Edition, paths: Sequence[Path]) -> list[Path] | None:
    if not paths:
        return None
    documents_dir = edition.documents_dir.resolve()
    chosen: list[Path] = []
    for path in resolve_targets(edition, paths):
        if path.parent == documents_dir:
            chosen.append(path)
        elif any(Path(given).resolve() == path for given in paths):
            raise UsageError(
                f"{display_path(path)}: not a document; suggest searches the documents in "
                f"{edition.relative(documents_dir)}/"
            )
    return chosen


def suggest(
    edition: Edition,
    paths: Sequence[Path] = (),
    write: bool = False,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> SuggestReport:
    """Find the untagged registered names in the documents (all, or those in ``paths``).

    The report holds every finding and their diff. With ``write``, the applicable
    findings are applied to the files, which are then validated again; nothing is
    written otherwise. Raises :class:`UsageError` for a path that is not a document.
    """
    targets = _documents(edition, paths)
    report = SuggestReport(write=write)
    if targets == []:
        return report
    corpus = read_corpus(edition, targets, max_bytes)
    report.problems = list(corpus.problems)
    entries: list[Entry] = []
    for kind in KINDS:
        register = corpus.register(kind)
        if register is not None:
            entries.extend(read_entries(register.root, kind))
    index = NameIndex.build(entries)
    changes: dict[Path, bytes] = {}
    diffs: list[str] = []
    for source in corpus.documents():
        relative = edition.relative(source.path)
        report.documents.append(relative)
        try:
            text = source.data.decode("utf-8")
            document = _Document(source.path, relative, text, source.root)
            findings = find_untagged(document, index)
        except (_Unmappable, UnicodeDecodeError) as error:
            report.problems.append(
                Problem(
                    source.display,
                    message=f"cannot search this file for names ({error}); not changed",
                    rule="suggest",
                )
            )
            continue
        report.findings.extend(findings)
        new_text = apply_findings(text, findings)
        diffs.append(unified_diff(relative, text, findings))
        if new_text != text:
            changes[source.path] = new_text.encode("utf-8")
            _check_text_unchanged(source.root, changes[source.path], source.display)
    report.diff = "".join(diffs)
    if write and changes:
        for path, data in changes.items():
            _write_atomically(path, data)
            report.written.append(path)
        report.validation = validate(edition, report.written, max_bytes)
    return report


def _check_text_unchanged(root: etree._Element, data: bytes, display: str) -> None:
    """Refuse an edit that would change the text content, not only the markup."""
    try:
        changed = load_bytes(data, Path(display), display).root
    except UnreadableSource as error:  # pragma: no cover - a bug, never the user's
        raise RuntimeError(f"the proposed markup is not well-formed: {error}") from None
    if _text_content(changed) != _text_content(root):  # pragma: no cover - a bug
        raise RuntimeError(f"{display}: tagging would change the text; nothing written")


__all__ = [
    "Finding",
    "Status",
    "SuggestReport",
    "apply_findings",
    "suggest",
    "unified_diff",
]
