"""How fast the guard judges hostile and large queries (issue 15's targets, as ratios).

    .venv/bin/python -m benchmarks.bench_guard [--quick] [--repeat 50]

Targets: the flat ``FILTER(1+1+...+1 > 0)`` of 7,000 terms is refused (400) in under 100 ms,
and a 20 kB query is judged in milliseconds. :func:`queries.guard.check_query` is timed on a
trivial query (the baseline, measured in the same process and run), a 1 kB query, an accepted
20 kB query, the 7,000-term flat query and 15,000 negations; each is reported in
milliseconds (median) and as a ratio to the baseline, so the ratios mean the same on a slower
machine. The guard is linear in the text, so the ratio of a case is about its length over
the baseline's; the milliseconds are there to read against the targets.

For the record, and not a target: the time pyoxigraph takes to *prepare* (parse and plan, on
an empty store) the same accepted texts, which is what the engine adds when it runs them (the
guard no longer parses; rdflib's parser took 1.4-2.7 s on the 20 kB query).
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import sys
import time
from collections.abc import Callable

import pyoxigraph as ox

from amkg.queries.guard import Limits, QueryRejected, check_query

TRIVIAL = "ASK {}"
# Query texts of a chosen size for the guard to parse: built from a loop counter, never from a
# value anyone gives (the guard reads query text; a user's values are bound elsewhere).
SMALL = (
    "PREFIX amkg: <https://w3id.org/amkg/def#>\nPREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
    "SELECT ?track ?label (COUNT(?m) AS ?measures) WHERE {\n"
    + "\n".join(
        f'  OPTIONAL {{ ?track amkg:p{i} ?m . FILTER(LANG(?label) = "nl" || ?m != "x{i}") }}'
        for i in range(10)
    )
    + "\n  ?track a amkg:Track ; rdfs:label ?label .\n} GROUP BY ?track ?label ORDER BY ?track"
)
LARGE = (
    "SELECT * WHERE {\n"
    + "\n".join(
        f'  OPTIONAL {{ ?s <http://example.org/p{i}> ?o{i} . FILTER(?o{i} != "x{i}") }}'
        for i in range(280)
    )
    + "\n}"
)
FLAT = "SELECT * WHERE { FILTER(" + "+".join(["1"] * 7000) + " > 0) }"
NOT_CHAIN = "SELECT * WHERE { FILTER(" + "!" * 15000 + "true) }"
CASES = [
    ("trivial query (baseline, accepted)", TRIVIAL, "accepted"),
    ("1 kB query (accepted)", SMALL, "accepted"),
    ("20 kB query (accepted)", LARGE, "accepted"),
    ("flat 7,000-term FILTER (400)", FLAT, "refused"),
    ("15,000 negations (400)", NOT_CHAIN, "refused"),
]


def _median_ms(work: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        with contextlib.suppress(QueryRejected):
            work()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def _verdict(text: str, limits: Limits) -> str:
    try:
        check_query(text, limits)
    except QueryRejected as error:
        return f"{error.status}"
    return "accepted"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument("--quick", action="store_true", help="five repeats (less precise)")
    args = parser.parse_args(argv)
    if args.quick:
        args.repeat = 5
    limits = Limits(max_chars=40_000)  # the flat query is 14 kB, the 20 kB one 21 kB
    for _, text, expected in CASES:  # the cases are what they claim to be
        verdict = _verdict(text, limits)
        assert (verdict == "accepted") == (expected == "accepted"), (text[:40], verdict)
    baseline = _median_ms(lambda: check_query(TRIVIAL, limits), args.repeat * 10)
    print("| case | bytes | guard: ms (median) | x trivial query | verdict |")
    print("|---|---|---|---|---|")
    for name, text, _ in CASES:
        ms = _median_ms(lambda t=text: check_query(t, limits), args.repeat)  # type: ignore[misc]
        print(f"| {name} | {len(text.encode())} | {ms:.3f} | {ms / baseline:.0f} | "
              f"{_verdict(text, limits)} |")  # fmt: skip
    print()
    print("pyoxigraph's preparation of the accepted texts (what the engine adds; not a target):")
    for name, text, expected in CASES:
        if expected == "accepted":
            ms = _median_ms(lambda t=text: ox.Store().query(t), max(3, args.repeat // 10))  # type: ignore[misc]
            print(f"  {name}: {ms:.2f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
