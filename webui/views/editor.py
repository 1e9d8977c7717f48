"""The SPARQL editor (/sparql-editor): the page's data (its `.json` twin).

The editor itself runs in the browser (CodeMirror 5, vendored, with the SPARQL mode) and
sends queries to this app's own /sparql endpoint. Here: the project's prefixes, the starting
query, and the catalogue as examples to load.
"""

from __future__ import annotations

from typing import Any

from amkg.graph.load import PREFIXES
from amkg.queries.catalogue import default_catalogue

#: The prefixes put above a new query (those a query of this graph usually needs).
COMMON = ("amkg", "kg", "rdf", "rdfs", "skos", "dcterms", "xsd", "qb", "time", "prov", "org")
MAX_QUERY = 20_000


def prefix_block() -> str:
    return "".join(f"PREFIX {p}: <{PREFIXES[p]}>\n" for p in COMMON if p in PREFIXES)


_STARTER_BODY = (
    "SELECT ?track ?number ?label ?lever WHERE {{\n"
    "  ?track a amkg:Track ; amkg:trackNumber ?number ; rdfs:label ?label .\n"
    '  FILTER(LANG(?label) = "{lang}")\n'
    "  OPTIONAL {{ ?track amkg:hasLever/rdfs:label ?lever "
    'FILTER(LANG(?lever) = "{lang}") }}\n'
    "}}\nORDER BY ?number\n"
)
#: The editor's first query per UI language: fixed texts, no user value goes into them.
STARTERS = {
    "nl": "# De vijf sporen met hun knop\n" + _STARTER_BODY.format(lang="nl"),
    "en": "# The five tracks with their lever\n" + _STARTER_BODY.format(lang="en"),
}


def starter(lang: str) -> str:
    return f"{prefix_block()}\n{STARTERS.get(lang, STARTERS['nl'])}"


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
    examples.sort(key=lambda e: e["title"].casefold())
    text = (query or "")[:MAX_QUERY]
    return {
        "endpoint": "/sparql",
        "query": text if text.strip() else starter(lang),
        "prefixes": {p: str(PREFIXES[p]) for p in COMMON if p in PREFIXES},
        "examples": examples,
    }
