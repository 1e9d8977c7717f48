"""Golden results and the catalogue's documentation.

``python -m queries.golden --write``  regenerates ``tests/golden/<name>.json``: each query's result
                                       with its default parameters, rows sorted.
``python -m queries.golden --docs``   regenerates ``docs/queries.md`` from the ``.rq`` metadata.
``python -m queries.golden``          checks both and exits 1 when one is out of date.

A golden row maps each bound variable to its value: an IRI as a prefixed name (``kg:spoor-3``)
or ``<iri>``, a literal as its lexical form. Review the diff before you commit new goldens.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from rdflib import URIRef
from rdflib.term import Node

from amkg.graph.load import PREFIXES
from amkg.graph.paths import REPO_ROOT
from amkg.queries.catalogue import AUDIENCES, Catalogue, NamedQuery, default_catalogue, run

GOLDEN_DIR = REPO_ROOT / "tests" / "golden"
DOCS_PATH = REPO_ROOT / "docs" / "queries.md"


def golden_value(term: Node) -> str:
    """A term as it is written in a golden file."""
    if isinstance(term, URIRef):
        for prefix, namespace in PREFIXES.items():
            local = str(term)[len(str(namespace)) :]
            if str(term).startswith(str(namespace)) and local and "/" not in local:
                return f"{prefix}:{local}"
        return f"<{term}>"
    return str(term)


def golden_rows(rows: list[dict[str, Node]]) -> list[dict[str, str]]:
    """Rows as golden values, sorted (so ties in ORDER BY cannot make a difference)."""
    plain = [{var: golden_value(term) for var, term in row.items()} for row in rows]
    return sorted(plain, key=lambda row: json.dumps(row, sort_keys=True, ensure_ascii=False))


def golden_result(kg: Any, query: NamedQuery, catalogue: Catalogue | None = None) -> dict[str, Any]:
    """The golden record of ``query``: its default parameters, variables and sorted rows."""
    result = run(kg, query.name, {}, catalogue=catalogue)
    return {
        "query": query.name,
        "params": {name: golden_value(term) for name, term in sorted(result.bindings.items())},
        "vars": result.vars,
        "rows": golden_rows(result.rows),
    }


def golden_path(name: str, directory: Path = GOLDEN_DIR) -> Path:
    return directory / f"{name}.json"


def dump(record: dict[str, Any]) -> str:
    return json.dumps(record, ensure_ascii=False, indent=1, sort_keys=False) + "\n"


def load_golden(name: str, directory: Path = GOLDEN_DIR) -> dict[str, Any] | None:
    path = golden_path(name, directory)
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None


def write_goldens(kg: Any, catalogue: Catalogue, directory: Path = GOLDEN_DIR) -> list[str]:
    """(Re)write every golden file and remove those of queries that no longer exist."""
    directory.mkdir(parents=True, exist_ok=True)
    changed = []
    for query in catalogue:
        path = golden_path(query.name, directory)
        text = dump(golden_result(kg, query, catalogue))
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            changed.append(query.name)
    for stale in sorted(directory.glob("*.json")):
        if stale.stem not in catalogue:
            stale.unlink()
            changed.append(stale.stem)
    return changed


def stale_goldens(kg: Any, catalogue: Catalogue, directory: Path = GOLDEN_DIR) -> list[str]:
    """Names of queries whose golden file is missing or differs from the current result."""
    return [
        query.name
        for query in catalogue
        if load_golden(query.name, directory) != golden_result(kg, query, catalogue)
    ]


def _cell(text: str) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def _params_table(query: NamedQuery) -> list[str]:
    if not query.params:
        return ["Geen parameters. *No parameters.*", ""]
    lines = [
        "| parameter | type | klasse / class | verplicht / required | standaard / default "
        "| beschrijving | description |",
        "|---|---|---|---|---|---|---|",
    ]
    for p in query.params:
        kind = p.type
        if p.min is not None or p.max is not None:
            kind += f" ({'' if p.min is None else p.min}..{'' if p.max is None else p.max})"
        if p.values:
            kind += f" ({', '.join(p.values)})"
        cells = [f"`{p.name}`", kind, f"`{p.cls}`" if p.cls else "", "ja / yes" if p.required
                 else "nee / no", f"`{p.default}`" if p.default is not None else "",
                 p.description_nl, p.description_en]  # fmt: skip
        lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    return [*lines, ""]


def render_docs(catalogue: Catalogue) -> str:
    """``docs/queries.md``: every query with titles, descriptions and parameters."""
    out = [
        "# Vraagcatalogus / Query catalogue",
        "",
        "<!-- Generated by `python -m queries.golden --docs` from queries/catalogue/*.rq. "
        "Do not edit by hand. -->",
        "",
        "Elke vraag is een SPARQL-bestand in `queries/catalogue/` met metadata in `#+`-regels. "
        "Parameters worden als waarden gebonden, nooit in de querytekst geplakt.",
        "*Each query is a SPARQL file in `queries/catalogue/` with metadata in `#+` lines. "
        "Parameters are bound as values, never pasted into the query text.*",
        "",
        "- CLI: `amkg queries`, "
        "`amkg query NAAM --param naam=waarde [--format table|csv|tsv|json]`",
        "- API: `GET /api/queries`, `GET /api/queries/NAAM?naam=waarde`, "
        "`GET /api/queries/NAAM.csv?naam=waarde`",
        "- Golden results: `tests/golden/NAAM.json` (`python -m queries.golden --write`)",
        "",
        f"{len(catalogue)} vragen / queries.",
        "",
    ]
    for audience in AUDIENCES:
        members = [q for q in catalogue if q.audience == audience]
        out += [f"## {audience}", "", "| naam / name | titel | title |", "|---|---|---|"]
        out += [f"| [`{q.name}`](#{q.name}) | {_cell(q.title_nl)} | {_cell(q.title_en)} |"
                for q in members]  # fmt: skip
        out.append("")
    for query in catalogue:
        out += [
            f"### {query.name}",
            "",
            f"**{query.title_nl}**  ",
            f"*{query.title_en}*",
            "",
            query.description_nl,
            "",
            f"*{query.description_en}*",
            "",
            f"- Doelgroep / audience: {query.audience}",
            f"- Tags: {', '.join(query.tags)}",
            f"- Bestand / file: `queries/catalogue/{query.name}.rq`",
            f"- Kolommen / columns: {', '.join(f'`?{v}`' for v in query.variables)}",
            "",
            *_params_table(query),
        ]
    return "\n".join(out).rstrip("\n") + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m queries.golden",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--write", action="store_true", help="regenerate tests/golden/*.json")
    parser.add_argument("--docs", action="store_true", help="regenerate docs/queries.md")
    args = parser.parse_args(argv)
    catalogue = default_catalogue()
    if args.docs:
        DOCS_PATH.write_text(render_docs(catalogue), encoding="utf-8")
        print(f"wrote {DOCS_PATH.relative_to(REPO_ROOT)} ({len(catalogue)} queries)")
    if args.write or not args.docs:
        from amkg.graph.kg import KnowledgeGraph

        kg = KnowledgeGraph.load()
        if args.write:
            changed = write_goldens(kg, catalogue)
            print(f"golden files changed: {', '.join(changed) if changed else 'none'}")
    if not args.write and not args.docs:
        problems = stale_goldens(kg, catalogue)
        docs = render_docs(catalogue)
        if not DOCS_PATH.is_file() or DOCS_PATH.read_text("utf-8") != docs:
            problems.append(str(DOCS_PATH.relative_to(REPO_ROOT)))
        for name in problems:
            print(f"out of date: {name}", file=sys.stderr)
        return 1 if problems else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
