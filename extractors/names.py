"""The cross-article key of a model's name, kept free of spaCy so that a query
(``vnfacts verify`` with a quoted model) can compute it without loading the pipeline."""

from __future__ import annotations

import re

from gazetteer.lexicon import get_lexicon
from pipeline.text import fold

__all__ = ["canonical"]


def canonical(name: str) -> str:
    """Cross-article key: "Tổ liên gia an toàn PCCC" = "Tổ liên gia an toàn phòng cháy, chữa cháy"."""
    expanded = get_lexicon().expand(name.strip(" “”\"'"))
    key = fold(expanded)
    key = re.sub(r"[^\w\s]", " ", key)
    key = re.sub(r"\b0+(\d)", r"\1", key)
    return " ".join(key.split())
