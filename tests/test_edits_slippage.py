"""Slippage and impact (issue 11): what a moved date touches and the conflicts it creates;
current conflicts and overdue trajectories."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from pathlib import Path

from amkg.graph import changes, slippage
from amkg.graph.changes_types import Change
from amkg.graph.kg import KnowledgeGraph
from amkg.graph.load import AMKG, KG
from tests.edits_helpers import SOURCE, day

LETTER = KG["traject-brief-statushouders-aan-het-werk"]  # March 2023
FOLLOW_UP = KG["traject-vervolg-plan-van-aanpak-statushouders"]  # follows up on it; June 2023
BEFORE = datetime.date(2023, 1, 1)  # a day before every date of the deck


def test_the_deck_has_no_conflict_and_nothing_overdue_early_in_2023(kg: KnowledgeGraph) -> None:
    assert slippage.current_conflicts(kg, BEFORE) == []


def test_later_the_deck_trajectories_are_overdue_with_an_unknown_status(
    kg: KnowledgeGraph,
) -> None:
    found = slippage.current_conflicts(kg, datetime.date(2024, 1, 2))
    overdue = [c for c in found if c.kind == "overdue"]
    assert str(LETTER) in {c.subject for c in overdue}
    assert all(not c.status_known for c in overdue)


def test_moving_a_letter_after_its_follow_up_is_a_conflict_with_its_impact(
    kg: KnowledgeGraph,
) -> None:
    preview = slippage.preview_date(kg, LETTER, datetime.date(2023, 9, 1), today=BEFORE)
    assert preview.old_due == datetime.date(2023, 3, 31)
    assert [(c.kind, c.subject, c.other) for c in preview.conflicts] == [
        ("follow_up_before", str(FOLLOW_UP), str(LETTER))
    ]
    assert any(t["class"] == "amkg:Track" for t in preview.touches)
    assert (
        slippage.preview_date(kg, LETTER, datetime.date(2023, 4, 15), today=BEFORE).conflicts == []
    )


def test_a_track_whose_trajectories_are_all_closed_has_none_active(
    make_data_copy: Callable[..., Path],
) -> None:
    kg = KnowledgeGraph.open(data_dir=make_data_copy())
    reaching = {
        r["trajectory"]
        for r in kg.store.query(
            "PREFIX amkg: <https://w3id.org/amkg/def#> SELECT ?trajectory WHERE { "
            "?trajectory a amkg:Trajectory ; amkg:concernsMeasure/amkg:belongsToTrack ?t }"
        ).rows
    }
    assert reaching
    done = [(t, AMKG.trajectoryStatus, AMKG.statusGeschrapt) for t in sorted(reaching, key=str)]
    changes.commit(kg, Change("beheerder", "Alles geschrapt", SOURCE, added=tuple(done)))
    found = slippage.current_conflicts(KnowledgeGraph.open(data_dir=kg.sources.data_dir), BEFORE)
    assert any(c.kind == "track_without_active" for c in found)
    assert day("2023-01-01")  # the helper module is shared with the other edit tests
