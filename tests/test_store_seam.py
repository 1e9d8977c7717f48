"""One house, one seam: the graph lives in an on-disk store that every command and page opens;
nothing but the build parses Turtle or runs pyshacl, and nothing outside the store layer holds
an rdflib graph of the whole data."""

from __future__ import annotations

import ast
import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask
from rdflib import Graph

from amkg.cli.main import main
from amkg.graph.kg import KnowledgeGraph
from amkg.graph.paths import REPO_ROOT

# The store layer: the only modules that may read the Turtle or build whole-data rdflib graphs.
STORE_LAYER = {
    "graph/load.py",
    "graph/build.py",
    "graph/validate.py",
    "graph/store.py",
    "graph/kg.py",
}
READERS = {"load_graph", "parse_file", "load_shapes", "validate_graph"}
APP_PACKAGES = ("graph", "queries", "webui")


def app_modules() -> list[Path]:
    return sorted(p for package in APP_PACKAGES for p in (REPO_ROOT / package).rglob("*.py"))


@pytest.mark.parametrize("path", app_modules(), ids=lambda p: p.relative_to(REPO_ROOT).as_posix())
def test_only_the_store_layer_reads_the_sources(path: Path) -> None:
    name = path.relative_to(REPO_ROOT).as_posix()
    if name in STORE_LAYER:
        return
    tree = ast.parse(path.read_text(encoding="utf-8"))
    offending = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("amkg."):
            offending += [(node.lineno, a.name) for a in node.names if a.name in READERS]
        if isinstance(node, ast.Attribute) and node.attr == "graph":
            value = node.value
            if isinstance(value, ast.Name) and value.id in {"kg", "small_kg", "self_kg"}:
                offending.append((node.lineno, f"{value.id}.graph"))
    assert not offending, f"{name} reads the graph around the store: {offending}"


def test_the_knowledge_graph_holds_no_rdflib_graph(kg: KnowledgeGraph) -> None:
    for name in dir(kg):
        if not name.startswith("__"):
            assert not isinstance(getattr(kg, name, None), Graph), name


@pytest.fixture
def forbid_source_reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Reading Turtle (the sources' format) or running pyshacl from now on is recorded and
    fails the test; parsing the store's own N-Triples (exports) is fine."""
    import pyoxigraph
    import pyshacl
    import rdflib

    calls: list[str] = []
    original_parse, original_graph_parse = pyoxigraph.parse, rdflib.Graph.parse

    def is_turtle(args: tuple[object, ...], kwargs: dict[str, object]) -> bool:
        fmt = kwargs.get("format")
        source = kwargs.get("path") or kwargs.get("source") or (args[0] if args else "")
        named = str(fmt).lower()
        return "turtle" in named or fmt is None or str(source).endswith(".ttl")

    def parse(*args: object, **kwargs: object) -> object:
        if is_turtle(args, kwargs):
            calls.append("pyoxigraph.parse")
            raise AssertionError("Turtle parsed after the build")
        return original_parse(*args, **kwargs)  # type: ignore[arg-type]

    def graph_parse(self: rdflib.Graph, *args: object, **kwargs: object) -> object:
        if is_turtle(args, kwargs):
            calls.append("rdflib.Graph.parse")
            raise AssertionError("Turtle parsed after the build")
        return original_graph_parse(self, *args, **kwargs)  # type: ignore[arg-type]

    def validate(*_args: object, **_kwargs: object) -> None:
        calls.append("pyshacl.validate")
        raise AssertionError("pyshacl run after the build")

    monkeypatch.setattr(pyoxigraph, "parse", parse)
    monkeypatch.setattr(rdflib.Graph, "parse", graph_parse)
    monkeypatch.setattr(pyshacl, "validate", validate)
    return calls


PAGES = [
    "/", "/?lang=en", "/spoor/3", "/spoor/3.json", "/matrix", "/matrix.json", "/tijdlijn",
    "/cijfers", "/queries", "/queries/trajecten-per-spoor?track=kg:spoor-3", "/validatie",
    "/validatie.json", "/ontologie", "/graph", "/graph.json", "/id/spoor-3", "/id/spoor-3.ttl",
    "/pad?from=kg:spoor-1&to=kg:spoor-3", "/api/queries", "/api/impact?entity=kg:spoor-3",
    "/api/hubs", "/zoeken?q=spoor",
]  # fmt: skip


@pytest.fixture
def built_app() -> Flask:
    """The app over the deck, its store built first if need be: builds of other data made
    earlier in this test process may have pruned the deck's (``KEEP_BUILDS``)."""
    from amkg.webui.app import create_app

    return create_app({"TESTING": True})


def test_pages_and_commands_read_only_the_store(
    built_app: Flask, forbid_source_reads: list[str]
) -> None:
    """After the build, no page and no command parses Turtle or runs pyshacl."""
    client = built_app.test_client()
    for page in PAGES:
        response = client.get(page)
        assert response.status_code in (200, 302), (page, response.status_code)
    runner = CliRunner()
    for args in (
        ["stats"],
        ["validate"],
        ["query", "sporen-overzicht"],
        ["trace", "kg:traject-werken-aan-de-toekomst", "kg:spoor-1"],
        ["impact", "kg:spoor-3"],
        ["hubs"],
        ["export", "--format", "ttl"],
        ["sparql", "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"],
    ):
        result = runner.invoke(main, args)
        assert result.exit_code == 0, (args, result.output)
    assert forbid_source_reads == []


def test_an_edit_rebuilds_once_and_a_broken_file_keeps_the_previous_store(
    data_copy: Path, tmp_path: Path
) -> None:
    store = tmp_path / "store"

    def amkg(*args: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "amkg.cli", *args, "--data-dir", str(data_copy)]
        return subprocess.run(
            [*command, "--store", str(store)], capture_output=True, text=True, check=False
        )

    first = amkg("stats", "--format", "json")
    assert first.returncode == 0, first.stderr
    assert "voor het eerst gebouwd" in first.stderr  # a new store is built, saying so
    triples = json.loads(first.stdout)["triples"]
    again = amkg("stats", "--format", "json")
    assert again.stderr == ""  # nothing changed: opened, not rebuilt

    extra = data_copy / "zz-extra.ttl"
    extra.write_text(
        "@prefix kg: <https://w3id.org/amkg/id/> .\n"
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        'kg:spoor-3 rdfs:comment "Een aantekening."@nl .\n',
        encoding="utf-8",
    )
    edited = amkg("stats", "--format", "json")
    assert edited.stderr.count("opnieuw gebouwd") == 1
    assert json.loads(edited.stdout)["triples"] == triples + 1
    assert amkg("stats", "--format", "json").stderr == ""  # built once

    builds = sorted(p.name for p in (store / "builds").iterdir())
    extra.write_text("kg:spoor-3 rdfs:comment \n", encoding="utf-8")  # broken on line 1
    broken = amkg("stats")
    assert broken.returncode == 2
    assert f"{extra.name}:1: " in broken.stderr
    assert sorted(p.name for p in (store / "builds").iterdir()) == builds  # nothing touched

    extra.unlink()  # back to the original sources: the first build is still there
    back = amkg("stats", "--format", "json")
    assert back.stderr == ""
    assert json.loads(back.stdout)["triples"] == triples


def test_the_wheel_installs_everything_under_one_namespace(tmp_path: Path) -> None:
    """Only ``amkg/`` at the top of the wheel: nothing clashes with PyPI's ``queries`` or
    ``graph`` distributions installed beside it."""
    pip = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q"]
    source = tmp_path / "src"
    shutil.copytree(
        REPO_ROOT, source, ignore=shutil.ignore_patterns(".venv", ".git", "*.egg-info", "build")
    )
    subprocess.run([*pip, "-w", str(tmp_path / "wheel"), str(source)], check=True)
    (wheel,) = (tmp_path / "wheel").glob("*.whl")
    tops = {name.split("/")[0] for name in zipfile.ZipFile(wheel).namelist()}
    assert {t for t in tops if not t.endswith(".dist-info")} == {"amkg"}
    names = zipfile.ZipFile(wheel).namelist()
    for expected in (
        "amkg/graph/kg.py",
        "amkg/graph/sparql/labels.rq",
        "amkg/queries/catalogue/sporen-overzicht.rq",
        "amkg/queries/internal/__init__.py",
        "amkg/cli/main.py",
        "amkg/webui/app.py",
        "amkg/ontology/shapes.ttl",
        "amkg/graph/data/sporen.ttl",
    ):
        assert expected in names, expected
