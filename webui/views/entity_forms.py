"""The data of the forms that add a trajectory, a measure or an effect, and of the form that
corrects an entity's labels or note (issue 11). Flask-free: ``webui/entity_forms.py`` serves them.

Each form is a tuple of :class:`FormField`; the template draws any of them. A submitted form is
checked here first (required fields, length, markup, choices that are not choices, dates that do
not exist: :class:`BadChange` naming the field), then turned into the triples of a change; the
core's gate judges the rest (``graph/changes.commit``).

A new entity's IRI is a slug of its Dutch label in ``kg:`` with the type word first
(``kg:traject-...``, ``kg:maatregel-...``, ``kg:effect-...``), as docs/model.md asks; an IRI the
graph already has is refused, never reused.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, XSD
from rdflib.term import Node

from amkg.graph.changes import STATUSES, BadChange, parse_date, status_term
from amkg.graph.changes_types import Triple
from amkg.graph.kg import KnowledgeGraph
from amkg.graph.load import AMKG, KG
from amkg.queries import internal
from amkg.webui.i18n import t

from . import edit_trajectory
from .edit_common import SOURCE_NAMES, first_value

MAX_LABEL = 300
MAX_TEXT = 5000
MAX_SLUG = 60
_MARKUP = re.compile(r"[<>]")


@dataclass(frozen=True)
class FormField:
    """One field: its name, how it is drawn (``text``, ``textarea``, ``date``, ``select``,
    ``checks``), whether it is required, the language of its text, its longest value."""

    name: str
    kind: str
    required: bool = False
    lang: str | None = None
    limit: int = MAX_LABEL

    @property
    def multiple(self) -> bool:
        return self.kind == "checks"


LABEL_NL = FormField("label_nl", "text", True, "nl")
LABEL_EN = FormField("label_en", "text", True, "en")
NOTE = FormField("note", "textarea", limit=MAX_TEXT)
RELATION_FIELDS = tuple(FormField(r.name, "checks") for r in edit_trajectory.RELATIONS)

FORMS: dict[str, tuple[FormField, ...]] = {
    "trajectory": (
        LABEL_NL,
        LABEL_EN,
        FormField("status", "select"),
        FormField("planning", "select", True),
        FormField("planned", "date"),
        *RELATION_FIELDS,
        NOTE,
    ),
    "measure": (
        LABEL_NL,
        LABEL_EN,
        FormField("track", "select", True),
        FormField("description_nl", "textarea", lang="nl", limit=MAX_TEXT),
        NOTE,
    ),
    "effect": (
        LABEL_NL,
        LABEL_EN,
        FormField("of", "select", True),
        FormField("factors", "checks", True),
        FormField("direction", "select", True),
        FormField("magnitude", "text", lang="nl"),
        NOTE,
    ),
    "text": (LABEL_NL, LABEL_EN, NOTE),
}
#: The type word of each kind of new entity (the first word of its IRI) and its class.
TYPES = {
    "trajectory": ("traject", AMKG.Trajectory),
    "measure": ("maatregel", AMKG.Measure),
    "effect": ("effect", AMKG.Effect),
}
#: A violation's path (a predicate's local name) or a ``BadChange.field`` -> the form field.
_BY_NAME = {
    "label": "label_nl",
    "trajectoryStatus": "status",
    "plannedDate": "planned",
    "planning": "planning",
    "editorNote": "note",
    "belongsToTrack": "track",
    "description": "description_nl",
    "effectOf": "of",
    "hasEffect": "of",
    "actsOn": "factors",
    "direction": "direction",
    "magnitude": "magnitude",
    **{r.predicate.rsplit("#", 1)[-1]: r.name for r in edit_trajectory.RELATIONS},
    **{f.name: f.name for fields in FORMS.values() for f in fields},
    **SOURCE_NAMES,
}


def field_of(path_or_name: str | None) -> str:
    """The form field a violation's path or a ``BadChange.field`` concerns ('' for the form)."""
    if not path_or_name:
        return ""
    local = re.split(r"[#/:]", str(path_or_name).rstrip(">"))[-1]
    return _BY_NAME.get(local, "")


# --- IRIs of new entities -------------------------------------------------------------------


def slug_of(label: str, type_word: str) -> str:
    """``Nieuw Traject über Één`` -> ``traject-nieuw-traject-uber-een``: lower case ASCII words
    joined by ``-``, the type word first (once), at most about 60 characters."""
    folded = unicodedata.normalize("NFKD", label).encode("ascii", "ignore").decode().lower()
    words = re.findall(r"[a-z0-9]+", folded)
    if words and words[0] == type_word:
        words = words[1:]
    slug = ""
    for word in words:
        if slug and len(slug) + 1 + len(word) > MAX_SLUG:
            break
        slug = f"{slug}-{word}" if slug else word[:MAX_SLUG]
    if not slug:
        raise BadChange(
            "label_nl",
            "De naam heeft geen letters of cijfers om een adres (IRI) van te maken.",
            "The name has no letters or digits to make an address (IRI) from.",
        )
    return f"{type_word}-{slug}"


def new_iri(kg: KnowledgeGraph, kind: str, label_nl: str) -> URIRef:
    """The IRI of a new entity of ``kind`` named ``label_nl``; ``BadChange`` (at the Dutch name)
    when the graph already has it."""
    type_word, _cls = TYPES[kind]
    iri = KG[slug_of(label_nl, type_word)]
    if kg.has_resource(iri):
        raise BadChange(
            "label_nl",
            f"Er bestaat al iets met het adres kg:{iri[len(str(KG)) :]} (uit deze naam "
            "gemaakt). Kies een andere naam, of pas het bestaande aan.",
            f"Something with the address kg:{iri[len(str(KG)) :]} (made from this name) exists "
            "already. Choose another name, or change the existing one.",
        )
    return iri


# --- choices --------------------------------------------------------------------------------


def _instances(kg: KnowledgeGraph, cls: URIRef, lang: str) -> list[dict[str, str]]:
    rows = internal.select(kg, "edit-options", {"class": cls, "lang": Literal(lang)})
    items = [{"iri": str(r["item"]), "label": str(r.get("label") or r["item"])} for r in rows]
    return sorted(items, key=lambda i: i["label"].casefold())


def options(kg: KnowledgeGraph, kind: str, lang: str) -> dict[str, list[dict[str, str]]]:
    """The choices of each select and checks field of the form ``kind``."""
    if kind == "trajectory":
        return {
            "status": [{"iri": s, "label": t(f"edit.status.{s}", lang)} for s in STATUSES],
            "planning": _instances(kg, AMKG.Planning, lang),
            **edit_trajectory.options(kg, lang),
        }
    if kind == "measure":
        tracks = _instances(kg, AMKG.Track, lang)
        return {"track": sorted(tracks, key=lambda i: i["iri"])}
    if kind == "effect":
        tracks = sorted(_instances(kg, AMKG.Track, lang), key=lambda i: i["iri"])  # "Spoor n: .."
        return {
            "of": [*tracks, *_instances(kg, AMKG.Measure, lang)],
            "factors": _instances(kg, AMKG.Factor, lang),
            "direction": _instances(kg, AMKG.EffectDirection, lang),
        }
    return {}


# --- reading and checking a submitted form ----------------------------------------------------


def values_of(kind: str, form: Mapping[str, Any]) -> dict[str, Any]:
    """The form's values, stripped (``form`` has ``get`` and, for a MultiDict, ``getlist``)."""
    values: dict[str, Any] = {}
    for f in FORMS[kind]:
        if f.multiple:
            many = form.getlist(f.name) if hasattr(form, "getlist") else form.get(f.name, [])
            values[f.name] = [str(v).strip() for v in many if str(v).strip()]
        else:
            values[f.name] = str(form.get(f.name, "")).strip()
    return values


def _text_error(value: str, field: FormField) -> None:
    if len(value) > field.limit:
        raise BadChange(
            field.name,
            f"Te lang: {len(value)} tekens, hoogstens {field.limit}.",
            f"Too long: {len(value)} characters, at most {field.limit}.",
        )
    if _MARKUP.search(value):
        raise BadChange(
            field.name,
            "Geen opmaak of HTML: de tekens < en > zijn niet toegestaan.",
            "No markup or HTML: the characters < and > are not allowed.",
        )


def check(
    kind: str, values: Mapping[str, Any], choices: Mapping[str, list[dict[str, str]]]
) -> None:
    """Every input check of the form ``kind``; the first failure raises :class:`BadChange`."""
    for f in FORMS[kind]:
        value = values.get(f.name)
        if f.required and not value:
            raise BadChange(f.name, "Dit veld is verplicht.", "This field is required.")
        if not value:
            continue
        if f.kind in ("text", "textarea"):
            _text_error(value, f)
        elif f.kind == "date":
            parse_date(value, f.name)
        elif f.name == "status":
            status_term(value, f.name)
        elif f.kind in ("select", "checks"):
            allowed = {o["iri"] for o in choices.get(f.name, [])}
            for chosen in value if f.multiple else [value]:
                if chosen not in allowed:
                    raise BadChange(
                        f.name,
                        f"Onbekende keuze: {chosen[:80]}.",
                        f"Unknown choice: {chosen[:80]}.",
                    )


# --- the triples of a new entity ----------------------------------------------------------------


def _labels(subject: URIRef, values: Mapping[str, Any]) -> list[Triple]:
    return [
        (subject, RDFS.label, Literal(values["label_nl"], lang="nl")),
        (subject, RDFS.label, Literal(values["label_en"], lang="en")),
    ]


def _note(subject: URIRef, values: Mapping[str, Any]) -> list[Triple]:
    return [(subject, AMKG.editorNote, Literal(values["note"]))] if values.get("note") else []


def new_triples(kind: str, subject: URIRef, values: Mapping[str, Any]) -> list[Triple]:
    """The triples that make the new entity ``subject`` of ``kind`` from checked ``values``."""
    _word, cls = TYPES[kind]
    triples: list[Triple] = [(subject, RDF.type, cls), *_labels(subject, values)]
    if kind == "trajectory":
        triples.append((subject, AMKG.inAnnex, Literal(False)))  # added after the deck
        if values["status"]:
            triples.append((subject, AMKG.trajectoryStatus, status_term(values["status"])))
        if values["planned"]:
            day = parse_date(values["planned"], "planned").isoformat()
            triples.append((subject, AMKG.plannedDate, Literal(day, datatype=XSD.date)))
        if values["planning"]:
            triples.append((subject, AMKG.planning, URIRef(values["planning"])))
        for relation in edit_trajectory.RELATIONS:
            for chosen in sorted(values[relation.name]):
                triples.append((subject, relation.predicate, URIRef(chosen)))
    elif kind == "measure":
        triples.append((subject, AMKG.belongsToTrack, URIRef(values["track"])))
        if values["description_nl"]:
            text = Literal(values["description_nl"], lang="nl")
            triples.append((subject, DCTERMS.description, text))
    elif kind == "effect":
        owner = URIRef(values["of"])
        triples += [
            (subject, AMKG.effectOf, owner),
            (owner, AMKG.hasEffect, subject),
            (subject, AMKG.direction, URIRef(values["direction"])),
            (subject, AMKG.inferred, Literal(False)),  # stated by its source, not our reading
            *((subject, AMKG.actsOn, URIRef(f)) for f in sorted(values["factors"])),
        ]
        if values["magnitude"]:
            triples.append((subject, AMKG.magnitude, Literal(values["magnitude"], lang="nl")))
    return [*triples, *_note(subject, values)]


# --- correcting the texts of any entity --------------------------------------------------------


def current_texts(kg: KnowledgeGraph, iri: str) -> dict[str, Any] | None:
    """The labels and note of ``iri`` as the graph has them (``None``: it has no label)."""
    rows = internal.select(kg, "edit-texts", s=URIRef(iri))
    if not rows:
        return None

    def first(name: str) -> str:
        return first_value(rows, name)

    return {
        "label_nl": first("labelNl"),
        "label_en": first("labelEn"),
        "note": first("note"),
        "trajectory": any(r.get("trajectory") == Literal(True) for r in rows),
    }


def text_changes(
    iri: str, before: Mapping[str, Any], values: Mapping[str, Any]
) -> tuple[list[Triple], list[Triple], list[str]]:
    """The triples the corrected texts add and remove, and the fields that changed."""
    subject = URIRef(iri)
    added: list[Triple] = []
    removed: list[Triple] = []
    changed = []
    terms: dict[str, tuple[Node, str | None]] = {
        "label_nl": (RDFS.label, "nl"),
        "label_en": (RDFS.label, "en"),
        "note": (AMKG.editorNote, None),
    }
    for name, (predicate, lang) in terms.items():
        old, new = before.get(name, ""), values.get(name, "")
        if old == new:
            continue
        changed.append(name)
        if old:
            removed.append((subject, predicate, Literal(old, lang=lang)))
        if new:
            added.append((subject, predicate, Literal(new, lang=lang)))
    return added, removed, changed


def form_kinds(kg: KnowledgeGraph, iri: str) -> dict[str, bool]:
    """Whether ``iri`` is a track or a measure (what may be added to it)."""
    rows = internal.select(kg, "form-kinds", s=URIRef(iri))
    row = rows[0] if rows else {}
    return {name: row.get(name) == Literal(True) for name in ("track", "measure")}
