"""The Wilson Center Digital Archive listing that the edition encodes.

The listing (``tests/data/wilson-center-listing.txt``) gives each record as a date
line, a title and a summary.  The tests compare the text of every encoded document
with it, word for word.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

LISTING = Path(__file__).parent / "data" / "wilson-center-listing.txt"
TEI = "http://www.tei-c.org/ns/1.0"
NS = {"tei": TEI}
_BULLET = "\u2022"


@dataclass(frozen=True)
class Record:
    """One record of the listing, whitespace-normalised."""

    date: str
    title: str
    summary: str


def normalise_space(text: str) -> str:
    """Collapse runs of whitespace (including no-break spaces) to one space."""
    return re.sub(r"[\s\u00a0]+", " ", text).strip()


def read_listing(path: Path = LISTING) -> list[Record]:
    """Return the records of the listing in the order it gives them."""
    lines = [normalise_space(line) for line in path.read_text(encoding="utf-8").splitlines()]
    lines = [line for line in lines if line]
    records: list[Record] = []
    for i, line in enumerate(lines):
        if line.startswith(_BULLET):
            records.append(Record(line.lstrip(_BULLET).strip(), lines[i + 1], lines[i + 2]))
    return records


def collection_description(path: Path = LISTING) -> str:
    """Return the archive's description of the collection, which precedes the records."""
    lines = [normalise_space(line) for line in path.read_text(encoding="utf-8").splitlines()]
    return next(line for line in lines if line.startswith("This collection"))


def source_text(element: etree._Element) -> str:
    """Return the text of ``element`` as the source reads it.

    Inside ``choice``, only ``sic`` and ``orig`` are the source's words; ``corr`` and
    ``reg`` are the editors' and are skipped.
    """
    parts: list[str] = []

    def walk(node: etree._Element) -> None:
        if node.text:
            parts.append(node.text)
        for child in node:
            if child.tag in (f"{{{TEI}}}corr", f"{{{TEI}}}reg"):
                pass
            elif isinstance(child.tag, str):
                walk(child)
            if child.tail:
                parts.append(child.tail)

    walk(element)
    return normalise_space("".join(parts))


def encoded_record(path: Path) -> Record:
    """Return the date line, title and summary as encoded in a TEI document."""
    root = etree.parse(str(path)).getroot()
    date = root.find("tei:text/tei:front/tei:docDate", NS)
    head = root.find("tei:text/tei:body/tei:head", NS)
    paragraphs = root.findall("tei:text/tei:body/tei:p", NS)
    if date is None or head is None or not paragraphs:
        raise ValueError(f"{path}: no docDate, head or p where the listing's record belongs")
    summary = " ".join(source_text(p) for p in paragraphs)
    return Record(source_text(date), source_text(head), summary)
