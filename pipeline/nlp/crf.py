"""Reader for CRFsuite model files and a Viterbi decoder over feature strings.

Only what inference needs is read: the label names, the attribute names, the
state weights (attribute -> label) and the transition weights (label -> label).
The layout below was checked against the bytes of underthesea's
``ws_crf_vlsp2013_20230727/models.bin`` (little-endian throughout):

* file header, 12 x uint32: magic ``lCRF``, file size, type ``FOMC``, version,
  num_features, num_labels, num_attrs, and the absolute offsets of the
  features chunk, the labels CQDB, the attributes CQDB, the label refs and the
  attribute refs.  (num_features is 0 in that file; the FEAT chunk has the count.)
* ``FEAT`` chunk: ``FEAT``, chunk size, record count, then 20-byte records
  {uint32 type, uint32 src, uint32 dst, float64 weight}.  type 0 is a state
  feature (src = attribute id, dst = label id), type 1 a transition
  (src = previous label id, dst = label id).
* CQDB chunk (one for labels, one for attributes): ``CQDB``, chunk size, flag,
  byte-order check, number of ids, offset of the backward array (relative to
  the chunk start), then 256 hash tables we do not need.  The backward array
  maps id -> record offset (relative to the chunk); a record is
  {uint32 id, uint32 key size, key bytes including a trailing NUL}.

The reference refs (``LFRF``/``AFRF``) only speed up training-side lookups and
are not read.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

__all__ = ["CRFModel", "load_model", "viterbi"]

_HEADER = struct.Struct("<4sI4sI8I")
_FEATURE = struct.Struct("<IIId")
_STATE, _TRANSITION = 0, 1


@dataclass(frozen=True, eq=False)  # identity hash: the attribute dict is not hashable
class CRFModel:
    """A linear-chain CRF as stored by CRFsuite.

    ``attributes`` maps an attribute string (a feature such as ``"T[0]=xã"``)
    to a tuple with one weight per label, so scoring a token is one dict
    lookup per feature.  ``transitions[a][b]`` is the weight of label ``a``
    followed by label ``b``.
    """

    labels: tuple[str, ...]
    attributes: dict[str, tuple[float, ...]]
    transitions: tuple[tuple[float, ...], ...]

    def emissions(self, features: Sequence[Sequence[str]]) -> list[list[float]]:
        """Per-token, per-label state scores; unknown attributes count 0."""
        get = self.attributes.get
        n_labels = len(self.labels)
        out = []
        for token_features in features:
            scores = [0.0] * n_labels
            for attr in token_features:
                weights = get(attr)
                if weights is not None:
                    for y in range(n_labels):
                        scores[y] += weights[y]
            out.append(scores)
        return out

    def tag_ids(self, features: Sequence[Sequence[str]]) -> list[int]:
        """Best label ids for a sequence of per-token feature string lists."""
        return viterbi(self.emissions(features), self.transitions)

    def tag(self, features: Sequence[Sequence[str]]) -> list[str]:
        """Best label names for a sequence of per-token feature string lists."""
        labels = self.labels
        return [labels[y] for y in self.tag_ids(features)]


def viterbi(emissions: Sequence[Sequence[float]], transitions: Sequence[Sequence[float]]) -> list[int]:
    """Most likely label sequence.

    On equal scores the lower label id wins, at every step and at the end,
    which is what CRFsuite and underthesea_core do (strict ``>`` while scanning
    labels in id order), so ties cannot make us disagree with them.
    """
    n = len(emissions)
    if n == 0:
        return []
    n_labels = len(transitions)
    labels = range(n_labels)
    score = list(emissions[0])
    backs: list[list[int]] = []
    for t in range(1, n):
        em = emissions[t]
        new = [0.0] * n_labels
        back = [0] * n_labels
        for y in labels:
            best_prev = 0
            best = score[0] + transitions[0][y]
            for yp in range(1, n_labels):
                s = score[yp] + transitions[yp][y]
                if s > best:
                    best, best_prev = s, yp
            new[y] = best + em[y]
            back[y] = best_prev
        score = new
        backs.append(back)
    best_last = 0
    for y in labels:
        if score[y] > score[best_last]:
            best_last = y
    path = [best_last]
    for back in reversed(backs):
        path.append(back[path[-1]])
    path.reverse()
    return path


def _read_cqdb(data: bytes, offset: int) -> list[str]:
    """Keys of a CQDB chunk, indexed by id, via its backward array."""
    magic, _size, _flag, _byteorder, count, bwd_offset = struct.unpack_from("<4s5I", data, offset)
    if magic != b"CQDB":
        raise ValueError(f"expected a CQDB chunk at {offset}, found {magic!r}")
    record_offsets = struct.unpack_from(f"<{count}I", data, offset + bwd_offset)
    keys = [""] * count
    for i, rec in enumerate(record_offsets):
        key_id, key_size = struct.unpack_from("<II", data, offset + rec)
        if key_id != i:
            raise ValueError(f"CQDB record {i} carries id {key_id}")
        start = offset + rec + 8
        # key_size counts the trailing NUL
        keys[i] = data[start : start + key_size - 1].decode("utf-8")
    return keys


def load_model(path: str | Path) -> CRFModel:
    """Read a CRFsuite (``lCRF``/``FOMC``) model file."""
    data = Path(path).read_bytes()
    (
        magic,
        size,
        model_type,
        version,
        _num_features,
        num_labels,
        num_attrs,
        off_features,
        off_labels,
        off_attrs,
        _off_labelrefs,
        _off_attrrefs,
    ) = _HEADER.unpack_from(data, 0)
    if magic != b"lCRF" or model_type != b"FOMC":
        raise ValueError(f"{path}: not a CRFsuite first-order model ({magic!r}, {model_type!r})")
    if size != len(data):
        raise ValueError(f"{path}: header says {size} bytes, file has {len(data)}")
    if version != 100:
        raise ValueError(f"{path}: unsupported CRFsuite model version {version}")

    labels = _read_cqdb(data, off_labels)
    attrs = _read_cqdb(data, off_attrs)
    if len(labels) != num_labels or len(attrs) != num_attrs:
        raise ValueError(f"{path}: label/attribute counts disagree with the header")

    chunk, _chunk_size, count = struct.unpack_from("<4sII", data, off_features)
    if chunk != b"FEAT":
        raise ValueError(f"{path}: no FEAT chunk at {off_features}")
    state: list[list[float] | None] = [None] * num_attrs
    trans = [[0.0] * num_labels for _ in range(num_labels)]
    for ftype, src, dst, weight in _FEATURE.iter_unpack(
        data[off_features + 12 : off_features + 12 + count * _FEATURE.size]
    ):
        if ftype == _STATE:
            row = state[src]
            if row is None:
                row = state[src] = [0.0] * num_labels
            row[dst] += weight
        elif ftype == _TRANSITION:
            trans[src][dst] += weight
        else:
            raise ValueError(f"{path}: unknown feature type {ftype}")

    # Attributes without any state feature can never change a score: drop them
    # so that a lookup miss and a zero row behave the same and the dict stays small.
    attributes = {name: tuple(row) for name, row in zip(attrs, state) if row is not None}
    return CRFModel(labels=tuple(labels), attributes=attributes, transitions=tuple(map(tuple, trans)))
