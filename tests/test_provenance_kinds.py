"""Stated, inferred or enrichment: one pattern (queries/internal/fact-kind.rq, docs/model.md)
tells the three kinds of fact apart, and every link to an external identifier is an enrichment
with its source."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Literal, URIRef

from amkg.cli.main import main
from amkg.graph.kg import KnowledgeGraph
from amkg.queries.internal import select

AMKG = "https://w3id.org/amkg/def#"
KG = "https://w3id.org/amkg/id/"
SCHEMA = "https://schema.org/"
SKOS = "http://www.w3.org/2004/02/skos/core#"
XSD = "http://www.w3.org/2001/XMLSchema#"

EXTERNAL_LINKS = """
PREFIX schema: <https://schema.org/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?s ?p ?o ?enriched ?source WHERE {
  VALUES ?p { schema:sameAs skos:exactMatch skos:closeMatch skos:relatedMatch skos:broadMatch
              skos:narrowMatch owl:sameAs }
  ?s ?p ?o .
  FILTER(STRSTARTS(STR(?s), "https://w3id.org/amkg/id/"))
  OPTIONAL { ?st rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ; amkg:enrichment ?enriched .
             OPTIONAL { ?st prov:wasDerivedFrom ?source } }
}
"""
PREFIXES = """PREFIX amkg: <https://w3id.org/amkg/def#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX prov: <http://www.w3.org/ns/prov#>
"""


def kind(kg: KnowledgeGraph, s: str, p: str, o: URIRef | Literal) -> str:
    fact = {"s": URIRef(s), "p": URIRef(p), "o": o}
    assert kg.store.query("ASK { ?s ?p ?o }", fact).boolean, "the fact is in the graph"
    rows = select(kg, "fact-kind", s=URIRef(s), p=URIRef(p), o=o)
    return kg.prefixed(rows[0]["factKind"])


def test_every_external_identifier_link_is_an_enrichment_with_its_source(
    kg: KnowledgeGraph,
) -> None:
    rows = kg.store.query(PREFIXES + EXTERNAL_LINKS).rows
    assert len(rows) >= 40  # TOOI, Wikidata, CELEX/ELI, ISCO/ESCO
    unmarked = [
        (str(r["s"]), str(r["p"]), str(r["o"]))
        for r in rows
        if r.get("enriched") != Literal(True)
        or r.get("source") != URIRef(KG + "identificatielijst")
    ]
    assert unmarked == []


@pytest.mark.parametrize(
    ("s", "p", "o", "expected"),
    [
        # The deck says that Spoor 3's lever is ...
        (
            KG + "spoor-3",
            AMKG + "hasLever",
            URIRef(KG + "knop-huisvesting-en-werkomstandigheden"),
            "amkg:factStated",
        ),
        # The annex X marks are readings.
        (
            KG + "traject-werken-aan-de-toekomst",
            AMKG + "touchesDomain",
            URIRef(KG + "domein-4"),
            "amkg:factRead",
        ),
        # A ministry's TOOI identifier comes from the identifier list.
        (
            KG + "szw",
            SCHEMA + "sameAs",
            URIRef("https://identifier.overheid.nl/tooi/id/ministerie/mnre1073"),
            "amkg:factEnriched",
        ),
        # An ISCO-08 match of an occupation too.
        (
            KG + "beroep-verpleegkundigen",
            SKOS + "closeMatch",
            URIRef("http://data.europa.eu/esco/isco/C2221"),
            "amkg:factEnriched",
        ),
    ],
    ids=["stated", "read", "enriched-tooi", "enriched-isco"],
)
def test_the_one_pattern_tells_the_kinds_apart(
    kg: KnowledgeGraph, s: str, p: str, o: URIRef, expected: str
) -> None:
    assert kind(kg, s, p, o) == expected


def test_a_node_inferred_as_a_whole_makes_its_facts_readings(kg: KnowledgeGraph) -> None:
    row = kg.store.query(
        PREFIXES + "SELECT ?obs ?v WHERE { ?obs amkg:inferred true ; amkg:printedValue ?v } LIMIT 1"
    ).rows[0]
    assert kind(kg, str(row["obs"]), AMKG + "printedValue", row["v"]) == "amkg:factRead"


def test_an_enrichment_without_its_source_fails_validation(
    make_data_copy: Callable[..., Path], runner: CliRunner
) -> None:
    data = make_data_copy()
    path = data / "organisaties.ttl"
    text = path.read_text(encoding="utf-8")
    statement = "kg:stmt-verrijking-szw-1 a rdf:Statement ;"
    assert statement in text
    head, tail = text.split(statement, 1)
    tail = tail.replace("    prov:wasDerivedFrom kg:identificatielijst ;\n", "", 1)
    path.write_text(head + statement + tail, encoding="utf-8")
    result = runner.invoke(main, ["validate", "--data-dir", str(data)])
    assert result.exit_code == 1, result.output
    assert "kg:stmt-verrijking-szw-1" in result.output
    assert "prov:wasDerivedFrom" in result.output
