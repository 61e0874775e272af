"""The two passes in worker processes: same results as in one process; time limits."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from conftest import DOCUMENT_ID, SmallEdition, record_calls
from kimedition.cli import cli
from kimedition.edition import Edition
from kimedition.engine import INLINE_LIMIT, name_index_json
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
    result = runner.invoke(
        cli, ["-C", str(larger.root), "build", "-q", "--jobs", "1", "--out", str(one)]
    )
    assert result.exit_code == 0, result.output
    result = runner.invoke(
        cli, ["-C", str(larger.root), "build", "-q", "--jobs", "2", "--out", str(two)]
    )
    assert result.exit_code == 0, result.output
    assert tree_hashes(one) == tree_hashes(two)
    assert len(list((two / "html" / "documents").glob("*.html"))) == INLINE_LIMIT + 6


def test_pages_made_in_workers_are_the_same(
    larger: SmallEdition, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The index, home and year pages of an edition in parts, made by worker processes
    one index at a time with no page sent ahead, are those one process makes."""
    from kimedition import build as build_module
    from kimedition import pages as pages_module
    from kimedition.build import build
    from kimedition.edition import Edition

    monkeypatch.setattr(build_module, "SPLIT_AT", 10)
    monkeypatch.setattr(build_module, "ROWS", 5)
    monkeypatch.setattr(pages_module, "AHEAD", 0)
    made: list[str] = []
    original = pages_module.PageQueue.flush

    def flush(self: pages_module.PageQueue, *, final: bool) -> None:
        made.append(f"{len(self.queue)} {'final' if final else 'batch'}")
        original(self, final=final)

    monkeypatch.setattr(pages_module.PageQueue, "flush", flush)
    one, two = tmp_path / "one", tmp_path / "two"
    build(Edition.open(larger.root), one, jobs=1)
    made.clear()
    build(Edition.open(larger.root), two, jobs=2)
    assert len([m for m in made if m.endswith("batch")]) == len(build_module.INDEX_PAGES), made
    assert tree_hashes(one) == tree_hashes(two)
    assert (two / "html" / "persons" / "stalin.html").is_file()


def names_elsewhere(edition: Edition) -> str:
    """The rules' name index, refused in the process named by ``KIMEDITION_TEST_MAIN``."""
    if os.environ.get("KIMEDITION_TEST_MAIN") == str(os.getpid()):
        raise AssertionError("the name index was made in the build's own process")
    return name_index_json(edition)


def test_a_large_edition_keeps_saxon_out_of_the_build_s_own_process(
    larger: SmallEdition, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In an edition published in parts, the rules' name index, the letters of the
    indexes and the check of more than a few files are asked of other processes, so
    that the build's own process, which holds the state of every file, does not also
    hold Saxon (worker processes start afresh: the stand-ins below do not reach them)."""
    from kimedition import build as build_module
    from kimedition import engine
    from kimedition import pages as pages_module
    from kimedition.build import build

    monkeypatch.setattr(build_module, "SPLIT_AT", 10)

    def here(*args: object, **kwargs: object) -> None:
        raise AssertionError("made in the build's own process")

    one = tmp_path / "one"
    build(Edition.open(larger.root), one, jobs=2)
    monkeypatch.setenv("KIMEDITION_TEST_MAIN", str(os.getpid()))
    monkeypatch.setattr(engine, "name_index_json", names_elsewhere)
    monkeypatch.setattr(pages_module.Finisher, "letters", here)
    # A small edition would check up to this many files here.
    monkeypatch.setattr(build_module, "INLINE_LIMIT", 1000)
    monkeypatch.setattr(engine.Checker, "__init__", here)
    two = tmp_path / "two"
    build(Edition.open(larger.root), two, jobs=2)
    assert tree_hashes(one) == tree_hashes(two)
    # A rebuild after a register edit checks the registers in workers, and makes its
    # index pages there too, few as they are (the letters are those the last build
    # found); the person's dates are not on the pages of the documents.
    monkeypatch.setattr(pages_module.Finisher, "__init__", here)
    larger.edit(
        larger.tei / "persons.xml",
        '<persName type="codename">Filippov</persName>',
        '<persName type="codename">Filippov</persName>\n  <death when="1953-03-05"/>',
    )
    phases: list[tuple[str, int]] = []
    build(Edition.open(larger.root), two, jobs=2, progress=lambda p, _, t: phases.append((p, t)))
    assert 0 < max(t for p, t in phases if p == "publishing") < build_module.PAGES_INLINE, phases


def test_a_large_edition_is_validated_with_the_name_index_made_aside(
    runner: CliRunner, larger: SmallEdition, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Validation of a large edition makes the rules' name index once, in a process of
    its own while the files are scanned (not in its own process, which holds the scans
    of every file), for the processes that check them; the problems are those of one
    process."""
    import sys

    from kimedition import engine

    broken = sorted((larger.tei / "documents").glob("*-copy.xml"))[3]
    broken.write_text(
        broken.read_text(encoding="utf-8").replace("writes from", "writes from Filippov in"),
        encoding="utf-8",
    )
    expected = runner.invoke(cli, ["-C", str(larger.root), "validate", "--no-cache", "-j", "1"])
    assert "[name-untagged]" in expected.stdout
    monkeypatch.setattr(sys.modules["kimedition.validate"], "LARGE_EDITION", 10)
    monkeypatch.setenv("KIMEDITION_TEST_MAIN", str(os.getpid()))
    monkeypatch.setattr(engine, "name_index_json", names_elsewhere)
    result = runner.invoke(cli, ["-C", str(larger.root), "validate", "--no-cache", "-j", "2"])
    assert (result.exit_code, result.stdout) == (expected.exit_code, expected.stdout)


def names_die(edition: Edition) -> str:
    """A stand-in for the name index whose process dies (as one killed for its memory)."""
    if os.environ.get("KIMEDITION_TEST_MAIN") != str(os.getpid()):
        os._exit(1)
    raise AssertionError("the name index was asked of the command's own process")


@pytest.mark.parametrize("command", ["validate", "build"])
def test_a_name_index_process_that_dies_is_one_clear_error(
    runner: CliRunner,
    larger: SmallEdition,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    command: str,
) -> None:
    import sys

    from kimedition import build as build_module
    from kimedition import engine

    monkeypatch.setattr(build_module, "SPLIT_AT", 10)
    monkeypatch.setattr(sys.modules["kimedition.validate"], "LARGE_EDITION", 10)
    monkeypatch.setenv("KIMEDITION_TEST_MAIN", str(os.getpid()))
    monkeypatch.setattr(engine, "name_index_json", names_die)
    options = ["--no-cache"] if command == "validate" else ["--out", str(tmp_path / "out")]
    result = runner.invoke(cli, ["-C", str(larger.root), command, "-j", "2", *options])
    assert result.exit_code == 1, result.output
    assert engine.WORKER_DIED in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "out").exists()


def test_workers_report_the_same_problems(runner: CliRunner, larger: SmallEdition) -> None:
    broken = sorted((larger.tei / "documents").glob("*-copy.xml"))[7]
    broken.write_text(
        broken.read_text(encoding="utf-8").replace('ref="org:kwp"', 'ref="org:kpw"'),
        encoding="utf-8",
    )
    outputs = []
    for jobs in ("1", "2"):
        result = runner.invoke(cli, ["-C", str(larger.root), "validate", "--jobs", jobs])
        assert result.exit_code == 1
        outputs.append(result.stdout)
    assert outputs[0] == outputs[1]
    assert broken.name in outputs[0] and "[ref-resolves]" in outputs[0]


def _huge_document(small: SmallEdition, count: int = 60000) -> Path:
    """A valid document whose body holds ``count`` names: slow to check."""
    names = '<persName ref="person:stalin">Stalin</persName> and ' * count
    path = small.tei / "documents" / "kim-1950-01-25-huge.xml"
    path.write_text(
        small.document.read_text(encoding="utf-8")
        .replace(DOCUMENT_ID, "kim-1950-01-25-huge")
        .replace('when="1950-01-19"', 'when="1950-01-25"')
        .replace("<p><persName", f"<p>{names}<persName"),
        encoding="utf-8",
    )
    return path


def _build(root: Path, *options: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kimedition", "-C", str(root), "build", "-q", *options],
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_a_file_over_the_time_limit_stops_the_build(small: SmallEdition) -> None:
    out = small.root / "output"
    assert _build(small.root).returncode == 0
    before = tree_hashes(out)
    huge = _huge_document(small)
    completed = _build(small.root, "--timeout", "0.2")
    assert completed.returncode == 1, completed.stderr
    assert huge.name in completed.stderr
    assert "stopped after 0.2 s" in completed.stderr
    assert "Traceback" not in completed.stderr
    assert tree_hashes(out) == before
    assert [p.name for p in small.root.iterdir() if p.name.startswith(".output.build")] == []


def test_a_file_over_the_time_limit_stops_the_workers(small: SmallEdition, tmp_path: Path) -> None:
    add_documents(small, INLINE_LIMIT)
    huge = _huge_document(small)
    out = tmp_path / "out"
    completed = _build(small.root, "--jobs", "2", "--timeout", "0.2", "--out", str(out))
    assert completed.returncode == 1, completed.stderr
    assert huge.name in completed.stderr
    assert "stopped after 0.2 s" in completed.stderr
    assert "Traceback" not in completed.stderr
    assert not out.exists()


def count_register_parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """One entry for each time the scan or check pass parses the registers into Saxon
    in this process (the pages made once per build are not counted)."""
    from kimedition import engine

    parsed: list[str] = []
    original = engine.register_nodes

    def counted(*args: Any) -> Any:
        parsed.append("registers")
        return original(*args)

    monkeypatch.setattr(engine, "register_nodes", counted)
    return parsed


def test_the_scan_and_check_passes_made_here_share_their_stylesheets(
    small: SmallEdition, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A build that scans and checks in its own process compiles the stylesheets run on
    each file into one Saxon runtime and parses the registers into it once (the rules'
    name index of a first build is asked of it too); the output is the same."""
    from kimedition.build import build

    parsed = count_register_parses(monkeypatch)
    shared = tmp_path / "shared"
    build(Edition.open(small.root), shared, jobs=1)
    assert parsed == ["registers"]
    small.edit_document("writes from", "telegraphs from")
    parsed.clear()
    build(Edition.open(small.root), shared, jobs=1)
    assert parsed == ["registers"]
    monkeypatch.setattr("kimedition.build.INLINE_LIMIT", 0)
    parsed.clear()
    apart = tmp_path / "apart"
    build(Edition.open(small.root), apart, jobs=1)
    assert len(parsed) == 3, "the scan, the rules' name index and the check pass"
    assert tree_hashes(shared) == tree_hashes(apart)


def test_a_second_check_pass_compiles_its_own_rules(small: SmallEdition) -> None:
    """The rules' parameters are set by the check pass that takes them: another check
    pass in the same build gets its own runtime, not rules set for the first."""
    from kimedition import engine

    settings = engine.Settings(str(small.root))
    context = engine.Context(ids={}, used=[], present=["person", "place", "org"])
    with engine.sharing():
        first = engine._make_worker("check", settings, context, inline=True)
        second = engine._make_worker("check", settings, context, inline=True)
        scanner = engine._make_worker("scan", settings, True, inline=True)
    assert first.runtime is scanner.runtime
    assert second.runtime is not first.runtime
    assert first.check(engine.CheckTask(str(small.document), "document", "doc")) == (
        second.check(engine.CheckTask(str(small.document), "document", "doc"))
    )


def _argument_of_this_worker() -> Any:
    """In a worker process: what its start-up made of the argument handed to it."""
    from kimedition.engine import current_worker

    return current_worker()


def test_the_workers_argument_is_handed_over_in_a_folder_removed_afterwards(
    small: SmallEdition, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The start-up argument (megabytes for the check pass) goes to the workers in a
    file of the pool's own folder, not through the pipe that starts them; the folder
    goes with the pool."""
    import tempfile

    from kimedition import engine

    temporary = tmp_path / "tmp"
    temporary.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temporary))
    settings = engine.Settings(str(small.root))
    with engine.worker_pool(2, "copy", settings, _copy_of_settings) as pool:
        (folder,) = temporary.glob("kimedition-pool-*")
        assert [p.name for p in folder.iterdir()] == ["argument.pickle"]
        made = [pool.submit(_argument_of_this_worker).result() for _ in range(4)]
    # The workers leave a message there if they overrun the time limit.
    assert made == [replace(settings, notes=str(folder))] * 4
    assert list(temporary.iterdir()) == []


def _copy_of_settings(settings: Any) -> Any:
    """A worker factory: the worker object is the settings it was given."""
    return settings


@pytest.mark.parametrize(
    ("kinds", "compiled"), [(["person", "edition"], False), (["person", "document"], True)]
)
def test_check_workers_compile_the_page_stylesheets_only_for_pages_to_make(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, kinds: list[str], compiled: bool
) -> None:
    """Check workers started for the registers and the header alone (after an edit of a
    register) are started without the staging folder, so they do not compile the page
    stylesheets; with a document's page to make, they are."""
    from contextlib import contextmanager

    from kimedition import engine

    started: list[str] = []

    @contextmanager
    def recorded(role: str, function: Any, tasks: Any, settings: Any, *args: Any) -> Any:
        started.append(settings.staging)
        yield list

    monkeypatch.setattr(engine, "_started", recorded)
    tasks = [engine.CheckTask(str(tmp_path / kind), kind, kind) for kind in kinds]
    settings = engine.Settings(root=str(tmp_path), staging=str(tmp_path / "staging"))
    with engine.checks_started(tasks, settings, None, 2):  # type: ignore[arg-type]
        pass
    assert started == [settings.staging if compiled else ""]


def test_the_finishing_drivers_are_applied_to_the_registers_given_as_parameters(
    small: SmallEdition, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A finishing worker parses the header and the registers once, for the drivers'
    parameters, and applies the drivers to those same documents: making a page parses
    only its own parameters (here, the index)."""
    from kimedition import engine
    from kimedition.indexes import index_xml
    from kimedition.pages import Finisher, Page
    from kimedition.saxon import SaxonRuntime

    settings = engine.Settings(root=str(small.root))
    finisher = Finisher(settings.edition, settings)
    parsed = record_calls(monkeypatch, SaxonRuntime, "document", argument=1)
    index = index_xml("person", [], 0)
    text = finisher.page(Page("text-index", "person", (("index", index),)))
    assert "Index of persons" in text
    assert parsed == [index]
    finisher.page(Page("html-index", "person", (("index", index),)))
    assert parsed == [index]


def _checks_of(small: SmallEdition, timeout: float) -> tuple[Any, list[Any], Any]:
    """The settings, check tasks (the rules of every source, no pages) and corpus-wide
    facts of the small edition, as a build plans them."""
    from kimedition.corpus import context_from_scans, source_files
    from kimedition.engine import CheckTask, Settings, scan_files

    edition = Edition.open(small.root)
    # Scanned here under a limit no file reaches: this process is not to be stopped.
    settings = Settings(str(small.root), timeout=60.0)
    files = source_files(edition)
    scans = scan_files([(path, kind, False) for path, kind in files], settings, False, 1)
    context = replace(context_from_scans(edition, scans), names=name_index_json(edition))
    tasks = [CheckTask(s.path, s.kind, s.display, page=False) for s in scans]
    return replace(settings, timeout=timeout), tasks, context


def test_a_check_worker_started_early_finds_what_the_check_pass_finds(
    small: SmallEdition,
) -> None:
    """The worker started before the corpus-wide facts are known reads them when its
    first file comes, and reports, file by file, what the check pass run here reports."""
    from contextlib import ExitStack

    from kimedition.engine import CheckersStarted, check_files

    small.edit_document("writes from", "writes, as Filippov, from")  # an untagged name
    settings, tasks, context = _checks_of(small, 60.0)
    here = check_files(tasks, settings, context, 1)
    assert any(p.rule == "name-untagged" for found in here for p in found)
    with ExitStack() as stack:
        started = CheckersStarted(settings, stack)
        assert not started.pages, "no staging folder: no page stylesheets"
        results = started.run(tasks, context)
        assert results() == here


def test_a_check_worker_started_early_stops_a_file_over_the_time_limit(
    small: SmallEdition,
) -> None:
    from contextlib import ExitStack

    from kimedition.engine import CheckersStarted
    from kimedition.errors import BuildError

    # Its rules alone take seconds: a few tenths with the default's count of names.
    huge = _huge_document(small, 200000)
    settings, tasks, context = _checks_of(small, 0.2)
    with pytest.raises(BuildError) as stop, ExitStack() as stack:
        results = CheckersStarted(settings, stack).run(tasks, context)
        results()
    assert huge.name in str(stop.value) and "stopped after 0.2 s" in str(stop.value)


def test_a_worker_s_timeout_note_is_there_whole_or_not_at_all(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The main process reads the note of a worker that overran its limit as soon as the
    worker is gone: a worker stopped while writing it leaves no note, not part of one."""
    from kimedition.engine import _leave_note

    message = "kim-1950.xml: stopped after 1 s: processing this file took longer"
    _leave_note(str(tmp_path))(message)
    assert [p.name for p in tmp_path.iterdir()] == [f"timeout-{os.getpid()}.txt"]
    assert (tmp_path / f"timeout-{os.getpid()}.txt").read_text(encoding="utf-8") == message

    cut_short = tmp_path / "cut-short"
    cut_short.mkdir()
    real_open = io.open

    def killed_while_writing(file: Any, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        handle = real_open(file, mode, *args, **kwargs)
        if "w" in mode:
            write = handle.write

            def half(text: str) -> int:
                write(text[: len(text) // 2])
                handle.flush()
                raise KeyboardInterrupt

            handle.write = half
        return handle

    monkeypatch.setattr(io, "open", killed_while_writing)
    monkeypatch.setattr("builtins.open", killed_while_writing)
    with pytest.raises(KeyboardInterrupt):
        _leave_note(str(cut_short))(message)
    monkeypatch.undo()
    assert not list(cut_short.glob("timeout-*.txt"))
