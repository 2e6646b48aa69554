"""Who gave a figure: the official the article names where it gives it.

The official named in the figure's sentence, the nearest one before the figure
(else after it); failing that, in its paragraph (a line of the article's text:
sentences never cross one), the nearest before it, else the first after it —
an article names its speaker once ("Theo Trung tá …: …") and quotes on.
With rank and position as the article writes them.
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from typing import Literal

from pydantic import BaseModel

__all__ = ["Speaker", "speakers"]


class Speaker(BaseModel):
    official_id: int
    name: str
    rank: str | None = None
    title: str | None = None
    where: Literal["sentence", "paragraph"]

    def describe(self) -> str:
        """"Trung tá Trần Hữu Phương, Trưởng Công an thị trấn Bình Mỹ (trong đoạn / in its paragraph)"."""
        who = " ".join(x for x in (self.rank, self.name) if x) + (f", {self.title}" if self.title else "")
        return who + (" (trong đoạn / in its paragraph)" if self.where == "paragraph" else "")


Key = tuple[int, int, int]  # (article id, sentence id, offset of the figure in the sentence)


def _marks(items) -> str:
    return ",".join("?" * len(items))


def speakers(conn: sqlite3.Connection, figures: list[Key]) -> dict[Key, Speaker]:
    """The speaker of each figure that has one (three queries, whatever the number of figures)."""
    if not figures:
        return {}
    articles = sorted({a for a, _, _ in figures})
    sentence_ids = sorted({s for _, s, _ in figures})
    officials: dict[int, list[tuple]] = defaultdict(list)
    for row in conn.execute(f"SELECT id, article_id, sentence_id, name, rank, title, start FROM officials "
                            f"WHERE article_id IN ({_marks(articles)}) ORDER BY start", articles):
        officials[row[1]].append(row)
    spans = {sid: (start, end) for sid, start, end in conn.execute(
        f"SELECT id, start, [end] FROM sentences WHERE id IN ({_marks(sentence_ids)})", sentence_ids)}
    with_officials = [a for a in articles if officials.get(a)]
    texts = dict(conn.execute(f"SELECT id, text FROM articles WHERE id IN ({_marks(with_officials)})",
                              with_officials)) if with_officials else {}
    out: dict[Key, Speaker] = {}
    for key in figures:
        article_id, sentence_id, offset = key
        named = officials.get(article_id)
        if not named or sentence_id not in spans:
            continue
        s_start, s_end = spans[sentence_id]
        at = s_start + offset
        found = _nearest([o for o in named if o[2] == sentence_id], at)
        where = "sentence"
        if found is None:
            text = texts[article_id]
            p_start, p_end = text.rfind("\n", 0, s_start) + 1, text.find("\n", s_end)
            p_end = len(text) if p_end < 0 else p_end
            found = _nearest([o for o in named if p_start <= o[6] < p_end], at)
            where = "paragraph"
        if found is not None:
            out[key] = Speaker(official_id=found[0], name=found[3], rank=found[4], title=found[5], where=where)
    return out


def _nearest(officials: list[tuple], at: int) -> tuple | None:
    before = [o for o in officials if o[6] <= at]
    if before:
        return before[-1]
    return officials[0] if officials else None
