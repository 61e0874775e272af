"""``kimedition new``: start a document from the edition's template.

The template, ``tei/templates/document.xml``, is part of the edition: a TEI document
whose ``{placeholders}`` (``{id}``, ``{title}``, ``{type}``, ``{date}``, ``{written}``,
``{today}``, ``{sender}``, ``{addressee}``) :func:`create_document` fills in the parsed
tree, so that whatever the user typed is escaped by the serialiser, never pasted into
XML text. The new file is written atomically, never over an existing one, and is valid:
its body holds the title as ``head`` and one ``p`` holding only a comment that tells
the editor to write the summary there.
"""

from __future__ import annotations

import calendar
import datetime
import os
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from .corpus import display_path, read_corpus
from .edition import Edition
from .errors import KimeditionError, UsageError
from .output import synced_temporary
from .parsing import NS, TEI_NS, XML_ID, UnreadableSource, load_source
from .registers import Entry, read_entries

TEMPLATE = Path("templates") / "document.xml"
"""The template's place under the edition's ``tei/`` folder."""

DEFAULT_PREFIX = "kim"
"""The id prefix of the first document of an edition; later ones use the documents'."""

PARTY_KINDS = ("person", "org")
"""What a sender or addressee can be: a register entry of these kinds."""

SLUG_WORDS = 6
"""A slug derived from the title keeps at most this many words."""

STOP_WORDS = frozenset(
    ["a", "an", "and", "at", "by", "for", "from", "in", "of", "on", "the", "to", "with"]
)
"""Words left out of a slug derived from a title."""

_PLACEHOLDER = re.compile(r"\{([a-z]+)\}")
_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_PARTY_ELEMENTS = {"person": "persName", "org": "orgName"}


@dataclass(frozen=True)
class DocumentDate:
    """The date of a document: one day, month or year, or a period ``start/end``."""

    start: str
    end: str | None = None

    @property
    def is_period(self) -> bool:
        return self.end is not None

    def attributes(self) -> dict[str, str]:
        """``{"when": …}`` or ``{"from": …, "to": …}``."""
        if self.end is None:
            return {"when": self.start}
        return {"from": self.start, "to": self.end}

    def written(self) -> str:
        """The date as the archive's listing writes it: "October 02, 1956", "April, 1950"."""
        if self.end is None:
            return _written(self.start)
        return f"{_written(self.start)} to {_written(self.end)}"


def _written(value: str) -> str:
    parts = value.split("-")
    if len(parts) == 1:
        return parts[0]
    month = calendar.month_name[int(parts[1])]
    if len(parts) == 2:
        return f"{month}, {parts[0]}"
    return f"{month} {parts[2]}, {parts[0]}"


def _first_and_last_day(value: str, option: str) -> tuple[datetime.date, datetime.date]:
    match = _DATE.match(value)
    if not match:
        raise UsageError(
            f"{option} {value!r}: write a date as YYYY, YYYY-MM or YYYY-MM-DD, or a period "
            "as two of them joined by a slash (1956-08-29/1956-09-14)"
        )
    year, month, day = (int(g) if g else None for g in match.groups())
    assert year is not None
    try:
        if day is not None and month is not None:
            exact = datetime.date(year, month, day)
            return exact, exact
        if month is not None:
            last = calendar.monthrange(year, month)[1] if 1 <= month <= 12 else 0
            return datetime.date(year, month, 1), datetime.date(year, month, last)
        return datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    except ValueError:
        raise UsageError(f"{option} {value!r} is not a real date") from None


def parse_date(value: str, option: str = "--date") -> DocumentDate:
    """Read ``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD`` or a period ``START/END``.

    Raises :class:`UsageError` for a malformed or impossible date, or a period that
    ends before it starts.
    """
    start, slash, end = value.strip().partition("/")
    first, _ = _first_and_last_day(start, option)
    if not slash:
        return DocumentDate(start)
    _, last = _first_and_last_day(end, option)
    if last < first:
        raise UsageError(f"{option} {value!r}: the period ends before it starts")
    return DocumentDate(start, end)


def parse_day(value: str, option: str = "--today") -> datetime.date:
    """Read a day ``YYYY-MM-DD``; raise :class:`UsageError` otherwise."""
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise UsageError(f"{option} {value!r}: write the day as YYYY-MM-DD") from None


def derive_slug(title: str) -> str:
    """A slug from a title: lowercase ASCII words without small words, joined by hyphens.

    "Telegram from Shtykov to Vyshinsky" → ``telegram-shtykov-vyshinsky``. At most
    :data:`SLUG_WORDS` words; empty when the title has no Latin letters or digits.
    """
    decomposed = unicodedata.normalize("NFKD", title)
    ascii_text = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    ascii_text = re.sub(r"['’ʼ]s\b", "", ascii_text)
    ascii_text = re.sub(r"['’ʼ]", "", ascii_text)
    found = re.findall(r"[a-z0-9]+", ascii_text.encode("ascii", "ignore").decode("ascii"))
    kept = [w for w in found if w not in STOP_WORDS] or found
    return "-".join(kept[:SLUG_WORDS])


def levenshtein(a: str, b: str) -> int:
    """The edit distance between two strings."""
    row = list(range(len(b) + 1))
    for i, x in enumerate(a, start=1):
        new = [i]
        for j, y in enumerate(b, start=1):
            new.append(min(row[j] + 1, new[j - 1] + 1, row[j - 1] + (x != y)))
        row = new
    return row[-1]


def closest(wanted: str, candidates: Iterable[str], limit: int = 3) -> list[str]:
    """Up to ``limit`` candidates close to a mistyped value, closest first.

    Close means containing it, or within an edit distance of a third of its length
    (at least 2), as the editorial rules' own suggestions.
    """
    wanted = wanted.lower()
    scored = []
    for candidate in set(candidates):
        distance = levenshtein(wanted, candidate.lower())
        if wanted and wanted in candidate.lower():
            distance = min(distance, 1)
        if distance <= max(2, len(wanted) // 3):
            scored.append((distance, candidate))
    return [c for _, c in sorted(scored)[:limit]]


def _closest_phrase(wanted: str, candidates: Iterable[str]) -> str:
    found = closest(wanted, candidates)
    return "closest: " + ", ".join(found) if found else "no id is close to it"


# Reading the edition -----------------------------------------------------------------


def _load(edition: Edition, path: Path, what: str) -> etree._Element:
    if not path.is_file():
        raise UsageError(f"{display_path(path)}: no such file; {what}")
    try:
        return load_source(path, display_path(path)).root
    except UnreadableSource as error:
        raise UsageError(f"{error.problem.format()} ({what})") from None


def document_types(edition: Edition) -> dict[str, str]:
    """The document types of the edition: type (category id without ``type-``) → description.

    Read from the taxonomy ``document-types`` of ``tei/edition.xml`` (or from every
    taxonomy, when none has that id).
    """
    header = _load(edition, edition.header_path, "the document types are defined there")
    taxonomies = header.findall(".//tei:taxonomy", NS)
    chosen = [t for t in taxonomies if t.get(XML_ID) == "document-types"] or taxonomies
    categories = [c for t in chosen for c in t.iterfind(".//tei:category", NS)]
    types: dict[str, str] = {}
    for category in categories:
        xml_id = category.get(XML_ID, "")
        if xml_id.startswith("type-"):
            description = category.findtext("tei:catDesc", "", NS)
            types[xml_id.removeprefix("type-")] = " ".join(description.split())
    return types


def parties(edition: Edition) -> list[Entry]:
    """Every person and organisation of the registers, the possible senders and addressees."""
    entries: list[Entry] = []
    for kind in PARTY_KINDS:
        path = edition.register_path(kind)
        if path.is_file():
            entries.extend(read_entries(_load(edition, path, f"the {kind} register"), kind))
    return entries


def complete_types(root: Path, incomplete: str) -> list[tuple[str, str]]:
    """Shell completion of ``--type``: the types starting with ``incomplete``, described."""
    try:
        types = document_types(Edition.open(root))
    except KimeditionError:
        return []
    return [(name, text) for name, text in types.items() if name.startswith(incomplete)]


def complete_parties(root: Path, incomplete: str) -> list[tuple[str, str]]:
    """Shell completion of ``--sender``/``--addressee``: ids starting with ``incomplete``.

    Each with its standard name as description. ``person:``/``org:`` pointers complete too.
    """
    try:
        entries = parties(Edition.open(root))
    except KimeditionError:
        return []
    prefixed = ":" in incomplete
    found: list[tuple[str, str]] = []
    for entry in entries:
        value = entry.pointer if prefixed else entry.id
        if value.startswith(incomplete):
            found.append((value, entry.name))
    return sorted(found)


# Filling the template ----------------------------------------------------------------


@dataclass(frozen=True)
class NewDocument:
    """What ``kimedition new`` was asked for, as given on the command line."""

    date: str
    title: str
    type: str
    slug: str | None = None
    senders: Sequence[str] = ()
    addressees: Sequence[str] = ()
    written: str | None = None
    today: str | None = None
    """The day of creation, ``YYYY-MM-DD``, for reproducible files (default: today)."""


def _party(value: str, entries: dict[str, Entry], option: str, edition: Edition) -> Entry:
    kind, colon, xml_id = value.partition(":")
    if not colon:
        kind, xml_id = "", value
    entry = entries.get(xml_id)
    if entry is None and edition.register_path("place").is_file():
        places = _load(edition, edition.register_path("place"), "the place register")
        if any(place.id == xml_id for place in read_entries(places, "place")):
            raise UsageError(
                f"{option} {value}: {xml_id} is a place; a sender or addressee is a person "
                "or an organisation (e.g. the embassy or ministry in that place)"
            )
    if entry is not None and kind and entry.kind != kind:
        raise UsageError(
            f"{option} {value}: {xml_id} is {'a person' if entry.kind == 'person' else 'an org'}"
            f"; write {entry.pointer} or just {xml_id}"
        )
    if entry is None:
        raise UsageError(
            f"{option} {value}: no person or organisation has this id in the registers; "
            f"{_closest_phrase(xml_id, entries)}"
        )
    return entry


def _document_prefix(edition: Edition) -> str:
    counts = Counter(
        match.group(1)
        for path in edition.document_paths()
        if (match := re.match(r"^([a-z]+)-\d{4}", path.stem))
    )
    if not counts:
        return DEFAULT_PREFIX
    return min(counts, key=lambda prefix: (-counts[prefix], prefix))


def _remove(element: etree._Element) -> None:
    """Remove an element, keeping the indentation of what follows it."""
    parent = element.getparent()
    assert parent is not None
    previous = element.getprevious()
    if previous is not None:
        previous.tail = element.tail
    else:
        parent.text = element.tail
    parent.remove(element)


def _replace_parties(placeholder: etree._Element, entries: list[Entry]) -> None:
    """Replace the placeholder name with one name element per entry (or remove it).

    The new elements are indented as the placeholder was.
    """
    parent, previous = placeholder.getparent(), placeholder.getprevious()
    assert parent is not None
    indent = previous.tail if previous is not None else parent.text
    anchor = placeholder
    for position, entry in enumerate(entries, start=1):
        element = etree.Element(f"{{{TEI_NS}}}{_PARTY_ELEMENTS[entry.kind]}")
        element.set("ref", entry.pointer)
        element.text = entry.name
        element.tail = placeholder.tail if position == len(entries) else indent
        anchor.addnext(element)
        anchor = element
    if entries:
        parent.remove(placeholder)  # the whitespace before it now precedes the first name
    else:
        _remove(placeholder)


def _substitute(value: str, values: dict[str, str], where: str) -> str:
    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in values:
            raise UsageError(
                f"{where}: unknown placeholder {{{name}}} in the template; the placeholders "
                f"are {', '.join('{' + n + '}' for n in sorted(values))}"
            )
        return values[name]

    return _PLACEHOLDER.sub(replace, value)


def fill_template(
    template: etree._Element,
    values: dict[str, str],
    date: DocumentDate,
    senders: list[Entry],
    addressees: list[Entry],
    where: str,
) -> None:
    """Fill a parsed template in place.

    ``when="{date}"`` becomes ``@when`` or ``@from``/``@to``; a name whose ``@ref`` is
    ``{sender}`` or ``{addressee}`` becomes one name per party (a ``correspAction``
    left without parties is removed, and ``correspDesc`` left without actions); every
    other ``{placeholder}`` in text and attributes is replaced by its value.
    """
    for role, entries in (("sender", senders), ("addressee", addressees)):
        placeholders = template.xpath(f".//*[@ref = '{{{role}}}']")
        assert isinstance(placeholders, list)
        if entries and not placeholders:
            raise UsageError(f"{where}: the template has no {{{role}}} to fill in")
        for placeholder in placeholders:
            assert isinstance(placeholder, etree._Element)
            _replace_parties(placeholder, entries)
    for action in template.iterfind(".//tei:correspAction", NS):
        if not [c for c in action if isinstance(c.tag, str) and etree.QName(c).localname != "date"]:
            _remove(action)
    for desc in template.iterfind(".//tei:correspDesc", NS):
        if not [c for c in desc if isinstance(c.tag, str)]:
            _remove(desc)
    for element in template.iter():
        if not isinstance(element.tag, str):
            if element.tail:
                element.tail = _substitute(element.tail, values, where)
            continue
        if element.get("when") == "{date}" and date.is_period:
            del element.attrib["when"]
            for name, period in date.attributes().items():
                element.set(name, period)
        for attribute, value in element.attrib.items():
            element.set(attribute, _substitute(str(value), values, where))
        if element.text:
            element.text = _substitute(element.text, values, where)
        if element.tail:
            element.tail = _substitute(element.tail, values, where)


def _serialise(root: etree._Element) -> bytes:
    """The document: XML declaration, the template's processing instructions, the root.

    Comments before the root (the template's own explanation) are left out.
    """
    before = [
        etree.tostring(node, encoding="unicode", with_tail=False)
        for node in reversed(list(root.itersiblings(preceding=True)))
        if isinstance(node, etree._ProcessingInstruction)
    ]
    text = '<?xml version="1.0" encoding="UTF-8"?>\n'
    text += "".join(pi + "\n" for pi in before)
    text += etree.tostring(root, encoding="unicode", with_tail=False) + "\n"
    return text.encode("utf-8")


def _write_new(path: Path, data: bytes) -> None:
    """Write ``data`` to a new file at ``path`` atomically; never replace a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with synced_temporary(path, data, 0o666 & ~_umask()) as temporary:
        try:
            os.link(temporary, path)
        except FileExistsError:
            raise _exists(path) from None
        except OSError:  # no hard links on this file system: check, then rename
            if path.exists():
                raise _exists(path) from None
            os.replace(temporary, path)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _exists(path: Path) -> KimeditionError:
    return KimeditionError(
        f"{display_path(path)}: the file exists already; kimedition new never overwrites a "
        "document: choose another --slug, or edit that file"
    )


def create_document(edition: Edition, request: NewDocument) -> Path:
    """Create a document from the edition's template and return its path.

    The id (and file name) is ``PREFIX-DATE-SLUG``, the prefix being the one the
    edition's documents use. Raises :class:`UsageError` (exit 2) for a malformed date,
    an unknown type or party, a bad slug or a missing or broken template, and
    :class:`KimeditionError` (exit 1) when the file exists or the id is already used
    in the corpus.
    """
    date = parse_date(request.date)
    today = parse_day(request.today) if request.today else datetime.date.today()
    title = " ".join(request.title.split())
    if not title:
        raise UsageError("--title is empty: give the record's title")
    types = document_types(edition)
    doc_type = request.type.removeprefix("type-")
    if doc_type not in types:
        raise UsageError(
            f"--type {request.type}: not a document type of the edition "
            f"({edition.relative(edition.header_path)}); {_closest_phrase(doc_type, types)}; "
            f"the types are: {', '.join(sorted(types)) or 'none'}"
        )
    registered = {entry.id: entry for entry in parties(edition)}
    senders = [_party(v, registered, "--sender", edition) for v in request.senders]
    addressees = [_party(v, registered, "--addressee", edition) for v in request.addressees]

    slug = request.slug if request.slug is not None else derive_slug(title)
    if not slug:
        raise UsageError(
            "cannot make a file name from the title (it has no Latin letters or digits): "
            "give one with --slug, e.g. --slug shtykov-vyshinsky"
        )
    if not _SLUG.match(slug):
        raise UsageError(
            f"--slug {slug!r}: write lowercase ASCII letters and digits joined by hyphens, "
            "e.g. shtykov-vyshinsky"
        )
    xml_id = f"{_document_prefix(edition)}-{date.start}-{slug}"
    path = edition.documents_dir / f"{xml_id}.xml"
    if path.exists():
        raise _exists(path)
    corpus = read_corpus(edition)
    if xml_id in corpus.index.ids:
        files = ", ".join(sorted(corpus.index.ids[xml_id]))
        raise KimeditionError(
            f"{display_path(path)}: the id {xml_id} is already used in the corpus (in "
            f"{files}); ids must be unique: choose another --slug"
        )

    template_path = edition.tei_dir / TEMPLATE
    template = _load(
        edition,
        template_path,
        "kimedition new fills the edition's document template: create it (see docs/workflow.md)",
    )
    values = {
        "id": xml_id,
        "title": title,
        "type": doc_type,
        "date": date.start,
        "written": request.written if request.written is not None else date.written(),
        "today": today.isoformat(),
    }
    fill_template(template, values, date, senders, addressees, display_path(template_path))
    _write_new(path, _serialise(template))
    return path


__all__ = [
    "DocumentDate",
    "NewDocument",
    "closest",
    "complete_parties",
    "complete_types",
    "create_document",
    "derive_slug",
    "document_types",
    "parse_date",
    "parse_day",
    "parties",
]
