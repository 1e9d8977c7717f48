"""``python -m benchmarks [--quick]``: query speed, /sparql throughput, then the command line's
start-up, in one run."""

from __future__ import annotations

import argparse
import sys

from benchmarks import bench_cli, bench_http, bench_queries, machine


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a short run (less precise)")
    parser.add_argument("--only", choices=("queries", "http", "cli"), help="run one benchmark only")
    args = parser.parse_args(argv)
    print(machine())
    print()
    quick = ["--quick"] if args.quick else []
    if args.only in (None, "queries"):
        print("# Query speed\n")
        bench_queries.main(quick)
        print()
    if args.only in (None, "http"):
        print("# SPARQL endpoint throughput\n")
        bench_http.main(quick)
        print()
    if args.only in (None, "cli"):
        print("# Command-line start-up\n")
        bench_cli.main(quick)
    return 0


if __name__ == "__main__":
    sys.exit(main())
