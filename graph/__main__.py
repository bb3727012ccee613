"""``python -m graph`` runs the ``kg`` command."""

from graph.cli import console_main

console_main()
