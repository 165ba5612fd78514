"""Audit standard sets: the schema of a set file, validation with file and line for every
problem, and the differences between two versions.

The pydantic models here are the one definition of a set: the loader, the validator, the API
and the OpenAPI document all use them.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Annotated, Any, Literal, Protocol, Self

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    model_validator,
)
from pydantic_core import ErrorDetails

from qa_app.domain.codes import SERVICE_TYPES

EVIDENCE_SOURCES = {
    "people": "People using the service",
    "relatives": "Relatives and carers",
    "staff": "Staff",
    "management": "Management",
    "records": "Records",
    "observation": "Observation",
}

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Code = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[A-Z]{1,3}[0-9]{1,3}$")]
Ref = Annotated[
    str, StringConstraints(strip_whitespace=True, pattern=r"^[A-Za-z0-9][A-Za-z0-9.\-]{0,19}$")
]
# A Literal built from the codes at run time (one list of codes): to a type checker, text.
if TYPE_CHECKING:
    EvidenceSource = str
    ServiceType = str
else:
    EvidenceSource = Literal[tuple(EVIDENCE_SOURCES)]
    ServiceType = Literal[tuple(SERVICE_TYPES)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Question(_Strict):
    ref: Ref = Field(description="Unique in the set, e.g. QB02.3")
    text: Text
    guidance: Text = Field(description="What good looks like and what evidence to look at")
    evidence_sources: list[EvidenceSource] = Field(min_length=1)
    weight: float = Field(1, gt=0, le=10)
    applies_to: list[ServiceType] | None = Field(
        None,
        description="Only for these service types (e.g. nursing-only questions); all if absent",
    )


class Standard(_Strict):
    code: Code = Field(description="PAMMS-style code, unique in the set, e.g. S1 or QB02")
    title: Text
    questions: list[Question] = Field(min_length=1)


class Domain(_Strict):
    code: Code
    title: Text
    standards: list[Standard] = Field(min_length=1)


class StandardSet(_Strict):
    key: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{1,49}$")]
    version: int = Field(ge=1)
    title: Text
    service_types: list[ServiceType] = Field(min_length=1)
    domains: list[Domain] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_codes_and_refs(self) -> Self:
        seen: dict[str | tuple[str, str], str] = {}
        for domain in self.domains:
            for standard in domain.standards:
                if standard.code in seen:
                    raise ValueError(f"standard code {standard.code} is used twice")
                seen[standard.code] = "standard"
                for question in standard.questions:
                    if ("q", question.ref) in seen:
                        raise ValueError(f"question reference {question.ref} is used twice")
                    seen[("q", question.ref)] = "question"
        codes = [d.code for d in self.domains]
        duplicates = {c for c in codes if codes.count(c) > 1}
        if duplicates:
            raise ValueError(f"domain code {sorted(duplicates)[0]} is used twice")
        return self

    def questions(self) -> Iterator[tuple[Domain, Standard, Question]]:
        for domain in self.domains:
            for standard in domain.standards:
                for question in standard.questions:
                    yield domain, standard, question

    def content_hash(self) -> str:
        canonical = json.dumps(self.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(canonical.encode()).hexdigest()


# ---------------------------------------------------------------- validation with line numbers


@dataclass(frozen=True)
class Problem:
    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


@dataclass
class Checked:
    file: str
    standard_set: StandardSet | None
    problems: list[Problem] = field(default_factory=list)


#: A set file larger than this is refused before it is read (the shipped sets are under 100 KB).
MAX_SET_FILE_BYTES = 1_000_000
#: Lists and mappings nested deeper than this are refused before the YAML is composed (a set
#: file is 8 levels deep: set, domains, domain, standards, standard, questions, question, sources).
MAX_NESTING = 20
ALIASES_REFUSED = "anchors and aliases (& and *) are not allowed"
_NESTED_STARTS = (yaml.MappingStartEvent, yaml.SequenceStartEvent)
_NESTED_ENDS = (yaml.MappingEndEvent, yaml.SequenceEndEvent)
#: libyaml's event parser where PyYAML was built with it (the wheels are): the shape check reads
#: every event of a hostile file, and the pure-Python scanner is 10-50 times slower at it.
_EVENT_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
#: a place in the data: keys and list positions, from the top
Place = tuple[str | int, ...]
#: {place: its line in the file (1-based)}
Lines = dict[Place, int]


class _Mark(Protocol):
    line: int  # 0-based


def _line(mark: _Mark | None) -> int:
    """The 1-based line of a place PyYAML marked (1 when it gives none)."""
    return mark.line + 1 if mark is not None else 1


_SCALAR_WORDS = {"int": "whole number", "float": "number", "timestamp": "date", "bool": "yes/no"}


class _Unreadable(Exception):
    """A value YAML cannot turn into data, at a line of the file."""

    def __init__(self, line: int, message: str):
        super().__init__(message)
        self.line, self.message = line, message


def _refused_shape(text: str, file: str, loader: type = _EVENT_LOADER) -> Problem | None:
    """Anchors, aliases and deep nesting, found on the event stream (which neither expands an
    alias nor recurses) before anything is built: a set never needs them, and composing them
    is what lets a few hundred bytes take gigabytes ("billion laughs") or the whole stack."""
    depth = 0
    too_deep = f"lists and mappings are nested more than {MAX_NESTING} levels deep"
    try:
        for event in yaml.parse(text, Loader=loader):
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                return Problem(file, _line(event.start_mark), ALIASES_REFUSED)
            if isinstance(event, _NESTED_STARTS):
                depth += 1
                if depth > MAX_NESTING:
                    return Problem(file, _line(event.start_mark), too_deep)
            elif isinstance(event, _NESTED_ENDS):
                depth -= 1
    except yaml.MarkedYAMLError as error:
        # libyaml stops at its own depth (1,000 flow levels) while looking ahead for a key
        if "maximum nesting depth" in str(error.problem):
            return Problem(file, _line(error.problem_mark), too_deep)
        if loader is yaml.SafeLoader:
            raise
        # any other fault: the same scan by PyYAML's own parser, which the composer uses
        return _refused_shape(text, file, yaml.SafeLoader)
    return None


def _to_python(node: yaml.Node, path: Place, lines: Lines) -> object:
    """YAML node → Python value, remembering the line (1-based) of every path."""
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        out: dict[str, object] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise _Unreadable(key_node.start_mark.line + 1, "a key must be plain text")
            key = key_node.value
            lines[(*path, key, "__key__")] = key_node.start_mark.line + 1
            out[key] = _to_python(value_node, (*path, key), lines)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_to_python(item, (*path, i), lines) for i, item in enumerate(node.value)]
    try:
        return yaml.constructor.SafeConstructor().construct_object(node, deep=True)
    except yaml.YAMLError as error:
        problem = getattr(error, "problem", None) or str(error)
        raise _Unreadable(node.start_mark.line + 1, f"not valid YAML: {problem}") from None
    except (ValueError, OverflowError):  # 2026-02-31, or a number of thousands of digits
        word = _SCALAR_WORDS.get(str(node.tag).rsplit(":", 1)[-1], "value")
        shown = node.value if len(node.value) <= 40 else node.value[:40] + "…"
        raise _Unreadable(node.start_mark.line + 1, f"{shown!r} is not a valid {word}") from None


def _line_for(loc: Place, lines: Lines) -> int:
    """The line of the deepest part of `loc` that the file has (a missing field: its parent)."""
    for cut in range(len(loc), -1, -1):
        if loc[:cut] in lines:
            return lines[loc[:cut]]
    return 1


def _message(error: ErrorDetails) -> str:
    loc = [str(p) for p in error["loc"] if not str(p).startswith("function-after")]
    where = ".".join(loc)
    kind = error["type"]
    if kind == "missing":
        return f"missing field '{loc[-1]}'" + (f" in {'.'.join(loc[:-1])}" if len(loc) > 1 else "")
    if kind == "extra_forbidden":
        return f"unknown field '{loc[-1]}'"
    if kind == "literal_error" and "evidence_sources" in loc:
        return (
            f"unknown evidence source {error['input']!r} (use one of {', '.join(EVIDENCE_SOURCES)})"
        )
    if kind == "literal_error" and ("service_types" in loc or "applies_to" in loc):
        return f"unknown service type {error['input']!r} (use one of {', '.join(SERVICE_TYPES)})"
    if kind == "greater_than" and loc[-1] == "weight":
        return f"weight must be more than 0, not {error['input']}"
    if kind == "too_short" and loc and loc[-1] in ("questions", "standards", "domains"):
        parent = {"questions": "standard", "standards": "domain", "domains": "set"}[loc[-1]]
        return f"this {parent} has no {loc[-1]}" + (f" ({where})" if len(loc) > 1 else "")
    if kind == "string_pattern_mismatch" and loc[-1] == "code":
        return f"code {error['input']!r} is not in the PAMMS style (e.g. S1, QB02)"
    return f"{where}: {error['msg']}" if where else error["msg"]


def check_text(text: str, file: str) -> Checked:
    """Validate one set file's text. Every problem found is reported, each with its line."""
    lines: Lines = {}
    if len(text) > MAX_SET_FILE_BYTES:
        return Checked(file, None, [Problem(file, 1, "the file is larger than 1 MB")])
    try:
        refused = _refused_shape(text, file)
        if refused is not None:
            return Checked(file, None, [refused])
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
        line = mark.line + 1 if mark else 1
        problem = getattr(error, "problem", None) or str(error)
        return Checked(file, None, [Problem(file, line, f"not valid YAML: {problem}")])
    if node is None:
        return Checked(file, None, [Problem(file, 1, "the file is empty")])
    try:
        data = _to_python(node, (), lines)
    except _Unreadable as unreadable:
        return Checked(file, None, [Problem(file, unreadable.line, unreadable.message)])
    if not isinstance(data, dict):
        return Checked(
            file, None, [Problem(file, 1, "a set file must be a mapping (key: value …)")]
        )
    problems = _duplicates(data, lines, file)
    try:
        standard_set = StandardSet.model_validate(data)
    except ValidationError as invalid:
        for detail in invalid.errors(include_url=False):
            if detail["type"] == "value_error" and problems:
                continue  # a duplicate, already reported at its own line
            problems.append(Problem(file, _line_for(tuple(detail["loc"]), lines), _message(detail)))
        return Checked(file, None, _unique(problems))
    return Checked(file, standard_set, [])


def _duplicates(data: dict[str, Any], lines: Lines, file: str) -> list[Problem]:
    """Each repeated code or reference, at the line where it is repeated."""
    problems: list[Problem] = []
    seen: dict[tuple[str, object], int] = {}

    def note(kind: str, value: object, path: tuple[str | int, ...], what: str) -> None:
        line = lines.get(path, 1)
        if (kind, value) in seen:
            first = seen[(kind, value)]
            problems.append(
                Problem(file, line, f"{what} {value} is used twice (first at line {first})")
            )
        seen.setdefault((kind, value), line)

    for d, domain in enumerate(data.get("domains") or []):
        if isinstance(domain, dict):
            note("domain", domain.get("code"), ("domains", d, "code"), "domain code")
        for s, standard in enumerate(
            (domain or {}).get("standards") or [] if isinstance(domain, dict) else []
        ):
            if not isinstance(standard, dict):
                continue
            path = ("domains", d, "standards", s, "code")
            note("standard", standard.get("code"), path, "standard code")
            for q, question in enumerate(standard.get("questions") or []):
                if not isinstance(question, dict):
                    continue
                qpath = ("domains", d, "standards", s, "questions", q, "ref")
                note("question", question.get("ref"), qpath, "question reference")
    return problems


def _unique(problems: list[Problem]) -> list[Problem]:
    out: list[Problem] = []
    for problem in problems:
        if problem not in out:
            out.append(problem)
    return sorted(out, key=lambda p: p.line)


# ---------------------------------------------------------------- comparing versions


@dataclass
class Difference:
    added: list[str] = field(default_factory=list)  # question refs
    removed: list[str] = field(default_factory=list)
    reworded: list[str] = field(default_factory=list)
    reweighted: list[tuple[str, float, float]] = field(default_factory=list)
    guidance_changed: list[str] = field(default_factory=list)
    moved: list[str] = field(default_factory=list)  # to another standard

    @property
    def empty(self) -> bool:
        return not any(
            (
                self.added,
                self.removed,
                self.reworded,
                self.reweighted,
                self.guidance_changed,
                self.moved,
            )
        )


def compare(old: StandardSet, new: StandardSet) -> Difference:
    """What changed, question by question (matched by reference), from `old` to `new`."""
    before = {q.ref: (s.code, q) for _, s, q in old.questions()}
    after = {q.ref: (s.code, q) for _, s, q in new.questions()}
    diff = Difference()
    diff.added = [ref for ref in after if ref not in before]
    diff.removed = [ref for ref in before if ref not in after]
    for ref, (code, question) in after.items():
        if ref not in before:
            continue
        old_code, old_question = before[ref]
        if old_question.text != question.text:
            diff.reworded.append(ref)
        if old_question.weight != question.weight:
            diff.reweighted.append((ref, old_question.weight, question.weight))
        if old_question.guidance != question.guidance:
            diff.guidance_changed.append(ref)
        if old_code != code:
            diff.moved.append(ref)
    return diff
