"""The graph explorer (``/graph``): everything about how the projection is drawn.

- :mod:`.routes`: the blueprint :data:`bp` (``/graph``, ``/graph.json``, ``/api/graph*``) and
  :func:`warm_up`, which ``amkg serve`` calls before it accepts connections.
- :mod:`.source`: :class:`~.source.Source`, the projection the explorer draws, kept on the
  knowledge graph (``kg.derived``).
- :mod:`.view`: the view state (round-trips through the URL), the selection and the view data.
- :mod:`.layout`: seeded, deterministic layouts (force, layered, radial) in pure Python.
- :mod:`.drawing`: colours, shapes and sizes per class, vis-network options, the pyvis Network.
- :mod:`.details`: the side panel's data for one node.
- :mod:`.synthetic`: a seeded projection-shaped graph of any size (tests, benchmark).
"""

from amkg.webui.explorer.routes import bp, warm_up

__all__ = ["bp", "warm_up"]
