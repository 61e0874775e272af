"""The benchmark: synthetic editions, measured side by side in one run.

    python benchmarks/run.py [--sizes 1000,10000] [--seed 1] [--work DIR] [--jobs N]
                             [--repeat 5] [--output benchmarks/results]

For each size, generates a synthetic edition once (``generate.py``), then measures on
the same files, each as a separate command run through ``measure.py`` (wall time and
peak memory of the largest process):

1. ``floor``: lxml parse + serialise of every source file, one process pinned to one
   core (``floor.py``);
2. ``naive``: a fresh Saxon processor and stylesheet compilation per document
   (``naive.py``), on a sample of the documents, extrapolated;
3. ``validate``: ``kimedition validate``, with nothing kept from an earlier run;
4. ``validate-no-edit``: ``kimedition validate`` again, nothing changed;
5. ``build-full``: ``kimedition build --out …`` from scratch;
6. ``build-edit-document``, ``build-edit-register``, ``build-no-edit``: ``kimedition
   build`` again after changing a word in one document, a note in one register entry,
   and nothing; between the first two, ``validate-edit-document``: ``kimedition
   validate`` after the document's edit.

The floor and the short runs (validation again, the builds after an edit or none) are
taken ``--repeat`` times (default 5), each after an edit of its own of the same kind;
the tables show their median (the floor: its fastest run) and every run's time.

Every command keeps what it reuses between runs (validation's cache folder, the
build's cache next to its output) inside the size's own folder, which is deleted first.

Writes ``results.md`` (the tables, also printed) and ``results.json`` (every raw figure
and the machine) into the output folder. A command that fails is reported as failed;
the run goes on.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.metadata
import itertools
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generate import edition_stats, generate, generated

HERE = Path(__file__).resolve().parent
REPOSITORY = HERE.parent
MEASURE = HERE / "measure.py"

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
"""Every measurement of one size, in the order they run."""

LABELS = {
    "floor": "floor: lxml parse + serialise, 1 process, 1 core",
    "naive": "naive: new Saxon + compile per document (sample, extrapolated)",
    "validate": "kimedition validate",
    "validate-no-edit": "kimedition validate again, no edit",
    "validate-edit-document": "kimedition validate after editing one document",
    "build-full": "kimedition build, full, from scratch",
    "build-edit-document": "kimedition build after editing one document",
    "build-edit-register": "kimedition build after editing one register entry",
    "build-no-edit": "kimedition build after no edit",
}
REPEATED = (
    "floor",
    "validate-no-edit",
    "build-edit-document",
    "validate-edit-document",
    "build-edit-register",
    "build-no-edit",
)
"""The measurements taken ``--repeat`` times: the quick ones, whose wall time varies
from one run to the next by a large part of itself; the others run once."""
TOGETHER = (("build-edit-document", "validate-edit-document"),)
"""Measurements repeated together: the validation after a document's edit follows the
build after that edit, each time."""
KIMEDITION_COMMANDS = tuple(m for m in MEASUREMENTS if m not in ("floor", "naive"))
INDEX_PAGES = ("persons.html", "places.html", "organisations.html")
CACHE_VARIABLE = "KIMEDITION_CACHE_DIR"
"""Where ``kimedition validate`` keeps its results (``kimedition.cache.cache_home``)."""


@dataclass
class Measurement:
    """One command's figures; ``ok`` is False when it failed or timed out."""

    name: str
    command: list[str]
    ok: bool = False
    returncode: int | None = None
    timed_out: bool = False
    wall_s: float = 0.0
    cpu_s: float = 0.0
    peak_rss_mb: float = 0.0
    documents: int = 0
    """Documents the figure is for (the sample for ``naive``)."""
    docs_per_s: float = 0.0
    mb_per_s: float = 0.0
    wall_to_floor: float | None = None
    docs_per_s_to_floor: float | None = None
    extrapolated_wall_s: float | None = None
    error: str = ""
    details: dict[str, Any] = field(default_factory=dict)
    runs: list[dict[str, Any]] = field(default_factory=list)
    """Each run's figures, when the measurement was taken more than once."""


FASTEST = ("floor",)
"""The measurements reported by their fastest run, not their median: the floor is the
least the work can take, and the ratios to it are then the least favourable to the
toolkit."""


def combine(runs: list[Measurement]) -> Measurement:
    """One measurement from several runs of the same command: the median wall and
    processor time (for :data:`FASTEST`, the fastest run's), the largest peak memory,
    each run's figures in ``runs``; failed when any run failed (with the first
    failure's error)."""
    if len(runs) == 1:
        return runs[0]
    first, last = runs[0], runs[-1]
    failed = [r for r in runs if not r.ok]
    combined = Measurement(first.name, first.command)
    combined.ok = not failed
    combined.returncode = failed[0].returncode if failed else last.returncode
    combined.timed_out = any(r.timed_out for r in runs)
    combined.error = failed[0].error if failed else ""
    if first.name in FASTEST:
        fastest = min(runs, key=lambda r: r.wall_s)
        combined.wall_s, combined.cpu_s = fastest.wall_s, fastest.cpu_s
    else:
        combined.wall_s = statistics.median(r.wall_s for r in runs)
        combined.cpu_s = statistics.median(r.cpu_s for r in runs)
    combined.peak_rss_mb = max(r.peak_rss_mb for r in runs)
    combined.details = dict(last.details)
    edits = [r.details["edit"] for r in runs if "edit" in r.details]
    if edits:
        combined.details["edits"] = edits
    combined.runs = [
        {
            "wall_s": r.wall_s,
            "cpu_s": r.cpu_s,
            "peak_rss_mb": r.peak_rss_mb,
            "ok": r.ok,
            "details": r.details,
        }
        for r in runs
    ]
    return combined


def schedule(repeat: int) -> list[str]:
    """The measurements of one size in the order they run: each in :data:`REPEATED`
    ``repeat`` times in a row (those in :data:`TOGETHER` taking turns)."""
    order: list[str] = []
    for name in MEASUREMENTS:
        if any(name in group[1:] for group in TOGETHER):
            continue
        group = next((g for g in TOGETHER if g[0] == name), (name,))
        order += list(group) * (repeat if name in REPEATED else 1)
    return order


def kimedition_command() -> list[str]:
    """The ``kimedition`` command as a user runs it: the script next to this Python."""
    script = Path(sys.executable).with_name("kimedition")
    if script.is_file():
        return [str(script)]
    found = shutil.which("kimedition")
    return [found] if found else [sys.executable, "-m", "kimedition"]


def keep_bytecode(work: Path, kimedition: list[str]) -> Path:
    """Let the commands measured keep their compiled bytecode, in ``WORK/bytecode``, and
    compile it once before the first measurement; returns that folder.

    An installed package carries its bytecode, and an editable one writes it on first
    use; only a machine that forbids writing it (``PYTHONDONTWRITEBYTECODE``) would
    otherwise compile every module again at every start of every command."""
    folder = work / "bytecode"
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    os.environ["PYTHONPYCACHEPREFIX"] = str(folder)
    subprocess.run([*kimedition, "--version"], capture_output=True, timeout=300, check=False)
    return folder


def supports(command: list[str], subcommand: str, option: str) -> bool:
    """Whether ``kimedition SUBCOMMAND --help`` lists ``option``."""
    try:
        shown = subprocess.run(
            [*command, subcommand, "--help"], capture_output=True, text=True, timeout=60
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return re.search(rf"(^|\s){re.escape(option)}\b", shown.stdout) is not None


def measure(
    name: str, command: list[str], logs: Path, label: str, timeout: float | None
) -> Measurement:
    """Run ``command`` through a fresh ``measure.py`` wrapper; never raises."""
    logs.mkdir(parents=True, exist_ok=True)
    stdout, stderr = logs / f"{label}.out", logs / f"{label}.err"
    wrapper = [sys.executable, str(MEASURE), "--stdout", str(stdout), "--stderr", str(stderr)]
    if timeout:
        wrapper += ["--timeout", str(timeout)]
    result = Measurement(name, command)
    if hasattr(os, "getloadavg"):  # a busy machine makes every figure slower
        result.details["load_before"] = round(os.getloadavg()[0], 2)
    print(f"  {name}: {' '.join(command)}", file=sys.stderr, flush=True)
    run = subprocess.run([*wrapper, "--", *command], capture_output=True, text=True)
    try:
        figures = json.loads(run.stdout.strip().splitlines()[-1])
    except (IndexError, json.JSONDecodeError):
        result.error = f"the measuring wrapper failed: {run.stderr.strip()[-500:]}"
        return result
    result.returncode = figures.get("returncode")
    result.timed_out = bool(figures.get("timed_out"))
    result.wall_s = float(figures.get("wall_s", 0.0))
    result.cpu_s = float(figures.get("user_s", 0.0)) + float(figures.get("sys_s", 0.0))
    result.peak_rss_mb = round(float(figures.get("max_rss_kb", 0)) / 1024, 1)
    result.ok = result.returncode == 0 and not result.timed_out
    if not result.ok:
        tail = stderr.read_text(encoding="utf-8", errors="replace").strip().splitlines()[-5:]
        reason = "timed out" if result.timed_out else f"exit code {result.returncode}"
        result.error = f"{reason}: " + " | ".join(tail)[-600:]
    if hasattr(os, "getloadavg"):
        result.details["load_after"] = round(os.getloadavg()[0], 2)
    result.details["stdout"] = str(stdout)
    result.details["stderr"] = str(stderr)
    return result


# --------------------------------------------------------------------------------------
# Edits between builds
# --------------------------------------------------------------------------------------


def edit_document(edition: Path) -> str:
    """Change one word in a paragraph of the middle document; return what was changed."""
    documents = sorted((edition / "tei" / "documents").glob("*.xml"))
    path = documents[len(documents) // 2]
    data = path.read_text(encoding="utf-8")
    body = data.index("<p>", data.index("<body>"))
    # The first word of four or more lower-case letters in text (not in a tag) of a p.
    pattern = re.compile(r">([^<]*?)\b([a-z]{4,})\b")
    match = pattern.search(data, body)
    if match is None:
        raise RuntimeError(f"{path.name}: no word to edit")
    word = match.group(2)
    replacement = "revised" if word != "revised" else "amended"
    start = match.start(2)
    path.write_text(data[:start] + replacement + data[match.end(2) :], encoding="utf-8")
    return f"{path.name}: {word!r} → {replacement!r}"


def edit_register(edition: Path) -> str:
    """Change the first note of the middle person of the register; return what changed."""
    path = edition / "tei" / "persons.xml"
    data = path.read_text(encoding="utf-8")
    starts = [m.start() for m in re.finditer(r"<person\s", data)]
    if not starts:
        raise RuntimeError("persons.xml: no person to edit")
    middle = starts[len(starts) // 2]
    note = data.index("<note>", middle) + len("<note>")
    end = data.index("</note>", note)
    entry = re.search(r'xml:id="([^"]+)"', data[middle:])
    changed = data[:end] + " Revised for the benchmark." + data[end:]
    path.write_text(changed, encoding="utf-8")
    return f"persons.xml: note of {entry.group(1) if entry else '?'} extended"


# --------------------------------------------------------------------------------------
# One size
# --------------------------------------------------------------------------------------


def report_counts(stdout: Path) -> dict[str, Any]:
    """The error and warning counts of a validation's JSON report (none when it is
    missing or unreadable)."""
    if not stdout.is_file():
        return {}
    try:
        report = json.loads(stdout.read_text(encoding="utf-8"))
    except json.JSONDecodeError:
        return {}
    return {"errors": report.get("errors"), "warnings": report.get("warnings")}


def run_size(
    size: int,
    args: argparse.Namespace,
    work: Path,
    kimedition: list[str],
    jobs_build: bool,
    jobs_validate: bool,
) -> dict[str, Any]:
    """Generate the edition of ``size`` documents and take every measurement on it."""
    print(f"{size} documents:", file=sys.stderr, flush=True)
    # Everything of this size lives in one folder, deleted first: a full build then
    # starts from nothing, not even what a build keeps next to its output (its cache).
    folder = work / str(size)
    if folder.exists():  # main() made sure that an earlier run left it
        shutil.rmtree(folder)
    edition, out = folder / "edition", folder / "output"
    logs = args.output / "logs"
    edition.mkdir(parents=True)
    # Inherited by the commands measured: validation keeps its results here, not in the
    # user's cache folder, so that the first run starts from nothing.
    os.environ[CACHE_VARIABLE] = str(folder / "cache")
    started = time.perf_counter()
    generate(edition, size, args.seed, args.persons, args.places, args.orgs)
    generation_s = time.perf_counter() - started
    stats = edition_stats(edition)
    source_mb = stats.source_bytes / 1e6
    print(
        f"  generated in {generation_s:.1f} s: {source_mb:.1f} MB, text {stats.text_kb['mean']} KB "
        f"mean, {stats.names_per_kb_plain} names per KB of plain text",
        file=sys.stderr,
        flush=True,
    )
    python = sys.executable
    jobs = ["--jobs", str(args.jobs)] if args.jobs else []
    build = [*kimedition, "-C", str(edition), "build", "--out", str(out)]
    build += jobs if jobs_build else []
    sample = min(args.naive_sample, size)
    validate = [*kimedition, "-C", str(edition), "validate", "--format", "json"]
    validate += jobs if jobs_validate else []
    commands: dict[str, list[str]] = {
        "floor": [python, str(HERE / "floor.py"), str(edition), str(folder / "floor")],
        "naive": [
            python,
            str(HERE / "naive.py"),
            str(edition),
            str(folder / "naive"),
            "--sample",
            str(sample),
        ],
        "validate": validate,
        "validate-no-edit": validate,
        "validate-edit-document": validate,
    }
    runs: dict[str, list[Measurement]] = {name: [] for name in MEASUREMENTS}
    edits: dict[str, str] = {}
    for name in schedule(args.repeat):
        if name == "build-edit-document":
            edits[name] = edits["validate-edit-document"] = edit_document(edition)
        elif name == "build-edit-register":
            edits[name] = edit_register(edition)
        command = commands.get(name, build)
        label = f"{size}-{name}"
        if args.repeat > 1 and name in REPEATED:
            label += f"-{len(runs[name]) + 1}"
        run = measure(name, command, logs, label, args.timeout)
        if name in edits:
            run.details["edit"] = edits[name]
        if name.startswith("validate"):
            run.details.update(report_counts(Path(run.details.get("stdout", ""))))
        runs[name].append(run)
    results = {name: combine(found) for name, found in runs.items()}

    # Derived figures.
    floor = results["floor"]
    for name, m in results.items():
        m.documents = sample if name == "naive" else size
        if not m.ok or m.wall_s <= 0:
            continue
        m.docs_per_s = m.documents / m.wall_s
        if name == "naive":
            m.extrapolated_wall_s = size / m.docs_per_s
            m.mb_per_s = source_mb / m.extrapolated_wall_s
        else:
            m.mb_per_s = source_mb / m.wall_s
        if floor.ok and floor.wall_s > 0:
            m.wall_to_floor = (m.extrapolated_wall_s or m.wall_s) / floor.wall_s
            m.docs_per_s_to_floor = m.docs_per_s / (size / floor.wall_s)
    # Index pages: every HTML page but the documents' own (the register indexes, which
    # may be split by letter, the home page, pages by year).
    pages: dict[str, int] = {}
    largest: tuple[int, str] = (0, "")
    html = out / "html"
    if html.is_dir():
        for path in sorted(html.rglob("*")):
            if not path.is_file():
                continue
            relative = path.relative_to(html).as_posix()
            size_bytes = path.stat().st_size
            largest = max(largest, (size_bytes, f"html/{relative}"))
            if path.suffix == ".html" and not relative.startswith("documents/"):
                pages[relative] = size_bytes
    biggest_page = max(pages.items(), key=lambda item: item[1], default=("", 0))
    return {
        "documents": size,
        "generation_s": round(generation_s, 2),
        "source_mb": round(source_mb, 2),
        "edition": stats.as_dict(),
        "naive_sample": sample,
        "measurements": {name: m.__dict__ for name, m in results.items()},
        "index_pages_bytes": pages,
        "largest_index_page": {"path": biggest_page[0], "bytes": biggest_page[1]},
        "largest_html": {"path": largest[1], "bytes": largest[0]},
        "output_files": sum(1 for p in out.rglob("*") if p.is_file()) if out.is_dir() else 0,
    }


# --------------------------------------------------------------------------------------
# Machine, targets and report
# --------------------------------------------------------------------------------------


def version_of(package: str) -> str:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def machine() -> dict[str, Any]:
    """What the figures were measured on."""
    from lxml import etree

    cpu_model = ""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.is_file():
        found = re.search(r"model name\s*:\s*(.+)", cpuinfo.read_text(errors="replace"))
        cpu_model = found.group(1).strip() if found else ""
    memory_gb = 0.0
    meminfo = Path("/proc/meminfo")
    if meminfo.is_file():
        found = re.search(r"MemTotal:\s*(\d+) kB", meminfo.read_text())
        memory_gb = round(int(found.group(1)) / 1024 / 1024, 1) if found else 0.0
    commit = subprocess.run(
        ["git", "-C", str(REPOSITORY), "rev-parse", "--short", "HEAD"],
        capture_output=True,
        text=True,
    ).stdout.strip()
    dirty = subprocess.run(
        ["git", "-C", str(REPOSITORY), "status", "--porcelain", "--untracked-files=no"],
        capture_output=True,
        text=True,
    ).stdout.strip()
    affinity = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None
    return {
        "cpu_count": os.cpu_count(),
        "cpus_usable": affinity,
        "cpu_model": cpu_model,
        "memory_gb": memory_gb,
        "platform": platform.platform(),
        "python": platform.python_version(),
        "lxml": ".".join(map(str, etree.LXML_VERSION)),
        "libxml2": ".".join(map(str, etree.LIBXML_VERSION)),
        "saxonche": version_of("saxonche"),
        "kimedition": version_of("kimedition"),
        "git_commit": commit + ("+changes" if dirty else ""),
        "load_average": [round(x, 2) for x in os.getloadavg()] if hasattr(os, "getloadavg") else [],
    }


@dataclass
class Target:
    what: str
    measured: str
    passed: bool | None
    """None: not measured (a command failed, or the size was not run)."""

    @property
    def verdict(self) -> str:
        return "PASS" if self.passed else ("FAIL" if self.passed is False else "not measured")


def targets(sizes: dict[int, dict[str, Any]]) -> list[Target]:
    """The issue's targets, checked on the largest size that was run."""
    largest = max(sizes)
    ms = sizes[largest]["measurements"]

    def ok(name: str) -> bool:
        return bool(ms[name]["ok"])

    found: list[Target] = []

    def wall(name: str) -> str:
        return f"{ms[name]['wall_s']:.2f} s{spread(ms[name])}" if ok(name) else "command failed"

    rate = ms["build-full"]["docs_per_s"]
    found.append(
        Target(
            "full validate + build ≥ 400 docs/s",
            f"{rate:,.0f} docs/s" if ok("build-full") else "command failed",
            rate >= 400 if ok("build-full") else None,
        )
    )
    ratio = ms["build-full"]["wall_to_floor"]
    found.append(
        Target(
            "full validate + build ≤ 6× the floor's wall time",
            f"{ratio:.1f}×" if ratio is not None else "not measured",
            ratio <= 6 if ratio is not None else None,
        )
    )
    rate = ms["validate"]["docs_per_s"]
    found.append(
        Target(
            "validate alone ≥ 1,000 docs/s",
            f"{rate:,.0f} docs/s" if ok("validate") else "command failed",
            rate >= 1000 if ok("validate") else None,
        )
    )
    for name, what in (
        ("build-edit-document", "rebuild after editing one document < 1.5 s"),
        ("build-edit-register", "rebuild after editing one register entry < 1.5 s"),
    ):
        found.append(Target(what, wall(name), ms[name]["wall_s"] < 1.5 if ok(name) else None))
    found.append(
        Target(
            "rebuild after no edit < 1 s",
            wall("build-no-edit"),
            ms["build-no-edit"]["wall_s"] < 1 if ok("build-no-edit") else None,
        )
    )
    peaks = [ms[n]["peak_rss_mb"] for n in KIMEDITION_COMMANDS if ok(n)]
    found.append(
        Target(
            "peak memory < 500 MB per process (validate, builds)",
            f"{max(peaks):,.0f} MB" if peaks else "not measured",
            max(peaks) < 500 if peaks else None,
        )
    )
    smallest = min(sizes)
    if smallest != largest:
        factor = largest / smallest
        allowed = 1.1 * factor
        for name in ("validate", "build-full"):
            small = sizes[smallest]["measurements"][name]
            large = ms[name]
            measured = small["ok"] and large["ok"] and small["wall_s"] > 0
            growth = large["wall_s"] / small["wall_s"] if measured else 0.0
            found.append(
                Target(
                    f"{name}: {smallest:,} → {largest:,} documents grows at most {allowed:.1f}×",
                    f"{growth:.1f}×" if measured else "not measured",
                    growth <= allowed if measured else None,
                )
            )
    else:
        found.append(Target("1,000 → 10,000 grows at most 11×", "one size only", None))
    page = sizes[largest]["largest_index_page"]
    found.append(
        Target(
            "index pages < 5 MB each",
            f"largest: {page['path']} {page['bytes'] / 1e6:.2f} MB" if page["path"] else "none",
            page["bytes"] < 5e6 if page["path"] else None,
        )
    )
    for target in found:
        target.what += f" (at {largest:,})" if largest != 10000 else ""
    return found


def statistic(measurement: dict[str, Any]) -> str:
    """How a measurement taken several times is reported: "median of N" or "fastest of
    N" (empty for one run)."""
    count = len(measurement.get("runs", []))
    if count < 2:
        return ""
    return f"{'fastest' if measurement['name'] in FASTEST else 'median'} of {count}"


def spread(measurement: dict[str, Any]) -> str:
    """For a measurement taken several times: " (median of N: low–high s)"."""
    walls = [run["wall_s"] for run in measurement.get("runs", [])]
    if len(walls) < 2:
        return ""
    return f" ({statistic(measurement)}: {min(walls):.2f}–{max(walls):.2f} s)"


def _number(value: float | None, digits: int = 1) -> str:
    if value is None or value == 0:
        return "—"
    return f"{value:,.{digits}f}"


def markdown(results: dict[str, Any]) -> str:
    """The report: a table per size, the growth between sizes, the targets, the machine."""
    lines = ["# kimedition benchmark", ""]
    m = results["machine"]
    lines.append(
        f"Machine: {m['cpu_count']} CPUs ({m['cpus_usable']} usable; "
        f"{m['cpu_model'] or 'unknown model'}), "
        f"{m['memory_gb']} GB; Python {m['python']}, lxml {m['lxml']} (libxml2 {m['libxml2']}), "
        f"saxonche {m['saxonche']}, kimedition {m['kimedition']} ({m['git_commit']}); "
        f"load average {', '.join(map(str, m['load_average'])) or 'unknown'} (1, 5, 15 min) "
        "at the start. "
        f"Seed {results['settings']['seed']}; --jobs "
        f"{results['settings']['jobs'] or 'not given'} (passed to build: "
        f"{'yes' if results['settings']['jobs_passed_to_build'] else 'no'}, to validate: "
        f"{'yes' if results['settings']['jobs_passed_to_validate'] else 'no'})."
    )
    lines.append("")
    for size_text, size in results["sizes"].items():
        e = size["edition"]
        lines.append(f"## {int(size_text):,} documents")
        lines.append("")
        lines.append(
            f"Sources: {size['source_mb']:.1f} MB (documents and registers of "
            f"{e['registers'].get('person', 0):,} persons, {e['registers'].get('place', 0):,} "
            f"places, {e['registers'].get('org', 0):,} organisations). Text element per document: "
            f"mean {e['text_kb']['mean']} KB, min {e['text_kb']['min']}, "
            f"max {e['text_kb']['max']}; "
            f"files mean {e['file_kb']['mean']} KB. {e['names_per_kb_plain']} tagged names per KB "
            f"of plain text; {e['entries_used']:.0%} of register entries used. Generated in "
            f"{size['generation_s']} s."
        )
        lines.append("")
        lines.append(
            "| run | wall (s) | docs/s | MB/s | peak memory (MB) | wall ÷ floor "
            "| docs/s ÷ floor | note |"
        )
        lines.append("|---|---:|---:|---:|---:|---:|---:|---|")
        for name in MEASUREMENTS:
            r = size["measurements"][name]
            if not r["ok"]:
                lines.append(f"| {LABELS[name]} | failed | | | | | | {_cell(r['error'])} |")
                continue
            note = ""
            wall = f"{r['wall_s']:.2f}"
            if name == "naive":
                wall = f"{r['extrapolated_wall_s']:.1f}"
                note = (
                    f"measured on {r['documents']} documents in {r['wall_s']:.1f} s; wall "
                    "extrapolated to all"
                )
            elif name.startswith("validate"):
                found = r["details"]
                note = f"{found.get('errors', '?')} errors, {found.get('warnings', '?')} warnings"
                if "edit" in found:
                    note += f"; {edits_made(found)}"
            elif name.startswith("build-edit"):
                note = edits_made(r["details"])
            if len(r["runs"]) > 1:
                walls = ", ".join(f"{run['wall_s']:.2f}" for run in r["runs"])
                note = f"{statistic(r)} ({walls} s)" + (f"; {note}" if note else "")
            lines.append(
                f"| {LABELS[name]} | {wall} | {_number(r['docs_per_s'], 0)} "
                f"| {_number(r['mb_per_s'], 2)} "
                f"| {_number(r['peak_rss_mb'], 0)} | {_number(r['wall_to_floor'], 2)} "
                f"| {_number(r['docs_per_s_to_floor'], 3)} | {note} |"
            )
        lines.append("")
        pages = size["index_pages_bytes"]
        if pages:
            page = size["largest_index_page"]
            named = [p for p in INDEX_PAGES if p in pages and p != page["path"]]
            shown = "".join(f", {p} {pages[p] / 1e6:.2f} MB" for p in named)
            lines.append(
                f"Index pages (every HTML page outside html/documents/): {len(pages)}, "
                f"the largest {page['path']} ({page['bytes'] / 1e6:.2f} MB){shown}. "
                f"Largest file under html/: {size['largest_html']['path']} "
                f"({size['largest_html']['bytes'] / 1e6:.2f} MB)."
            )
            lines.append("")
    if results["growth"]:
        lines.append("## Growth with the number of documents")
        lines.append("")
        lines.append("| run | from | to | documents × | wall time × |")
        lines.append("|---|---:|---:|---:|---:|")
        for g in results["growth"]:
            lines.append(
                f"| {LABELS[g['measurement']]} | {g['from']:,} | {g['to']:,} | "
                f"{g['documents_factor']:.1f} | {_number(g['wall_factor'], 2)} |"
            )
        lines.append("")
    lines.append("## Targets")
    lines.append("")
    lines.append("| target | measured | result |")
    lines.append("|---|---|---|")
    for t in results["targets"]:
        lines.append(f"| {t['what']} | {t['measured']} | {t['verdict']} |")
    lines.append("")
    lines.append(
        "Wall time: perf_counter around each command, start-up included; for a run "
        "taken several times, the median (each time after an edit of its own, of the "
        "same kind: a document's word toggled between two words, one more sentence in "
        "the register entry's note), and for the floor the fastest run. Peak memory: "
        "ru_maxrss of the largest process of the command's tree (getrusage RUSAGE_CHILDREN "
        "in a fresh wrapper per command; the largest of the runs). docs/s = documents ÷ "
        "wall; MB/s = all source "
        "bytes ÷ wall. The naive figure is measured on a sample and extrapolated."
    )
    lines.append("")
    return "\n".join(lines)


def edits_made(details: dict[str, Any]) -> str:
    """The edits a measurement followed, each different one once, for a table cell."""
    edits = details.get("edits") or [details.get("edit", "")]
    return _cell("; ".join(dict.fromkeys(edits)))


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")[:300]


def growth(sizes: dict[int, dict[str, Any]]) -> list[dict[str, Any]]:
    """Wall time of each measurement at each size relative to the previous size."""
    ordered = sorted(sizes)
    found = []
    for small, large in itertools.pairwise(ordered):
        for name in MEASUREMENTS:
            a = sizes[small]["measurements"][name]
            b = sizes[large]["measurements"][name]
            wall_a = a["extrapolated_wall_s"] or a["wall_s"]
            wall_b = b["extrapolated_wall_s"] or b["wall_s"]
            factor = wall_b / wall_a if a["ok"] and b["ok"] and wall_a > 0 else None
            found.append(
                {
                    "measurement": name,
                    "from": small,
                    "to": large,
                    "documents_factor": large / small,
                    "wall_factor": factor,
                }
            )
    return found


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Measure kimedition on synthetic editions (see benchmarks/README.md)."
    )
    parser.add_argument(
        "--sizes",
        default="1000,10000",
        help="numbers of documents, comma-separated (default: 1000,10000)",
    )
    parser.add_argument("--seed", type=int, default=1, help="seed of the synthetic editions")
    parser.add_argument(
        "--work",
        type=Path,
        default=None,
        help="folder for the editions and outputs (kept); default: a temporary folder, removed",
    )
    parser.add_argument(
        "--jobs",
        type=int,
        default=None,
        help="passed to kimedition build/validate as --jobs, where they accept it",
    )
    parser.add_argument(
        "--output",
        type=Path,
        default=HERE / "results",
        help="where results.md and results.json go (default: benchmarks/results)",
    )
    parser.add_argument("--persons", type=int, default=2000, help="persons in the register")
    parser.add_argument("--places", type=int, default=1000, help="places in the register")
    parser.add_argument("--orgs", type=int, default=300, help="organisations in the register")
    parser.add_argument(
        "--naive-sample", type=int, default=200, help="documents the naive pipeline runs on"
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=5,
        help="times the floor and the short runs are taken, each after its own edit; "
        "their median is reported (default: 5)",
    )
    parser.add_argument(
        "--timeout", type=float, default=3600.0, help="seconds before a command is killed"
    )
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat needs a positive number")
    try:
        sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    except ValueError:
        parser.error("--sizes takes whole numbers separated by commas, e.g. 1000,10000")
    if not sizes or min(sizes) < 1:
        parser.error("--sizes needs at least one positive number")
    for size in sizes if args.work is not None else []:
        folder = args.work / str(size)
        if folder.exists() and not generated(folder / "edition"):
            parser.error(
                f"{folder}: not left by an earlier run of this benchmark, so it is not deleted; "
                "choose another --work"
            )

    kimedition = kimedition_command()
    jobs_build = bool(args.jobs) and supports(kimedition, "build", "--jobs")
    jobs_validate = bool(args.jobs) and supports(kimedition, "validate", "--jobs")
    temporary = args.work is None
    work = Path(tempfile.mkdtemp(prefix="kimedition-bench-")) if temporary else args.work
    work = work.resolve()
    work.mkdir(parents=True, exist_ok=True)
    bytecode = keep_bytecode(work, kimedition)
    started = time.perf_counter()
    host = machine()
    try:
        measured = {
            size: run_size(size, args, work, kimedition, jobs_build, jobs_validate)
            for size in sizes
        }
    finally:
        if temporary:
            shutil.rmtree(work, ignore_errors=True)
    results: dict[str, Any] = {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": host,
        "settings": {
            "sizes": sizes,
            "seed": args.seed,
            "persons": args.persons,
            "places": args.places,
            "orgs": args.orgs,
            "naive_sample": args.naive_sample,
            "repeat": args.repeat,
            "jobs": args.jobs,
            "jobs_passed_to_build": jobs_build,
            "jobs_passed_to_validate": jobs_validate,
            "kimedition_command": kimedition,
            "work": None if temporary else str(work),
            "bytecode": str(bytecode),
            "timeout_s": args.timeout,
        },
        "sizes": {str(size): figures for size, figures in measured.items()},
        "growth": growth(measured),
        "targets": [t.__dict__ | {"verdict": t.verdict} for t in targets(measured)],
        "total_s": round(time.perf_counter() - started, 1),
    }
    report = markdown(results)
    args.output.mkdir(parents=True, exist_ok=True)
    (args.output / "results.json").write_text(
        json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    (args.output / "results.md").write_text(report, encoding="utf-8")
    print(report)
    print(f"written: {args.output / 'results.md'}, {args.output / 'results.json'}", file=sys.stderr)
    failed = [
        f"{size}:{name}"
        for size, figures in measured.items()
        for name, m in figures["measurements"].items()
        if not m["ok"]
    ]
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
