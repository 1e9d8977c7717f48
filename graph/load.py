"""Read the ontology and the data into one rdflib graph, and the SHACL shapes into another.

Every file is parsed into a graph of its own first; only when all of them parsed are they
merged into a fresh graph. A syntax error therefore never leaves a half-loaded graph behind:
it raises :class:`~graph.errors.GraphLoadError` with the file, the 1-based line and the
parser's message.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from rdflib import Graph, Namespace
from rdflib.namespace import DCTERMS, ORG, OWL, PROV, RDF, RDFS, SH, SKOS, TIME, XSD
from rdflib.plugins.parsers.notation3 import BadSyntax

from amkg.graph.errors import GraphLoadError

AMKG = Namespace("https://w3id.org/amkg/def#")
AMKGSH = Namespace("https://w3id.org/amkg/shapes#")
KG = Namespace("https://w3id.org/amkg/id/")
QB = Namespace("http://purl.org/linked-data/cube#")

#: Prefixes bound on every graph we build, so prefixed names are the same everywhere.
PREFIXES: dict[str, Namespace] = {
    "amkg": AMKG,
    "amkgsh": AMKGSH,
    "kg": KG,
    "rdf": Namespace(str(RDF)),
    "rdfs": Namespace(str(RDFS)),
    "owl": Namespace(str(OWL)),
    "xsd": Namespace(str(XSD)),
    "skos": Namespace(str(SKOS)),
    "dcterms": Namespace(str(DCTERMS)),
    "prov": Namespace(str(PROV)),
    "org": Namespace(str(ORG)),
    "time": Namespace(str(TIME)),
    "qb": QB,
    "sh": Namespace(str(SH)),
}

_LINE_IN_MESSAGE = re.compile(r"\bline:? (\d+)", re.IGNORECASE)


def new_graph() -> Graph:
    """An empty graph with the project's prefixes (and only rdflib's core ones) bound."""
    graph = Graph(bind_namespaces="core")
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace, override=True, replace=True)
    return graph


def _syntax_error_line(error: BadSyntax) -> int | None:
    """The 1-based line of an rdflib Turtle/N3 syntax error.

    ``BadSyntax`` keeps the parsed text (``_str``) and the offset of the error (``_i``); the
    line is the number of newlines before that offset, plus one. ``lines`` (0-based) is the
    fallback when those private fields are missing in some rdflib version.
    """
    text = getattr(error, "_str", None)
    offset = getattr(error, "_i", None)
    if isinstance(text, bytes | str) and isinstance(offset, int):
        newline = b"\n" if isinstance(text, bytes) else "\n"
        return text[:offset].count(newline) + 1  # type: ignore[arg-type]
    lines = getattr(error, "lines", None)
    return lines + 1 if isinstance(lines, int) else None


def parse_file(path: str | Path, fmt: str = "turtle") -> Graph:
    """Parse one file into a new graph, or raise :class:`GraphLoadError`."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise GraphLoadError(path, None, error.strerror or str(error)) from error
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise GraphLoadError(path, line, f"not valid UTF-8 ({error.reason})") from error
    graph = new_graph()
    try:
        graph.parse(data=text, format=fmt, publicID=path.resolve().as_uri())
    except BadSyntax as error:
        message = getattr(error, "_why", None) or str(error)
        raise GraphLoadError(path, _syntax_error_line(error), str(message)) from error
    except Exception as error:  # any other parser failure is still this file's error
        match = _LINE_IN_MESSAGE.search(str(error))
        found = int(match.group(1)) if match else None
        raise GraphLoadError(path, found, f"{type(error).__name__}: {error}") from error
    return graph


def merge(graphs: Iterable[Graph]) -> Graph:
    """A fresh graph holding the triples (and the prefixes) of all ``graphs``."""
    merged = new_graph()
    for graph in graphs:
        for prefix, namespace in graph.namespaces():
            if prefix and prefix not in PREFIXES:
                merged.bind(prefix, namespace, override=False)
        merged += graph
    return merged


def load_graph(ontology_files: Iterable[str | Path], data_files: Iterable[str | Path]) -> Graph:
    """The ontology and the data in one graph (the SHACL shapes stay out: see :func:`load_shapes`).

    All files are parsed before any of them is kept.
    """
    parsed = [parse_file(path) for path in [*ontology_files, *data_files]]
    return merge(parsed)


def load_shapes(path: str | Path, *more: str | Path) -> Graph:
    """The SHACL shapes graph: ``path`` and any further shapes files, merged."""
    files = [Path(path), *(Path(p) for p in more)]
    for file in files:
        if not file.is_file():
            raise GraphLoadError(file, None, "shapes file not found")
    return merge([parse_file(file) for file in files])
