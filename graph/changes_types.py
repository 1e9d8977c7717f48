"""The types of a change to the graph (issue 11): what an editor or a script hands in
(:class:`Change` with its :class:`ChangeSource`), what comes back (:class:`Committed`) and the
three ways a change is refused: :class:`BadChange` (the input itself is wrong),
:class:`ChangeRejected` (the SHACL gate found violations) and :class:`EditConflict` (the entity
changed since the editor read it).

Triples are rdflib terms (``URIRef``, ``Literal``); blank nodes are refused (a change must name
what it touches, so history and replay can find it again).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from rdflib.term import Node

Triple = tuple[Node, Node, Node]


@dataclass(frozen=True)
class ChangeSource:
    """What a change rests on: a document (title, date, link) or a meeting."""

    title: str
    date: datetime.date | None = None
    url: str | None = None
    meeting: str | None = None


@dataclass(frozen=True)
class Change:
    """A change: who, why, on what source, and the triples added and removed."""

    agent: str
    reason: str
    source: ChangeSource
    added: tuple[Triple, ...] = ()
    removed: tuple[Triple, ...] = ()


@dataclass(frozen=True)
class Violation:
    """One SHACL violation of a refused change, in Dutch and English, with the field (path)."""

    focus: str
    path: str | None
    message_nl: str
    message_en: str
    severity: str
    shape: str | None
    value: str | None = None

    def message(self, lang: str = "nl") -> str:
        return self.message_en if lang == "en" else self.message_nl

    def as_json(self) -> dict[str, Any]:
        return {
            "focus": self.focus,
            "path": self.path,
            "message_nl": self.message_nl,
            "message_en": self.message_en,
            "severity": self.severity,
            "shape": self.shape,
            "value": self.value,
        }


class ChangeRejected(Exception):
    """The SHACL gate refused the change; nothing was written."""

    def __init__(self, violations: list[Violation], report_turtle: str) -> None:
        first = violations[0].message_nl if violations else ""
        super().__init__(f"wijziging geweigerd: {len(violations)} schending(en); {first}")
        self.violations = violations
        self.report_turtle = report_turtle

    def as_json(self) -> dict[str, Any]:
        return {
            "conforms": False,
            "violations": [v.as_json() for v in self.violations],
            "report_turtle": self.report_turtle,
        }


#: The key of ``if_match`` (``commit``) whose etag is the whole data's version (``dataset_etag``)
#: rather than one entity's: a write with it fails when anything was committed since.
DATASET = "https://w3id.org/amkg/graph/default"


class EditConflict(Exception):
    """The entity changed since the editor read it (its etag differs from ``If-Match``)."""

    def __init__(self, entity: str, current_etag: str, expected: str) -> None:
        super().__init__(
            f"{entity} is intussen gewijzigd (etag {current_etag}, verwacht {expected})"
        )
        self.entity = entity
        self.current_etag = current_etag
        self.expected = expected


class BadChange(ValueError):
    """The input is wrong before any shape is asked: an unknown status, a date that does not
    exist, a label of a megabyte, an empty reason. ``field`` names what is wrong."""

    def __init__(self, field: str | None, message_nl: str, message_en: str) -> None:
        super().__init__(message_nl)
        self.field = field
        self.message_nl = message_nl
        self.message_en = message_en

    def message(self, lang: str = "nl") -> str:
        return self.message_en if lang == "en" else self.message_nl

    def as_json(self) -> dict[str, Any]:
        return {"field": self.field, "message_nl": self.message_nl, "message_en": self.message_en}


@dataclass(frozen=True)
class Committed:
    """An accepted change: its id and IRI, when, and the entities' etags afterwards."""

    change_id: str
    iri: str
    time: datetime.datetime
    etag_after: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ChangeInfo:
    """A committed change as history lists it."""

    change_id: str
    iri: str
    sequence: int
    time: datetime.datetime
    agent: str
    reason: str
    source: ChangeSource
    added: tuple[Triple, ...]
    removed: tuple[Triple, ...]

    @property
    def subjects(self) -> list[Node]:
        return sorted({t[0] for t in (*self.added, *self.removed)}, key=str)
