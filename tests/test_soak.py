"""The load acceptance lines of issue 15, short (``benchmarks/soak.py`` has the long run):
against ``amkg serve`` on loopback, 64 idle connections do not stop the health probe, 20
keep-alive clients get no 5xx and no hung request with the memory flat, and one client's four
slow queries leave the others and the pages answering.

The idle connections are held 2.5 s and the keep-alive clients run 6 s by default (the probe
still answers a dozen times, the clients send hundreds of requests); ``AMKG_LONG_TESTS=1``
holds them 5 s and 20 s, ``python -m benchmarks.soak`` 30 s and 300 s."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from benchmarks import soak
from tests.helpers import LONG

pytestmark = pytest.mark.slow
IDLE_SECONDS, CLIENT_SECONDS = (5.0, 20.0) if LONG else (2.5, 6.0)


@pytest.fixture(scope="module")
def server() -> Iterator[soak.Server]:
    started = soak.start()
    yield started
    started.stop()


def test_64_idle_connections_leave_the_probe_answering(server: soak.Server) -> None:
    report = soak.idle_connections(server.port, 64, seconds=IDLE_SECONDS)
    assert report["probes"] > 5
    assert report["probe_failures"] == 0, report


def test_20_keep_alive_clients_get_no_5xx_and_nothing_hangs(server: soak.Server) -> None:
    report = soak.keep_alive_clients(server.port, 20, CLIENT_SECONDS, server.process.pid)
    assert report["requests"] > 100
    assert (report["hung"], report["5xx"], report["errors"]) == (0, 0, 0), report
    assert report["probe_failures"] == 0, report
    assert report["rss_growth"] <= 0.10, report


@pytest.fixture(scope="module")
def one_process() -> Iterator[soak.Server]:
    """One web process (two query workers): where the four slow queries' connections land is
    then no matter of chance."""
    started = soak.start(workers=1)
    yield started
    started.stop()


def test_four_slow_queries_of_one_client_leave_others_answering(one_process: soak.Server) -> None:
    report = soak.slow_queries(one_process.port)
    assert report["others"] == [200, 200, 200], report
    assert report["pages"] == [200] * len(soak.PAGES), report
    # not after waiting for the slow client: it holds one worker, its share, not both
    assert report["answered_before_a_slow_query_ended"], report
    # each was stopped by the time limit (503) or refused beyond its share (429)
    assert set(report["slow_statuses"]) <= {429, 503}, report
