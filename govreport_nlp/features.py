"""Features of a paragraph: its words, its characters, its opening (content), and its place in the report (context).

A paragraph reaches the classifiers as a plain ``dict`` (see :func:`as_input`):
``text`` always, and, when it was read as part of a report, its context:
``headings`` (the heading chain, outermost first), ``role`` (the structural role
of its section), ``cued`` (whether a heading said so), ``position`` (0..1 through
the report), ``kind`` and ``last`` (among the report's last few paragraphs).
A bare string is a paragraph without context and gets content-only features.

:class:`ParagraphFeatures` turns the content of a list of such inputs into one
sparse matrix, built only from standard scikit-learn vectorizers over
pre-segmented text, so a fitted featurizer can be saved as vocabularies and
weights (no code). :func:`context_features` describes the context; the
classifier combines the two (see :mod:`govreport_nlp.classifier`).

Examples
--------
>>> f = ParagraphFeatures(min_df=1).fit(["深化放管服改革，推行证照分离。", "加强行政复议应诉工作。"])
>>> X = f.transform(["推行证照分离。"])
>>> X.shape[0], X.shape[1] == len(f.get_feature_names_out())
(1, True)
"""

from __future__ import annotations

import itertools
import json
import math
import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any, Iterable, Mapping, Sequence

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction import DictVectorizer
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.utils.validation import check_is_fitted

from .document import Paragraph, Report
from .errors import GovReportError
from .segmentation import Segmenter, shared_segmenter, stopwords, trie_pattern
from .structure import detect_heading

__all__ = [
    "Lexicon",
    "ParagraphFeatures",
    "as_input",
    "context_features",
    "lexicon",
    "opening",
    "report_inputs",
    "tense_counts",
    "topic_masked",
]

# how many of a report's last paragraphs count as "at the end" (closings live there)
_TAIL = 3
_DIGITS = re.compile(r"[0-9０-９]+(?:[.．][0-9０-９]+)?")


# --- inputs ----------------------------------------------------------------

def as_input(x: str | Mapping[str, Any] | Paragraph) -> dict[str, Any]:
    """One paragraph as the classifiers' input dict.

    Examples
    --------
    >>> as_input("加强行政执法监督。")
    {'text': '加强行政执法监督。'}
    >>> as_input({"text": "推行证照分离。", "role": "plans"})["role"]
    'plans'
    """
    if isinstance(x, str):
        return {"text": x}
    if isinstance(x, Paragraph):
        return {"text": x.text, "headings": list(x.headings), "role": x.role, "kind": x.kind}
    if isinstance(x, Mapping):
        text = x.get("text")
        if not isinstance(text, str):
            raise GovReportError("a paragraph input needs a 'text' string.")
        return dict(x)
    raise GovReportError(f"cannot classify a {type(x).__name__}; give text, a dict with 'text', or a Paragraph.")


def content_only(x: Mapping[str, Any]) -> dict[str, Any]:
    """The same paragraph with its report context removed."""
    return {"text": x["text"]}


def has_context(x: Mapping[str, Any]) -> bool:
    return any(k in x and x[k] is not None for k in ("role", "headings", "position"))


def report_inputs(report: Report) -> list[dict[str, Any]]:
    """Inputs for every paragraph of a parsed report, with their context.

    Examples
    --------
    >>> from govreport_nlp import parse
    >>> r = parse("一、下一步工作打算\\n（一）继续深化放管服改革，推行告知承诺制。")
    >>> x = report_inputs(r)[1]
    >>> x["role"], x["headings"], x["cued"]
    ('plans', ['下一步工作打算'], True)
    """
    n = len(report.paragraphs)
    cued = {s.index: s.cue is not None for s in report.sections}
    # "last" counts body paragraphs: closings sit at the end, before any page furniture
    body_idx = [p.index for p in report.paragraphs if p.kind == "body"]
    tail = set(body_idx[-_TAIL:])
    out = []
    for p in report.paragraphs:
        out.append({
            "text": p.text,
            "headings": list(p.headings),
            "role": p.role,
            "cued": cued.get(p.section, False) if p.section is not None else False,
            "position": (p.index + 0.5) / n if n else 0.0,
            "kind": p.kind,
            "last": p.index in tail,
        })
    return out


# --- lexicon ---------------------------------------------------------------

@dataclass(frozen=True)
class Lexicon:
    """Topic keywords and function cues (``resources/lexicon.json``).

    Examples
    --------
    >>> from govreport_nlp.features import lexicon
    >>> lex = lexicon()
    >>> sorted(lex.function_cues("下一步，我们将持续深化诉源治理。"))
    ['plan']
    >>> lex.topic_hits("推行证照分离，优化营商环境。")
    {'deregulation': 2, 'non_legal': 1}
    """

    topics: Mapping[str, tuple[str, ...]]
    legal_topics: tuple[str, ...]
    cues: Mapping[str, tuple[re.Pattern[str], ...]]
    # derived: the keywords by their first two characters, found through their first character
    _by_lead: Mapping[str, tuple[tuple[str, str], ...]] = field(init=False, repr=False, compare=False)
    _first_re: re.Pattern[str] | None = field(init=False, repr=False, compare=False)
    _short: tuple[tuple[str, str], ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_lead: dict[str, list[tuple[str, str]]] = {}
        short = []
        for topic, words in self.topics.items():
            for w in dict.fromkeys(words):
                if len(w) >= 2:
                    by_lead.setdefault(w[:2], []).append((topic, w))
                elif w:
                    short.append((topic, w))
        firsts = sorted({lead[0] for lead in by_lead})
        first_re = re.compile("[" + "".join(map(re.escape, firsts)) + "]") if firsts else None
        object.__setattr__(self, "_by_lead", {k: tuple(v) for k, v in by_lead.items()})
        object.__setattr__(self, "_first_re", first_re)
        object.__setattr__(self, "_short", tuple(short))

    def topic_hits(self, text: str) -> dict[str, int]:
        """How many keywords of each topic occur in ``text`` (topics with none left out).

        Each keyword counts its non-overlapping occurrences (``str.count``); only
        keywords whose first two characters occur in ``text`` are looked for.

        Examples
        --------
        >>> lexicon().topic_hits("深化放管服改革，推行证照分离和告知承诺")
        {'deregulation': 3}
        """
        counts: dict[str, int] = {}
        candidates = list(self._short)
        if self._first_re is not None:
            leads = {text[m.start():m.start() + 2] for m in self._first_re.finditer(text)}
            for lead in leads & self._by_lead.keys():
                candidates += self._by_lead[lead]
        for topic, w in candidates:
            n = text.count(w)
            if n:
                counts[topic] = counts.get(topic, 0) + n
        return {t: counts[t] for t in self.topics if t in counts}

    def function_cues(self, text: str) -> list[str]:
        """Functions whose cue patterns match the paragraph's opening (or, for closings, anywhere).

        Examples
        --------
        >>> lexicon().function_cues("下一步，我们将继续推进行政执法规范化。")
        ['plan']
        """
        lead = opening(text, 60)
        return [f for f, pats in self.cues.items()
                if any(p.search(text if f == "closing" else lead) for p in pats)]


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    """The built-in lexicon."""
    raw = json.loads(resources.files("govreport_nlp").joinpath("resources/lexicon.json").read_text("utf-8"))
    return Lexicon(
        topics={k: tuple(v) for k, v in raw["topics"].items()},
        legal_topics=tuple(raw["legal_topics"]),
        cues={k: tuple(re.compile(p) for p in v) for k, v in raw["function_cues"].items()},
    )


@lru_cache(maxsize=1)
def _tense_patterns() -> dict[str, re.Pattern[str]]:
    raw = json.loads(resources.files("govreport_nlp").joinpath("resources/lexicon.json").read_text("utf-8"))
    return {name: re.compile("|".join(map(re.escape, sorted(words, key=len, reverse=True))))
            for name, words in raw.get("tense", {}).items() if not name.startswith("_")}


def tense_counts(text: str) -> dict[str, int]:
    """How many markers of done work, work to do and admissions a paragraph holds (those it has).

    Examples
    --------
    >>> tense_counts("全年累计办结复议案件58件。")
    {'done': 3}
    >>> tense_counts("下一步将持续深化诉源治理。")
    {'todo': 4}
    """
    out = {}
    for name, pat in _tense_patterns().items():
        n = len(pat.findall(text))
        if n:
            out[name] = n
    return out


@lru_cache(maxsize=1)
def _topic_pattern() -> re.Pattern[str]:
    pat = trie_pattern({w for ws in lexicon().topics.values() for w in ws if len(w) >= 2})
    assert pat is not None
    return pat


#: what :func:`topic_masked` puts in place of a topic keyword
TOPIC_MASK = "Ｘ"


def topic_masked(text: str) -> str:
    """``text`` with every topic keyword of the lexicon replaced by :data:`TOPIC_MASK`.

    Examples
    --------
    >>> topic_masked("全年会前学法12次，推行证照分离。")
    '全年Ｘ12次，推行Ｘ。'
    """
    return _topic_pattern().sub(TOPIC_MASK, text)


def opening(text: str, n: int = 12) -> str:
    """The first ``n`` characters of a paragraph after its list marker.

    Examples
    --------
    >>> opening("（三）下一步工作打算。", 5)
    '下一步工作'
    """
    text = text.strip()
    h = detect_heading(text)
    if h is not None:
        text = text[len(h.marker):].lstrip() if text.startswith(h.marker) else text
    return text[:n]


# --- context ---------------------------------------------------------------

def context_features(x: Mapping[str, Any]) -> dict[str, float]:
    """Where a paragraph stands in its report, as named features.

    The section role (and whether a heading said so), the line kind, the
    position, being among the last paragraphs, and what the headings above it
    announce (a function cue or a topic's keywords). A paragraph without report
    context gets the single feature ``ctx=none``.

    Examples
    --------
    >>> sorted(context_features({"text": "…", "role": "plans", "cued": True, "headings": ["下一步工作打算"]}))
    ['cued_role=plans', 'hcue:plan', 'role=plans']
    >>> context_features({"text": "推行证照分离。"})
    {'ctx=none': 1.0}
    """
    if not has_context(x):
        return {"ctx=none": 1.0}
    d: dict[str, float] = {}
    role = x.get("role")
    if role:
        d["role=" + str(role)] = 1.0
        if x.get("cued"):
            d["cued_role=" + str(role)] = 1.0
    kind = x.get("kind")
    if kind and kind != "body":
        d["kind=" + str(kind)] = 1.0
    pos = x.get("position")
    if pos is not None:
        d["pos=" + str(min(int(float(pos) * 5), 4))] = 1.0
    if x.get("last"):
        d["last"] = 1.0
    headings = tuple(str(h) for h in (x.get("headings") or ()) if h)
    d.update(_heading_context(headings[-2:]))
    return d


@lru_cache(maxsize=4096)
def _heading_context(headings: tuple[str, ...]) -> tuple[tuple[str, float], ...]:
    """What the two innermost headings announce (memoised: every paragraph under them asks)."""
    lex = lexicon()
    d: dict[str, float] = {}
    # the nearer heading counts more
    for depth, h in enumerate(reversed(headings)):
        w = 1.0 if depth == 0 else 0.5
        for topic in lex.topic_hits(h):
            if topic != "non_legal":
                d["hkw:" + topic] = max(d.get("hkw:" + topic, 0.0), w)
        for f in lex.function_cues(h):
            d["hcue:" + f] = max(d.get("hcue:" + f, 0.0), w)
    return tuple(d.items())


# --- shared text analysis ------------------------------------------------------

_WHITE_RUNS = re.compile(r"\s\s+")  # what scikit-learn's character analyzer folds into one space
_MAX_KEY = 2**63 - 1


def _norm(text: str) -> str:
    # numbers vary from report to report; their presence (a result, a target) does not
    return _DIGITS.sub("0", text)


def _is_punct(word: str) -> bool:
    return all(not ch.isalnum() for ch in word)


def heading_of(x: Mapping[str, Any]) -> str | None:
    """The innermost heading title above a paragraph input, if any."""
    heads = [h for h in (x.get("headings") or ()) if h]
    return heads[-1] if heads else None


@dataclass
class TextAnalysis:
    """What featurizers read from a list of texts, computed once and shared.

    Every featurizer with the same :meth:`ParagraphFeatures.analysis_key`
    (segmenter and cue settings) reads the same analysis, so the heads of a
    model segment each text once.
    """

    texts: list[str]
    norm: list[str]
    """The texts with numbers normalised to ``0``."""
    words: list[list[str]]
    """Words of each normalised text, stop words and punctuation dropped (split at white space)."""
    cues: list[dict[str, float]]
    """Cue features of each text (opening n-grams, numbering, length class, lexicon hits)."""
    _chars: tuple[np.ndarray, np.ndarray] | None = field(default=None, repr=False, compare=False)

    def __len__(self) -> int:
        return len(self.texts)

    def chars(self) -> tuple[np.ndarray, np.ndarray]:
        """Code points of all normalised texts (white-space runs folded, as scikit-learn does),
        concatenated with one separator slot after each text, and the text index of every slot."""
        if self._chars is None:
            folded = [_WHITE_RUNS.sub(" ", t) for t in self.norm]
            codes = np.frombuffer("\n".join(folded).encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
            codes = np.append(codes, 0)
            lengths = np.fromiter((len(t) + 1 for t in folded), dtype=np.int64, count=len(folded))
            ends = np.cumsum(lengths) - 1
            codes[ends] = -1  # separators: never a vocabulary character
            self._chars = (codes, np.repeat(np.arange(len(folded)), lengths))
        return self._chars


class TextBatch:
    """The distinct texts of a batch of paragraph inputs and of the headings above them.

    Paragraph ``i`` is text ``rows[i]``; its innermost heading is text
    ``head_rows[i]`` (``-1``: none). Analyses are cached per featurizer setting,
    so a model's heads share the segmentation and cue work.

    Examples
    --------
    >>> b = TextBatch([{"text": "推行证照分离。", "headings": ["深化放管服改革"]}, "推行证照分离。"])
    >>> b.texts, b.rows.tolist(), b.head_rows.tolist()
    (['推行证照分离。', '深化放管服改革'], [0, 0], [1, -1])
    """

    def __init__(self, inputs: Iterable[Any]) -> None:
        self.inputs = [as_input(x) for x in inputs]
        index: dict[str, int] = {}
        self.rows = np.fromiter((index.setdefault(x["text"], len(index)) for x in self.inputs), dtype=np.int64,
                                count=len(self.inputs))
        self.headings = [heading_of(x) for x in self.inputs]
        self.head_rows = np.fromiter((-1 if h is None else index.setdefault(h, len(index)) for h in self.headings),
                                     dtype=np.int64, count=len(self.inputs))
        self.texts = list(index)
        self._analyses: dict[Any, TextAnalysis] = {}

    def __len__(self) -> int:
        return len(self.inputs)

    def analysis(self, features: ParagraphFeatures) -> TextAnalysis:
        """The analysis of :attr:`texts` that ``features`` reads (computed on first request)."""
        key = features.analysis_key()
        found = self._analyses.get(key)
        if found is None:
            found = self._analyses[key] = features.analyze(self.texts)
        return found


def dicts_to_csr(dicts: Sequence[Mapping[str, float]], vocabulary: Mapping[str, int], n_cols: int,
                 dtype: Any = np.float32) -> sp.csr_matrix:
    """Named feature values as a sparse matrix (names not in ``vocabulary`` dropped), like
    ``DictVectorizer.transform`` without its per-call overhead."""
    names = [k for d in dicts for k in d]
    cols = np.fromiter(map(vocabulary.get, names, itertools.repeat(-1)), dtype=np.int64, count=len(names))
    vals = np.fromiter((v for d in dicts for v in d.values()), dtype=np.float64, count=len(names))
    row = np.repeat(np.arange(len(dicts)), np.fromiter(map(len, dicts), dtype=np.int64, count=len(dicts)))
    known = cols >= 0
    X = sp.csr_matrix((vals[known].astype(dtype), (row[known], cols[known])), shape=(len(dicts), n_cols))
    X.sum_duplicates()
    return X


class _KeyIndex:
    """Positions of non-negative int64 keys, looked up many at a time (open addressing, linear probing).

    numpy has no hash table; binary search (``searchsorted``) costs ~16 random
    reads per key, this about one. The table is kept at most a quarter full.
    """

    _MULT = np.uint64(0x9E3779B97F4A7C15)  # Fibonacci hashing: the high bits of key * 2**64/phi
    _EMPTY = -1

    def __init__(self, keys: np.ndarray) -> None:
        self.bits = max(4, int(np.ceil(np.log2(max(len(keys), 1) * 4))))
        self.mask = (1 << self.bits) - 1
        self.table = np.full(1 << self.bits, self._EMPTY, dtype=np.int64)
        self.value = np.zeros(1 << self.bits, dtype=np.int64)
        pending = np.arange(len(keys))
        slot = self._hash(keys)
        while len(pending):  # each key takes the first free slot from its hash on; one key per slot a round
            s = slot[pending]
            free = self.table[s] == self._EMPTY
            won = np.zeros(len(pending), dtype=bool)
            _, at = np.unique(s[free], return_index=True)
            won[np.flatnonzero(free)[at]] = True
            self.table[s[won]] = keys[pending[won]]
            self.value[s[won]] = pending[won]
            pending = pending[~won]
            slot[pending] = (slot[pending] + 1) & self.mask

    def _hash(self, keys: np.ndarray) -> np.ndarray:
        with np.errstate(over="ignore"):
            h = keys.astype(np.uint64) * self._MULT
        return (h >> np.uint64(64 - self.bits)).astype(np.int64)

    def find(self, keys: np.ndarray) -> np.ndarray:
        """Index (into the keys given at construction) of each key, ``-1`` where absent."""
        out = np.full(len(keys), -1, dtype=np.int64)
        todo = np.arange(len(keys))
        slot = self._hash(keys)
        while len(todo):
            s = slot[todo]
            found = self.table[s]
            hit = found == keys[todo]
            out[todo[hit]] = self.value[s[hit]]
            todo = todo[~hit & (found != self._EMPTY)]
            slot[todo] = (slot[todo] + 1) & self.mask
        return out


class _NgramTable:
    """A fitted TF-IDF vectorizer's vocabulary as integer keys, for lookup with numpy.

    The n-gram of units (characters or words) with ids ``i1..in`` (``1..B-1``;
    ``0`` for a unit in no vocabulary term) has the key ``((i1*B + i2)*B + ...)*B + in``.
    Keys of different lengths never collide (``i1 >= 1``), so one index serves
    every n. Derived from ``vocabulary_`` and ``idf_``; never saved.
    """

    def __init__(self, vec: TfidfVectorizer, sep: str) -> None:
        vocab = vec.vocabulary_
        terms = list(vocab)
        self.ngram_range = tuple(vec.ngram_range)
        self.n_features = len(vocab)
        self.idf = np.asarray(vec.idf_, dtype=np.float64) if vec.use_idf else None
        self.sublinear = bool(vec.sublinear_tf)
        self.norm = vec.norm
        self.cols = np.fromiter(vocab.values(), dtype=np.int64, count=len(vocab))
        self.ids: dict[str, int] = {}
        self._code_table: np.ndarray | None = None
        # every term's units at once: words (sep " ") through one split and a dict; characters (sep "")
        # as code points, their ids from np.unique (sorted, like the words) and a code-point table
        if sep:
            flat = sep.join(terms).split(sep)
            lengths = np.fromiter((t.count(sep) + 1 for t in terms), dtype=np.int64, count=len(terms))
            self.ids = {u: i for i, u in enumerate(sorted(set(flat)), 1)}
            n_units = len(self.ids)
        else:
            codes = np.frombuffer("".join(terms).encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
            lengths = np.fromiter(map(len, terms), dtype=np.int64, count=len(terms))
            units = np.unique(codes)
            n_units = len(units)
            table = np.zeros(int(units[-1]) + 1 if n_units else 1, dtype=np.int64)
            table[units] = np.arange(1, n_units + 1)
            self._code_table = table
        self.base = n_units + 1
        self.usable = self.base ** self.ngram_range[1] <= _MAX_KEY
        keys = np.zeros(len(vocab), dtype=np.int64)
        if self.usable:
            ids = (np.fromiter(map(self.ids.__getitem__, flat), dtype=np.int64, count=len(flat)) if sep
                   else table[codes])
            starts = np.cumsum(lengths) - lengths
            for n in np.unique(lengths):  # terms of each length at once: key = sum of id_j * B**(n-1-j)
                rows = np.flatnonzero(lengths == n)
                for j in range(int(n)):
                    keys[rows] = keys[rows] * self.base + ids[starts[rows] + j]
        self.index = _KeyIndex(keys)

    def code_ids(self, codes: np.ndarray) -> np.ndarray:
        """Unit ids of code points (a character table); negative codes and unknown characters get 0."""
        table = self._code_table
        if table is None:
            raise ValueError("not a character table")
        inside = (codes >= 0) & (codes < len(table))
        return np.where(inside, table[np.where(inside, codes, 0)], 0)

    def matrix(self, ids: np.ndarray, rows: np.ndarray, n_rows: int) -> sp.csr_matrix:
        """TF-IDF rows of texts given as unit ids (``0`` between texts and for unknown units)."""
        found_rows, found_cols = [], []
        lo, hi = self.ngram_range
        for n in range(lo, hi + 1):
            m = len(ids) - n + 1
            if m <= 0 or not self.n_features:
                continue
            ok = ids[:m] > 0
            for j in range(1, n):
                ok &= ids[j:j + m] > 0
            pos = np.flatnonzero(ok)
            key = ids[pos]
            for j in range(1, n):
                key = key * self.base + ids[pos + j]
            at = self.index.find(key)
            hit = at >= 0
            found_rows.append(rows[pos[hit]])
            found_cols.append(self.cols[at[hit]])
        r = np.concatenate(found_rows) if found_rows else np.zeros(0, dtype=np.int64)
        c = np.concatenate(found_cols) if found_cols else np.zeros(0, dtype=np.int64)
        X = sp.csr_matrix((np.ones(len(r), dtype=np.float64), (r, c)), shape=(n_rows, self.n_features))
        X.sum_duplicates()
        return _tfidf(X, self.idf, self.sublinear, self.norm)


def _tfidf(X: sp.csr_matrix, idf: np.ndarray | None, sublinear: bool, norm: str | None) -> sp.csr_matrix:
    """Counts to TF-IDF the way ``TfidfTransformer.transform`` does it."""
    if sublinear:
        np.log(X.data, X.data)
        X.data += 1.0
    if idf is not None:
        X.data *= idf[X.indices]
    if norm is not None:
        row = np.repeat(np.arange(X.shape[0]), np.diff(X.indptr))
        size = np.abs(X.data) if norm == "l1" else X.data ** 2
        total = np.bincount(row, weights=size, minlength=X.shape[0])
        total = total if norm == "l1" else np.sqrt(total)
        total[total == 0.0] = 1.0
        X.data /= total[row]
    return X.astype(np.float32)


# --- content featurizer ----------------------------------------------------

class ParagraphFeatures(TransformerMixin, BaseEstimator):
    """Sparse features of paragraph inputs (see :func:`as_input`).

    Three groups of content features, concatenated: word n-grams (TF-IDF over
    the chosen segmenter's words, stop words dropped), character n-grams
    (TF-IDF), and cue features (the paragraph's opening characters, whether it
    is numbered, its length class, lexicon topic hits and function cues).
    Report context is not used here: see :func:`context_features`.

    Vocabularies and IDF weights are learned by scikit-learn's
    ``TfidfVectorizer``; ``transform`` looks n-grams up with numpy instead of
    building them as Python strings, with the same result (tested against
    ``TfidfVectorizer.transform``) at a fraction of the cost.

    Parameters
    ----------
    segmenter : str or dict
        A registered segmenter name or config (see :func:`~govreport_nlp.get_segmenter`).
    word_ngram_range, char_ngram_range : tuple of int
        N-gram ranges of the word and character groups.
    min_df : int
        Minimum document frequency of an n-gram.
    max_features : int or None
        Cap on the vocabulary of each TF-IDF group.
    opening_chars : int
        How many opening characters give opening n-grams.
    use_lexicon : bool
        Whether lexicon topic hits and function cues are features.
    lexicon_weight : float
        Scale of the cue group relative to the TF-IDF groups.
    use_tense : bool
        Count the lexicon's markers of done work, work to do and admissions
        anywhere in the paragraph (``tense:done``, ``tense:todo``, ``tense:admit``).
    mask_topics : bool
        Replace every topic keyword of the lexicon by one placeholder before
        reading words and characters, and leave out the topic-hit features: the
        function head then cannot take topic words (学法, 第一责任人, 证照分离) as
        evidence of what a paragraph does.

    Attributes
    ----------
    word_vectorizer_, char_vectorizer_ : TfidfVectorizer
    dict_vectorizer_ : DictVectorizer
    feature_groups_ : dict of str to (int, int)
        Column range of each group.

    Examples
    --------
    >>> from govreport_nlp.features import ParagraphFeatures
    >>> feats = ParagraphFeatures().fit([{"text": "深化放管服改革。"}, {"text": "下一步将持续深化诉源治理。", "role": "plans"}])
    >>> X = feats.transform([{"text": "推行证照分离。"}])
    >>> X.shape[0], X.shape[1] == len(feats.get_feature_names_out())
    (1, True)
    >>> feats.feature_name(int(X.indices[0]))
    'kw:deregulation'
    """

    def __init__(self, segmenter: str | Mapping[str, Any] = "rjieba", word_ngram_range: tuple[int, int] = (1, 2),
                 char_ngram_range: tuple[int, int] = (2, 3), min_df: int = 2, max_features: int | None = 60_000,
                 opening_chars: int = 8, use_lexicon: bool = True, lexicon_weight: float = 1.0,
                 use_tense: bool = False, mask_topics: bool = False) -> None:
        self.segmenter = segmenter
        self.word_ngram_range = word_ngram_range
        self.char_ngram_range = char_ngram_range
        self.min_df = min_df
        self.max_features = max_features
        self.opening_chars = opening_chars
        self.use_lexicon = use_lexicon
        self.lexicon_weight = lexicon_weight
        self.use_tense = use_tense
        self.mask_topics = mask_topics

    # segmenters and lookup tables are rebuilt from the parameters and the fitted state; never saved
    def _segmenter(self) -> Segmenter:
        seg = getattr(self, "_seg_cache", None)
        if seg is None:
            seg = shared_segmenter(self.segmenter)
            self._seg_cache = seg
        return seg

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        for derived in ("_seg_cache", "_tables", "_terms"):
            state.pop(derived, None)
        return state

    # --- analysis: the per-text work, shared by featurizers with the same key ---
    def analysis_key(self) -> tuple[Any, ...]:
        """Featurizers with equal keys read the same :class:`TextAnalysis`."""
        return (json.dumps(self._segmenter().config(), sort_keys=True), self.opening_chars, self.use_lexicon,
                bool(getattr(self, "use_tense", False)), bool(getattr(self, "mask_topics", False)))

    def analyze(self, texts: Sequence[str]) -> TextAnalysis:
        """Segment and describe ``texts`` (see :class:`TextAnalysis`)."""
        seg = self._segmenter()
        stop = stopwords()
        mask = bool(getattr(self, "mask_topics", False))
        read = [topic_masked(t) for t in texts] if mask else list(texts)
        norm = [_norm(t) for t in read]
        # joined and split again: the tokens exactly as the word vectorizer's token_pattern \S+ sees them
        words = [" ".join([w for w in seg.cut(t) if w not in stop and (w.isalnum() or not _is_punct(w))]).split()
                 for t in norm]
        return TextAnalysis(list(texts), norm, words, [self._cues(t) for t in read])

    def _cues(self, text: str) -> dict[str, float]:
        d: dict[str, float] = {}
        stripped = text.strip()
        h = detect_heading(stripped)
        body = stripped[len(h.marker):].lstrip() if h is not None and stripped.startswith(h.marker) else stripped
        lead = _norm(body[:self.opening_chars])
        for n in (1, 2, 3):
            for i in range(len(lead) - n + 1):
                d["open:" + lead[i:i + n]] = 1.0
        if h is not None or stripped.startswith(("（", "(")):
            d["numbered"] = 1.0
        d["len:" + str(min(int(math.log2(len(text) + 1)), 10))] = 1.0
        if self.use_lexicon:
            lex = lexicon()
            if not getattr(self, "mask_topics", False):
                for topic, n_hits in lex.topic_hits(text).items():
                    d["kw:" + topic] = math.log1p(n_hits)
            for f in lex.function_cues(text):
                d["cue:" + f] = 1.0
        if getattr(self, "use_tense", False):
            for name, n in tense_counts(text).items():
                d["tense:" + name] = math.log1p(n)
        return d

    # --- fitting -----------------------------------------------------------
    def fit(self, X: Iterable[Any], y: Any = None) -> ParagraphFeatures:
        inputs = [as_input(x) for x in X]
        return self.fit_analysis(self.analyze([x["text"] for x in inputs]))

    def fit_analysis(self, a: TextAnalysis, rows: Sequence[int] | np.ndarray | None = None) -> ParagraphFeatures:
        """Fit on analysed texts; ``rows`` picks the training texts (repeats count, as in :meth:`fit`)."""
        idx = list(range(len(a))) if rows is None else [int(r) for r in rows]
        if not idx:
            raise GovReportError("cannot fit features on no paragraphs.")
        common = dict(lowercase=False, sublinear_tf=True, min_df=self.min_df, max_features=self.max_features,
                      dtype=np.float32)
        self.word_vectorizer_ = TfidfVectorizer(token_pattern=r"\S+", ngram_range=tuple(self.word_ngram_range),
                                                **common)
        self.char_vectorizer_ = TfidfVectorizer(analyzer="char", ngram_range=tuple(self.char_ngram_range),
                                                **common)
        joined = [" ".join(a.words[i]) for i in idx]
        norm = [a.norm[i] for i in idx]
        try:
            self.word_vectorizer_.fit(joined)
            self.char_vectorizer_.fit(norm)
        except ValueError:
            # too few paragraphs for min_df: fall back to keeping every n-gram
            self.word_vectorizer_.set_params(min_df=1).fit(joined)
            self.char_vectorizer_.set_params(min_df=1).fit(norm)
        self.dict_vectorizer_ = DictVectorizer(dtype=np.float32).fit([a.cues[i] for i in idx])
        self._set_groups()
        return self

    def _set_groups(self) -> None:
        nw = len(self.word_vectorizer_.vocabulary_)
        nc = len(self.char_vectorizer_.vocabulary_)
        nd = len(self.dict_vectorizer_.vocabulary_)
        self.feature_groups_ = {"word": (0, nw), "char": (nw, nw + nc), "cue": (nw + nc, nw + nc + nd)}
        self.n_features_out_ = nw + nc + nd
        for derived in ("_tables", "_terms"):
            self.__dict__.pop(derived, None)

    def fit_transform(self, X: Iterable[Any], y: Any = None, **fit_params: Any) -> sp.csr_matrix:
        inputs = [as_input(x) for x in X]
        return self.fit(inputs).transform(inputs)

    # --- transforming --------------------------------------------------------
    def prepare(self) -> ParagraphFeatures:
        """Build the segmenter's dictionary and the n-gram lookup tables now instead of on first use."""
        check_is_fitted(self, "dict_vectorizer_")
        self._segmenter().cut("预备")
        self._lookup_tables()
        return self

    def _lookup_tables(self) -> tuple[_NgramTable, _NgramTable]:
        tables = self.__dict__.get("_tables")
        if tables is None:
            tables = (_NgramTable(self.word_vectorizer_, " "), _NgramTable(self.char_vectorizer_, ""))
            self._tables = tables
        return tables

    def _fast(self, vec: TfidfVectorizer) -> bool:
        """Whether the numpy lookup reproduces this vectorizer (the settings ``fit`` uses)."""
        p = vec.get_params()
        return (not p["lowercase"] and not p["binary"] and p["strip_accents"] is None and p["preprocessor"] is None
                and p["tokenizer"] is None and p["norm"] in ("l1", "l2", None) and p["vocabulary"] is None
                and (p["analyzer"] == "char" or (p["analyzer"] == "word" and p["token_pattern"] == r"\S+"
                                                 and p["stop_words"] is None)))

    def transform_analysis(self, a: TextAnalysis) -> sp.csr_matrix:
        """Features of analysed texts (:meth:`analyze`), one row per text."""
        check_is_fitted(self, "dict_vectorizer_")
        words, chars = self._lookup_tables()
        n = len(a)
        if words.usable and self._fast(self.word_vectorizer_):
            flat: list[str] = []
            for ws in a.words:
                flat += ws
                flat.append("")  # between texts: id 0, so no n-gram spans two texts
            ids = np.fromiter(map(words.ids.get, flat, itertools.repeat(0)), dtype=np.int64, count=len(flat))
            lengths = np.fromiter((len(ws) + 1 for ws in a.words), dtype=np.int64, count=n)
            Xw = words.matrix(ids, np.repeat(np.arange(n), lengths), n)
        else:
            Xw = self.word_vectorizer_.transform([" ".join(ws) for ws in a.words])
        if chars.usable and self._fast(self.char_vectorizer_):
            codes, rows = a.chars()
            Xc = chars.matrix(chars.code_ids(codes), rows, n)
        else:
            Xc = self.char_vectorizer_.transform(a.norm)
        Xd = dicts_to_csr(a.cues, self.dict_vectorizer_.vocabulary_, len(self.dict_vectorizer_.vocabulary_))
        Xd.data *= np.float32(self.lexicon_weight)
        return sp.hstack([Xw, Xc, Xd], format="csr", dtype=np.float32)

    def transform(self, X: Iterable[Any]) -> sp.csr_matrix:
        check_is_fitted(self, "dict_vectorizer_")
        return self.transform_analysis(self.analyze([as_input(x)["text"] for x in X]))

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        check_is_fitted(self, "dict_vectorizer_")
        return np.asarray(["w:" + n for n in self.word_vectorizer_.get_feature_names_out()]
                          + ["c:" + n for n in self.char_vectorizer_.get_feature_names_out()]
                          + list(self.dict_vectorizer_.get_feature_names_out()), dtype=object)

    def feature_name(self, column: int) -> str:
        """The name of one output column (as in :meth:`get_feature_names_out`), without building them all."""
        terms = self.__dict__.get("_terms")
        if terms is None:  # the vocabularies inverted: the same strings, one list per group
            terms = {g: _inverse(v.vocabulary_) for g, v in
                     (("word", self.word_vectorizer_), ("char", self.char_vectorizer_), ("cue", self.dict_vectorizer_))}
            self._terms = terms
        for group, prefix in (("word", "w:"), ("char", "c:"), ("cue", "")):
            lo, hi = self.feature_groups_[group]
            if lo <= column < hi:
                return prefix + terms[group][column - lo]
        raise IndexError(f"column {column} is out of range ({self.n_features_out_} features).")


def _inverse(vocabulary: Mapping[str, int]) -> list[str]:
    out = [""] * len(vocabulary)
    for term, i in vocabulary.items():
        out[i] = term
    return out
