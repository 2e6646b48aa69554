"""A deterministic synthetic corpus made from the bundled articles, for scale tests.

    .venv/bin/python bench/synthetic.py --articles 10000 --db bench/out/synthetic.db
    .venv/bin/python bench/synthetic.py --articles 50 --out bench/out/articles/

Each synthetic article recombines runs of consecutive sentences (2-5 at a time)
of the cleaned bundled articles (corpus/articles/*.txt) and gives them another
place, other people and other numbers: every place the extractors found in the
source article is swapped for a unit of the same level of a province drawn from
the gazetteer (its districts, their communes), every official's name for a name
made of the surnames list and common middle and given names, every figure for
another of the same number of digits, years for years.  A headline, a dateline
(the publication date) and a site complete it.

Article ``i`` depends only on (seed, i): ``--articles 1000`` is the first 1,000
articles of ``--articles 10000``, and a rerun writes the same bytes.

``--db`` registers the articles in a store (``Store.add_raw``: raw input, no facts
yet, for ``vnfacts process``); ``--out`` writes one .txt file per article.
"""

from __future__ import annotations

import argparse
import random
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

CORPUS = ROOT / "corpus" / "articles"
SEED = 20250526

_MIDDLE = ["Văn", "Thị", "Hữu", "Đức", "Minh", "Quốc", "Ngọc", "Thanh", "Xuân", "Công", "Đình", "Hồng", "Viết", "Kim"]
_GIVEN = ["An", "Bình", "Cường", "Dũng", "Giang", "Hà", "Hải", "Hùng", "Hương", "Khánh", "Lan", "Long", "Mai",
          "Nam", "Nga", "Phong", "Phương", "Quân", "Sơn", "Tâm", "Thành", "Thảo", "Trung", "Tuấn", "Việt", "Vinh"]
_HEADLINES = [
    "Phong trào toàn dân bảo vệ an ninh Tổ quốc ở {district}",
    "{province}: nhân rộng các mô hình tự quản về an ninh trật tự",
    "Công an {province} xây dựng vững chắc thế trận lòng dân",
    "Huy động sức dân bảo vệ an ninh Tổ quốc tại {commune}",
    "Chú trọng xây dựng phong trào toàn dân bảo vệ ANTQ ở {district}",
]
_KIND_WORDS = ("tỉnh", "thành phố", "tp", "huyện", "quận", "thị xã", "tx", "xã", "phường", "thị trấn", "đặc khu")
_LEVEL_OF_KIND = {"tỉnh": "tỉnh", "huyện": "huyện", "quận": "huyện", "thị xã": "huyện", "tx": "huyện",
                  "xã": "xã", "phường": "xã", "thị trấn": "xã"}
_SENIOR = {"tỉnh": 0, "huyện": 1, "xã": 2}
_NUMBER = re.compile(r"(?<![\w/.,])\d{1,3}(?:\.\d{3})+(?![\w/])|(?<![\w/.,])\d+(?![\w/]|[.,]\d)")


@dataclass(frozen=True)
class Synthetic:
    key: str
    doc: str
    site: str
    raw: bytes
    published: date


@dataclass(frozen=True)
class _Sentence:
    text: str
    slots: tuple[tuple[int, int, str, str], ...]  # (start, end, "place"|"person", level or name), in order


@dataclass(frozen=True)
class _Source:
    """One bundled article cut into paragraphs of sentences, with what can be swapped in them."""

    paragraphs: list[list[_Sentence]]
    site: str


@lru_cache(maxsize=1)
def _sources() -> list[_Source]:
    from pipeline.trip import Trip

    sources = []
    for source, outcome in Trip().run_paths([CORPUS]):
        if not outcome.ok:
            continue
        text = outcome.article.text
        levels: dict[str, str] = {}
        for p in outcome.facts.places:
            if p.level in _SENIOR and (p.name not in levels or _SENIOR[p.level] < _SENIOR[levels[p.name]]):
                levels[p.name] = p.level
        spans = []
        if levels:
            names = "|".join(re.escape(n) for n in sorted(levels, key=len, reverse=True))
            mention = re.compile(rf"(?<!\w)(?:(?P<kind>(?i:{'|'.join(_KIND_WORDS)}))\.?\s+)?(?P<name>{names})(?!\w)")
            for m in mention.finditer(text):
                kind = (m["kind"] or "").lower()
                level = _LEVEL_OF_KIND.get(kind) or levels[m["name"]]
                spans.append((m.start(), m.end(), "place", level))
        for name in {o.name for o in outcome.facts.officials}:
            for m in re.finditer(rf"(?<!\w){re.escape(name)}(?!\w)", text):
                spans.append((m.start(), m.end(), "person", name))
        spans.sort()
        lines: dict[int, list[_Sentence]] = {}
        for s, e in outcome.sentences:
            slots, last = [], s
            for a, b, what, payload in spans:
                if s <= a and b <= e and a >= last:
                    slots.append((a - s, b - s, what, payload))
                    last = b
            lines.setdefault(text.count("\n", 0, s), []).append(_Sentence(text[s:e], tuple(slots)))
        paragraphs = [sents for _, sents in sorted(lines.items()) if sum(len(x.text.split()) for x in sents) >= 12]
        site = source.site or "example.vn"
        sources.append(_Source(paragraphs, site))
    if not sources:
        raise SystemExit(f"no usable article in {CORPUS}")
    return sources


def _label(unit) -> str:
    """How a text names a unit: "huyện Bình Lục", "Quận 3", "thành phố Hà Nội"."""
    return unit.name if unit.name.lower().startswith(unit.kind) else f"{unit.kind} {unit.name}"


@lru_cache(maxsize=1)
def _geography() -> list[tuple[object, list[tuple[object, list[object]]]]]:
    """Legacy provinces with their districts and each district's communes (districts without
    communes left out)."""
    from gazetteer import get_gazetteer

    g = get_gazetteer()
    out = []
    for province in g.provinces("legacy"):
        districts = [(d, g.children(d)) for d in g.children(province)]
        districts = [(d, c) for d, c in districts if c]
        if districts:
            out.append((province, districts))
    return out


@lru_cache(maxsize=1)
def _surnames() -> list[str]:
    from importlib import resources

    text = resources.files("gazetteer").joinpath("data", "surnames.txt").read_text("utf-8")
    return [x.strip() for x in text.splitlines() if x.strip() and not x.startswith("#")][:40]


def _swap_numbers(sentence: str, rng: random.Random) -> str:
    def swap(m: re.Match[str]) -> str:
        s = m.group(0)
        digits = s.replace(".", "")
        if len(digits) == 4 and digits.startswith(("19", "20")):
            return str(rng.randint(2010, 2025))
        if sentence[m.end() : m.end() + 1] == "%":
            return str(rng.randint(1, 100))
        n = rng.randint(10 ** (len(digits) - 1) if len(digits) > 1 else 1, 10 ** len(digits) - 1)
        return f"{n:,}".replace(",", ".") if "." in s else str(n)

    return _NUMBER.sub(swap, sentence)


def article(i: int, seed: int = SEED) -> Synthetic:
    """The ``i``-th synthetic article of ``seed``'s corpus."""
    rng = random.Random(f"{seed}:{i}")
    sources = _sources()
    geography = _geography()
    province, districts = rng.choice(geography)
    district, communes = rng.choice(districts)
    commune = rng.choice(communes)
    people: dict[str, str] = {}
    places: dict[tuple[str, str], str] = {}

    def place_for(written: str, level: str) -> str:
        key = (written, level)
        if key not in places:
            if level == "tỉnh":
                unit = province if rng.random() < 0.8 else rng.choice(geography)[0]
            elif level == "huyện":
                unit = district if rng.random() < 0.6 else rng.choice(districts)[0]
            else:
                unit = rng.choice(communes if rng.random() < 0.6 else rng.choice(districts)[1])
            with_kind = written.lower().startswith(_KIND_WORDS)
            label = _label(unit) if with_kind else unit.name
            places[key] = label[0].upper() + label[1:] if written[0].isupper() else label
        return places[key]

    def person_for(name: str) -> str:
        if name not in people:
            people[name] = f"{rng.choice(_surnames())} {rng.choice(_MIDDLE)} {rng.choice(_GIVEN)}"
        return people[name]

    def rewrite(sentence: _Sentence) -> str:
        out, pos = [], 0
        for a, b, what, payload in sentence.slots:
            out.append(_swap_numbers(sentence.text[pos:a], rng))
            written = sentence.text[a:b]
            out.append(place_for(written, payload) if what == "place" else person_for(payload))
            pos = b
        out.append(_swap_numbers(sentence.text[pos:], rng))
        return "".join(out)

    paragraphs: list[str] = []
    wanted = rng.randint(12, 30)
    count = 0
    while count < wanted:
        source = rng.choice(sources)
        sents = rng.choice(source.paragraphs)
        start = rng.randrange(len(sents))
        run = sents[start : start + rng.randint(2, 5)]
        paragraphs.append(" ".join(rewrite(sentence) for sentence in run))
        count += len(run)
    published = date(2018, 1, 1) + timedelta(days=rng.randrange(8 * 365))
    headline = rng.choice(_HEADLINES).format(province=province.name, district=_label(district), commune=_label(commune))
    text = "\n\n".join([headline, published.strftime("%d/%m/%Y"), *paragraphs]) + "\n"
    site = rng.choice(sources).site
    return Synthetic(key=f"synthetic:{seed}:{i:06d}", doc=f"syn_{i:06d}.txt", site=site, raw=text.encode("utf-8"),
                     published=published)


def generate(n: int, seed: int = SEED, start: int = 0) -> Iterator[Synthetic]:
    for i in range(start, start + n):
        yield article(i, seed)


def fill_store(store, n: int, seed: int = SEED, start: int = 0) -> int:
    """Register ``n`` synthetic articles in ``store`` (raw input only, facts to be made by
    ``vnfacts process``); return how many."""
    from pipeline.schema import Source

    with store.db.atomic():
        for a in generate(n, seed, start):
            store.add_raw(Source(key=a.key, doc=a.doc, raw=a.raw, site=a.site))
    return n


def write_dir(directory: Path, n: int, seed: int = SEED, start: int = 0) -> int:
    directory.mkdir(parents=True, exist_ok=True)
    for a in generate(n, seed, start):
        (directory / a.doc).write_bytes(a.raw)
    return n


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=SEED)
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--db", type=Path, help="register the articles in this store (raw input, no facts yet)")
    where.add_argument("--out", type=Path, help="write one .txt file per article into this directory")
    args = parser.parse_args(argv)
    if args.db:
        from pipeline.store import Store

        store = Store(args.db)
        fill_store(store, args.articles, args.seed)
        print(f"{args.articles} synthetic articles registered in {args.db}")
        store.close()
    else:
        write_dir(args.out, args.articles, args.seed)
        print(f"{args.articles} synthetic articles written to {args.out}")


if __name__ == "__main__":
    main()
