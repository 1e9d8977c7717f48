"""``amkg sparql``: run a read query through the same guard and store as the endpoint.

The query comes as an argument, from ``--file``, or from stdin (``-``). A refused query
(update, SERVICE, FROM, too long, too deep) or a malformed one exits with status 2 and the
reason on stderr. The query runs in a process of its own that first leaves the network for
good (``queries/offline.py``: a new network namespace when permitted, a seccomp filter on
``socket()``), so no query, whatever the guard missed, can make a connection; a crash of the
engine ends that process, not the command (exit 2 with a message). Without a time limit by
default; with ``--timeout S`` the process is stopped after S seconds (exit 3), as the endpoint
stops its query workers.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import IO, TYPE_CHECKING, NoReturn

import click

from amkg.cli.common import data_dir_option, rebuild_notice, store_root
from amkg.graph.engines import ENGINES
from amkg.queries.names import FORMAT_NAMES

if TYPE_CHECKING:  # the guard, the store and the formats import rdflib: only inside the command
    from multiprocessing.connection import Connection

    from rdflib.term import Node

    from amkg.graph.kg import KnowledgeGraph
    from amkg.graph.store import QueryResult
    from amkg.queries.formats import Format
    from amkg.queries.guard import ParsedQuery

EXIT_REFUSED = 2
EXIT_TIMEOUT = 3
MAX_CELL = 60
Outcome = tuple[str, bytes]  # ("ok" | "failed" | "timeout", output or message)


def _fail(message: str, status: int = EXIT_REFUSED) -> NoReturn:
    click.echo(message, err=True)
    raise click.exceptions.Exit(status)


def _cell(term: Node | None, kg: KnowledgeGraph) -> str:
    """A term for the terminal: prefixed IRIs, literal text, control characters escaped."""
    from rdflib import BNode, Literal, URIRef

    if term is None:
        return ""
    if isinstance(term, URIRef):
        text = kg.prefixed(term)
    elif isinstance(term, BNode):
        text = f"_:{term}"
    elif isinstance(term, Literal) and term.language:
        text = f"{term}@{term.language}"
    else:
        text = str(term)
    text = "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)
    return text if len(text) <= MAX_CELL else text[: MAX_CELL - 1] + "…"


def format_table(result: QueryResult, kg: KnowledgeGraph) -> str:
    """A SELECT or ASK result as a plain text table."""
    if result.kind == "ASK":
        return "true" if result.boolean else "false"
    rows = [[_cell(row.get(var), kg) for var in result.vars] for row in result.rows]
    widths = [max([len(var)] + [len(r[i]) for r in rows]) for i, var in enumerate(result.vars)]
    lines = ["  ".join(var.ljust(w) for var, w in zip(result.vars, widths, strict=True))]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
    lines.append(f"({len(rows)} {'row' if len(rows) == 1 else 'rows'})")
    return "\n".join(line.rstrip() for line in lines)


def _read(query: str | None, file: IO[str] | None) -> str:
    if (query is None) == (file is None):
        raise click.UsageError("give the query as an argument, with --file, or '-' for stdin")
    if file is not None:
        return file.read()
    if query == "-":
        return sys.stdin.read()
    return query  # type: ignore[return-value]


@click.command("sparql")
@click.argument("query", required=False)
@click.option("-f", "--file", type=click.File("r", encoding="utf-8"), default=None,
              help="Lees de query uit dit bestand ('-': stdin).")  # fmt: skip
@click.option("--format", "fmt", type=click.Choice(["table", *FORMAT_NAMES]), default=None,
              help="table|csv|tsv|json|xml voor SELECT/ASK (standaard table); "
                   "ttl|nt|jsonld|rdfxml voor CONSTRUCT/DESCRIBE (standaard ttl).")  # fmt: skip
@click.option("--engine", type=click.Choice(ENGINES), default="oxigraph", show_default=True)
@data_dir_option
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=None,
              help="Stop de query na zoveel seconden (exit 3); standaard geen limiet.")  # fmt: skip
def sparql(query: str | None, file: IO[str] | None, fmt: str | None, engine: str,
           data_dir: Path | None, timeout: float | None) -> None:  # fmt: skip
    """Voer een SPARQL-query uit (run a read-only SPARQL query).

    Updates, SERVICE, LOAD and FROM are refused (exit 2), as on the endpoint. With --timeout
    the query runs in a process of its own, stopped after that many seconds (exit 3).
    """
    from amkg.queries.formats import formats_for, negotiate
    from amkg.queries.guard import Limits, QueryRejected, check_query, parser_headroom
    from amkg.webui import settings

    text = _read(query, file)
    limits = Limits(
        max_chars=settings.MAX_QUERY_CHARS,
        max_nesting=settings.MAX_NESTING,
        max_operators=settings.MAX_OPERATORS,
        max_tokens=settings.MAX_TOKENS,
    )
    parser_headroom(limits)
    try:
        parsed = check_query(text, limits)
        table = fmt == "table" or (fmt is None and parsed.kind in ("SELECT", "ASK"))
        if table and parsed.kind not in ("SELECT", "ASK"):
            names = ", ".join(f.key for f in formats_for(parsed.kind))
            raise QueryRejected(400, f"a {parsed.kind} query has no table; use {names}")
        chosen = None if table else negotiate(parsed.kind, None, fmt)
    except QueryRejected as error:
        _fail(f"refused: {error.reason}")
    status, output = _run_offline(parsed, chosen, engine, data_dir, store_root(), timeout)
    if status != "ok":
        _fail(output.decode(), EXIT_TIMEOUT if status == "timeout" else EXIT_REFUSED)
    click.echo(output, nl=False)  # bytes: written as they are


def _load_and_run(parsed: ParsedQuery, chosen: Format | None, engine: str,
                  data_dir: Path | None, store: Path | None,
                  loaded: Connection | None = None) -> Outcome:  # fmt: skip
    """``("ok", output)``, or ``("failed", message)``: open the graph's store (built first if
    the sources changed), run, format. Says ``loaded`` on ``loaded`` once the graph is open, so
    a time limit can leave opening out."""
    from amkg.graph.errors import GraphLoadError
    from amkg.graph.kg import KnowledgeGraph
    from amkg.queries.answering import run_parsed
    from amkg.queries.formats import serialise
    from amkg.queries.guard import QueryRejected

    try:
        kg = KnowledgeGraph.open(
            data_dir=data_dir, engine=engine, store=store, on_rebuild=rebuild_notice
        )
    except GraphLoadError as error:
        return "failed", str(error).encode()
    if loaded is not None:
        loaded.send(("loaded", b""))
    try:
        result = run_parsed(kg.store, parsed)
    except QueryRejected as error:
        return "failed", f"refused: {error.reason}".encode()
    if chosen is None:
        return "ok", (format_table(result, kg) + "\n").encode()
    return "ok", serialise(result, chosen).body


def _child(conn: Connection, parsed: ParsedQuery, chosen: Format | None, engine: str,
           data_dir: Path | None, store: Path | None) -> None:  # fmt: skip
    from amkg.queries.offline import go_offline

    go_offline()  # first: before the engine or any thread exists
    conn.send(_load_and_run(parsed, chosen, engine, data_dir, store, loaded=conn))


def _run_offline(parsed: ParsedQuery, chosen: Format | None, engine: str,
                 data_dir: Path | None, store: Path | None,
                 timeout: float | None) -> Outcome:  # fmt: skip
    """:func:`_load_and_run` in a spawned process that is off the network, stopped when the
    query (not the loading) takes more than ``timeout`` seconds (``None``: no limit)."""
    import multiprocessing

    from amkg.queries.executor import stop_process

    context = multiprocessing.get_context("spawn")
    receiver, sender = context.Pipe(duplex=False)
    arguments = (sender, parsed, chosen, engine, data_dir, store)
    process = context.Process(target=_child, args=arguments, daemon=True)
    process.start()
    sender.close()
    try:
        reply = receiver.recv()
        if reply[0] == "loaded":
            if not receiver.poll(timeout):
                return "timeout", f"stopped after {timeout:g} s (the time limit)".encode()
            reply = receiver.recv()
        return reply
    except EOFError:
        process.join(5)
        code = process.exitcode
        how = f"signal {-code}" if code is not None and code < 0 else f"exit {code}"
        return "failed", f"the query process stopped unexpectedly ({how})".encode()
    finally:
        stop_process(process, grace=1)
        receiver.close()


COMMANDS = [sparql]
