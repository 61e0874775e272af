"""Where an edition keeps its files, and where the toolkit keeps its own.

An edition folder is laid out like this repository::

    tei/edition.xml          the edition's own header
    tei/persons.xml          registers: personography, gazetteer, organisations
    tei/places.xml
    tei/orgs.xml
    tei/documents/*.xml      one TEI document per record
    tei/schema/              optional: the edition's own schema (else the toolkit's)
    xslt/                    optional: the edition's own stylesheets (else the toolkit's)
    output/                  what ``kimedition build`` writes

The schema and the stylesheets are looked up first in the edition folder, then in the
installed package, so that any edition laid out like this one works with the installed
command.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from .errors import UsageError

REGISTER_FILES: dict[str, str] = {
    "person": "persons.xml",
    "place": "places.xml",
    "org": "orgs.xml",
}
"""Register kind → file name under ``tei/``. The kind is also the ``@ref`` prefix."""

SCHEMA_RNG = "kimedition.rng"
SCHEMA_SCH = "kimedition.sch"

_PACKAGE = Path(__file__).resolve().parent


def _resource_dir(name: str, checkout_path: str) -> Path:
    """Return the toolkit's own copy of a resource folder.

    An installed wheel carries it under ``kimedition/resources``; a source checkout
    (editable install) keeps it at the top of the repository.
    """
    installed = _PACKAGE / "resources" / name
    if installed.is_dir():
        return installed
    return _PACKAGE.parent.parent / checkout_path


def toolkit_schema_dir() -> Path:
    """The folder holding the toolkit's RELAX NG and Schematron schemas."""
    return _resource_dir("schema", "tei/schema")


def toolkit_xslt_dir() -> Path:
    """The folder holding the toolkit's XSLT stylesheets."""
    return _resource_dir("xslt", "xslt")


def location(path: Path) -> Path:
    """Where ``path`` lies: resolved, links followed, but for its last step when that is
    a link (which is itself what is written or replaced there, not what it points to)."""
    return path.parent.resolve() / path.name if path.is_symlink() else path.resolve()


@dataclass(frozen=True)
class Edition:
    """An edition folder; paths are absolute."""

    root: Path

    @classmethod
    def open(cls, root: Path | str) -> Edition:
        """Open the edition at ``root``, which must hold a ``tei/`` folder.

        Raises :class:`UsageError` naming the folder when it is not an edition.
        """
        path = Path(root).expanduser()
        if not path.exists():
            raise UsageError(f"{path}: no such folder; give an edition folder with -C PATH")
        if not path.is_dir():
            raise UsageError(f"{path}: not a folder; give an edition folder with -C PATH")
        path = path.resolve()
        if not (path / "tei").is_dir():
            raise UsageError(
                f"{path}: not an edition folder (it has no tei/ folder); "
                "run in an edition folder or give one with -C PATH"
            )
        return cls(path)

    @property
    def tei_dir(self) -> Path:
        return self.root / "tei"

    @property
    def documents_dir(self) -> Path:
        return self.tei_dir / "documents"

    @property
    def header_path(self) -> Path:
        """``tei/edition.xml``: the edition's title, editors, licence and principles."""
        return self.tei_dir / "edition.xml"

    def register_path(self, kind: str) -> Path:
        """The register file for ``kind`` (``person``, ``place`` or ``org``)."""
        return self.tei_dir / REGISTER_FILES[kind]

    @property
    def register_paths(self) -> dict[str, Path]:
        return {kind: self.register_path(kind) for kind in REGISTER_FILES}

    @property
    def schema_dir(self) -> Path:
        own = self.tei_dir / "schema"
        if (own / SCHEMA_RNG).is_file():
            return own
        return toolkit_schema_dir()

    @property
    def rng_path(self) -> Path:
        return self.schema_dir / SCHEMA_RNG

    @property
    def sch_path(self) -> Path:
        return self.schema_dir / SCHEMA_SCH

    @property
    def xslt_dir(self) -> Path:
        own = self.root / "xslt"
        if own.is_dir() and any(own.glob("*.xsl")):
            return own
        return toolkit_xslt_dir()

    @property
    def source_dirs(self) -> list[Path]:
        """The folders a build reads and never writes: the sources and the schemas and
        stylesheets in use (the edition's own or the toolkit's), and the edition's
        ``xslt/`` folder."""
        return [self.tei_dir, self.schema_dir, self.xslt_dir, self.root / "xslt"]

    def source_folder_of(self, path: Path) -> Path | None:
        """The folder of :attr:`source_dirs` that ``path`` is or lies in (see
        :func:`location`), or None."""
        where = location(path)
        for folder in self.source_dirs:
            if where.is_relative_to(folder.resolve()):
                return folder
        return None

    @property
    def default_output(self) -> Path:
        return self.root / "output"

    def document_paths(self) -> list[Path]:
        """Every ``*.xml`` file under ``tei/documents``, sorted by name."""
        folder = self.documents_dir
        if not folder.is_dir():
            return []
        with os.scandir(folder) as entries:
            names = sorted(e.name for e in entries if e.name.endswith(".xml") and e.is_file())
        return [folder / name for name in names]

    def auxiliary_paths(self) -> list[Path]:
        """The header and the registers, in a fixed order, whether or not they exist."""
        return [self.header_path, *self.register_paths.values()]

    def relative(self, path: Path) -> str:
        """``path`` relative to the edition root, with forward slashes, when inside it."""
        try:
            return path.resolve().relative_to(self.root).as_posix()
        except ValueError:
            return str(path)

    def contains(self, path: Path) -> bool:
        """Whether ``path`` (resolved, following links) lies inside the edition folder."""
        try:
            path.resolve().relative_to(self.root)
        except ValueError:
            return False
        return True
