"""rdflib's SPARQL parser used from many threads at once (``graph/sparql_parser.py``).

pyparsing keeps state while it parses, so two threads parsing at once failed: under ``amkg
serve`` the analysis of what a catalogue answer read failed now and then, the answer then
counted as reading everything, and every later edit made each web process answer it again. Each
test here runs its parses in eight threads at once; without the shared lock they fail.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from rdflib import Graph, Literal, URIRef

from amkg.graph import footprint
from amkg.graph.footprint_query import analyse
from amkg.graph.sparql_parser import prepare_query, translate_query
from amkg.graph.store import RdflibStore
from amkg.graph.values import UnfaithfulValues, values_clause
from amkg.queries.catalogue import default_catalogue

THREADS = 8


def at_once(work: Callable[[int], object]) -> list[object]:
    """``work(i)`` for i in 0..THREADS-1, all released together; their results."""
    start = threading.Barrier(THREADS)

    def run(i: int) -> object:
        start.wait()
        return work(i)

    with ThreadPoolExecutor(THREADS) as pool:
        return list(pool.map(run, range(THREADS)))


def texts() -> list[str]:
    return [query.sparql for query in default_catalogue()]


def test_queries_parsed_in_many_threads_at_once_all_parse() -> None:
    queries = texts()

    def parse(i: int) -> list[str]:
        failed = []
        for text in queries[i::THREADS]:
            try:
                prepare_query(text)
                translate_query(text, None, None)
            except Exception as error:  # what pyparsing raised in the other thread's way
                failed.append(f"{type(error).__name__}: {error}")
        return failed

    assert [f for found in at_once(parse) for f in found] == []  # type: ignore[attr-defined]


def test_what_a_query_reads_is_found_while_other_threads_analyse_too() -> None:
    queries = texts()
    analyse.cache_clear()  # every thread parses, none takes another's result
    try:
        found = at_once(lambda i: [footprint.of_query(t) for t in queries[i::THREADS]])
    finally:
        analyse.cache_clear()
    read_everything = [fp for per_thread in found for fp in per_thread if fp.everything]  # type: ignore[attr-defined]
    assert read_everything == []  # every catalogue query is understood (one thread at a time)


def test_values_read_back_faithfully_while_other_threads_parse() -> None:
    queries = texts()

    def work(i: int) -> list[str]:
        if i % 2:  # half the threads parse queries, the others check values
            for text in queries[i::THREADS]:
                prepare_query(text)
            return []
        refused = []
        for n in range(20):  # new values each time: no answer comes from the check's cache
            try:
                values_clause({"v": Literal(f"waarde {i} {n}"), "w": URIRef(f"urn:x:{i}:{n}")})
            except UnfaithfulValues as error:
                refused.append(str(error))
        return refused

    assert [r for found in at_once(work) for r in found] == []  # type: ignore[attr-defined]


def test_the_rdflib_store_answers_from_many_threads_with_the_graphs_prefixes() -> None:
    graph = Graph()
    graph.add((URIRef("urn:x:a"), URIRef("http://www.w3.org/2000/01/rdf-schema#label"),
               Literal("a", lang="nl")))  # fmt: skip
    store = RdflibStore(graph)
    query = "SELECT ?l WHERE { ?s rdfs:label ?l }"  # rdfs: as the graph binds it, no PREFIX

    answers = at_once(lambda _i: [store.query(query).rows for _ in range(20)])
    assert all(rows == [{"l": Literal("a", lang="nl")}] for found in answers for rows in found)  # type: ignore[attr-defined]
