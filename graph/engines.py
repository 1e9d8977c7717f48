"""The names of the query engines, importable without pyoxigraph or rdflib: the command
line builds its ``--engine`` choice before any command runs. :mod:`amkg.graph.store` holds
the engines themselves."""

ENGINES = ("oxigraph", "rdflib")
