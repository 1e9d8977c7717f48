"""The SPARQL editor (/sparql-editor): the page's data (its `.json` twin).

The editor itself runs in the browser (CodeMirror 5, vendored, with the SPARQL mode) and
sends queries to this app's own /sparql endpoint. Here: the project's prefixes, the starting
query (``queries/internal/editor-start-<lang>.rq``), and the catalogue as examples to load.
"""

from __future__ import annotations

from typing import Any

from amkg.graph.kg import KnowledgeGraph
from amkg.graph.load import PREFIXES
from amkg.graph.values import with_values
from amkg.queries import internal
from amkg.queries.binding import ParameterError, bind
from amkg.queries.catalogue import NamedQuery, default_catalogue

#: The prefixes put above a new query (those a query of this graph usually needs).
COMMON = ("amkg", "kg", "rdf", "rdfs", "skos", "dcterms", "xsd", "qb", "time", "prov", "org")
MAX_QUERY = 20_000


def starter(lang: str) -> str:
    """The editor's first query in the UI language: ``queries/internal/editor-start-<lang>.rq``
    below its header comment (fixed texts; no user value goes into them)."""
    lines = internal.text(f"editor-start-{lang if lang in ('nl', 'en') else 'nl'}").splitlines()
    while lines and lines[0].startswith("#"):
        lines.pop(0)
    return "\n".join(lines) + "\n"


def vocabulary(kg: KnowledgeGraph, lang: str) -> list[dict[str, str]]:
    """The classes and properties the editor completes: prefixed name, kind, label."""
    out = []
    for row in internal.select(kg, "editor-vocabulary"):
        name = kg.prefixed(row["term"])
        if name == str(row["term"]):
            continue  # no known prefix: not something one types
        label = row.get(f"label_{lang}") or row.get("label_nl") or row.get("label_en")
        out.append({"name": name, "kind": str(row["kind"]), "label": str(label or "")})
    return out


def example_text(kg: KnowledgeGraph | None, q: NamedQuery) -> str:
    """A catalogue query as the editor loads it: its parameters bound to their defaults, so a
    "per track" example asks about one track. The values are placed as the store places bound
    values (:func:`amkg.graph.values.with_values`: first in the outer ``WHERE`` group and in
    each sub-select that projects them), so the example runs as fast as the catalogue query."""
    text = q.sparql.strip()
    if kg is None or not q.params:
        return text + "\n"
    try:
        return with_values(text, bind(q, {}, kg)) + "\n"
    except ParameterError:
        return text + "\n"


def build(lang: str, query: str | None = None, kg: KnowledgeGraph | None = None) -> dict[str, Any]:
    examples = [
        {
            "name": q.name,
            "title": q.title(lang),
            "audience": q.audience,
            "description": q.description(lang),
            "sparql": example_text(kg, q),
            "params": [p.name for p in q.params],
        }
        for q in default_catalogue()
    ]
    examples.sort(key=lambda e: str(e["title"]).casefold())
    text = (query or "")[:MAX_QUERY]
    return {
        "endpoint": "/sparql",
        "query": text if text.strip() else starter(lang),
        "prefixes": {p: str(PREFIXES[p]) for p in COMMON if p in PREFIXES},
        "examples": examples,
        "vocabulary": vocabulary(kg, lang) if kg is not None else [],
    }
