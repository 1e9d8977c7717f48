"""Zero egress from every path, proven with a loopback listener that counts TCP connections.

Each proof has a control that shows the same request *does* reach the listener when the
protection is not there, so none of these tests can pass by accident: pyoxigraph follows
``SERVICE`` with an HTTP request of its own (from Rust, past Python's audit hooks), and pyshacl
evaluates a shape's SPARQL with rdflib, which follows ``SERVICE`` too.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import shutil
import socket
import sys
import threading
from collections.abc import Iterator
from multiprocessing.connection import Connection
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Graph

from amkg.cli.main import EXIT_BAD_SHAPES, main
from amkg.cli.sparql import _run_offline
from amkg.graph import paths
from amkg.graph.shapes_guard import ShapesRefused, check_shapes, outward_keyword
from amkg.queries.executor import StoreSpec, WorkerPool
from amkg.queries.guard import ParsedQuery
from amkg.queries.offline import go_offline

HERE = Path(__file__).resolve().parent
ENDPOINT = HERE / "data" / "endpoint"
LINUX = sys.platform.startswith("linux")


class Listener:
    """A TCP listener on 127.0.0.1 that counts the connections it accepts (and answers a
    minimal HTTP 200, so an HTTP client gets a reply and does not retry)."""

    def __init__(self) -> None:
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.accepted = 0
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.server.accept()
            except OSError:
                return
            self.accepted += 1
            with conn:
                conn.settimeout(1)
                try:
                    conn.recv(65536)
                    conn.sendall(
                        b"HTTP/1.1 500 No\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                    )
                except OSError:
                    pass

    def close(self) -> None:
        self.server.close()


@pytest.fixture
def listener() -> Iterator[Listener]:
    server = Listener()
    yield server
    server.close()


def _service_query(url: str) -> str:
    return f"SELECT * WHERE {{ SERVICE <{url}/sparql> {{ ?s ?p ?o }} }}"


def _engine_child(conn: Connection, url: str, offline: bool) -> None:
    """What a query worker does, minus the guard: (go offline), then let pyoxigraph run a
    SERVICE query and open an internet socket."""
    import pyoxigraph as ox

    layers = go_offline() if offline else []
    outcome = [layers]
    try:
        list(ox.Store().query(_service_query(url)))  # type: ignore[arg-type]
        outcome.append("ran")
    except Exception as error:
        outcome.append(f"{type(error).__name__}: {error}")
    try:
        socket.socket(socket.AF_INET, socket.SOCK_STREAM).close()
        outcome.append("socket allowed")
    except OSError as error:
        outcome.append(f"socket refused: {error}")
    conn.send(outcome)


def _run_engine_child(url: str, offline: bool) -> list[object]:
    context = multiprocessing.get_context("spawn")
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(target=_engine_child, args=(sender, url, offline))
    process.start()
    sender.close()
    try:
        assert receiver.poll(60), "the child did not answer"
        return receiver.recv()  # type: ignore[no-any-return]
    finally:
        process.join(10)


@pytest.mark.skipif(not LINUX, reason="the kernel layers are Linux only")
def test_the_engine_reaches_the_network_unless_the_process_went_offline(
    listener: Listener,
) -> None:
    control = _run_engine_child(listener.url, offline=False)
    assert listener.accepted >= 1, control  # pyoxigraph itself calls out: the risk is real
    listener.accepted = 0
    layers, service, sock = _run_engine_child(listener.url, offline=True)
    assert listener.accepted == 0
    assert {"seccomp", "audit"} <= set(layers)  # type: ignore[arg-type]
    assert service != "ran"
    assert sock.startswith("socket refused")  # type: ignore[union-attr]


@pytest.mark.skipif(not LINUX, reason="/proc and the kernel layers are Linux only")
def test_pool_workers_are_in_their_own_network_namespace_under_seccomp() -> None:
    spec = StoreSpec(str(ENDPOINT / "data"), str(ENDPOINT / "ontology"))
    with WorkerPool(spec, size=1) as pool:
        (worker,) = pool._live
        pid = worker.process.pid
        status = Path(f"/proc/{pid}/status").read_text()
        assert "Seccomp:\t2" in status  # filter mode
        assert "seccomp" in pool.offline_layers
        if "namespace" in pool.offline_layers:  # when the process may make one (root in CI)
            assert os.readlink(f"/proc/{pid}/ns/net") != os.readlink("/proc/self/ns/net")


@pytest.mark.skipif(not LINUX, reason="the kernel layers are Linux only")
def test_amkg_sparql_runs_the_engine_offline_even_past_the_guard(listener: Listener) -> None:
    # A ParsedQuery made by hand: what the guard would never let through.
    parsed = ParsedQuery(text=_service_query(listener.url), kind="SELECT")
    status, output = _run_offline(parsed, None, "oxigraph", ENDPOINT / "data", None, timeout=60)
    assert status == "failed"
    assert b"not allowed" in output or b"refused" in output
    assert listener.accepted == 0


def test_amkg_sparql_refuses_service_before_anything(listener: Listener) -> None:
    result = CliRunner().invoke(
        main, ["sparql", "--data-dir", str(ENDPOINT / "data"), _service_query(listener.url)]
    )
    assert result.exit_code == 2
    assert "SERVICE" in result.output
    assert listener.accepted == 0


# --- SHACL validation -----------------------------------------------------------------------

# pyshacl refuses SERVICE in a SPARQL constraint itself, but not in a SPARQL-based target.
HOSTILE_SHAPES = """@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix ex: <https://example.org/shapes#> .

ex:CallsOut a sh:NodeShape ;
    sh:target [
        a sh:SPARQLTarget ;
        sh:select \"\"\"SELECT ?this WHERE {{ SERVICE <{url}/sparql> {{ ?this ?b ?c }} }}\"\"\" ;
    ] ;
    sh:nodeKind sh:IRI .
"""


def _ontology_with(tmp_path: Path, shapes: str) -> Path:
    directory = tmp_path / "ontology"
    shutil.copytree(paths.ONTOLOGY_DIR, directory, ignore=shutil.ignore_patterns("*.py", "__*"))
    (directory / "shapes-hostile.ttl").write_text(shapes, encoding="utf-8")
    return directory


def test_hostile_shapes_would_call_out_without_the_check(listener: Listener) -> None:
    import pyshacl

    shapes = Graph().parse(data=HOSTILE_SHAPES.format(url=listener.url), format="turtle")
    data = Graph().parse(
        data="<https://w3id.org/amkg/id/s> a <https://w3id.org/amkg/def#Track> .", format="turtle"
    )
    with contextlib.suppress(Exception):  # it fails on the listener's answer; it did call
        pyshacl.validate(data, shacl_graph=shapes, advanced=True, inference="none")
    assert listener.accepted >= 1


def test_amkg_validate_refuses_hostile_shapes_with_its_own_exit_status(
    listener: Listener, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ontology = _ontology_with(tmp_path, HOSTILE_SHAPES.format(url=listener.url))
    monkeypatch.setattr(paths, "ONTOLOGY_DIR", ontology)
    result = CliRunner().invoke(main, ["validate", "--data-dir", str(HERE / "data" / "small")])
    assert result.exit_code == EXIT_BAD_SHAPES == 3
    assert "ex:CallsOut" in result.output
    assert "SERVICE" in result.output
    assert listener.accepted == 0


def test_amkg_validate_calls_a_malformed_shape_by_its_own_exit_status(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    malformed = """@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix ex: <https://example.org/shapes#> .
ex:Broken a sh:NodeShape ; sh:targetNode ex:x ; sh:property [ sh:minCount 1 ] ."""
    monkeypatch.setattr(paths, "ONTOLOGY_DIR", _ontology_with(tmp_path, malformed))
    result = CliRunner().invoke(main, ["validate", "--data-dir", str(HERE / "data" / "small")])
    assert result.exit_code == EXIT_BAD_SHAPES
    assert "refused shapes" in result.output


@pytest.mark.parametrize(
    ("sparql", "keyword"),
    [
        ("SELECT $this WHERE { SERVICE <http://x> { ?a ?b ?c } }", "SERVICE"),
        ("SELECT $this WHERE { service silent ?where { ?a ?b ?c } }", "SERVICE"),
        ("SELECT $this WHERE { SERVIC\\u0045 <http://x> { ?a ?b ?c } }", "SERVICE"),
        ("SELECT $this FROM <http://x/g> WHERE { ?a ?b ?c }", "FROM"),
        ("LOAD <http://x>", "LOAD"),
        ("SELECT $this WHERE { # \r SERVICE <http://x> { } \n}", "SERVICE"),
        ("SELECT $this WHERE { ?this ?p 'SERVICE <http://x>' } # SERVICE", None),
        ("SELECT $this WHERE { ?this <http://x/SERVICE> ?o ; ex:service-from ?f }", None),
    ],
)
def test_the_shapes_guard_reads_keywords_as_the_engine_does(sparql: str, keyword: str) -> None:
    assert outward_keyword(sparql) == keyword


@pytest.mark.parametrize(
    "turtle",
    [
        "ex:S a sh:NodeShape ; sh:rule [ a sh:SPARQLRule ; sh:construct "
        '"CONSTRUCT { ?a ?b ?c } WHERE { SERVICE <http://x> { ?a ?b ?c } }" ] .',
        'ex:F a sh:SPARQLFunction ; sh:select "SELECT ?x FROM <http://x> WHERE { }" .',
        'ex:T a sh:NodeShape ; sh:target [ a sh:SPARQLTarget ; sh:select "LOAD <http://x>" ] .',
        "ex:J a sh:NodeShape ; sh:jsLibraryURL <http://x/lib.js> .",
        'ex:U a sh:NodeShape ; sh:update "INSERT DATA { <a:a> <a:b> <a:c> }" .',
    ],
)
def test_every_fetching_feature_is_refused_with_the_shape_named(turtle: str) -> None:
    prefixes = "@prefix sh: <http://www.w3.org/ns/shacl#> .\n@prefix ex: <https://e.org/s#> .\n"
    shapes = Graph().parse(data=prefixes + turtle, format="turtle")
    with pytest.raises(ShapesRefused) as caught:
        check_shapes(shapes)
    assert caught.value.shape.startswith(("ex:", "<https://e.org/s#"))


def test_the_projects_own_shapes_pass() -> None:
    from amkg.graph.load import load_shapes

    check_shapes(load_shapes(paths.SHAPES_PATH, *paths.shapes_files()[1:]))
