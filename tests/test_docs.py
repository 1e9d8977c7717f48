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
