"""What every ``vnfacts`` command shares: the consoles, the ``--db`` option, the
failure line, and the registry the command modules declare their commands in.

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

# (function, Typer command keyword arguments), in the order the modules declare them
COMMANDS: list[tuple[Callable[..., Any], dict[str, Any]]] = []


def command(**kwargs: Any) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Declare a ``vnfacts`` command (``typer.Typer.command``'s arguments)."""

    def declare(fn: Callable[..., Any]) -> Callable[..., Any]:
        COMMANDS.append((fn, kwargs))
        return fn

    return declare


def fail_line(source: str, reason: str) -> None:
    # one line a failure, plain text, so scripts can grep it
    print(f"vnfacts: {source}: {reason}", file=sys.stderr)
