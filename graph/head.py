"""The edited state of the graph on disk: versions after the deck build, and the pointer to the
current one (issue 11).

The deck build (:mod:`amkg.graph.build`) stays the first version. Every accepted change makes a
new version: a RocksDB checkpoint of the current store (``Store.backup``: hard links, cheap),
with the change applied and validated, then made current by replacing one small file, ``HEAD``
(``os.replace``: atomic). A process killed at any point leaves either the old ``HEAD`` or the new
one, never half a change set; a half-written version directory is never pointed at and is
removed later. All of it happens under the root's lock (the same lock ``amkg build`` takes), so
writers in several processes take turns. Readers find the current version with one ``stat`` of
``HEAD`` (:func:`head_token`) and reopen when it changed. Replaced versions are retired, not
deleted: a reader may still have one open, so only versions older than an hour beyond the newest
:data:`KEEP_VERSIONS` are removed.

Layout: ``<root>/edits/<sources>/HEAD`` (JSON: ``base`` the deck build's fingerprint, ``version``
the directory name, ``sequence`` the last change's number) and
``<root>/edits/<sources>/versions/<name>/oxigraph``; ``<sources>`` is a hash of the data and
ontology directories, so two data sets under one root keep their edits apart.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from amkg.graph.build import STORE_DIR, Build
from amkg.graph.sources import Sources

KEEP_VERSIONS = 8
HEAD = "HEAD"
_RETIRE_SECONDS = 3600


@dataclass(frozen=True)
class Head:
    """The current version of one data set's edits."""

    base: str  # the fingerprint of the deck build the changes were applied to
    version: str  # directory name under versions/
    sequence: int  # number of the last change set

    def to_json(self) -> dict[str, Any]:
        return {"base": self.base, "version": self.version, "sequence": self.sequence}


def edits_dir(build: Build, sources: Sources | None = None) -> Path:
    """``<root>/edits/<sources>/`` for the data set opened from ``build`` (copies of the same
    data in two directories share a build but not their edits)."""
    root = build.directory.parent.parent
    if sources is not None:
        key = f"{sources.data_dir.resolve()}|{sources.ontology_dir.resolve()}"
    else:
        key = f"{build.manifest.get('data_dir', '')}|{build.manifest.get('ontology_dir', '')}"
    return root / "edits" / hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]


def read_head(directory: Path) -> Head | None:
    """The ``HEAD`` of an edits directory, or ``None`` when nothing was ever changed."""
    try:
        data = json.loads((directory / HEAD).read_text(encoding="utf-8"))
        return Head(str(data["base"]), str(data["version"]), int(data["sequence"]))
    except (OSError, ValueError, KeyError):
        return None


def head_token(build: Build, sources: Sources | None = None) -> tuple[int, int] | None:
    """A cheap token that changes whenever ``HEAD`` is replaced (one ``stat``)."""
    try:
        found = os.stat(edits_dir(build, sources) / HEAD)
    except OSError:
        return None
    return (found.st_ino, found.st_mtime_ns)


def version_tag(build: Build, head: Head | None) -> str:
    """The tag of one version of the data: the deck build's fingerprint and the number of the
    last change set (0: the deck itself). It changes with every commit and every rebuild."""
    return f"{build.fingerprint[:16]}-{head.sequence if head else 0}"


def version_store_dir(build: Build, head: Head, sources: Sources | None = None) -> Path:
    return edits_dir(build, sources) / "versions" / head.version / STORE_DIR


def current_store_dir(build: Build, sources: Sources | None = None) -> tuple[Path, Head | None]:
    """The store directory of the current version of ``build``'s data (the deck build itself
    when nothing was changed) and its head. A head based on another deck build (the Turtle
    changed since) is not used here: :func:`amkg.graph.rebase.rebase` replays its changes."""
    head = read_head(edits_dir(build, sources))
    if head is None or head.base != build.fingerprint:
        return build.store_dir, None
    return version_store_dir(build, head, sources), head


def new_version_dir(build: Build, sources: Sources | None = None) -> Path:
    """A fresh temporary directory for a version being written."""
    versions = edits_dir(build, sources) / "versions"
    versions.mkdir(parents=True, exist_ok=True)
    path = versions / f".writing-{os.getpid()}-{time.time_ns()}"
    path.mkdir()
    return path


def publish(build: Build, written: Path, sequence: int, sources: Sources | None = None) -> Head:
    """Make the complete version in ``written`` current: rename it into place, then replace
    ``HEAD`` atomically (the one step that switches readers over). Caller holds the lock."""
    directory = edits_dir(build, sources)
    name = f"v{sequence:06d}-{time.time_ns()}"
    target = directory / "versions" / name
    _fsync_tree(written)
    written.rename(target)
    head = Head(build.fingerprint, name, sequence)
    temporary = directory / f".{HEAD}-{os.getpid()}-{time.time_ns()}"
    with temporary.open("w", encoding="utf-8") as handle:
        json.dump(head.to_json(), handle)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, directory / HEAD)
    _fsync_dir(directory)
    prune(build, keep=target, sources=sources)
    return head


def reset(build: Build, sources: Sources | None = None) -> None:
    """Forget the edits of ``build``'s data (``HEAD`` removed; versions retired). Caller holds
    the lock."""
    with contextlib.suppress(FileNotFoundError):
        os.remove(edits_dir(build, sources) / HEAD)


def discard(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)


def prune(build: Build, keep: Path | None = None, sources: Sources | None = None) -> None:
    """Remove half-written versions and versions beyond the newest :data:`KEEP_VERSIONS`, but
    only those untouched for an hour (a reader may hold one open)."""
    versions = edits_dir(build, sources) / "versions"
    if not versions.is_dir():
        return
    now = time.time()
    entries = sorted(versions.iterdir(), key=lambda p: p.name, reverse=True)
    complete = [p for p in entries if not p.name.startswith(".")]
    stale = [p for p in entries if p.name.startswith(".")] + complete[KEEP_VERSIONS:]
    for old in stale:
        with contextlib.suppress(OSError):
            if old != keep and now - old.stat().st_mtime > _RETIRE_SECONDS:
                shutil.rmtree(old, ignore_errors=True)


def _fsync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _fsync_tree(path: Path) -> None:
    """Flush a written version to disk before it is pointed at (RocksDB has synced its own
    files on close; the directories' entries are synced here)."""
    for directory, _dirs, _files in os.walk(path):
        _fsync_dir(Path(directory))
