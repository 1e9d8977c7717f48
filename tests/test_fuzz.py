"""Fuzz the guard and the engine together: random and adversarial queries through a real
worker pool. Every query must end as an answer, a 4xx refusal or the time limit's 503; a dead
worker (the engine crashing its process) or a 500 fails the test.

The queries come from a small SPARQL grammar (hypothesis strategies): expressions with every
operator, functions (known and unknown), nesting, property paths, UNION/OPTIONAL/MINUS,
VALUES, sub-selects, SERVICE and FROM, huge LIMITs; plus adversarial shapes (flat operator
chains of up to 12,000 terms, deep nesting, long unions, paths and negations) and random
mutations of all of those. Runs in about 30 s (``max_examples`` below).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from amkg.queries.executor import Answer, QueryTimeout, StoreSpec, WorkerPool
from amkg.queries.guard import Limits, QueryRejected, check_query

HERE = Path(__file__).resolve().parent / "data" / "endpoint"
SPEC = StoreSpec(str(HERE / "data"), str(HERE / "ontology"))
PREFIX = "PREFIX amkg: <https://w3id.org/amkg/def#> PREFIX ex: <http://e.org/> "

ATOMS = st.sampled_from([
    "?x", "?y", "1", "-2.5e3", "'a'", '"b"@nl', "true", "<http://e.org/a>", "ex:b",
    '"\\u0022"', "'''x\ny'''", "?undefined", '"2024-01-01"^^<http://www.w3.org/2001/XMLSchema#date>',
])  # fmt: skip
BINARY = st.sampled_from(["+", "-", "*", "/", "&&", "||", "=", "!=", "<", ">", "<=", ">="])
FUNCTIONS = st.sampled_from([
    "STR", "LANG", "UCASE", "STRLEN", "ABS", "isIRI", "BOUND", "xsd:integer", "ex:unknown",
    "<http://e.org/f>", "SHA256", "ENCODE_FOR_URI",
])  # fmt: skip


def _expressions() -> st.SearchStrategy[str]:
    return st.recursive(
        ATOMS,
        lambda inner: st.one_of(
            st.tuples(inner, BINARY, inner).map(" ".join),
            inner.map(lambda e: f"!({e})"),
            inner.map(lambda e: f"({e})"),
            st.tuples(FUNCTIONS, inner).map(lambda t: f"{t[0]}({t[1]})"),
            st.tuples(inner, inner).map(lambda t: f"IF({t[0]}, {t[1]}, 0)"),
            st.tuples(inner, inner).map(lambda t: f"COALESCE({t[0]}, {t[1]})"),
            inner.map(lambda e: f'REGEX(STR({e}), "^(a|b|ab)*x$")'),
        ),
        max_leaves=12,
    )


PATHS = st.recursive(
    st.sampled_from(["ex:p", "amkg:spoor", "<http://e.org/q>", "a"]),
    lambda inner: st.one_of(
        st.tuples(inner, inner).map(lambda t: f"{t[0]}/{t[1]}"),
        st.tuples(inner, inner).map(lambda t: f"({t[0]}|{t[1]})"),
        inner.map(lambda p: f"({p})*"),
        inner.map(lambda p: f"^{p}"),
        inner.map(lambda p: f"({p})+"),
    ),
    max_leaves=6,
)


def _patterns() -> st.SearchStrategy[str]:
    triple = st.tuples(st.sampled_from(["?s", "?x", "<http://e.org/a>"]), PATHS,
                       st.sampled_from(["?o", "?y", "1", "'a'"])).map(" ".join)  # fmt: skip
    return st.recursive(
        triple,
        lambda inner: st.one_of(
            st.tuples(inner, inner).map(lambda t: f"{t[0]} . {t[1]}"),
            st.tuples(inner, inner).map(lambda t: f"{{ {t[0]} }} UNION {{ {t[1]} }}"),
            inner.map(lambda p: f"OPTIONAL {{ {p} }}"),
            inner.map(lambda p: f"MINUS {{ {p} }}"),
            st.tuples(inner, _expressions()).map(lambda t: f"{t[0]} FILTER({t[1]})"),
            st.tuples(inner, _expressions()).map(lambda t: f"{t[0]} BIND({t[1]} AS ?b)"),
            inner.map(lambda p: f"{{ SELECT * WHERE {{ {p} }} LIMIT 5 }}"),
            inner.map(lambda p: f"SERVICE <http://127.0.0.1:9/s> {{ {p} }}"),
            inner.map(lambda p: f"VALUES ?v {{ 1 2 3 }} {p}"),
            inner.map(lambda p: f"GRAPH ?g {{ {p} }}"),
        ),
        max_leaves=8,
    )


def _queries() -> st.SearchStrategy[str]:
    pattern = _patterns()
    modifiers = st.sampled_from(["", " LIMIT 2000000", " ORDER BY ?x", " LIMIT 3 OFFSET 1",
                                 " GROUP BY ?s", " ORDER BY DESC(?o) LIMIT 99999999"])  # fmt: skip
    forms = st.one_of(
        st.tuples(pattern, modifiers).map(lambda t: f"SELECT * WHERE {{ {t[0]} }}{t[1]}"),
        pattern.map(lambda p: f"ASK {{ {p} }}"),
        pattern.map(lambda p: f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ {p} . ?s ?p ?o }}"),
        pattern.map(lambda p: f"DESCRIBE ?s WHERE {{ {p} }}"),
        pattern.map(lambda p: f"SELECT * FROM <http://127.0.0.1:9/g> WHERE {{ {p} }}"),
    )
    return forms.map(lambda q: PREFIX + "PREFIX xsd: <http://www.w3.org/2001/XMLSchema#> " + q)


def _adversarial() -> st.SearchStrategy[str]:
    sizes = st.integers(min_value=50, max_value=12_000)
    return st.one_of(
        st.tuples(BINARY, sizes).map(
            lambda t: "SELECT * WHERE { FILTER(" + t[0].join(["1"] * t[1]) + ") }"
        ),
        sizes.map(lambda n: "SELECT * WHERE { FILTER(" + "!" * n + "true) }"),
        sizes.map(lambda n: "SELECT * WHERE { FILTER(" + "-" * n + "1 > 0) }"),
        sizes.map(lambda n: "SELECT * WHERE { " + " UNION ".join(["{}"] * (n // 4)) + " }"),
        sizes.map(lambda n: "SELECT * WHERE { " + " ".join(["OPTIONAL{}"] * (n // 10)) + " }"),
        sizes.map(lambda n: "SELECT * WHERE { ?s " + "/".join(["<p:a>"] * (n // 6)) + " ?o }"),
        sizes.map(lambda n: "SELECT * WHERE { " + "{" * (n // 100) + "}" * (n // 100) + " }"),
        sizes.map(
            lambda n: (
                "SELECT * WHERE { BIND("
                + "STR(" * (n // 200)
                + "1"
                + ")" * (n // 200)
                + " AS ?x) }"
            )
        ),
        sizes.map(lambda n: "SELECT * WHERE { ?s ?p (" + " 1" * (n // 3) + " ) }"),
    )


def _mutated(base: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    noise = st.text(alphabet="{}()<>?\"'#\\\r\n .;,|^*+!&=", max_size=6)
    return st.tuples(base, st.integers(min_value=0, max_value=400), noise).map(
        lambda t: t[0][: t[1]] + t[2] + t[0][t[1]:]
    )  # fmt: skip


QUERIES = st.one_of(_queries(), _adversarial(), _mutated(_queries()), _mutated(_adversarial()),
                    st.text(max_size=300))  # fmt: skip


@pytest.fixture(scope="module")
def pool() -> Iterator[WorkerPool]:
    from amkg.graph.kg import KnowledgeGraph

    KnowledgeGraph.open(SPEC.data_dir, SPEC.ontology_dir)  # built here, not in a capped worker
    with WorkerPool(SPEC, size=2, timeout=2.0, queue_wait=30.0, row_limit=100,
                    memory_mb=1024, client_share=2) as started:  # fmt: skip
        yield started


def _outcome(run: object, text: str) -> object:
    """What ``run(text)`` gave: its value, or the refusal or time-out it raised. Anything else
    (WorkerFailed: a dead worker; another exception) propagates and fails the test."""
    try:
        return run(text)  # type: ignore[operator]
    except (QueryRejected, QueryTimeout) as error:
        return error


@settings(max_examples=120, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])  # fmt: skip
@given(text=QUERIES)
def test_guard_and_engine_answer_refuse_or_stop_never_crash(pool: WorkerPool, text: str) -> None:
    outcome = _outcome(pool.execute, text)
    if isinstance(outcome, QueryRejected):
        assert 400 <= outcome.status < 500, outcome.reason
    else:  # an answer, or the time limit held (the worker was stopped and replaced)
        assert isinstance(outcome, Answer | QueryTimeout)


@settings(max_examples=200, deadline=None, database=None)
@given(text=st.one_of(_adversarial(), _mutated(_adversarial())))
def test_the_guard_alone_refuses_huge_expressions(text: str) -> None:
    """No timing here (the benchmark has the ratios); what must hold is that the guard never
    hands a too-large expression to a parser: it passes a small one or refuses with 400."""
    outcome = _outcome(lambda t: check_query(t, Limits()), text)
    if isinstance(outcome, QueryRejected):
        assert outcome.status == 400
