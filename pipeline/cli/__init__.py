"""The ``vnfacts`` command line: a thin layer over the library (Typer + Rich).

One module per command group, each declaring its commands in
``pipeline.cli.options.COMMANDS``; the app is built here from them.

A command loads only what it needs: ``main`` (the ``vnfacts`` entry point) imports
just the module declaring the command asked for (``MODULES``), and every module only
for ``vnfacts --help`` or a name it does not know.  ``app`` — all commands, for
``typer.testing.CliRunner`` and other callers — is built on first access.
"""

from __future__ import annotations

import importlib
import sys

__all__ = ["MODULES", "app", "build", "main"]

# command -> the module of pipeline.cli declaring it (tests/test_prebuilt.py checks it)
MODULES: dict[str, str] = {
    "extract": "articles", "ingest": "articles", "eval": "articles",
    "process": "batch", "reprocess": "batch",
    "crawl": "crawl", "fetch": "crawl",
    "models": "query", "verify": "query", "officials": "query", "export": "query", "serve": "query",
}
_ALL = tuple(dict.fromkeys(MODULES.values()))


def build(modules=_ALL):
    """A Typer app with the commands of ``modules`` (names in pipeline.cli)."""
    import typer

    from pipeline.cli.options import COMMANDS

    for name in modules:
        importlib.import_module(f"pipeline.cli.{name}")
    app = typer.Typer(
        help="Vietnamese ANTQ news reports in, facts with provenance out.",
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_enable=False,
    )

    @app.callback()
    def _group() -> None:
        # a group even when the modules loaded declare one command: `vnfacts NAME ...` stays the syntax
        pass

    wanted = {f"pipeline.cli.{name}" for name in modules}
    for fn, kwargs in COMMANDS:
        if fn.__module__ in wanted:
            app.command(**kwargs)(fn)
    return app


def main(argv: list[str] | None = None) -> None:
    """The ``vnfacts`` command: only the module of the command named is imported."""
    args = sys.argv[1:] if argv is None else argv
    name = next((a for a in args if not a.startswith("-")), None)
    module = MODULES.get(name) if name else None
    build((module,) if module else _ALL)(args=args, prog_name="vnfacts")


def __getattr__(name: str):
    if name == "app":
        globals()["app"] = value = build()
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
