"""The benchmark keeps working: its generator's promises, and a smoke run of the harness.

No timing is asserted anywhere: these tests only check that every measurement is taken
and gives figures, so that ``python benchmarks/run.py`` works when someone needs it.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest
from click.testing import CliRunner

from kimedition.cli import cli

ROOT = Path(__file__).resolve().parent.parent
BENCHMARKS = ROOT / "benchmarks"
SMALL = {"persons": 60, "places": 30, "orgs": 10}
"""Registers small enough for a test, large enough to have every kind of entry."""

MEASUREMENTS = (
    "floor",
    "naive",
    "validate",
    "validate-no-edit",
    "build-full",
    "build-edit-document",
    "validate-edit-document",
    "build-edit-register",
    "build-no-edit",
)


def load(name: str) -> ModuleType:
    """A module of benchmarks/ (a folder of scripts, not a package)."""
    spec = importlib.util.spec_from_file_location(f"benchmark_{name}", BENCHMARKS / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while it loads
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def generator() -> ModuleType:
    return load("generate")


@pytest.fixture
def harness(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    """``run.py``, which imports its neighbour ``generate`` as a script does."""
    monkeypatch.syspath_prepend(str(BENCHMARKS))
    return load("run")


def digest(root: Path) -> dict[str, str]:
    """Every file under ``root``, relative path → sha256."""
    return {
        path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def test_generated_edition_is_valid(tmp_path: Path, generator: ModuleType) -> None:
    generator.generate(tmp_path, 30, 3, **SMALL)
    documents = sorted((tmp_path / "tei" / "documents").glob("*.xml"))
    assert len(documents) == 30
    result = CliRunner().invoke(cli, ["-C", str(tmp_path), "validate", "--format", "json"])
    report = json.loads(result.stdout)
    problems = [f"{p['path']}:{p['line']}: {p['message']}" for p in report["problems"]]
    assert result.exit_code == 0, problems[:10]
    assert report["errors"] == 0, problems[:10]
    # Every entry is used and no registered name is left untagged.
    assert report["warnings"] == 0, problems[:10]


def test_generated_edition_statistics(tmp_path: Path, generator: ModuleType) -> None:
    generator.generate(tmp_path, 40, 5, **SMALL)
    stats = generator.edition_stats(tmp_path)
    assert stats.documents == 40
    assert 2.0 <= stats.text_kb["min"] <= stats.text_kb["mean"] <= stats.text_kb["max"] <= 40.0
    assert stats.registers == {
        "person": 60,
        "person-used": 60,
        "place": 30,
        "place-used": 30,
        "org": 10,
        "org-used": 10,
    }
    assert stats.names > 0
    for name in ("persName", "placeName", "orgName", "rs", "date", "choice", "seg", "head", "p"):
        assert stats.elements.get(name, 0) > 0, name


def test_same_seed_same_bytes(tmp_path: Path, generator: ModuleType) -> None:
    generator.generate(tmp_path / "a", 12, 11, **SMALL)
    generator.generate(tmp_path / "b", 12, 11, **SMALL)
    first, second = digest(tmp_path / "a"), digest(tmp_path / "b")
    assert len(first) == 16
    assert first == second


def test_a_real_edition_is_never_replaced(tmp_path: Path, generator: ModuleType) -> None:
    """The generator replaces the tei/ folder it wrote before, and no other."""
    real = tmp_path / "real"
    (real / "tei").mkdir(parents=True)
    for name in ("edition.xml", "persons.xml"):
        (real / "tei" / name).write_bytes((ROOT / "tei" / name).read_bytes())
    before = digest(real)
    with pytest.raises(ValueError, match="not written by this script"):
        generator.generate(real, 12, 11, **SMALL)
    run = subprocess.run(
        [sys.executable, str(BENCHMARKS / "generate.py"), str(real), "--documents", "3"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 2
    assert "never replaced: choose another folder" in run.stderr
    assert digest(real) == before
    generator.generate(tmp_path / "again", 12, 11, **SMALL)
    generator.generate(tmp_path / "again", 12, 12, **SMALL)  # its own: replaced
    assert generator.generated(tmp_path / "again")


def test_harness_never_deletes_a_folder_it_did_not_make(tmp_path: Path) -> None:
    mine = tmp_path / "30"
    mine.mkdir()
    (mine / "notes.txt").write_text("mine\n", encoding="utf-8")
    run = subprocess.run(
        [sys.executable, str(BENCHMARKS / "run.py"), "--sizes", "30", "--work", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 2
    assert "not left by an earlier run of this benchmark" in run.stderr
    assert (mine / "notes.txt").read_text(encoding="utf-8") == "mine\n"


def test_other_seed_other_edition(tmp_path: Path, generator: ModuleType) -> None:
    generator.generate(tmp_path / "a", 12, 11, **SMALL)
    generator.generate(tmp_path / "b", 12, 12, **SMALL)
    first, second = digest(tmp_path / "a"), digest(tmp_path / "b")
    assert set(first) != set(second)  # other ids, hence other file names
    assert first["tei/persons.xml"] != second["tei/persons.xml"]


def test_filler_words_cannot_spell_a_name(tmp_path: Path, generator: ModuleType) -> None:
    """The guarantee behind "no untagged name": every registered form has a marker letter."""
    generator.generate(tmp_path, 5, 2, **SMALL)
    from lxml import etree

    ns = {"t": generator.TEI_NS}
    for register in ("persons.xml", "places.xml", "orgs.xml"):
        tree = etree.parse(str(tmp_path / "tei" / register))
        names = tree.xpath(
            "//t:person/t:persName | //t:place/t:placeName | //t:org/t:orgName", namespaces=ns
        )
        assert isinstance(names, list) and names
        for name in names:
            assert isinstance(name, etree._Element)
            key = generator.name_key(" ".join(str(t) for t in name.itertext()))
            assert set(key) & generator.MARKERS, key
    for words in (generator.NOUNS, generator.VERBS, generator.ADJECTIVES):
        assert not any(set(w) & generator.MARKERS for w in words)


def test_measure_stops_a_command_that_overruns(tmp_path: Path) -> None:
    """The wrapper's timer kills the command's process group; a command that ends in
    time is reported as it ended."""

    def measure(timeout: str, code: str) -> dict[str, object]:
        command = [
            sys.executable,
            str(BENCHMARKS / "measure.py"),
            "--stdout",
            str(tmp_path / "out"),
            "--stderr",
            str(tmp_path / "err"),
            "--timeout",
            timeout,
            "--",
            sys.executable,
            "-c",
            code,
        ]
        run = subprocess.run(command, capture_output=True, text=True, timeout=60, check=True)
        figures: dict[str, object] = json.loads(run.stdout)
        return figures

    overrun = measure("1", "import time; time.sleep(120)")
    assert overrun["timed_out"] is True and overrun["returncode"] == -9
    done = measure("60", "import sys; print('done'); sys.exit(3)")
    assert done["timed_out"] is False and done["returncode"] == 3
    assert (tmp_path / "out").read_text(encoding="utf-8") == "done\n"


def test_schedule_repeats_the_short_runs(harness: ModuleType) -> None:
    assert harness.schedule(1) == list(MEASUREMENTS)
    # The runs from nothing, which take minutes, run once.
    assert not {"naive", "validate", "build-full"} & set(harness.REPEATED)
    order = harness.schedule(3)
    for name in MEASUREMENTS:
        assert order.count(name) == (3 if name in harness.REPEATED else 1), name
    # Each validation after an edit of a document follows the build after that edit.
    edits = order[order.index("build-edit-document") : order.index("build-edit-register")]
    assert edits == ["build-edit-document", "validate-edit-document"] * 3
    assert order[:3] == ["floor"] * 3 and order[-3:] == ["build-no-edit"] * 3
    assert order.index("build-full") < order.index("build-edit-document")


def test_combine_reports_the_median_and_the_largest_peak(harness: ModuleType) -> None:
    def run(
        wall: float, peak: float, ok: bool = True, edit: str = "", name: str = "build-no-edit"
    ) -> object:
        m = harness.Measurement(name, ["kimedition", "build"])
        m.ok, m.wall_s, m.cpu_s, m.peak_rss_mb = ok, wall, wall * 2, peak
        m.error = "" if ok else "exit code 1: broken"
        m.details = {"edit": edit} if edit else {}
        return m

    combined = harness.combine([run(3.0, 10, edit="a"), run(1.0, 30, edit="b"), run(2.0, 20)])
    assert combined.ok
    assert combined.wall_s == 2.0 and combined.cpu_s == 4.0 and combined.peak_rss_mb == 30
    assert [r["wall_s"] for r in combined.runs] == [3.0, 1.0, 2.0]
    assert combined.details["edits"] == ["a", "b"]
    failed = harness.combine([run(1.0, 10), run(2.0, 10, ok=False)])
    assert not failed.ok and failed.error == "exit code 1: broken"
    single = run(1.5, 12)
    assert harness.combine([single]) is single and single.runs == []
    # The floor, the least the work can take, by its fastest run.
    floor = harness.combine([run(3.0, 10, name="floor"), run(2.5, 11, name="floor")])
    assert floor.wall_s == 2.5 and floor.cpu_s == 5.0 and floor.peak_rss_mb == 11


def test_harness_smoke_run(tmp_path: Path, harness: ModuleType) -> None:
    """The documented command, end to end at a small size: every figure is there."""
    output = tmp_path / "results"
    command = [
        sys.executable,
        str(BENCHMARKS / "run.py"),
        "--sizes",
        "30",
        "--persons",
        str(SMALL["persons"]),
        "--places",
        str(SMALL["places"]),
        "--orgs",
        str(SMALL["orgs"]),
        "--naive-sample",
        "3",
        "--work",
        str(tmp_path / "work"),
        "--output",
        str(output),
        "--timeout",
        "240",
        "--repeat",
        "2",
    ]
    run = subprocess.run(command, capture_output=True, text=True, timeout=400)
    assert (output / "results.md").is_file(), run.stderr[-2000:]
    results = json.loads((output / "results.json").read_text(encoding="utf-8"))
    measurements = results["sizes"]["30"]["measurements"]
    failed = {name: m["error"] for name, m in measurements.items() if not m["ok"]}
    assert not failed, failed
    assert run.returncode == 0, run.stderr[-2000:]
    assert set(measurements) == set(MEASUREMENTS)
    for name, m in measurements.items():
        for figure in ("wall_s", "docs_per_s", "mb_per_s", "peak_rss_mb", "wall_to_floor"):
            assert m[figure] > 0, (name, figure, m[figure])
    assert measurements["naive"]["documents"] == 3
    assert measurements["naive"]["extrapolated_wall_s"] > 0
    for name in ("validate", "validate-no-edit", "validate-edit-document"):
        assert measurements[name]["details"]["errors"] == 0, name
    # The short runs were taken twice, each time after an edit of its own.
    assert results["settings"]["repeat"] == 2
    for name in harness.REPEATED:
        runs = measurements[name]["runs"]
        assert len(runs) == 2 and all(r["ok"] for r in runs), name
        walls = sorted(r["wall_s"] for r in runs)
        # The floor by its fastest run, the others by their median.
        expected = walls[0] if name == "floor" else sum(walls) / 2
        assert measurements[name]["wall_s"] == pytest.approx(expected), name
        assert (output / "logs" / f"30-{name}-2.err").is_file(), name
    for name in set(MEASUREMENTS) - set(harness.REPEATED):
        assert measurements[name]["runs"] == [], name
    edits = measurements["build-edit-document"]["details"]["edits"]
    assert len(edits) == 2 and edits[0] != edits[1]
    validations = measurements["validate-edit-document"]["runs"]
    assert [r["details"]["errors"] for r in validations] == [0, 0]
    # Validation kept its results in the size's own folder, not in the user's.
    assert list((tmp_path / "work" / "30" / "cache" / "validate").glob("*.json"))
    # The commands kept their compiled bytecode in the work folder, as on a machine
    # that allows it, even when this one forbids it.
    bytecode = Path(results["settings"]["bytecode"])
    assert bytecode == (tmp_path / "work" / "bytecode").resolve()
    assert list(bytecode.rglob("kimedition/build.*.pyc"))
    size = results["sizes"]["30"]
    assert size["edition"]["documents"] == 30
    assert "persons.html" in size["index_pages_bytes"]
    assert size["largest_index_page"]["bytes"] > 0
    assert size["largest_html"]["bytes"] > 0
    machine = results["machine"]
    assert machine["cpu_count"] > 0 and machine["lxml"] and machine["saxonche"]
    assert [t["verdict"] for t in results["targets"]]  # each target is reported
    report = (output / "results.md").read_text(encoding="utf-8")
    assert "kimedition build after editing one document" in report
    assert "median of 2" in report and "fastest of 2" in report


def test_stages_smoke_run(tmp_path: Path, generator: ModuleType) -> None:
    """The per-stage timing script runs every stage of every chosen document."""
    generator.generate(tmp_path / "edition", 12, 4, **SMALL)
    figures = tmp_path / "stages.json"
    command = [
        sys.executable,
        str(BENCHMARKS / "stages.py"),
        str(tmp_path / "edition"),
        "--documents",
        "5",
        "--json",
        str(figures),
    ]
    run = subprocess.run(command, capture_output=True, text=True, timeout=240)
    assert run.returncode == 0, run.stderr[-2000:]
    results = json.loads(figures.read_text(encoding="utf-8"))
    assert results["documents"] == 5
    stages = load("stages").STAGES
    assert set(results["seconds"]) == set(stages)
    assert all(results["seconds"][stage] > 0 for stage in stages), results["seconds"]
    for stage in stages:
        assert f"| {stage} |" in run.stdout


def test_stages_refuses_a_folder_that_is_not_an_edition(tmp_path: Path) -> None:
    run = subprocess.run(
        [sys.executable, str(BENCHMARKS / "stages.py"), str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 2
    assert "not an edition folder" in run.stderr
