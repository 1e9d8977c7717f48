"""The graph commands of ``amkg``: validate, export, stats; load errors; command registration."""

from __future__ import annotations

import importlib.util
import io
import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import networkx as nx
import pytest
from click.testing import CliRunner
from rdflib import Graph
from rdflib.compare import isomorphic

from amkg.cli.main import main
from amkg.graph.kg import KnowledgeGraph
from amkg.graph.paths import DATA_DIR_ENV, REPO_ROOT
from tests.helpers import reference_graph

SMALL = Path(__file__).parent / "data" / "small"


def invoke(runner: CliRunner, *args: str) -> object:
    return runner.invoke(main, list(args), catch_exceptions=False)


# --- stats --------------------------------------------------------------------------------------


def small_triple_count() -> int:
    """Loaded afresh, not from the session fixture: the ontology may change under a long run."""
    return len(reference_graph(SMALL))


def test_stats_table(runner: CliRunner) -> None:
    result = invoke(runner, "stats", "--data-dir", str(SMALL))
    assert result.exit_code == 0
    assert f"{small_triple_count()} triples" in result.output
    track_line = next(line for line in result.output.splitlines() if "amkg:Track " in line)
    assert track_line.split()[-1] == "2"


def test_stats_json(runner: CliRunner) -> None:
    result = invoke(runner, "stats", "--format", "json", "--data-dir", str(SMALL))
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["triples"] == small_triple_count()
    counts = {row["prefixed"]: row for row in data["classes"]}
    assert counts["amkg:Ministry"]["instances"] == 2
    assert counts["amkg:Trajectory"]["label_nl"]
    assert counts["qb:Observation"]["instances"] == 3


def test_stats_follows_the_environment_variable(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(DATA_DIR_ENV, str(SMALL))
    result = invoke(runner, "stats", "--format", "json")
    assert json.loads(result.stdout)["triples"] == small_triple_count()


# --- export -------------------------------------------------------------------------------------


def test_export_nt_twice_is_identical_and_parses(runner: CliRunner) -> None:
    first = invoke(runner, "export", "--format", "nt")
    second = invoke(runner, "export", "--format", "nt")
    assert first.exit_code == second.exit_code == 0
    assert first.stdout_bytes == second.stdout_bytes
    parsed = Graph().parse(data=first.stdout_bytes, format="nt")
    assert isomorphic(parsed, reference_graph())


def test_export_to_file(runner: CliRunner, tmp_path: Path, small_kg: KnowledgeGraph) -> None:
    target = tmp_path / "graaf.ttl"
    result = invoke(
        runner, "export", "--format", "ttl", "-o", str(target), "--data-dir", str(SMALL)
    )
    assert result.exit_code == 0
    assert isomorphic(Graph().parse(target, format="turtle"), reference_graph(SMALL))
    assert [p.name for p in tmp_path.iterdir()] == ["graaf.ttl"]  # no temporary file left


def test_export_graphml_opens_in_networkx(runner: CliRunner, tmp_path: Path) -> None:
    target = tmp_path / "graaf.graphml"
    result = invoke(runner, "export", "--format", "graphml", "-o", str(target))
    assert result.exit_code == 0
    network = nx.read_graphml(target)
    assert network.number_of_nodes() > 0


def test_export_jsonld_to_stdout(runner: CliRunner) -> None:
    result = invoke(runner, "export", "--format", "jsonld", "--data-dir", str(SMALL))
    assert result.exit_code == 0
    assert "@context" in json.loads(result.stdout_bytes)


# --- a Turtle syntax error: every command that loads the graph exits 2 --------------------------


@pytest.mark.parametrize(
    "command",
    [
        ["validate"],
        ["validate", "--lang", "en"],
        ["export", "--format", "nt"],
        ["stats"],
        ["query", "trajecten-per-spoor"],
        ["sparql", "ASK { ?s ?p ?o }"],
        ["trace", "kg:spoor-1", "kg:spoor-2"],
        ["impact", "kg:spoor-1"],
        ["hubs"],
        ["serve", "--port", "0"],
    ],
    ids=" ".join,
)
def test_syntax_error_exits_2_naming_file_and_line(
    runner: CliRunner, broken_data_copy: tuple[Path, Path, int], command: list[str]
) -> None:
    directory, broken, line = broken_data_copy
    result = runner.invoke(main, [*command, "--data-dir", str(directory)])
    assert result.exit_code == 2, result.output
    assert f"{broken.name}:{line}: " in result.stderr
    assert result.stdout == ""


def test_failed_export_writes_nothing(
    runner: CliRunner, broken_data_copy: tuple[Path, Path, int], tmp_path: Path
) -> None:
    directory = broken_data_copy[0]
    fresh = tmp_path / "nieuw.nt"
    existing = tmp_path / "bestaand.nt"
    existing.write_bytes(b"oud\n")
    for target in (fresh, existing):
        args = ["export", "--format", "nt", "-o", str(target), "--data-dir", str(directory)]
        assert runner.invoke(main, args).exit_code == 2
    assert not fresh.exists()
    assert existing.read_bytes() == b"oud\n"
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_file()) == ["bestaand.nt"]


def test_real_process_exit_status(broken_data_copy: tuple[Path, Path, int]) -> None:
    """The console script's status, not just click's: run ``python -m amkg.cli``."""
    directory, broken, line = broken_data_copy
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    env.pop(DATA_DIR_ENV, None)
    completed = subprocess.run(
        [sys.executable, "-m", "amkg.cli", "stats", "--data-dir", str(directory)],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        env=env,
        check=False,
    )
    assert completed.returncode == 2
    assert f"{broken.name}:{line}: " in completed.stderr


def test_missing_data_dir_is_a_usage_error(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(main, ["stats", "--data-dir", str(tmp_path / "bestaat-niet")])
    assert result.exit_code == 2
    assert "--data-dir" in result.output


# --- the group ----------------------------------------------------------------------------------


def test_graph_commands_are_registered() -> None:
    assert {"validate", "export", "stats"} <= set(main.commands)


@pytest.mark.parametrize("module_name", ["queries", "sparql", "serve", "trace"])
def test_every_command_module_is_registered(module_name: str) -> None:
    module = importlib.import_module(f"amkg.cli.{module_name}")
    for command in module.COMMANDS:
        assert main.commands.get(command.name) is command, (module_name, command.name)


def test_help_is_dutch_first(runner: CliRunner) -> None:
    result = invoke(runner, "--help")
    assert result.exit_code == 0
    assert "Controleer de graaf" in result.output
    assert io.StringIO(result.output).readline().startswith("Usage")


def test_serve_says_in_one_line_that_it_builds_the_store(
    runner: CliRunner, data_copy: Path, tmp_path: Path
) -> None:
    """The README's first command builds the store and says so, like every other command (the
    port is taken here, so serve stops right after opening the graph)."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        result = runner.invoke(
            main,
            ["serve", "--port", port, "--data-dir", str(data_copy), "--store", str(tmp_path)],
        )
    assert result.exit_code == 1, result.output
    assert result.stderr.count("de store wordt voor het eerst gebouwd") == 1  # an empty store
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr
