"""``amkg backup`` / ``amkg restore`` (issue 11): a consistent copy of the current state (the
deck build with every accepted change) while the server runs, and putting one back.

A backup is a directory: ``oxigraph/`` (``Store.backup`` of the current version, taken under
the root's lock so no commit is half-way; a RocksDB checkpoint, so readers are not stopped) and
``backup.json`` (the deck build's fingerprint and the last change's number). Restoring makes a
new version from the backup and points ``HEAD`` at it (the versions it replaces are retired, not
deleted). When the deck's Turtle changed since the backup, its change sets are replayed onto the
current deck build instead, and what no longer passes the gate is reported.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from amkg.graph import head
from amkg.graph.build import STORE_DIR, _locked

MANIFEST = "backup.json"


@dataclass(frozen=True)
class Restored:
    sequence: int
    replayed: bool
    failed: list[str] = field(default_factory=list)


def _place(kg: Any) -> tuple[Any, Any]:
    if kg.build is None:
        raise TypeError("backup needs a graph opened from its store (KnowledgeGraph.open)")
    return kg.build, kg.sources


def backup(kg: Any, destination: Path) -> int:
    """Copy the current state into ``destination`` (a new directory); the last change's
    number (0: the deck as built)."""
    build, sources = _place(kg)
    if destination.exists():
        raise FileExistsError(f"{destination} exists already; name a new directory")
    with _locked(build.directory.parent.parent):
        current, found = head.current_store_dir(build, sources)
        destination.mkdir(parents=True)
        ox.Store.read_only(str(current)).backup(str(destination / STORE_DIR))
        sequence = found.sequence if found else 0
        manifest = {"format": 1, "base": build.fingerprint, "sequence": sequence}
        (destination / MANIFEST).write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    return sequence


def restore(
    kg: Any, source: Path, on_failure: Callable[[str, Exception], None] | None = None
) -> Restored:
    """Make the state in the backup ``source`` current (see the module's text)."""
    from amkg.graph.change_export import export_changes, replay

    build, sources = _place(kg)
    try:
        manifest = json.loads((source / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise ValueError(f"{source} is not a backup made by amkg backup ({error})") from error
    saved = ox.Store.read_only(str(source / STORE_DIR))
    if manifest.get("base") == build.fingerprint:
        with _locked(build.directory.parent.parent):
            written = head.new_version_dir(build, sources)
            try:
                saved.backup(str(written / STORE_DIR))
                head.publish(build, written, int(manifest["sequence"]), sources)
            except BaseException:
                head.discard(written)
                raise
        return Restored(int(manifest["sequence"]), replayed=False)
    # The deck changed since the backup: replay its change sets onto the current deck build.
    from amkg.graph.kg import KnowledgeGraph
    from amkg.graph.store import OxigraphStore

    old = KnowledgeGraph(OxigraphStore(saved))
    text = export_changes(old)
    with _locked(build.directory.parent.parent):
        head.reset(build, sources)
    failed: list[str] = []

    def note(change_id: str, error: Exception) -> None:
        failed.append(change_id)
        if on_failure is not None:
            on_failure(change_id, error)

    done = replay(kg, text, on_failure=note)
    return Restored(len(done), replayed=True, failed=failed)


def stale_head(build: Any, sources: Any) -> head.Head | None:
    """The head of edits made on another deck build (the Turtle changed since), if any."""
    found = head.read_head(head.edits_dir(build, sources))
    if found is None or found.base == build.fingerprint:
        return None
    return found


def rebase(kg: Any, say: Callable[[str], None] | None = None) -> list[str]:
    """Replay the change sets of a head made on an earlier deck build onto ``kg``'s build (the
    deck build of the Turtle as it is now); the ids of those that no longer pass. The change
    sets are first written to ``rebased-from-<build>.trig`` beside the versions, so an
    interrupted rebase loses nothing (``amkg changes replay`` that file)."""
    from amkg.graph.change_export import export_changes, replay
    from amkg.graph.kg import KnowledgeGraph
    from amkg.graph.store import OxigraphStore

    build, sources = _place(kg)
    with _locked(build.directory.parent.parent):
        old = stale_head(build, sources)
        if old is None:
            return []  # another process did it
        store = ox.Store.read_only(str(head.version_store_dir(build, old, sources)))
        text = export_changes(KnowledgeGraph(OxigraphStore(store)))
        saved = head.edits_dir(build, sources) / f"rebased-from-{old.base[:24]}.trig"
        saved.write_text(text, encoding="utf-8")
        head.reset(build, sources)
    if say is not None:
        say(f"rebase {old.sequence}")
    failed: list[str] = []

    def note(change_id: str, error: Exception) -> None:
        failed.append(change_id)
        if say is not None:
            say(f"rebase-failed {change_id} {error}")

    replay(kg, text, on_failure=note)
    return failed
