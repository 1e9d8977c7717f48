"""A query worker keeps few malloc arenas under its address-space cap (``queries/worker.py``):
threads then share arenas instead of each reserving 64 MB of address space (glibc)."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

PROBE = textwrap.dedent(
    """
    import threading, sys
    from amkg.queries.worker import few_malloc_arenas
    if sys.argv[1] == "few":
        assert few_malloc_arenas()
    def size():
        for line in open("/proc/self/status"):
            if line.startswith("VmSize:"):
                return int(line.split()[1]) // 1024
    before = size()
    ready, done = threading.Barrier(17), threading.Event()
    def work():
        keep = [bytearray(4096) for _ in range(64)]  # each thread allocates: an arena of its own
        ready.wait()
        done.wait()
    threads = [threading.Thread(target=work) for _ in range(16)]
    for t in threads:
        t.start()
    ready.wait()
    print(size() - before)
    done.set()
    """
)


def grown(mode: str) -> int:
    result = subprocess.run([sys.executable, "-c", PROBE, mode], capture_output=True, text=True,
                            check=True, timeout=60)  # fmt: skip
    return int(result.stdout.strip())


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's arenas: Linux only")
def test_threads_share_malloc_arenas_in_a_worker() -> None:
    default, few = grown("default"), grown("few")
    assert few < default / 2, (few, default)  # MB of address space the 16 threads took
