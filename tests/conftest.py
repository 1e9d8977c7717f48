"""Shared fixtures.

- ``kg``: the real graph (``ontology/`` + ``graph/data/``), loaded once per session.
- ``small_kg``: a small, valid slice (``tests/data/small/``: two tracks, a measure, a
  trajectory with its ministries, planning and domain, a dataset with a total), for fast tests
  that must not depend on the data being finished.
- ``data_copy`` / ``make_data_copy``: a throw-away copy of a data directory, to mutate and
  point the CLI at with ``--data-dir``.
- ``broken_ttl`` / ``broken_data_copy``: a Turtle file with a syntax error on a known line.
- ``runner``: a click ``CliRunner``.
- ``app`` / ``client``: the web app over the real data (one per test module) and a test
  client of it; ``graph``: the real data parsed by rdflib from the Turtle files, a reference
  to compute expected answers with (the application itself only reads its store).
- ``xss_data_dir`` / ``xss_client``: a copy of ``graph/data`` plus labels that are HTML
  (``tests.helpers.XSS_TTL``), and a test client of the app over it.

The SHACL check of a build and of ``amkg load --into`` (``build._validate``) runs once per distinct
input in a test process: the server tests load the same deck into a dozen servers, and the check
is a pure function of the triples, shapes and prefixes (``_one_shacl_check_per_input``).
"""

from __future__ import annotations

import copy
import hashlib
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient

from amkg.graph import build, remote_load
from amkg.graph.kg import KnowledgeGraph
from amkg.graph.paths import DATA_DIR, DATA_DIR_ENV, STORE_ENV
from amkg.graph.report import ValidationReport
from amkg.webui.app import create_app
from tests.helpers import reference_graph, write_xss_data

TESTS_DIR = Path(__file__).resolve().parent
FIXTURES_DIR = TESTS_DIR / "data"
SMALL_DATA_DIR = FIXTURES_DIR / "small"
MUTATIONS_DIR = FIXTURES_DIR / "mutations"
BROKEN_TTL = FIXTURES_DIR / "broken" / "broken.ttl"
#: The line of the syntax error in ``BROKEN_TTL``.
BROKEN_LINE = 7


#: The files that take longest (tens of seconds each), in that order, run before all others: the
#: suite runs in two processes, each file whole in one (pytest-xdist, ``--dist loadfile`` in
#: pyproject.toml), and a long file handed out last would leave the other process idle.
LONGEST_FIRST = [
    "test_remote_servers.py",
    "test_remote_edits.py",
    "test_responsive.py",
    "test_edits_gate.py",
    "test_validate.py",
    "test_soak.py",
    "test_levers_browser.py",
    "test_remote_endpoint.py",
    "test_adding.py",
    "test_analysis.py",
    "test_explorer.py",
    "test_store_seam.py",
    "test_edits_serve.py",
    "test_reasoner.py",
    "test_edits_safety.py",
]


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The files of :data:`LONGEST_FIRST` first; within a file, and the rest, as collected."""
    rank = {name: index for index, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))


def copy_data_dir(destination: Path, source: Path = DATA_DIR) -> Path:
    """Copy the Turtle files of ``source`` into a new directory ``destination``."""
    destination.mkdir(parents=True)
    for path in sorted(source.glob("*.ttl")):
        shutil.copy2(path, destination / path.name)
    return destination


@pytest.fixture(scope="session", autouse=True)
def _stores_of_this_run(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Every store the tests build lives in this run's temporary directory, never in the
    user's data directory (processes the tests start inherit it through ``$AMKG_STORE``).
    Builds are found by the content of their sources, so copies of unchanged data share one."""
    os.environ[STORE_ENV] = str(tmp_path_factory.mktemp("stores"))


@pytest.fixture(scope="session", autouse=True)
def _one_shacl_check_per_input() -> Iterator[None]:
    """A build and ``load_into`` check their sources with SHACL (seconds for the deck) before
    they write; the same triples, shapes and prefixes give the same report, so each distinct
    input is checked once per test process (other data, e.g. a mutated copy, is checked as
    always)."""
    check = build._validate
    reports: dict[str, ValidationReport] = {}

    def once(
        data: list[ox.Triple], shapes: list[ox.Triple], prefixes: dict[str, str]
    ) -> ValidationReport:
        digest = hashlib.sha256()
        for part in (data, shapes, sorted(prefixes.items())):
            digest.update("\n".join(map(str, part)).encode() + b"\0")
        key = digest.hexdigest()
        if key not in reports:
            reports[key] = check(data, shapes, prefixes)
        return copy.deepcopy(reports[key])

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(build, "_validate", once)
        patch.setattr(remote_load, "_validate", once)
        yield


@pytest.fixture(autouse=True)
def _no_data_dir_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """A developer's own ``$AMKG_DATA_DIR`` must not change what the tests load."""
    monkeypatch.delenv(DATA_DIR_ENV, raising=False)
    monkeypatch.delenv("AMKG_STORE_URL", raising=False)  # nor a SPARQL server of theirs


@pytest.fixture(scope="session")
def kg() -> KnowledgeGraph:
    """The real knowledge graph of this checkout."""
    return KnowledgeGraph.load(data_dir=DATA_DIR)


@pytest.fixture(scope="session")
def small_graph() -> rdflib.Graph:
    """The small fixture graph parsed by rdflib from its Turtle (a reference for tests)."""
    return reference_graph(SMALL_DATA_DIR)


@pytest.fixture(scope="session")
def small_kg() -> KnowledgeGraph:
    """The small fixture graph (real ontology, data from ``tests/data/small``)."""
    return KnowledgeGraph.load(data_dir=SMALL_DATA_DIR)


@pytest.fixture
def make_data_copy(tmp_path: Path) -> Callable[..., Path]:
    """A factory: ``make_data_copy()`` copies ``graph/data``; ``make_data_copy(src)`` any dir."""
    counter = iter(range(1_000_000))

    def make(source: Path = DATA_DIR) -> Path:
        return copy_data_dir(tmp_path / f"data-{next(counter)}", source)

    return make


@pytest.fixture
def data_copy(make_data_copy: Callable[..., Path]) -> Path:
    """A fresh copy of ``graph/data`` in a temporary directory."""
    return make_data_copy()


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def broken_ttl() -> tuple[Path, int]:
    """A Turtle file with one syntax error, and the line it is on."""
    return BROKEN_TTL, BROKEN_LINE


@pytest.fixture
def broken_data_copy(make_data_copy: Callable[..., Path]) -> tuple[Path, Path, int]:
    """A copy of ``graph/data`` plus the broken file: (directory, broken file, its bad line)."""
    directory = make_data_copy()
    target = directory / "zz-kapot.ttl"
    shutil.copy2(BROKEN_TTL, target)
    return directory, target, BROKEN_LINE


@pytest.fixture(scope="module")
def app() -> Flask:
    """The web app over the real data."""
    return create_app({"TESTING": True})


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture(scope="session")
def graph() -> rdflib.Graph:
    """The ontology and the data parsed by rdflib from the Turtle files: a reference for
    computing what the application (which reads its store) should answer."""
    return reference_graph()


@pytest.fixture(scope="session")
def xss_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of ``graph/data`` plus ``tests.helpers.XSS_TTL`` (labels that are HTML)."""
    return write_xss_data(tmp_path_factory.mktemp("data-xss"))


@pytest.fixture(scope="module")
def xss_client(xss_data_dir: Path) -> FlaskClient:
    """A test client of the app over ``xss_data_dir``."""
    return create_app({"TESTING": True, "DATA_DIR": str(xss_data_dir)}).test_client()
