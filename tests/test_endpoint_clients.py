"""The real server (waitress on a free loopback port) with real SPARQL clients, and the CLI."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from rdflib import Graph, URIRef
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import CSV, JSON, JSONLD, N3, RDFXML, TSV, TURTLE, XML, SPARQLWrapper
from SPARQLWrapper.Wrapper import POST, POSTDIRECTLY

from amkg.cli.sparql import sparql

HERE = Path(__file__).resolve().parent / "data" / "endpoint"
ROOT = Path(__file__).resolve().parents[1]
CONFIG = {"DATA_DIR": str(HERE / "data"), "ONTOLOGY_DIR": str(HERE / "ontology"),
          "QUERY_WORKERS": 2, "QUERY_TIMEOUT": 5.0}  # fmt: skip
AMKG = "https://w3id.org/amkg/def#"
TRACKS = f"SELECT ?t ?n WHERE {{ ?t a <{AMKG}Track> ; <{AMKG}trackNumber> ?n }} ORDER BY ?n"
ASK = f"ASK {{ <https://w3id.org/amkg/id/spoor-3> a <{AMKG}Track> }}"
CONSTRUCT = f"CONSTRUCT {{ ?m <{AMKG}belongsToTrack> ?t }} WHERE {{ ?m <{AMKG}belongsToTrack> ?t }}"
MEASURE_LINKS = 4


@pytest.fixture(scope="module")
def endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``amkg serve`` itself (Granian, its web processes and query workers) on a free
    loopback port, over the endpoint fixture graph: the server users run."""
    settings_file = tmp_path_factory.mktemp("serve") / "settings.py"
    settings_file.write_text("".join(f"{k} = {v!r}\n" for k, v in CONFIG.items()))
    env = {**os.environ, "AMKG_SETTINGS": str(settings_file), "PYTHONPATH": str(ROOT)}
    env.pop("AMKG_DATA_DIR", None)
    process = subprocess.Popen(
        [sys.executable, "-c", "from amkg.cli.main import main; main()", "serve", "--port", "0"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )  # fmt: skip
    assert process.stdout is not None
    first = process.stdout.readline()
    assert first.startswith("Arbeidsmigratie Kennisgraaf: "), first
    try:
        yield first.split(": ", 1)[1].strip() + "sparql"
    finally:
        process.terminate()
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)
        process.stdout.close()


def wrapper(url: str, query: str, fmt: str, method: str = "GET") -> Any:
    client = SPARQLWrapper(url)
    client.setQuery(query)
    client.setReturnFormat(fmt)
    client.setMethod(method)
    if method == POSTDIRECTLY:
        client.setMethod(POST)
        client.setRequestMethod(POSTDIRECTLY)
    result = client.query()
    try:
        if fmt in (RDFXML, JSONLD):
            # SPARQLWrapper's own conversion of these builds an rdflib ConjunctiveGraph, which
            # warns (deprecated): parse the body it received instead.
            media = {RDFXML: "application/rdf+xml", JSONLD: "application/ld+json"}[fmt]
            assert result.info()["content-type"].startswith(media)
            return Graph().parse(data=result.response.read(), format=media)
        return result.convert()
    finally:
        result.response.close()


@pytest.mark.parametrize("method", ["GET", POST, POSTDIRECTLY])
def test_sparqlwrapper_select_ask_construct(endpoint: str, method: str) -> None:
    rows = wrapper(endpoint, TRACKS, JSON, method)["results"]["bindings"]
    assert [int(r["n"]["value"]) for r in rows] == [1, 2, 3, 4, 5]
    assert rows[2]["t"] == {"type": "uri", "value": "https://w3id.org/amkg/id/spoor-3"}
    assert wrapper(endpoint, ASK, JSON, method)["boolean"] is True
    as_xml = wrapper(endpoint, ASK.replace("spoor-3", "spoor-9"), XML, method)
    assert as_xml.getElementsByTagName("boolean")[0].firstChild.data == "false"
    for fmt in (RDFXML, JSONLD):
        graph = wrapper(endpoint, CONSTRUCT, fmt, method)
        assert isinstance(graph, Graph)
        assert len(graph) == MEASURE_LINKS
    turtle = wrapper(endpoint, CONSTRUCT, TURTLE, method)
    assert len(Graph().parse(data=turtle, format="turtle")) == MEASURE_LINKS
    n3 = wrapper(endpoint, CONSTRUCT, N3)  # served as Turtle, which is N3 too
    assert len(Graph().parse(data=n3, format="turtle")) == MEASURE_LINKS


def test_sparqlwrapper_csv_and_tsv(endpoint: str) -> None:
    assert wrapper(endpoint, TRACKS, CSV).splitlines()[0] == b"t,n"
    tsv = wrapper(endpoint, TRACKS, TSV).splitlines()
    assert tsv[0] == b"?t\t?n"
    assert tsv[1].startswith(b"<https://w3id.org/amkg/id/spoor-1>\t")


@pytest.mark.parametrize("return_format", ["xml", "json"])
@pytest.mark.parametrize("method", ["GET", "POST", "POST_FORM"])
def test_rdflib_sparqlstore(endpoint: str, return_format: str, method: str) -> None:
    store = SPARQLStore(endpoint, returnFormat=return_format, method=method)
    graph = Graph(store=store)
    try:
        rows = list(graph.query(TRACKS))
        assert [int(row.n) for row in rows] == [1, 2, 3, 4, 5]  # type: ignore[union-attr]
        assert rows[0].t == URIRef("https://w3id.org/amkg/id/spoor-1")  # type: ignore[union-attr]
        assert graph.query(ASK).askAnswer is True
        if return_format == "json":
            # rdflib then accepts only SPARQL Results JSON, which a graph cannot be: 406 (use
            # returnFormat="xml", which also accepts RDF/XML, for CONSTRUCT and DESCRIBE)
            # (rdflib reports the 406 as a ValueError on GET and hands back no result on POST)
            with pytest.raises((ValueError, AttributeError)):
                _ = graph.query(CONSTRUCT).graph
            return
        built = graph.query(CONSTRUCT).graph
        assert built is not None
        assert len(built) == MEASURE_LINKS
    finally:
        store.close()


RESULT_TYPES = {"json": "application/sparql-results+json", "xml": "application/sparql-results+xml",
                "csv": "text/csv", "tsv": "text/tab-separated-values"}  # fmt: skip
GRAPH_TYPES = {"ttl": "text/turtle", "nt": "application/n-triples",
               "jsonld": "application/ld+json", "rdfxml": "application/rdf+xml"}  # fmt: skip


def fetch(url: str, headers: dict[str, str] | None = None, **params: str) -> tuple[int, Any, bytes]:
    request = urllib.request.Request(url + "?" + urllib.parse.urlencode(params),
                                     headers=headers or {})  # fmt: skip
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, error.headers, error.read()


@pytest.mark.parametrize(
    ("query", "fmt", "media"),
    [(TRACKS, k, v) for k, v in RESULT_TYPES.items()]
    + [(ASK, k, v) for k, v in RESULT_TYPES.items()]
    + [(CONSTRUCT, k, v) for k, v in GRAPH_TYPES.items()],
)
def test_every_content_type_by_accept_and_by_format(
    endpoint: str, query: str, fmt: str, media: str
) -> None:
    by_accept = fetch(endpoint, {"Accept": media}, query=query)
    by_format = fetch(endpoint, query=query, format=fmt)
    for status, headers, body in (by_accept, by_format):
        assert status == 200
        assert headers.get_content_type() == media
        assert headers["Access-Control-Allow-Origin"] == "*"
        assert body
    assert by_accept[2] == by_format[2] or fmt in ("ttl", "jsonld", "rdfxml", "nt")


def test_the_service_description_and_an_error_over_http(endpoint: str) -> None:
    status, headers, body = fetch(endpoint)
    assert status == 200
    assert headers.get_content_type() == "text/turtle"
    assert f"sd:endpoint <{endpoint}>".encode() in body
    status, headers, body = fetch(endpoint, query="SELECT * WHERE { SERVICE <http://x> {} }")
    assert status == 400
    assert headers.get_content_type() == "application/json"
    assert b"SERVICE <http://x> is not allowed" in body


# --- amkg serve, as a process ----------------------------------------------------------------


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM], ids=lambda s: s.name)
def test_amkg_serve_starts_prints_its_url_and_stops_cleanly(tmp_path: Path, stop: int) -> None:
    settings_file = tmp_path / "settings.py"
    settings_file.write_text(
        f"DATA_DIR = {CONFIG['DATA_DIR']!r}\nONTOLOGY_DIR = {CONFIG['ONTOLOGY_DIR']!r}\n"
        "QUERY_WORKERS = 1\n"
    )
    env = {**os.environ, "AMKG_SETTINGS": str(settings_file), "PYTHONUNBUFFERED": "1",
           "PYTHONPATH": str(ROOT)}  # fmt: skip
    env.pop("AMKG_DATA_DIR", None)
    # Started as the `amkg` console script starts it (its __main__ only imports amkg.cli.main).
    process = subprocess.Popen(
        [sys.executable, "-c", "from amkg.cli.main import main; main()", "serve", "--port", "0"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        assert first.startswith("Arbeidsmigratie Kennisgraaf: http://127.0.0.1:"), first
        url = first.split(": ", 1)[1].strip()
        assert "SPARQL endpoint" in process.stdout.readline()
        status, _, body = fetch(url + "sparql", {"Accept": "text/csv"}, query=TRACKS)
        assert (status, body.splitlines()[0]) == (200, b"t,n")
        family = _descendants(process.pid)
        assert len(family) >= 4  # two web processes, each with its query worker
    finally:
        for _ in range(20):  # an impatient user, or a supervisor and a shell both signalling
            process.send_signal(stop)
        try:
            process.wait(15)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait(5)
            process.stdout.close()  # type: ignore[union-attr]
            process.stderr.close()  # type: ignore[union-attr]
    assert process.returncode == 0
    deadline = time.monotonic() + 10
    while (alive := {p for p in family if _running(p)}) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not alive  # the web processes and their query workers stopped with it


def test_amkg_serve_on_a_taken_port_says_so(tmp_path: Path) -> None:
    import socket

    from click.testing import CliRunner

    from amkg.cli.main import main

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        args = ["serve", "--port", str(port), "--data-dir", CONFIG["DATA_DIR"]]
        result = CliRunner().invoke(main, args)
    assert result.exit_code == 1, result.output
    assert f"cannot listen on 127.0.0.1:{port}" in result.output
    assert "Traceback" not in result.output


def _running(pid: int) -> bool:
    """Whether process ``pid`` exists and is not a zombie (Linux: /proc)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def _descendants(pid: int) -> set[int]:
    """The processes below ``pid`` (Linux: /proc), recursively."""
    parents = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parents[int(stat.parent.name)] = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError):
            continue
    found, frontier = set(), {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


# --- amkg sparql ----------------------------------------------------------------------------


def run_cli(*args: str, stdin: str | None = None) -> Any:
    return CliRunner().invoke(sparql, [*args, "--data-dir", CONFIG["DATA_DIR"]], input=stdin)


def test_cli_time_limit_stops_a_long_query_and_leaves_others_alone() -> None:
    long_query = """SELECT (COUNT(*) AS ?n) WHERE {
      ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n2 ?o .
      FILTER(REGEX(CONCAT(STR(?c), STR(?f), STR(?i), STR(?l), STR(?o)), "^(a|b|ab)*x$"))
    }"""
    started = time.monotonic()
    stopped = run_cli("--timeout", "1", long_query)
    assert stopped.exit_code == 3, stopped.output
    assert "stopped after 1 s (the time limit)" in stopped.output
    assert time.monotonic() - started < 30  # loading the graph is not timed; the query is
    quick = run_cli("--timeout", "30", TRACKS)
    assert quick.exit_code == 0, quick.output
    assert quick.output == run_cli(TRACKS).output
    refused = run_cli("--timeout", "30", "SELECT * WHERE { SERVICE <http://x> {} }")
    assert refused.exit_code == 2


def test_cli_prints_a_table_by_default() -> None:
    result = run_cli(TRACKS)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split() == ["t", "n"]
    assert lines[2].split() == ["kg:spoor-1", "1"]
    assert lines[-1] == "(5 rows)"
    assert run_cli(ASK).output.strip() == "true"


@pytest.mark.parametrize(
    ("args", "start"),
    [
        (["--format", "csv", TRACKS], "t,n"),
        (["--format", "tsv", TRACKS], "?t\t?n"),
        (["--format", "json", TRACKS], '{"results"'),
        (["--format", "nt", CONSTRUCT], "<https://w3id.org/amkg/id/maatregel-"),
        ([CONSTRUCT], "@prefix"),
        (["--format", "jsonld", CONSTRUCT], "["),
        (["-"], "t"),
    ],
)
def test_cli_formats_and_stdin(args: list[str], start: str) -> None:
    result = run_cli(*args, stdin=TRACKS if args == ["-"] else None)
    assert result.exit_code == 0, result.output
    assert result.output.startswith(start)


def test_cli_reads_a_file(tmp_path: Path) -> None:
    query_file = tmp_path / "q.rq"
    query_file.write_text(ASK, encoding="utf-8")
    assert run_cli("--file", str(query_file)).output.strip() == "true"


@pytest.mark.parametrize(
    ("query", "fmt", "reason"),
    [
        ("INSERT DATA { <http://x/a> <http://x/b> <http://x/c> }", None, "read-only"),
        ("SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }", None, "SERVICE"),
        ("LOAD <http://127.0.0.1:9/x.ttl>", None, "LOAD"),
        ("SELECT * FROM <http://127.0.0.1:9/g> WHERE { ?s ?p ?o }", None, "FROM"),
        ("SELECT * WHERE { ?s ?p }", None, "line 1, column"),
        (CONSTRUCT, "csv", "does not fit"),
        (CONSTRUCT, "table", "no table"),
    ],
)
def test_cli_refuses_with_exit_2(query: str, fmt: str | None, reason: str) -> None:
    result = run_cli(*(["--format", fmt] if fmt else []), query)
    assert result.exit_code == 2
    assert reason in result.output


def test_cli_needs_exactly_one_query_source(tmp_path: Path) -> None:
    assert run_cli().exit_code == 2
    query_file = tmp_path / "q.rq"
    query_file.write_text(ASK, encoding="utf-8")
    assert run_cli(ASK, "--file", str(query_file)).exit_code == 2
