"""Two slips the model had: the sector conditions' deck order, and citations of one passage
that disagreed on the part of the slide it sits in."""

from __future__ import annotations

from amkg.graph.kg import KnowledgeGraph
from amkg.graph.paths import DECK_PATH

PREFIXES = (
    "PREFIX amkg: <https://w3id.org/amkg/def#>\n"
    "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
)


def test_the_sector_conditions_carry_their_deck_order(kg: KnowledgeGraph) -> None:
    rows = kg.store.query(
        PREFIXES
        + """SELECT ?condition ?order ?label WHERE {
            ?condition a amkg:Condition ; rdfs:label ?label .
            OPTIONAL { ?condition amkg:order ?order }
            FILTER(LANG(?label) = "nl") }"""
    ).rows
    assert len(rows) == 4
    deck = DECK_PATH.read_text(encoding="utf-8")
    by_order = sorted(rows, key=lambda r: int(r["order"].toPython()))
    assert [int(r["order"].toPython()) for r in by_order] == [1, 2, 3, 4]
    positions = [deck.index(str(r["label"])) for r in by_order]
    assert positions == sorted(positions), "order values follow the rows of the deck's table"


def test_one_passage_of_a_slide_is_cited_with_one_section(kg: KnowledgeGraph) -> None:
    rows = kg.store.query(
        PREFIXES
        + """SELECT ?slide ?quote (COUNT(DISTINCT ?section) AS ?n) WHERE {
            ?citation amkg:slide ?slide ; amkg:quote ?quote ; amkg:section ?section }
            GROUP BY ?slide ?quote HAVING (COUNT(DISTINCT ?section) > 1)"""
    ).rows
    assert [(str(r["slide"]), str(r["quote"])[:60]) for r in rows] == []
