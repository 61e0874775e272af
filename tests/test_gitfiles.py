"""``kimedition validate --changed-since REF``, on a temporary git repository."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from conftest import ROOT, SmallEdition
from kimedition.cli import cli
from kimedition.edition import Edition
from kimedition.gitfiles import changed_files, changed_sources

GIT_ENV = {
    "GIT_AUTHOR_NAME": "Test",
    "GIT_AUTHOR_EMAIL": "test@example.org",
    "GIT_COMMITTER_NAME": "Test",
    "GIT_COMMITTER_EMAIL": "test@example.org",
    "GIT_CONFIG_NOSYSTEM": "1",
    "HOME": "",
}


def git(root: Path, *args: str) -> str:
    env = {**os.environ, **GIT_ENV, "HOME": str(root.parent)}
    completed = subprocess.run(
        ["git", "-C", str(root), *args], capture_output=True, text=True, env=env, check=True
    )
    return completed.stdout


@pytest.fixture
def repo(small: SmallEdition) -> SmallEdition:
    """The small edition, committed, with a second document and a tag ``base``."""
    second = small.tei / "documents" / "kim-1950-01-20-second.xml"
    second.write_text(
        small.document.read_text(encoding="utf-8")
        .replace("kim-1950-01-19-test", "kim-1950-01-20-second")
        .replace('when="1950-01-19"', 'when="1950-01-20"'),
        encoding="utf-8",
    )
    (small.root / ".gitignore").write_text("ignored.xml\n", encoding="utf-8")
    git(small.root, "init", "-q", "-b", "main")
    git(small.root, "add", "-A")
    git(small.root, "commit", "-q", "-m", "first")
    git(small.root, "tag", "base")
    return small


def run(runner: CliRunner, root: Path, *args: str) -> Result:
    return runner.invoke(cli, ["-C", str(root), "validate", "--format", "json", *args])


def checked(result: Result) -> list[str]:
    assert result.exit_code in (0, 1), result.output
    return sorted(Path(f).name for f in json.loads(result.stdout)["files"])


def test_nothing_changed_checks_nothing(runner: CliRunner, repo: SmallEdition) -> None:
    result = run(runner, repo.root, "--changed-since", "base")
    assert checked(result) == []
    assert result.exit_code == 0
    assert "0 files checked" in result.stderr


def test_committed_staged_unstaged_and_untracked_changes(
    runner: CliRunner, repo: SmallEdition
) -> None:
    documents = repo.tei / "documents"
    # Committed after base.
    repo.edit_document("writes from", "writes today from")
    git(repo.root, "commit", "-q", "-am", "edit")
    # Staged.
    staged = documents / "kim-1950-01-20-second.xml"
    staged.write_text(
        staged.read_text(encoding="utf-8").replace("writes from", "wrote from"), encoding="utf-8"
    )
    git(repo.root, "add", str(staged))
    # Untracked, and one ignored file that must not count.
    untracked = documents / "kim-1950-01-21-third.xml"
    untracked.write_text(
        repo.document.read_text(encoding="utf-8")
        .replace("kim-1950-01-19-test", "kim-1950-01-21-third")
        .replace('when="1950-01-19"', 'when="1950-01-21"'),
        encoding="utf-8",
    )
    (documents / "ignored.xml").write_text("<TEI/>", encoding="utf-8")
    # A changed file outside tei/, and a deleted document (nothing to check).
    (repo.root / "notes.txt").write_text("x", encoding="utf-8")
    result = run(runner, repo.root, "--changed-since", "base")
    assert checked(result) == [
        "kim-1950-01-19-test.xml",
        "kim-1950-01-20-second.xml",
        "kim-1950-01-21-third.xml",
    ]
    assert result.exit_code == 0
    # Unstaged only, since HEAD.
    staged.unlink()
    git(repo.root, "commit", "-q", "-am", "more")
    repo.edit_document("writes today from", "writes now from")
    assert checked(run(runner, repo.root, "--changed-since", "HEAD")) == [
        "kim-1950-01-19-test.xml",
        "kim-1950-01-21-third.xml",
    ]


def test_references_still_resolve_against_the_whole_corpus(
    runner: CliRunner, repo: SmallEdition
) -> None:
    repo.edit_document("<p><persName", '<p xml:id="kim-1950-01-20-second"><persName')
    result = run(runner, repo.root, "--changed-since", "base")
    assert checked(result) == ["kim-1950-01-19-test.xml"]
    problems = json.loads(result.stdout)["problems"]
    assert [p["rule"] for p in problems] == ["id-unique"]  # the unchanged file defines it too
    assert result.exit_code == 1


@pytest.mark.parametrize("changed", ["persons.xml", "edition.xml"])
def test_a_changed_register_or_header_checks_everything(
    runner: CliRunner, repo: SmallEdition, changed: str
) -> None:
    path = repo.tei / changed
    path.write_text(
        path.read_text(encoding="utf-8").replace("</TEI>", "<!-- x --></TEI>"), encoding="utf-8"
    )
    assert checked(run(runner, repo.root, "--changed-since", "base")) == [
        "edition.xml",
        "kim-1950-01-19-test.xml",
        "kim-1950-01-20-second.xml",
        "orgs.xml",
        "persons.xml",
        "places.xml",
    ]


def test_a_changed_schema_checks_everything_and_templates_nothing(repo: SmallEdition) -> None:
    edition = Edition.open(repo.root)
    (repo.tei / "templates").mkdir()
    shutil.copy(ROOT / "tei" / "templates" / "document.xml", repo.tei / "templates")
    assert changed_sources(edition, "base").paths == []
    (repo.tei / "schema").mkdir()
    (repo.tei / "schema" / "kimedition.sch").write_text("<x/>", encoding="utf-8")
    changed = changed_sources(edition, "base")
    assert changed.everything
    assert changed.reasons == ["tei/schema/kimedition.sch"]
    assert changed.paths == []


def test_paths_and_changed_since_together(runner: CliRunner, repo: SmallEdition) -> None:
    repo.edit_document("writes from", "writes today from")
    second = repo.tei / "documents" / "kim-1950-01-20-second.xml"
    assert checked(run(runner, repo.root, str(second), "--changed-since", "base")) == []
    assert checked(run(runner, repo.root, str(repo.tei), "--changed-since", "base")) == [
        "kim-1950-01-19-test.xml"
    ]


def test_an_edition_in_a_subfolder_of_the_repository(runner: CliRunner, tmp_path: Path) -> None:
    top = tmp_path / "repo"
    edition = SmallEdition(top / "editions" / "kim")
    git(top, "init", "-q")
    git(top, "add", "-A")
    git(top, "commit", "-q", "-m", "first")
    edition.edit_document("writes from", "writes today from")
    found = changed_files(edition.root, "HEAD")
    assert found == [edition.document.resolve()]
    assert checked(run(runner, edition.root, "--changed-since", "HEAD")) == [edition.document.name]


def test_unknown_revision_is_a_usage_error(runner: CliRunner, repo: SmallEdition) -> None:
    for revision in ("no-such-branch", "--output=/tmp/x", ""):
        result = run(runner, repo.root, "--changed-since", revision)
        assert result.exit_code == 2, result.output
        assert "git revision" in result.stderr
        assert "Traceback" not in result.output


def test_not_a_git_repository_is_a_usage_error(runner: CliRunner, small: SmallEdition) -> None:
    env = {"GIT_CEILING_DIRECTORIES": str(small.root.parent)}
    result = runner.invoke(
        cli, ["-C", str(small.root), "validate", "--changed-since", "HEAD"], env=env
    )
    assert result.exit_code == 2
    assert "not in a git repository" in result.stderr
    assert "Traceback" not in result.output
