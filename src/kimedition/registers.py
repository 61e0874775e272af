"""Register entries (persons, places, organisations) as Python objects.

The registers are TEI documents (``listPerson/person``, ``listPlace/place``,
``listOrg/org``). This module reads what the data exports and the command-line tools
need: ids, standard and variant names, dates, roles, coordinates and authority
identifiers. The stylesheets read the TEI directly.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lxml import etree

from .parsing import NS, XML_ID, XML_NS

KINDS = ("person", "place", "org")
ELEMENTS = {"person": "person", "place": "place", "org": "org"}
NAME_ELEMENTS = {"person": "persName", "place": "placeName", "org": "orgName"}


def _text(element: etree._Element | None) -> str:
    """The element's string value (its text and its descendants', without comments and
    processing instructions), white space normalised."""
    if element is None:
        return ""
    return " ".join("".join(str(t) for t in element.itertext()).split())


@dataclass(frozen=True)
class Name:
    """One name of an entry as the register records it."""

    text: str
    type: str
    lang: str = ""


@dataclass
class Entry:
    """A register entry."""

    kind: str
    id: str
    names: list[Name] = field(default_factory=list)
    sort_key: str = ""
    type: str = ""
    birth: str = ""
    death: str = ""
    roles: list[dict[str, str]] = field(default_factory=list)
    authority: list[dict[str, str]] = field(default_factory=list)
    note: str = ""
    geo: tuple[float, float] | None = None

    @property
    def pointer(self) -> str:
        return f"{self.kind}:{self.id}"

    @property
    def name(self) -> str:
        """The standard name (the first name when none is marked standard)."""
        for name in self.names:
            if name.type == "standard":
                return name.text
        return self.names[0].text if self.names else self.id

    @property
    def variants(self) -> list[Name]:
        return [n for n in self.names if n.type != "standard"]


def _date(element: etree._Element | None) -> str:
    if element is None:
        return ""
    return element.get("when") or "/".join(
        v for v in (element.get("from", ""), element.get("to", "")) if v
    )


_T = f"{{{NS['tei']}}}"
_BIRTH, _DEATH, _OCCUPATION, _IDNO, _NOTE, _LOCATION, _GEO = (
    _T + name for name in ("birth", "death", "occupation", "idno", "note", "location", "geo")
)


def read_entries(root: etree._Element, kind: str) -> list[Entry]:
    """Every entry of ``kind`` in a parsed register, in document order."""
    entries: list[Entry] = []
    name_tag = _T + NAME_ELEMENTS[kind]
    for element in root.iterfind(f".//tei:{ELEMENTS[kind]}", NS):
        xml_id = element.get(XML_ID)
        if not xml_id:
            continue
        entry = Entry(
            kind, xml_id, sort_key=element.get("sortKey", ""), type=element.get("type", "")
        )
        # One pass over the entry's children (a register of thousands of entries is read
        # after every edit of one): the first birth, death and coordinates count.
        birth = death = geo = None
        notes: list[str] = []
        for child in element:
            tag = child.tag
            if tag == name_tag:
                entry.names.append(
                    Name(_text(child), child.get("type", ""), child.get(f"{{{XML_NS}}}lang", ""))
                )
            elif tag == _OCCUPATION:
                entry.roles.append(
                    {"role": _text(child), "from": child.get("from", ""), "to": child.get("to", "")}
                )
            elif tag == _IDNO:
                entry.authority.append({"type": child.get("type", ""), "id": _text(child)})
            elif tag == _NOTE:
                if not child.get("type"):
                    notes.append(_text(child))
            elif tag == _BIRTH:
                birth = child if birth is None else birth
            elif tag == _DEATH:
                death = child if death is None else death
            elif tag == _LOCATION and geo is None:
                geo = child.find(_GEO)
        entry.birth = _date(birth)
        entry.death = _date(death)
        entry.note = " ".join(notes)
        if geo is not None:
            try:
                lat, lon = (float(v) for v in _text(geo).split())
                entry.geo = (lat, lon)
            except ValueError:
                entry.geo = None
        entries.append(entry)
    return entries
