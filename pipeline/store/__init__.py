"""Stage 4, store: the SQLite knowledge store (sqlite-utils over one connection)."""

from pipeline.store.writer import FACT_COLUMNS, FACT_ROW_COLUMNS, Source, Store, default_db_path

__all__ = ["FACT_COLUMNS", "FACT_ROW_COLUMNS", "Source", "Store", "default_db_path"]
