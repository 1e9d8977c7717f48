"""Language tags leave in one spelling everywhere: lower case, as pyoxigraph keeps them (RDF 1.1
and BCP 47 compare tags case-insensitively; ``de`` and ``DE`` are one tag). Data written with
``@DE`` and ``@en-GB`` come out as ``de`` and ``en-gb`` from ``/sparql`` in every format that
carries tags, on both engines, and from ``amkg export`` in every format."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from amkg.graph.export import FORMATS, export
from amkg.graph.kg import KnowledgeGraph
from amkg.webui.app import create_app
from amkg.webui.sparql import close_pool

HERE = Path(__file__).resolve().parent / "data" / "endpoint"
TAGGED = """@prefix kg: <https://w3id.org/amkg/id/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
kg:spoor-1 rdfs:comment "Wahlen für eine Wirtschaft der Zukunft"@DE , "Choices"@en-GB .
"""
COMMENT = "<https://w3id.org/amkg/id/spoor-1> <http://www.w3.org/2000/01/rdf-schema#comment> ?c"
SELECT = f"SELECT ?c WHERE {{ {COMMENT} }}"
CONSTRUCT = f"CONSTRUCT WHERE {{ {COMMENT} }}"
_TAG = re.compile(r"""(?:"@|xml:lang"?\s*[=:]\s*")([A-Za-z][A-Za-z0-9-]*)""")


def tags(body: str, fmt: str) -> set[str]:
    """The language tags in ``body``, written in format ``fmt``."""
    if fmt == "jsonld":
        found: set[str] = set()
        stack: list[Any] = [json.loads(body)]
        while stack:
            node = stack.pop()
            if isinstance(node, dict):
                if "@language" in node:
                    found.add(node["@language"])
                stack.extend(node.values())
            elif isinstance(node, list):
                stack.extend(node)
        return found
    return set(_TAG.findall(body))


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("tagged") / "data"
    folder.mkdir()
    shutil.copy(HERE / "data" / "sporen.ttl", folder)
    (folder / "talen.ttl").write_text(TAGGED, encoding="utf-8")
    return folder


@pytest.fixture(scope="module", params=["oxigraph", "rdflib"])
def app(request: pytest.FixtureRequest, data_dir: Path) -> Iterator[Flask]:
    application = create_app({
        "DATA_DIR": str(data_dir), "ONTOLOGY_DIR": str(HERE / "ontology"),
        "STORE_PATH": str(data_dir.parent / "store"), "QUERY_ENGINE": request.param,
        "QUERY_WORKERS": 1,
    })  # fmt: skip
    yield application
    close_pool(application)


@pytest.mark.parametrize(
    ("query", "fmt"),
    [(SELECT, f) for f in ("json", "xml", "tsv")]
    + [(CONSTRUCT, f) for f in ("ttl", "nt", "jsonld", "rdfxml")],
)
def test_the_endpoint_writes_tags_in_lower_case(app: Flask, query: str, fmt: str) -> None:
    reply = app.test_client().get("/sparql", query_string={"query": query, "format": fmt})
    assert reply.status_code == 200, reply.get_data(as_text=True)
    assert tags(reply.get_data(as_text=True), fmt) == {"de", "en-gb"}


@pytest.mark.parametrize(
    ("query", "fmt"),
    [('SELECT ?x WHERE { VALUES ?x { "a"@DE-at } }', f) for f in ("json", "xml", "tsv")]
    + [
        ('CONSTRUCT { <s> <p> ?x } WHERE { BIND(STRLANG("a", "DE-at") AS ?x) }', f)
        for f in ("ttl", "nt", "jsonld", "rdfxml")
    ],
)
def test_a_tag_written_in_the_query_leaves_in_lower_case(app: Flask, query: str, fmt: str) -> None:
    reply = app.test_client().get("/sparql", query_string={"query": query, "format": fmt})
    assert tags(reply.get_data(as_text=True), fmt) == {"de-at"}


def test_a_tag_asked_for_in_another_case_is_the_same_tag(app: Flask) -> None:
    query = f'ASK {{ {COMMENT} FILTER(LANG(?c) = "en-gb" && LANGMATCHES(LANG(?c), "EN-GB")) }}'
    reply = app.test_client().get("/sparql", query_string={"query": query})
    assert reply.get_json()["boolean"] is True


@pytest.mark.parametrize("fmt", [f for f in FORMATS if f != "graphml"])
def test_every_export_writes_tags_in_lower_case(data_dir: Path, fmt: str) -> None:
    kg = KnowledgeGraph.open(data_dir, HERE / "ontology", store=data_dir.parent / "store")
    found = tags(export(kg, fmt).decode("utf-8"), fmt)
    assert {"de", "en-gb"} <= found
    assert found == {tag.lower() for tag in found}


def test_the_graphml_export_carries_no_other_spelling(data_dir: Path) -> None:
    kg = KnowledgeGraph.open(data_dir, HERE / "ontology", store=data_dir.parent / "store")
    body = export(kg, "graphml").decode("utf-8")
    assert "en-GB" not in body
    assert "@DE" not in body
