"""Who may change what: the role rules, applied to a change's triples before it is committed.

* A ``beheerder`` (administrator) may change everything.
* A ``redacteur`` (editor) of ministry M may, in one change, only touch (as subject of an added
  or removed triple):

  - a trajectory that M coordinates (``amkg:coordinatedBy M`` before the change; a new
    trajectory: after it);
  - the partner entry of M on any trajectory: the triple ``T amkg:inCooperationWith M`` itself
    (taking part, or no longer), and nothing else of that trajectory;
  - a statement (``rdf:Statement``) that reifies a triple about such a trajectory;
  - a subject that did not exist before the change (a new measure, effect, citation or
    document), unless it is a trajectory coordinated by another ministry.

  Anything else (a track, an existing measure, another ministry's trajectory) is refused with
  the first subject that is not theirs and why.

The facts are read through ``queries/internal/auth-subject.rq``, one subject at a time, with
the value bound. Flask-free; the SPARQL update route, the Graph Store Protocol and the edit forms
all call :func:`refusal`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from rdflib import RDF, Literal, URIRef
from rdflib.term import Node

from amkg.graph.kg import KnowledgeGraph
from amkg.queries import internal
from amkg.webui.accounts import User

AMKG = "https://w3id.org/amkg/def#"
COORDINATED_BY = URIRef(AMKG + "coordinatedBy")
IN_COOPERATION_WITH = URIRef(AMKG + "inCooperationWith")
TRAJECTORY = URIRef(AMKG + "Trajectory")
Triple = tuple[Node, Node, Node]


@dataclass(frozen=True)
class Refusal:
    """Why a change is not the user's to make: the subject and a UI string key with values."""

    subject: str
    key: str
    values: dict[str, str] = field(default_factory=dict)


@dataclass
class _Subject:
    exists: bool = False
    trajectory: bool = False
    about: set[Node] = field(default_factory=set)
    coordinators: set[Node] = field(default_factory=set)
    partners: set[Node] = field(default_factory=set)


def _facts(graph: internal.HasStore, subject: Node) -> _Subject:
    facts = _Subject()
    for row in internal.select(graph, "auth-subject", s=subject):
        facts.exists = row["exists"] == Literal(True)
        facts.trajectory = row["trajectory"] == Literal(True)
        if row.get("about") is not None:
            facts.about.add(row["about"])
        if row.get("role") == COORDINATED_BY:
            facts.coordinators.add(row["ministry"])
        elif row.get("role") == IN_COOPERATION_WITH:
            facts.partners.add(row["ministry"])
    return facts


def ministries(kg: KnowledgeGraph) -> dict[str, list[str]]:
    """Every ministry's IRI with its names (abbreviation, labels)."""
    names: dict[str, list[str]] = defaultdict(list)
    for row in internal.select(kg, "auth-ministries"):
        names[str(row["ministry"])]
        if row.get("name") is not None:
            names[str(row["ministry"])].append(str(row["name"]))
    return dict(names)


def resolve_ministry(kg: KnowledgeGraph, text: str) -> str | None:
    """The IRI of the ministry ``text`` names (IRI, ``kg:szw``, ``SZW``, a label), or None."""
    wanted = text.strip()
    if wanted.startswith("<") and wanted.endswith(">"):
        wanted = wanted[1:-1]
    known = ministries(kg)
    if wanted in known:
        return wanted
    expanded = kg.expand(wanted) if ":" in wanted else None
    if expanded is not None and str(expanded) in known:
        return str(expanded)
    folded = wanted.casefold()
    hits = {iri for iri, names in known.items() if folded in {n.casefold() for n in names}}
    return hits.pop() if len(hits) == 1 else None


def refusal(
    graph: internal.HasStore, user: User, added: Iterable[Triple], removed: Iterable[Triple]
) -> Refusal | None:
    """``None`` when ``user`` may make this change to ``graph`` (anything with a ``store``:
    the current version, not an older one), else the first reason they may not."""
    if user.is_admin:
        return None
    mine = URIRef(user.ministry) if user.ministry else None
    if mine is None:
        return Refusal("", "auth.deny.no_ministry")
    added, removed = list(added), list(removed)
    by_subject: dict[Node, list[Triple]] = defaultdict(list)
    for triple in [*added, *removed]:
        by_subject[triple[0]].append(triple)
    cache: dict[Node, _Subject] = {}

    def facts(node: Node) -> _Subject:
        if node not in cache:
            cache[node] = _facts(graph, node)
        return cache[node]

    def coordinates(node: Node) -> bool:
        known = facts(node)
        if known.exists:
            return known.trajectory and mine in known.coordinators
        return (node, RDF.type, TRAJECTORY) in added and (node, COORDINATED_BY, mine) in added

    for subject in sorted(by_subject, key=str):
        triples = by_subject[subject]
        known = facts(subject)
        if known.trajectory or (subject, RDF.type, TRAJECTORY) in added:
            if coordinates(subject):
                continue
            if known.exists and all(t[1:] == (IN_COOPERATION_WITH, mine) for t in triples):
                continue  # the ministry's own partner entry
            return Refusal(str(subject), "auth.deny.trajectory", {"subject": str(subject)})
        about = known.about | {t[2] for t in triples if t[1] == RDF.subject}
        if about:
            if all(coordinates(node) for node in about):
                continue
            return Refusal(str(subject), "auth.deny.statement", {"subject": str(subject)})
        if not known.exists:
            continue  # a new measure, effect, citation, document...
        return Refusal(str(subject), "auth.deny.other", {"subject": str(subject)})
    return None


def may_edit(graph: internal.HasStore, user: User, iri: str) -> bool:
    """Whether ``user`` may change the facts of the trajectory ``iri`` itself."""
    probe = (URIRef(iri), URIRef(AMKG + "editorNote"), Literal("?"))
    return refusal(graph, user, [probe], []) is None
