"""The pre-commit hook and the CI examples: valid YAML that calls commands the CLI has."""

from __future__ import annotations

import re
import shlex
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from conftest import ROOT
from kimedition.cli import cli

HOOKS = ROOT / ".pre-commit-hooks.yaml"
EXAMPLES = {
    "github": ROOT / "docs" / "examples" / "github-workflow.yml",
    "gitlab": ROOT / "docs" / "examples" / "gitlab-ci.yml",
}
CI_DOC = ROOT / "docs" / "ci.md"
GLOBAL_OPTIONS_WITH_VALUE = {"-C", "--directory"}


def load(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def kimedition_calls(commands: str) -> Iterator[tuple[str, str]]:
    """(subcommand, line) for every ``kimedition …`` in a block of shell commands."""
    for line in commands.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        words = shlex.split(line, comments=True)
        for position, word in enumerate(words):
            if word != "kimedition":
                continue
            rest = iter(words[position + 1 :])
            for token in rest:
                if token in GLOBAL_OPTIONS_WITH_VALUE:
                    next(rest, None)
                elif token.startswith("-"):
                    continue
                else:
                    yield token, line.strip()
                    break


def shell_blocks(name: str, document: Any) -> Iterator[str]:
    """The shell commands a workflow runs: GitHub steps' ``run``, GitLab's scripts."""
    if name == "github":
        for job in document["jobs"].values():
            for step in job.get("steps", []):
                if "run" in step:
                    yield step["run"]
    else:
        for job in document.values():
            if isinstance(job, dict):
                for key in ("before_script", "script", "after_script"):
                    lines = job.get(key) or []
                    yield "\n".join(lines if isinstance(lines, list) else [lines])


# The pre-commit hook ------------------------------------------------------------------


def test_pre_commit_hook_is_valid_with_the_required_keys() -> None:
    hooks = load(HOOKS)
    assert isinstance(hooks, list)
    [hook] = [h for h in hooks if h["id"] == "kimedition-validate"]
    assert hook["entry"] == "kimedition validate"
    assert hook["language"] == "python"
    assert hook["types"] == ["xml"]
    assert hook["files"] == "^tei/"
    assert hook.get("pass_filenames", True) is True
    assert {"id", "name", "entry", "language"} <= set(hook)
    assert re.match(hook["exclude"], "tei/schema/kimedition.rng")
    assert re.match(hook["exclude"], "tei/templates/document.xml")
    assert not re.match(hook["exclude"], "tei/documents/kim-1950-04-stalin-kim-pak.xml")


def test_pre_commit_entry_is_an_installed_command() -> None:
    [hook] = load(HOOKS)
    program, command = hook["entry"].split()
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"][
        "scripts"
    ]
    assert scripts[program] == "kimedition.cli:main"
    assert command in cli.commands


# The CI examples ------------------------------------------------------------------------


def test_github_workflow_has_the_steps() -> None:
    workflow = load(EXAMPLES["github"])
    assert set(workflow["jobs"]) == {"check", "publish"}
    runs = "\n".join(shell_blocks("github", workflow))
    assert "kimedition validate --format github --junit-xml validation.xml" in runs
    uses = [s.get("uses", "") for j in workflow["jobs"].values() for s in j["steps"]]
    assert any(u.startswith("actions/upload-pages-artifact@") for u in uses)
    assert any(u.startswith("actions/deploy-pages@") for u in uses)
    upload = next(
        s
        for s in workflow["jobs"]["check"]["steps"]
        if s.get("uses", "").startswith("actions/upload-pages-artifact@")
    )
    assert upload["with"]["path"] == "output/html"
    assert workflow["jobs"]["publish"]["permissions"] == {"pages": "write", "id-token": "write"}


def test_gitlab_job_has_the_stages() -> None:
    pipeline = load(EXAMPLES["gitlab"])
    assert pipeline["validate"]["artifacts"]["reports"]["junit"] == "validation.xml"
    assert pipeline["pages"]["artifacts"]["paths"] == ["public"]
    assert "cp -r output/html public" in pipeline["pages"]["script"]


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_every_kimedition_command_in_the_examples_exists(name: str) -> None:
    calls = [
        c for block in shell_blocks(name, load(EXAMPLES[name])) for c in kimedition_calls(block)
    ]
    assert {"validate", "build", "check-links"} <= {c for c, _ in calls}
    missing = [(command, line) for command, line in calls if command not in cli.commands]
    assert not missing, (
        f"{EXAMPLES[name].relative_to(ROOT)} calls commands the CLI does not have: "
        + "; ".join(f"`{line}` ({command})" for command, line in missing)
        + f". The CLI has: {', '.join(sorted(cli.commands))}. If `check-links` is still being "
        "written, this fails until it lands."
    )


def test_every_pip_install_says_where_from() -> None:
    for path in EXAMPLES.values():
        text = path.read_text(encoding="utf-8")
        assert "not on PyPI" in text
        assert "pip install kimedition" not in text


def test_ci_doc_includes_the_examples_verbatim() -> None:
    text = CI_DOC.read_text(encoding="utf-8")
    blocks = re.findall(r"```yaml\n(.*?)```", text, re.DOTALL)
    for path in EXAMPLES.values():
        assert path.read_text(encoding="utf-8") in blocks, f"docs/ci.md lacks {path.name}"


def test_ci_doc_pre_commit_config_uses_the_hook() -> None:
    text = CI_DOC.read_text(encoding="utf-8")
    configs = [yaml.safe_load(b) for b in re.findall(r"```yaml\n(repos:.*?)```", text, re.DOTALL)]
    assert configs
    for config in configs:
        hooks = [h["id"] for repo in config["repos"] for h in repo["hooks"]]
        assert "kimedition-validate" in hooks
