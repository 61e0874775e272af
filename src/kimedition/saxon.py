"""XSLT 3.0 through saxonche, locked down.

A :class:`SaxonRuntime` owns one Saxon processor. Its stylesheets are compiled first,
from the toolkit's or the edition's files; then the runtime is locked: Saxon's
``allowedProtocols`` feature is set to nothing, so that no stylesheet or document can
read a file or a URL (``doc()``, ``unparsed-text()``, external entities, ``collection()``
all fail). Documents are handed to Saxon already parsed by the hardened lxml parser,
serialised without any document type declaration.

A runtime is not thread-safe; each worker process builds its own.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from lxml import etree
from saxonche import PySaxonApiError, PySaxonProcessor

from .errors import SchemaError

ALLOWED_PROTOCOLS = "http://saxon.sf.net/feature/allowedProtocols"


_REAL_STDERR: int | None = None
_DEVNULL: int | None = None


def real_stderr() -> int:
    """A file descriptor for the process's standard error that Saxon's silencing leaves open."""
    global _REAL_STDERR
    if _REAL_STDERR is None:
        _REAL_STDERR = os.dup(2)
    return _REAL_STDERR


@contextmanager
def _quiet() -> Iterator[None]:
    """Keep Saxon from writing to standard error: its messages reach the caller as
    exceptions, which are reported once, cleanly."""
    global _DEVNULL
    saved = real_stderr()
    if _DEVNULL is None:
        _DEVNULL = os.open(os.devnull, os.O_WRONLY)
    sys.stderr.flush()
    os.dup2(_DEVNULL, 2)
    try:
        yield
    finally:
        os.dup2(saved, 2)


class TransformError(Exception):
    """A transformation failed; the message is Saxon's, shortened to its first line."""


def _first_line(error: BaseException) -> str:
    """Saxon's message on one line: where, then the error code and what it says."""
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    return ": ".join(lines[:3]) or error.__class__.__name__


class SaxonRuntime:
    """One Saxon processor: compile stylesheets, lock, then transform."""

    def __init__(self) -> None:
        self.processor = PySaxonProcessor(license=False)
        self._compiler = self.processor.new_xslt30_processor()
        self._locked = False

    def compile(self, path: Path | None = None, text: str | None = None) -> Stylesheet:
        """Compile a stylesheet from a file or from text; only before :meth:`lock`.

        Raises :class:`SchemaError` naming the stylesheet when it does not compile.
        """
        if self._locked:
            raise RuntimeError("stylesheets must be compiled before the runtime is locked")
        if path is not None and not path.is_file():
            raise SchemaError(f"{path}: stylesheet not found")
        try:
            with _quiet():
                if path is not None:
                    executable = self._compiler.compile_stylesheet(stylesheet_file=str(path))
                else:
                    executable = self._compiler.compile_stylesheet(stylesheet_text=text)
        except PySaxonApiError as error:
            where = str(path) if path is not None else "generated stylesheet"
            raise SchemaError(f"{where}: does not compile: {_first_line(error)}") from None
        if executable is None:
            where = str(path) if path is not None else "generated stylesheet"
            raise SchemaError(f"{where}: does not compile")
        return Stylesheet(self, executable)

    def lock(self) -> None:
        """Forbid every file and network access from now on."""
        self.processor.set_configuration_property(ALLOWED_PROTOCOLS, "")
        self._locked = True

    @property
    def locked(self) -> bool:
        return self._locked

    def document(self, root: etree._Element | str | bytes) -> Any:
        """An XDM document node for an lxml element (or XML text without a DTD)."""
        if isinstance(root, bytes):
            text = root.decode("utf-8")
        elif isinstance(root, str):
            text = root
        else:
            text = etree.tostring(root, encoding="unicode")
        try:
            with _quiet():
                return self.processor.parse_xml(xml_text=text)
        except PySaxonApiError as error:
            raise TransformError(_first_line(error)) from None

    def string(self, value: str) -> Any:
        return self.processor.make_string_value(value)

    def boolean(self, value: bool) -> Any:
        return self.processor.make_boolean_value(value)

    def json(self, value: object) -> Any:
        """An XDM value (maps, arrays, strings…) from a JSON-serialisable value."""
        return self.processor.parse_json(json_text=json.dumps(value, ensure_ascii=False))

    def strings(self, values: list[str]) -> Any:
        """An XDM sequence of strings."""
        sequence = self.processor.empty_sequence()
        for value in values:
            sequence.add_xdm_item(self.processor.make_string_value(value))
        return sequence


class Stylesheet:
    """A compiled stylesheet and the parameter values set on it.

    saxonche keeps parameters as handles to the Python objects that were passed: a
    value must stay alive as long as the stylesheet may use it, or the next
    transformation crashes the process. The values are therefore kept here.
    """

    def __init__(self, runtime: SaxonRuntime, executable: Any) -> None:
        self.runtime = runtime
        self.executable = executable
        self._values: dict[str, Any] = {}

    def set(self, name: str, value: Any) -> None:
        """Set a global parameter to an XDM value (kept alive by this object)."""
        self._values[name] = value
        self.executable.set_parameter(name, value)

    def set_string(self, name: str, value: str) -> None:
        self.set(name, self.runtime.string(value))

    def call(self, function: str, arguments: list[Any]) -> Any:
        """Call a public stylesheet function by its Clark name."""
        try:
            with _quiet():
                return self.executable.call_function_returning_value(function, arguments)
        except PySaxonApiError as error:
            raise TransformError(_first_line(error)) from None

    def transform(self, document: Any) -> str:
        """Run the stylesheet on a document node; return the serialised result."""
        try:
            with _quiet():
                result = self.executable.transform_to_string(xdm_node=document)
        except PySaxonApiError as error:
            raise TransformError(_first_line(error)) from None
        if result is None:
            raise TransformError("the transformation returned nothing")
        return str(result)
