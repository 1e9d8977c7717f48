"""Which builds a running process reads, so that pruning never removes one from under it.

A process that opens a build (:func:`amkg.graph.build.current_build`) holds a shared lock
(``flock``) on the build's ``in-use`` file for as long as it runs; its query workers read the
same build as its children. Pruning (:func:`amkg.graph.build._prune`) removes a build only when
it can take that lock exclusively, and it keeps the exclusive lock while it moves the build
aside and deletes it, so a process that finds the build at that moment waits, then sees it
gone and builds again. A process that ends (even killed) lets go of its locks, so nothing is
kept for a process that is not there.

Before, the newest :data:`~amkg.graph.build.KEEP_BUILDS` builds were kept by modification time
only: eight builds of other data in one store root removed the build a running ``amkg serve``
read, and its query workers could not start again after that.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import threading
from collections.abc import Iterator
from pathlib import Path

MARKER = "in-use"
# open descriptors, not file objects: they are meant to stay open until the process ends
_held: dict[str, int] = {}
_replaced: list[int] = []  # builds this process read before one of the same name
_lock = threading.Lock()


def hold(directory: Path) -> bool:
    """Hold a shared lock on ``directory``'s marker until this process ends (once per build).
    Waits while a pruner holds it; ``False`` when the directory is gone (the caller then looks
    for the build again: it may have been removed meanwhile)."""
    path = directory / MARKER
    with _lock:
        held = _held.get(str(directory))
        try:
            if held is not None and os.fstat(held).st_ino == os.stat(path).st_ino:
                return True
            handle = _open(path)
        except FileNotFoundError:
            return False
        except OSError:  # a store root this process may only read: it prunes nothing either
            return True
        fcntl.flock(handle, fcntl.LOCK_SH)
        if held is not None:  # a build of the same name replaced the one held: keep both
            _replaced.append(held)
        _held[str(directory)] = handle
        return True


@contextlib.contextmanager
def unused(directory: Path) -> Iterator[bool]:
    """``True`` when no process (this one included) holds ``directory``: the caller may then
    move it aside and delete it inside the ``with``, where it holds the marker exclusively.
    ``False`` when a process reads it or the directory is gone."""
    try:
        handle = _open(directory / MARKER)
    except OSError:  # gone, or not ours to lock: left alone
        yield False
        return
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        yield False
    else:
        yield True
    finally:
        os.close(handle)


def _open(path: Path) -> int:
    return os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
