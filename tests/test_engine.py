"""The two passes in worker processes: same results as in one process; time limits."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import DOCUMENT_ID, SmallEdition
from kimedition.cli import cli
from kimedition.engine import INLINE_LIMIT
from test_build import tree_hashes


def add_documents(small: SmallEdition, count: int) -> None:
    """Copies of the small edition's document, one per day from 1950-02-01."""
    text = small.document.read_text(encoding="utf-8")
    for day in range(count):
        date = f"1950-{2 + day // 28:02d}-{1 + day % 28:02d}"
        new_id = f"kim-{date}-copy"
        copy = (
            text.replace(DOCUMENT_ID, new_id)
            .replace('when="1950-01-19"', f'when="{date}"')
            .replace('when="1950-01-20"', f'when="{date}"')
        )
        (small.tei / "documents" / f"{new_id}.xml").write_text(copy, encoding="utf-8")


@pytest.fixture
def larger(small: SmallEdition) -> SmallEdition:
    add_documents(small, INLINE_LIMIT + 5)
    return small


def test_workers_give_the_same_output_as_one_process(
    runner: CliRunner, larger: SmallEdition, tmp_path: Path
) -> None:
    one, two = tmp_path / "one", tmp_path / "two"
    result = runner.invoke(cli, ["-C", str(larger.root), "build", "-q", "--jobs", "1", "--out", str(one)])
    assert result.exit_code == 0, result.output
    result = runner.invoke(cli, ["-C", str(larger.root), "build", "-q", "--jobs", "2", "--out", str(two)])
    assert result.exit_code == 0, result.output
    assert tree_hashes(one) == tree_hashes(two)
    assert len(list((two / "html" / "documents").glob("*.html"))) == INLINE_LIMIT + 6


def test_workers_report_the_same_problems(runner: CliRunner, larger: SmallEdition) -> None:
    broken = sorted((larger.tei / "documents").glob("*-copy.xml"))[7]
    broken.write_text(
        broken.read_text(encoding="utf-8").replace('ref="org:kwp"', 'ref="org:kpw"'), encoding="utf-8"
    )
    outputs = []
    for jobs in ("1", "2"):
        result = runner.invoke(cli, ["-C", str(larger.root), "validate", "--jobs", jobs])
        assert result.exit_code == 1
        outputs.append(result.stdout)
    assert outputs[0] == outputs[1]
    assert broken.name in outputs[0] and "[ref-resolves]" in outputs[0]


def _huge_document(small: SmallEdition) -> Path:
    """A valid document whose body holds a great many names: slow to check."""
    names = '<persName ref="person:stalin">Stalin</persName> and ' * 60000
    path = small.tei / "documents" / "kim-1950-01-25-huge.xml"
    path.write_text(
        small.document.read_text(encoding="utf-8")
        .replace(DOCUMENT_ID, "kim-1950-01-25-huge")
        .replace('when="1950-01-19"', 'when="1950-01-25"')
        .replace("<p><persName", f"<p>{names}<persName"),
        encoding="utf-8",
    )
    return path


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_file_over_the_time_limit_stops_the_build(small: SmallEdition, jobs: str) -> None:
    if jobs == "2":
        add_documents(small, INLINE_LIMIT)
    huge = _huge_document(small)
    out = small.root / "output"
    assert subprocess.run(
        [sys.executable, "-m", "kimedition", "-C", str(small.root), "build", "-q", "--timeout", "600"],
        capture_output=True,
        timeout=600,
    ).returncode == 0
    before = tree_hashes(out)
    completed = subprocess.run(
        [sys.executable, "-m", "kimedition", "-C", str(small.root), "build", "-q",
         "--jobs", jobs, "--timeout", "0.2"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert completed.returncode == 1, completed.stderr
    assert huge.name in completed.stderr
    assert "stopped after 0.2 s" in completed.stderr
    assert "Traceback" not in completed.stderr
    assert tree_hashes(out) == before
    leftovers = [p.name for p in small.root.iterdir() if p.name.startswith(".output.build")]
    assert leftovers == [] or jobs == "2"
