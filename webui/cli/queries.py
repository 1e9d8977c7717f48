"""``amkg queries`` and ``amkg query``: the named-query catalogue on the command line.

``amkg queries [--lang nl|en] [--audience X]`` lists the catalogue; ``amkg query NAME
[--param NAME=VALUE ...] [--format table|csv|tsv|json] [--lang nl|en]`` runs one query. A bad
parameter value or an unknown query name exits with status 2 and says which. The table shows
IRIs by their label in the chosen language and marks inferred links.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import click

from amkg.cli.common import data_dir_option, lang_option, load_kg
from amkg.queries.names import AUDIENCES

if TYPE_CHECKING:  # the catalogue imports rdflib and pyoxigraph: only inside the commands
    from rdflib.term import Node

    from amkg.queries.catalogue import Catalogue, RunResult

CELL_WIDTH = 60


def _words(lang: str) -> dict[str, str]:
    """The table's words in ``lang`` (``webui/i18n/<lang>.cli.json``)."""
    from amkg.webui.i18n import t

    return {k: t(f"cli.query.{k}", lang) for k in ("yes", "no", "inferred", "rows", "note")}


def _catalogue() -> Catalogue:
    from amkg.queries.catalogue import default_catalogue

    return default_catalogue()


def _catalogue_of(name: str) -> Catalogue:
    """A catalogue of the one query ``name``, from its file alone (the whole catalogue parses
    every query with rdflib: seconds), or :class:`~amkg.queries.catalogue.UnknownQuery`."""
    from amkg.queries.catalogue import CATALOGUE_DIR, Catalogue, UnknownQuery, load_query

    files = {path.stem: path for path in CATALOGUE_DIR.glob("*.rq")}
    if name not in files:
        raise UnknownQuery(name)
    named = load_query(files[name])
    return Catalogue({named.name: named})


def _fit(text: str, width: int = CELL_WIDTH) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _table(rows: list[list[str]], header: list[str]) -> str:
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h)
              for i, h in enumerate(header)]  # fmt: skip
    line = "  ".join("-" * w for w in widths)
    out = ["  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)), line]
    out += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    return "\n".join(out)


def _columns(names: list[str], lang: str) -> list[str]:
    """The columns a table shows: one language of each ``xNl``/``xEn`` pair, and no label
    columns for an IRI column that is shown by its label anyway."""
    keep = []
    other = "En" if lang == "nl" else "Nl"
    for name in names:
        stem, suffix = name[:-2], name[-2:]
        paired = suffix in ("Nl", "En") and {stem + "Nl", stem + "En"} <= set(names)
        if paired and (suffix == other or (stem.endswith("Label") and stem[:-5] in names)):
            continue
        keep.append(name)
    return keep


def _cell(kg: object, name: str, term: Node | None, lang: str) -> str:
    from rdflib import Literal, URIRef
    from rdflib.namespace import XSD

    words = _words(lang)
    if term is None:
        return ""
    if isinstance(term, URIRef):
        return _fit(kg.label(term, lang))  # type: ignore[attr-defined]
    if isinstance(term, Literal) and term.datatype == XSD.boolean:
        if name == "inferred":
            return words["inferred"] if term.toPython() is True else ""
        return words["yes"] if term.toPython() is True else words["no"]
    return _fit(str(term))


def format_table(kg: object, outcome: RunResult, lang: str) -> str:
    """The result as a text table with labels for IRIs and inferred links marked."""
    columns = _columns(outcome.vars, lang)
    rows = [[_cell(kg, c, row.get(c), lang) for c in columns] for row in outcome.rows]
    words = _words(lang)
    text = _table(rows, columns) + f"\n({len(rows)} {words['rows']})"
    if "inferred" in columns:
        text += f"\n{words['note']}"
    return text


def _parse_params(values: tuple[str, ...]) -> dict[str, str]:
    params: dict[str, str] = {}
    for value in values:
        name, sep, text = value.partition("=")
        if not sep or not name.strip():
            raise click.BadParameter(f"expected NAME=VALUE, got {value!r}", param_hint="--param")
        params[name.strip()] = text
    return params


@click.command("queries")
@lang_option
@click.option(
    "--audience",
    type=click.Choice(AUDIENCES),
    default=None,
    help="Alleen vragen voor deze doelgroep (only queries for this audience).",
)
def queries(lang: str, audience: str | None) -> None:
    """Toon de vraagcatalogus (list the named queries)."""
    rows = [[q.name, q.audience, q.title(lang)] for q in _catalogue()
            if audience is None or q.audience == audience]  # fmt: skip
    header = ["naam", "doelgroep", "titel"] if lang == "nl" else ["name", "audience", "title"]
    click.echo(_table(rows, header))


@click.command("query")
@click.argument("name")
@click.option(
    "--param",
    "-p",
    "params",
    multiple=True,
    metavar="NAME=VALUE",
    help="Een parameter van de vraag (a parameter of the query); herhaalbaar.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "csv", "tsv", "json"]),
    default="table",
    show_default=True,
)
@lang_option
@data_dir_option
def query(name: str, params: tuple[str, ...], fmt: str, lang: str, data_dir: Path | None) -> None:
    """Voer een benoemde vraag uit (run a named query).

    Exit 2 bij een onbekende vraag of een ongeldige parameter (unknown query or bad value).
    """  # fmt: skip
    from amkg.queries.catalogue import ParameterError, UnknownQuery, run

    try:
        catalogue = _catalogue_of(name)
        named = catalogue.get(name)
    except UnknownQuery as error:
        raise click.UsageError(f"{error}; see 'amkg queries'") from None
    raw = _parse_params(params)
    kg = load_kg(data_dir)
    try:
        outcome = run(kg, named.name, raw, lang=lang, catalogue=catalogue)
    except ParameterError as error:
        raise click.UsageError(str(error)) from None
    if fmt == "table":
        click.echo(format_table(kg, outcome, lang))
    elif fmt == "json":
        click.echo(json.dumps(outcome.to_dict(), ensure_ascii=False, indent=2))
    else:
        from amkg.queries.formats import CSV, TSV, serialise

        body = serialise(outcome.result, CSV if fmt == "csv" else TSV).body
        click.echo(body.decode("utf-8"), nl=False)


COMMANDS = [queries, query]
