"""What the previous build did, so that the next one redoes only what changed.

The state of a build is kept next to its output folder, in ``.<out>.cache/state.json``
(never inside the output, so that the output stays byte-identical whatever the
history). It records:

- for each source file, its size, modification time and SHA-256, so that unchanged
  files are not even read again;
- the result of each pass for each file, under a key made of everything that result
  depends on (the file's content, the schemas, the stylesheets, the registers, the
  corpus-wide facts that concern it, the options and the toolkit's version);
- for each output file, the key of the inputs it was made from.

A result or an output whose key has not changed is reused; anything else is redone.
The state is written only after a build has succeeded.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import __version__
from .engine import Scan
from .indexes import CardFacts
from .parsing import UnreadableSource, read_bytes
from .problems import Problem, Severity

FORMAT = 3
"""The version of the state file's layout; a state of another version is ignored."""


def digest(*parts: str | bytes) -> str:
    """A SHA-256 over the parts, each length-prefixed so that boundaries count."""
    hasher = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        hasher.update(len(data).to_bytes(8, "big"))
        hasher.update(data)
    return hasher.hexdigest()


def folder_digest(folder: Path) -> str:
    """A digest of every regular file under ``folder`` (names and contents)."""
    parts: list[str | bytes] = []
    if folder.is_dir():
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            parts += [path.relative_to(folder).as_posix(), file_digest(path)]
    return digest(*parts)


def file_digest(path: Path) -> str:
    """A digest of a file's content, read as sources are (never a pipe or a device);
    a file that cannot be read has a digest of its own, so that it is never reused."""
    try:
        return digest(read_bytes(path, str(path)))
    except UnreadableSource as error:
        return digest("unreadable", str(path), error.problem.message)


def _problem_to_json(problem: Problem) -> list[Any]:
    return [problem.line, problem.column, problem.severity.value, problem.message, problem.rule]


def _problem_from_json(data: list[Any], display: str) -> Problem:
    line, column, severity, message, rule = data
    return Problem(display, int(line), int(column), Severity(severity), str(message), str(rule))


def scan_to_json(scan: Scan) -> dict[str, Any]:
    return {
        "sha": scan.sha,
        "readable": scan.readable,
        "problems": [_problem_to_json(p) for p in scan.problems],
        "ids": scan.ids,
        "refs": scan.refs,
        "card": scan.card,
        "facts": scan.facts.to_json() if scan.facts else None,
    }


def scan_from_json(data: dict[str, Any], path: str, kind: str, display: str) -> Scan:
    return Scan(
        path,
        kind,
        display,
        sha=data["sha"],
        problems=[_problem_from_json(p, display) for p in data["problems"]],
        readable=bool(data["readable"]),
        ids=list(data["ids"]),
        refs=list(data["refs"]),
        card=data["card"],
        facts=CardFacts.from_json(data["facts"]) if data["facts"] else None,
    )


def problems_to_json(problems: list[Problem]) -> list[list[Any]]:
    return [_problem_to_json(p) for p in problems]


def problems_from_json(data: list[list[Any]], display: str) -> list[Problem]:
    return [_problem_from_json(p, display) for p in data]


@dataclass
class BuildState:
    """The state of the last successful build of one output folder."""

    path: Path
    files: dict[str, list[Any]] = field(default_factory=dict)
    """source path → [size, mtime_ns, sha256]"""
    scans: dict[str, dict[str, Any]] = field(default_factory=dict)
    """source path → {"key": …, "scan": …}"""
    checks: dict[str, dict[str, Any]] = field(default_factory=dict)
    """source path → {"key": …, "problems": …}"""
    outputs: dict[str, str] = field(default_factory=dict)
    """output path (relative) → key of its inputs"""
    fingerprint: str = ""
    """A digest of every source's size and modification time and of every other input."""
    problems: list[list[Any]] = field(default_factory=list)
    """The validation problems of the build, with their paths."""
    memo: dict[str, Any] = field(default_factory=dict)
    """Other results worth keeping between builds, each stored with its own key."""

    @classmethod
    def for_output(cls, out: Path) -> BuildState:
        return cls(out.parent / f".{out.name}.cache" / "state.json")

    def load(self) -> BuildState:
        """Read the state file; an unreadable or foreign one counts as no state."""
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return self
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            return self
        if data.get("version") != __version__:
            return self
        self.files = data.get("files", {})
        self.scans = data.get("scans", {})
        self.checks = data.get("checks", {})
        self.outputs = data.get("outputs", {})
        self.fingerprint = data.get("fingerprint", "")
        self.problems = data.get("problems", [])
        self.memo = data.get("memo", {})
        return self

    def save(self) -> None:
        """Write the state atomically (temporary file, then rename)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        payload = {
            "format": FORMAT,
            "version": __version__,
            "files": self.files,
            "scans": self.scans,
            "checks": self.checks,
            "outputs": self.outputs,
            "fingerprint": self.fingerprint,
            "problems": self.problems,
            "memo": self.memo,
        }
        temporary = self.path.with_suffix(".tmp")
        temporary.write_text(json.dumps(payload, separators=(",", ":")), encoding="utf-8")
        os.replace(temporary, self.path)

    def known_sha(self, path: Path) -> str | None:
        """The SHA-256 recorded for ``path`` if its size and modification time are unchanged."""
        record = self.files.get(str(path))
        if record is None:
            return None
        try:
            stat = path.stat()
        except OSError:
            return None
        size, mtime, sha = record
        if stat.st_size == size and stat.st_mtime_ns == mtime:
            return str(sha)
        return None

    def remember_file(self, path: Path, sha: str) -> None:
        try:
            stat = path.stat()
        except OSError:
            return
        self.files[str(path)] = [stat.st_size, stat.st_mtime_ns, sha]

    def remember_problems(self, problems: list[Problem]) -> None:
        self.problems = [[p.path, *_problem_to_json(p)] for p in problems]

    @staticmethod
    def problems_from(records: list[list[Any]]) -> list[Problem]:
        """Problems as :meth:`remember_problems` recorded them."""
        return [_problem_from_json(p[1:], str(p[0])) for p in records]
