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
    if element is None:
        return ""
    return " ".join(str(element.xpath("string()")).split())


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


def read_entries(root: etree._Element, kind: str) -> list[Entry]:
    """Every entry of ``kind`` in a parsed register, in document order."""
    entries: list[Entry] = []
    for element in root.iterfind(f".//tei:{ELEMENTS[kind]}", NS):
        xml_id = element.get(XML_ID)
        if not xml_id:
            continue
        entry = Entry(
            kind, xml_id, sort_key=element.get("sortKey", ""), type=element.get("type", "")
        )
        for name in element.iterfind(f"tei:{NAME_ELEMENTS[kind]}", NS):
            entry.names.append(
                Name(_text(name), name.get("type", ""), name.get(f"{{{XML_NS}}}lang", ""))
            )
        entry.birth = _date(element.find("tei:birth", NS))
        entry.death = _date(element.find("tei:death", NS))
        for occupation in element.iterfind("tei:occupation", NS):
            entry.roles.append(
                {
                    "role": _text(occupation),
                    "from": occupation.get("from", ""),
                    "to": occupation.get("to", ""),
                }
            )
        for idno in element.iterfind("tei:idno", NS):
            entry.authority.append({"type": idno.get("type", ""), "id": _text(idno)})
        notes = [n for n in element.iterfind("tei:note", NS) if not n.get("type")]
        entry.note = " ".join(_text(n) for n in notes)
        geo = element.find("tei:location/tei:geo", NS)
        if geo is not None:
            try:
                lat, lon = (float(v) for v in _text(geo).split())
                entry.geo = (lat, lon)
            except ValueError:
                entry.geo = None
        entries.append(entry)
    return entries
