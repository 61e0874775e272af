"""The package installs with ``pip install .`` and finds its schema and stylesheets."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A non-editable install of the package into a folder of its own."""
    target = tmp_path_factory.mktemp("site")
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--target",
            str(target),
            str(ROOT),
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert completed.returncode == 0, completed.stderr
    return target


def test_wheel_carries_schema_and_stylesheets(installed: Path) -> None:
    resources = installed / "kimedition" / "resources"
    assert (resources / "schema" / "kimedition.rng").is_file()
    assert (resources / "schema" / "kimedition.sch").is_file()
    assert (resources / "xslt" / "cards.xsl").is_file()
    assert (resources / "xslt" / "common" / "functions.xsl").is_file()


def test_installed_command_validates_an_edition_elsewhere(installed: Path, tmp_path: Path) -> None:
    # An edition without schema or stylesheets of its own: the installed ones are used.
    edition = tmp_path / "edition"
    shutil.copytree(ROOT / "tei", edition / "tei", ignore=shutil.ignore_patterns("schema"))
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {**os.environ, "PYTHONPATH": str(installed)}
    completed = subprocess.run(
        [sys.executable, "-m", "kimedition", "-C", str(edition), "validate"],
        capture_output=True,
        text=True,
        cwd=elsewhere,
        env=env,
        timeout=300,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "0 errors" in completed.stderr
    probe = subprocess.run(
        [sys.executable, "-c", "import kimedition.edition as e; print(e.toolkit_schema_dir())"],
        capture_output=True,
        text=True,
        cwd=elsewhere,
        env=env,
        timeout=60,
    )
    assert probe.stdout.strip().startswith(str(installed))


def test_installed_script_exits_with_the_commands_status(installed: Path, tmp_path: Path) -> None:
    script = installed / "bin" / "kimedition"
    assert script.is_file()
    env = {**os.environ, "PYTHONPATH": str(installed)}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, str(script), *args],
            capture_output=True,
            text=True,
            cwd=tmp_path,
            env=env,
            timeout=120,
        )

    assert run("--version").returncode == 0
    missing = run("-C", str(tmp_path / "nowhere"), "validate")
    assert missing.returncode != 0
    assert "nowhere" in missing.stderr
    assert "Traceback" not in missing.stderr
