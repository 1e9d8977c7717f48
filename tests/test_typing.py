"""mypy runs with the tests: strict on ``graph/`` and ``queries/`` (the core), the default
checks on ``webui/`` and the command line.

The folders install as ``amkg.graph``, ``amkg.queries``, ... through setuptools' package-dir
mapping, which mypy cannot follow; the test lays out the same names as symbolic links in a
temporary directory and points mypy there.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from amkg.graph.paths import REPO_ROOT

PACKAGES = {"graph": "graph", "queries": "queries", "ontology": "ontology", "cli": "webui/cli"}


def mirror(source: Path, target: Path) -> None:
    """Link the Python files of a package and recurse into its sub-packages, leaving out data
    folders (``webui/i18n/`` beside ``webui/i18n.py`` would otherwise hide the module)."""
    target.mkdir()
    for entry in sorted(source.iterdir()):
        if entry.suffix == ".py":
            (target / entry.name).symlink_to(entry)
        elif entry.is_dir() and (entry / "__init__.py").is_file() and entry.name != "cli":
            mirror(entry, target / entry.name)


@pytest.fixture(scope="module")
def farm(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("typing")
    package = root / "amkg"
    package.mkdir()
    for name, folder in PACKAGES.items():
        mirror(REPO_ROOT / folder, package / name)
    mirror(REPO_ROOT / "webui", package / "webui")  # without webui/cli/, which is amkg.cli
    return root


def mypy(farm: Path, *args: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "MYPYPATH": str(farm)}
    command = [sys.executable, "-m", "mypy", "--python-executable", sys.executable,
               "--config-file", str(REPO_ROOT / "pyproject.toml"), "--cache-dir",
               str(farm / ".mypy_cache"), *args]  # fmt: skip
    return subprocess.run(
        command, cwd=farm, env=environment, capture_output=True, text=True, check=False
    )


def test_the_core_is_strictly_typed(farm: Path) -> None:
    result = mypy(farm, "--strict", "-p", "amkg.graph", "-p", "amkg.queries")
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_web_layer_and_the_command_line_type_check(farm: Path) -> None:
    result = mypy(farm, "-p", "amkg.webui", "-p", "amkg.cli")
    assert result.returncode == 0, result.stdout + result.stderr
