"""The command line of the edited graph (issue 11): backup and restore give byte-identical
exports, changes export is stable and replays onto a fresh copy, history lists who and why."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from click.testing import CliRunner

from amkg.cli.main import main
from amkg.graph import changes
from amkg.graph.kg import KnowledgeGraph
from tests.edits_helpers import move, revise


def run(runner: CliRunner, *args: str) -> str:
    result = runner.invoke(main, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_backup_and_restore_give_byte_identical_exports(
    runner: CliRunner, make_data_copy: Callable[..., Path], tmp_path: Path
) -> None:
    data = make_data_copy()
    kg = KnowledgeGraph.open(data_dir=data)
    changes.commit(kg, revise("2023-05-31"))
    before = run(runner, "export", "--format", "nt", "--data-dir", str(data))
    changes_before = run(runner, "changes", "export", "--data-dir", str(data))
    run(runner, "backup", str(tmp_path / "kopie"), "--data-dir", str(data))
    changes.commit(kg, move("2023-05-31", "2023-06-30"))  # a later change, then restore
    assert run(runner, "export", "--format", "nt", "--data-dir", str(data)) != before
    out = run(runner, "restore", str(tmp_path / "kopie"), "--data-dir", str(data))
    assert "1 wijziging" in out
    assert run(runner, "export", "--format", "nt", "--data-dir", str(data)) == before
    assert run(runner, "changes", "export", "--data-dir", str(data)) == changes_before


def test_changes_export_replay_and_history(
    runner: CliRunner, make_data_copy: Callable[..., Path], tmp_path: Path
) -> None:
    data = make_data_copy()
    kg = KnowledgeGraph.open(data_dir=data)
    changes.commit(kg, revise("2023-05-31"))
    changes.commit(kg, move("2023-05-31", "2023-06-30", agent="Bert (SZW)"))
    target = tmp_path / "wijzigingen.trig"
    run(runner, "changes", "export", "-o", str(target), "--data-dir", str(data))
    assert target.read_text(encoding="utf-8") == run(
        runner, "changes", "export", "--data-dir", str(data)
    )
    fresh = make_data_copy()
    out = run(runner, "changes", "replay", str(target), "--data-dir", str(fresh))
    assert "2 wijziging(en) toegepast" in out
    assert run(runner, "export", "--format", "nt", "--data-dir", str(fresh)) == run(
        runner, "export", "--format", "nt", "--data-dir", str(data)
    )
    listed = run(runner, "history", "kg:traject-kamerbrief-arbeidsmarktkrapte", "--data-dir",
                 str(data), "--format", "json")  # fmt: skip
    found = json.loads(listed)["changes"]
    assert [(c["change"], c["agent"]) for c in found] == [
        ("000002", "Bert (SZW)"),
        ("000001", "Anna (SZW)"),
    ]
    text = run(runner, "history", "kg:traject-kamerbrief-arbeidsmarktkrapte", "--data-dir",
               str(data))  # fmt: skip
    assert "Schuift verder op" in text


def test_a_rebuild_from_changed_turtle_replays_the_changes_and_says_so(
    runner: CliRunner, make_data_copy: Callable[..., Path]
) -> None:
    data = make_data_copy()
    changes.commit(KnowledgeGraph.open(data_dir=data), revise("2023-05-31"))
    with (data / "trajecten.ttl").open("a", encoding="utf-8") as handle:
        handle.write("\n# a change to the Turtle: a new build\n")
    result = runner.invoke(main, ["history", "kg:traject-kamerbrief-arbeidsmarktkrapte",
                                  "--data-dir", str(data), "--format", "json"])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "opnieuw toegepast" in result.stderr
    assert [c["change"] for c in json.loads(result.stdout)["changes"]] == ["000001"]
    kg = KnowledgeGraph.open(data_dir=data)
    assert "2023-05-31" in str(kg.describe(revise("x").added[0][0]).pairs())
