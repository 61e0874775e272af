"""``kimedition check-links``: every internal link and anchor of the built HTML resolves.

:func:`check_links` reads every ``.html`` page under ``OUT/html`` once, with lxml's HTML
parser (no network, no DTD), and collects two things from it: the links (``href``,
``src``, ``srcset``, ``poster``, ``data``, ``action``, ``cite`` and ``xlink:href``
attributes, with their line) and the anchors (every ``id``, and ``name`` on ``a``).
Then each internal link is resolved against its page:

* a relative URL against the page's folder, a root-relative one (``/x``) against
  ``html/``, the folder a web server publishes; the query is dropped and the path
  percent-decoded;
* a link that leaves ``html/`` (``../../data/x.json``, or a symbolic link pointing out
  of it) is broken: on the web server it cannot work, and nothing outside is read;
* the target must exist: a file, or a folder holding ``index.html``;
* a fragment (``#id``) must name an anchor of the target page (``#`` and ``#top`` always
  work); fragments on other files (``.txt``, ``.xml``, ``.json``, ``.csv``, ``.css``…)
  are not checked: those files only need to exist.

URLs with a scheme (``https:``, ``mailto:``…) or a host (``//example.org/``) are
external. They are never fetched; with ``external=True`` they are listed. ``data:``,
``javascript:`` and ``about:`` URLs are neither checked nor listed.

Each page is parsed once and each target's existence is looked up once, so the check
takes seconds for ten thousand pages. Results are sorted by page, line and column.
"""

from __future__ import annotations

import html
import os
import posixpath
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast
from urllib.parse import unquote, urlsplit

from lxml import etree

from .errors import UsageError
from .locations import source_line

LINK_ATTRIBUTES = ("href", "src", "srcset", "poster", "data", "action", "cite", "xlink:href")
"""Attributes holding a URL (``srcset`` holds several); ``data`` only on ``object``."""

HTML_SUFFIXES = (".html", ".htm")
"""Pages that are parsed: their links are checked and their anchors known."""

IGNORED_SCHEMES = ("data", "javascript", "about")
"""Schemes whose URLs are neither checked nor listed as external."""

ALWAYS_FRAGMENTS = ("", "top")
"""Fragments every page has: ``#`` and ``#top`` scroll to the top (HTML standard)."""


@dataclass(frozen=True, order=True)
class Link:
    """One URL in one page: ``page`` is relative to the ``html/`` folder, with slashes.

    ``line`` and ``column`` (1-based) are where the attribute starts; when it cannot be
    found in the text, ``line`` is the parser's (where the start tag ends) and
    ``column`` 0.
    """

    page: str
    line: int
    column: int
    href: str
    attribute: str = field(default="href", compare=False)


@dataclass(frozen=True, order=True)
class BrokenLink:
    """An internal link that does not resolve, and why."""

    link: Link
    reason: str


@dataclass
class LinkReport:
    """What :func:`check_links` found under ``root`` (the ``html/`` folder)."""

    root: Path
    pages: int = 0
    """HTML pages read."""
    links: int = 0
    """Internal links checked (``srcset`` candidates count one each)."""
    broken: list[BrokenLink] = field(default_factory=list)
    """Internal links that do not resolve, by page, line and column."""
    external: list[Link] = field(default_factory=list)
    """Links to other sites, by page, line and column (never fetched)."""
    unreadable: list[tuple[str, str]] = field(default_factory=list)
    """Pages that could not be read or parsed: (page, reason)."""

    @property
    def ok(self) -> bool:
        """Whether every page was read and every internal link resolves."""
        return not self.broken and not self.unreadable


@dataclass
class _Page:
    """What one page holds: its anchors, and its links with their raw positions."""

    anchors: set[str] = field(default_factory=set)
    links: list[tuple[int, str, str, int]] = field(default_factory=list)
    """(line, attribute, URL, occurrence of the same attribute and URL on that line)."""


def html_pages(root: Path) -> list[str]:
    """Every HTML page under ``root``, relative, sorted: regular files only, symbolic links
    leading out of ``root`` skipped."""
    real_root = root.resolve()
    pages: list[str] = []
    for folder, folders, files in os.walk(root):
        folders.sort()
        for name in files:
            if not name.lower().endswith(HTML_SUFFIXES):
                continue
            path = Path(folder) / name
            if not path.is_file() or (path.is_symlink() and not _inside(path, real_root)):
                continue  # a pipe or a device would block the read; outside is not read
            pages.append(path.relative_to(root).as_posix())
    return sorted(pages)


def check_links(out: Path, *, external: bool = False) -> LinkReport:
    """Check every internal link and anchor of the HTML pages under ``out/html``.

    Raises :class:`UsageError` (exit code 2) when ``out/html`` holds no HTML page. With
    ``external``, links to other sites are collected in :attr:`LinkReport.external`;
    they are never fetched.
    """
    root = out / "html"
    pages = html_pages(root) if root.is_dir() else []
    if not pages:
        raise UsageError(
            f"{out}: no built HTML (no pages under {root.name}/); run kimedition build first"
        )
    report = LinkReport(root=root, pages=len(pages))
    real_root = root.resolve()
    parsed: dict[str, _Page] = {}
    for page in pages:
        try:
            parsed[page] = _read_page(root / page)
        except (OSError, etree.LxmlError, ValueError) as error:
            report.unreadable.append((page, _reason(error)))
            parsed[page] = _Page()
    targets = _Targets(root, real_root, parsed)
    answers: dict[tuple[str, str], str | None] = {}
    for page in pages:
        found = parsed[page]
        base = posixpath.dirname(page)
        broken: list[tuple[int, str, str, int, str]] = []
        outside: list[tuple[int, str, str, int]] = []
        for line, attribute, url, occurrence in found.links:
            kind = _classify(url)
            if kind == "ignored":
                continue
            if kind == "external":
                if external:
                    outside.append((line, attribute, url, occurrence))
                continue
            report.links += 1
            # The same URL means the same target from every page of a folder, except
            # for a fragment alone, which points into the page itself.
            key = (page if url.startswith(("#", "?")) or not url else base, url)
            if key in answers:
                reason = answers[key]
            else:
                reason = answers[key] = targets.check(page, base, url)
            if reason is not None:
                broken.append((line, attribute, url, occurrence, reason))
        if broken or outside:
            columns = _Columns(root / page)
            for line, attribute, url, occurrence, reason in broken:
                where = columns.find(line, attribute, url, occurrence)
                report.broken.append(BrokenLink(Link(page, *where, url, attribute), reason))
            for line, attribute, url, occurrence in outside:
                where = columns.find(line, attribute, url, occurrence)
                report.external.append(Link(page, *where, url, attribute))
    report.broken.sort()
    report.external.sort()
    return report


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def one_line(text: str) -> str:
    """``text`` with control characters (a newline in a URL…) written as ``\\xNN``."""
    return _CONTROL.sub(lambda match: f"\\x{ord(match.group()):02x}", text)


# Reading a page ----------------------------------------------------------------


def _parser() -> etree.HTMLParser:
    """lxml's HTML parser (libxml2's), never touching the network; pages are UTF-8, as
    the build writes them. Plain elements, not :mod:`lxml.html`'s classes: faster."""
    return etree.HTMLParser(
        encoding="utf-8",
        no_network=True,
        remove_comments=True,
        remove_pis=True,
        huge_tree=False,
    )


_PARSER = _parser()

_ANCHORS = etree.XPath("//@id | //a/@name")
_URLS = etree.XPath(
    "//@href | //@src | //@srcset | //@poster | //object/@data | //@action | //@cite"
    " | //@*[name() = 'xlink:href']"
)
"""Every attribute of :data:`LINK_ATTRIBUTES`, in document order (searched in C)."""


def _read_page(path: Path) -> _Page:
    data = path.read_bytes()
    if not data.strip():
        raise ValueError("the page is empty")
    root = etree.fromstring(data, _PARSER)
    if root is None:
        raise ValueError("the page has no elements")
    page = _Page()
    page.anchors.update(str(value) for value in cast("list[str]", _ANCHORS(root)))
    seen: dict[tuple[int, str, str], int] = {}
    # Attribute values as lxml's "smart strings", which know their element and name.
    for value in cast("list[Any]", _URLS(root)):
        element = value.getparent()
        attribute = str(value.attrname)
        line = source_line(element) if element is not None else 0
        text = str(value)
        urls = srcset_urls(text) if attribute == "srcset" else [text.strip()]
        for url in urls:
            key = (line, attribute, url)
            occurrence = seen[key] = seen.get(key, -1) + 1
            page.links.append((line, attribute, url, occurrence))
    return page


def _reason(error: BaseException) -> str:
    if isinstance(error, OSError):
        return f"cannot be read: {error.strerror or error}"
    return f"cannot be parsed as HTML: {error}"


def srcset_urls(value: str) -> list[str]:
    """The URLs of a ``srcset`` attribute, as the HTML standard splits it.

    Each candidate is a URL followed by optional descriptors (``2x``, ``480w``),
    candidates being separated by commas; a URL may itself contain commas (``data:``).
    """
    urls: list[str] = []
    position, length = 0, len(value)
    while position < length:
        while position < length and (value[position].isspace() or value[position] == ","):
            position += 1
        start = position
        while position < length and not value[position].isspace():
            position += 1
        url = value[start:position]
        if url.endswith(","):
            url = url.rstrip(",")
        else:
            depth = 0
            while position < length:
                character = value[position]
                if character == "(":
                    depth += 1
                elif character == ")":
                    depth = max(0, depth - 1)
                elif character == "," and depth == 0:
                    break
                position += 1
        if url:
            urls.append(url)
    return urls


_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")


def _classify(url: str) -> str:
    """``internal``, ``external`` (another site) or ``ignored`` (``data:`` and the like)."""
    match = _SCHEME.match(url)
    if match:
        return "ignored" if match.group(1).lower() in IGNORED_SCHEMES else "external"
    if url.startswith(("//", "\\\\", "/\\", "\\/")):
        return "external"
    return "internal"


# Resolving a link ----------------------------------------------------------------


class _Targets:
    """Resolves internal links; remembers what each target path is."""

    def __init__(self, root: Path, real_root: Path, pages: dict[str, _Page]) -> None:
        self.root = root
        self.real_root = real_root
        self.pages = pages
        self._kinds: dict[str, str] = {}

    def check(self, page: str, base: str, url: str) -> str | None:
        """Why ``url`` in ``page`` does not resolve, or None when it does."""
        parts = urlsplit(url)
        raw_path = parts.path
        if raw_path == "":
            target = page
        else:
            decoded = unquote(raw_path)
            if "\x00" in decoded:
                return "the path contains a NUL character"
            joined = decoded[1:] if decoded.startswith("/") else posixpath.join(base, decoded)
            target = posixpath.normpath(joined) if joined else "."
            if target == ".." or target.startswith("../") or target.startswith("/"):
                return "leaves the published folder html/"
            kind = self._kind(target)
            if kind == "missing":
                return f"no such file: {target}"
            if kind == "outside":
                return f"{target} is a symbolic link leading out of html/"
            if kind == "folder":
                index = posixpath.normpath(posixpath.join(target, "index.html"))
                if self._kind(index) != "file":
                    return f"{target}/ is a folder without index.html"
                target = index
        fragment = parts.fragment
        if "#" not in url or not target.lower().endswith(HTML_SUFFIXES):
            return None
        if fragment.lower() in ALWAYS_FRAGMENTS:
            return None
        anchors = self.pages[target].anchors if target in self.pages else set()
        if fragment in anchors or unquote(fragment) in anchors:
            return None
        return f'{target} has no element with id "{unquote(fragment)}"'

    def _kind(self, target: str) -> str:
        """``file``, ``folder``, ``missing`` or ``outside`` (a link leading out)."""
        kind = self._kinds.get(target)
        if kind is None:
            path = self.root / target if target != "." else self.root
            if target in self.pages:
                kind = "file"
            elif not os.path.lexists(path):
                kind = "missing"
            elif not _inside(path, self.real_root):
                kind = "outside"
            elif path.is_dir():
                kind = "folder"
            elif path.is_file():
                kind = "file"
            else:
                kind = "missing"
            self._kinds[target] = kind
        return kind


def _inside(path: Path, real_root: Path) -> bool:
    """Whether ``path``, all links followed, lies in ``real_root``."""
    try:
        real = path.resolve()
    except (OSError, RuntimeError):
        return False
    return real == real_root or real.is_relative_to(real_root)


# Columns ---------------------------------------------------------------------------


_ATTRIBUTE_PATTERNS = {
    attribute: re.compile(
        r"(?<![\w:-])" + re.escape(attribute) + r"""\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""",
        re.IGNORECASE,
    )
    for attribute in LINK_ATTRIBUTES
}
"""An attribute and its value, quoted or not, in a line of HTML."""


class _Columns:
    """Finds the column of an attribute on a line of a page (for the reported links)."""

    def __init__(self, path: Path) -> None:
        try:
            text = path.read_bytes().decode("utf-8", errors="replace")
        except OSError:
            text = ""
        self.lines = text.splitlines()

    def find(self, line: int, attribute: str, url: str, occurrence: int) -> tuple[int, int]:
        """Where the ``occurrence``-th ``attribute="url"`` of the elements that lxml puts on
        ``line`` starts, as (line, 1-based column); (``line``, 0) when it is not found.

        lxml gives the line where a start tag ends; for a tag spread over several lines
        the attribute is looked for on the lines before, nearest first.
        """
        if not 1 <= line <= len(self.lines):
            return line, 0
        matches = self._matches(line, attribute, url)
        if occurrence < len(matches):
            return line, matches[occurrence]
        for earlier in range(line - 1, max(0, line - _LOOK_BACK), -1):
            matches = self._matches(earlier, attribute, url)
            if matches:
                return earlier, matches[-1]
        return line, 0

    def _matches(self, line: int, attribute: str, url: str) -> list[int]:
        """The columns where ``attribute`` holds ``url`` on ``line``."""
        columns: list[int] = []
        for match in _ATTRIBUTE_PATTERNS[attribute].finditer(self.lines[line - 1]):
            value = html.unescape(next(g for g in match.groups() if g is not None))
            candidates = srcset_urls(value) if attribute == "srcset" else [value.strip()]
            columns.extend(match.start() + 1 for candidate in candidates if candidate == url)
        return columns


_LOOK_BACK = 50
"""How many lines before lxml's line an attribute of a long start tag is looked for."""


__all__ = [
    "BrokenLink",
    "Link",
    "LinkReport",
    "check_links",
    "html_pages",
    "one_line",
    "srcset_urls",
]
