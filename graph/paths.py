"""Where the graph's files live.

Everything is found relative to this package, so the same paths work from a checkout
(``pip install -e .``) and from an installed wheel (the Turtle files ship as package data).
A user can point the tools at a copy of the data with ``--data-dir`` or the environment
variable ``AMKG_DATA_DIR``; :func:`resolve_data_dir` applies that order.
"""

from __future__ import annotations

import os
from pathlib import Path

GRAPH_DIR = Path(__file__).resolve().parent
REPO_ROOT = GRAPH_DIR.parent
ONTOLOGY_DIR = REPO_ROOT / "ontology"
DATA_DIR = GRAPH_DIR / "data"
DECK_PATH = GRAPH_DIR / "bron" / "deck.txt"
SHAPES_PATH = ONTOLOGY_DIR / "shapes.ttl"

DATA_DIR_ENV = "AMKG_DATA_DIR"
#: The environment variable naming the store directory (``--store``).
STORE_ENV = "AMKG_STORE"


def resolve_data_dir(data_dir: str | os.PathLike[str] | None = None) -> Path:
    """The data directory to use: the argument, else ``$AMKG_DATA_DIR``, else ``graph/data``."""
    if data_dir is not None:
        return Path(data_dir)
    from_env = os.environ.get(DATA_DIR_ENV)
    if from_env:
        return Path(from_env)
    return DATA_DIR


def ontology_files(ontology_dir: str | os.PathLike[str] | None = None) -> list[Path]:
    """The ontology's Turtle files in a stable order, without the SHACL shapes."""
    directory = Path(ontology_dir) if ontology_dir is not None else ONTOLOGY_DIR
    return sorted(p for p in directory.glob("*.ttl") if not p.name.startswith("shapes"))


def shapes_file(ontology_dir: str | os.PathLike[str] | None = None) -> Path:
    """The SHACL shapes file that belongs to an ontology directory."""
    directory = Path(ontology_dir) if ontology_dir is not None else ONTOLOGY_DIR
    return directory / SHAPES_PATH.name


def shapes_files(ontology_dir: str | os.PathLike[str] | None = None) -> list[Path]:
    """Every SHACL shapes file of an ontology directory: ``shapes.ttl`` and ``shapes-*.ttl``
    (a topic's shapes may live in a file of their own), in a stable order."""
    directory = Path(ontology_dir) if ontology_dir is not None else ONTOLOGY_DIR
    return sorted(directory.glob("shapes*.ttl"))


def data_files(data_dir: str | os.PathLike[str] | None = None) -> list[Path]:
    """The data's Turtle files (``*.ttl`` in the data directory) in a stable order."""
    return sorted(resolve_data_dir(data_dir).glob("*.ttl"))
