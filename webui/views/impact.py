"""The impact page (issue 12): what ``amkg impact`` computes (``graph/trace.py`` impact), as a
web page. Its ``.json`` twin is exactly ``amkg impact --format json``; the page adds the links
and the labels of the classes."""

from __future__ import annotations

from typing import Any

from rdflib import URIRef

from amkg.graph.trace import ImpactResult

from .common import url_for_node


def build(result: ImpactResult, lang: str) -> dict[str, Any]:
    """The JSON of ``amkg impact`` plus, for the page, each entity's URL."""
    data = result.to_dict(lang)
    data["entity"]["url"] = url_for_node(URIRef(data["entity"]["iri"]))
    for level in data["levels"]:
        for group in level["classes"]:
            for entity in group["entities"]:
                entity["url"] = url_for_node(URIRef(entity["iri"]))
    return data
