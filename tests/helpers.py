"""Helpers shared by the web tests (import them as ``tests.helpers``).

- ``XSS``, ``XSS_IMG``, ``XSS_TTL``: labels that are HTML, and the Turtle file that gives them to
  ``kg:maatregel-xss-test`` (a measure of track 3) and its target group
  ``kg:doelgroep-xss-test``; every page must show them as text.
- ``write_xss_data(directory)``: a copy of ``graph/data`` plus that file (the ``xss_data_dir``
  fixture of ``tests/conftest.py`` makes one per session).
- ``reference_graph(data_dir=None)``: the Turtle parsed by rdflib, to compute expected answers.
- ``serve(app)``: the app served by waitress on a free loopback port, for the browser tests.
- ``CHROMIUM``, ``CHROMIUM_ARGS``: Debian's Chromium and the flags that keep it headless and
  off the network (the browser tests and ``benchmarks/bench_explorer.py`` launch it alike).
- ``LONG``: ``$AMKG_LONG_TESTS`` is set: the load, soak and crash-loop tests run their longer
  versions (more seconds, more rounds); by default they run the shortest that still shows the
  property, so the whole suite fits CI's time.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import rdflib
from flask import Flask
from waitress.server import create_server

from amkg.graph.load import load_graph
from amkg.graph.paths import DATA_DIR, data_files, ontology_files

#: The longer runs of the load, soak and crash-loop tests (``AMKG_LONG_TESTS=1``).
LONG = bool(os.environ.get("AMKG_LONG_TESTS"))
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def reference_graph(data_dir: Path | None = None, ontology_dir: Path | None = None) -> rdflib.Graph:
    """The ontology and the data parsed by rdflib straight from the Turtle files: the reference
    the tests compare the store's answers with (the application never reads it)."""
    return load_graph(ontology_files(ontology_dir), data_files(data_dir or DATA_DIR))


XSS = "<script>alert(1)</script>"
XSS_IMG = "<img src=x onerror=alert(2)> doelgroep"
XSS_TTL = f"""
@prefix amkg: <https://w3id.org/amkg/def#> .
@prefix kg: <https://w3id.org/amkg/id/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
kg:maatregel-xss-test a amkg:Measure ;
    rdfs:label "{XSS}"@nl , "{XSS} en"@en ;
    amkg:belongsToTrack kg:spoor-3 ;
    amkg:targetsGroup kg:doelgroep-xss-test .
kg:doelgroep-xss-test a amkg:TargetGroup ;
    rdfs:label "{XSS_IMG}"@nl , "<b>group</b>"@en .
"""


def write_xss_data(directory: Path) -> Path:
    """Fill ``directory`` with the Turtle files of ``graph/data`` plus ``XSS_TTL``."""
    for path in DATA_DIR.glob("*.ttl"):
        (directory / path.name).write_bytes(path.read_bytes())
    (directory / "zz-xss-test.ttl").write_text(XSS_TTL, encoding="utf-8")
    return directory


@contextmanager
def serve(app: Flask, name: str = "waitress") -> Iterator[str]:
    """Serve ``app`` on http://127.0.0.1:<free port> (yielded) until the block ends."""
    server = create_server(app, host="127.0.0.1", port=0, threads=4)
    thread = threading.Thread(target=server.run, name=name, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.effective_port}"
    finally:
        server.close()
        server.task_dispatcher.shutdown()
        thread.join(timeout=5)
