"""The ``amkg`` command line: one module per group of commands, the group in :mod:`amkg.cli.main`.

Installed as the package ``amkg.cli`` (see ``pyproject.toml``); it sits in ``webui/`` on disk
because the design keeps the top level to ``ontology/``, ``graph/``, ``queries/`` and ``webui/``,
and the command line, like the web app, is a way in for people. It never imports Flask unless
a command serves the web app (``amkg serve``), so ``amkg --help`` stays fast.
"""
