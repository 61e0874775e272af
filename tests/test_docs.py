"""The documentation keeps up with the code: every rule and command is documented."""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner

from conftest import ROOT
from kimedition.cli import cli

RULES = re.findall(
    r'<sch:(?:assert|report) id="([a-z-]+)"',
    (ROOT / "tei" / "schema" / "kimedition.sch").read_text(encoding="utf-8"),
)


def test_the_schema_has_rules() -> None:
    assert len(RULES) >= 15


@pytest.mark.parametrize("rule", RULES)
def test_every_rule_is_documented(rule: str) -> None:
    text = (ROOT / "docs" / "validation.md").read_text(encoding="utf-8")
    assert f"| `{rule}` |" in text, f"docs/validation.md does not document [{rule}]"


@pytest.mark.parametrize("command", sorted(cli.commands))
def test_every_command_has_help_and_is_in_the_readme(command: str) -> None:
    result = CliRunner().invoke(cli, [command, "--help"])
    assert result.exit_code == 0
    assert cli.commands[command].help, f"{command} has no help text"
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"kimedition {command}" in readme, f"README.md does not mention {command}"
