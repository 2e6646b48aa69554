"""The boundary types: an article's source, what the extractors emit, and what
ANNOTATION.md defines.

Every fact carries its provenance (``sentence``, ``start``, ``end``: character
offsets into the cleaned article text) and the version of the extractor that
made it.  ``annotation()`` gives the fields of the guideline's JSON format.
"""

from __future__ import annotations

from datetime import date
from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

class Source(BaseModel):
    """One input and what is known about it: what the article trip starts from.

    ``key`` is the article's identity in the store: its URL, else "file:" and
    its path relative to the folder it was ingested from.  When that key holds
    another file's article already, the next of ``alt_keys`` is tried (longer
    paths, the absolute one last), so two different files never share a key.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    key: str
    doc: str = Field(description="the name facts carry (ANNOTATION.md's doc): the relative path or the URL's name")
    raw: bytes
    url: str | None = None
    site: str | None = None
    path: str | None = Field(None, description="where it was read from: a file path as given, or the URL fetched")
    file: str | None = Field(None, description="a file's absolute path: which file a file: key belongs to")
    content_type: str | None = Field(None, description="HTTP Content-Type, which may declare a charset")
    published: date | None = Field(None, description="publication date from a manifest, a sitemap or the store, "
                                                     "used when the text gives none")
    alt_keys: tuple[str, ...] = ()

    @property
    def where(self) -> str:
        """How messages name the input: its path or URL as the user knows it."""
        return self.path or self.url or self.key


Kind = Literal["models", "counts", "officials", "places", "dates"]
KINDS: tuple[Kind, ...] = ("models", "counts", "officials", "places", "dates")


class Fact(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sentence: str = Field(description="the sentence the fact comes from, as in the cleaned text")
    sentence_index: int = Field(description="index of that sentence in the article")
    start: int = Field(description="character offset of the evidence in the cleaned text")
    end: int
    extractor: str = Field(description="name@version of the extractor that made it")
    optional: bool = False

    # Fields of ANNOTATION.md's item for this kind, in its order.
    annotation_fields: ClassVar[tuple[str, ...]] = ()

    def annotation(self) -> dict:
        item = {name: getattr(self, name) for name in self.annotation_fields}
        item["optional"] = self.optional
        item.update(sentence=self.sentence, start=self.start, end=self.end)
        return item


class PlaceFact(Fact):
    name: str
    level: Literal["tỉnh", "huyện", "xã", "thôn"]
    province: str | None = None
    kind: str | None = Field(None, description="unit word as written, lower case: tỉnh, thị xã, phường …")
    unit_code: str | None = Field(None, description="gazetteer code of the resolved unit")
    province_2025: str | None = None
    lat: float | None = None
    lon: float | None = None

    annotation_fields: ClassVar[tuple[str, ...]] = ("name", "level", "province")


class CountFact(Fact):
    value: int | float | None
    denominator: int | float | None = None
    unit: str
    qualifier: str | None = None
    text: str = Field(description="the figure as written, e.g. 'trên 1.000'")
    model: str | None = Field(None, description="model name the sentence ties this count to")
    model_canonical: str | None = None
    place: str | None = Field(None, description="most specific place the sentence ties it to")
    place_code: str | None = None
    province: str | None = Field(None, description="province the figure is about: its place's, else the article's")

    annotation_fields: ClassVar[tuple[str, ...]] = ("value", "denominator", "unit", "qualifier")


class OfficialFact(Fact):
    name: str
    rank: str | None = None
    title: str | None = None
    person_key: str = Field(description="cross-article identity key of the person")

    annotation_fields: ClassVar[tuple[str, ...]] = ("name", "rank", "title")


class ModelFact(Fact):
    name: str
    place: str | None = None
    count: int | float | None = None
    canonical: str = Field(description="cross-article key: folded, abbreviations expanded")
    sponsor: str | None = Field(None, description="organisation the text says runs the model")
    place_code: str | None = None
    province: str | None = Field(None, description="province reporting it: its place's, else the article's")
    province_2025: str | None = None

    annotation_fields: ClassVar[tuple[str, ...]] = ("name", "place", "count")


class DateFact(Fact):
    value: str = Field(description="ISO date, month, year, or start/end period")
    text: str

    annotation_fields: ClassVar[tuple[str, ...]] = ("value",)


class ArticleFacts(BaseModel):
    """One article's facts: the JSON line of ``vnfacts extract``."""

    doc: str
    published: date | None = None
    title: str | None = None
    main_province: str | None = None
    models: list[ModelFact] = []
    counts: list[CountFact] = []
    officials: list[OfficialFact] = []
    places: list[PlaceFact] = []
    dates: list[DateFact] = []

    def annotation(self) -> dict:
        out: dict = {"doc": self.doc, "published": self.published.isoformat() if self.published else None}
        for kind in KINDS:
            out[kind] = [fact.annotation() for fact in getattr(self, kind)]
        return out
