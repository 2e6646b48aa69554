"""Stage 3, extract: run the extractor components over a Doc, in dependency order.

Like a spaCy pipeline, a component is a function of the Doc that declares what
it reads and what it leaves on the Doc for later components (``REQUIRES`` and
``ASSIGNS`` in its module; the attribute names are those of
``pipeline.nlp.doc``).  ``build`` checks the order once, when this module is
imported: a component placed before one it depends on fails at start-up, not
with a wrong fact later.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from types import ModuleType

from spacy.tokens import Doc

from extractors import counts, dates, models, officials, places
from pipeline.nlp.doc import COMPONENT_ATTRIBUTES, SEGMENTER_ASSIGNS
from pipeline.schema import ArticleFacts, Fact

__all__ = ["Component", "PipelineOrderError", "build", "COMPONENTS", "VERSIONS", "extract_doc"]


class PipelineOrderError(RuntimeError):
    """Components whose declared requirements are not met by the ones before them."""


@dataclass(frozen=True)
class Component:
    kind: str  # the fact kind it makes ("places"), also its name
    version: str
    requires: tuple[str, ...]
    assigns: tuple[str, ...]
    run: Callable[[Doc], list[Fact]]

    @classmethod
    def from_module(cls, module: ModuleType) -> "Component":
        return cls(module.NAME, module.VERSION, tuple(module.REQUIRES), tuple(module.ASSIGNS), module.extract)


def build(modules: Iterable[ModuleType]) -> list[Component]:
    """The components of ``modules`` in that order, checked: every requirement is
    assigned by the segmenter or by an earlier component, and only known
    attributes are assigned."""
    components = [Component.from_module(m) for m in modules]
    available = set(SEGMENTER_ASSIGNS)
    for c in components:
        missing = [r for r in c.requires if r not in available]
        if missing:
            later = [o.kind for o in components if set(missing) & set(o.assigns)]
            raise PipelineOrderError(
                f"component {c.kind!r} requires {', '.join(missing)}, which "
                + (f"{', '.join(later)} assigns after it" if later else "no component assigns")
            )
        unknown = [a for a in c.assigns if a not in COMPONENT_ATTRIBUTES]
        if unknown:
            raise PipelineOrderError(f"component {c.kind!r} assigns unknown Doc attributes: {', '.join(unknown)}")
        available.update(c.assigns)
    return components


COMPONENTS: list[Component] = build([dates, places, models, counts, officials])
VERSIONS: dict[str, str] = {c.kind: c.version for c in COMPONENTS}


def extract_doc(doc: Doc, components: list[Component] | None = None) -> ArticleFacts:
    """Every component (default: ``COMPONENTS``) over ``doc``; the article's facts."""
    underscore = doc._  # one accessor: spaCy builds a new one on every ``doc._``
    assigned = underscore.assigned = set(SEGMENTER_ASSIGNS)
    results: dict[str, list[Fact]] = {}
    for c in COMPONENTS if components is None else components:
        missing = [r for r in c.requires if r not in assigned]
        if missing:  # a pipeline built without ``build``
            raise PipelineOrderError(f"component {c.kind!r} run before {', '.join(missing)} was assigned")
        results[c.kind] = c.run(doc)
        assigned.update(c.assigns)
    return ArticleFacts(
        doc=underscore.name or "",
        published=underscore.published,
        title=underscore.title,
        main_province=underscore.main_province,
        **results,
    )
