"""The result types and errors of the tracer (:mod:`graph.trace`, :mod:`graph.resolve`).

An :class:`Entity` is a node of the projection; a :class:`Path` is a chain of :class:`Step`
objects, each holding every :class:`Link` (predicate, direction, inferred or not) between its
two entities. :class:`TraceResult`, :class:`ImpactResult` and :class:`Hub` are what
:func:`~graph.trace.trace`, :func:`~graph.trace.impact` and :func:`~graph.trace.hubs` return;
each renders itself in Dutch or English (``to_dict(lang)``) from the graph's own bilingual
labels (including the ontology's label of ``amkg:inferred``). Names that resolve to nothing or
to several entities raise :class:`EntityNotFound` or :class:`AmbiguousName`.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Any

#: Why a name resolved to nothing (:attr:`EntityNotFound.kind`); the web layer and the command
#: line say it in words (UI strings ``trace.reason.<kind>``).
REASONS = ("no_match", "no_iri", "not_entity")
_QUOTES = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "–": "-", "—": "-"})


def fold(text: str) -> str:
    """Case, white space, typographic quotes and dashes folded: the key of a label match."""
    text = unicodedata.normalize("NFC", text).translate(_QUOTES)
    return " ".join(text.casefold().split())


def sort_key(entity: Entity, lang: str = "nl") -> tuple[str, str]:
    """The order of entities in every listing: folded label, then IRI."""
    return (fold(entity.label.get(lang)), entity.iri)


@dataclass(frozen=True)
class Text:
    nl: str
    en: str

    def get(self, lang: str) -> str:
        return self.en if lang == "en" else self.nl


@dataclass(frozen=True)
class Entity:
    iri: str
    id: str  # prefixed name
    label: Text
    cls: str  # prefixed class, "" when untyped
    cls_label: Text

    def to_dict(self, lang: str) -> dict[str, str]:
        return {
            "iri": self.iri,
            "id": self.id,
            "label": self.label.get(lang),
            "class": self.cls,
            "class_label": self.cls_label.get(lang),
        }


@dataclass(frozen=True)
class Link:
    """One predicate of a step; ``forward`` when the step walks along the arrow."""

    predicate: str
    id: str
    label: Text
    forward: bool
    inferred: bool
    confidence: Text | None = None
    note: Text | None = None
    #: The name of "inferred" itself: the ontology's label of ``amkg:inferred``.
    inferred_label: Text = Text("", "")

    def text(self, lang: str) -> str:
        marker = f" ({self.inferred_label.get(lang)})" if self.inferred else ""
        label = self.label.get(lang) + marker
        return f"—{label}→" if self.forward else f"←{label}—"

    def to_dict(self, lang: str) -> dict[str, Any]:
        return {
            "predicate": self.predicate,
            "id": self.id,
            "label": self.label.get(lang),
            "direction": "forward" if self.forward else "backward",
            "inferred": self.inferred,
            "confidence": self.confidence.get(lang) if self.confidence else None,
            "note": self.note.get(lang) if self.note else None,
        }


@dataclass(frozen=True)
class Step:
    source: Entity
    target: Entity
    links: tuple[Link, ...]

    def text(self, lang: str) -> str:
        return " / ".join(link.text(lang) for link in self.links)

    def explained(self, lang: str) -> str:
        return f"{self.source.label.get(lang)} {self.text(lang)} {self.target.label.get(lang)}"

    def notes(self, lang: str) -> list[str]:
        """Why each inferred link holds: ``raakt domein (afgeleid, hoog): <note>``."""
        out = []
        for link in self.links:
            if link.inferred:
                extra = f", {link.confidence.get(lang)}" if link.confidence else ""
                why = link.note.get(lang) if link.note else "—"
                word = link.inferred_label.get(lang)
                out.append(f"{link.label.get(lang)} ({word}{extra}): {why}")
        return out

    def to_dict(self, lang: str) -> dict[str, Any]:
        return {
            "from": self.source.iri,
            "to": self.target.iri,
            "text": self.explained(lang),
            "inferred": any(link.inferred for link in self.links),
            "links": [link.to_dict(lang) for link in self.links],
        }


@dataclass(frozen=True)
class Path:
    steps: tuple[Step, ...]

    @property
    def nodes(self) -> list[Entity]:
        return [self.steps[0].source, *(step.target for step in self.steps)]

    def text(self, lang: str) -> str:
        parts = [self.steps[0].source.label.get(lang)]
        for step in self.steps:
            parts += [step.text(lang), step.target.label.get(lang)]
        return " ".join(parts)

    def to_dict(self, lang: str) -> dict[str, Any]:
        return {
            "length": len(self.steps),
            "text": self.text(lang),
            "inferred": any(link.inferred for s in self.steps for link in s.links),
            "nodes": [node.to_dict(lang) for node in self.nodes],
            "steps": [step.to_dict(lang) for step in self.steps],
        }


class TraceError(Exception):
    """A name or an argument the tracer cannot use."""


class EntityNotFound(TraceError):
    """``kind`` is one of :data:`REASONS`; ``suggestions`` are close matches."""

    def __init__(self, name: str, suggestions: list[Entity], kind: str = "no_match") -> None:
        self.name, self.suggestions, self.kind = name, suggestions, kind
        super().__init__(f"unknown entity {name!r} ({kind})")


class AmbiguousName(TraceError):
    def __init__(self, name: str, candidates: list[Entity]) -> None:
        self.name, self.candidates = name, candidates
        listed = ", ".join(f"{c.label.nl} ({c.cls}, {c.id})" for c in candidates)
        super().__init__(f"ambiguous name {name!r}: {listed}")


@dataclass(frozen=True)
class TraceResult:
    source: Entity
    target: Entity
    max_steps: int
    paths: tuple[Path, ...]
    truncated: bool  # more paths exist within max_steps than are listed

    def to_dict(self, lang: str) -> dict[str, Any]:
        return {
            "from": self.source.to_dict(lang),
            "to": self.target.to_dict(lang),
            "max_steps": self.max_steps,
            "count": len(self.paths),
            "truncated": self.truncated,
            "paths": [p.to_dict(lang) for p in self.paths],
        }


@dataclass(frozen=True)
class Reached:
    entity: Entity
    distance: int
    via: Step

    def to_dict(self, lang: str) -> dict[str, Any]:
        return {
            **self.entity.to_dict(lang),
            "distance": self.distance,
            "via": self.via.to_dict(lang),
        }


@dataclass(frozen=True)
class ImpactResult:
    entity: Entity
    max_steps: int
    undirected: bool
    reached: tuple[Reached, ...]

    def levels(self, lang: str) -> list[tuple[int, list[tuple[Text, str, list[Reached]]]]]:
        """``[(distance, [(class label, class, [reached...]), ...]), ...]``, sorted."""
        out = []
        for distance in sorted({r.distance for r in self.reached}):
            groups: dict[str, list[Reached]] = {}
            for r in self.reached:
                if r.distance == distance:
                    groups.setdefault(r.entity.cls, []).append(r)
            classes = [
                (rs[0].entity.cls_label, cls, sorted(rs, key=lambda r: sort_key(r.entity, lang)))
                for cls, rs in groups.items()
            ]
            out.append((distance, sorted(classes, key=lambda g: (fold(g[0].get(lang)), g[1]))))
        return out

    def to_dict(self, lang: str) -> dict[str, Any]:
        by_class: dict[str, int] = {}
        for r in self.reached:
            by_class[r.entity.cls] = by_class.get(r.entity.cls, 0) + 1
        return {
            "entity": self.entity.to_dict(lang),
            "max_steps": self.max_steps,
            "mode": "undirected" if self.undirected else "directed",
            "count": len(self.reached),
            "by_class": dict(sorted(by_class.items())),
            "levels": [
                {
                    "distance": d,
                    "classes": [
                        {
                            "class": cls,
                            "class_label": label.get(lang),
                            "entities": [r.to_dict(lang) for r in rs],
                        }
                        for label, cls, rs in groups
                    ],
                }
                for d, groups in self.levels(lang)
            ],
        }


@dataclass(frozen=True)
class Hub:
    entity: Entity
    degree: int
    degree_centrality: float
    betweenness: float

    def to_dict(self, lang: str) -> dict[str, Any]:
        return {
            **self.entity.to_dict(lang),
            "degree": self.degree,
            "degree_centrality": round(self.degree_centrality, 6),
            "betweenness": round(self.betweenness, 6),
        }
