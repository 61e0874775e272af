"""Golden files: the published outputs of the real edition, compared after normalising.

The expected outputs live in ``tests/golden/``. After an intended change to the
sources or the stylesheets, regenerate them and review the difference:

    make golden            # or: pytest tests/test_golden.py --update-golden
    git diff tests/golden

Normalising: HTML is parsed and pretty-printed (so that only content and structure
count, not line breaks), and the toolkit's version number is replaced by ``VERSION``.
Text, JSON and CSV files are compared as they are.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree, html

from conftest import ROOT
from kimedition import __version__
from kimedition.cli import cli

GOLDEN = ROOT / "tests" / "golden"
COMPARED = ("html/*.html", "html/documents/*.html", "text/*.txt", "data/*.json", "data/*.csv")


def normalise(path: Path) -> str:
    """The text of an output file as the golden comparison sees it."""
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".html":
        tree = html.document_fromstring(text)
        text = "<!DOCTYPE html>\n" + etree.tostring(
            tree, encoding="unicode", method="html", pretty_print=True
        )
    return re.sub(rf"\b{re.escape(__version__)}\b", "VERSION", text)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("golden") / "output"
    result = CliRunner().invoke(cli, ["-C", str(ROOT), "build", "--quiet", "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out


def outputs(folder: Path) -> list[str]:
    return sorted(
        p.relative_to(folder).as_posix() for pattern in COMPARED for p in folder.glob(pattern)
    )


def test_golden_files(built: Path, request: pytest.FixtureRequest) -> None:
    produced = outputs(built)
    assert len(produced) > 40
    if request.config.getoption("--update-golden"):
        if GOLDEN.exists():
            for stale in GOLDEN.rglob("*"):
                if stale.is_file():
                    stale.unlink()
        for relative in produced:
            target = GOLDEN / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(normalise(built / relative), encoding="utf-8")
        pytest.skip("golden files regenerated; review them with git diff tests/golden")
    expected = outputs(GOLDEN)
    assert produced == expected, "the set of outputs changed; regenerate with make golden"
    different = [
        r for r in produced if normalise(built / r) != (GOLDEN / r).read_text(encoding="utf-8")
    ]
    assert not different, (
        f"{len(different)} outputs differ from tests/golden (first: {different[0]}); "
        "if the change is intended, run make golden and review git diff tests/golden"
    )
