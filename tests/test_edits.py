"""Changes to the graph (issue 11): commit, the gate, bad input, conflicts, history, time
travel, export and replay, on a copy of the real data."""

from __future__ import annotations

import datetime
import gc
import itertools
import weakref
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path

import pytest
from rdflib import Literal

from amkg.graph import change_export, changes, history
from amkg.graph.changes_types import BadChange, Change, ChangeRejected, EditConflict
from amkg.graph.changes_update import commit_update
from amkg.graph.export import export
from amkg.graph.kg import KnowledgeGraph
from amkg.graph.load import AMKG, KG
from tests.edits_helpers import SOURCE, TRAJECTORY, day, move, revise

ROEMER = KG["traject-rapportage-commissie-roemer"]
LATER = KG["traject-kamerbrief-visie-economie-2050"]


@pytest.fixture
def edit_kg(make_data_copy: Callable[..., Path]) -> KnowledgeGraph:
    return KnowledgeGraph.open(data_dir=make_data_copy())


def reopen(kg: KnowledgeGraph) -> KnowledgeGraph:
    assert kg.sources is not None
    return KnowledgeGraph.open(data_dir=kg.sources.data_dir)


def test_a_commit_is_seen_by_a_graph_opened_afterwards(edit_kg: KnowledgeGraph) -> None:
    before = changes.entity_etag(edit_kg, TRAJECTORY)
    done = changes.commit(edit_kg, revise("2023-05-31"))
    assert done.change_id == "000001"
    assert done.etag_after[str(TRAJECTORY)] != before
    assert changes.entity_etag(edit_kg, TRAJECTORY) == done.etag_after[str(TRAJECTORY)]
    after = reopen(edit_kg)
    assert after.describe(TRAJECTORY).objects(AMKG.revisedDate) == [day("2023-05-31")]
    # the fact cites the change's source, beside the deck's citations
    cited = after.describe(TRAJECTORY).objects(AMKG.citation)
    assert any(str(c).endswith("wijziging/000001/bron") for c in cited)
    assert any("/id/bron-" in str(c) for c in cited)


def test_a_violating_change_changes_nothing(edit_kg: KnowledgeGraph) -> None:
    before = export(edit_kg, "nt")
    with pytest.raises(ChangeRejected) as refused:
        changes.commit(edit_kg, revise("2023-01-15"))  # before the planned end of February
    messages = [v.message_nl for v in refused.value.violations]
    assert any("vóór de geplande datum" in m for m in messages)
    assert all(v.path == "amkg:revisedDate" for v in refused.value.violations)
    assert "sh:ValidationReport" in refused.value.report_turtle
    assert refused.value.as_json()["conforms"] is False
    assert export(reopen(edit_kg), "nt") == before
    assert history.recent(edit_kg) == []


def test_preview_reports_without_committing(edit_kg: KnowledgeGraph) -> None:
    found = changes.preview(edit_kg, revise("2023-01-15"))
    assert any(v.path == "amkg:revisedDate" for v in found)
    assert changes.preview(edit_kg, revise("2023-06-15")) == []
    assert history.recent(edit_kg) == []


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (Change("a", "r", SOURCE, added=((TRAJECTORY, AMKG.trajectoryStatus, AMKG.statusKlaar),)),
         "trajectoryStatus"),
        (Change("a", "r", SOURCE, added=((TRAJECTORY, AMKG.revisedDate, Literal("31-02-2023")),)),
         "revisedDate"),
        (Change("a", "r", SOURCE, added=((TRAJECTORY, AMKG.revisedDate, day("2023-02-31")),)),
         "revisedDate"),
        (Change("a", "r", SOURCE, added=((TRAJECTORY, AMKG.editorNote, Literal("<b>x</b>")),)),
         "editorNote"),
        (Change("a", "r", SOURCE,
                added=((TRAJECTORY, AMKG.editorNote.__class__("http://www.w3.org/2000/01/rdf-schema#label"),
                        Literal("x" * 1_000_000, lang="nl")),)),
         "label"),
        (Change("a", "  ", SOURCE, added=((TRAJECTORY, AMKG.revisedDate, day("2023-06-01")),)),
         "reason"),
    ],
)  # fmt: skip
def test_bad_input_is_refused_in_dutch_with_its_field(
    edit_kg: KnowledgeGraph, change: Change, field: str
) -> None:
    with pytest.raises(BadChange) as refused:
        changes.commit(edit_kg, change)
    assert refused.value.field == field
    assert refused.value.message_nl
    assert refused.value.message_en
    assert refused.value.message_nl != refused.value.message_en
    assert history.recent(edit_kg) == []


def test_the_second_of_two_editors_gets_a_conflict(edit_kg: KnowledgeGraph) -> None:
    seen = changes.entity_etag(edit_kg, TRAJECTORY)
    changes.commit(edit_kg, revise("2023-05-31"), if_match={str(TRAJECTORY): seen})
    with pytest.raises(EditConflict) as conflict:
        changes.commit(edit_kg, revise("2023-06-30"), if_match={str(TRAJECTORY): seen})
    assert conflict.value.entity == str(TRAJECTORY)
    assert conflict.value.current_etag == changes.entity_etag(edit_kg, TRAJECTORY)
    assert [c.change_id for c in history.recent(edit_kg)] == ["000001"]


def test_history_time_travel_and_diff(edit_kg: KnowledgeGraph) -> None:
    done = changes.commit(edit_kg, revise("2023-05-31"))
    today = done.time.date()
    listed = history.history(edit_kg, TRAJECTORY)
    assert [(c.agent, c.reason, c.source.title) for c in listed] == [
        ("Anna (SZW)", "Schuift op", SOURCE.title)
    ]
    then = history.as_of(edit_kg, today - datetime.timedelta(days=1))
    assert then.describe(TRAJECTORY).objects(AMKG.revisedDate) == []
    assert export(then, "nt") == export(edit_kg, "nt")  # the deck as it was
    now = history.as_of(edit_kg, today)
    assert now.describe(TRAJECTORY).objects(AMKG.revisedDate) == [day("2023-05-31")]
    added, removed = history.diff(edit_kg, today - datetime.timedelta(days=1), today)
    assert (TRAJECTORY, AMKG.revisedDate, day("2023-05-31")) in added
    assert removed == ()


def test_export_is_stable_and_replay_gives_the_same_state(
    edit_kg: KnowledgeGraph, make_data_copy: Callable[..., Path]
) -> None:
    changes.commit(edit_kg, revise("2023-05-31"))
    changes.commit(
        edit_kg,
        Change(
            "Bert (SZW)",
            "Afgerond",
            SOURCE,
            added=(
                (TRAJECTORY, AMKG.trajectoryStatus, AMKG.statusAfgerond),
                (TRAJECTORY, AMKG.completionDate, day("2023-06-02")),
            ),
            removed=((TRAJECTORY, AMKG.revisedDate, day("2023-05-31")),),
        ),
    )
    text = change_export.export_changes(edit_kg)
    assert text == change_export.export_changes(reopen(edit_kg))
    fresh = KnowledgeGraph.open(data_dir=make_data_copy())
    done = change_export.replay(fresh, text)
    assert [c.change_id for c in done] == ["000001", "000002"]
    assert change_export.export_changes(fresh) == text
    assert export(reopen(fresh), "nt") == export(reopen(edit_kg), "nt")


def test_an_update_is_committed_as_its_delta(edit_kg: KnowledgeGraph) -> None:
    update = (
        "PREFIX amkg: <https://w3id.org/amkg/def#> "
        "PREFIX kg: <https://w3id.org/amkg/id/> "
        'INSERT DATA { kg:traject-kamerbrief-arbeidsmarktkrapte amkg:revisedDate "2023-07-01"^^'
        "<http://www.w3.org/2001/XMLSchema#date> }"
    )
    done = commit_update(edit_kg, update, agent="script", reason="bulk", source=SOURCE)
    (info,) = history.recent(edit_kg)
    assert info.iri == done.iri
    assert (TRAJECTORY, AMKG.revisedDate, day("2023-07-01")) in info.added
    with pytest.raises(BadChange):
        commit_update(edit_kg, "DROP ALL", agent="script", reason="bulk", source=SOURCE)
    with pytest.raises(ChangeRejected):
        commit_update(
            edit_kg,
            update.replace("2023-07-01", "2022-07-01").replace("INSERT", "INSERT"),
            agent="script",
            reason="bulk",
            source=SOURCE,
        )


def _counted(monkeypatch: pytest.MonkeyPatch, module: object, name: str) -> list[int]:
    """A list that grows by one at each call of ``module.name`` (which still does its work)."""
    calls: list[int] = []
    real = getattr(module, name)

    def counted(*args: object, **kwargs: object) -> object:
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, counted)
    return calls


def _forget_gate_results(monkeypatch: pytest.MonkeyPatch) -> None:
    """The gate's kept results start empty (other tests' edits of the same deck build)."""
    from amkg.graph import gate, gate_memo

    monkeypatch.setattr(gate, "_checked", {})
    monkeypatch.setattr(gate_memo, "_passed", OrderedDict())


def test_a_previewed_change_is_not_validated_again_on_the_same_version(
    edit_kg: KnowledgeGraph, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The edit form previews a change, then saves it: on an unchanged version the gate's
    result is reused (its times aside, the change set is the same); on a newer one it is not
    (unless it passed: test below)."""
    from amkg.graph import gate

    calls = _counted(monkeypatch, gate, "_check")
    _forget_gate_results(monkeypatch)
    change = revise("2023-05-31")
    assert changes.preview(edit_kg, change) == []
    changes.commit(edit_kg, change)
    assert len(calls) == 1
    later = Change("Anna (SZW)", "Toelichting", SOURCE,
                   added=((TRAJECTORY, AMKG.editorNote, Literal("Zie de brief")),))  # fmt: skip
    changes.preview(edit_kg, later)
    changes.commit(edit_kg, later)
    assert len(calls) == 2
    bad = Change("Anna (SZW)", "Nog een datum", SOURCE,
                 added=((TRAJECTORY, AMKG.revisedDate, day("2023-09-30")),))  # fmt: skip
    assert changes.preview(edit_kg, bad)  # two revised dates: a violation, kept too
    with pytest.raises(ChangeRejected):
        changes.commit(edit_kg, bad)
    assert len(calls) == 3
    assert history.recent(edit_kg)[0].reason == "Toelichting"


def test_a_passed_change_is_validated_again_only_when_what_it_read_changed(
    edit_kg: KnowledgeGraph, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Previewed on one version and saved on a newer one (others saved meanwhile): SHACL runs
    again only when a change in between touched a node the gate read (graph/gate_memo.py), and
    the result carried over is the one a fresh validation gives."""
    from amkg.graph import gate

    runs = _counted(monkeypatch, gate, "validate_with_results")
    _forget_gate_results(monkeypatch)
    mine = revise("2023-05-31")
    assert changes.preview(edit_kg, mine) == []
    changes.commit(edit_kg, revise("2023-10-01", subject=ROEMER))  # elsewhere, by another
    assert len(runs) == 2
    changes.commit(edit_kg, mine)  # on the newer version: carried over
    assert len(runs) == 2
    assert history.recent(edit_kg)[0].reason == mine.reason
    # A full validation of the graph it made agrees.
    assert gate.blocking(gate.full_check(changes.latest_store(edit_kg))) == []

    # The same trajectory changed in between: validated again, and now refused.
    before = len(runs)
    first = revise("2023-06-30", subject=LATER)
    assert changes.preview(edit_kg, first) == []
    changes.commit(edit_kg, revise("2023-07-15", subject=LATER, agent="Bo (SZW)"))
    with pytest.raises(ChangeRejected):  # two revised dates
        changes.commit(edit_kg, first)
    assert len(runs) == before + 3  # the preview, the other save, the save again


def test_a_passed_change_is_not_carried_into_another_history(
    edit_kg: KnowledgeGraph, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A backup restored makes another history whose change sets may bear the same numbers: a
    change that passed on version 1 of the old one is validated again on version 1 of the
    new one (graph/gate_memo.py names a version by its number and its change set's time)."""
    from amkg.graph import backup

    _forget_gate_results(monkeypatch)
    backup.backup(edit_kg, tmp_path / "deck")  # version 0
    changes.commit(edit_kg, revise("2023-10-01", subject=ROEMER))  # version 1
    first = revise("2023-06-30", subject=LATER)
    assert changes.preview(edit_kg, first) == []  # passes on version 1
    backup.restore(edit_kg, tmp_path / "deck")  # back to version 0
    changes.commit(edit_kg, revise("2023-07-15", subject=LATER, agent="Bo (SZW)"))  # another 1
    with pytest.raises(ChangeRejected):  # two revised dates
        changes.commit(edit_kg, first)


def test_a_reader_lets_go_of_the_versions_it_moved_past(edit_kg: KnowledgeGraph) -> None:
    """Each version a reader moves to is a graph over its own store (RocksDB open, what pages
    derived from it): only the last history.VIEWS_KEPT stay, or a server that has seen many
    saves would hold them all (it did: one per save, never freed)."""
    reader = reopen(edit_kg)
    seen = []
    days = [f"2023-06-{d:02d}" for d in range(1, 2 * history.VIEWS_KEPT + 2)]
    changes.commit(edit_kg, revise(days[0]))
    for old, new in itertools.pairwise(days):
        changes.commit(edit_kg, move(old, new))
        reader = history.current(reader)
        seen.append(weakref.ref(reader))
    assert reader.describe(TRAJECTORY).objects(AMKG.revisedDate) == [day(days[-1])]
    del reader
    gc.collect()
    assert sum(ref() is not None for ref in seen) <= history.VIEWS_KEPT
