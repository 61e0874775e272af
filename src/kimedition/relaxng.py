"""RELAX NG validation, with messages that say what the schema allows.

libxml2 (through lxml) validates quickly but reports tersely: ``Did not expect element
foo there``, ``Invalid attribute when for element date``, always at column 0. This
module keeps the engine behind one class and adds what a reader needs: the element's
exact position, and what the schema allows in that place, read from the schema itself
by :class:`SchemaGuide`.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from lxml import etree

from .errors import SchemaError
from .parsing import Source, UnreadableSource, load_bytes_any
from .problems import Problem

RNG = "http://relaxng.org/ns/structure/1.0"
_R = f"{{{RNG}}}"

# Messages that only repeat, for a parent, an error already reported for a child.
_CASCADE = re.compile(r"failed to validate (content|attributes)|Expecting an element , got nothing")


@dataclass
class ElementRules:
    """What the schema allows for one element name (all its definitions together)."""

    children: set[str] = field(default_factory=set)
    attributes: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    text: bool = False


class SchemaGuide:
    """Allowed children and attributes per element name, read from a RELAX NG schema."""

    def __init__(self, schema: etree._Element) -> None:
        self.defines: dict[str, list[etree._Element]] = defaultdict(list)
        for define in schema.iter(f"{_R}define"):
            self.defines[define.get("name", "")].append(define)
        self.elements: dict[str, ElementRules] = defaultdict(ElementRules)
        for element in schema.iter(f"{_R}element"):
            name = _pattern_name(element)
            if name:
                self._collect(element, self.elements[name], set())

    def _collect(self, pattern: etree._Element, rules: ElementRules, seen: set[str]) -> None:
        """Add to ``rules`` what ``pattern`` allows, following refs but not entering
        child element patterns (their content belongs to the child)."""
        for child in pattern:
            if not isinstance(child.tag, str):
                continue
            tag = child.tag
            if tag == f"{_R}element":
                name = _pattern_name(child)
                if name:
                    rules.children.add(name)
            elif tag == f"{_R}attribute":
                name = _pattern_name(child)
                if name:
                    rules.attributes[name].add(_describe_value(child, self))
            elif tag == f"{_R}text":
                rules.text = True
            elif tag == f"{_R}mixed":
                rules.text = True
                self._collect(child, rules, seen)
            elif tag == f"{_R}ref":
                target = child.get("name", "")
                if target in seen:
                    continue
                seen.add(target)
                for define in self.defines.get(target, []):
                    self._collect(define, rules, seen)
            elif tag in (f"{_R}name", f"{_R}anyName", f"{_R}nsName"):
                continue
            elif etree.QName(tag).namespace == RNG:
                self._collect(child, rules, seen)

    def allowed_children(self, name: str) -> list[str]:
        return sorted(self.elements[name].children) if name in self.elements else []

    def allowed_attributes(self, name: str) -> dict[str, set[str]]:
        return dict(self.elements[name].attributes) if name in self.elements else {}

    def describe_children(self, name: str) -> str:
        rules = self.elements.get(name)
        if rules is None:
            return ""
        parts = sorted(rules.children)
        if rules.text and parts:
            return "text and " + ", ".join(parts)
        if rules.text:
            return "text only"
        return ", ".join(parts) if parts else "nothing"


def _pattern_name(pattern: etree._Element) -> str | None:
    name = pattern.get("name")
    if name:
        return name
    inner = pattern.find(f"{_R}name")
    if inner is not None and inner.text:
        return inner.text.strip()
    return None


def _describe_value(attribute: etree._Element, guide: SchemaGuide, depth: int = 0) -> str:
    """A short human description of the values an attribute pattern accepts."""
    values: list[str] = []
    for node in attribute.iter():
        if node.tag == f"{_R}value":
            values.append(f'"{node.text or ""}"')
        elif node.tag == f"{_R}data":
            param = node.find(f"{_R}param[@name='pattern']")
            if param is not None:
                values.append(f"{node.get('type')} matching {param.text}")
            else:
                values.append(str(node.get("type")))
        elif node.tag == f"{_R}ref" and depth < 4:
            for define in guide.defines.get(node.get("name", ""), []):
                values.append(_describe_value(define, guide, depth + 1))
    described = " or ".join(v for v in dict.fromkeys(values) if v)
    return described or "text"


class RelaxNGValidator:
    """A compiled RELAX NG schema (per process: lxml's schemas cannot be pickled)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            data = path.read_bytes()
        except OSError as error:
            raise SchemaError(
                f"{path}: cannot read the RELAX NG schema: {error.strerror}"
            ) from None
        try:
            tree = load_bytes_any(data, str(path))
        except UnreadableSource as error:
            raise SchemaError(error.problem.format()) from None
        try:
            self.schema = etree.RelaxNG(tree)
        except etree.RelaxNGParseError as error:
            raise SchemaError(f"{path}: not a usable RELAX NG schema: {error}") from None
        self.guide = SchemaGuide(tree.getroot())

    def validate(self, source: Source) -> list[Problem]:
        """Every RELAX NG error in ``source``, positioned and explained."""
        if self.schema.validate(source.tree):
            return []
        entries = list(self.schema.error_log)
        specific = [e for e in entries if not _CASCADE.search(e.message)]
        problems: list[Problem] = []
        for entry in specific or entries[:1]:
            problems.append(self._problem(source, entry))
        return list(dict.fromkeys(problems))

    def _problem(self, source: Source, entry: etree._LogEntry) -> Problem:
        element = _element_at(source, entry.path)
        line, column = entry.line, 0
        message = entry.message
        if element is not None:
            position = source.text.element(element)
            line, column = position.line or line, position.column
            message = self._explain(source, element, entry, message)
            attribute = _attribute_named(entry.message)
            if attribute:
                at = source.text.attribute(element, _clark(element, attribute))
                line, column = at.line or line, at.column
        return Problem(source.display, line, column, message=message, rule="rng")

    def _explain(
        self, source: Source, element: etree._Element, entry: etree._LogEntry, message: str
    ) -> str:
        name = etree.QName(element).localname
        parent = element.getparent()
        parent_name = etree.QName(parent).localname if parent is not None else ""
        if entry.type_name == "RELAXNG_ERR_ELEMWRONG" or message.startswith("Did not expect"):
            allowed = self.guide.describe_children(parent_name)
            if name not in self.guide.elements:
                return (
                    f"element {name} is not part of the edition's schema; {parent_name} allows: "
                    f"{allowed}"
                )
            if name in self.guide.allowed_children(parent_name):
                return (
                    f"element {name} is not allowed at this point in {parent_name} (wrong "
                    f"order or repeated); {parent_name} allows: {allowed}"
                )
            return (
                f"element {name} is not allowed in {parent_name}; {parent_name} allows: {allowed}"
            )
        match = re.match(r"Expecting element (\S+), got (\S+)", message)
        if match:
            return (
                f"expected element {match.group(1)} here, found {match.group(2)}; "
                f"{parent_name or name} allows: {self.guide.describe_children(parent_name or name)}"
            )
        match = re.match(r"Element (\S+) has extra content: (\S+)", message)
        if match:
            return (
                f"{match.group(1)} may not contain {match.group(2)}; {match.group(1)} allows: "
                f"{self.guide.describe_children(match.group(1))}"
            )
        attribute = _attribute_named(message)
        if attribute:
            permitted = self.guide.allowed_attributes(name)
            if attribute in permitted:
                value = element.get(_clark(element, attribute)) or ""
                expected = " or ".join(sorted(permitted[attribute]))
                typed = re.findall(r"(\w+) matching (\S+)", expected)
                if any(
                    _fullmatch(pattern, value) and _valid_value(kind, value)
                    for kind, pattern in typed
                ):
                    present = ", ".join("@" + str(a) for a in element.attrib)
                    return (
                        f"@{attribute} is not allowed together with the other attributes of "
                        f"{name} ({present}); see the encoding manual for which may be combined"
                    )
                return (
                    f'the value "{value}" of @{attribute} on {name} is not valid: '
                    f"expected {expected}"
                )
            names = ", ".join("@" + a for a in sorted(permitted)) or "no attributes"
            return f"{name} does not allow @{attribute}; allowed: {names}"
        match = re.match(r"Type (\S+) doesn't allow value '(.*)'", message)
        if match:
            return f'the value "{match.group(2)}" on {name} is not a valid {match.group(1)}'
        match = re.match(r"Expecting an element (\S+), got nothing", message)
        if match:
            return f"{name} is missing a required {match.group(1)} element"
        if "Element" in message and "failed to validate content" in message:
            allowed = self.guide.describe_children(name)
            return f"the content of {name} is not valid; {name} allows: {allowed}"
        return message


def _element_at(source: Source, path: str | None) -> etree._Element | None:
    if not path:
        return None
    try:
        found = source.tree.xpath(path)
    except etree.XPathError:
        return None
    if isinstance(found, list) and found and isinstance(found[0], etree._Element):
        return found[0]
    return None


def _valid_value(kind: str, value: str) -> bool:
    """Whether ``value``, which has the form of an XML Schema date type, is a real one:
    a day that exists in its month, a month from 01 to 12, a year other than 0000."""
    try:
        if kind == "date":
            return date.fromisoformat(value).year > 0
        if kind == "gYearMonth":
            year, month = value.split("-")[:2]
            return int(year) > 0 and 1 <= int(month) <= 12
        if kind == "gYear":
            return int(value) > 0
    except ValueError:
        return False
    return True


def _fullmatch(pattern: str, value: str) -> bool:
    """Whether ``value`` matches an XML Schema pattern (close enough to Python's syntax)."""
    try:
        return re.fullmatch(pattern.replace("\\p{C}", "\\x00-\\x1f"), value) is not None
    except re.error:
        return False


def _attribute_named(message: str) -> str | None:
    match = re.match(r"Invalid attribute (\S+) for element", message)
    return match.group(1) if match else None


def _clark(element: etree._Element, attribute: str) -> str:
    if attribute.startswith("xml:"):
        return "{http://www.w3.org/XML/1998/namespace}" + attribute[4:]
    return attribute
