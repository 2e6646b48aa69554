"""Where the store is by default: ``$VNFACTS_DB``, else ``data/vnfacts.db``.

Apart from ``pipeline.store`` so that a read-only command can find the store
without importing the writer (sqlite-utils, numpy: a fifth of a second).
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["DEFAULT_DB", "default_db_path"]

DEFAULT_DB = Path("data/vnfacts.db")


def default_db_path() -> Path:
    return Path(os.environ.get("VNFACTS_DB") or DEFAULT_DB)
