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
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
import rdflib
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient

from amkg.graph.kg import KnowledgeGraph
from amkg.graph.paths import DATA_DIR, DATA_DIR_ENV, STORE_ENV
from amkg.webui.app import create_app
from tests.helpers import reference_graph, write_xss_data

TESTS_DIR = Path(__file__).resolve().parent
FIXTURES_DIR = TESTS_DIR / "data"
SMALL_DATA_DIR = FIXTURES_DIR / "small"
MUTATIONS_DIR = FIXTURES_DIR / "mutations"
BROKEN_TTL = FIXTURES_DIR / "broken" / "broken.ttl"
#: The line of the syntax error in ``BROKEN_TTL``.
BROKEN_LINE = 7


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


@pytest.fixture(autouse=True)
def _no_data_dir_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """A developer's own ``$AMKG_DATA_DIR`` must not change what the tests load."""
    monkeypatch.delenv(DATA_DIR_ENV, raising=False)


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
