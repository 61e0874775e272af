"""Reading source files: one hardened XML parser for the whole toolkit.

Every XML file the toolkit reads goes through :func:`load_source`. The parser never
loads a DTD, never resolves an entity from outside the file, never touches the network
and never performs XInclude; documents with a document type declaration are refused
outright, so that entity expansion cannot happen at all. A file that cannot be read as
a TEI document (empty, binary, not UTF-8, not well-formed, not TEI) raises
:class:`UnreadableSource` carrying one :class:`~kimedition.problems.Problem` that says
where and what to do.

Only regular files are read, never more than the size limit, and never through a
symbolic link that leads out of the edition folder. A parsed document must also stay
within the limits of the XML parser inside Saxon (:data:`SAXON_LIMITS`), so that a
file accepted here is never refused by a later stage with a message in Java's words.
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from .locations import SourceText, source_line
from .problems import Problem

TEI_NS = "http://www.tei-c.org/ns/1.0"
XML_NS = "http://www.w3.org/XML/1998/namespace"
XML_ID = f"{{{XML_NS}}}id"
NS = {"tei": TEI_NS}

DEFAULT_MAX_BYTES = 50 * 1024 * 1024
"""Files larger than this are refused (the limit can be raised per call)."""

MAX_DEPTH = 100
"""Deepest nesting of elements accepted (the limit of the JDK parser Saxon uses)."""

MAX_ATTRIBUTES = 200
"""Most attributes and namespace declarations on one element (ditto)."""

MAX_NAME = 1000
"""Longest element, attribute or processing-instruction name, in characters (ditto)."""

SAXON_LIMITS = (MAX_DEPTH, MAX_ATTRIBUTES, MAX_NAME)

_DECLARED_ENCODING = re.compile(rb"""^<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")
_DOCTYPE = re.compile(rb"<!DOCTYPE", re.IGNORECASE)


class UnreadableSource(Exception):
    """A file that cannot be read as a TEI document; ``problem`` says why."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.format())
        self.problem = problem


def make_parser() -> etree.XMLParser:
    """The hardened lxml parser used for every XML file the toolkit reads.

    ``collect_ids`` is off so that a duplicate ``xml:id`` is reported by the edition's
    own rule (with both places) instead of stopping the parse.
    """
    return etree.XMLParser(
        resolve_entities=False,
        load_dtd=False,
        dtd_validation=False,
        no_network=True,
        huge_tree=False,
        collect_ids=False,
        remove_comments=False,
        remove_pis=False,
        strip_cdata=True,
        recover=False,
    )


@dataclass
class Source:
    """A parsed source file.

    ``display`` is the path as it is shown to the user; ``data`` the file's bytes.
    """

    path: Path
    display: str
    data: bytes
    tree: etree._ElementTree
    _text: SourceText | None = field(default=None, repr=False)

    @property
    def root(self) -> etree._Element:
        return self.tree.getroot()

    @property
    def text(self) -> SourceText:
        """The decoded text, for finding columns and phrases."""
        if self._text is None:
            self._text = SourceText(self.data.decode("utf-8-sig", errors="replace"))
        return self._text

    @property
    def xml_id(self) -> str | None:
        return self.root.get(XML_ID)


def _problem(
    display: str, message: str, line: int = 0, column: int = 0, rule: str = "xml"
) -> UnreadableSource:
    return UnreadableSource(Problem(display, line, column, message=message, rule=rule))


def _position(data: bytes, offset: int) -> tuple[int, int]:
    before = data[:offset]
    line = before.count(b"\n") + 1
    column = len(before) - (before.rfind(b"\n") + 1) + 1
    return line, column


def check_bytes(data: bytes, display: str, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
    """Refuse content that is not UTF-8 XML text, before any parsing."""
    if len(data) > max_bytes:
        raise _problem(
            display,
            f"the file is {len(data):,} bytes, over the limit of {max_bytes:,} bytes; "
            "split it, or raise the limit with --max-file-size",
            rule="file",
        )
    if not data.strip():
        raise _problem(display, "the file is empty; an edition file is a TEI document", rule="file")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or data[:4] in (
        b"\x00\x00\xfe\xff",
        b"\xff\xfe\x00\x00",
    ):
        raise _problem(
            display,
            "the file is encoded in UTF-16 or UTF-32; save it as UTF-8",
            1,
            1,
            rule="file",
        )
    nul = data.find(b"\x00")
    if nul >= 0:
        line, column = _position(data, nul)
        raise _problem(
            display,
            "the file contains binary data (a NUL byte), not XML text",
            line,
            column,
            rule="file",
        )
    body = data[3:] if data.startswith(b"\xef\xbb\xbf") else data
    declared = _DECLARED_ENCODING.match(body)
    if declared and declared.group(1).decode("ascii").lower().replace("_", "-") not in (
        "utf-8",
        "utf8",
    ):
        raise _problem(
            display,
            f"the file declares encoding {declared.group(1).decode('ascii')!r}; edition files "
            'are UTF-8: save it as UTF-8 and declare encoding="UTF-8"',
            1,
            declared.start(1) + 1,
            rule="file",
        )
    try:
        body.decode("utf-8")
    except UnicodeDecodeError as error:
        offset = error.start + (len(data) - len(body))
        line, column = _position(data, offset)
        raise _problem(
            display,
            f"byte 0x{data[offset]:02X} is not valid UTF-8; save the file as UTF-8",
            line,
            column,
            rule="file",
        ) from None
    doctype = _DOCTYPE.search(data)
    if doctype:
        line, column = _position(data, doctype.start())
        raise _problem(
            display,
            "document type declarations (<!DOCTYPE …>) are not allowed in edition files: "
            "they can pull in outside files or expand entities; remove it",
            line,
            column,
        )


def parse_bytes(data: bytes, display: str) -> etree._ElementTree:
    """Parse checked bytes with the hardened parser; raise :class:`UnreadableSource`."""
    parser = make_parser()
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as error:
        line, column = error.position if error.position else (0, 0)
        message = _syntax_message(error)
        raise _problem(display, message, line, column + 1 if line else 0) from None
    return root.getroottree()


def _syntax_message(error: etree.XMLSyntaxError) -> str:
    text = " ".join((error.msg or str(error)).split())
    text = re.sub(r",? line \d+, column \d+.*$", "", text)
    text = re.sub(r"\s*\(<string>.*\)$", "", text)
    if "Excessive depth" in text:
        return (
            "elements are nested too deeply (over 256 levels); this is not a TEI document "
            "an edition can publish"
        )
    if "amplification" in text.lower():
        return "entity expansion is too large; remove the entity declarations"
    if "Text node too long" in text or "huge text node" in text:
        return (
            "a text is longer than the parser accepts (10,000,000 characters without markup); "
            "this is not a TEI document an edition can publish: split the text"
        )
    if "Resource limit exceeded" in text or "XML_PARSE_HUGE" in text:
        return (
            "a name, an attribute value or a text is longer than the parser accepts "
            "(10,000,000 characters); this is not a TEI document an edition can publish"
        )
    return f"not well-formed XML: {text}"


_DEEPER_THAN_LIMIT = etree.XPath(f"boolean(/{'/'.join(['*'] * (MAX_DEPTH + 1))})")
_NAME_ENDS = bytes.maketrans(b"\t\r\n<>=\"'/", b" " * 9)


def _may_exceed(source: Source) -> bool:
    """Whether the source may be beyond :data:`SAXON_LIMITS`; False only when it is not.

    Every name, and every attribute of an element, lies in a stretch of the file that
    starts at a ``<`` and holds no other ``<`` (an attribute value cannot): a name over
    the limit, or more attributes than the limit, make that stretch long; the few long
    stretches (text between tags, mostly) are looked at closely.
    """
    attributes = MAX_ATTRIBUTES - source.data.count(b"xmlns")
    if attributes < 1 or _DEEPER_THAN_LIMIT(source.tree):
        return True
    shortest = min(MAX_NAME, 2 * attributes)
    for stretch in re.finditer(rb"<[^<]{%d,}" % shortest, source.data):
        markup = stretch.group()
        longest = max(map(len, markup.translate(_NAME_ENDS).split()), default=0)
        if markup.count(b"=") > attributes or longest > MAX_NAME:
            return True
    return False


def _check_limits(source: Source) -> None:
    """Refuse a parsed document beyond :data:`SAXON_LIMITS`, naming the place."""
    if not _may_exceed(source):
        return
    root = source.root
    # Namespace declarations count as attributes; there cannot be more than the file has.
    declarations = source.data.count(b"xmlns")

    def refuse(node: etree._Element, message: str) -> UnreadableSource:
        position = source.text.element(node)
        line = position.line or source_line(node)
        return _problem(source.display, message, line, position.column)

    for instruction in (
        *root.itersiblings(etree.ProcessingInstruction, preceding=True),
        *root.iter(etree.ProcessingInstruction),
        *root.itersiblings(etree.ProcessingInstruction),
    ):
        if isinstance(instruction, etree._ProcessingInstruction) and (
            len(instruction.target) > MAX_NAME
        ):
            raise refuse(
                instruction,
                f"a processing instruction's name is longer than {MAX_NAME:,} characters",
            )
    depth = 0
    for event, node in etree.iterwalk(root, events=("start", "end")):
        if event == "end":
            depth -= 1
            continue
        depth += 1
        if depth > MAX_DEPTH:
            raise refuse(
                node,
                f"elements are nested more than {MAX_DEPTH} levels deep; this is not a TEI "
                "document an edition can publish",
            )
        if len(node.tag) > MAX_NAME or any(len(name) > MAX_NAME for name in node.attrib):
            longest = max(len(etree.QName(name).localname) for name in [node.tag, *node.attrib])
            if longest > MAX_NAME:
                raise refuse(
                    node, f"a name of {longest:,} characters, over the limit of {MAX_NAME:,}"
                )
        if len(node.attrib) + declarations > MAX_ATTRIBUTES:
            parent = node.getparent()
            inherited = set(parent.nsmap.items()) if parent is not None else set()
            count = len(node.attrib) + len(set(node.nsmap.items()) - inherited)
            if count > MAX_ATTRIBUTES:
                raise refuse(
                    node,
                    f"<{etree.QName(node).localname}> has {count:,} attributes and namespace "
                    f"declarations, over the limit of {MAX_ATTRIBUTES}",
                )


def _edition_root(path: Path) -> Path | None:
    """The edition folder a source lies in (the parent of its nearest ``tei`` folder)."""
    for parent in Path(os.path.abspath(path)).parents:
        if parent.name == "tei":
            return parent.parent
    return None


def _outside_edition(path: Path) -> bool:
    """Whether ``path``, a source under an edition's ``tei/``, leads out of the edition
    folder once symbolic links are followed."""
    root = _edition_root(path)
    if root is None:
        return False
    return not path.resolve().is_relative_to(root.resolve())


def _too_large(display: str, size: int | None, max_bytes: int) -> UnreadableSource:
    """A file over the size limit (``size`` None: it grew past the limit while read)."""
    size_text = f"{size:,} bytes" if size is not None else "larger than it was a moment ago"
    return _problem(
        display,
        f"the file is {size_text}, over the limit of {max_bytes:,} bytes; "
        "split it, or raise the limit with --max-file-size",
        rule="file",
    )


def read_bytes(path: Path, display: str, max_bytes: int = DEFAULT_MAX_BYTES) -> bytes:
    """The bytes of a source file; raise :class:`UnreadableSource` if it cannot be read.

    Only a regular file is read (not a device, a pipe or a socket), never through a
    symbolic link that leads out of the edition folder, and never more than
    ``max_bytes``: a file over the limit is refused before it is read.
    """
    try:
        info = path.stat()
        if stat.S_ISDIR(info.st_mode):
            raise IsADirectoryError(path)
        if not stat.S_ISREG(info.st_mode):
            raise _problem(
                display,
                "is not a regular file (a device, a pipe or a socket); it was not read",
                rule="file",
            )
        if _outside_edition(path):
            raise _problem(
                display,
                "is a symbolic link that leads out of the edition folder; it was not read: "
                "edition files must lie inside the edition",
                rule="file",
            )
        if info.st_size > max_bytes:
            raise _too_large(display, info.st_size, max_bytes)
        with path.open("rb") as handle:
            data = handle.read(max_bytes + 1)
        if len(data) > max_bytes:
            raise _too_large(display, None, max_bytes)
        return data
    except IsADirectoryError:
        raise _problem(display, "is a folder, not a file", rule="file") from None
    except FileNotFoundError:
        raise _problem(display, "no such file", rule="file") from None
    except PermissionError:
        raise _problem(display, "cannot be read (permission denied)", rule="file") from None
    except OSError as error:
        raise _problem(display, f"cannot be read: {error.strerror}", rule="file") from None


def load_source(
    path: Path, display: str | None = None, max_bytes: int = DEFAULT_MAX_BYTES
) -> Source:
    """Read and parse one source file; raise :class:`UnreadableSource` on any problem.

    The root must be ``TEI`` in the TEI namespace.
    """
    shown = display or str(path)
    return load_bytes(read_bytes(path, shown, max_bytes), path, shown, max_bytes)


def load_bytes(data: bytes, path: Path, display: str, max_bytes: int = DEFAULT_MAX_BYTES) -> Source:
    """Check and parse the bytes of a source file (see :func:`load_source`)."""
    check_bytes(data, display, max_bytes)
    tree = parse_bytes(data, display)
    root = tree.getroot()
    qname = etree.QName(root)
    if qname.localname != "TEI" or qname.namespace != TEI_NS:
        where = f"{{{qname.namespace}}}" if qname.namespace else "no namespace"
        raise _problem(
            display,
            f"the root element is <{qname.localname}> in {where}; an edition file is a TEI "
            f'document: <TEI xmlns="{TEI_NS}">',
            source_line(root) or 1,
            1,
        )
    source = Source(path, display, data, tree)
    _check_limits(source)
    return source


def load_bytes_any(
    data: bytes, display: str, max_bytes: int = DEFAULT_MAX_BYTES
) -> etree._ElementTree:
    """Check and parse the bytes of any XML file (a schema, a stylesheet), hardened."""
    check_bytes(data, display, max_bytes)
    return parse_bytes(data, display)
