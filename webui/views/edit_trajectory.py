"""The data of a trajectory's edit form (issue 11): its current values, the change a submitted
form makes, the impact preview, and which form field a refusal concerns. Flask-free.

The form edits what changes in practice: the status (gepland, lopend, vertraagd, afgerond,
geschrapt), the planned, revised and completion dates, the Dutch label and a coordinator's note.
Each field left as it was adds and removes nothing; a changed one removes the old triple and
adds the new one; an emptied one only removes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from rdflib import Literal, URIRef
from rdflib.namespace import RDFS, XSD
from rdflib.term import Node

from amkg.graph.changes import STATUSES, BadChange, parse_date, status_term
from amkg.graph.changes_types import Triple
from amkg.graph.kg import KnowledgeGraph
from amkg.graph.load import AMKG
from amkg.graph.slippage import Conflict, preview_date
from amkg.graph.trace import impact
from amkg.queries import internal
from amkg.webui.i18n import t

from .edit_common import SOURCE_NAMES, first_value


@dataclass(frozen=True)
class Field:
    name: str  # the form field
    predicate: URIRef
    kind: str  # status | date | text | label


FIELDS = (
    Field("status", AMKG.trajectoryStatus, "status"),
    Field("planned", AMKG.plannedDate, "date"),
    Field("revised", AMKG.revisedDate, "date"),
    Field("completion", AMKG.completionDate, "date"),
    Field("label", RDFS.label, "label"),
    Field("note", AMKG.editorNote, "text"),
)


@dataclass(frozen=True)
class Relation:
    name: str  # the form field (several values)
    predicate: URIRef
    cls: URIRef  # what may be chosen


RELATIONS = (
    Relation("coordinators", AMKG.coordinatedBy, AMKG.Ministry),
    Relation("partners", AMKG.inCooperationWith, AMKG.Ministry),
    Relation("measures", AMKG.concernsMeasure, AMKG.Measure),
    Relation("domains", AMKG.touchesDomain, AMKG.PolicyDomain),
    Relation("documents", AMKG.refersToDocument, AMKG.Document),
)
DATE_FIELDS = frozenset(f.name for f in FIELDS if f.kind == "date")
#: The core's names for what is wrong (a predicate's local name, or its own) -> form field.
_BY_NAME = {
    **{f.predicate.rsplit("#", 1)[-1]: f.name for f in FIELDS},
    **{r.predicate.rsplit("#", 1)[-1]: r.name for r in RELATIONS},
    **{r.name: r.name for r in RELATIONS},
    **SOURCE_NAMES,
}
STATUS_NAMES = tuple(STATUSES)
_STATUS_OF = {str(term): name for name, term in STATUSES.items()}


def field_of(path_or_name: str | None) -> str:
    """The form field a violation's path or a ``BadChange.field`` concerns ('' for the form)."""
    if not path_or_name:
        return ""
    local = re.split(r"[#/:]", str(path_or_name).rstrip(">"))[-1]
    return _BY_NAME.get(local, "")


def current_values(kg: KnowledgeGraph, iri: str) -> dict[str, str] | None:
    """The form's fields as the graph has them now (``None``: not a trajectory)."""
    rows = internal.select(kg, "edit-trajectory", t=URIRef(iri))
    if not rows:
        return None

    def first(name: str) -> str:
        return first_value(rows, name)

    status = first("status")
    return {
        "status": _STATUS_OF.get(status, status),
        "planned": first("planned"),
        "planning_end": first("planningEnd"),
        "revised": first("revised"),
        "completion": first("completion"),
        "label": first("labelNl"),
        "note": first("note"),
    }


def current_relations(kg: KnowledgeGraph, iri: str) -> dict[str, list[str]]:
    """The trajectory's links per relation field (sorted IRIs)."""
    found: dict[str, list[str]] = {r.name: [] for r in RELATIONS}
    by_predicate: dict[Node, str] = {r.predicate: r.name for r in RELATIONS}
    for row in internal.select(kg, "edit-relations", t=URIRef(iri)):
        found[by_predicate[row["p"]]].append(str(row["o"]))
    return {name: sorted(values) for name, values in found.items()}


def options(kg: KnowledgeGraph, lang: str) -> dict[str, list[dict[str, str]]]:
    """The choices of each relation field: IRI and label, by label."""
    out: dict[str, list[dict[str, str]]] = {}
    for relation in RELATIONS:
        rows = internal.select(kg, "edit-options", {"class": relation.cls, "lang": Literal(lang)})
        items = [{"iri": str(r["item"]), "label": str(r.get("label") or r["item"])} for r in rows]
        out[relation.name] = sorted(items, key=lambda i: i["label"].casefold())
    return out


def relation_changes(
    iri: str,
    before: dict[str, list[str]],
    chosen: dict[str, list[str]],
    allowed: dict[str, set[str]],
) -> tuple[list[Triple], list[Triple], list[str]]:
    """The links the chosen values add and remove (a value that is no choice: ``BadChange``)."""
    subject = URIRef(iri)
    added: list[Triple] = []
    removed: list[Triple] = []
    changed = []
    for relation in RELATIONS:
        old, new = set(before.get(relation.name, [])), set(chosen.get(relation.name, []))
        unknown = sorted(new - allowed.get(relation.name, set()) - old)
        if unknown:
            raise BadChange(relation.name, f"{relation.name}: onbekende keuze {unknown[0][:80]}.",
                            f"{relation.name}: unknown choice {unknown[0][:80]}.")  # fmt: skip
        if old != new:
            changed.append(relation.name)
        removed += [(subject, relation.predicate, URIRef(o)) for o in sorted(old - new)]
        added += [(subject, relation.predicate, URIRef(o)) for o in sorted(new - old)]
    return added, removed, changed


def _term(field: Field, value: str) -> Node:
    if field.kind == "status":
        return status_term(value, field.predicate.rsplit("#", 1)[-1])
    if field.kind == "date":
        day = parse_date(value, field.predicate.rsplit("#", 1)[-1])
        return Literal(day.isoformat(), datatype=XSD.date)
    if field.kind == "label":
        return Literal(value, lang="nl")
    return Literal(value)


def _old_term(field: Field, value: str) -> Node:
    if field.kind == "status":
        return STATUSES.get(value, URIRef(value))
    if field.kind == "date":
        return Literal(value, datatype=XSD.date)
    return _term(field, value)


def changes_of(
    iri: str, before: dict[str, str], form: dict[str, str]
) -> tuple[tuple[Triple, ...], tuple[Triple, ...], list[str]]:
    """The triples the submitted ``form`` adds and removes, and the fields it changes. Raises
    the core's ``BadChange`` (with the field) for a value that is not one."""
    subject = URIRef(iri)
    added: list[Triple] = []
    removed: list[Triple] = []
    changed = []
    for field in FIELDS:
        new = form.get(field.name, "").strip()
        old = before.get(field.name, "")
        if new == old:
            continue
        changed.append(field.name)
        if old:
            removed.append((subject, field.predicate, _old_term(field, old)))
        if new:
            added.append((subject, field.predicate, _term(field, new)))
    return tuple(added), tuple(removed), changed


def _groups(touches: list[dict[str, Any]]) -> list[dict[str, Any]]:
    groups: dict[str, list[dict[str, Any]]] = {}
    for item in touches:
        groups.setdefault(item["class_label"] or item["class"], []).append(item)
    return [{"class": name, "items": items} for name, items in sorted(groups.items())]


def _conflict_text(kg: KnowledgeGraph, conflict: Conflict, lang: str) -> str:
    def name(iri: str | None) -> str:
        return kg.label(URIRef(iri), lang) if iri else ""

    return t(
        f"edit.clash.{conflict.kind}",
        lang,
        subject=name(conflict.subject),
        other=name(conflict.other),
        due=conflict.due.isoformat() if conflict.due else "",
        other_due=conflict.other_due.isoformat() if conflict.other_due else "",
    )


def preview_of(
    kg: KnowledgeGraph, iri: str, lang: str, new_due: str | None = None
) -> dict[str, Any]:
    """The impact preview: what the trajectory touches (two steps, by class) and, for a moved
    date (``new_due``), the conflicts the new date creates (the core's ``preview_date``)."""
    if new_due:
        moved = preview_date(kg, iri, parse_date(new_due, "revisedDate"), lang=lang)
        return {
            "touches": _groups(moved.touches),
            "conflicts": [_conflict_text(kg, c, lang) for c in moved.conflicts],
            "old_due": moved.old_due.isoformat() if moved.old_due else "",
            "new_due": moved.new_due.isoformat(),
        }
    reached = impact(kg, iri, max_steps=2).reached
    touches = [{**r.entity.to_dict(lang), "distance": r.distance} for r in reached]
    return {"touches": _groups(touches), "conflicts": [], "old_due": "", "new_due": ""}
