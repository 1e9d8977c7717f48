"""The long-lived heap of a web process, kept out of the cyclic garbage collector's way.

A web process of ``amkg serve`` builds, before its first request, what its pages need for the
life of the process (the graph's indexes, the trace network, the explorer's view, the modules
of rdflib and pyshacl): a heap of millions of objects. CPython's collector of reference
cycles walks every tracked object of its oldest generation in a full collection, and a full
collection stops every thread of the process: 60-140 ms on the real graph. While editors save,
each new version makes garbage enough for one every few seconds, and every request in flight
waited for it (``benchmarks/README.md``, "Volle opruiming"). A write process does the same
after its warm-up (:mod:`amkg.webui.write_process`): there a full collection held up an edit.

:func:`freeze` moves what is alive once the process has warmed up into the collector's
permanent generation (``gc.freeze``): a full collection then walks only what came later
(2-20 ms). Memory is still freed when nothing refers to it; only a reference cycle among the
frozen objects is never collected, which bounds what can stay behind by the heap at start.
"""

from __future__ import annotations

import gc
from typing import Any

#: ``app.extensions`` key: how many objects :func:`freeze` moved (set once it has run).
FROZEN_KEY = "amkg_frozen_objects"


def freeze(app: Any) -> int:
    """Collect once, then keep every object alive now out of later collections. Returns the
    number of objects frozen (also in ``app.extensions[FROZEN_KEY]``)."""
    gc.collect()
    gc.freeze()
    frozen = gc.get_freeze_count()
    app.extensions[FROZEN_KEY] = frozen
    return frozen
