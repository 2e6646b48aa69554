"""The ``vnfacts`` command line: a thin layer over the library (Typer + Rich).

One module per command group, each declaring its commands in
``pipeline.cli.options.COMMANDS``; the app is built here from them.
"""

from __future__ import annotations

import typer

from pipeline.cli import articles, batch, crawl, query  # noqa: F401  declare their commands
from pipeline.cli.options import COMMANDS

__all__ = ["app"]

app = typer.Typer(
    help="Vietnamese ANTQ news reports in, facts with provenance out.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
for _fn, _kwargs in COMMANDS:
    app.command(**_kwargs)(_fn)
