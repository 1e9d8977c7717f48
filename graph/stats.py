"""Counts: instances per class and the number of triples."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from rdflib import URIRef

from amkg.graph.kg import KnowledgeGraph
from amkg.graph.rq import DOMAIN


@dataclass(frozen=True)
class ClassCount:
    """How many resources have ``cls`` as one of their asserted types."""

    cls: str
    prefixed: str
    label_nl: str
    label_en: str
    instances: int


@dataclass(frozen=True)
class GraphStats:
    triples: int
    resources: int
    classes: list[ClassCount]

    def to_dict(self) -> dict[str, object]:
        return {
            "triples": self.triples,
            "resources": self.resources,
            "classes": [asdict(c) for c in self.classes],
        }


def class_counts(kg: KnowledgeGraph) -> list[ClassCount]:
    """Instances per class (asserted ``rdf:type`` only), most populous first."""
    counts = {
        row["cls"]: int(str(row["n"]))
        for row in DOMAIN.select(kg.store, "class-counts")
        if isinstance(row["cls"], URIRef)
    }
    rows = [
        ClassCount(
            cls=str(cls),
            prefixed=kg.prefixed(cls),
            label_nl=kg.label(cls, "nl"),
            label_en=kg.label(cls, "en"),
            instances=n,
        )
        for cls, n in counts.items()
    ]
    return sorted(rows, key=lambda row: (-row.instances, row.prefixed))


def stats(kg: KnowledgeGraph) -> GraphStats:
    """The graph's triple count, typed resources and instances per class."""
    rows = DOMAIN.select(kg.store, "typed-count")
    typed = int(str(rows[0]["n"])) if rows else 0
    return GraphStats(triples=kg.triple_count(), resources=typed, classes=class_counts(kg))
