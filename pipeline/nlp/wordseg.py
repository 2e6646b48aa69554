"""Fast Vietnamese word segmentation with character offsets.

Gives the segmentation of ``underthesea.word_tokenize`` (its CRF model, its 43
feature templates, its dictionary, all read from the installed underthesea
package) several times faster, and returns ``(start, end)`` spans into the
input instead of strings.

Three stages, each replacing one of underthesea's:

* ``tokenize``: syllable / punctuation tokens.  Whitespace-separated chunks
  made of letters only (most of news text) are one token each and never reach
  a regex; the other chunks go through ``_TOKEN``, our own statement of the
  splitting rules underthesea's regex tokenizer applies, in the same priority
  order (the first rule that matches at a position wins, not the longest).
* features: the CRF state score of a token is a sum over 43 feature strings
  (see ``WordSegmenter.features`` for the exact strings).  Every template looks
  at a window of 1, 2 or 3 consecutive tokens, so the scores of all templates
  that read the same window are summed once per window text and cached; a
  token then costs a few dict lookups instead of 43 string builds.
* decoding: the model has two labels (B-W starts a word, I-W continues one);
  Viterbi only needs the difference of their state scores.

Known differences with underthesea (see ``_TOKEN`` for details):

* text must be NFC (``pipeline.text.nfc``); underthesea NFC-normalises first,
  which can move offsets, so on other input only the features are normalised.
* URLs with nested or unbalanced parentheses may be cut differently.
* underthesea's token normaliser rewrites some tokens (old-style tone marks
  "hoá" -> "hóa", typos "nghành" -> "ngành", and "ð" -> "đ"); we feed the
  rewritten form to the model, as underthesea does, but our spans cut out the
  original text, so a word may differ from underthesea's output string in
  exactly those characters.
"""

from __future__ import annotations

import pickle
import re
import sys
import unicodedata
from functools import cached_property, lru_cache
from importlib.util import find_spec
from itertools import compress
from operator import add
from pathlib import Path
from typing import Callable, Iterable, Sequence

from pipeline.nlp.crf import CRFModel, load_model

__all__ = ["tokenize", "WordSegmenter", "get_segmenter", "default_model_dir"]

Span = tuple[int, int]

# ---------------------------------------------------------------------------
# Tokenizer
# ---------------------------------------------------------------------------

# Vietnamese letters as underthesea's abbreviation rules see them: ASCII
# letters, Đ, and every vowel (plain, breve, circumflex, horn) with each of the
# five tone marks.  Other Latin letters (ç, ñ, ...) are deliberately left out.
_TONES = "\u0300\u0301\u0309\u0303\u0323"  # huyền sắc hỏi ngã nặng
_VN_UPPER = "A-ZĐĂÂÊÔƠƯ" + "".join(
    unicodedata.normalize("NFC", base + tone) for base in "AĂÂEÊIOÔƠUƯY" for tone in _TONES
)
_VN_LOWER = "a-zđăâêôơư" + "".join(
    unicodedata.normalize("NFC", base + tone) for base in "aăâeêioôơuưy" for tone in _TONES
)
_UP = f"[{_VN_UPPER}]"
_LETTER = f"[{_VN_UPPER}{_VN_LOWER}]"
_PAREN = r"\((?:[^\s()]|\([^\s()]*\))*\)"  # "(x)", "(a(b)c)" inside a URL

# One alternative per rule, in underthesea's priority order.  re tries them
# left to right at each position and keeps the first that matches, so the
# order is part of the behaviour (e.g. "3x4" is a dimension before it is a
# number, "UBND." keeps its dot unless it ends the text).  Written in VERBOSE
# mode; literal spaces never occur in a token.
_TOKEN = re.compile(
    rf"""
    # arrows, runs of dots or dashes, dimensions, "v.v.", degrees
      ==?> | -> | \.{{2,}} | -{{2,}} | >>
    | \d+x\d+
    | v\.v(?:\.(?:\.\.)?)?
    | °[CF]
    # abbreviations
    | [A-ZĐ]+&[A-ZĐ]+                       # H&M
    | T\.Ư
    | {_UP}+(?:\.{_LETTER}+)+\.?            # TP.HCM, GS.TS (a final dot is kept)
    | {_LETTER}+['’]{_LETTER}+              # H'Mông, N’Thôn
    | [A-ZĐ]+\.(?!$)                        # "UBND." / "Q." unless at the very end
    | Tp\. | Mrs?\. | Ms\. | Dr\. | ThS\.
    | Th.[Ss]                               # sic: any character between "Th" and "s"
    | e-mail
    | \d+[A-Z]+\d*-\d+                      # licence plates: 43H-0530
    | NĐ-CP
    # URLs: with a scheme, or a host followed by a slash; then a run of
    # non-space, non-bracket characters or parenthesised groups (which may
    # hold one level of groups), not ending in sentence punctuation.
    | (?:(?:ftp|http)s?:(?:/{{1,3}}|[a-z0-9%]) | [a-z0-9.\-]+\.[a-z]{{2,13}}/)
      (?:[^\s()<>{{}}\[\]] | {_PAREN})+    # one character per step: no exponential backtracking
      (?:[^\s`!()\[\]{{}};:'".,<>?«»“”‘’] | {_PAREN})
    # bare domains (not the local part of an e-mail address)
    | (?<!@)[a-z0-9]+(?:[.\-][a-z0-9]+)*\.[a-z]{{2,13}}\b/?(?!@)
    | [a-zA-Z0-9_.+\-]+@[a-zA-Z0-9\-]+\.[a-zA-Z0-9.\-]+   # e-mail (a final dot is kept)
    # numbers, dates, times
    | \d{{2,}}-\d{{3,}}-\d{{3,}}                            # phone 03-5730-2357
    | \d{{1,2}}(?:/\d{{1,2}}/\d+ | /\d{{1,4}} | -\d{{1,2}}-\d+ | -\d{{1,4}} | \.\d{{1,2}}\.\d+)
    | \d{{4}}/\d{{1,2}}/\d{{1,2}}
    | \d{{2}}:\d{{2}}:\d{{2}}
    | \d+[A-Z]+\d*                          # 4K, 3G
    | \d+(?:(?:\.\d+)+(?:,\d+)? | (?:,\d+)+ | _\d+)?   # 1.000  4.123,2  92,6  100,000
    # emoticons
    | :\)+ | =\)\)+ | ♥‿♥ | :D+(?=\s|$) | <3
    | [.,()ʺ]
    # words, hyphenated words, anything else one character at a time
    | \b\w+-[\w+\-]*\w+                     # Covid-19, pi-pe-ra-zin
    | \w+
    | :+
    | [^\w\s]
    """,
    re.VERBOSE,
)
# Sentences where a chunk of letters may still need the regex: underthesea
# cuts "Th" + any character + "s"/"S" off as an abbreviation ("Thisbe" ->
# "This" + "be"), and "ʺ" is a letter to Python but punctuation to underthesea.
_RISKY = re.compile(r"Th.[sS]|ʺ")
# Punctuation that, directly before or after a word or a plain number, is
# always a token of its own (no rule joins it to a neighbour), with two
# exceptions checked in _split_chunk: "." and ":" only as the last character
# (".." and ":)" are single tokens), and "." right after an all-capitals word
# or "Tp"/"Mr"/... ("UBND." keeps its dot unless it ends the sentence).
_LEAD = "(“\"[‘"
_TRAIL = ",;:)”\"…?!.]"
_DOT_ABBR = frozenset({"Tp", "Mr", "Mrs", "Ms", "Dr", "ThS"})

# underthesea's character normaliser: characters that look like đ.
_CHAR_FIX = str.maketrans({"ð": "đ", "Ð": "Đ"})


def _plain_word(word: str, careful: bool) -> bool:
    """A run of letters that underthesea keeps as one ``\\w+`` token."""
    return word.isalpha() and not (
        careful and (word[0] == "ʺ" or (word[3:4] in ("s", "S") and word.startswith("Th")))
    )


def _split_chunk(text: str, pos: int, part: str, careful: bool, starts: list[int], toks: list[str]) -> None:
    """Tokens of the space-free piece ``part`` found at ``text[pos:]``."""
    if len(part) == 1:
        if not part.isspace():
            starts.append(pos)
            toks.append(part)
        return
    # Common case: a word or a plain number with quotes, brackets or
    # sentence punctuation attached: "(Bình", "Lục).", "“Toàn", "2020,".
    rest = part.lstrip(_LEAD)
    core = rest.rstrip(_TRAIL)
    if core:
        trail = rest[len(core) :]
        if core.isdecimal():
            ok = True
        elif _plain_word(core, careful):
            ok = trail[:1] != "." or not (core.isupper() or core in _DOT_ABBR)
        else:
            ok = False
        if ok and len(trail) > 1 and ("." in trail[:-1] or ":" in trail[:-1]):
            ok = False
        if ok:
            for ch in part[: len(part) - len(rest)]:
                starts.append(pos)
                toks.append(ch)
                pos += 1
            starts.append(pos)
            toks.append(core)
            pos += len(core)
            for ch in trail:
                starts.append(pos)
                toks.append(ch)
                pos += 1
            return
    # Everything else goes through the rules.  match() runs on the whole
    # text, not on the piece, because rules look at neighbouring characters
    # (\b, (?<!@), (?!$)); no rule matches whitespace, so a match never leaves
    # the piece, and other whitespace inside it (no-break space) is skipped.
    match = _TOKEN.match
    end = pos + len(part)
    while pos < end:
        m = match(text, pos)
        if m is None:  # whitespace
            pos += 1
            continue
        e = m.end()
        starts.append(pos)
        toks.append(text[pos:e])
        pos = e


def _tokens(text: str) -> tuple[list[int], list[str]]:
    """Start offsets and strings of the tokens of ``text``.

    Like underthesea, "ð"/"Ð" are read as "đ"/"Đ" (the returned strings have
    the latter); the replacement keeps the length, so offsets are unchanged.
    """
    if "ð" in text or "Ð" in text:
        text = text.translate(_CHAR_FIX)
    starts: list[int] = []
    toks: list[str] = []
    add_start = starts.append
    add_tok = toks.append
    careful = _RISKY.search(text) is not None
    pos = 0
    # split(" ") rather than a regex: it is several times cheaper per token,
    # and other whitespace is handled by _split_chunk.
    for part in text.split(" "):
        # A run of letters is a single token: every rule that could cut it
        # needs a digit, a dot, a hyphen, a quote, "&", "@" or ":" (but see _RISKY).
        if part.isalpha() and not (careful and not _plain_word(part, careful)):
            add_start(pos)
            add_tok(part)
        elif part:
            _split_chunk(text, pos, part, careful, starts, toks)
        pos += len(part) + 1
    return starts, toks


def tokenize(text: str) -> list[Span]:
    """(start, end) spans of the syllable/punctuation tokens of ``text``.

    Splits as underthesea's regex tokenizer does (whitespace is skipped and
    never part of a token); ``text[start:end]`` is the token.
    """
    starts, toks = _tokens(text)
    return [(s, s + len(t)) for s, t in zip(starts, toks)]


# ---------------------------------------------------------------------------
# Model files
# ---------------------------------------------------------------------------

_MODEL_NAME = "ws_crf_vlsp2013_20230727"
_RULES_NAME = "tn_rules_2023_07_14.bin"


def _underthesea_dir() -> Path:
    # find_spec locates the package without running its (slow) __init__.
    spec = find_spec("underthesea")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError("underthesea is not installed")
    return Path(next(iter(spec.submodule_search_locations)))


def default_model_dir() -> Path:
    """underthesea's installed word segmentation model directory."""
    return _underthesea_dir() / "pipeline" / "word_tokenize" / "models" / _MODEL_NAME


def _load_pickle(path: Path) -> object:
    # underthesea writes these with joblib; for plain Python objects that is a
    # plain pickle, which loads without importing joblib (0.3 s).
    try:
        with path.open("rb") as fh:
            return pickle.load(fh)
    except pickle.UnpicklingError:
        import joblib

        return joblib.load(path)


def _load_token_map() -> dict[str, str]:
    """underthesea's token normalisation table (e.g. "hoá" -> "hóa")."""
    path = _token_map_path()
    if path.exists():
        rules = _load_pickle(path)
        return dict(rules["token"])  # type: ignore[index]
    from underthesea.pipeline.text_normalize.text_normalizer import token_map

    return dict(token_map)


# ---------------------------------------------------------------------------
# Features
# ---------------------------------------------------------------------------

_TEMPLATE = re.compile(r"T\[(-?\d+)(?:,(-?\d+))?\](?:\.(lower|isdigit|istitle|is_in_dict))?")


class _Template:
    """One feature template, e.g. ``T[-1,1].is_in_dict``: tokens -1..1, joined by spaces."""

    __slots__ = ("name", "first", "last", "func")

    def __init__(self, name: str) -> None:
        m = _TEMPLATE.fullmatch(name)
        if m is None:
            raise ValueError(f"unsupported feature template {name!r}")
        self.name = name
        self.first = int(m.group(1))
        self.last = int(m.group(2)) if m.group(2) is not None else self.first
        self.func: str | None = m.group(3)
        if self.last < self.first:
            raise ValueError(f"unsupported feature template {name!r}")


def _is_i32(text: str) -> bool:
    """underthesea's ``isdigit``: Rust ``str::parse::<i32>`` succeeds.

    So an optional sign, ASCII digits only, inside the i32 range: "08" is
    True, "1.000", "١٢" and "99999999999" are False.
    """
    body = text[1:] if text[:1] in ("+", "-") else text
    # the length test first: int() of thousands of digits is slow, and refused past 4,300
    return body.isascii() and body.isdigit() and len(body) <= 10 and -(2**31) <= int(text) < 2**31


def _is_title(text: str) -> bool:
    """underthesea's ``istitle``: the first character of every space-separated
    part is unchanged by upper-casing (so "3/2020", "," and "UBND" are titles)."""
    for part in text.split(" "):
        c = part[:1]
        if c.upper() != c:
            return False
    return True


# Windows met at run time, per cache (tokens, pairs, triples), before it is emptied: a
# batch worker meets new ones in every article, and a cache entry costs ~200 bytes.  A miss
# costs one lookup in the model's tables, so a small cache loses little speed.
_CACHE_LIMIT = 50_000


def _window_of(text: str) -> tuple[str, ...]:
    """A window's text ("a b") as the tuple of its tokens, interned: a token met in many
    windows is one string, pickled once in the prebuilt tables."""
    return tuple(map(sys.intern, text.split(" ")))


def _by_window(table: dict[str, tuple[float, ...]], k: int) -> dict[tuple[str, ...], tuple[float, ...]]:
    """``table`` keyed by token tuples; texts that are no window of k tokens (an empty
    token, another count of spaces) can never be looked up and are left out."""
    out = {}
    for text, vec in table.items():
        window = _window_of(text)
        if len(window) == k and all(window):
            out[window] = vec
    return out


def _make_combine(layout: list[tuple[int, list[int]]]) -> Callable[..., list[float]]:
    """Build ``combine(windows_1, windows_2, ...)`` -> per-token score.

    ``windows_k[j]`` is the vector of the k-token window starting at token
    ``j + min(offsets)``; token i adds entry m of the window at i + offsets[m].
    The sum is generated as one list comprehension over shifted zips, which
    is several times faster than one pass per (k, offset).
    """
    args, terms, iters = [], [], []
    for k, offsets in layout:
        arg = f"w{k}"
        args.append(arg)
        lo = offsets[0]
        for m, o in enumerate(offsets):
            var = f"v{k}_{m}"
            terms.append(f"{var}[{m}]")
            iters.append((var, f"{arg}[{o - lo}:]" if o != lo else arg))
    src = (
        f"def combine({', '.join(args)}):\n"
        f"    return [{' + '.join(terms) or '0.0'} for {', '.join(v for v, _ in iters)},"
        f" in zip({', '.join(i for _, i in iters)})]\n"
    )
    namespace: dict[str, object] = {}
    exec(compile(src, "<wordseg combine>", "exec"), namespace)  # noqa: S102 - built from integers only
    return namespace["combine"]  # type: ignore[return-value]


# What ``_compile`` makes from the model files: kept prebuilt (``pipeline.prebuilt``), so a
# new process unpickles it in ~50 ms instead of reading and regrouping the model (~0.4 s).
# (the whole dictionary is not: windows of several tokens find it in ``_unseen``, single
# tokens in ``_words``; ``features`` reads it again when asked)
_STATE = ("templates", "_words", "token_map", "_lengths", "_layout", "_known_base", "_lowered", "_flags",
          "_unseen", "_bos", "_eos", "_trans")


def _token_map_path() -> Path:
    return _underthesea_dir() / "pipeline" / "text_normalize" / _RULES_NAME


def _built_state(model_dir: Path) -> dict[str, object]:
    seg = WordSegmenter.__new__(WordSegmenter)
    seg.model_dir = model_dir
    seg._read()
    seg._compile()
    return {name: getattr(seg, name) for name in _STATE}


class WordSegmenter:
    """underthesea's CRF word segmenter, returning character spans."""

    def __init__(self, model_dir: Path | None = None, prebuilt: bool = True) -> None:
        """``prebuilt``: take the compiled tables from the cache (``pipeline.prebuilt``),
        building and keeping them the first time; False: read the model files now."""
        from pipeline import prebuilt as cache

        self.model_dir = Path(model_dir) if model_dir is not None else default_model_dir()
        if prebuilt:
            inputs = [self.model_dir / n for n in ("models.bin", "features.bin", "dictionary.bin")]
            inputs += [p for p in (_token_map_path(),) if p.exists()]
            here = Path(__file__).resolve().parent
            state = cache.load("wordseg", lambda: _built_state(self.model_dir), inputs,
                               code=[here / "wordseg.py", here / "crf.py"])
            self.__dict__.update(state)
            self._combine = _make_combine(self._layout)
            self.clear_caches()
        else:
            self._read()
            self._compile()

    @cached_property
    def dictionary(self) -> frozenset[str]:
        """underthesea's dictionary: lowercase words, syllables joined by " " (read on first
        use: decoding needs only ``_words`` and ``_unseen``)."""
        return frozenset(_load_pickle(self.model_dir / "dictionary.bin"))  # type: ignore[arg-type]

    @cached_property
    def model(self) -> CRFModel:
        """The CRF model as stored (read on first use: decoding needs only the tables
        ``_compile`` made from it)."""
        return load_model(self.model_dir / "models.bin")

    def _read(self) -> None:
        """Read the model, its feature templates, its dictionary and the token map."""
        model_dir = self.model_dir
        self.model = load_model(model_dir / "models.bin")
        names = _load_pickle(model_dir / "features.bin")  # e.g. ["T[-2]", ..., "T[0,2].is_in_dict"]
        self.templates = [_Template(str(t)) for t in names]  # type: ignore[attr-defined]
        self.dictionary = frozenset(_load_pickle(model_dir / "dictionary.bin"))  # type: ignore[misc]
        self._words = frozenset(w for w in self.dictionary if " " not in w)  # the one-syllable entries
        self.token_map = _load_token_map()
        if set(self.model.labels) != {"B-W", "I-W"}:
            raise ValueError(f"expected labels B-W/I-W, model has {self.model.labels}")

    # -- reference feature strings -------------------------------------------------

    def features(self, tokens: Sequence[str]) -> list[list[str]]:
        """The feature strings of each token, byte-identical to
        ``underthesea_core.CRFFeaturizer(features, dictionary).process``.

        Out-of-sentence windows give ``name=BOS`` / ``name=EOS``: BOS if the
        window's first token is before the sentence, else EOS if its last
        token is after it.  ``tokens`` are the strings the model sees
        (already through ``normalize``).
        """
        n = len(tokens)
        dictionary = self.dictionary
        out: list[list[str]] = []
        for i in range(n):
            feats: list[str] = []
            for tpl in self.templates:
                a, b = i + tpl.first, i + tpl.last
                if a < 0:
                    feats.append(f"{tpl.name}=BOS")
                    continue
                if a >= n:
                    feats.append(f"{tpl.name}=EOS")
                    continue
                if b < 0:
                    feats.append(f"{tpl.name}=BOS")
                    continue
                if b >= n:
                    feats.append(f"{tpl.name}=EOS")
                    continue
                text = " ".join(tokens[a : b + 1])
                func = tpl.func
                if func == "lower":
                    value = text.lower()
                elif func == "isdigit":
                    value = str(_is_i32(text))
                elif func == "istitle":
                    value = str(_is_title(text))
                elif func == "is_in_dict":
                    value = str(text.lower() in dictionary)
                else:
                    value = text
                feats.append(f"{tpl.name}={value}")
            out.append(feats)
        return out

    def normalize(self, tokens: Iterable[str]) -> list[str]:
        """The token strings underthesea's model sees: its token normaliser
        applied (NFC, ð -> đ, then its table of misspellings / old tone
        placement for tokens of at most 6 characters)."""
        get = self.token_map.get
        out = []
        for t in tokens:
            if not unicodedata.is_normalized("NFC", t):
                t = unicodedata.normalize("NFC", t)
            t = t.translate(_CHAR_FIX)
            out.append(get(t, t))
        return out

    # -- fast scoring ----------------------------------------------------------------

    def _compile(self) -> None:
        """Regroup the model's state weights by window.

        A template over k tokens starting at offset o gives the token at i
        the weight of ``name=value`` where value is computed from the window
        of k tokens starting at i + o.  Only the difference w(B-W) - w(I-W)
        matters to the decoder.  For each window length k we precompute the
        "window vector", the summed difference of every k-token template,
        one entry per offset, as a function of the window text alone:

        * ``_known[k]``: window -> vector, for every window that some
          identity template has a weight for (the common words and pairs of
          news text); other windows met at run time are cached here too
          (single tokens in ``_unigrams``, with their lowercase and istitle).
        * ``_lowered[1][istitle]``: lowercase token -> vector, for tokens only
          a ``.lower`` template knows;
        * ``_flags[1][(isdigit, istitle, is_in_dict)]``: the boolean templates.
        * ``_unseen[k]``: for a window of k >= 2 tokens that no identity template
          knows, (lowercase window -> its vectors, the vectors of any other), a pair
          (not istitle, istitle) each: ``.lower`` templates and the dictionary's flags
          in one lookup.
        * ``_bos[k]`` / ``_eos[k]``: windows sticking out of the sentence.

        A window of one token is its string; of k >= 2 tokens, the tuple of its
        token strings (the text the templates join with spaces, split again:
        tokens hold no space).  A tuple of tokens is hashed from the tokens'
        own, already computed hashes, so looking windows up needs no joined
        string per window, and ``map`` over ``zip`` does it without a Python
        loop.
        """
        attrs = self.model.attributes
        b_id = self.model.labels.index("B-W")
        i_id = self.model.labels.index("I-W")
        dictionary = self.dictionary
        by_len: dict[int, list[_Template]] = {}
        for tpl in self.templates:
            by_len.setdefault(tpl.last - tpl.first + 1, []).append(tpl)
        # Each template's values, found by its "name=" prefix (names never contain "=").
        values: dict[str, dict[str, float]] = {tpl.name: {} for tpl in self.templates}
        for attr, w in attrs.items():
            name, sep, value = attr.partition("=")
            table = values.get(name)
            if table is not None and sep:
                table[value] = w[b_id] - w[i_id]

        def vsum(first: Sequence[float], *more: Sequence[float] | None) -> tuple[float, ...]:
            total = tuple(first)
            for vec in more:
                if vec is not None:
                    total = tuple(map(add, total, vec))
            return total

        self._lengths = sorted(by_len)
        self._layout: list[tuple[int, list[int]]] = []
        self._known_base: dict[int, dict[str, tuple[float, ...]]] = {}
        self._lowered: dict[int, tuple[dict[str, tuple[float, ...]], dict[str, tuple[float, ...]]]] = {}
        self._flags: dict[int, dict[tuple[bool, bool, bool], tuple[float, ...]]] = {}
        Pair = tuple[tuple[float, ...], tuple[float, ...]]  # (not istitle, istitle)
        self._unseen: dict[int, tuple[dict[tuple[str, ...], Pair], Pair]] = {}
        self._bos: dict[int, tuple[float, ...]] = {}
        self._eos: dict[int, tuple[float, ...]] = {}
        for k in self._lengths:
            tpls = by_len[k]
            offsets = sorted({t.first for t in tpls})
            index = {o: j for j, o in enumerate(offsets)}
            width = len(offsets)
            plain: dict[str, list[float]] = {}
            lower: dict[str, list[float]] = {}
            parts = {f: ([0.0] * width, [0.0] * width) for f in ("isdigit", "istitle", "is_in_dict")}
            bos, eos = [0.0] * width, [0.0] * width
            for t in tpls:
                j = index[t.first]
                table = values[t.name]
                bos[j] += table.get("BOS", 0.0)
                eos[j] += table.get("EOS", 0.0)
                if t.func in parts:
                    true_vec, false_vec = parts[t.func]
                    true_vec[j] += table.get("True", 0.0)
                    false_vec[j] += table.get("False", 0.0)
                    continue
                # (BOS/EOS included: a token spelled "BOS" makes the same
                # attribute as a window before the sentence)
                target = lower if t.func == "lower" else plain
                for value, w in table.items():
                    target.setdefault(value, [0.0] * width)[j] += w
            flags = {
                key: vsum(*(parts[f][0 if on else 1] for f, on in zip(("isdigit", "istitle", "is_in_dict"), key)))
                for key in ((d, t, i) for d in (False, True) for t in (False, True) for i in (False, True))
            }
            known = {}
            for text, vec in plain.items():
                low = text.lower()
                key = (_is_i32(text), _is_title(text), low in dictionary)
                known[text] = vsum(flags[key], vec, lower.get(low))
            lowered = tuple(
                {low: vsum(flags[(_is_i32(low), title, low in dictionary)], vec) for low, vec in lower.items()}
                for title in (False, True)
            )
            if k > 1:
                known = _by_window(known, k)
                lowered = tuple(_by_window(table, k) for table in lowered)
                # several tokens: the text has a space, so never an i32
                in_dictionary = {w for w in map(_window_of, dictionary) if len(w) == k and all(w)}
                # one table for both istitle values: window -> (vector if not title, if title)
                in_dict = (flags[(False, False, True)], flags[(False, True, True)])
                not_in = (flags[(False, False, False)], flags[(False, True, False)])
                table = dict.fromkeys(in_dictionary, in_dict)
                for w in {*lowered[0], *lowered[1]}:
                    flag = in_dict if w in in_dictionary else not_in
                    table[w] = (lowered[0].get(w) or flag[0], lowered[1].get(w) or flag[1])
                self._unseen[k] = (table, not_in)
            self._layout.append((k, offsets))
            self._known_base[k] = known
            if k == 1:  # windows of several tokens read ``_unseen``, made from these: not kept twice
                self._lowered[k] = lowered  # type: ignore[assignment]
                self._flags[k] = flags
            self._bos[k] = tuple(bos)
            self._eos[k] = tuple(eos)
        self._combine = _make_combine(self._layout)
        self.clear_caches()
        trans = self.model.transitions
        self._trans = (trans[b_id][b_id], trans[i_id][b_id], trans[b_id][i_id], trans[i_id][i_id])

    def clear_caches(self) -> None:
        """Forget the window vectors computed at run time (the bench uses
        this to time a cold start; results never depend on it)."""
        self._known = {k: dict(base) for k, base in self._known_base.items()}
        # token -> (vector, lowercase, istitle)
        self._unigrams: dict[str, tuple[tuple[float, ...], str, bool]] = {
            text: (vec, text.lower(), _is_title(text)) for text, vec in self._known_base.get(1, {}).items()
        }

    def _unigram(self, token: str) -> tuple[tuple[float, ...], str, bool]:
        """Window vector, lowercase form and istitle of a token not seen yet."""
        cache = self._unigrams
        if len(cache) > len(self._known_base.get(1, ())) + _CACHE_LIMIT:
            self.clear_caches()
            cache = self._unigrams
        low = token.lower()
        title = _is_title(token)
        if 1 in self._known_base:
            vec = (
                self._known[1].get(token)
                or self._lowered[1][title].get(low)
                or self._flags[1][(_is_i32(token), title, low in self._words)]
            )
        else:  # no single-token templates: only lowercase/istitle are needed
            vec = ()
        info = cache[token] = (vec, low, title)
        return info

    def _windows(
        self, k: int, toks: list[str], lows: tuple[str, ...], titles: Sequence[bool]
    ) -> list[tuple[float, ...]]:
        """Vectors of the windows of k >= 2 tokens, one per start 0 .. n-k."""
        known = self._known[k]
        vecs = list(map(known.get, zip(*[toks[i:] for i in range(k)])))
        if None in vecs:
            if len(known) > len(self._known_base[k]) + _CACHE_LIMIT:
                known = self._known[k] = dict(self._known_base[k])
            table, other = self._unseen[k]
            last = k - 1
            for j in [j for j, v in enumerate(vecs) if v is None]:
                # istitle of the window: of all its tokens (k <= 3 spelled out)
                title = titles[j] and titles[j + last] and titles[j + 1] if k <= 3 else all(titles[j : j + k])
                # the lowercase window: the tokens' lowercase forms (cached per token;
                # str.lower on Vietnamese text is not cheap)
                vecs[j] = known[tuple(toks[j : j + k])] = table.get(lows[j : j + k], other)[title]
        return vecs

    def _scores(self, toks: list[str]) -> list[float]:
        """B-W minus I-W state score of each token."""
        n = len(toks)
        get = self._unigrams.get
        infos = list(map(get, toks))
        if None in infos:
            unigram = self._unigram
            infos = [info or unigram(t) for info, t in zip(infos, toks)]
        uvecs, lows, titles = zip(*infos)
        windows = []
        for k, offsets in self._layout:
            lo, hi = offsets[0], offsets[-1]
            # window starts lo .. n-1+hi: before the sentence BOS, past its
            # end EOS (BOS wins when both, as in underthesea_core)
            real = uvecs if k == 1 else self._windows(k, toks, lows, titles)
            seq = [
                *([self._bos[k]] * max(0, -lo)),
                *real,
                *([self._eos[k]] * max(0, (n - 1 + hi) - max(0, n - k + 1) + 1)),
            ]
            windows.append(seq[lo:] if lo > 0 else seq)
        return self._combine(*windows)

    def tags(self, tokens: Sequence[str]) -> list[bool]:
        """For each (already normalised) token, True if it starts a word (B-W)."""
        n = len(tokens)
        if n == 0:
            return []
        d = self._scores(list(tokens))
        t_bb, t_ib, t_bi, t_ii = self._trans
        # Scores relative to the I-W state score, which is the same for every
        # path through a position and so cannot change the best path.
        s_b, s_i = d[0], 0.0
        back_b: list[bool] = []  # is B the best predecessor of B at t+1?
        back_i: list[bool] = []  # is B the best predecessor of I at t+1?
        add_b = back_b.append
        add_i = back_i.append
        for x in d[1:]:
            bb = s_b + t_bb
            ib = s_i + t_ib
            bi = s_b + t_bi
            ii = s_i + t_ii
            # ties go to B-W (label 0), as in underthesea_core
            if bb >= ib:
                add_b(True)
            else:
                add_b(False)
                bb = ib
            if bi >= ii:
                add_i(True)
                s_i = bi
            else:
                add_i(False)
                s_i = ii
            s_b = bb + x
        cur = s_b >= s_i
        path = [cur]
        for t in range(n - 2, -1, -1):
            cur = back_b[t] if cur else back_i[t]
            path.append(cur)
        path.reverse()
        return path

    # -- public API ----------------------------------------------------------------

    def model_tokens(self, text: str) -> tuple[list[int], list[str], list[str]]:
        """Token starts, token strings and the strings the model sees."""
        starts, toks = _tokens(text)
        if unicodedata.is_normalized("NFC", text):
            # map(get, toks, toks) is get(t, t) per token, without a Python loop
            return starts, toks, list(map(self.token_map.get, toks, toks))
        return starts, toks, self.normalize(toks)

    def segment(self, text: str) -> list[Span]:
        """(start, end) spans of the words of one sentence.

        A word of several syllables is one span, e.g. "Bình Mỹ" in
        "thị trấn Bình Mỹ"; spans never include surrounding whitespace.
        """
        starts, toks, model_toks = self.model_tokens(text)
        if not toks:
            return []
        tags = self.tags(model_toks)
        # the first token opens a word whatever its tag, as in underthesea
        tags[0] = True
        # token j ends a word when token j+1 starts one, or is the last token
        ends = map(add, starts, map(len, toks))
        return list(zip(compress(starts, tags), compress(ends, tags[1:] + [True])))

    def segment_many(self, sentences: list[str]) -> list[list[Span]]:
        """``segment`` for each sentence."""
        segment = self.segment
        return [segment(s) for s in sentences]

    def words(self, text: str) -> list[str]:
        """The words of one sentence as strings (original spelling)."""
        return [text[s:e] for s, e in self.segment(text)]


@lru_cache(maxsize=1)
def get_segmenter() -> WordSegmenter:
    """The shared segmenter over underthesea's installed model (loaded once: ~50 ms from
    the prebuilt tables, ~0.5 s the first time they are built)."""
    return WordSegmenter()
