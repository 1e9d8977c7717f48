"""Input checks of a change before any shape is asked (issue 11): each failure is a
:class:`~amkg.graph.changes_types.BadChange` naming the field, in Dutch and English.

Decided: HTML (any ``<`` or ``>``) in a label or a note is refused, not stored: the data is
plain text everywhere (pages escape it anyway), and a refusal tells the editor at once.
"""

from __future__ import annotations

import datetime
import re

from rdflib import BNode, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SKOS, XSD
from rdflib.term import Node

from amkg.graph.changes_types import BadChange, Change
from amkg.graph.load import AMKG, KG
from amkg.graph.sparql_lexer import code_only

#: The trajectory statuses by their Dutch name (ontology/edits.ttl).
STATUSES: dict[str, URIRef] = {
    "gepland": AMKG.statusGepland,
    "lopend": AMKG.statusLopend,
    "vertraagd": AMKG.statusVertraagd,
    "afgerond": AMKG.statusAfgerond,
    "geschrapt": AMKG.statusGeschrapt,
}
LABEL_PREDICATES = {RDFS.label, SKOS.prefLabel, SKOS.altLabel}
MAX_LABEL = 300
MAX_TEXT = 5000
MAX_REASON = 2000
MAX_TRIPLES = 10_000
DATE_PREDICATES = {AMKG.plannedDate, AMKG.revisedDate, AMKG.completionDate}
_MARKUP = re.compile(r"[<>]")
_FORBIDDEN_UPDATE = re.compile(
    r"\b(GRAPH|WITH|USING|LOAD|CLEAR|DROP|CREATE|ADD|MOVE|COPY|SERVICE)\b", re.IGNORECASE
)


def _field(predicate: Node) -> str:
    text = str(predicate)
    return re.split(r"[#/]", text)[-1] or text


def parse_date(text: str, field: str = "date") -> datetime.date:
    """A date written ``JJJJ-MM-DD`` (or ``DD-MM-JJJJ``); a day that does not exist (31-02-2023)
    is refused with :class:`BadChange` naming ``field``."""
    value = text.strip()
    for pattern in ("%Y-%m-%d", "%d-%m-%Y"):
        try:
            return datetime.datetime.strptime(value, pattern).date()
        except ValueError:
            continue
    raise BadChange(
        field,
        f"{field}: '{value[:40]}' is geen bestaande datum (schrijf JJJJ-MM-DD, bijvoorbeeld "
        "2023-05-31).",
        f"{field}: '{value[:40]}' is not a valid date (write YYYY-MM-DD, e.g. 2023-05-31).",
    )


def status_term(name: str, field: str = "status") -> URIRef:
    """The status concept for ``gepland``, ``lopend``, ``vertraagd``, ``afgerond`` or
    ``geschrapt`` (or its IRI); anything else is :class:`BadChange`."""
    key = name.strip().lower()
    if key in STATUSES:
        return STATUSES[key]
    if URIRef(name.strip()) in STATUSES.values():
        return URIRef(name.strip())
    allowed = ", ".join(STATUSES)
    raise BadChange(
        field,
        f"{field}: onbekende status '{name[:40]}'; kies uit {allowed}.",
        f"{field}: unknown status '{name[:40]}'; choose one of {allowed}.",
    )


def _check_text(value: str, field: str, limit: int, *, markup: bool = False) -> None:
    if len(value) > limit:
        raise BadChange(
            field,
            f"{field}: te lang ({len(value)} tekens; hoogstens {limit}).",
            f"{field}: too long ({len(value)} characters; at most {limit}).",
        )
    if markup and _MARKUP.search(value):
        raise BadChange(
            field,
            f"{field}: geen opmaak of HTML (de tekens < en > zijn niet toegestaan).",
            f"{field}: no markup or HTML (the characters < and > are not allowed).",
        )


def _check_triple(triple: tuple[Node, Node, Node]) -> None:
    s, p, o = triple
    if any(isinstance(t, BNode) for t in triple):
        raise BadChange(
            None,
            "Een wijziging noemt wat ze raakt: geen lege knopen (blank nodes).",
            "A change names what it touches: no blank nodes.",
        )
    if not isinstance(s, URIRef) or not str(s).startswith(str(KG)):
        raise BadChange(
            None,
            f"Alleen gegevens (kg:...) kunnen worden gewijzigd, niet {str(s)[:80]}.",
            f"Only data (kg:...) can be changed, not {str(s)[:80]}.",
        )
    if not isinstance(p, URIRef):
        raise BadChange(None, "Een eigenschap is een IRI.", "A property is an IRI.")
    field = _field(p)
    if isinstance(o, Literal):
        text = str(o)
        if p in LABEL_PREDICATES:
            _check_text(text, field, MAX_LABEL, markup=True)
        elif p == AMKG.editorNote:
            _check_text(text, field, MAX_TEXT, markup=True)
        else:
            _check_text(text, field, MAX_TEXT)
        is_date = o.datatype == XSD.date or p in DATE_PREDICATES
        if is_date and (
            o.datatype != XSD.date or o.ill_typed or not isinstance(o.value, datetime.date)
        ):
            parse_date(text, field)  # raises with the field's name
    elif isinstance(o, URIRef) and len(str(o)) > 2000:
        _check_text(str(o), field, 2000)
    if p == AMKG.trajectoryStatus:
        status_term(str(o), field)
    if p == RDF.type and not isinstance(o, URIRef):
        raise BadChange("type", "Een type is een IRI.", "A type is an IRI.")


def check_change(change: Change) -> None:
    """Every check of the input; the first failure raises :class:`BadChange`."""
    if not change.agent.strip():
        raise BadChange("agent", "Wie wijzigt? De naam ontbreekt.", "Who changes? No name given.")
    _check_text(change.agent, "agent", 200)
    if not change.reason.strip():
        raise BadChange(
            "reason",
            "reden: geef een reden voor de wijziging.",
            "reason: give a reason for the change.",
        )
    _check_text(change.reason, "reason", MAX_REASON)
    source = change.source
    if not (source.title or "").strip() and not (source.meeting or "").strip():
        raise BadChange(
            "source",
            "bron: noem een document (titel) of een overleg.",
            "source: name a document (title) or a meeting.",
        )
    _check_text(source.title or "", "source_title", 500, markup=True)
    _check_text(source.meeting or "", "source_meeting", 500, markup=True)
    url = source.url or ""
    if url and (not re.match(r"^https?://[^\s<>\"{}|\\^`]+$", url) or len(url) > 2000):
        raise BadChange(
            "source_url",
            "bron: de link moet een http(s)-adres zijn.",
            "source: the link must be an http(s) address.",
        )
    if not change.added and not change.removed:
        raise BadChange(None, "De wijziging is leeg.", "The change is empty.")
    if len(change.added) + len(change.removed) > MAX_TRIPLES:
        raise BadChange(
            None,
            f"Te veel triples in één wijziging (hoogstens {MAX_TRIPLES}).",
            f"Too many triples in one change (at most {MAX_TRIPLES}).",
        )
    for triple in (*change.added, *change.removed):
        _check_triple(triple)


def check_update_text(text: str) -> None:
    """A SPARQL update for :func:`amkg.graph.changes_update.update_delta`: the default graph
    only."""
    if len(text) > 1_000_000:
        raise BadChange("update", "De update is te lang.", "The update is too long.")
    found = _FORBIDDEN_UPDATE.search(code_only(text))
    if found:
        word = found.group(1).upper()
        raise BadChange(
            "update",
            f"Een update wijzigt alleen de gegevens zelf; {word} is niet toegestaan.",
            f"An update changes the data itself only; {word} is not allowed.",
        )
