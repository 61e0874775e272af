"""The name keys: which spellings meet, which must not, and the lookup built on them."""

from __future__ import annotations

import pytest

from kimedition.names import (
    How,
    NameIndex,
    base_key,
    case_compatible,
    is_korean_romanisation,
    korean_key,
    romanisation_differences,
    words,
)
from kimedition.registers import Entry, Name

# Spellings of one Korean name each: all must share the Korean key.
SAME_KOREAN = [
    [
        "Pak Heon-yeong",
        "Pak Heonyeong",
        "Pak Hon-yong",
        "Pak Hon Yong",
        "Pak Hŏnyŏng",
        "Pak Hŏn-yŏng",
        "Bak Heon-yeong",
        "PAK HEON-YEONG",
        "pak heon’yeong",
    ],
    ["Yun Gong-heum", "Yoon Gong-heum", "Yun Kong-hum", "Yun Kong Hum", "Yun Kong-hŭm"],
    ["Kim Il-seong", "Gim Il-seong", "Kim Ilsŏng", "Gim Ilseong"],
    ["P'yŏngyang", "Pyeongyang", "Pyongyang", "P’yŏngyang", "Pʼyŏngyang"],
    ["Ch'oe Yong-gŏn", "Choe Yong-geon", "Ch’oe Yong-gon", "Choe Yonggeon"],
    ["Ri Sung-gi", "Lee Seung-gi", "Li Sŭng-gi", "Ni Sung-ki"],
    ["Kim Tu-bong", "Gim Du-bong", "Kim Tubong"],
    ["Chang Chun-ha", "Jang Jun-ha"],
    ["Shin Ik-hee", "Sin Ik-hi"],
    ["Wŏn Yong-dŏk", "Won Yong-deok"],
]

# Different people (or words) that must NOT share the Korean key.
DIFFERENT_KOREAN = [
    ("Pak Heon-yeong", "Pak Chang-ok"),
    ("Pak Heon-yeong", "Pak Hong-yong"),
    ("Pak Heon-yeong", "Park Heon-yeong"),
    ("Kim Il Sung", "Kim Jong Il"),
    ("Kim Il Sung", "Kim Il"),
    ("Yun Gong-heum", "Yun Kong-hun"),
    ("Yun Gong-heum", "Yu Gong-heum"),
    ("Choe Yong-gon", "Cho Yong-gon"),
    ("Kim Tu-bong", "Kim Tu-pong-i"),
    ("Ri Sung-gi", "Yi Sung-gi"),
]


@pytest.mark.parametrize("spellings", SAME_KOREAN, ids=lambda s: s[0])
def test_romanisations_of_one_korean_name_share_the_korean_key(spellings: list[str]) -> None:
    keys = {korean_key(s) for s in spellings}
    assert len(keys) == 1, {s: korean_key(s) for s in spellings}


@pytest.mark.parametrize(("first", "second"), DIFFERENT_KOREAN)
def test_different_korean_names_keep_different_keys(first: str, second: str) -> None:
    assert korean_key(first) != korean_key(second)


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("Pak Heon-yeong", "Pak Heonyeong"),
        ("Pak Heon-yeong", "PAK HEON YEONG"),
        ("Kim Il Sung's", "Kim Il Sungs"),
        ("Práth Károly", "Prath Karoly"),
        ("P'yŏngyang", "Pyongyang"),
        ("P’yŏngyang", "Pʼyongyang"),
        ("V. I. Ivanov", "V.I. Ivanov"),
        ("Worker’s Party of Korea", "Workers Party of Korea"),
    ],
)
def test_base_key_ignores_case_spacing_hyphens_apostrophes_and_diacritics(
    first: str, second: str
) -> None:
    assert base_key(first) == base_key(second)


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("Pak Hon-yong", "Pak Heon-yeong"),  # romanisation needs the Korean key
        ("Yoon Gong-heum", "Yun Gong-heum"),
        ("Peng Dehuai", "Beng Tehuai"),
        ("Korea", "Korean"),
        ("China", "Chinese"),
    ],
)
def test_base_key_does_not_fold_romanisation(first: str, second: str) -> None:
    assert base_key(first) != base_key(second)


def test_korean_key_explains_which_correspondences_differ() -> None:
    assert romanisation_differences("Pak Heon-yong", "Pak Hon-yong") == ["ŏ/eo"]
    assert romanisation_differences("Yoon Kong-heum", "Yun Gong-heum") == ["u/oo", "k/g"]
    assert romanisation_differences("Lee Sung-gi", "Ri Sung-gi") == ["i/ee"]


@pytest.mark.parametrize(
    ("lang", "korean"),
    [
        ("ko-Latn", True),
        ("ko-latn-alalc97", True),
        ("ko", False),
        ("ko-Hani", False),
        ("zh-Latn", False),
        ("", False),
        ("en", False),
    ],
)
def test_which_languages_are_romanised_korean(lang: str, korean: bool) -> None:
    assert is_korean_romanisation(lang) is korean


@pytest.mark.parametrize(
    ("phrase", "name", "ok"),
    [
        ("PAK HEON-YEONG", "Pak Heon-yeong", True),
        ("pak heon-yeong", "Pak Heon-yeong", False),
        ("us", "US", False),
        ("Us", "US", False),
        ("US", "US", True),
        ("kim", "Kim", False),
        ("Presidium", "presidium", True),
        ("presidium", "presidium", True),
        ("김일성", "김일성", True),
    ],
)
def test_case_is_tolerated_one_way(phrase: str, name: str, ok: bool) -> None:
    assert case_compatible(phrase, name) is ok


def test_words_keep_apostrophes_inside_and_split_on_hyphens() -> None:
    text = "Kim Il Sung's P'yŏngyang, Sino-Soviet V.I. Ivanov"
    assert [text[s:e] for s, e in words(text)] == [
        "Kim",
        "Il",
        "Sung's",
        "P'yŏngyang",
        "Sino",
        "Soviet",
        "V",
        "I",
        "Ivanov",
    ]


def _entry(kind: str, xml_id: str, *names: tuple[str, str, str]) -> Entry:
    return Entry(kind, xml_id, names=[Name(text, type_, lang) for text, type_, lang in names])


INDEX = NameIndex.build(
    [
        _entry(
            "person",
            "pak-heon-yeong",
            ("Pak Heon-yeong", "standard", ""),
            ("Pak Hon-yong", "variant", "ko-Latn"),
            ("Pak", "variant", ""),
        ),
        _entry("person", "pak-chang-ok", ("Pak Chang-ok", "standard", ""), ("Pak", "variant", "")),
        _entry(
            "person",
            "peng-dehuai",
            ("Peng Dehuai", "standard", ""),
            ("P'eng Te-huai", "variant", "zh-Latn"),
        ),
        _entry("person", "stalin", ("Joseph Stalin", "standard", ""), ("Filippov", "codename", "")),
        _entry("place", "dprk", ("North Korea", "variant", ""), ("DPRK", "abbreviation", "")),
        _entry("person", "kim", ("Kim Il Sung", "standard", ""), ("Kim", "variant", "")),
    ]
)


@pytest.mark.parametrize(
    ("phrase", "pointer", "how"),
    [
        ("Pak Hon-yong", "person:pak-heon-yeong", How.EXACT),
        ("PAK HEONYEONG", "person:pak-heon-yeong", How.FOLDED),
        ("Pak Heon-yong", "person:pak-heon-yeong", How.KOREAN),
        ("Bak Heonyeong", "person:pak-heon-yeong", How.KOREAN),
        ("Filippov", "person:stalin", How.EXACT),
        ("DPRK", "place:dprk", How.EXACT),
        ("P’eng Te-huai", "person:peng-dehuai", How.FOLDED),
    ],
)
def test_lookup_finds_the_entry_and_says_how(phrase: str, pointer: str, how: How) -> None:
    [candidate] = INDEX.lookup(phrase)
    assert candidate.pointer == pointer
    assert candidate.how is how


@pytest.mark.parametrize(
    "phrase",
    [
        "Beng Tehuai",  # Chinese: no Korean correspondences
        "Kim Jong Il",
        "Gim",  # the variant Kim is not marked ko-Latn: no k/g folding
        "dprk",
        "kim",
        "Park Heon-yeong",
    ],
)
def test_lookup_refuses_other_names(phrase: str) -> None:
    assert INDEX.lookup(phrase) == []


def test_a_name_of_two_entries_is_ambiguous() -> None:
    found = INDEX.lookup("Pak")
    assert {c.pointer for c in found} == {"person:pak-heon-yeong", "person:pak-chang-ok"}


def test_explanations_name_the_registered_form_and_the_reason() -> None:
    [korean] = INDEX.lookup("Pak Heon-yong")
    assert korean.explain("Pak Heon-yong") == (
        '"Pak Heon-yong" matches the variant "Pak Hon-yong" (Korean romanisation, '
        "McCune–Reischauer / Revised Romanization: ŏ/eo)"
    )
    [codename] = INDEX.lookup("Filippov")
    assert codename.explain("Filippov") == '"Filippov" is the codename "Filippov"'
    [folded] = INDEX.lookup("PAK HEON-YEONG")
    assert "the standard name" in folded.explain("PAK HEON-YEONG")
    assert "ignoring case" in folded.explain("PAK HEON-YEONG")


def test_the_index_knows_the_longest_name() -> None:
    assert INDEX.longest == 3  # "Pak Heon-yeong" and "Kim Il Sung": three words each
