"""``python -m amkg.cli``: the ``amkg`` command line."""

import sys

from amkg.cli.main import main

sys.exit(main())
