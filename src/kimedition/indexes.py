"""Cumulative indexes: which documents mention each person, place and organisation.

The catalogue cards (one per document, written by ``xslt/cards.xsl``) say which
pointers a document's text uses, how often, and who sent and received it. This module
turns them, with the registers, into one index per kind: every entry with every
document it occurs in, its number of mentions and its roles there (sender,
addressee, mentioned). The same index is written as XML for the stylesheets and as
JSON and CSV for spreadsheets and scripts.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Callable, Collection, Container, Iterable, Iterator
from dataclasses import dataclass, field
from json.encoder import encode_basestring
from sys import intern
from typing import Any
from xml.sax.saxutils import escape

import orjson
from lxml import etree

from .parsing import make_parser
from .registers import Entry

KIM = "urn:kimedition"
"""The toolkit's namespace: of the catalogue cards and index XML handed to the
stylesheets, and of the stylesheets' and rules' functions."""
_K = f"{{{KIM}}}"
ROLE_ORDER = ("sender", "addressee", "mentioned")
INDEX_KINDS = ("person", "place", "org")
"""The kinds of register entry, each with an index, in the order of
:attr:`CardFacts.kinds`."""


@dataclass(frozen=True, slots=True)
class Card:
    """What the catalogue says about one document."""

    id: str
    sort: str
    date_label: str
    date_written: str
    when: str
    title: str
    type: str
    type_label: str
    parties: tuple[tuple[str, str], ...]
    """(role, pointer) pairs from the header's correspDesc."""
    mentions: dict[str, int]
    """pointer → number of mentions in the text."""

    def digest(self) -> str:
        """What the indexes take from this card, as one string to hash."""
        return json.dumps(
            [
                self.id,
                self.sort,
                self.when,
                self.date_label,
                self.title,
                self.type_label,
                self.parties,
                sorted(self.mentions.items()),
            ]
        )

    def occurrences(
        self, only: Container[str] | None = None
    ) -> dict[str, tuple[int, tuple[str, ...]]]:
        """Every pointer the card gives an index occurrence for (or those of them in
        ``only``), with its number of mentions and its roles (in :data:`ROLE_ORDER`):
        senders and addressees from the header, then the names mentioned in the text."""
        roles: dict[str, list[str]] = {}
        for role, pointer in self.parties:
            if only is None or pointer in only:
                roles.setdefault(pointer, []).append(role)
        for pointer in self.mentions if only is None else filter(only.__contains__, self.mentions):
            roles.setdefault(pointer, []).append("mentioned")
        return {
            pointer: (self.mentions.get(pointer, 0), tuple(r for r in ROLE_ORDER if r in found))
            for pointer, found in roles.items()
        }

    def shown(self) -> list[str]:
        """What an index shows of this document under each entry, besides the entry's
        mentions and roles there: its id, date, title and type."""
        return [self.id, self.sort, self.when, self.date_label, self.title, self.type_label]

    def index_digests(self) -> tuple[str, ...]:
        """For each kind of index (:data:`INDEX_KINDS`), a digest of what it shows of this
        document: its date, title and type, and the mentions and roles of the entries of
        that kind. An edit of a person's reference leaves the place and organisation
        indexes' digests as they were."""
        shown = self.shown()
        found = sorted(self.occurrences().items())
        return tuple(
            hashlib.sha256(
                json.dumps(
                    [shown, [[p, n, list(r)] for p, (n, r) in found if p.startswith(f"{kind}:")]]
                ).encode("utf-8")
            ).hexdigest()
            for kind in INDEX_KINDS
        )

    def to_json(self) -> list[Any]:
        """The card as a JSON array, which :meth:`from_json` reads back: much quicker to
        read than the card's XML, which also holds the summary that no index shows."""
        return [
            self.id,
            self.sort,
            self.date_label,
            self.date_written,
            self.when,
            self.title,
            self.type,
            self.type_label,
            [list(party) for party in self.parties],
            self.mentions,
        ]

    @classmethod
    def from_json(cls, data: Any, only: Container[str] | None = None) -> Card:
        """A card as :meth:`to_json` gives it, with the mentions of the pointers in
        ``only`` alone when it is given (an index of a few entries reads thousands of
        cards for a few of their dozens of mentions); :class:`ValueError` for anything
        else."""
        if not isinstance(data, list) or len(data) != 10:
            raise ValueError("not a card")
        *fields, parties, mentions = data
        if only is not None and isinstance(mentions, dict):
            mentions = {p: mentions[p] for p in filter(only.__contains__, mentions)}
        if not all(isinstance(value, str) for value in fields):
            raise ValueError("a field of the card is not text")
        if not (
            isinstance(parties, list)
            and all(
                isinstance(party, list)
                and len(party) == 2
                and all(isinstance(value, str) for value in party)
                for party in parties
            )
        ):
            raise ValueError("the parties of the card are not (role, pointer) pairs")
        if not (
            isinstance(mentions, dict) and all(type(count) is int for count in mentions.values())
        ):
            raise ValueError("the mentions of the card are not counts")
        identifier, sort, date_label, date_written, when, title, type_, type_label = fields
        return cls(
            id=identifier,
            sort=sort,
            date_label=date_label,
            date_written=date_written,
            when=when,
            title=title,
            type=type_,
            type_label=type_label,
            parties=tuple((intern(role), intern(pointer)) for role, pointer in parties),
            mentions={intern(pointer): count for pointer, count in mentions.items()},
        )

    def to_json_text(self) -> str:
        """:meth:`to_json` as compact JSON text, as the card store keeps it."""
        return orjson.dumps(self.to_json()).decode("utf-8")

    @classmethod
    def from_json_text(cls, text: str, only: Container[str] | None = None) -> Card:
        """A card as :meth:`to_json_text` gives it (see :meth:`from_json` for ``only``);
        :class:`ValueError` for any other text."""
        return cls.from_json(orjson.loads(text), only)

    @classmethod
    def from_text(cls, card: str) -> Card:
        """A card given as XML text, parsed with the hardened parser."""
        return cls.from_xml(etree.fromstring(card.encode("utf-8"), make_parser()))

    @classmethod
    def from_xml(cls, card: etree._Element) -> Card:
        date = card.find(f"{_K}date")
        title = card.find(f"{_K}title")
        date_iso = ""
        if date is not None:
            date_iso = date.get("when") or "/".join(
                v for v in (date.get("from", ""), date.get("to", "")) if v
            )
        return cls(
            id=card.get("id", ""),
            sort=card.get("sort", ""),
            date_label=date.get("label", "") if date is not None else "",
            date_written=(date.text or "") if date is not None else "",
            when=date_iso,
            title=(title.text or "") if title is not None else "",
            type=card.get("type", ""),
            type_label=card.get("type-label", ""),
            # Pointers recur on thousands of cards: each is kept once (interned).
            parties=tuple(
                (intern(p.get("role", "")), intern(p.get("ref", "")))
                for p in card.iterfind(f"{_K}party")
            ),
            mentions={
                intern(m.get("ref", "")): int(m.get("count", "0"))
                for m in card.iterfind(f"{_K}mention")
            },
        )


@dataclass(frozen=True)
class CardFacts:
    """What a build keeps of a card so that it need not parse the card again.

    ``digest`` is a SHA-256 of :meth:`Card.digest`: two cards with the same digest show
    the same in every index. ``text`` is a SHA-256 of the card's whole text, which pages
    that show the card (its summary, the date as written) depend on. ``pointers`` are
    the pointers the card gives an index occurrence for (senders, addressees and
    mentions), sorted.
    """

    id: str
    sort: str
    digest: str
    text: str
    pointers: tuple[str, ...]
    kinds: tuple[str, ...] = ()
    """What each index shows of the document (:meth:`Card.index_digests`)."""
    shown: str = ""
    """A digest of what an index shows of the document under every entry
    (:meth:`Card.shown`)."""
    occurrences: str = ""
    """For each of :attr:`pointers`, in order, its mentions and roles in the document,
    separated by spaces: the number of mentions, then the initial of each role
    (``2m``, ``0s``). One string, not one for each pointer: the state holds these for
    every document twice."""

    @classmethod
    def from_card(cls, card: Card, text: str) -> CardFacts:
        """The facts of ``card``, parsed from ``text`` (the XML ``cards.xsl`` writes)."""
        found = card.occurrences()
        pointers = tuple(sorted(found))
        return cls(
            card.id,
            card.sort,
            hashlib.sha256(card.digest().encode("utf-8")).hexdigest(),
            hashlib.sha256(text.encode("utf-8")).hexdigest(),
            pointers,
            card.index_digests(),
            hashlib.sha256(json.dumps(card.shown()).encode("utf-8")).hexdigest(),
            " ".join(f"{found[p][0]}{''.join(r[0] for r in found[p][1])}" for p in pointers),
        )

    def kind_digest(self, kind: str) -> str:
        """What the index of ``kind`` shows of the document (the whole card's digest
        when the facts were made without the indexes' own)."""
        if len(self.kinds) == len(INDEX_KINDS):
            return self.kinds[INDEX_KINDS.index(kind)]
        return self.digest

    def entry_digests(self, kind: str) -> Iterator[tuple[str, str]]:
        """For each entry of the index of ``kind`` the document occurs under, its pointer
        and what the index shows of the document there: the document, and the entry's
        mentions and roles in it, so that an edit of one person's reference leaves the
        other persons' entries as they were (the index's digest of the whole document,
        :meth:`kind_digest`, when the facts were made without the occurrences)."""
        prefix = f"{kind}:"
        occurrences = self.occurrences.split(" ") if self.pointers else []
        if self.shown and len(occurrences) == len(self.pointers):
            for pointer, found in zip(self.pointers, occurrences, strict=True):
                if pointer.startswith(prefix):
                    yield pointer, f"{self.shown} {found}"
            return
        whole = self.kind_digest(kind)
        for pointer in self.pointers:
            if pointer.startswith(prefix):
                yield pointer, whole

    def to_json(self) -> list[Any]:
        return [
            self.id,
            self.sort,
            self.digest,
            self.text,
            list(self.pointers),
            list(self.kinds),
            self.shown,
            self.occurrences,
        ]


@dataclass(slots=True)
class Occurrence:
    """An entry's presence in one document."""

    card: Card
    mentions: int
    roles: tuple[str, ...]


@dataclass(slots=True)
class IndexEntry:
    entry: Entry
    occurrences: list[Occurrence] = field(default_factory=list)

    @property
    def mentions(self) -> int:
        return sum(o.mentions for o in self.occurrences)


def chronological(cards: list[Card]) -> list[Card]:
    """Cards in the order of the edition: by date, then by id."""
    return sorted(cards, key=lambda c: (c.sort, c.id))


def one_per_pointer(entries: list[Entry]) -> list[tuple[str, Entry]]:
    """The entries of an index, one for each pointer, in the register's order (where
    entries share a pointer, which validation reports: the last, in the first's place)."""
    return list({entry.pointer: entry for entry in entries}.items())


def build_index(
    entries: list[Entry], cards: list[Card], only: Collection[str] | None = None
) -> list[IndexEntry]:
    """For each register entry, every document it occurs in, in chronological order.

    Given ``only`` (pointers), the other entries are left without their documents: then
    ``cards`` need only be those that mention one of ``only``."""
    by_pointer = {pointer: IndexEntry(entry) for pointer, entry in one_per_pointer(entries)}
    wanted = by_pointer if only is None else {p: by_pointer[p] for p in only if p in by_pointer}
    # The few combinations of roles, each kept once for all occurrences.
    combinations: dict[tuple[str, ...], tuple[str, ...]] = {}
    for card in chronological(cards):
        for pointer, (mentions, roles) in card.occurrences(
            None if only is None else wanted
        ).items():
            target = wanted.get(pointer)
            if target is None:
                continue
            roles = combinations.setdefault(roles, roles)
            target.occurrences.append(Occurrence(card, mentions, roles))
    return list(by_pointer.values())


_ATTRIBUTE = {'"': "&quot;", "\n": "&#10;", "\r": "&#13;", "\t": "&#9;"}
_TEXT = {"\r": "&#13;"}


def _attribute(value: str) -> str:
    """A value escaped for an attribute between double quotes, its white space kept."""
    return escape(value, _ATTRIBUTE)


def index_xml(kind: str, index: list[IndexEntry], documents: int | None = None) -> str:
    """The index as XML for the stylesheets (``kim:index``); ``documents`` is the
    number of documents in the edition.

    The text is written directly, not through a tree: an index of a large edition has
    hundreds of thousands of occurrences, and a card's attributes are escaped once
    however many entries it occurs under."""
    shown: dict[str, tuple[str, str]] = {}
    return index_element(kind, "".join(entry_xml(item, shown) for item in index), documents)


def index_element(kind: str, entries: str, documents: int | None = None) -> str:
    """``kim:index`` around ``entries``, its ``kim:entry`` elements as :func:`entry_xml`
    writes them (see :func:`index_xml`)."""
    head = f'<kim:index xmlns:kim="{KIM}" kind="{_attribute(kind)}"'
    if documents is not None:
        head += f' of-documents="{documents}"'
    return f"{head}>{entries}</kim:index>" if entries else f"{head}/>"


def entry_xml(item: IndexEntry, shown: dict[str, tuple[str, str]] | None = None) -> str:
    """One entry of the index (``kim:entry``), with every document it occurs in;
    ``shown`` keeps each card's attributes, escaped, for the next entries. It begins
    with :func:`entry_xml_start` and depends on nothing but the entry's id and pointer
    and its occurrences."""
    entry = item.entry
    head = (
        f'{entry_xml_start(entry)} mentions="{item.mentions}" documents="{len(item.occurrences)}"'
    )
    if not item.occurrences:
        return head + "/>"
    if shown is None:
        shown = {}
    parts = [head, ">"]
    for occurrence in item.occurrences:
        card = occurrence.card
        before, after = shown.get(card.id) or shown.setdefault(
            card.id,
            (
                f'<kim:occurrence doc="{_attribute(card.id)}" sort="{_attribute(card.sort)}" '
                f'date="{_attribute(card.when)}" label="{_attribute(card.date_label)}"',
                f' type="{_attribute(card.type_label)}"'
                + (f">{escape(card.title, _TEXT)}</kim:occurrence>" if card.title else "/>"),
            ),
        )
        parts.append(
            f'{before} count="{occurrence.mentions}" roles="{" ".join(occurrence.roles)}"{after}'
        )
    parts.append("</kim:entry>")
    return "".join(parts)


def entry_xml_start(entry: Entry) -> str:
    """How :func:`entry_xml` begins for ``entry``: a kept entry that does not begin so is
    not the entry's."""
    return f'<kim:entry id="{_attribute(entry.id)}" ref="{_attribute(entry.pointer)}"'


def _entry_json(item: IndexEntry) -> dict[str, object]:
    """An entry for the JSON export, but for its documents (written after it)."""
    entry = item.entry
    data: dict[str, object] = {
        "id": entry.id,
        "name": entry.name,
        "variants": [
            {"name": n.text, "type": n.type, **({"lang": n.lang} if n.lang else {})}
            for n in entry.variants
        ],
    }
    if entry.kind == "person":
        data["birth"] = entry.birth or None
        data["death"] = entry.death or None
        data["roles"] = entry.roles
    else:
        data["type"] = entry.type or None
    if entry.kind == "place":
        data["coordinates"] = (
            {"latitude": entry.geo[0], "longitude": entry.geo[1]} if entry.geo else None
        )
    data["authority"] = entry.authority
    data["note"] = entry.note or None
    data["mentions"] = item.mentions
    return data


Kept = Callable[[int, "IndexEntry"], bytes | None]
"""For a data export made in parts: the bytes of the part of the entry at a position
(0 for the first) when they are already known, else None (the part is then made)."""


def index_json_parts(
    kind: str,
    index: Iterable[IndexEntry],
    document_url: str = "html/documents/{id}.html",
    kept: Kept | None = None,
) -> Iterator[str | bytes]:
    """The index as JSON, every entry with its documents, in parts: the opening, one part
    per entry (taken from ``kept`` when it knows it), the closing; so that the text of a
    large index is never held whole."""
    yield f'{{"kind": {json.dumps(kind)}, "entries": [\n'
    # An entry's documents are the bulk of the file: what a document shows of its card
    # is written once, whatever the number of entries it occurs under. The layout is that
    # of json.dumps(..., indent=2) (see _indented_text).
    cards: dict[str, tuple[str, str]] = {}
    roles_text: dict[tuple[str, ...], str] = {}
    for position, item in enumerate(index):
        known = kept(position, item) if kept is not None else None
        if known is not None:
            yield known
            continue
        parts = [",\n" if position else ""]
        for key, value in _entry_json(item).items():
            parts += ["{\n  " if len(parts) == 1 else ",\n  ", encode_basestring(key), ": "]
            _indented(value, "\n  ", parts)
        parts.append(',\n  "documents": ')
        if not item.occurrences:
            parts.append("[]")
        for number, occurrence in enumerate(item.occurrences):
            card = occurrence.card
            if card.id not in cards:
                cards[card.id] = (
                    f'{{\n      "id": {encode_basestring(card.id)},\n      "date": '
                    f'{encode_basestring(card.when)},\n      "title": '
                    f'{encode_basestring(card.title)},\n      "type": '
                    f'{encode_basestring(card.type_label)},\n      "mentions": ',
                    f',\n      "url": {encode_basestring(document_url.format(id=card.id))}\n    }}',
                )
            head, tail = cards[card.id]
            if occurrence.roles not in roles_text:
                roles_text[occurrence.roles] = _indented_text(list(occurrence.roles), "\n      ")
            parts += [
                ",\n    " if number else "[\n    ",
                head,
                str(occurrence.mentions),
                ',\n      "roles": ',
                roles_text[occurrence.roles],
                tail,
            ]
        if item.occurrences:
            parts.append("\n  ]")
        parts.append("\n}")
        yield "".join(parts)
    yield "\n]}\n"


def _indented_text(value: object, newline: str) -> str:
    """``value`` as ``json.dumps(value, ensure_ascii=False, indent=2)`` writes it (its
    lines after the first indented as ``newline`` says), with less work: the data exports
    of a large edition are tens of megabytes."""
    parts: list[str] = []
    _indented(value, newline, parts)
    return "".join(parts)


def _indented(value: object, newline: str, parts: list[str]) -> None:
    # ``newline`` is a line end followed by the indentation of the current level.
    if isinstance(value, str):
        parts.append(encode_basestring(value))
    elif isinstance(value, dict):
        if not value:
            parts.append("{}")
            return
        inner = newline + "  "
        separator = "{" + inner
        for key, item in value.items():
            parts.append(separator)
            parts.append(encode_basestring(str(key)))
            parts.append(": ")
            _indented(item, inner, parts)
            separator = "," + inner
        parts.append(newline + "}")
    elif isinstance(value, list | tuple):
        if not value:
            parts.append("[]")
            return
        inner = newline + "  "
        separator = "[" + inner
        for item in value:
            parts.append(separator)
            _indented(item, inner, parts)
            separator = "," + inner
        parts.append(newline + "]")
    else:  # numbers, booleans and None, as json writes them
        parts.append(json.dumps(value))


CSV_COLUMNS = (
    "id",
    "name",
    "document_id",
    "document_date",
    "document_title",
    "mentions",
    "roles",
)


_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def _cell(text: str) -> str:
    """A text cell a spreadsheet will not run as a formula: one that starts like a formula
    is written with a leading apostrophe, which spreadsheets show as text."""
    return "'" + text if text.startswith(_FORMULA) else text


def _csv_fields(fields: list[str]) -> str:
    """Fields as the csv module writes them in a row, without the line end: rows made of
    such pieces joined by commas are the rows ``csv.writer`` would write."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="").writerow(fields)
    return buffer.getvalue()


def index_csv_parts(
    kind: str, index: Iterable[IndexEntry], kept: Kept | None = None
) -> Iterator[str | bytes]:
    """The index as CSV, one row per entry and document (one row for an unused entry), in
    parts: the header, then one entry's rows at a time (taken from ``kept`` when it
    knows them).

    What a row says of a document (its id, date and title) is the same under every entry
    that occurs in it: it is encoded once per document."""
    columns = list(CSV_COLUMNS)
    if kind == "place":
        columns[2:2] = ["type", "latitude", "longitude"]
    elif kind == "org":
        columns[2:2] = ["type"]
    yield _csv_fields(columns) + "\n"
    documents: dict[str, str] = {}
    roles: dict[tuple[str, ...], str] = {}
    for position, item in enumerate(index):
        known = kept(position, item) if kept is not None else None
        if known is not None:
            yield known
            continue
        entry = item.entry
        extra: list[str] = []
        if kind == "place":
            extra = (
                [entry.type, *(f"{v:g}" for v in entry.geo)] if entry.geo else [entry.type, "", ""]
            )
        elif kind == "org":
            extra = [entry.type]
        head = _csv_fields([entry.id, _cell(entry.name), *map(_cell, extra)])
        if not item.occurrences:
            yield head + "," + _csv_fields(["", "", "", "0", ""]) + "\n"
            continue
        rows: list[str] = []
        for occurrence in item.occurrences:
            card = occurrence.card
            document = documents.get(card.id)
            if document is None:
                document = documents[card.id] = _csv_fields([card.id, card.when, _cell(card.title)])
            role = roles.get(occurrence.roles)
            if role is None:
                role = roles[occurrence.roles] = _csv_fields([" ".join(occurrence.roles)])
            rows.append(f"{head},{document},{occurrence.mentions},{role}\n")
        yield "".join(rows)
