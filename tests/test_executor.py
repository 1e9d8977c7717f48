"""queries/executor.py and queries/formats.py: worker processes, the hard time limit, formats."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef

from amkg.graph.store import QueryResult
from amkg.queries.executor import (
    PoolBusy,
    QueryTimeout,
    StoreSpec,
    WorkerFailed,
    WorkerPool,
)
from amkg.queries.formats import (
    CSV,
    JSON,
    JSONLD,
    NTRIPLES,
    TSV,
    TURTLE,
    XML,
    FormatError,
    negotiate,
    parse_accept,
    pick_format_param,
    serialise,
)
from amkg.queries.guard import QueryRejected
from amkg.queries.offline import refuse_network_events

HERE = Path(__file__).resolve().parent / "data" / "endpoint"
SPEC = StoreSpec(str(HERE / "data"), str(HERE / "ontology"))
TRIPLES = 45  # ontology/mini.ttl + data/sporen.ttl
#: Runs for minutes: a five-way cross product of every triple, with a regex per row.
LONG_QUERY = """SELECT (COUNT(*) AS ?n) WHERE {
  ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n2 ?o .
  FILTER(REGEX(CONCAT(STR(?c), STR(?f), STR(?i), STR(?l), STR(?o)), "^(a|b|ab)*x$"))
}"""
TRACKS = "SELECT ?t WHERE { ?t a <https://w3id.org/amkg/def#Track> } ORDER BY ?t"


@pytest.fixture(scope="module")
def pool() -> Iterator[WorkerPool]:
    with WorkerPool(SPEC, size=2, timeout=1.0, queue_wait=3.0, row_limit=1000) as started:
        yield started


def test_a_select_comes_back_serialised_with_its_row_count(pool: WorkerPool) -> None:
    answer = pool.execute(TRACKS)
    assert answer.media_type == "application/sparql-results+json"
    assert (answer.kind, answer.rows, answer.truncated) == ("SELECT", 5, False)
    bindings = json.loads(answer.body)["results"]["bindings"]
    assert [b["t"]["value"][-7:] for b in bindings] == [f"spoor-{n}" for n in range(1, 6)]


def test_the_format_follows_accept_and_the_format_parameter(pool: WorkerPool) -> None:
    assert pool.execute(TRACKS, accept="text/csv").body.startswith(b"t\r\n")
    assert pool.execute(TRACKS, fmt="tsv").body.startswith(b"?t\n<https://w3id.org/amkg/id/")
    built = pool.execute("CONSTRUCT WHERE { ?s a ?c }", accept="application/n-triples")
    assert built.media_type == "application/n-triples"
    assert len(Graph().parse(data=built.body, format="nt")) == built.rows == 12


def test_the_row_limit_cuts_and_says_so(pool: WorkerPool) -> None:
    answer = pool.execute("SELECT * WHERE { ?s ?p ?o }", row_limit=7)
    assert (answer.rows, answer.truncated) == (7, True)
    assert len(json.loads(answer.body)["results"]["bindings"]) == 7
    graph = pool.execute("CONSTRUCT WHERE { ?s ?p ?o }", row_limit=10)
    assert (graph.rows, graph.truncated) == (10, True)
    assert len(Graph().parse(data=graph.body, format="turtle")) == 10
    whole = pool.execute("CONSTRUCT WHERE { ?s ?p ?o }")
    assert (whole.rows, whole.truncated) == (TRIPLES, False)


@pytest.mark.parametrize(
    ("text", "status"),
    [
        ("INSERT DATA { <http://x/a> <http://x/b> <http://x/c> }", 403),
        ("SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }", 400),
        ("SELECT * FROM <http://127.0.0.1:9/g> WHERE { ?s ?p ?o }", 400),
        ("SELECT * WHERE { ?s ?p }", 400),
    ],
)
def test_the_worker_guards_every_query(pool: WorkerPool, text: str, status: int) -> None:
    with pytest.raises(QueryRejected) as caught:
        pool.execute(text)
    assert caught.value.status == status


def test_an_unsuitable_format_is_refused_before_evaluation(pool: WorkerPool) -> None:
    with pytest.raises(FormatError):
        pool.execute(LONG_QUERY, fmt="ttl")


def test_an_overrun_kills_only_its_worker(pool: WorkerPool) -> None:
    outcome: dict[str, object] = {}

    def run_long() -> None:
        started = time.monotonic()
        try:
            pool.execute(LONG_QUERY)
        except QueryTimeout as error:
            outcome["error"] = error
        outcome["seconds"] = time.monotonic() - started
        outcome["ended"] = time.monotonic()

    before = {w.process.pid for w in pool._live}
    thread = threading.Thread(target=run_long)
    thread.start()
    time.sleep(0.3)
    quick = pool.execute("ASK { ?s ?p ?o }", client="quick")  # on the other worker
    assert quick.body.startswith(b'{"head"')
    answered = time.monotonic()
    thread.join(10)
    assert answered < outcome["ended"]  # type: ignore[operator]  # while the long one ran
    assert isinstance(outcome["error"], QueryTimeout)
    assert "stopped after 1 s" in str(outcome["error"])
    assert 1.0 <= outcome["seconds"] < 5.0  # type: ignore[operator]
    # The killed worker is gone and a fresh one takes its place.
    deadline = time.monotonic() + 30
    while len(pool._live) < 2 or pool.idle_count() < 2:
        assert time.monotonic() < deadline, "no replacement worker"
        time.sleep(0.05)
    after = {w.process.pid for w in pool._live}
    assert len(before - after) == 1
    assert pool.execute(TRACKS).rows == 5


@pytest.fixture(scope="module")
def single() -> Iterator[WorkerPool]:
    with WorkerPool(SPEC, size=1, timeout=1.0, queue_wait=0.2) as started:
        yield started


def test_a_full_pool_answers_busy_with_retry_after(single: WorkerPool) -> None:
    outcome: list[BaseException] = []

    def run_long() -> None:
        try:
            single.execute(LONG_QUERY)
        except QueryTimeout as error:
            outcome.append(error)

    thread = threading.Thread(target=run_long)
    thread.start()
    time.sleep(0.3)
    started = time.monotonic()
    with pytest.raises(PoolBusy) as caught:
        single.execute("ASK {}")
    assert time.monotonic() - started < 2.0  # queue_wait is 0.2 s
    assert caught.value.retry_after >= 1
    thread.join(10)
    assert len(outcome) == 1


def test_a_worker_that_dies_is_replaced(single: WorkerPool) -> None:
    single.queue_wait = 30.0  # time for the replacement of the previous test's worker
    single.execute("ASK {}")
    (worker,) = single._live
    worker.process.kill()
    worker.process.join(5)
    with pytest.raises(WorkerFailed):
        single.execute("ASK {}")
    assert single.execute("ASK {}").body.endswith(b"true}")


def test_a_broken_graph_stops_the_pool_from_starting() -> None:
    pool = WorkerPool(StoreSpec(str(HERE / "broken"), str(HERE / "ontology")), size=1)
    with pytest.raises(WorkerFailed, match=r"bad\.ttl:3"):
        pool.start()
    assert not pool._live


def test_close_stops_every_worker() -> None:
    pool = WorkerPool(SPEC, size=2).start()
    processes = [w.process for w in pool._live]
    pool.close()
    assert processes
    assert not any(p.is_alive() for p in processes)
    with pytest.raises(WorkerFailed):
        pool.execute("ASK {}")


@pytest.mark.skipif(not Path("/proc/self/limits").exists(), reason="Linux /proc only")
def test_workers_cap_their_address_space(pool: WorkerPool) -> None:
    pid = next(iter(pool._live)).process.pid
    limits = Path(f"/proc/{pid}/limits").read_text()
    line = next(x for x in limits.splitlines() if x.startswith("Max address space"))
    assert line.split()[3] == str(1024 * 1024 * 1024)


@pytest.mark.parametrize("event", ["socket.connect", "socket.getaddrinfo", "urllib.Request"])
def test_workers_refuse_network_events(event: str) -> None:
    with pytest.raises(PermissionError):
        refuse_network_events(event, ())
    refuse_network_events("open", ())  # everything else passes


# --- formats -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "accept", "expected"),
    [
        ("SELECT", None, JSON),
        ("SELECT", "application/sparql-results+xml", XML),
        ("SELECT", "text/csv;q=0.5, text/tab-separated-values;q=0.9", TSV),
        ("SELECT", "text/*;q=0.5, application/json;q=0.4", CSV),
        ("ASK", "application/json", JSON),
        ("SELECT", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", JSON),
        ("SELECT", "", JSON),  # no media range at all: the default
        ("CONSTRUCT", None, TURTLE),
        ("CONSTRUCT", "application/n-triples", NTRIPLES),
        ("DESCRIBE", "application/json", JSONLD),
        ("CONSTRUCT", "text/turtle;q=0.1, application/ld+json", JSONLD),
        ("CONSTRUCT", "text/turtle;q=0, */*", NTRIPLES),
    ],
)
def test_negotiation_by_accept(kind: str, accept: str | None, expected: object) -> None:
    assert negotiate(kind, accept) is expected


def test_the_format_parameter_wins_and_must_fit() -> None:
    assert negotiate("SELECT", "text/csv", "xml") is XML
    assert negotiate("CONSTRUCT", None, "json") is JSONLD
    with pytest.raises(FormatError, match="does not fit a SELECT"):
        negotiate("SELECT", None, "ttl")
    with pytest.raises(FormatError, match="unknown format"):
        negotiate("SELECT", None, "yaml")


def test_repeated_format_values_must_agree() -> None:
    assert pick_format_param(["tsv", "text/tab-separated-values"]) == "tsv"
    assert pick_format_param(["", "json"]) == "json"
    assert pick_format_param([]) is None
    with pytest.raises(FormatError, match="contradictory"):
        pick_format_param(["json", "csv"])


def test_accept_parsing_tolerates_junk() -> None:
    assert parse_accept("text/csv;q=x, junk, */*;q=2") == [("text/csv", 0.0), ("*/*", 1.0)]


def test_serialisers_escape_what_comes_from_the_graph() -> None:
    tricky = Literal('<b>"x"</b>\t&\n', lang="nl")
    result = QueryResult("SELECT", ["v"], [{"v": tricky}, {"v": URIRef("http://x/a")}])
    assert json.loads(serialise(result, JSON).body)["results"]["bindings"][0]["v"]["value"] == (
        str(tricky)
    )
    assert b"&lt;b&gt;" in serialise(result, XML).body
    assert b'"<b>\\"x\\"</b>\\t&\\n"@nl' in serialise(result, TSV).body
    assert b'"<b>""x""</b>\t&\n"' in serialise(result, CSV).body


def test_rdflib_never_loads_from_graphs_in_a_worker() -> None:
    """A worker process imports the worker module only (spawn): that alone must switch
    rdflib's loading of FROM graphs off."""
    import subprocess
    import sys

    code = "import amkg.queries.worker, rdflib.plugins.sparql as s; print(s.SPARQL_LOAD_GRAPHS)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
