"""``kimedition validate``: each rule on a small fixture, each output format, exit codes."""

from __future__ import annotations

import importlib
import json
import os
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from lxml import etree

from conftest import ROOT, SmallEdition, age_all, count_name_indexes
from kimedition.cache import CACHE_VARIABLE, cache_home
from kimedition.cli import cli

validate_module = importlib.import_module("kimedition.validate")


def run(runner: CliRunner, root: Path, *args: str, env: dict[str, str] | None = None) -> Result:
    return runner.invoke(cli, ["-C", str(root), "validate", *args], env=env)


def problems(runner: CliRunner, root: Path, *args: str) -> tuple[int, list[dict[str, Any]]]:
    result = run(runner, root, "--format", "json", *args)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, json.loads(result.stdout)["problems"]


def find(found: list[dict[str, Any]], rule: str) -> dict[str, Any]:
    matching = [p for p in found if p["rule"] == rule]
    assert matching, f"no [{rule}] among {[(p['rule'], p['message']) for p in found]}"
    return matching[0]


def test_small_edition_is_valid(runner: CliRunner, small: SmallEdition) -> None:
    code, found = problems(runner, small.root)
    assert found == []
    assert code == 0


def test_the_edition_is_valid(runner: CliRunner) -> None:
    result = run(runner, ROOT)
    assert result.exit_code == 0, result.output
    assert " 0 errors" in result.stderr


# Each case: (rule, file, old text, new text, severity). The problem must be reported on
# the line where the new text starts.
CASES: list[tuple[str, str, str, str, str]] = [
    (
        "ref-resolves",
        "doc",
        '<persName ref="person:stalin">Stalin</persName> to',
        '<persName ref="person:stallin">Stalin</persName> to',
        "error",
    ),
    (
        "ref-kind",
        "doc",
        '<placeName ref="place:pyongyang">',
        '<placeName ref="person:stalin">',
        "error",
    ),
    ("ref-kind", "doc", '<orgName ref="org:kwp">', '<orgName ref="place:pyongyang">', "error"),
    ("ref-syntax", "doc", '<orgName ref="org:kwp">', '<orgName ref="kwp">', "error"),
    (
        "prefix-declared",
        "doc",
        '<prefixDef ident="org" matchPattern="([A-Za-z0-9._-]+)" replacementPattern="../orgs.xml#$1"/>',
        "",
        "error",
    ),
    (
        "catref-resolves",
        "doc",
        'target="../edition.xml#type-telegram"',
        'target="../edition.xml#type-telegramm"',
        "error",
    ),
    ("id-unique", "doc", "<p><persName", '<p xml:id="stalin"><persName', "error"),
    ("id-unique", "doc", "<p><persName", '<p xml:id="kim-1950-01-19-test"><persName', "error"),
    (
        "id-filename",
        "doc",
        'xml:id="kim-1950-01-19-test"',
        'xml:id="kim-1950-01-19-other"',
        "error",
    ),
    ("document-id", "doc", 'xml:id="kim-1950-01-19-test"', 'xml:id="Test_Document"', "error"),
    (
        "date-filename",
        "doc",
        '<date when="1950-01-19">January 19, 1950</date>\n      </creation>',
        '<date when="1950-01-21">January 19, 1950</date>\n      </creation>',
        "error",
    ),
    ("date-valid", "doc", '<date when="1950-01-20">', '<date when="1950-02-30">', "error"),
    ("date-valid", "doc", '<date when="1950-01-20">', '<date when="1950-13">', "error"),
    (
        "date-order",
        "doc",
        '<date when="1950-01-20">',
        '<date from="1950-02-01" to="1950-01-31">',
        "error",
    ),
    (
        "date-attributes",
        "doc",
        '<date when="1950-01-20">',
        '<date when="1950-01-20" from="1950-01-20" to="1950-01-21">',
        "error",
    ),
    (
        "date-line-agrees",
        "doc",
        '<docDate when="1950-01-19">',
        '<docDate when="1950-01-18">',
        "warning",
    ),
    (
        "name-not-empty",
        "doc",
        '<orgName ref="org:kwp">KWP</orgName>',
        '<orgName ref="org:kwp"> </orgName>',
        "error",
    ),
    ("name-untagged", "doc", "on <date", "and Pak Hon-yong on <date", "warning"),
    ("name-untagged", "doc", "on <date", "and PAK HEONYEONG on <date", "warning"),
    ("name-untagged", "doc", "on <date", "and Stalin’s envoy on <date", "warning"),
    (
        "entry-id",
        "persons",
        '<person xml:id="pak-heon-yeong" sortKey="pak-heon-yeong">',
        '<person sortKey="pak-heon-yeong">',
        "error",
    ),
    (
        "entry-name",
        "persons",
        '<persName type="standard"><surname>Pak</surname> <forename>Heon-yeong</forename></persName>',
        '<persName type="variant"><surname>Pak</surname> <forename>Heon-yeong</forename></persName>',
        "error",
    ),
    (
        "entry-used",
        "places",
        "</listPlace>",
        '<place xml:id="seoul" type="settlement"><placeName type="standard">Seoul</placeName>'
        "</place>\n</listPlace>",
        "warning",
    ),
    (
        "url-scheme",
        "doc",
        'scheme="../edition.xml#document-types"',
        'scheme="javascript:alert(1)"',
        "error",
    ),
    (
        "url-scheme",
        "doc",
        'scheme="../edition.xml#document-types"',
        'scheme="file:///etc/passwd"',
        "error",
    ),
    ("rng", "doc", "writes from", "writes <hi>from</hi>", "error"),
    (
        "rng",
        "doc",
        '<persName ref="person:stalin">Stalin</persName> to',
        '<persName ref="person:stalin" rend="bold">Stalin</persName> to',
        "error",
    ),
    ("rng", "doc", "<titleStmt>", "<titleStmt><respStmt/>", "error"),
    ("xml", "doc", "</head>", "</hed>", "error"),
]


# Where the problem is reported when it is not on the edited line.
REPORTED_AT = {
    "prefix-declared": "<listPrefixDef>",
    "entry-name": '<person xml:id="pak-heon-yeong"',
}


@pytest.mark.parametrize(
    ("rule", "target", "old", "new", "severity"),
    CASES,
    ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)],
)
def test_rule_reports_id_line_and_exit_code(
    runner: CliRunner,
    small: SmallEdition,
    rule: str,
    target: str,
    old: str,
    new: str,
    severity: str,
) -> None:
    path = {
        "doc": small.document,
        "persons": small.tei / "persons.xml",
        "places": small.tei / "places.xml",
    }[target]
    line = small.edit(path, old, new)
    if rule in REPORTED_AT:
        line = small.line_of(path, REPORTED_AT[rule])
    code, found = problems(runner, small.root)
    problem = find(found, rule)
    at_line = [p for p in found if p["rule"] == rule and p["line"] == line]
    problem = at_line[0] if at_line else problem
    assert problem["severity"] == severity
    assert problem["path"].endswith(path.name)
    assert problem["line"] == line, problem
    assert problem["column"] > 0, problem
    if severity == "error":
        assert code == 1
    else:
        assert code == 0
        strict_code, _ = problems(runner, small.root, "--strict")
        assert strict_code == 1


def test_unknown_reference_names_the_closest_ids(runner: CliRunner, small: SmallEdition) -> None:
    small.edit_document(
        '<persName ref="person:stalin">Stalin</persName> to',
        '<persName ref="person:stallin">Stalin</persName> to',
    )
    _, found = problems(runner, small.root)
    assert "closest: stalin" in find(found, "ref-resolves")["message"]


def test_duplicate_id_names_both_files(runner: CliRunner, small: SmallEdition) -> None:
    small.edit_document("<p><persName", '<p xml:id="pyongyang"><persName')
    _, found = problems(runner, small.root)
    duplicates = [p for p in found if p["rule"] == "id-unique"]
    assert {Path(p["path"]).name for p in duplicates} == {small.document.name, "places.xml"}
    assert "places.xml" in duplicates[0]["message"]
    assert f"documents/{small.document.name}" in duplicates[0]["message"]


def test_untagged_name_suggests_the_markup(runner: CliRunner, small: SmallEdition) -> None:
    small.edit_document("on <date", "and Pak Hon-yong on <date")
    _, found = problems(runner, small.root)
    message = find(found, "name-untagged")["message"]
    assert '"Pak Hon-yong"' in message
    assert '<persName ref="person:pak-heon-yeong">' in message


def test_tagged_names_are_not_reported(runner: CliRunner, small: SmallEdition) -> None:
    small.edit_document(
        "on <date",
        'and <persName ref="person:pak-heon-yeong">Pak Hon-yong</persName> on <date',
    )
    code, found = problems(runner, small.root)
    assert found == []
    assert code == 0


def test_name_tagged_with_another_entry_is_reported(runner: CliRunner, small: SmallEdition) -> None:
    small.edit_document(
        "on <date", 'and <persName ref="person:stalin">Pak Hon-yong</persName> on <date'
    )
    _, found = problems(runner, small.root)
    assert find(found, "name-untagged")


def test_relaxng_message_says_what_is_allowed(runner: CliRunner, small: SmallEdition) -> None:
    small.edit_document("writes from", "writes <hi>from</hi>")
    _, found = problems(runner, small.root)
    message = find(found, "rng")["message"]
    assert "hi" in message
    assert "persName" in message and "placeName" in message


def test_relaxng_attribute_value_message_names_the_datatype(
    runner: CliRunner, small: SmallEdition
) -> None:
    small.edit_document(
        '<p><persName ref="person:stalin" type="codename">',
        '<p><persName ref="person:stalin" type="codename" cert="sure">',
    )
    _, found = problems(runner, small.root)
    message = find(found, "rng")["message"]
    assert '"sure"' in message and "cert" in message
    assert "high" in message


def test_not_well_formed_reports_line_and_column(runner: CliRunner, small: SmallEdition) -> None:
    line = small.edit_document("</head>", "</hed>")
    code, found = problems(runner, small.root)
    problem = find(found, "xml")
    assert problem["line"] == line
    assert problem["column"] > 1
    assert "not well-formed" in problem["message"]
    assert code == 1


def test_every_file_is_reported_not_just_the_first(runner: CliRunner, small: SmallEdition) -> None:
    second = small.tei / "documents" / "kim-1950-01-20-second.xml"
    second.write_text(
        small.document.read_text(encoding="utf-8")
        .replace("kim-1950-01-19-test", "kim-1950-01-20-second")
        .replace('when="1950-01-19"', 'when="1950-01-20"')
        .replace("</head>", "</hed>"),
        encoding="utf-8",
    )
    small.edit_document('<orgName ref="org:kwp">', '<orgName ref="org:kwpp">')
    _, found = problems(runner, small.root)
    files = {Path(p["path"]).name for p in found if p["severity"] == "error"}
    assert files == {small.document.name, second.name}


def test_missing_register_is_one_clear_error(runner: CliRunner, small: SmallEdition) -> None:
    (small.tei / "orgs.xml").unlink()
    code, found = problems(runner, small.root)
    assert code == 1
    missing = find(found, "file")
    assert missing["path"].endswith("orgs.xml")
    assert "register is missing" in missing["message"]
    assert not [p for p in found if p["rule"] == "ref-resolves"]


def test_given_paths_are_checked_against_the_whole_corpus(
    runner: CliRunner, small: SmallEdition
) -> None:
    small.edit(small.tei / "persons.xml", '<person xml:id="stalin"', '<person xml:id="pyongyang"')
    code, found = problems(runner, small.root, str(small.document))
    assert {Path(p["path"]).name for p in found} == {small.document.name}
    assert find(found, "ref-resolves")
    assert code == 1


@pytest.mark.parametrize("form", ["with ..", "through a link"])
def test_a_source_given_by_another_path_is_checked_once_as_itself(
    runner: CliRunner, small: SmallEdition, tmp_path: Path, form: str
) -> None:
    """A file named on the command line is matched to the source it is, however it is
    written: checked once, against the corpus, reported under the source's own path."""
    small.edit(small.tei / "persons.xml", '<person xml:id="stalin"', '<person xml:id="stalyn"')
    if form == "with ..":
        given = small.tei / "documents" / ".." / "documents" / small.document.name
    else:
        given = tmp_path / "alias.xml"
        given.symlink_to(small.document)
    result = run(runner, small.root, "--format", "json", str(given))
    assert result.exit_code == 1, result.output
    report = json.loads(result.stdout)
    assert report["files"] == [str(small.document)]
    assert {p["path"] for p in report["problems"]} == {str(small.document)}


@pytest.mark.parametrize("given", ["missing.xml", "../outside.xml"])
def test_bad_path_is_a_usage_error(
    runner: CliRunner, small: SmallEdition, tmp_path: Path, given: str
) -> None:
    (tmp_path / "outside.xml").write_text("<TEI/>", encoding="utf-8")
    result = run(runner, small.root, str(small.root / given))
    assert result.exit_code == 2
    assert given.lstrip("./") in result.stderr
    assert "Traceback" not in result.output


def test_not_an_edition_folder_is_a_usage_error(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(cli, ["-C", str(tmp_path), "validate"])
    assert result.exit_code == 2
    assert "not an edition folder" in result.stderr


def test_unusable_schema_is_a_usage_error(runner: CliRunner, small: SmallEdition) -> None:
    schema = small.tei / "schema"
    schema.mkdir()
    (schema / "kimedition.rng").write_text("<grammar>", encoding="utf-8")
    result = run(runner, small.root)
    assert result.exit_code == 2
    assert "kimedition.rng" in result.stderr


# Output formats ---------------------------------------------------------------


@pytest.fixture
def broken(small: SmallEdition) -> SmallEdition:
    small.edit_document(
        '<persName ref="person:stalin">Stalin</persName> to',
        '<persName ref="person:stallin">Stalin</persName> to',
    )
    small.edit_document("on <date", "and Pak Hon-yong, on <date")
    return small


def test_text_format(runner: CliRunner, broken: SmallEdition) -> None:
    result = run(runner, broken.root)
    lines = result.stdout.splitlines()
    pattern = re.compile(r"^.+:\d+:\d+: (error|warning): .+ \[[a-z-]+\]$")
    assert lines and all(pattern.match(line) for line in lines), lines
    assert "1 error, 1 warning" in result.stderr


def test_json_format(runner: CliRunner, broken: SmallEdition) -> None:
    result = run(runner, broken.root, "--format", "json")
    data = json.loads(result.stdout)
    assert data["valid"] is False
    assert data["errors"] == 1 and data["warnings"] == 1
    assert {"path", "line", "column", "severity", "rule", "message"} <= set(data["problems"][0])


def test_junit_format(runner: CliRunner, broken: SmallEdition, tmp_path: Path) -> None:
    report = tmp_path / "junit.xml"
    result = run(runner, broken.root, "--format", "junit", "--junit-xml", str(report))
    for text in (result.stdout, report.read_text(encoding="utf-8")):
        root = etree.fromstring(text.encode())
        suite = root.find("testsuite")
        assert suite is not None
        assert int(suite.get("tests", "0")) == 5
        assert suite.get("failures") == "1"
        failures = root.findall(".//failure")
        assert len(failures) == 1
        assert "ref-resolves" in (failures[0].text or "")


def test_github_format_and_summary(runner: CliRunner, broken: SmallEdition, tmp_path: Path) -> None:
    summary = tmp_path / "summary.md"
    result = run(
        runner, broken.root, "--format", "github", env={"GITHUB_STEP_SUMMARY": str(summary)}
    )
    pattern = re.compile(
        r"^::(error|warning) file=[^,:]+(,line=\d+)?(,col=\d+)?(,title=[^,:]+)?::[^\n]+$"
    )
    lines = result.stdout.splitlines()
    assert len(lines) == 2
    assert all(pattern.match(line) for line in lines), lines
    text = summary.read_text(encoding="utf-8")
    assert text.startswith("## TEI validation failed")
    assert "| `" in text and "ref-resolves" in text


def test_python_module_entry_point(small: SmallEdition) -> None:
    import subprocess
    import sys

    completed = subprocess.run(
        [sys.executable, "-m", "kimedition", "-C", str(small.root), "validate"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert completed.returncode == 0, completed.stderr
    assert "0 errors" in completed.stderr


# The cache of results between runs ----------------------------------------------


class Passes:
    """Counts the files each pass of ``kimedition validate`` works on, run in-process."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.scanned: list[str] = []
        self.checked: list[str] = []
        scan, check = validate_module.scan_files, validate_module.check_files

        def scan_files(files: Any, *args: Any, **kwargs: Any) -> Any:
            self.scanned.extend(Path(path).name for path, _, _ in files)
            return scan(files, *args, **kwargs)

        def check_files(tasks: Any, *args: Any, **kwargs: Any) -> Any:
            self.checked.extend(Path(task.path).name for task in tasks)
            return check(tasks, *args, **kwargs)

        monkeypatch.setattr(validate_module, "scan_files", scan_files)
        monkeypatch.setattr(validate_module, "check_files", check_files)

    def reset(self) -> None:
        self.scanned.clear()
        self.checked.clear()


@pytest.fixture
def passes(monkeypatch: pytest.MonkeyPatch) -> Passes:
    return Passes(monkeypatch)


def checked_once(runner: CliRunner, small: SmallEdition, passes: Passes) -> None:
    """Validate ``small`` (valid, its files dated back) once, so that its results are
    kept, and start counting afresh."""
    age_all(small)
    assert problems(runner, small.root) == (0, [])
    passes.reset()


def test_unchanged_files_are_not_checked_again(
    runner: CliRunner, broken: SmallEdition, passes: Passes
) -> None:
    age_all(broken)
    first = problems(runner, broken.root)
    assert set(passes.checked) == {"edition.xml", "persons.xml", "places.xml", "orgs.xml"} | {
        broken.document.name
    }
    passes.reset()
    second = problems(runner, broken.root)
    assert passes.scanned == []
    assert passes.checked == []
    assert second == first
    assert {p["rule"] for p in second[1]} >= {"ref-resolves", "name-untagged"}
    assert problems(runner, broken.root, "--no-cache") == first


def test_an_edited_document_is_checked_again(
    runner: CliRunner, small: SmallEdition, passes: Passes
) -> None:
    checked_once(runner, small, passes)
    small.edit_document("on <date", "and Pak Hon-yong on <date")
    _, found = problems(runner, small.root)
    assert passes.scanned == [small.document.name]
    assert passes.checked == [small.document.name]
    assert find(found, "name-untagged")


def test_a_change_in_the_same_second_and_size_is_seen(
    runner: CliRunner, small: SmallEdition
) -> None:
    # The file was written just now: the cache does not trust its size and time, which
    # an edit in the same tick of a coarse clock would leave as they are.
    assert problems(runner, small.root) == (0, [])
    info = small.document.stat()
    small.edit_document('ref="person:stalin"', 'ref="person:stalix"')
    os.utime(small.document, ns=(info.st_atime_ns, info.st_mtime_ns))
    assert small.document.stat().st_size == info.st_size
    code, found = problems(runner, small.root)
    assert find(found, "ref-resolves")
    assert code == 1


def test_an_edited_register_rechecks_every_document(
    runner: CliRunner, small: SmallEdition, passes: Passes
) -> None:
    checked_once(runner, small, passes)
    small.edit(small.tei / "persons.xml", '<person xml:id="stalin"', '<person xml:id="stalyn"')
    code, found = problems(runner, small.root)
    assert small.document.name in passes.checked
    assert passes.scanned == ["persons.xml"]
    assert Path(find(found, "ref-resolves")["path"]).name == small.document.name
    assert code == 1


def test_the_rules_name_index_is_kept_with_the_results(
    runner: CliRunner, small: SmallEdition, passes: Passes, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The index of registered names the rules look words up in is made once and kept:
    checking an edited document does not make it again, an edited register does, and
    ``--no-cache`` always does; the rule for untagged names finds the same either way."""
    checked_once(runner, small, passes)
    made = count_name_indexes(monkeypatch)
    assert problems(runner, small.root) == (0, [])  # nothing to check: kept all the same
    small.edit_document("writes from", "writes from Filippov in")
    code, found = problems(runner, small.root)
    assert passes.checked == [small.document.name] and made == []
    assert code == 0
    assert Path(find(found, "name-untagged")["path"]).name == small.document.name
    assert problems(runner, small.root, "--no-cache") == (code, found)
    assert len(made) == 1
    small.edit(
        small.tei / "persons.xml",
        '<persName type="codename">Filippov</persName>',
        '<persName type="codename">Filipov</persName>',
    )
    code, found = problems(runner, small.root)
    assert len(made) == 2
    assert not [p for p in found if p["rule"] == "name-untagged"]


def test_a_duplicate_id_rechecks_the_unchanged_file_that_has_it(
    runner: CliRunner, small: SmallEdition, passes: Passes
) -> None:
    checked_once(runner, small, passes)
    small.edit_document("<p><persName", '<p xml:id="pyongyang"><persName')
    _, found = problems(runner, small.root)
    assert sorted(passes.checked) == sorted([small.document.name, "places.xml"])
    duplicates = {Path(p["path"]).name for p in found if p["rule"] == "id-unique"}
    assert duplicates == {small.document.name, "places.xml"}


def test_a_duplicate_id_removed_rechecks_the_unchanged_file_that_had_it(
    runner: CliRunner, small: SmallEdition, passes: Passes
) -> None:
    """The other file's result is not reused once the id is again its own."""
    small.edit_document("<p><persName", '<p xml:id="pyongyang"><persName')
    age_all(small)
    assert problems(runner, small.root)[0] == 1
    passes.reset()
    small.edit_document('<p xml:id="pyongyang"><persName', "<p><persName")
    assert problems(runner, small.root) == (0, [])
    assert sorted(passes.checked) == sorted([small.document.name, "places.xml"])


def test_checking_some_files_keeps_them_for_a_whole_run(
    runner: CliRunner, small: SmallEdition, passes: Passes
) -> None:
    age_all(small)
    assert problems(runner, small.root, str(small.document)) == (0, [])
    assert passes.checked == [small.document.name]
    passes.reset()
    assert problems(runner, small.root) == (0, [])
    assert passes.scanned == ["edition.xml", "persons.xml", "places.xml", "orgs.xml"]
    assert small.document.name not in passes.checked
    # A full scan answers for a run that only needs the other files' ids and pointers.
    passes.reset()
    assert problems(runner, small.root, str(small.document)) == (0, [])
    assert passes.scanned == []
    assert passes.checked == []


def test_another_size_limit_scans_again(
    runner: CliRunner, small: SmallEdition, passes: Passes
) -> None:
    checked_once(runner, small, passes)
    assert problems(runner, small.root, "--max-file-size", "1") == (0, [])
    assert len(passes.scanned) == 5
    assert len(passes.checked) == 5


def test_a_changed_schema_rechecks_every_file(
    runner: CliRunner, small: SmallEdition, passes: Passes
) -> None:
    schema = small.tei / "schema"
    shutil.copytree(ROOT / "tei" / "schema", schema)
    checked_once(runner, small, passes)
    # The Schematron: every file's rules again; the RELAX NG schema: every file's scan
    # (the rules do not depend on it).
    for name, rechecked, rescanned in (("kimedition.sch", 5, 0), ("kimedition.rng", 0, 5)):
        changed = schema / name
        changed.write_text(changed.read_text(encoding="utf-8") + "<!-- edited -->\n", "utf-8")
        assert problems(runner, small.root) == (0, [])
        assert len(passes.checked) == rechecked, name
        assert len(passes.scanned) == rescanned, name
        passes.reset()


def test_no_cache_neither_reads_nor_writes_it(
    runner: CliRunner, small: SmallEdition, passes: Passes, tmp_path: Path
) -> None:
    env = {CACHE_VARIABLE: str(tmp_path / "cache")}
    result = run(runner, small.root, "--no-cache", env=env)
    assert result.exit_code == 0
    assert not (tmp_path / "cache").exists()
    assert run(runner, small.root, env=env).exit_code == 0
    assert len(list((tmp_path / "cache" / "validate").iterdir())) == 1
    passes.reset()
    assert run(runner, small.root, "--no-cache", env=env).exit_code == 0
    assert len(passes.checked) == 5


def test_a_damaged_cache_counts_as_none(
    runner: CliRunner, broken: SmallEdition, tmp_path: Path
) -> None:
    env = {CACHE_VARIABLE: str(tmp_path / "cache")}
    expected = run(runner, broken.root, "--no-cache", "--format", "json", env=env).stdout
    assert run(runner, broken.root, env=env).exit_code == 1
    (saved,) = (tmp_path / "cache" / "validate").iterdir()
    kept = json.loads(saved.read_bytes())
    past_the_table = json.loads(saved.read_bytes())
    for record in past_the_table["scans"].values():
        record["scan"]["refs"] = [len(kept["pointers"][0])]
    damages = [
        b"{not json",
        b'{"format": 5, "scans": {"x": 1}}',
        b"\xff\xfe",
        json.dumps({**kept, "pointers": [[1], 0]}).encode(),
        json.dumps(past_the_table).encode(),
    ]
    for damage in damages:
        saved.write_bytes(damage)
        result = run(runner, broken.root, "--format", "json", env=env)
        assert result.exit_code == 1
        assert result.stdout == expected


def test_a_cache_folder_that_cannot_be_written_is_no_error(
    runner: CliRunner, broken: SmallEdition, tmp_path: Path
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    result = run(runner, broken.root, "--format", "json", env={CACHE_VARIABLE: str(blocker)})
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert find(json.loads(result.stdout)["problems"], "ref-resolves")
    assert blocker.read_text(encoding="utf-8") == "not a folder"


def test_the_cache_lies_outside_the_edition(
    runner: CliRunner, small: SmallEdition, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = sorted(p.relative_to(small.root) for p in small.root.rglob("*"))
    assert run(runner, small.root).exit_code == 0
    assert sorted(p.relative_to(small.root) for p in small.root.rglob("*")) == before
    monkeypatch.delenv(CACHE_VARIABLE)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_home() == tmp_path / "xdg" / "kimedition"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert cache_home() == tmp_path / "home" / ".cache" / "kimedition"


def test_no_home_folder_means_no_cache_not_an_error(
    runner: CliRunner, broken: SmallEdition, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_home() -> Path:
        raise RuntimeError("Could not determine home directory.")

    monkeypatch.delenv(CACHE_VARIABLE)
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setattr(Path, "home", no_home)
    assert cache_home() is None
    code, found = problems(runner, broken.root)
    assert code == 1
    assert find(found, "ref-resolves")
