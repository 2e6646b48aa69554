"""The attributes of a vnfacts ``Doc`` (spaCy extensions), and who sets each one.

Set by ``pipeline.nlp.segment.make_doc`` (the segmenter), read by every component:
  ``text``        the cleaned (NFC) text; every offset refers to it (``doc.text``
                  rebuilds it from the tokens on every call, so components read this)
  ``words``       (start, end) spans of the word tokens, whitespace left out
  ``norm``        ``text`` with one tone placement ("Hoà" -> "Hòa"), same length
  ``sents``       (start, end) spans of the sentences
  ``published``   the publication date, or None
  ``title``       the headline, or None
  ``name``        the document's name (file name or URL)

Derived on first use by ``extractors.base`` from the segmenter's output and kept in
``doc.user_data`` (a plain dict: reading an extension builds an accessor object each
time, which costs more than the lookups the extractors make with it):
  ``doc_view`` (the attributes above, read once), ``quotes``, ``word_starts``, ``lower_norm``

Assigned by a component, read by the later ones that declare them in ``REQUIRES``:
  ``place_mentions``, ``main_province``   (places)
  ``model_quotes``                        (models: offset of a model's quote -> its name)
  ``assigned``                            the names assigned so far (checked before each component)
"""

from __future__ import annotations

from spacy.tokens import Doc

__all__ = ["SEGMENTER_ASSIGNS", "COMPONENT_ATTRIBUTES"]

SEGMENTER_ASSIGNS: tuple[str, ...] = ("text", "words", "norm", "sents", "published", "title", "name")
COMPONENT_ATTRIBUTES: tuple[str, ...] = ("place_mentions", "main_province", "model_quotes")

for _name in (*SEGMENTER_ASSIGNS, *COMPONENT_ATTRIBUTES, "assigned"):
    if not Doc.has_extension(_name):
        Doc.set_extension(_name, default=None)
