"""Matching names in running text against the registers, across spellings.

Two keys decide whether a phrase of a document is a registered name:

- :func:`base_key`, for every name: the letters and digits, without diacritics, in
  lower case, with spaces, hyphens, apostrophes (``'`` ``’`` ``ʼ``) and other
  punctuation removed. It is the Schematron's ``kim:name-key`` made a little more
  tolerant (the modifier apostrophe ``ʼ`` counts as an apostrophe, not a letter), so
  "Pak Heon-yeong", "Pak Heonyeong" and "PAK HEON-YEONG" meet, and so do "Práth" and
  "Prath".
- :func:`korean_key`, on top of that, for romanised Korean names only: it folds the
  usual differences between McCune–Reischauer, Revised Romanization and the common
  spellings of Korean names (ŏ/eo, ŭ/eu, k/g, t/d, p/b, ch/j, ch'/ch, k'/k, sh/s,
  yo/yeo, wŏ/wo, an initial r/l/n, i/ee and u/oo), so that "Pak Hon-yong" meets
  "Pak Heon-yeong" and "Yoon Gong-heum" meets "Yun Kong-hum".

Which names are Korean: the Korean key is applied to the names the register marks as
romanised Korean, ``xml:lang="ko-Latn"`` (or a longer tag starting ``ko-Latn``), and to
nothing else. It is not applied to the standard name or to untagged variants, even of
a Korean entry: "North Korea", "DPRK" or the short variant "Kim" are English or
abbreviations, and folding k/g or t/d in them would only invent matches ("Gim" for
"Kim"); a Korean entry's ``ko-Latn`` variants carry its romanisations instead. Chinese,
Russian or Hungarian names never get the Korean correspondences ("Beng Tehuai" is not
"Peng Dehuai").

Letter case is tolerated one way only: a phrase may be in capitals where the register
writes lower case ("PAK HEON-YEONG"), but a name the register writes with a capital
must start with one in the text, and an abbreviation written in capitals (US, DPRK)
must be in capitals, so that the words "us" or "kim" are not names.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import Enum

from .registers import Entry, Name

APOSTROPHES = "'’ʼ‘`´ʻ′"
"""Characters counted as apostrophes: removed from keys, allowed inside words."""

MIN_KEY = 2
"""Names whose key is shorter than this are not looked for (as in the Schematron)."""

_WORD = re.compile(rf"[^\W_](?:[^\W_]|[{APOSTROPHES}](?=[^\W_]))*")
_PIECES = re.compile(r"[\s\-‐‑–]+")

# The Korean correspondences, applied in this order to each syllable group (a part of
# the name between spaces and hyphens) after base normalisation. The label names the
# correspondence in messages.
_KOREAN_RULES: tuple[tuple[str, re.Pattern[str], str], ...] = (
    ("initial r/l/n", re.compile(r"^[rl]"), "n"),
    ("ŏ/eo", re.compile("eo"), "o"),
    ("ŭ/eu", re.compile("eu"), "u"),
    ("i/ee", re.compile("ee"), "i"),
    ("u/oo", re.compile("oo"), "u"),
    ("sh/s", re.compile("sh"), "s"),
    ("ch/j", re.compile("j"), "ch"),
    ("k/g", re.compile("g"), "k"),
    ("t/d", re.compile("d"), "t"),
    ("p/b", re.compile("b"), "p"),
)


def _fold(text: str) -> str:
    """Lower case, without diacritics and apostrophes; other characters are kept."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return "".join(c for c in stripped.casefold() if c not in APOSTROPHES)


def base_key(text: str) -> str:
    """The key under which any name is matched: folded letters and digits only.

    Two phrases with the same base key differ only in letter case, diacritics, spaces,
    hyphens, apostrophes or other punctuation.
    """
    return "".join(c for c in _fold(text) if c.isalnum())


def _korean_pieces(text: str) -> list[tuple[str, Counter[str]]]:
    pieces: list[tuple[str, Counter[str]]] = []
    for raw in _PIECES.split(_fold(text)):
        piece = "".join(c for c in raw if c.isalnum())
        if not piece:
            continue
        fired: Counter[str] = Counter()
        for label, pattern, replacement in _KOREAN_RULES:
            piece, count = pattern.subn(replacement, piece)
            if count:
                fired[label] += count
        pieces.append((piece, fired))
    return pieces


def korean_key(text: str) -> str:
    """The key under which a romanised Korean name is matched.

    The base key with the romanisation correspondences folded, syllable group by
    syllable group (an initial r or l counts as n at the start of each group). Two
    phrases with the same Korean key are spellings of the same Korean name in
    McCune–Reischauer, Revised Romanization or the common spellings (Pak Hon-yong,
    Pak Heon-yeong, Pak Hŏnyŏng; Yun Kong-hum, Yoon Gong-heum).
    """
    return "".join(piece for piece, _ in _korean_pieces(text))


def romanisation_differences(first: str, second: str) -> list[str]:
    """The Korean correspondences that tell two spellings of a name apart.

    For a message: each correspondence (e.g. ``ŏ/eo``, ``k/g``) that folds a different
    number of letters in ``first`` than in ``second``, in the order of the rules.
    """
    counts = [Counter[str](), Counter[str]()]
    for counter, text in zip(counts, (first, second), strict=True):
        for _, fired in _korean_pieces(text):
            counter.update(fired)
    differences = [label for label, _, _ in _KOREAN_RULES if counts[0][label] != counts[1][label]]
    return differences or ["the same correspondences in other places"]


def is_korean_romanisation(lang: str) -> bool:
    """Whether an ``xml:lang`` value marks romanised Korean (``ko-Latn``, ``ko-Latn-…``)."""
    subtags = lang.lower().split("-")
    return len(subtags) >= 2 and subtags[0] == "ko" and subtags[1] == "latn"


def case_compatible(phrase: str, name: str) -> bool:
    """Whether ``phrase`` is written with the capitals ``name`` requires.

    An abbreviation in capitals (at least two letters, none lower case) must be in
    capitals; a name starting with a capital must start with one; anything else
    (lower-case names, scripts without case) may be written in any case.
    """
    letters = [c for c in name if c.isalpha()]
    written = [c for c in phrase if c.isalpha()]
    if not letters or not written:
        return True
    if len(letters) >= 2 and all(c.isupper() for c in letters):
        return not any(c.islower() for c in written)
    if letters[0].isupper():
        return not written[0].islower()
    return True


def words(text: str) -> list[tuple[int, int]]:
    """The (start, end) offsets of the words of ``text``.

    A word is a run of letters and digits, with apostrophes inside it ("Sung's",
    "P'yŏngyang"); hyphens, spaces, dots and other punctuation separate words.
    """
    return [(m.start(), m.end()) for m in _WORD.finditer(text)]


class How(Enum):
    """How a phrase matches a registered name, from the closest to the loosest."""

    EXACT = "exactly"
    FOLDED = "ignoring case, spaces, hyphens, apostrophes and diacritics"
    KOREAN = "Korean romanisation"


@dataclass(frozen=True)
class Candidate:
    """A register entry a phrase may name, with the registered name it matches."""

    entry: Entry
    name: Name
    how: How

    @property
    def pointer(self) -> str:
        return self.entry.pointer

    def explain(self, phrase: str) -> str:
        """``"Pak Hon-yong" matches the variant "Pak Heon-yeong" (Korean romanisation: …)``."""
        kind = (self.name.type or "registered").replace("-", " ")
        noun = "standard name" if kind == "standard" else kind
        what = f'the {noun} "{self.name.text}"'
        if self.how is How.EXACT:
            return f'"{phrase}" is {what}'
        if self.how is How.FOLDED:
            return f'"{phrase}" matches {what} ({self.how.value})'
        differences = ", ".join(romanisation_differences(phrase, self.name.text))
        return (
            f'"{phrase}" matches {what} (Korean romanisation, McCune–Reischauer / Revised '
            f"Romanization: {differences})"
        )


_TYPE_ORDER = {"standard": 0, "variant": 1, "abbreviation": 2, "codename": 3}


@dataclass
class NameIndex:
    """Every registered name, under its base key and (for ko-Latn names) its Korean key."""

    base: dict[str, list[tuple[Entry, Name]]] = field(default_factory=dict)
    korean: dict[str, list[tuple[Entry, Name]]] = field(default_factory=dict)
    longest: int = 1
    """The most words any registered name has: how far a phrase is extended."""

    @classmethod
    def build(cls, entries: Iterable[Entry]) -> NameIndex:
        """Index the names of ``entries`` (every name of every entry, of every type)."""
        index = cls()
        for entry in entries:
            for name in entry.names:
                key = base_key(name.text)
                if len(key) < MIN_KEY:
                    continue
                index.base.setdefault(key, []).append((entry, name))
                if is_korean_romanisation(name.lang):
                    index.korean.setdefault(korean_key(name.text), []).append((entry, name))
                index.longest = max(index.longest, len(words(name.text)))
        return index

    def lookup(self, phrase: str) -> list[Candidate]:
        """The entries ``phrase`` may name, one candidate per entry, best name first.

        Matches by base key win over matches by Korean key: a phrase that is a
        registered spelling of one entry and a romanisation variant of another names
        the first. More than one candidate means the phrase is ambiguous.
        """
        key = base_key(phrase)
        if len(key) < MIN_KEY:
            return []
        found = [
            Candidate(entry, name, How.EXACT if _same(phrase, name.text) else How.FOLDED)
            for entry, name in self.base.get(key, [])
            if case_compatible(phrase, name.text)
        ]
        if not found and self.korean:
            found = [
                Candidate(entry, name, How.KOREAN)
                for entry, name in self.korean.get(korean_key(phrase), [])
                if case_compatible(phrase, name.text)
            ]
        best: dict[str, Candidate] = {}
        for candidate in sorted(found, key=_rank):
            best.setdefault(candidate.pointer, candidate)
        return list(best.values())


def _same(phrase: str, name: str) -> bool:
    return " ".join(phrase.split()) == " ".join(name.split())


def _rank(candidate: Candidate) -> tuple[int, int]:
    order = list(How)
    return order.index(candidate.how), _TYPE_ORDER.get(candidate.name.type, 9)


__all__ = [
    "Candidate",
    "How",
    "NameIndex",
    "base_key",
    "case_compatible",
    "is_korean_romanisation",
    "korean_key",
    "romanisation_differences",
    "words",
]
