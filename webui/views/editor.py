"""The SPARQL editor (/sparql-editor): the page's data (its `.json` twin).

The editor itself runs in the browser (CodeMirror 5, vendored, with the SPARQL mode) and
sends queries to this app's own /sparql endpoint. Here: the project's prefixes, the starting
query (``queries/internal/editor-start-<lang>.rq``), and the catalogue as examples to load.
"""

from __future__ import annotations

from typing import Any

from amkg.graph.load import PREFIXES
from amkg.queries import internal
from amkg.queries.catalogue import default_catalogue

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


def build(lang: str, query: str | None = None) -> dict[str, Any]:
    examples = [
        {
            "name": q.name,
            "title": q.title(lang),
            "audience": q.audience,
            "description": q.description(lang),
            "sparql": q.sparql.strip() + "\n",
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
    }
