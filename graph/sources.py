"""What the graph is built from: the ontology, the shapes and the data, and their fingerprint.

A store remembers the fingerprint of the sources it was built from (``manifest.json``). A
command compares it with the files as they are now: first by size and modification time
(cheap), and only for a file whose size or time changed by its content (SHA-256), so touching
a file without changing it does not force a rebuild.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from amkg.graph import paths

_CHUNK = 1 << 20


@dataclass(frozen=True)
class SourceFile:
    """One source file: its role (``ontology``, ``shapes`` or ``data``), path, size, time and
    content hash."""

    role: str
    path: Path
    size: int
    mtime_ns: int
    sha256: str

    def to_json(self) -> dict[str, Any]:
        return {
            "role": self.role,
            "path": str(self.path),
            "size": self.size,
            "mtime_ns": self.mtime_ns,
            "sha256": self.sha256,
        }


@dataclass(frozen=True)
class Sources:
    """The directories a graph is built from."""

    data_dir: Path
    ontology_dir: Path

    @classmethod
    def resolve(
        cls,
        data_dir: str | os.PathLike[str] | None = None,
        ontology_dir: str | os.PathLike[str] | None = None,
    ) -> Sources:
        """``data_dir`` (else ``$AMKG_DATA_DIR``, else ``graph/data``) and ``ontology_dir``
        (else ``ontology/``), as absolute paths."""
        data = paths.resolve_data_dir(data_dir).resolve()
        ontology = Path(ontology_dir if ontology_dir is not None else paths.ONTOLOGY_DIR)
        return cls(data_dir=data, ontology_dir=ontology.resolve())

    def files(self) -> list[tuple[str, Path]]:
        """(role, path) of every source file, in the order they are loaded."""
        return [
            *(("ontology", p) for p in paths.ontology_files(self.ontology_dir)),
            *(("data", p) for p in paths.data_files(self.data_dir)),
            *(("shapes", p) for p in paths.shapes_files(self.ontology_dir)),
        ]

    def key(self) -> str:
        """A short, stable name for these directories (where their default store lives)."""
        text = f"{self.data_dir}\n{self.ontology_dir}"
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def scan(
    sources: Sources, known: Mapping[str, Mapping[str, Any]] | None = None
) -> list[SourceFile]:
    """Every source file with its hash; a hash in ``known`` (path -> manifest entry) is reused
    when the file's size and modification time are unchanged."""
    found = []
    for role, path in sources.files():
        stat = path.stat()
        entry = (known or {}).get(str(path))
        if (
            entry
            and entry.get("size") == stat.st_size
            and entry.get("mtime_ns") == stat.st_mtime_ns
        ):
            sha = str(entry["sha256"])
        else:
            sha = file_sha256(path)
        found.append(SourceFile(role, path, stat.st_size, stat.st_mtime_ns, sha))
    return found


def fingerprint(files: list[SourceFile]) -> str:
    """One hash over the roles, names and contents of the files (not their times or folders:
    a copy of the same files has the same fingerprint)."""
    digest = hashlib.sha256()
    for file in files:
        digest.update(f"{file.role}\0{file.path.name}\0{file.sha256}\n".encode())
    return digest.hexdigest()
