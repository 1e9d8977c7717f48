"""The web interface and the ``amkg`` command line: thin adapters over ``graph`` and ``queries``."""
