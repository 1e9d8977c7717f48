"""``graph/`` and ``queries/`` never import Flask or ``webui`` (docs/architecture.md).

Every module's syntax tree is walked, so an import inside a function counts too, and so does
``importlib.import_module("flask")`` / ``__import__("flask")`` with a literal name.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from amkg.graph.paths import REPO_ROOT

FORBIDDEN = ("flask", "werkzeug", "amkg.webui", "amkg.cli", "webui")
CORE_PACKAGES = ("graph", "queries")


def core_modules() -> list[Path]:
    return sorted(p for package in CORE_PACKAGES for p in (REPO_ROOT / package).rglob("*.py"))


def imported_names(tree: ast.AST) -> list[tuple[int, str]]:
    """(line, module) for every import in the tree, including dynamic ones with literal names."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module))
        elif isinstance(node, ast.Call) and node.args:
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            first = node.args[0]
            if name in {"import_module", "__import__"} and isinstance(first, ast.Constant):
                found.append((node.lineno, str(first.value)))
    return found


def is_forbidden(module: str) -> bool:
    return any(module == name or module.startswith(name + ".") for name in FORBIDDEN)


def test_there_are_modules_to_check() -> None:
    names = {p.relative_to(REPO_ROOT).as_posix() for p in core_modules()}
    assert {"graph/load.py", "graph/store.py", "queries/__init__.py"} <= names


@pytest.mark.parametrize("path", core_modules(), ids=lambda p: p.relative_to(REPO_ROOT).as_posix())
def test_core_module_does_not_import_the_web_layer(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    offending = [(line, name) for line, name in imported_names(tree) if is_forbidden(name)]
    assert not offending, f"{path.relative_to(REPO_ROOT)} imports {offending}"


def test_the_checker_sees_every_kind_of_import() -> None:
    source = """
import flask
from amkg.webui.app import create_app
def later():
    import werkzeug.exceptions
    importlib.import_module("flask")
    __import__("webui")
from amkg.graph import load
"""
    names = [name for _, name in imported_names(ast.parse(source))]
    assert sorted(n for n in names if is_forbidden(n)) == [
        "amkg.webui.app",
        "flask",
        "flask",
        "webui",
        "werkzeug.exceptions",
    ]
    assert not is_forbidden("amkg.graph")
    assert not is_forbidden("flaskish")


# --- the README's commands and CI ---------------------------------------------------------------

SERVE_COMMAND = "python3 -m venv .venv && .venv/bin/pip install -e . && .venv/bin/amkg serve"
TEST_COMMAND = (
    "python3 -m venv .venv && .venv/bin/pip install -e '.[test]' && .venv/bin/python -m pytest"
)


def test_readme_gives_the_two_commands() -> None:
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    assert SERVE_COMMAND in readme.splitlines()
    assert TEST_COMMAND in readme.splitlines()


def test_ci_runs_exactly_the_readme_test_command() -> None:
    script = (REPO_ROOT / ".ci" / "run").read_text(encoding="utf-8")
    commands = [line.strip() for line in script.splitlines() if line.strip().startswith("python3")]
    assert commands == [TEST_COMMAND]
    assert script.startswith("#!/usr/bin/env bash")
    assert "set -euo pipefail" in script


# --- each concept has one home ------------------------------------------------------------------

_SPARQL = re.compile(r"\b(SELECT|CONSTRUCT|ASK|DESCRIBE)\b[^\n]*\n?[\s\S]*\bWHERE\s*\{", re.I)
_PRESENTATION = re.compile(
    r"vis-network|visjs|\bcolou?rs?\b|<(div|span|a|p|html|script)\b|#[0-9a-f]{6}\b", re.I
)


def _strings(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
        and id(node) not in docstrings
    ]  # fmt: skip


@pytest.mark.parametrize(
    "path",
    sorted((REPO_ROOT / "webui").rglob("*.py")),
    ids=lambda p: p.relative_to(REPO_ROOT).as_posix(),
)
def test_no_inline_sparql_in_the_web_layer(path: Path) -> None:
    """All SPARQL lives in .rq files (queries/catalogue, queries/internal, graph/sparql)."""
    inline = [line for line, text in _strings(path) if _SPARQL.search(text)]
    assert not inline, f"{path.relative_to(REPO_ROOT)} has SPARQL text at lines {inline}"


@pytest.mark.parametrize("path", core_modules(), ids=lambda p: p.relative_to(REPO_ROOT).as_posix())
def test_the_domain_holds_no_presentation(path: Path) -> None:
    """graph/ and queries/ say nothing about vis-network, colours or HTML."""
    found = [line for line, text in _strings(path) if _PRESENTATION.search(text)]
    assert not found, f"{path.relative_to(REPO_ROOT)} has presentation at lines {found}"


def test_the_presentation_check_sees_what_it_should() -> None:
    assert _SPARQL.search("SELECT ?s WHERE { ?s ?p ?o }")
    assert _PRESENTATION.search("node colour #1f77b4")
    assert _PRESENTATION.search("<div class=x>")
    assert not _PRESENTATION.search("the graph's own resources")
