"""Pruning old builds never removes one a running process reads (``graph/in_use.py``): a build
held by another process outlives pruning and goes once that process has ended; a build pruned
between being found and being held is built again, not opened half-deleted."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from amkg.graph import build, in_use
from amkg.graph.build import Build, current_build
from amkg.graph.sources import Sources
from tests.conftest import SMALL_DATA_DIR, copy_data_dir

HOLDER = """
import sys
from pathlib import Path
from amkg.graph.build import current_build
from amkg.graph.sources import Sources
held = current_build(Sources.resolve(sys.argv[1]), Path(sys.argv[2]))
print(held.directory, flush=True)
sys.stdin.read()  # holds the build until the test closes standard input
"""


@pytest.fixture
def small_copy(tmp_path: Path) -> Callable[[int], Path]:
    """``small_copy(n)``: the small fixture data plus a comment of its own (its own build)."""

    def make(number: int) -> Path:
        directory = copy_data_dir(tmp_path / f"data-{number}", SMALL_DATA_DIR)
        (directory / "zz-extra.ttl").write_text(
            "<https://w3id.org/amkg/id/spoor-1> <http://www.w3.org/2000/01/rdf-schema#comment> "
            f'"kopie {number}"@nl .\n',
            encoding="utf-8",
        )
        return directory

    return make


def _build(data: Path, root: Path) -> Build:
    return current_build(Sources.resolve(data), root)


def test_a_build_another_process_reads_outlives_pruning(
    small_copy: Callable[[int], Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(build, "KEEP_BUILDS", 1)
    root = tmp_path / "stores"
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(small_copy(1)), str(root)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdin is not None
    assert holder.stdout is not None
    try:
        held = Path(holder.stdout.readline().strip())
        assert (held / build.MANIFEST).is_file()
        second = _build(small_copy(2), root)  # prunes: only one build kept, but held ones stay
        assert (held / build.MANIFEST).is_file()
        assert (held / build.STORE_DIR).is_dir()
    finally:
        holder.stdin.close()
        holder.wait(30)
        holder.stdout.close()
    third = _build(small_copy(3), root)
    assert not held.exists()  # nobody reads it any more: pruned
    assert second.store_dir.is_dir()  # this process read it: kept
    assert third.store_dir.is_dir()
    assert not list((root / "builds").glob(".retired-*"))


def test_a_build_pruned_between_found_and_held_is_built_again(
    small_copy: Callable[[int], Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "stores"
    data = small_copy(1)
    subprocess.run(  # built by a process that has ended: nobody holds it
        [sys.executable, "-c", HOLDER, str(data), str(root)], input="", text=True, check=True,
        capture_output=True,
    )  # fmt: skip
    real_hold = in_use.hold
    pruned: list[Path] = []

    def pruned_first(directory: Path) -> bool:
        if not pruned:  # a pruner in another process gets there first
            with in_use.unused(directory) as free:
                assert free
                directory.rename(directory.with_name(f".retired-{directory.name}-0"))
            pruned.append(directory)
        return real_hold(directory)

    monkeypatch.setattr(in_use, "hold", pruned_first)
    messages: list[str] = []
    again = current_build(Sources.resolve(data), root, on_rebuild=messages.append)
    assert pruned == [again.directory]
    assert messages[0] == "build"
    assert (again.directory / build.MANIFEST).is_file()
    assert again.store_dir.is_dir()
