"""``python -m graph`` runs the ``kg`` command."""

import sys

from graph.cli import main

sys.exit(main())
