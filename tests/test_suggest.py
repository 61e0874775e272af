"""``kimedition suggest``: untagged names are found in every spelling; --write adds markup only."""

from __future__ import annotations

import hashlib
import re
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from lxml import etree

from conftest import ROOT, SmallEdition
from kimedition.cli import cli

DOCUMENT = "tei/documents/kim-1956-04-19-ivanov-pak-heon-yeong.xml"
END_OF_P = "should be put to death or not.</p>"

# Planted untagged phrase → the entry it must be found as. Every romanisation of the
# registers' Korean names, codenames, misspellings, abbreviations and folded spellings.
PLANTED = {
    "Pak Hon-yong": "person:pak-heon-yeong",  # variant, McCune–Reischauer without breves
    "Pak Heonyeong": "person:pak-heon-yeong",  # variant
    "Pak Hŏnyŏng": "person:pak-heon-yeong",  # variant with breves
    "PAK HEON-YEONG": "person:pak-heon-yeong",  # capitals
    "Pak Heon-yong": "person:pak-heon-yeong",  # mixed: Korean correspondences
    "Bak Heonyeong": "person:pak-heon-yeong",
    "Yoon Gong-heum": "person:yun-gong-heum",
    "Yun Kong-hum": "person:yun-gong-heum",
    "Yoon Kong-heum": "person:yun-gong-heum",  # mixed
    "Gim Il-seong": "person:kim-il-sung",
    "Kim Il-sŏng": "person:kim-il-sung",  # mixed
    "Pyeongyang": "place:pyongyang",  # Revised Romanization of P'yŏngyang
    "Feng Xi": "person:stalin",  # codename
    "Filippov": "person:stalin",  # codename
    "Shytkov": "person:shtykov",  # misspelling
    "V. I. Ivanov": "person:ivanov",
    "Práth Károly": "person:prath",
    "Karoly Prath": "person:prath",
    "DPRK": "place:dprk",  # abbreviation
    "Korean People's Army": "org:kpa",
    "Worker’s Party of Korea": "org:kwp",  # misspelling with the typographic apostrophe
}

NOTE = re.compile(
    r'^# (?P<path>[^:]+):(?P<line>\d+):(?P<col>\d+): (?P<what>\S+): "(?P<phrase>[^"]+)"'
)


def run(runner: CliRunner, root: Path, *args: str) -> Result:
    return runner.invoke(cli, ["-C", str(root), "suggest", *args])


def notes(result: Result) -> list[dict[str, str]]:
    return [m.groupdict() for m in map(NOTE.match, result.stdout.splitlines()) if m]


def hashes(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*.xml"))
    }


def text_content(path: Path) -> str:
    """Every text node of the file, in order (comments and PIs excluded)."""
    tree = etree.parse(str(path))
    return "".join(str(t) for t in tree.xpath("//text()"))


def tagged(phrase: str, pointer: str) -> str:
    """The markup suggest proposes for a planted phrase."""
    element = {"person": "persName", "place": "placeName", "org": "orgName"}[pointer.split(":")[0]]
    codename = ' type="codename"' if phrase in ("Feng Xi", "Filippov") else ""
    return f'<{element} ref="{pointer}"{codename}>{phrase}</{element}>'


def planted_sentence(mark: bool = False) -> str:
    phrases = [tagged(p, ref) if mark else p for p, ref in PLANTED.items()]
    return f" Also: {', '.join(phrases)}.</p>"


@pytest.fixture
def planted(edition_copy: Path) -> Path:
    """The real edition with the planted names at the end of one document's summary."""
    path = edition_copy / DOCUMENT
    text = path.read_text(encoding="utf-8")
    assert END_OF_P in text
    path.write_text(text.replace(END_OF_P, END_OF_P[:-4] + planted_sentence()), encoding="utf-8")
    return edition_copy


def test_the_real_edition_has_nothing_to_suggest(runner: CliRunner) -> None:
    result = run(runner, ROOT)
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert "20 documents searched: no names to tag" in result.stderr


def test_planted_names_are_found_in_every_spelling(runner: CliRunner, planted: Path) -> None:
    before = hashes(planted)
    result = run(runner, planted)
    assert result.exit_code == 1, result.output
    found = {n["phrase"]: n for n in notes(result)}
    assert {phrase: found[phrase]["what"] for phrase in PLANTED if phrase in found} == PLANTED
    assert {n["path"] for n in found.values()} == {DOCUMENT}
    # Nothing else (the already tagged names of the document) is reported.
    assert set(found) == set(PLANTED)
    # Line and column point at the phrase.
    lines = (planted / DOCUMENT).read_text(encoding="utf-8").splitlines()
    for phrase, note in found.items():
        line = lines[int(note["line"]) - 1]
        assert line[int(note["col"]) - 1 :].startswith(phrase)
    assert "Korean romanisation" in result.stdout
    assert f"{len(PLANTED)} names to tag in 1 document" in result.stderr
    # Without --write nothing is written.
    assert hashes(planted) == before


def test_the_diff_is_a_git_style_patch_with_one_hunk_per_name(
    runner: CliRunner, planted: Path
) -> None:
    result = run(runner, planted)
    out = result.stdout
    assert out.count(
        f"diff --git a/{DOCUMENT} b/{DOCUMENT}\n--- a/{DOCUMENT}\n+++ b/{DOCUMENT}\n"
    ) == len(PLANTED)
    assert len(re.findall(r"^@@ -\d+ \+\d+ @@$", out, re.M)) == len(PLANTED)
    assert (
        "+      <p>" in out
        and '<persName ref="person:pak-heon-yeong">Pak Hon-yong</persName>' in out
    )
    assert '<persName ref="person:stalin" type="codename">Feng Xi</persName>' in out
    # Each hunk comes after the note that explains it.
    blocks = out.split("# ")[1:]
    assert all(block.splitlines()[1].startswith("diff --git") for block in blocks)
    assert "# tei/documents/kim-1956-04-19-ivanov-pak-heon-yeong.xml:" in out
    assert 'person:pak-heon-yeong: "Pak Heon-yong" matches the variant' in out


def test_the_diff_applies_with_git_and_equals_write(
    runner: CliRunner, planted: Path, tmp_path: Path
) -> None:
    patch = tmp_path / "names.diff"
    patch.write_text(run(runner, planted).stdout, encoding="utf-8")
    other = tmp_path / "other"
    subprocess.run(["cp", "-r", str(planted), str(other)], check=True)
    applied = subprocess.run(
        ["git", "apply", "--unidiff-zero", str(patch)], cwd=other, capture_output=True, text=True
    )
    assert applied.returncode == 0, applied.stderr
    assert run(runner, planted, "--write").exit_code == 0
    assert (other / DOCUMENT).read_bytes() == (planted / DOCUMENT).read_bytes()


def test_write_changes_markup_only_and_the_result_validates(
    runner: CliRunner, planted: Path
) -> None:
    path = planted / DOCUMENT
    old_bytes = path.read_bytes()
    old_text = text_content(path)
    others = {k: v for k, v in hashes(planted).items() if k != DOCUMENT}
    result = run(runner, planted, "--write")
    assert result.exit_code == 0, result.output
    assert "names tagged" in result.stderr
    assert "validation: 1 file checked: 0 errors, 0 warnings" in result.stderr
    new_bytes = path.read_bytes()
    assert new_bytes != old_bytes
    assert text_content(path) == old_text
    # Byte for byte the old file, but for the inserted tags.
    assert new_bytes == old_bytes.replace(
        planted_sentence().encode(), planted_sentence(mark=True).encode()
    )
    assert {k: v for k, v in hashes(planted).items() if k != DOCUMENT} == others
    # Done: nothing left to suggest, and the edition is valid.
    again = run(runner, planted)
    assert (again.exit_code, again.stdout) == (0, "")
    validated = runner.invoke(cli, ["-C", str(planted), "validate"])
    assert validated.exit_code == 0, validated.output


def test_tagged_names_and_parts_of_longer_names_are_not_suggested(
    runner: CliRunner, edition_copy: Path
) -> None:
    path = edition_copy / DOCUMENT
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace(
            END_OF_P,
            END_OF_P[:-4]
            + (
                ' <persName ref="person:pak-heon-yeong">Pak Hon-yong</persName>'
                ' <persName ref="person:stalin" type="codename">Filippov</persName>'
                ' <orgName ref="org:mfa-dprk">Ministry of Foreign Affairs of the'
                ' <placeName ref="place:dprk">DPRK</placeName></orgName>'
                ' <rs type="person" ref="person:pak-heon-yeong" cert="high">the minister Pak</rs>.</p>'
            ),
        ),
        encoding="utf-8",
    )
    result = run(runner, edition_copy)
    assert (result.exit_code, result.stdout) == (0, ""), result.output


def test_a_name_tagged_with_another_entry_is_a_conflict_never_applied(
    runner: CliRunner, edition_copy: Path
) -> None:
    path = edition_copy / DOCUMENT
    path.write_text(
        path.read_text(encoding="utf-8").replace(
            END_OF_P, END_OF_P[:-4] + ' <persName ref="person:stalin">Pak Hon-yong</persName>.</p>'
        ),
        encoding="utf-8",
    )
    before = path.read_bytes()
    result = run(runner, edition_copy, "--write")
    assert result.exit_code == 1
    assert 'conflict: "Pak Hon-yong" is tagged as person:stalin' in result.stdout
    assert "a name of person:pak-heon-yeong" in result.stdout
    assert "diff --git" not in result.stdout
    assert path.read_bytes() == before


@pytest.fixture
def two_paks(small: SmallEdition) -> SmallEdition:
    """Two persons who share the variant "Pak"."""
    small.edit(
        small.tei / "persons.xml",
        "</listPerson>",
        (
            '<person xml:id="pak-chang-ok" sortKey="pak-chang-ok">'
            '<persName type="standard">Pak Chang-ok</persName>'
            '<persName type="variant">Pak</persName></person>\n</listPerson>'
        ),
    )
    small.edit(
        small.tei / "persons.xml",
        '<persName type="variant">Pak Hon-yong</persName>',
        '<persName type="variant">Pak Hon-yong</persName><persName type="variant">Pak</persName>',
    )
    small.edit_document("</p>", " Pak and Stalin met.</p>")
    return small


def test_ambiguous_names_are_shown_and_not_applied(
    runner: CliRunner, two_paks: SmallEdition
) -> None:
    result = run(runner, two_paks.root, "--write")
    assert result.exit_code == 1
    [ambiguous] = [n for n in notes(result) if n["what"] == "ambiguous"]
    assert ambiguous["phrase"] == "Pak"
    assert (
        "person:pak-heon-yeong (Pak Heon-yeong) or person:pak-chang-ok (Pak Chang-ok)"
        in result.stdout
    )
    assert "not applied" in result.stdout
    text = two_paks.document.read_text(encoding="utf-8")
    assert ' Pak and <persName ref="person:stalin">Stalin</persName> met.</p>' in text
    assert "1 name tagged in 1 document, 1 ambiguous" in result.stderr


def test_the_source_is_edited_through_entities_crlf_and_cdata(
    runner: CliRunner, small: SmallEdition
) -> None:
    text = small.document.read_text(encoding="utf-8").replace("\n", "\r\n")
    text = text.replace(
        "</p>",
        " &#80;ak Hon-yong &amp; Filippov\u2019s <![CDATA[Stalin]]> and <!-- Stalin --> KWP.</p>",
    )
    small.document.write_bytes(text.encode("utf-8"))
    before = text_content(small.document)
    result = run(runner, small.root, "--write")
    assert result.exit_code == 1  # the name in CDATA is left to do by hand
    assert '"Stalin" (person:stalin) is in a CDATA section' in result.stdout
    new = small.document.read_bytes().decode("utf-8")
    assert new.count("\r\n") == text.count("\r\n") and "\n" not in new.replace("\r\n", "")
    assert (
        '<persName ref="person:pak-heon-yeong">&#80;ak Hon-yong</persName> &amp; '
        '<persName ref="person:stalin" type="codename">Filippov</persName>\u2019s '
        '<![CDATA[Stalin]]> and <!-- Stalin --> <orgName ref="org:kwp">KWP</orgName>.</p>'
    ) in new
    assert text_content(small.document) == before


@pytest.mark.parametrize("given", ["tei/persons.xml", "tei/documents/missing.xml", "../x.xml"])
def test_paths_that_are_not_documents_are_usage_errors(
    runner: CliRunner, small: SmallEdition, given: str
) -> None:
    result = run(runner, small.root, str(small.root / given))
    assert result.exit_code == 2
    assert "Traceback" not in result.output


def test_given_documents_only_are_searched(runner: CliRunner, two_paks: SmallEdition) -> None:
    other = two_paks.tei / "documents" / "kim-1950-01-20-other.xml"
    other.write_text(
        two_paks.document.read_text(encoding="utf-8")
        .replace("kim-1950-01-19-test", "kim-1950-01-20-other")
        .replace('when="1950-01-19"', 'when="1950-01-20"'),
        encoding="utf-8",
    )
    result = run(runner, two_paks.root, str(two_paks.document))
    assert {n["path"] for n in notes(result)} == {f"tei/documents/{two_paks.document.name}"}
    assert "1 document searched" in result.stderr
    folder = run(runner, two_paks.root, str(two_paks.tei))
    assert "2 documents searched" in folder.stderr


def test_a_name_broken_across_lines_is_found_and_noted_on_one_line(
    runner: CliRunner, small: SmallEdition
) -> None:
    small.edit_document("</p>", " Then Pak\n        Hon-yong left.</p>")
    result = run(runner, small.root, "--write")
    assert result.exit_code == 0, result.output
    [note] = notes(result)
    assert note["phrase"] == "Pak Hon-yong"
    assert re.search(r"^@@ -\d+,2 \+\d+,2 @@$", result.stdout, re.M)
    assert (
        ' Then <persName ref="person:pak-heon-yeong">Pak\n        Hon-yong</persName> left.</p>'
        in small.document.read_text(encoding="utf-8")
    )
