"""The bounds of the network analyses (``amkg trace``/``impact``, ``/api/trace``), importable
without networkx or rdflib: the command line builds its ``--max-steps`` choice before any
command runs. :mod:`amkg.graph.trace` takes them from here."""

#: Steps a path or an impact search may take at most.
MAX_STEPS = 6
#: Paths a trace lists at most.
MAX_PATHS = 50
