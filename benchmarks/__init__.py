"""Benchmarks: query speed, /sparql throughput and the graph explorer (see README.md).

``python -m benchmarks`` runs the first two (``--quick`` for a short run); the explorer's
benchmark needs a browser and runs on its own (``python -m benchmarks.bench_explorer``).
"""

from __future__ import annotations

import datetime
import importlib.metadata
import os
import platform


def machine() -> str:
    """The machine and the software the figures were measured with, on one line each."""
    model = "unknown CPU"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    versions = []
    for package in ("pyoxigraph", "rdflib", "flask", "werkzeug", "granian", "waitress"):
        try:
            versions.append(f"{package} {importlib.metadata.version(package)}")
        except importlib.metadata.PackageNotFoundError:
            continue
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "-"
    return "\n".join([
        f"date: {datetime.date.today().isoformat()}",
        f"machine: {os.cpu_count()} CPUs ({model}), {platform.system()} {platform.release()}",
        f"load average at start: {load}",
        f"python {platform.python_version()}; " + ", ".join(versions),
    ])  # fmt: skip
