"""How fast the guard judges hostile and large queries (issue 15's targets, as ratios).

    .venv/bin/python -m benchmarks.bench_guard [--quick] [--repeat 20]

Targets: the flat ``FILTER(1+1+...+1 > 0)`` of 7,000 terms is refused (400) in under 100 ms,
and a 20 kB query is judged by the linear pre-check (:func:`queries.guard.check_limits`) in a
few milliseconds. Reported in milliseconds and as a ratio to a baseline measured in the same
process: ``json.loads`` of a 20 kB document (linear work of the same size), so the ratios mean
the same on a slower machine. The full guard on an accepted 20 kB query (rdflib's parser,
bounded by ``MAX_OPERATORS``) is reported too; it is not a target.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import statistics
import sys
import time
from collections.abc import Callable

from amkg.queries.guard import Limits, QueryRejected, check_limits, check_query

FLAT = "SELECT * WHERE { FILTER(" + "+".join(["1"] * 7000) + " > 0) }"
NOT_CHAIN = "SELECT * WHERE { FILTER(" + "!" * 15000 + "true) }"
LARGE = (
    "SELECT * WHERE {\n"
    + "\n".join(
        f'  OPTIONAL {{ ?s <http://example.org/p{i}> ?o{i} . FILTER(?o{i} != "x{i}") }}'
        for i in range(280)
    )
    + "\n}"
)
BASELINE_DOC = json.dumps([{"key": f"value {i}", "n": i} for i in range(700)])


def _median_ms(work: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        with contextlib.suppress(QueryRejected):
            work()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--quick", action="store_true", help="three repeats (less precise)")
    args = parser.parse_args(argv)
    if args.quick:
        args.repeat = 3
    limits = Limits(max_chars=40_000)
    baseline = _median_ms(lambda: json.loads(BASELINE_DOC), args.repeat)
    rows = [
        ("flat 7,000-term FILTER, full guard (400)", FLAT, lambda: check_query(FLAT, limits)),
        ("15,000 negations, full guard (400)", NOT_CHAIN, lambda: check_query(NOT_CHAIN, limits)),
        ("20 kB query, linear pre-check", LARGE, lambda: check_limits(LARGE, limits)),
        ("20 kB query, full guard (accepted)", LARGE, lambda: check_query(LARGE, limits)),
    ]
    print(f"baseline: json.loads of {len(BASELINE_DOC)} bytes = {baseline:.3f} ms")
    print("| case | bytes | ms (median) | x baseline |")
    print("|---|---|---|---|")
    for name, text, work in rows:
        ms = _median_ms(work, args.repeat if "accepted" not in name else max(3, args.repeat // 5))
        print(f"| {name} | {len(text)} | {ms:.2f} | {ms / baseline:.1f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
