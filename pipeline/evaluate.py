"""Scoring by ANNOTATION.md: precision, recall, F1 per kind, attribute accuracy.

Items are matched one-to-one within an article on the kind's key; an optional
gold item is neither a miss when absent nor a false positive when predicted.
Attribute accuracy is computed over the matched pairs whose gold item is not
optional.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.schema import KINDS
from pipeline.text import fold

__all__ = ["KindScore", "Report", "score", "load_jsonl"]


def _name_key(name: str | None) -> str:
    return re.sub(r"[\s“”\"'‘’]+", " ", fold(name or "")).strip()


def _num(x) -> float | None:
    return None if x is None else float(x)


def _first_word(unit: str | None) -> str:
    """"xã, thị trấn" -> "xã": the first word, without the punctuation after it."""
    words = re.sub(r"[^\w%\s]", " ", fold(unit or "")).split()
    return words[0] if words else ""


def _text_attr(x: str | None) -> str | None:
    if x is None:
        return None
    return re.sub(r"\s+", " ", re.sub(r"\s*,\s*", ", ", fold(x))).strip(" .,;:")


KEYS: dict[str, Callable[[dict], tuple]] = {
    "models": lambda it: (_name_key(it.get("name")),),
    "counts": lambda it: (_num(it.get("value")), _num(it.get("denominator")), _first_word(it.get("unit"))),
    "officials": lambda it: (_name_key(it.get("name")),),
    "places": lambda it: (_name_key(it.get("name")), it.get("level")),
    "dates": lambda it: (it.get("value"),),
}
ATTRIBUTES: dict[str, dict[str, Callable]] = {
    "models": {"place": lambda x: _name_key(x) if x else None, "count": _num},
    "counts": {},
    "officials": {"rank": lambda x: fold(x) if x else None, "title": _text_attr},
    "places": {"province": lambda x: _name_key(x) if x else None},
    "dates": {},
}


@dataclass
class KindScore:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    attr_total: dict[str, int] = field(default_factory=dict)
    attr_right: dict[str, int] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def attribute_accuracy(self) -> float | None:
        total = sum(self.attr_total.values())
        return sum(self.attr_right.values()) / total if total else None

    def accuracy_of(self, attr: str) -> float | None:
        total = self.attr_total.get(attr, 0)
        return self.attr_right.get(attr, 0) / total if total else None


@dataclass
class Report:
    kinds: dict[str, KindScore]
    published_right: int = 0
    published_total: int = 0
    missing_docs: list[str] = field(default_factory=list)
    published_errors: list[str] = field(default_factory=list)

    @property
    def published_accuracy(self) -> float | None:
        return self.published_right / self.published_total if self.published_total else None

    def as_dict(self) -> dict:
        out = {}
        for kind, s in self.kinds.items():
            out[kind] = {
                "precision": round(s.precision, 4), "recall": round(s.recall, 4), "f1": round(s.f1, 4),
                "tp": s.tp, "fp": s.fp, "fn": s.fn,
                "attribute_accuracy": None if s.attribute_accuracy is None else round(s.attribute_accuracy, 4),
                "attributes": {a: round(s.accuracy_of(a), 4) for a in s.attr_total if s.accuracy_of(a) is not None},
            }
        out["published_accuracy"] = self.published_accuracy
        return out


def _match(kind: str, gold: list[dict], pred: list[dict], score: KindScore, doc: str) -> None:
    key = KEYS[kind]
    pool = list(gold)
    # non-optional gold first, so a prediction is not spent on an optional twin
    pool.sort(key=lambda it: bool(it.get("optional")))
    used = [False] * len(pool)
    for p in pred:
        pk = key(p)
        hit = next((i for i, g in enumerate(pool) if not used[i] and key(g) == pk), None)
        if hit is None:
            score.fp += 1
            score.errors.append(f"{doc}: FP {kind} {_show(p, kind)}")
            continue
        used[hit] = True
        g = pool[hit]
        if g.get("optional"):
            continue
        score.tp += 1
        for attr, norm in ATTRIBUTES[kind].items():
            score.attr_total[attr] = score.attr_total.get(attr, 0) + 1
            if norm(g.get(attr)) == norm(p.get(attr)):
                score.attr_right[attr] = score.attr_right.get(attr, 0) + 1
            else:
                score.errors.append(f"{doc}: {kind}.{attr} gold={g.get(attr)!r} got={p.get(attr)!r} for {_show(g, kind)}")
    for i, g in enumerate(pool):
        if not used[i] and not g.get("optional"):
            score.fn += 1
            score.errors.append(f"{doc}: FN {kind} {_show(g, kind)}")


def _show(item: dict, kind: str) -> str:
    fields = {"models": ("name",), "counts": ("value", "denominator", "unit"), "officials": ("name",),
              "places": ("name", "level"), "dates": ("value",)}[kind]
    return " ".join(str(item.get(f)) for f in fields)


def score(gold: Iterable[dict], predicted: Iterable[dict], *, metadata_published: Mapping[str, object] | None = None) -> Report:
    """Score predicted article records against gold ones, matched by ``doc``.

    ``metadata_published``: the date the page's metadata (a manifest) gives per doc.  A
    gold article whose ``published`` is null although its metadata gives a date is not
    scored on ``published``: the annotator could not confirm that date from the page
    (a metadata date that only names a month is written as its first day)."""
    preds = {p["doc"]: p for p in predicted}
    metadata_published = metadata_published or {}
    report = Report({kind: KindScore() for kind in KINDS})
    for g in gold:
        p = preds.get(g["doc"])
        if p is None:
            report.missing_docs.append(g["doc"])
            p = {"doc": g["doc"], "published": None}
        for kind in KINDS:
            _match(kind, g.get(kind, []), p.get(kind, []), report.kinds[kind], g["doc"])
        if g.get("published") is None and metadata_published.get(g["doc"]) is not None:
            continue
        report.published_total += 1
        right = g.get("published") == p.get("published")
        report.published_right += int(right)
        if not right:
            report.published_errors.append(f"{g['doc']}: published gold={g.get('published')!r} got={p.get('published')!r}")
    return report


def load_jsonl(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]
