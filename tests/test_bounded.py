"""Answers bounded while they are built, a fair share of the pool, and the engine's own edges.

The fixture graph has 45 triples, so the cross product of every triple with every other has
2,025 rows: with ``LIMIT 2000000`` and a row cap of 50 the worker must stop reading at 50
(it would also stop a graph of millions; a worker that materialised the answer of the six-way
product, 45**6 = 8.3e9 rows, would hit its memory cap and die instead).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import Graph

from amkg.queries.answering import BASE_IRI
from amkg.queries.executor import ClientBusy, PoolBusy, StoreSpec, WorkerPool
from amkg.queries.guard import QueryRejected

HERE = Path(__file__).resolve().parent / "data" / "endpoint"
SPEC = StoreSpec(str(HERE / "data"), str(HERE / "ontology"))
SIX_WAY = "?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n ?o . ?p ?q ?r"
HUGE = f"SELECT ?a WHERE {{ {SIX_WAY} }} LIMIT 2000000"
WIDE = f"SELECT * WHERE {{ {SIX_WAY} }} LIMIT 2000000"
HUGE_GRAPH = "CONSTRUCT { ?a ?b ?f } WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
SLOW = """SELECT (COUNT(*) AS ?n) WHERE {
  ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n2 ?o .
  FILTER(REGEX(CONCAT(STR(?c), STR(?f), STR(?i), STR(?l), STR(?o)), "^(a|b|ab)*x$"))
}"""


@pytest.fixture(scope="module")
def pool() -> Iterator[WorkerPool]:
    from amkg.graph.kg import KnowledgeGraph

    KnowledgeGraph.open(SPEC.data_dir, SPEC.ontology_dir)  # built here, not in a capped worker
    with WorkerPool(SPEC, size=2, timeout=5.0, queue_wait=0.5, row_limit=50,
                    memory_mb=1024, byte_limit=20_000) as started:  # fmt: skip
        yield started


def test_a_huge_limit_is_cut_at_the_row_cap_and_the_worker_lives(pool: WorkerPool) -> None:
    pids = {w.process.pid for w in pool._live}
    answer = pool.execute(HUGE, row_limit=50)
    assert (answer.rows, answer.truncated) == (50, True)
    assert answer.stopped_by == "rows"
    assert {w.process.pid for w in pool._live} == pids  # nobody was killed or replaced


def test_the_byte_cap_cuts_long_rows(pool: WorkerPool) -> None:
    answer = pool.execute(WIDE, row_limit=10_000)
    assert answer.truncated
    assert answer.stopped_by == "bytes"
    assert 0 < answer.rows < 50
    rows = json.loads(answer.body)["results"]["bindings"]
    assert len(rows) == answer.rows


def test_construct_is_cut_while_it_is_read(pool: WorkerPool) -> None:
    answer = pool.execute(HUGE_GRAPH, accept="application/n-triples", row_limit=7)
    assert (answer.rows, answer.truncated, answer.stopped_by) == (7, True, "rows")
    assert len(Graph().parse(data=answer.body, format="nt")) == 7


def test_relative_iris_resolve_against_the_base(pool: WorkerPool) -> None:
    answer = pool.execute("CONSTRUCT { <s> <p> 1 } WHERE {}", accept="application/n-triples")
    assert answer.body.decode().startswith(f"<{BASE_IRI}s> <{BASE_IRI}p> ")
    own = pool.execute("BASE <http://x.org/> CONSTRUCT { <s> <p> 1 } WHERE {}", fmt="nt")
    assert own.body.startswith(b"<http://x.org/s>")


def test_an_unknown_function_is_a_clean_400(pool: WorkerPool) -> None:
    with pytest.raises(QueryRejected) as caught:
        pool.execute("SELECT * WHERE { BIND(<http://example.org/f>(1) AS ?x) }")
    assert caught.value.status == 400
    assert "<http://example.org/f>" in caught.value.reason
    assert "RuntimeError" not in caught.value.reason


def test_an_engine_syntax_error_keeps_the_clients_columns(pool: WorkerPool) -> None:
    with pytest.raises(QueryRejected) as caught:
        pool.execute("SELECT * WHERE { ?s ?p ?o } GROUP BY ?nope HAVING (")  # rdflib refuses first
    assert caught.value.status == 400


def _hold(pool: WorkerPool, client: str, outcome: list[object]) -> threading.Thread:
    def run() -> None:
        try:
            pool.execute(SLOW, client=client)
        except Exception as error:
            outcome.append(error)

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def test_one_client_holds_at_most_its_share(pool: WorkerPool) -> None:
    assert pool.client_share == 1
    outcome: list[object] = []
    greedy = [_hold(pool, "greedy", outcome) for _ in range(1)]
    time.sleep(0.5)
    with pytest.raises(ClientBusy) as caught:  # its second query waits 0.5 s, then 429
        pool.execute("ASK {}", client="greedy")
    assert caught.value.status == 429
    assert pool.execute("ASK {}", client="other").body.endswith(b"true}")  # others still served
    for thread in greedy:
        thread.join(15)
    _recover(pool)


def test_waiting_is_bounded_so_threads_are_never_all_held(pool: WorkerPool) -> None:
    outcome: list[object] = []
    running = [_hold(pool, f"c{n}", outcome) for n in range(2)]
    time.sleep(0.5)
    waiting = [_hold(pool, f"w{n}", outcome) for n in range(pool.max_waiting)]
    time.sleep(0.2)
    started = time.monotonic()
    with pytest.raises(PoolBusy) as caught:  # nobody else may wait: refused at once
        pool.execute("ASK {}", client="late")
    assert time.monotonic() - started < 0.4
    assert caught.value.status == 429  # a refusal for load: the client may try again
    for thread in running + waiting:
        thread.join(15)
    _recover(pool)


def _recover(pool: WorkerPool) -> None:
    deadline = time.monotonic() + 60
    while pool.idle_count() < pool.size:
        assert time.monotonic() < deadline, "the pool did not recover"
        time.sleep(0.05)


def test_a_recycled_worker_fails_nobody_who_waits() -> None:
    """A query past the time limit has its worker replaced; a query that waits meanwhile keeps
    its place until the replacement is ready, though that takes longer than ``queue_wait``."""
    with WorkerPool(SPEC, size=1, timeout=1.0, queue_wait=0.2) as single:
        outcome: list[object] = []
        _hold(single, "slow", outcome).join(15)  # stopped after 1 s; a replacement starts
        assert type(outcome[0]).__name__ == "QueryTimeout"
        assert single._respawning == 1
        answer = single.execute("ASK {}", client="patient")  # waits for the replacement
        assert answer.body.endswith(b"true}")


def test_waiting_requests_are_served_in_order_of_arrival() -> None:
    pool = WorkerPool(SPEC, size=2, client_share=1)  # never started: its state set by hand
    queue = [(1, "a"), (2, "b"), (3, "a")]
    assert not pool._free_for("c", queue)  # no idle worker: nobody goes
    pool._idle = [object(), object()][:1]  # type: ignore[list-item]
    pool._running = 1
    assert pool._free_for("a", [])  # one worker free: the first in line takes it,
    assert not pool._free_for("b", queue[:1])  # not the second,
    assert not pool._free_for("c", queue)  # nor a later arrival
    pool._held = {"a": 1}  # "a" holds its share: the first in line who may take it is "b"
    assert pool._free_for("b", queue[:1])
    assert not pool._free_for("a", [])


def test_a_memory_cap_too_small_for_the_store_is_refused_with_its_floor() -> None:
    """RocksDB reserves a few hundred MB of address space when pyoxigraph opens the store;
    under a smaller cap the worker aborted while opening it. Now the pool says what to set."""
    from amkg.queries.executor import WorkerFailed
    from amkg.queries.worker import MIN_WORKER_MEMORY_MB

    with pytest.raises(WorkerFailed, match=r"WORKER_MEMORY_MB=200 is too small: .* at least 768"):
        WorkerPool(SPEC, size=1, memory_mb=200).start()
    with WorkerPool(SPEC, size=1, memory_mb=MIN_WORKER_MEMORY_MB) as capped:  # the floor holds
        assert capped.execute("ASK {}").body.endswith(b"true}")


def test_a_worker_that_aborts_while_opening_names_the_cap() -> None:
    """Above the floor, a machine with more CPUs (more RocksDB threads) may still need more:
    the abort (SIGABRT, from Rust's or C++'s failed allocation) is reported with the cap."""
    import signal

    from amkg.queries.worker import load_failure

    reason = load_failure(-signal.SIGABRT, 600)
    assert "WORKER_MEMORY_MB=600" in reason
    assert "raise WORKER_MEMORY_MB" in reason
    assert "WORKER_MEMORY_MB" not in load_failure(-signal.SIGABRT, None)
    assert "exit code 1" in load_failure(1, 600)
