"""The ``kg`` command line: one module per group of commands.

* :mod:`~graph.cli.main`: the parser, ``kg build`` and ``kg formats``, exit codes and signals;
* :mod:`~graph.cli.eval`: ``kg eval``;
* :mod:`~graph.cli.rdf`: ``kg export`` and ``kg validate``;
* :mod:`~graph.cli.rules`: ``kg rules check``;
* :mod:`~graph.cli.sparql`: ``kg query``, ``kg load`` and ``kg serve``.
"""

from graph.cli.main import FolderLock, console_main, main

__all__ = ["FolderLock", "console_main", "main"]
