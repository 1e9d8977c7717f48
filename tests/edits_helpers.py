"""Helpers for the edit tests (issue 11): a graph over a throw-away copy of the data, and the
changes the tests make."""

from __future__ import annotations

import datetime

from rdflib import Literal, URIRef
from rdflib.namespace import XSD

from amkg.graph.changes_types import Change, ChangeSource
from amkg.graph.load import AMKG, KG

TRAJECTORY = KG["traject-kamerbrief-arbeidsmarktkrapte"]  # SZW, planned February 2023
SOURCE = ChangeSource(
    title="Voortgangsbrief arbeidsmarktkrapte",
    date=datetime.date(2023, 3, 1),
    url="https://example.org/voortgangsbrief",
)


def day(text: str) -> Literal:
    return Literal(text, datatype=XSD.date)


def revise(
    date: str, subject: URIRef = TRAJECTORY, agent: str = "Anna (SZW)", reason: str = "Schuift op"
) -> Change:
    """Give ``subject`` the revised date ``date``."""
    return Change(agent, reason, SOURCE, added=((subject, AMKG.revisedDate, day(date)),))


def move(old: str, new: str, subject: URIRef = TRAJECTORY, agent: str = "Anna (SZW)") -> Change:
    """Move ``subject``'s revised date from ``old`` to ``new``."""
    return Change(
        agent,
        "Schuift verder op",
        SOURCE,
        added=((subject, AMKG.revisedDate, day(new)),),
        removed=((subject, AMKG.revisedDate, day(old)),),
    )
