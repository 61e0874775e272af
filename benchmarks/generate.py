"""Synthetic editions for the benchmark, deterministic from a seed.

``generate(root, documents, seed)`` writes a complete edition folder laid out like the
real one (``tei/edition.xml``, the three registers, ``tei/documents/*.xml``) that
``kimedition validate`` accepts with no error. The documents copy the structure of the
real documents (header, prefix definitions, document type, ``correspDesc`` for
communications, ``front/docDate``, ``body/head`` and paragraphs) and their density of
tagged names, with invented text:

- names are syllable combinations (not real people, places or bodies); every form a
  register records contains one of the letters z, x or q, which the filler words never
  contain, so that no run of filler words can ever spell a registered name (the
  ``name-untagged`` warning) and every name in the text is tagged;
- filler text is pseudo-sentences drawn from a word list;
- every register entry is mentioned at least once when there are enough documents
  (entry ``j`` is planted in document ``j mod N``), the rest follow a Zipf law, so that
  a few entries are frequent, as in a real edition;
- the size of each document's ``text`` element follows a log-normal law clamped to
  2–40 KB with a mean of about 8 KB.

Each document has its own random stream seeded from ``(seed, number)``: the same seed
gives byte-identical files. Run ``python benchmarks/generate.py OUT --documents N
--seed S``.
"""

from __future__ import annotations

import argparse
import bisect
import datetime as dt
import json
import math
import random
import re
import shutil
import statistics
import sys
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

TEI_NS = "http://www.tei-c.org/ns/1.0"

MARKERS = frozenset("zxq")
"""Letters every registered name contains and no filler word does."""

MIN_TEXT = 2 * 1024
MAX_TEXT = 40 * 1024
MEAN_TEXT = 8 * 1024
SIGMA = 0.6
"""The spread of the log-normal law of text sizes (before clamping)."""

NAMES_PER_KB = 31.0
"""Tagged names (persName, placeName, orgName, rs) per KB of plain text: the density of
the real edition's twenty documents (227 names in 7,503 bytes of text)."""

FIRST_DAY = dt.date(1945, 2, 1)
LAST_DAY = dt.date(1990, 11, 30)
"""Documents are dated within 1945–1990, a month inside so that the dates they mention
(up to 30 days before or after) stay within it too."""

CHANGE_DATE = "2026-01-01"
MENTION_PROBABILITY = 0.70
"""How often a noun slot of a sentence holds a tagged name; tuned to ``NAMES_PER_KB``."""
MAX_PLANTED = 30
"""At most this many entries are planted in one document for coverage; with fewer
documents than entries / 30, some entries stay unused (``entry-used`` warnings)."""

# --------------------------------------------------------------------------------------
# Words
# --------------------------------------------------------------------------------------


def _words(text: str) -> tuple[str, ...]:
    words = tuple(text.split())
    bad = [w for w in words if MARKERS & set(w.lower())]
    if bad:  # a filler word with a marker letter could spell a registered name
        raise AssertionError(f"filler words must not contain z, x or q: {bad}")
    return words


NOUNS = _words(
    """situation policy economy agreement treaty border trade industry agriculture army
    assistance meeting conference visit talks armistice negotiations cooperation relations
    plan programme reform leadership campaign harvest railway factory school hospital loan
    credit shipment grain coal steel machinery advisers officials workers students specialists
    troops supplies report letter message proposal appeal decision resolution statement
    declaration plenum congress session election press radio newspaper youth cadres
    refugees prisoners currency budget fisheries transport housing training weapons
    aircraft artillery construction irrigation mining electricity fertiliser cloth
    shipments imports debts reparations consultations instructions directives minutes
    memorandum speech criticism dispute crisis purge faction opposition personnel
    ambassadors delegates envoys engineers teachers doctors journalists"""
)
ADJECTIVES = _words(
    """economic military political cultural technical urgent recent difficult serious
    further general internal foreign new joint possible future present long short
    important practical final secret official open formal regional local national central
    provincial annual detailed confidential sharp friendly cautious critical positive
    negative reluctant growing limited considerable modest agricultural industrial
    financial diplomatic strategic administrative"""
)
VERBS = _words(
    """discusses describes raises clarifies criticises supports rejects accepts proposes
    seeks welcomes challenges reviews considers mentions outlines summarises announces
    confirms denies postpones recommends emphasises doubts defends attacks praises
    demands promises studies reports"""
)
PREPOSITIONS = _words(
    """in on with for about during after before against between among through under
    within without towards concerning regarding beyond across"""
)
CONNECTIVES = (
    "and",
    "but",
    "while",
    "although",
    "because",
    "after which",
    "so that",
    "whereas",
    "and then",
    "since",
)
DETERMINERS = _words("the the the a this that their his its several some all many")
SAYING = (
    "According to",
    "In the view of",
    "As reported by",
    "In a conversation with",
    "At the suggestion of",
)
VERB_MISSPELLINGS: tuple[tuple[str, str], ...] = (
    ("recieve", "receive"),
    ("purse", "pursue"),
    ("seperate", "separate"),
    ("adress", "address"),
    ("acept", "accept"),
    ("critisise", "criticise"),
)
NOUN_MISSPELLINGS: tuple[tuple[str, str], ...] = (
    ("goverment", "government"),
    ("comittee", "committee"),
    ("agreeement", "agreement"),
    ("negociations", "negotiations"),
    ("arangements", "arrangements"),
)
for _pair in (*VERB_MISSPELLINGS, *NOUN_MISSPELLINGS):
    _words(" ".join(_pair))
_words(" ".join(CONNECTIVES) + " " + " ".join(SAYING))

MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_words(" ".join(MONTHS) + " following day previous")

# Syllables of the invented names. Marker syllables carry z, x or q.
ONSETS: tuple[str, ...] = (
    "b",
    "d",
    "f",
    "g",
    "h",
    "k",
    "l",
    "m",
    "n",
    "p",
    "r",
    "s",
    "t",
    "v",
    "w",
    "y",
)
ONSETS += ("ch", "sh", "br", "dr", "gr", "kr", "tr", "st", "pl", "sv")
VOWELS = ("a", "e", "i", "o", "u", "a", "o", "ai", "ei", "ou", "ia", "ya")
CODAS = ("", "", "", "n", "r", "l", "s", "m", "k", "t", "v", "ng", "sh")
MARKER_ONSETS = ("z", "x", "q", "zh", "zv", "qu")
MARKER_CODAS = ("z", "x", "tz")

# --------------------------------------------------------------------------------------
# Document types (the categories of the real edition's taxonomy)
# --------------------------------------------------------------------------------------

TYPES: tuple[tuple[str, str, float, str], ...] = (
    # id, label, weight, description
    ("notes-of-conversation", "Notes", 0.05, "Notes taken at a meeting."),
    ("record-of-conversation", "Record", 0.10, "A formal record of talks between leaders."),
    ("telegram", "Telegram", 0.25, "A message sent by telegraph."),
    ("ciphered-telegram", "Ciphered Telegram", 0.12, "A telegram sent in cipher."),
    ("cable", "Cable", 0.06, "A message sent by cable."),
    ("report", "Report", 0.15, "A written report from an embassy to its ministry."),
    ("journal", "Journal", 0.12, "An entry of an ambassador's official journal."),
    ("memorandum-of-conversation", "Memorandum", 0.10, "A written account of one talk."),
    ("diary", "Diary", 0.05, "An ambassador's diary over several days or weeks."),
)
COMMUNICATIONS = frozenset({"telegram", "ciphered-telegram", "cable", "report"})

ROLES = (
    "Ambassador",
    "Foreign Minister",
    "Premier",
    "Chairman",
    "Consul",
    "Military Attaché",
    "Trade Representative",
    "Deputy Premier",
    "Minister of Defence",
    "First Secretary",
)

_words(" ".join(ROLES))

ORG_NOUNS = {
    "party": "the party",
    "committee": "the committee",
    "government": "the government",
    "ministry": "the ministry",
    "department": "the department",
    "embassy": "the embassy",
    "military": "the army",
    "delegation": "the delegation",
}

_words(" ".join(ORG_NOUNS.values()))

LICENCE = (
    "The encoding is licensed under the Creative Commons Attribution 4.0 International "
    "licence. The text is synthetic, generated for the kimedition benchmark."
)
EDITOR = "The editors of the synthetic benchmark edition"
PIS = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<?xml-model href="{s}kimedition.rng" type="application/xml" '
    'schematypens="http://relaxng.org/ns/structure/1.0"?>\n'
    '<?xml-model href="{s}kimedition.sch" type="application/xml" '
    'schematypens="http://purl.oclc.org/dsdl/schematron"?>\n'
)


def escape(text: str) -> str:
    """XML-escape text for element content and double-quoted attributes."""
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )


def name_key(text: str) -> str:
    """The Schematron's ``kim:name-key``: letters and digits, no diacritics, lower case."""
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(c for c in decomposed.lower() if not unicodedata.combining(c) and c.isalnum())


def slug(text: str) -> str:
    """Lowercase ASCII words joined by hyphens."""
    ascii_text = unicodedata.normalize("NFD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


# --------------------------------------------------------------------------------------
# Markup pieces: every phrase is built once, as markup and as plain text
# --------------------------------------------------------------------------------------


@dataclass
class Phrase:
    """Markup and the plain text it reads as, with the number of tagged names in it."""

    markup: str = ""
    plain: str = ""
    names: int = 0

    def add(self, other: Phrase | str) -> Phrase:
        if isinstance(other, str):
            self.markup += escape(other)
            self.plain += other
        else:
            self.markup += other.markup
            self.plain += other.plain
            self.names += other.names
        return self


def text(value: str) -> Phrase:
    return Phrase(escape(value), value, 0)


def element(name: str, attributes: str, content: Phrase | str, names: int = 1) -> Phrase:
    """Wrap ``content`` in an element; ``names`` counts it as a tagged name (or not)."""
    inner = text(content) if isinstance(content, str) else content
    return Phrase(f"<{name}{attributes}>{inner.markup}</{name}>", inner.plain, inner.names + names)


def join(*parts: Phrase | str) -> Phrase:
    phrase = Phrase()
    for part in parts:
        phrase.add(part)
    return phrase


# --------------------------------------------------------------------------------------
# Registers
# --------------------------------------------------------------------------------------


@dataclass
class Place:
    id: str
    kind: str  # settlement | country | region | other
    name: str
    variants: list[str]
    adjective: str = ""
    geo: str = ""
    note: str = ""


@dataclass
class Person:
    id: str
    forename: str
    surname: str
    surname_first: bool
    variants: list[str]
    country: Place
    role: str
    codename: str = ""
    misspelling: str = ""
    birth: int = 0
    death: int = 0
    office: tuple[int, int] = (0, 0)

    @property
    def full(self) -> str:
        if self.surname_first:
            return f"{self.surname} {self.forename}"
        return f"{self.forename} {self.surname}"


@dataclass
class AdjectiveOf:
    """A nationality adjective inside an organisation's name (``Zelvanian`` Workers' Party)."""

    place: Place


@dataclass
class Org:
    id: str
    kind: str
    parts: list[OrgPart]
    country: Place
    abbreviation: str = ""
    note: str = ""

    @property
    def name(self) -> str:
        """The standard name as plain text."""
        return org_text(self.parts)


OrgPart = Place | Org | AdjectiveOf | str


@dataclass
class Registers:
    persons: list[Person] = field(default_factory=list)
    places: list[Place] = field(default_factory=list)
    orgs: list[Org] = field(default_factory=list)

    @property
    def countries(self) -> list[Place]:
        return [p for p in self.places if p.kind == "country"]

    @property
    def settlements(self) -> list[Place]:
        return [p for p in self.places if p.kind == "settlement"]


class NameMaker:
    """Invents proper words, each new; every one carries a marker letter."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used: set[str] = set()
        self.keys: dict[str, str] = {}

    def syllable(self, marker: bool = False) -> str:
        rng = self.rng
        if marker:
            if rng.random() < 0.6:
                return rng.choice(MARKER_ONSETS) + rng.choice(VOWELS) + rng.choice(CODAS)
            return rng.choice(ONSETS) + rng.choice(VOWELS) + rng.choice(MARKER_CODAS)
        return rng.choice(ONSETS) + rng.choice(VOWELS) + rng.choice(CODAS)

    def word(self, syllables: int, marker: bool = True, suffix: str = "") -> str:
        """A capitalised word of ``syllables`` syllables.

        With ``marker``, one syllable carries a marker letter and the word is new (names
        of entries); without, it may repeat (given names, which are never registered on
        their own).
        """
        for _ in range(100_000):
            where = self.rng.randrange(syllables) if marker else -1
            parts = [self.syllable(i == where) for i in range(syllables)]
            candidate = ("".join(parts) + suffix).capitalize()
            if len(candidate) < 4 or len(candidate) > 11:
                continue
            if not marker:
                return candidate
            if candidate.lower() not in self.used:
                self.used.add(candidate.lower())
                return candidate
        raise RuntimeError("ran out of new names: use smaller registers")

    def claim(self, owner: str, names: Sequence[str]) -> bool:
        """Reserve the keys of ``names`` for ``owner``; False if one belongs to another."""
        keys = [name_key(n) for n in names]
        if any(self.keys.get(k, owner) != owner for k in keys):
            return False
        if any(not MARKERS & set(k) for k in keys):
            raise AssertionError(f"a registered name without a marker letter: {names}")
        for k in keys:
            self.keys[k] = owner
        return True


def _unique_id(base: str, taken: set[str]) -> str:
    candidate, n = base, 2
    while candidate in taken:
        candidate = f"{base}-{n}"
        n += 1
    taken.add(candidate)
    return candidate


def _adjective(name: str) -> str:
    if name.endswith("ia"):
        return name + "n"
    if name.endswith("a"):
        return name + "n"
    if name[-1] in "eiouy":
        return name + "an"
    return name + "ian"


def make_registers(seed: int, persons: int, places: int, orgs: int) -> Registers:
    """The three registers, deterministic from ``seed``."""
    rng = random.Random(f"{seed}:registers")
    maker = NameMaker(rng)
    taken: set[str] = {"edition", "register-persons", "register-places", "register-orgs"}
    taken.update(f"type-{t[0]}" for t in TYPES)
    taken.add("document-types")
    registers = Registers()

    # Places: a twentieth countries (at least three), then settlements, regions, others.
    countries = max(3, places // 20)
    kinds = ["country"] * countries
    rest = places - countries
    regions, others = rest // 7, rest // 20
    kinds += ["settlement"] * (rest - regions - others) + ["region"] * regions
    kinds += ["other"] * others
    for kind in kinds[:places]:
        while True:
            if kind == "country":
                base = maker.word(2, suffix=rng.choice(("ia", "a", "", "istan", "and")))
                name = f"{rng.choice(('Republic', 'Kingdom', 'Union'))} of {base}"
                if rng.random() < 0.3:
                    name = f"People's Republic of {base}"
                variants = [base]
                place = Place("", kind, name, variants, adjective=_adjective(base))
            elif kind == "settlement":
                base = maker.word(rng.choice((2, 2, 3)))
                variants = [base.replace("o", "ö", 1)] if "o" in base and rng.random() < 0.3 else []
                lat = rng.uniform(-50, 65)
                lon = rng.uniform(-120, 150)
                place = Place("", kind, base, variants, geo=f"{lat:.4f} {lon:.4f}")
            elif kind == "region":
                base = maker.word(2)
                place = Place(
                    "", kind, f"{base} {rng.choice(('Province', 'Region', 'Valley'))}", [base]
                )
            else:
                base = maker.word(2)
                place = Place("", kind, f"{base} {rng.choice(('Strait', 'Pass', 'Line'))}", [])
            place.id = _unique_id(
                slug(place.variants[0] if place.variants and kind == "country" else place.name),
                taken,
            )
            if maker.claim(place.id, [place.name, *place.variants]):
                break
            taken.discard(place.id)
        place.note = (
            f"A synthetic {kind} of the benchmark edition, first mentioned in "
            f"{rng.randrange(1945, 1991)}."
        )
        registers.places.append(place)
    all_countries = registers.countries
    settlements = registers.settlements or all_countries

    # Persons.
    for _ in range(persons):
        country = rng.choice(all_countries)
        while True:
            surname = maker.word(rng.choice((2, 2, 3)))
            surname_first = rng.random() < 0.4
            if surname_first:
                given = [maker.word(1, marker=False), maker.word(1, marker=False)]
                forename = "-".join([given[0], given[1].lower()])
                variants = [surname, f"{surname} {''.join([given[0], given[1].lower()])}"]
            else:
                forename = maker.word(rng.choice((2, 2, 3)), marker=False)
                variants = [surname, f"{forename[0]}. {surname}"]
            person = Person(
                "", forename, surname, surname_first, variants, country, rng.choice(ROLES)
            )
            if rng.random() < 0.1:
                person.codename = maker.word(2)
            if rng.random() < 0.05 and len(surname) > 4:
                i = rng.randrange(1, len(surname) - 2)
                wrong = surname[:i] + surname[i + 1] + surname[i] + surname[i + 2 :]
                if wrong != surname and MARKERS & set(wrong.lower()):
                    person.misspelling = person.full.replace(surname, wrong)
            names = [person.full, *variants]
            names += [n for n in (person.codename, person.misspelling) if n]
            person.id = _unique_id(slug(f"{surname} {forename}"), taken)
            if maker.claim(person.id, names):
                break
            taken.discard(person.id)
        person.birth = rng.randrange(1885, 1935)
        if rng.random() < 0.6:
            person.death = rng.randrange(max(person.birth + 40, 1950), 2010)
        start = rng.randrange(1945, 1988)
        person.office = (start, min(1990, start + rng.randrange(1, 15)))
        registers.persons.append(person)

    # Organisations, in shares of the register; bodies inside a party or a ministry come
    # after it, and embassies (one per country and host city) take what is left.
    shares = (
        ("party", 0.12),
        ("ministry", 0.12),
        ("government", 0.10),
        ("military", 0.08),
        ("delegation", 0.10),
        ("committee", 0.10),
        ("department", 0.10),
    )
    made: dict[str, Org] = {}

    def add(kind: str, parts: list[OrgPart], country: Place, key: str) -> bool:
        if key in taken or len(registers.orgs) >= orgs:
            return False
        org = Org(key, kind, parts, country)
        initials = "".join(re.findall(r"\b[A-Z]", org.name))
        if 2 <= len(initials) <= 5 and MARKERS & set(initials.lower()):
            org.abbreviation = initials
        names = [org.name, *([org.abbreviation] if org.abbreviation else [])]
        if not maker.claim(key, names):
            org.abbreviation = ""
            if not maker.claim(key, [org.name]):
                return False
        taken.add(key)
        org.note = f"A synthetic {kind} of the benchmark edition."
        made[key] = org
        registers.orgs.append(org)
        return True

    for kind, share in shares:
        quota = round(share * orgs)
        countries_in_turn = list(all_countries)
        rng.shuffle(countries_in_turn)
        for country in countries_in_turn:
            if quota <= 0:
                break
            c, adjective = country.id, AdjectiveOf(country)
            done = False
            if kind == "party":
                suffix = rng.choice((" Workers' Party", " People's Party", " Labour Party"))
                done = add(kind, [adjective, suffix], country, f"party-{c}")
            elif kind == "ministry":
                done = add(kind, ["Ministry of Foreign Affairs of ", country], country, f"mfa-{c}")
            elif kind == "government":
                parts: list[OrgPart] = ["Council of Ministers of ", country]
                done = add(kind, parts, country, f"government-{c}")
            elif kind == "military":
                suffix = rng.choice((" People's Army", " Air Force", " Navy"))
                done = add(kind, [adjective, suffix], country, f"army-{c}")
            elif kind == "delegation":
                host = rng.choice(settlements)
                parts = [adjective, " Delegation to ", host]
                done = add(kind, parts, country, f"delegation-{c}-{host.id}")
            elif kind == "committee" and f"party-{c}" in made:
                parts = ["Central Committee of the ", made[f"party-{c}"]]
                done = add(kind, parts, country, f"cc-{c}")
            elif kind == "department" and f"mfa-{c}" in made:
                topic = rng.choice(("Trade", "Culture", "Protocol", "Press", "Consular"))
                parts = [f"{topic} Department of the ", made[f"mfa-{c}"]]
                done = add(kind, parts, country, f"department-{c}")
            quota -= done
    attempts = 0
    while len(registers.orgs) < orgs and attempts < 100 * orgs:
        attempts += 1
        country, host = rng.choice(all_countries), rng.choice(settlements)
        if host is country:
            continue
        parts = ["Embassy of ", country, " in ", host]
        add("embassy", parts, country, f"embassy-{country.id}-{host.id}")
    return registers


def org_text(parts: Sequence[OrgPart]) -> str:
    """An organisation's name as plain text."""
    out = []
    for part in parts:
        if isinstance(part, str):
            out.append(part)
        elif isinstance(part, AdjectiveOf):
            out.append(part.place.adjective)
        elif isinstance(part, Place):
            out.append(part.variants[0] if part.kind == "country" and part.variants else part.name)
        else:
            out.append(part.name)
    return "".join(out)


# --------------------------------------------------------------------------------------
# Writing the registers and the header
# --------------------------------------------------------------------------------------


def _header(xml_id: str, title: str, source: str, change: str, extra: str = "") -> str:
    return f"""  <teiHeader>
    <fileDesc>
      <titleStmt>
        <title>{escape(title)}</title>
        <editor>{EDITOR}</editor>
      </titleStmt>
      <publicationStmt>
        <publisher>kimedition</publisher>
        <idno type="kimedition">{xml_id}</idno>
        <availability status="free">
          <licence target="https://creativecommons.org/licenses/by/4.0/">{LICENCE}</licence>
        </availability>
      </publicationStmt>
      <sourceDesc>
{source}
      </sourceDesc>
    </fileDesc>{extra}
    <revisionDesc status="published">
      <change when="{CHANGE_DATE}">{escape(change)}</change>
    </revisionDesc>
  </teiHeader>
"""


def _register(xml_id: str, what: str, list_name: str, entries: list[str], seed: int) -> str:
    source = (
        f"        <p>Synthetic {what} generated for the benchmark from seed {seed}; every "
        "name is invented.</p>"
    )
    return (
        PIS.format(s="schema/")
        + f'<TEI xmlns="{TEI_NS}" xml:id="{xml_id}" xml:lang="en">\n'
        + _header(xml_id, f"Synthetic benchmark edition: register of {what}", source, "Generated.")
        + f"  <text>\n    <body>\n      <{list_name}>\n"
        + "".join(entries)
        + f"      </{list_name}>\n    </body>\n  </text>\n</TEI>\n"
    )


PREFIX_DEFS = "".join(
    f'        <prefixDef ident="{kind}" matchPattern="([A-Za-z0-9._-]+)" '
    f'replacementPattern="../{file}#$1"/>\n'
    for kind, file in (("person", "persons.xml"), ("place", "places.xml"), ("org", "orgs.xml"))
)
AUTHORITY = "No authority identifier is given: the entry is synthetic."


def persons_xml(registers: Registers, seed: int) -> str:
    entries = []
    for p in registers.persons:
        if p.surname_first:
            standard = f"<surname>{p.surname}</surname> <forename>{p.forename}</forename>"
            sort_key = f"{slug(p.surname)}_{slug(p.forename)}"
        else:
            standard = f"<forename>{p.forename}</forename> <surname>{p.surname}</surname>"
            sort_key = f"{slug(p.surname)}_{slug(p.forename)}"
        lines = [f'          <persName type="standard">{standard}</persName>\n']
        lines += [
            f'          <persName type="variant">{escape(v)}</persName>\n' for v in p.variants
        ]
        if p.codename:
            lines.append(f'          <persName type="codename">{p.codename}</persName>\n')
        if p.misspelling:
            lines.append(f'          <persName type="misspelling">{p.misspelling}</persName>\n')
        lines.append(f'          <birth when="{p.birth}">{p.birth}</birth>\n')
        if p.death:
            lines.append(f'          <death when="{p.death}">{p.death}</death>\n')
        start, end = p.office
        where = p.country.variants[0] if p.country.variants else p.country.name
        lines.append(
            f'          <occupation from="{start}" to="{end}">{p.role} of {where}</occupation>\n'
        )
        lines.append(
            f"          <note>{p.full} served as {p.role.lower()} of {where} from {start} to "
            f"{end} and appears in the synthetic records of those years.</note>\n"
        )
        lines.append(f'          <note type="authority">{AUTHORITY}</note>\n')
        entries.append(
            f'        <person xml:id="{p.id}" sortKey="{sort_key}">\n'
            + "".join(lines)
            + "        </person>\n"
        )
    return _register("register-persons", "persons", "listPerson", entries, seed)


def places_xml(registers: Registers, seed: int) -> str:
    entries = []
    for p in registers.places:
        lines = [f'          <placeName type="standard">{escape(p.name)}</placeName>\n']
        lines += [
            f'          <placeName type="variant">{escape(v)}</placeName>\n' for v in p.variants
        ]
        if p.geo:
            lines.append(
                f"          <location>\n            <geo>{p.geo}</geo>\n          </location>\n"
            )
        lines.append(f"          <note>{escape(p.note)}</note>\n")
        lines.append(f'          <note type="authority">{AUTHORITY}</note>\n')
        entries.append(
            f'        <place xml:id="{p.id}" type="{p.kind}">\n'
            + "".join(lines)
            + "        </place>\n"
        )
    return _register("register-places", "places", "listPlace", entries, seed)


def orgs_xml(registers: Registers, seed: int) -> str:
    entries = []
    for o in registers.orgs:
        lines = [f'          <orgName type="standard">{escape(o.name)}</orgName>\n']
        if o.abbreviation:
            lines.append(f'          <orgName type="abbreviation">{o.abbreviation}</orgName>\n')
        lines.append(f"          <note>{escape(o.note)}</note>\n")
        entries.append(
            f'        <org xml:id="{o.id}" type="{o.kind}">\n' + "".join(lines) + "        </org>\n"
        )
    return _register("register-orgs", "organisations", "listOrg", entries, seed)


MARK = "<publisher>kimedition benchmark</publisher>"
"""What the header of every generated edition says, and no real edition's does."""


def generated(root: Path) -> bool:
    """Whether the edition folder ``root`` was written by :func:`generate` (its header
    carries :data:`MARK`), so that it may be replaced."""
    try:
        with (Path(root) / "tei" / "edition.xml").open("rb") as handle:
            return MARK.encode() in handle.read(65536)
    except OSError:
        return False


def edition_xml(seed: int, documents: int) -> str:
    categories = "".join(
        f'          <category xml:id="type-{tid}">\n'
        f"            <catDesc>{label}: {escape(desc)}</catDesc>\n"
        "          </category>\n"
        for tid, label, _, desc in TYPES
    )
    source = (
        "        <bibl>\n"
        "          <title>Synthetic benchmark collection</title>\n"
        f"          {MARK}\n"
        f"          <quote>A synthetic collection of {documents} records dated 1945 to 1990, "
        f"generated from seed {seed}.</quote>\n"
        "        </bibl>"
    )
    extra = f"""
    <encodingDesc>
      <projectDesc>
        <p>This edition is synthetic: benchmarks/generate.py wrote it to measure
          kimedition on {documents} documents. Its persons, places and organisations are
          invented.</p>
      </projectDesc>
      <editorialDecl>
        <correction>
          <p>Errors of the source are kept in sic and paired with a correction in corr.</p>
        </correction>
        <normalization>
          <p>Names keep their spelling in the text; the registers give the standard
            form and the variants.</p>
        </normalization>
        <interpretation>
          <p>Every mention of a person, place or organisation is tagged with a pointer
            to its register entry; role phrases and nationality adjectives are referring
            strings.</p>
        </interpretation>
      </editorialDecl>
      <classDecl>
        <taxonomy xml:id="document-types">
{categories}        </taxonomy>
      </classDecl>
    </encodingDesc>"""
    return (
        PIS.format(s="schema/")
        + f'<TEI xmlns="{TEI_NS}" xml:id="edition" xml:lang="en">\n'
        + _header("edition", "Synthetic benchmark edition", source, "Generated.", extra).replace(
            "<title>Synthetic benchmark edition</title>",
            '<title type="main">Synthetic benchmark edition</title>\n'
            f'        <title type="sub">{documents} synthetic records, 1945–1990</title>',
            1,
        )
        + """  <text>
    <body>
      <div type="introduction">
        <head>About this edition</head>
        <p>A synthetic edition for measuring the toolkit. Its documents are made of
          pseudo-sentences with tagged names at the density of the real edition.</p>
      </div>
    </body>
  </text>
</TEI>
"""
    )


# --------------------------------------------------------------------------------------
# Documents
# --------------------------------------------------------------------------------------


class Zipf:
    """Draws indexes 0..n-1 with weight 1/(rank+1)."""

    def __init__(self, n: int, exponent: float = 1.0) -> None:
        total = 0.0
        self.cumulative: list[float] = []
        for rank in range(n):
            total += 1.0 / (rank + 1) ** exponent
            self.cumulative.append(total)
        self.total = total

    def draw(self, rng: random.Random) -> int:
        return min(
            bisect.bisect(self.cumulative, rng.random() * self.total), len(self.cumulative) - 1
        )


def long_date(day: dt.date) -> str:
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def listing_date(day: dt.date) -> str:
    return f"{MONTHS[day.month - 1]} {day.day:02d}, {day.year}"


class DocumentWriter:
    """Writes one document; everything random comes from its own stream."""

    def __init__(
        self,
        registers: Registers,
        zipf: dict[str, Zipf],
        seed: int,
        number: int,
        planted: list[Person | Place | Org],
    ) -> None:
        self.r = registers
        self.zipf = zipf
        self.number = number
        self.rng = random.Random(f"{seed}:document:{number}")
        self.planted = list(planted)
        self.rng.shuffle(self.planted)
        self.cast: list[Person | Place | Org] = []
        """The entries the document is mostly about: its parties and a few others."""
        self.day = FIRST_DAY

    # -- mentions ---------------------------------------------------------------------

    def person(self, p: Person, plain_name: bool = False) -> Phrase:
        rng, ref = self.rng, f' ref="person:{p.id}"'
        r = rng.random()
        if plain_name:
            return element("persName", ref, rng.choice((p.full, p.full, p.surname)))
        if p.codename and r < 0.15:
            gloss = element("persName", ref, p.surname)
            return join(
                element("persName", f'{ref} type="codename"', p.codename),
                " ",
                element("seg", ' type="editorial-gloss"', join("[", gloss, "]"), names=0),
            )
        if p.misspelling and r > 0.95:
            choice = element(
                "choice",
                "",
                join(element("sic", "", p.misspelling, 0), element("corr", "", p.full, 0)),
                names=0,
            )
            return element("persName", ref, choice)
        if 0.15 <= r < 0.30:
            country = self.place(p.country, name_only=True)
            if rng.random() < 0.5:
                role = join(f"the {p.role} of ", country)
                return element("rs", f' type="person"{ref} cert="high"', role)
            return element("rs", f' type="person"{ref} cert="medium"', f"the {p.role.lower()}")
        form = rng.random()
        if form < 0.45:
            name = p.full
        elif form < 0.8:
            name = p.surname
        else:
            name = rng.choice(p.variants)
        return element("persName", ref, name)

    def place(self, p: Place, name_only: bool = False) -> Phrase:
        rng, ref = self.rng, f' ref="place:{p.id}"'
        if not name_only and p.adjective and rng.random() < 0.4:
            adjective = element("rs", f' type="place"{ref} cert="high"', p.adjective)
            return join("the ", adjective, " ", rng.choice(NOUNS))
        names = [p.name, *p.variants]
        return element("placeName", ref, rng.choice(names) if not name_only else names[-1])

    def org_name(self, o: Org) -> Phrase:
        inner = Phrase()
        for part in o.parts:
            if isinstance(part, str):
                inner.add(part)
            elif isinstance(part, AdjectiveOf):
                inner.add(
                    element(
                        "rs",
                        f' type="place" ref="place:{part.place.id}" cert="high"',
                        part.place.adjective,
                    )
                )
            elif isinstance(part, Place):
                label = part.variants[0] if part.kind == "country" and part.variants else part.name
                inner.add(element("placeName", f' ref="place:{part.id}"', label))
            else:
                inner.add(self.org_name(part))
        return element("orgName", f' ref="org:{o.id}"', inner)

    def org(self, o: Org) -> Phrase:
        rng, ref = self.rng, f' ref="org:{o.id}"'
        r = rng.random()
        if o.abbreviation and r < 0.2:
            return element("orgName", ref, o.abbreviation)
        if r < 0.35:
            if o.kind == "party" and rng.random() < 0.5:
                party = element("rs", f' type="org"{ref} cert="high"', "party")
                return join(
                    "the ", party, " ", rng.choice(("line", "leadership", "officials", "members"))
                )
            return element(
                "rs", f' type="org"{ref} cert="medium"', ORG_NOUNS.get(o.kind, "the body")
            )
        return self.org_name(o)

    def entity(self, entry: Person | Place | Org) -> Phrase:
        if isinstance(entry, Person):
            return self.person(entry)
        if isinstance(entry, Place):
            return self.place(entry)
        return self.org(entry)

    def draw(self) -> Phrase:
        """A mention: a planted entry first, else one of the cast, else any entry."""
        rng = self.rng
        if self.planted and rng.random() < 0.5:
            return self.entity(self.planted.pop())
        r = rng.random()
        if r < 0.6 and self.cast:
            return self.entity(rng.choice(self.cast))
        if r < 0.8:
            return self.person(self.r.persons[self.zipf["person"].draw(rng)])
        if r < 0.93:
            return self.place(self.r.places[self.zipf["place"].draw(rng)])
        return self.org(self.r.orgs[self.zipf["org"].draw(rng)])

    # -- filler -----------------------------------------------------------------------

    def noun_phrase(self) -> Phrase:
        """A determiner, perhaps an adjective, and a noun (now and then misspelt)."""
        rng = self.rng
        words = [rng.choice(DETERMINERS)]
        if rng.random() < 0.6:
            words.append(rng.choice(ADJECTIVES))
        if rng.random() < 0.01:
            sic, corr = rng.choice(NOUN_MISSPELLINGS)
            if words == ["a"]:
                words = ["the"]
            choice = element(
                "choice",
                "",
                join(element("sic", "", sic, 0), element("corr", "", corr, 0)),
                names=0,
            )
            return join(" ".join(words) + " ", choice)
        words.append(rng.choice(NOUNS))
        if words[0] == "a" and words[1][0] in "aeiou":
            words[0] = "an"
        return text(" ".join(words))

    def slot(self, p: float) -> Phrase:
        """A noun slot: a tagged mention with probability ``p``, else a noun phrase."""
        return self.draw() if self.rng.random() < p else self.noun_phrase()

    def date_mention(self) -> Phrase:
        rng = self.rng
        if rng.random() < 0.15:
            later = self.day + dt.timedelta(days=1)
            return element(
                "date", f' when="{later.isoformat()}" cert="medium"', "the following day", names=0
            )
        day = self.day + dt.timedelta(days=rng.randrange(-30, 31))
        label = long_date(day) if rng.random() < 0.6 else listing_date(day)
        return join(
            rng.choice(("on ", "by ", "before ", "after ")),
            element("date", f' when="{day.isoformat()}"', label, names=0),
        )

    def verb(self) -> Phrase:
        rng = self.rng
        if rng.random() < 0.02:
            sic, corr = rng.choice(VERB_MISSPELLINGS)
            choice = element(
                "choice",
                "",
                join(element("sic", "", sic, 0), element("corr", "", corr, 0)),
                names=0,
            )
            return join("seems unwilling to ", choice, " ")
        return text(rng.choice(VERBS) + " ")

    def clause(self, p: float) -> Phrase:
        rng = self.rng
        phrase = join(self.slot(p), " ", self.verb(), self.slot(p))
        if rng.random() < 0.6:
            phrase.add(join(" ", rng.choice(PREPOSITIONS), " ", self.slot(p)))
        if rng.random() < 0.08:
            phrase.add(join(" ", self.date_mention()))
        return phrase

    def sentence(self, p: float) -> Phrase:
        rng = self.rng
        parts = Phrase()
        if rng.random() < 0.15:
            parts.add(join(rng.choice(SAYING), " ", self.slot(0.9), ", "))
        parts.add(self.clause(p))
        for _ in range(rng.choice((0, 0, 1, 1, 2))):
            parts.add(join(", ", rng.choice(CONNECTIVES), " ", self.clause(p)))
        parts.add(".")
        # Capitalise the first letter of the sentence when it is plain text.
        if parts.plain[:1].islower():
            parts.plain = parts.plain[0].upper() + parts.plain[1:]
            at = re.match(r"(?:<[^>]*>)*", parts.markup)
            i = at.end() if at else 0
            parts.markup = parts.markup[:i] + parts.markup[i].upper() + parts.markup[i + 1 :]
        return parts

    # -- the document -----------------------------------------------------------------

    def write(self, target_text: int) -> tuple[str, str]:
        """The document's id and its XML, with a ``text`` element of about ``target_text`` bytes."""
        rng = self.rng
        tid, label, _, _ = TYPES[_weighted(rng, [t[2] for t in TYPES])]
        span = (LAST_DAY - FIRST_DAY).days
        self.day = FIRST_DAY + dt.timedelta(days=rng.randrange(span))
        month_only = tid not in ("diary", "journal") and rng.random() < 0.04
        period_end = self.day + dt.timedelta(days=rng.randrange(5, 30)) if tid == "diary" else None
        when = self.day.isoformat()[:7] if month_only else self.day.isoformat()
        written = (
            f"{MONTHS[self.day.month - 1]}, {self.day.year}"
            if month_only
            else listing_date(self.day)
        )

        persons, places, orgs = self.r.persons, self.r.places, self.r.orgs
        sender = persons[self.zipf["person"].draw(rng)]
        addressee = persons[self.zipf["person"].draw(rng)]
        while addressee is sender and len(persons) > 1:
            addressee = persons[rng.randrange(len(persons))]
        self.cast = [sender, addressee]
        self.cast += [persons[self.zipf["person"].draw(rng)] for _ in range(rng.randrange(2, 6))]
        self.cast += [places[self.zipf["place"].draw(rng)] for _ in range(rng.randrange(2, 5))]
        self.cast += [orgs[self.zipf["org"].draw(rng)] for _ in range(rng.randrange(1, 4))]
        sender_org = next(
            (o for o in orgs if o.kind == "embassy" and o.country is sender.country), None
        )
        addressee_org = next(
            (o for o in orgs if o.kind == "ministry" and o.country is sender.country), None
        )

        # Title, as markup (head) and plain text (titleStmt, bibl).
        number = ""
        if tid in ("ciphered-telegram", "cable") or (tid == "telegram" and rng.random() < 0.3):
            n = rng.randrange(100, 99999)
            number = f"{n}-{n + 2}" if tid == "cable" else str(n)
        s = self.person(sender, plain_name=True)
        a = self.person(addressee, plain_name=True)
        if tid == "telegram":
            title = join("Telegram ", f"No. {number} " if number else "", "from ", s, " to ", a)
        elif tid == "ciphered-telegram":
            if sender.codename and rng.random() < 0.5:
                s = join(
                    element(
                        "persName", f' ref="person:{sender.id}" type="codename"', sender.codename
                    ),
                    " ",
                    element(
                        "seg",
                        ' type="editorial-gloss"',
                        join(
                            "[",
                            element("persName", f' ref="person:{sender.id}"', sender.surname),
                            "]",
                        ),
                        names=0,
                    ),
                )
            title = join(f"Ciphered Telegram No. {number}, ", s, " to ", a)
        elif tid == "cable":
            title = join(f"Cable Nos. {number}, ", s, " to ", a)
        elif tid == "report":
            if sender_org is not None and addressee_org is not None:
                title = join(
                    "Report, ", self.org_name(sender_org), " to the ", self.org_name(addressee_org)
                )
            else:
                title = join("Report from ", s, " to ", a)
        elif tid == "journal":
            title = join(
                "Journal of ",
                s,
                " for ",
                element("date", f' when="{when}"', long_date(self.day), names=0),
            )
        elif tid == "diary":
            assert period_end is not None
            period = element(
                "date",
                f' from="{when}" to="{period_end.isoformat()}"',
                f"{long_date(self.day)} to {long_date(period_end)}",
                names=0,
            )
            title = join("Diary of ", s, " for the period from ", period)
        elif tid == "memorandum-of-conversation":
            title = join("Memorandum of Conversation with ", a)
        elif tid == "record-of-conversation":
            title = join("Record of a Conversation between ", s, " and ", a)
        else:
            title = join("Notes of the Conversation between ", s, " and ", a)

        doc_slug = "-".join(
            x for x in (slug(label), slug(sender.surname), f"n{self.number + 1}") if x
        )
        doc_id = f"kim-{when}-{doc_slug}"
        creation = (
            f'<date from="{when}" to="{period_end.isoformat()}">{written}</date>'
            if period_end is not None
            else f'<date when="{when}">{written}</date>'
        )
        idnos = "".join(
            f'          <idno type="document-number">{escape(n)}</idno>\n'
            for n in ([number] if number else [])
        )
        corresp = ""
        if tid in COMMUNICATIONS:
            senders = (
                f'          <persName ref="person:{sender.id}">{escape(sender.full)}</persName>\n'
            )
            receivers = (
                f'          <persName ref="person:{addressee.id}">'
                f"{escape(addressee.full)}</persName>\n"
            )
            if tid == "report" and sender_org is not None and addressee_org is not None:
                senders = (
                    f'          <orgName ref="org:{sender_org.id}">'
                    f"{escape(sender_org.name)}</orgName>\n" + senders
                )
                receivers = (
                    f'          <orgName ref="org:{addressee_org.id}">'
                    f"{escape(addressee_org.name)}</orgName>\n"
                )
            corresp = (
                "      <correspDesc>\n"
                '        <correspAction type="sent">\n'
                f"{senders}"
                f'          <date when="{when}"/>\n'
                "        </correspAction>\n"
                '        <correspAction type="received">\n'
                f"{receivers}"
                "        </correspAction>\n"
                "      </correspDesc>\n"
            )

        head = f"      <head>{title.markup}</head>\n"
        front = f'    <front>\n      <docDate when="{when}">{written}</docDate>\n    </front>\n'
        paragraphs: list[str] = []
        size = len(
            ("  <text>\n" + front + "    <body>\n" + head + "    </body>\n  </text>\n").encode()
        )
        current: list[str] = []
        sentences_left = rng.randrange(2, 9)
        while True:
            planted_before = len(self.planted)
            sentence = self.sentence(MENTION_PROBABILITY)
            piece = (" " if current else "") + sentence.markup
            extra = len(piece.encode()) + (0 if current else len("      <p></p>\n"))
            # A sentence holding a planted entry is always kept; otherwise stop at the
            # sentence boundary nearest to the target, within 2–40 KB.
            kept = len(self.planted) < planted_before or bool(self.planted)
            far = size + extra / 2 > target_text or size + extra > MAX_TEXT
            if not kept and size >= MIN_TEXT and far:
                break
            current.append(piece)
            size += extra
            sentences_left -= 1
            if sentences_left == 0:
                paragraphs.append("      <p>" + "".join(current) + "</p>\n")
                current, sentences_left = [], rng.randrange(2, 9)
        if current:
            paragraphs.append("      <p>" + "".join(current) + "</p>\n")

        xml = (
            PIS.format(s="../schema/")
            + f'<TEI xmlns="{TEI_NS}" xml:id="{doc_id}" xml:lang="en">\n'
            + "  <teiHeader>\n    <fileDesc>\n      <titleStmt>\n"
            + f"        <title>{escape(title.plain)}</title>\n"
            + f"        <editor>{EDITOR}</editor>\n      </titleStmt>\n"
            + "      <publicationStmt>\n        <publisher>kimedition</publisher>\n"
            + f'        <idno type="kimedition">{doc_id}</idno>\n'
            + '        <availability status="free">\n'
            + f'          <licence target="https://creativecommons.org/licenses/by/4.0/">{LICENCE}</licence>\n'
            + "        </availability>\n      </publicationStmt>\n      <sourceDesc>\n"
            + f'        <bibl type="{tid}">\n'
            + f"          <title>{escape(title.plain)}</title>\n"
            + f'          <date when="{when}">{written}</date>\n'
            + idnos
            + '          <relatedItem type="collection">\n            <bibl>\n'
            + "              <title>Synthetic benchmark collection</title>\n"
            + "              <publisher>kimedition benchmark</publisher>\n"
            + "            </bibl>\n          </relatedItem>\n        </bibl>\n"
            + "      </sourceDesc>\n    </fileDesc>\n    <encodingDesc>\n      <listPrefixDef>\n"
            + PREFIX_DEFS
            + "      </listPrefixDef>\n    </encodingDesc>\n    <profileDesc>\n      <creation>\n"
            + f"        {creation}\n      </creation>\n      <textClass>\n"
            + '        <catRef scheme="../edition.xml#document-types" '
            + f'target="../edition.xml#type-{tid}"/>\n'
            + "      </textClass>\n"
            + corresp
            + "    </profileDesc>\n"
            + '    <revisionDesc status="published">\n'
            + f'      <change when="{CHANGE_DATE}">Generated for the benchmark.</change>\n'
            + "    </revisionDesc>\n  </teiHeader>\n"
            + "  <text>\n"
            + front
            + "    <body>\n"
            + head
            + "".join(paragraphs)
            + "    </body>\n  </text>\n</TEI>\n"
        )
        return doc_id, xml


def _weighted(rng: random.Random, weights: Sequence[float]) -> int:
    x = rng.random() * sum(weights)
    for i, w in enumerate(weights):
        x -= w
        if x < 0:
            return i
    return len(weights) - 1


# --------------------------------------------------------------------------------------
# Sizes
# --------------------------------------------------------------------------------------


def _clamped_mean(mu: float, sigma: float, low: float, high: float) -> float:
    """The mean of a log-normal variable clamped to [low, high]."""

    def phi(x: float) -> float:
        return 0.5 * (1.0 + math.erf(x / math.sqrt(2.0)))

    a, b = math.log(low), math.log(high)
    inside = math.exp(mu + sigma * sigma / 2) * (
        phi((b - mu - sigma * sigma) / sigma) - phi((a - mu - sigma * sigma) / sigma)
    )
    return low * phi((a - mu) / sigma) + high * (1 - phi((b - mu) / sigma)) + inside


def _location(mean: float, sigma: float, low: float, high: float) -> float:
    """The log-normal location whose clamped mean is ``mean`` (by bisection)."""
    lo, hi = math.log(low), math.log(high)
    for _ in range(100):
        mid = (lo + hi) / 2
        if _clamped_mean(mid, sigma, low, high) < mean:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


MU = _location(MEAN_TEXT, SIGMA, MIN_TEXT, MAX_TEXT)


def text_size(seed: int, number: int) -> int:
    """The target size in bytes of document ``number``'s ``text`` element."""
    rng = random.Random(f"{seed}:size:{number}")
    return int(min(MAX_TEXT, max(MIN_TEXT, rng.lognormvariate(MU, SIGMA))))


# --------------------------------------------------------------------------------------
# The edition
# --------------------------------------------------------------------------------------


def generate(
    root: Path,
    documents: int,
    seed: int,
    persons: int = 2000,
    places: int = 1000,
    orgs: int = 300,
) -> None:
    """Write a synthetic edition into ``root`` (its ``tei/`` folder is replaced, when this
    function wrote it: any other raises :class:`ValueError`, so that a real edition's
    sources are never deleted).

    Same arguments, same bytes. The edition validates with no error; every register
    entry is mentioned when ``documents`` is at least (persons + places + orgs) / 30.
    """
    if documents < 1 or persons < 2 or places < 3 or orgs < 1:
        raise ValueError("need at least 1 document, 2 persons, 3 places and 1 organisation")
    tei = Path(root) / "tei"
    if tei.exists() and not generated(Path(root)):
        raise ValueError(
            f"{tei}: not written by this script (a real edition's sources?); it is never "
            "replaced: choose another folder"
        )
    registers = make_registers(seed, persons, places, orgs)
    if tei.exists():
        shutil.rmtree(tei)
    (tei / "documents").mkdir(parents=True)
    (tei / "edition.xml").write_text(edition_xml(seed, documents), encoding="utf-8")
    (tei / "persons.xml").write_text(persons_xml(registers, seed), encoding="utf-8")
    (tei / "places.xml").write_text(places_xml(registers, seed), encoding="utf-8")
    (tei / "orgs.xml").write_text(orgs_xml(registers, seed), encoding="utf-8")

    zipf = {
        "person": Zipf(len(registers.persons)),
        "place": Zipf(len(registers.places)),
        "org": Zipf(len(registers.orgs)),
    }
    entries: list[Person | Place | Org] = [*registers.persons, *registers.places, *registers.orgs]
    planted: list[list[Person | Place | Org]] = [[] for _ in range(documents)]
    for j, entry in enumerate(entries):
        if len(planted[j % documents]) < MAX_PLANTED:
            planted[j % documents].append(entry)
    seen: set[str] = set()
    for number in range(documents):
        writer = DocumentWriter(registers, zipf, seed, number, planted[number])
        doc_id, xml = writer.write(text_size(seed, number))
        if doc_id in seen:  # cannot happen: the id ends with the document's number
            raise AssertionError(f"duplicate document id {doc_id}")
        seen.add(doc_id)
        (tei / "documents" / f"{doc_id}.xml").write_text(xml, encoding="utf-8")


# --------------------------------------------------------------------------------------
# Statistics of an edition (the synthetic one, or the real one for comparison)
# --------------------------------------------------------------------------------------

NAME_ELEMENTS = ("persName", "placeName", "orgName", "rs")


@dataclass
class EditionStats:
    """Sizes and name density of an edition's documents."""

    documents: int
    source_bytes: int
    """Every source file: documents, registers and the header."""
    file_kb: dict[str, float]
    """mean, min, max of the document files, in KB."""
    text_kb: dict[str, float]
    """mean, min, max of the documents' ``text`` elements (markup included), in KB."""
    plain_kb_mean: float
    """Mean plain text (the characters of ``text``) per document, in KB."""
    names: int
    """Tagged names (persName, placeName, orgName, rs, nested ones included) in ``text``."""
    names_per_kb_plain: float
    names_per_kb_text: float
    elements: dict[str, int]
    """How many of each element the documents' bodies hold."""
    registers: dict[str, int]
    entries_used: float
    """The share of register entries some document refers to."""

    def as_dict(self) -> dict[str, object]:
        return dict(self.__dict__)


def edition_stats(root: Path) -> EditionStats:
    """Measure the documents of the edition at ``root`` with lxml."""
    from lxml import etree

    tei = Path(root) / "tei"
    paths = sorted((tei / "documents").glob("*.xml"))
    ns = {"t": TEI_NS}
    file_sizes: list[int] = []
    text_sizes: list[int] = []
    plain_total = names = 0
    elements: dict[str, int] = {}
    used: set[str] = set()
    for path in paths:
        data = path.read_bytes()
        file_sizes.append(len(data))
        root_element = etree.fromstring(data)
        body = root_element.find("t:text", ns)
        if body is None:
            continue
        text_sizes.append(len(etree.tostring(body, encoding="utf-8", with_tail=False)))
        plain_total += len("".join(str(t) for t in body.itertext()).encode("utf-8"))
        for node in body.iter():
            if not isinstance(node.tag, str):
                continue
            local = etree.QName(node).localname
            elements[local] = elements.get(local, 0) + 1
            if local in NAME_ELEMENTS:
                names += 1
        for node in root_element.iter():
            if isinstance(node.tag, str):
                for pointer in (node.get("ref") or "").split():
                    used.add(pointer.partition(":")[2])
    registers: dict[str, int] = {}
    source_bytes = sum(file_sizes)
    for name, tag in (("persons.xml", "person"), ("places.xml", "place"), ("orgs.xml", "org")):
        path = tei / name
        if path.is_file():
            source_bytes += path.stat().st_size
            ids = etree.parse(str(path)).xpath(f"//t:{tag}/@xml:id", namespaces=ns)
            registers[tag] = len(ids) if isinstance(ids, list) else 0
            registers[f"{tag}-used"] = sum(
                1 for i in (ids if isinstance(ids, list) else []) if str(i) in used
            )
    if (tei / "edition.xml").is_file():
        source_bytes += (tei / "edition.xml").stat().st_size
    total_entries = sum(registers.get(k, 0) for k in ("person", "place", "org"))
    total_used = sum(registers.get(f"{k}-used", 0) for k in ("person", "place", "org"))

    def summary(values: list[int]) -> dict[str, float]:
        if not values:
            return {"mean": 0.0, "min": 0.0, "max": 0.0}
        return {
            "mean": round(statistics.fmean(values) / 1024, 2),
            "min": round(min(values) / 1024, 2),
            "max": round(max(values) / 1024, 2),
        }

    return EditionStats(
        documents=len(paths),
        source_bytes=source_bytes,
        file_kb=summary(file_sizes),
        text_kb=summary(text_sizes),
        plain_kb_mean=round(plain_total / max(1, len(paths)) / 1024, 2),
        names=names,
        names_per_kb_plain=round(names / max(1, plain_total) * 1024, 1),
        names_per_kb_text=round(names / max(1, sum(text_sizes)) * 1024, 1),
        elements=dict(sorted(elements.items())),
        registers=registers,
        entries_used=round(total_used / total_entries, 4) if total_entries else 0.0,
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Write a synthetic kimedition edition (deterministic from the seed)."
    )
    parser.add_argument("out", type=Path, help="the edition folder to write (tei/ is replaced)")
    parser.add_argument("--documents", type=int, default=1000, help="number of documents")
    parser.add_argument("--seed", type=int, default=1, help="random seed")
    parser.add_argument("--persons", type=int, default=2000, help="persons in the register")
    parser.add_argument("--places", type=int, default=1000, help="places in the register")
    parser.add_argument("--orgs", type=int, default=300, help="organisations in the register")
    parser.add_argument("--stats", action="store_true", help="print statistics as JSON")
    args = parser.parse_args(argv)
    try:
        generate(args.out, args.documents, args.seed, args.persons, args.places, args.orgs)
    except ValueError as error:
        parser.error(str(error))
    stats = edition_stats(args.out)
    if args.stats:
        print(json.dumps(stats.as_dict(), indent=2))
    else:
        print(
            f"{args.out}: {stats.documents} documents, {stats.source_bytes / 1e6:.1f} MB; "
            f"text {stats.text_kb['mean']} KB mean ({stats.text_kb['min']}–"
            f"{stats.text_kb['max']}), files {stats.file_kb['mean']} KB mean; "
            f"{stats.names_per_kb_plain} tagged names per KB of plain text; "
            f"{stats.entries_used:.0%} of register entries used",
            file=sys.stderr,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
