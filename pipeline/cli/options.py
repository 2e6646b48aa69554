"""What every ``vnfacts`` command shares: the consoles, the ``--db`` option and how
a command opens the store (read-only, existing only, or created), the failure
line, and the registry the command modules declare their commands in.

The command modules import this module only; ``pipeline.cli`` builds the Typer
app from the registry, so no module imports the app (no import cycle).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, Optional

import typer
from rich.console import Console

out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)

DbOption = Annotated[
    Optional[Path], typer.Option("--db", help="SQLite store (default: $VNFACTS_DB or data/vnfacts.db)")
]
LimitOption = Annotated[
    Optional[int], typer.Option("--limit", "-n", min=0, help="rows to show (0: all; default: what fits the screen)")
]
OffsetOption = Annotated[int, typer.Option("--offset", min=0, help="rows to skip first: the next page")]

# Exit code of a command whose store is not there (1 and 2 mean other things to verify).
NO_STORE = 3

# (function, Typer command keyword arguments), in the order the modules declare them
COMMANDS: list[tuple[Callable[..., Any], dict[str, Any]]] = []


def command(**kwargs: Any) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Declare a ``vnfacts`` command (``typer.Typer.command``'s arguments)."""

    def declare(fn: Callable[..., Any]) -> Callable[..., Any]:
        COMMANDS.append((fn, kwargs))
        return fn

    return declare


def db_path(db: Optional[Path]) -> Path:
    from pipeline.paths import default_db_path  # not pipeline.store: a read-only command needs no writer

    return db or default_db_path()


def open_readonly(db: Optional[Path]):
    """The store at ``db``, read-only (a ``sqlite3.Connection`` with the query functions).
    A missing store (or a file that is not one) stops the command with a clear
    message and exit code 3; nothing is created."""
    from pipeline.query.queries import NoStore, connect

    path = db_path(db)
    try:
        return connect(path)
    except NoStore as exc:
        fail_line(str(path), str(exc))
        raise typer.Exit(NO_STORE) from None


def open_store(db: Optional[Path], *, create: bool):
    """The store at ``db`` for writing.  ``create=False`` (process, reprocess): it must exist
    already, else the command stops (exit code 3) without creating a file."""
    from pipeline.store import Store

    path = db_path(db)
    if not create:
        open_readonly(path).close()   # exists and is a store
    return Store(path)


def fail_line(source: str, reason: str) -> None:
    # one line a failure, plain text, so scripts can grep it
    print(f"vnfacts: {source}: {reason}", file=sys.stderr)
