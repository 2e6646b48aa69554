"""``python -m pipeline`` is the ``vnfacts`` command."""

from pipeline.cli import app

app(prog_name="vnfacts")
