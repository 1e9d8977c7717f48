"""The ``amkg`` command line: one module per group of commands, the group in :mod:`amkg.cli.main`.

Installed as the package ``amkg.cli`` (see ``pyproject.toml``); it sits in ``webui/`` on disk
because the design keeps the top level to ``ontology/``, ``graph/``, ``queries/`` and ``webui/``,
and the command line, like the web app, is a way in for people.

``amkg --help`` must start in a blink, and the group imports every command module to register
it: so each command module imports only click and small constant modules at its top
(:mod:`amkg.graph.limits`, :mod:`amkg.graph.engines`, :mod:`amkg.queries.names` hold the
values its options offer), and every heavy library (rdflib, pyoxigraph, networkx, Flask, the
servers) is imported inside the command that uses it. ``tests/test_cli_speed_imports.py``
holds that; ``benchmarks/bench_cli.py`` times it.
"""
