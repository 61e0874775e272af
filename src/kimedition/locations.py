"""Line and column of elements, attributes and phrases in a source file.

lxml knows the line on which each element starts but not the column. The column is
found in the source text: on the element's line, the element is the n-th start tag of
its name (n counted from the elements that start on that line before it), and an
attribute is the first ``name=`` after the start of its element's tag.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lxml import etree

_HIDDEN = re.compile(
    r"<!--.*?-->|<!\[CDATA\[.*?\]\]>|<\?.*?\?>|<!DOCTYPE(?:[^\[>]|\[.*?\])*>", re.DOTALL
)


def _written_name(element: etree._Element) -> str:
    local = etree.QName(element).localname
    return f"{element.prefix}:{local}" if element.prefix else local


def source_line(element: etree._Element) -> int:
    """The line lxml recorded for an element (where its start tag ends), or 0."""
    line = element.sourceline
    return line if isinstance(line, int) else 0


@dataclass(frozen=True)
class Position:
    line: int
    column: int


class SourceText:
    """The decoded text of one source file, with lookups by line."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.lines = text.splitlines()
        starts = [0]
        for match in re.finditer(r"\r\n|\r|\n", text):
            starts.append(match.end())
        self._line_starts = starts
        self._masked: str | None = None
        self._tags: dict[str, list[int]] = {}

    def offset(self, position: Position) -> int:
        """Character offset of a 1-based (line, column) position."""
        line = min(max(position.line, 1), len(self._line_starts))
        return self._line_starts[line - 1] + max(position.column - 1, 0)

    def position(self, offset: int) -> Position:
        """1-based (line, column) of a character offset."""
        lo, hi = 0, len(self._line_starts) - 1
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if self._line_starts[mid] <= offset:
                lo = mid
            else:
                hi = mid - 1
        return Position(lo + 1, offset - self._line_starts[lo] + 1)

    def _start_tags(self, name: str) -> list[int]:
        """Offsets of every start tag ``<name`` outside comments, CDATA and PIs."""
        if self._masked is None:

            def blank(match: re.Match[str]) -> str:
                return re.sub(r"[^\n]", " ", match.group(0))

            self._masked = _HIDDEN.sub(blank, self.text)
        if name not in self._tags:
            pattern = re.compile("<" + re.escape(name) + r"(?=[\s/>])")
            self._tags[name] = [m.start() for m in pattern.finditer(self._masked)]
        return self._tags[name]

    def element(self, element: etree._Element) -> Position:
        """Where the start tag of ``element`` begins.

        lxml's ``sourceline`` is the line where the start tag ends; the start tag is
        found as the n-th tag of the same written name in the text. If the text and the
        tree disagree, the line lxml knows is returned with column 0.
        """
        line = source_line(element)
        if not isinstance(element.tag, str):
            return Position(line, 0)
        name = _written_name(element)
        nth = 0
        for other in element.getroottree().iter():
            if other is element:
                break
            if isinstance(other.tag, str) and _written_name(other) == name:
                nth += 1
        offsets = self._start_tags(name)
        if nth < len(offsets):
            found = self.position(offsets[nth])
            end = self.text.find(">", offsets[nth])
            if not line or self.position(end if end >= 0 else offsets[nth]).line == line:
                return found
        return Position(line, 0)

    def attribute(self, element: etree._Element, name: str) -> Position:
        """Where attribute ``name`` (Clark notation or prefixed) of ``element`` begins."""
        start = self.element(element)
        if not start.column:
            return start
        qname = etree.QName(name)
        if qname.namespace == "http://www.w3.org/XML/1998/namespace":
            written = f"xml:{qname.localname}"
        else:
            written = qname.localname
        offset = self.offset(start)
        end = self.text.find(">", offset)
        tag = self.text[offset : end if end >= 0 else len(self.text)]
        match = re.search(r"[\s]" + re.escape(written) + r"\s*=", tag)
        if not match:
            return start
        return self.position(offset + match.start() + 1)

    def phrase(self, element: etree._Element, phrase: str) -> Position:
        """Where ``phrase`` first occurs in the source after the start of ``element``."""
        start = self.element(element)
        offset = self.offset(start) if start.line else 0
        escaped = phrase.replace("&", "&amp;").replace("<", "&lt;")
        pattern = r"\s+".join(re.escape(word) for word in escaped.split())
        match = re.compile(pattern).search(self.text, offset) if pattern else None
        if not match:
            return start
        return self.position(match.start())
