"""The graph's house: an on-disk Oxigraph store built from the Turtle sources, opened read-only.

``amkg build`` (or the first command that finds the store out of date) parses the ontology, the
shapes and the data, checks them with SHACL and writes, in a new directory:

- ``oxigraph/``: the store (default graph: ontology + data; named graph
  :data:`~amkg.graph.store.SHAPES_GRAPH`: the shapes);
- ``shacl-report.json``: the SHACL report (:mod:`amkg.graph.report`);
- ``manifest.json``: the fingerprint of the sources, their files and hashes, the prefixes they
  declare, the triple count and the versions that built it.

Builds live under ``<root>/builds/<fingerprint>/``, so a store is found by the content of its
sources: an edited file changes the fingerprint and the next command builds once (saying so
in one line on stderr); a broken file raises :class:`~amkg.graph.errors.GraphLoadError` with
file and line, and every earlier build stays as it was. A build is written under a temporary
name and renamed into place only when complete; a lock file keeps two processes from building
the same thing at once. The newest :data:`KEEP_BUILDS` builds are kept, and any build a running
process reads (:mod:`amkg.graph.in_use`).

The root is ``--store PATH`` / ``$AMKG_STORE``, else ``<user data dir>/amkg/stores``.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from amkg.graph import in_use
from amkg.graph.errors import GraphLoadError
from amkg.graph.load import PREFIXES
from amkg.graph.paths import STORE_ENV
from amkg.graph.report import ValidationReport, read_report, write_report
from amkg.graph.sources import SourceFile, Sources, fingerprint, scan
from amkg.graph.store import SHAPES_GRAPH

#: Builds kept per root (the newest by modification time), so a few data copies can coexist.
KEEP_BUILDS = 8
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
REPORT = "shacl-report.json"
STORE_DIR = "oxigraph"


def default_root() -> Path:
    """``$AMKG_STORE``, else the user's data directory (``~/.local/share/amkg/stores``)."""
    from_env = os.environ.get(STORE_ENV)
    if from_env:
        return Path(from_env)
    import platformdirs

    return platformdirs.user_data_path("amkg") / "stores"


@dataclass(frozen=True)
class Build:
    """One complete build on disk."""

    directory: Path
    manifest: dict[str, Any]

    @property
    def store_dir(self) -> Path:
        return self.directory / STORE_DIR

    @property
    def report_path(self) -> Path:
        return self.directory / REPORT

    @property
    def prefixes(self) -> dict[str, str]:
        return dict(self.manifest.get("prefixes", {}))

    @property
    def fingerprint(self) -> str:
        return str(self.manifest["fingerprint"])

    def report(self) -> ValidationReport:
        return read_report(self.report_path)


def _build_dir(root: Path, print_: str) -> Path:
    return root / "builds" / print_[:24]


def find_build(root: Path, print_: str) -> Build | None:
    """The complete build of ``root`` for the fingerprint ``print_``, if there is one."""
    directory = _build_dir(root, print_)
    try:
        manifest = json.loads((directory / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if manifest.get("fingerprint") != print_ or manifest.get("format") != FORMAT_VERSION:
        return None
    return Build(directory, manifest)


@contextlib.contextmanager
def _locked(root: Path) -> Iterator[None]:
    root.mkdir(parents=True, exist_ok=True)
    with (root / "lock").open("a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


# --- parsing ------------------------------------------------------------------------------------


def _relabelled(quads: Iterator[ox.Quad], prefix: str) -> Iterator[ox.Triple]:
    """The file's triples with blank nodes named by file and order of first appearance, so the
    same sources always give the same labels (exports are then stable without canonicalising)."""
    names: dict[str, ox.BlankNode] = {}

    def fix(term: Any) -> Any:
        if isinstance(term, ox.BlankNode):
            found = names.get(term.value)
            if found is None:
                found = names[term.value] = ox.BlankNode(f"{prefix}b{len(names)}")
            return found
        return term

    for quad in quads:
        yield ox.Triple(fix(quad.subject), quad.predicate, fix(quad.object))


def parse_source(path: Path, index: int, prefixes: dict[str, str]) -> list[ox.Triple]:
    """One Turtle file's triples, or :class:`GraphLoadError` naming file and line."""
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise GraphLoadError(path, None, error.strerror or str(error)) from error
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise GraphLoadError(path, line, f"not valid UTF-8 ({error.reason})") from error
    parser = ox.parse(raw, format=ox.RdfFormat.TURTLE, base_iri=path.resolve().as_uri())
    try:
        triples = list(_relabelled(parser, f"f{index}"))
    except SyntaxError as error:
        message = str(error.msg or error)
        raise GraphLoadError(path, error.lineno, message) from error
    for name, iri in (parser.prefixes or {}).items():
        if name and name not in prefixes:
            prefixes[name] = iri
    return triples


def _rdflib_graph(triples: list[ox.Triple], prefixes: dict[str, str]) -> Any:
    """The triples as an rdflib graph, for pyshacl (build time only)."""
    from amkg.graph.load import new_graph
    from amkg.graph.terms import from_oxigraph_raw

    graph = new_graph()
    for name, iri in prefixes.items():
        graph.bind(name, iri, override=False)
    add = graph.add
    for t in triples:
        add(
            (
                from_oxigraph_raw(t.subject),
                from_oxigraph_raw(t.predicate),
                from_oxigraph_raw(t.object),
            )
        )
    return graph


# --- building -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class BuildResult:
    """A finished build, with where its time went (parsing, SHACL, writing the store)."""

    build: Build
    seconds: float
    report: ValidationReport
    timings: dict[str, float]


def build(
    sources: Sources,
    root: Path | None = None,
    files: list[SourceFile] | None = None,
) -> BuildResult:
    """Parse, check and write a new build of ``sources`` under ``root``; replace an existing
    build of the same fingerprint only once the new one is complete. One build at a time per
    root (a lock file); an earlier build that a running process may still read is retired,
    not deleted, and removed later by :func:`_prune`."""
    root = root or default_root()
    with _locked(root):
        return _build(sources, root, files)


def _build(sources: Sources, root: Path, files: list[SourceFile] | None) -> BuildResult:
    started = time.perf_counter()
    files = files if files is not None else scan(sources)
    print_ = fingerprint(files)
    prefixes = {name: str(ns) for name, ns in PREFIXES.items()}
    data: list[ox.Triple] = []
    shapes: list[ox.Triple] = []
    for index, file in enumerate(files):
        triples = parse_source(file.path, index, prefixes)
        (shapes if file.role == "shapes" else data).extend(triples)
    timings = {"parse": time.perf_counter() - started}
    report = _validate(data, shapes, prefixes)
    timings["shacl"] = time.perf_counter() - started - timings["parse"]
    (root / "builds").mkdir(parents=True, exist_ok=True)
    temporary = Path(tempfile.mkdtemp(prefix=".building-", dir=root / "builds"))
    try:
        store = ox.Store(str(temporary / STORE_DIR))
        store.bulk_extend(ox.Quad(t.subject, t.predicate, t.object) for t in data)
        shapes_graph = ox.NamedNode(SHAPES_GRAPH)
        store.bulk_extend(ox.Quad(t.subject, t.predicate, t.object, shapes_graph) for t in shapes)
        store.flush()
        del store  # closes the database before the directory is renamed
        write_report(report, temporary / REPORT)
        manifest = {
            "format": FORMAT_VERSION,
            "fingerprint": print_,
            "built": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "data_dir": str(sources.data_dir),
            "ontology_dir": str(sources.ontology_dir),
            "files": [f.to_json() for f in files],
            "prefixes": prefixes,
            "triples": len(data),
            "shape_triples": len(shapes),
            "conforms": report.conforms,
            "versions": {"pyoxigraph": ox.__version__},
        }
        # The manifest is written last: a directory without one is never opened.
        (temporary / MANIFEST).write_text(json.dumps(manifest, indent=1), encoding="utf-8")
        target = _build_dir(root, print_)
        if target.exists():
            target.rename(target.with_name(f".retired-{target.name}-{time.time_ns()}"))
        temporary.rename(target)
        _prune(root, keep=target)
    except BaseException:
        shutil.rmtree(temporary, ignore_errors=True)
        raise
    built = find_build(root, print_)
    assert built is not None
    total = time.perf_counter() - started
    timings["store"] = total - timings["parse"] - timings["shacl"]
    return BuildResult(built, total, report, timings)


def _validate(
    data: list[ox.Triple], shapes: list[ox.Triple], prefixes: dict[str, str]
) -> ValidationReport:
    from amkg.graph.validate import validate_graph

    return validate_graph(_rdflib_graph(data, prefixes), _rdflib_graph(shapes, prefixes))


def _prune(root: Path, keep: Path) -> None:
    """Remove all but the newest :data:`KEEP_BUILDS` builds, and leftovers of failed ones;
    never a build a running process reads (:mod:`amkg.graph.in_use`), however old."""
    builds = root / "builds"
    for stale in builds.glob(".building-*"):  # a build another process is writing now
        with contextlib.suppress(OSError):
            if time.time() - stale.stat().st_mtime > 3600:
                shutil.rmtree(stale, ignore_errors=True)
    for retired in builds.glob(".retired-*"):
        with in_use.unused(retired) as free:
            if free:
                shutil.rmtree(retired, ignore_errors=True)
    complete = sorted(
        (d for d in builds.iterdir() if d.is_dir() and not d.name.startswith(".")),
        key=lambda d: d.stat().st_mtime,
        reverse=True,
    )
    for old in complete[KEEP_BUILDS:]:
        if old == keep:
            continue
        with in_use.unused(old) as free:
            if free:  # moved aside first: a process that finds it now sees no build there
                aside = old.rename(old.with_name(f".retired-{old.name}-{time.time_ns()}"))
                shutil.rmtree(aside, ignore_errors=True)


def current_build(
    sources: Sources,
    root: Path | None = None,
    *,
    on_rebuild: Callable[[str], None] | None = None,
) -> Build:
    """The build of ``sources`` as they are now, building it first if there is none.

    ``on_rebuild`` gets a one-line message before and after an automatic build (the CLI prints
    it on stderr): ``"build first"`` when ``root`` holds no build yet, else ``"build"``.
    Raises :class:`GraphLoadError` for a file that cannot be read; earlier
    builds are left alone.
    """
    root = root or default_root()
    files = scan(sources, _known_hashes(root))
    print_ = fingerprint(files)
    found = find_build(root, print_)
    # held, then looked for again: pruning may have removed it between the two
    if found is not None and in_use.hold(found.directory) and find_build(root, print_):
        _touch(found.directory)
        return found
    with _locked(root):
        found = find_build(root, print_)  # another process may have built it meanwhile
        if found is not None and in_use.hold(found.directory):
            return found
        if on_rebuild is not None:  # "build first": no store of any sources here yet
            builds = root / "builds"
            first = not (builds.is_dir() and any(builds.iterdir()))
            on_rebuild("build first" if first else "build")
        result = _build(sources, root, files)
        in_use.hold(result.build.directory)  # before the root's lock lets a pruner in
    if on_rebuild is not None:
        on_rebuild(f"built {result.build.manifest['triples']} {result.seconds:.1f}")
    return result.build


def _touch(directory: Path) -> None:
    with contextlib.suppress(OSError):
        os.utime(directory)


def _known_hashes(root: Path) -> dict[str, dict[str, Any]]:
    """Hashes of files as the newest builds saw them (by path), to skip re-hashing files whose
    size and time did not change."""
    known: dict[str, dict[str, Any]] = {}
    builds = root / "builds"
    if not builds.is_dir():
        return known
    recent = sorted(
        (d for d in builds.iterdir() if d.is_dir() and not d.name.startswith(".")),
        key=lambda d: d.stat().st_mtime,
    )
    for directory in recent[-KEEP_BUILDS:]:
        with contextlib.suppress(OSError, ValueError):
            manifest = json.loads((directory / MANIFEST).read_text(encoding="utf-8"))
            for entry in manifest.get("files", []):
                known[str(entry["path"])] = entry
    return known
