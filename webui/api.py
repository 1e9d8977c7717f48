"""The JSON API over the named-query catalogue (``queries/catalogue``).

* ``GET /api/queries``: the catalogue (name, titles, descriptions, audience, tags, params).
* ``GET /api/queries/<name>?param=value``: ``{query, params, vars, rows, truncated}``, terms in
  the SPARQL 1.1 Results JSON form.
* ``GET /api/queries/<name>.csv?param=value``: the rows as SPARQL CSV.

An unknown query is a 404, a bad parameter a 400 whose reason names the parameter. No query
logic here: binding and running are :mod:`queries.catalogue`'s.
"""

from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify, request

from amkg.graph.kg import KnowledgeGraph
from amkg.queries.catalogue import ParameterError, RunResult, UnknownQuery, default_catalogue, run
from amkg.queries.formats import CSV, serialise
from amkg.webui.asof import current_kg
from amkg.webui.errors import HttpError

bp = Blueprint("api", __name__, url_prefix="/api")


def _kg() -> KnowledgeGraph:
    kg: KnowledgeGraph = current_kg()
    return kg


def _row_limit() -> int | None:
    limit = current_app.config.get("ROW_LIMIT")
    return int(limit) if limit else None


def _raw_params() -> dict[str, str]:
    params = {}
    for name, values in request.args.lists():
        if len(values) > 1:
            raise HttpError(400, f"parameter '{name}': given more than once")
        params[name] = values[0]
    return params


def _run(name: str) -> RunResult:
    try:
        # a required parameter must be given: its default is an example, not a silent value
        return run(_kg(), name, _raw_params(), required_defaults=False)
    except UnknownQuery as error:
        raise HttpError(404, f"{error}; GET /api/queries lists the catalogue") from None
    except ParameterError as error:
        raise HttpError(400, str(error)) from None


@bp.get("/queries")
def catalogue() -> Response:
    """The catalogue as JSON."""
    queries = [query.to_dict() for query in default_catalogue()]
    return jsonify({"count": len(queries), "queries": queries})


@bp.get("/queries/<name>")
def query(name: str) -> Response:
    """One named query's result, as JSON or (``<name>.csv``) as CSV."""
    if name.endswith(".csv"):
        outcome = _run(name[: -len(".csv")])
        serialised = serialise(outcome.result, CSV, _row_limit())
        response = Response(serialised.body, mimetype="text/csv")
        response.headers["Content-Disposition"] = f'inline; filename="{outcome.query.name}.csv"'
        response.headers["X-Truncated"] = "true" if serialised.truncated else "false"
        return response
    return jsonify(_run(name).to_dict(_row_limit()))
