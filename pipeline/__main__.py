"""``python -m pipeline`` is the ``vnfacts`` command."""

from pipeline.cli import main

main()
