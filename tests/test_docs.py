"""The documentation keeps up with the code: settings and commands that are not documented fail."""

from __future__ import annotations

from pathlib import Path

import pytest

import amkg.webui.settings
from amkg.cli.main import main

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
SETTINGS = sorted(name for name in vars(amkg.webui.settings) if name.isupper())


@pytest.mark.parametrize("name", SETTINGS)
def test_every_setting_is_documented_in_the_readme(name: str) -> None:
    assert f"`{name}`" in README, f"setting {name} is missing from README.md's settings table"


@pytest.mark.parametrize("command", sorted(main.commands))
def test_every_cli_command_is_documented_in_the_readme(command: str) -> None:
    assert f"amkg {command}" in README, f"command 'amkg {command}' is missing from README.md"


def test_every_readme_setting_exists() -> None:
    rows = [line for line in README.splitlines() if line.startswith("| `") and "` |" in line]
    documented = {row.split("`")[1] for row in rows if row.split("`")[1].isupper()}
    assert documented <= set(SETTINGS), documented - set(SETTINGS)


# --- docs/architecture.md names every module and every route ------------------------------------

ARCHITECTURE = (Path(__file__).resolve().parents[1] / "docs" / "architecture.md").read_text(
    encoding="utf-8"
)
REPO = Path(__file__).resolve().parents[1]
MODULES = sorted(
    p.relative_to(REPO).as_posix()
    for folder in ("graph", "queries", "webui")
    for p in (REPO / folder).rglob("*.py")
    if p.name not in {"__init__.py", "__main__.py"}
)


def _named(path: str) -> bool:
    """``webui/views/track.py`` is named as itself, or inside a list as ``track.py`` after its
    folder's heading line (``webui/views/``)."""
    if path in ARCHITECTURE:
        return True
    folder, name = path.rsplit("/", 1)
    return f"`{folder}/`" in ARCHITECTURE and f"`{name}`" in ARCHITECTURE


@pytest.mark.parametrize("path", MODULES)
def test_every_module_is_named_in_the_architecture(path: str) -> None:
    assert _named(path), f"{path} is missing from docs/architecture.md"


def _routes() -> list[str]:
    from amkg.webui.app import create_app

    app = create_app({"TESTING": True})
    rules = {r.rule for r in app.url_map.iter_rules() if r.endpoint != "static"}
    return sorted(rules)


def test_every_route_is_in_the_architecture_table() -> None:
    table = [line for line in ARCHITECTURE.splitlines() if line.startswith("| `/")]
    text = "\n".join(table)
    missing = []
    for rule in _routes():
        base = rule.split("<")[0].rstrip("/") or "/"
        for suffix in (".json", ".csv", ".ttl", ".jsonld", ".nt"):
            base = base.removesuffix(suffix)
        if f"`{base}" not in text and f"`{rule}" not in text:
            missing.append(rule)
    assert not missing, f"routes missing from docs/architecture.md's table: {missing}"
