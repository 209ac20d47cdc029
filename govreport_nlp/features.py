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

import json
import math
import re
from dataclasses import dataclass
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
from .segmentation import Segmenter, get_segmenter, stopwords
from .structure import detect_heading

__all__ = [
    "Lexicon",
    "ParagraphFeatures",
    "as_input",
    "context_features",
    "lexicon",
    "opening",
    "report_inputs",
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
    """Topic keywords and function cues (``resources/lexicon.json``)."""

    topics: Mapping[str, tuple[str, ...]]
    legal_topics: tuple[str, ...]
    cues: Mapping[str, tuple[re.Pattern[str], ...]]

    def topic_hits(self, text: str) -> dict[str, int]:
        """How many keywords of each topic occur in ``text`` (topics with none left out).

        Examples
        --------
        >>> lexicon().topic_hits("深化放管服改革，推行证照分离和告知承诺")
        {'deregulation': 3}
        """
        hits = {}
        for topic, words in self.topics.items():
            n = sum(text.count(w) for w in words)
            if n:
                hits[topic] = n
        return hits

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
    lex = lexicon()
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
    headings = [h for h in (x.get("headings") or ()) if h]
    # the two innermost headings say what the paragraph is under; the nearer counts more
    for depth, h in enumerate(reversed(headings[-2:])):
        w = 1.0 if depth == 0 else 0.5
        for topic in lex.topic_hits(h):
            if topic != "non_legal":
                d["hkw:" + topic] = max(d.get("hkw:" + topic, 0.0), w)
        for f in lex.function_cues(h):
            d["hcue:" + f] = max(d.get("hcue:" + f, 0.0), w)
    return d


# --- content featurizer ----------------------------------------------------

# tokens cache: (segmenter key, text) -> joined tokens; training and CV segment the same texts many times
_TOKEN_CACHE: dict[tuple[str, str], str] = {}
_TOKEN_CACHE_MAX = 400_000


def _norm(text: str) -> str:
    # numbers vary from report to report; their presence (a result, a target) does not
    return _DIGITS.sub("0", text)


class ParagraphFeatures(TransformerMixin, BaseEstimator):
    """Sparse features of paragraph inputs (see :func:`as_input`).

    Three groups of content features, concatenated: word n-grams (TF-IDF over
    the chosen segmenter's words, stop words dropped), character n-grams
    (TF-IDF), and cue features (the paragraph's opening characters, whether it
    is numbered, its length class, lexicon topic hits and function cues).
    Report context is not used here: see :func:`context_features`.

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

    Attributes
    ----------
    word_vectorizer_, char_vectorizer_ : TfidfVectorizer
    dict_vectorizer_ : DictVectorizer
    feature_groups_ : dict of str to (int, int)
        Column range of each group.
    """

    def __init__(self, segmenter: str | Mapping[str, Any] = "jieba", word_ngram_range: tuple[int, int] = (1, 2),
                 char_ngram_range: tuple[int, int] = (2, 3), min_df: int = 2, max_features: int | None = 60_000,
                 opening_chars: int = 8, use_lexicon: bool = True, lexicon_weight: float = 1.0) -> None:
        self.segmenter = segmenter
        self.word_ngram_range = word_ngram_range
        self.char_ngram_range = char_ngram_range
        self.min_df = min_df
        self.max_features = max_features
        self.opening_chars = opening_chars
        self.use_lexicon = use_lexicon
        self.lexicon_weight = lexicon_weight

    # segmenters are rebuilt from their name; never part of the saved state
    def _segmenter(self) -> Segmenter:
        seg = getattr(self, "_seg_cache", None)
        if seg is None:
            seg = get_segmenter(self.segmenter)
            self._seg_cache = seg
        return seg

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state.pop("_seg_cache", None)
        return state

    def _words(self, texts: Sequence[str]) -> list[str]:
        seg = self._segmenter()
        key = json.dumps(seg.config(), sort_keys=True)
        stop = stopwords()
        out = []
        for t in texts:
            hit = _TOKEN_CACHE.get((key, t))
            if hit is None:
                hit = " ".join(w for w in seg.cut(_norm(t)) if w not in stop and not _is_punct(w))
                if len(_TOKEN_CACHE) >= _TOKEN_CACHE_MAX:
                    _TOKEN_CACHE.clear()
                _TOKEN_CACHE[(key, t)] = hit
            out.append(hit)
        return out

    def _dicts(self, inputs: Sequence[Mapping[str, Any]]) -> list[dict[str, float]]:
        lex = lexicon()
        out = []
        for x in inputs:
            text = x["text"]
            d: dict[str, float] = {}
            lead = _norm(opening(text, self.opening_chars))
            for n in (1, 2, 3):
                for i in range(len(lead) - n + 1):
                    d["open:" + lead[i:i + n]] = 1.0
            if text.strip().startswith(("（", "(")) or detect_heading(text.strip()) is not None:
                d["numbered"] = 1.0
            d["len:" + str(min(int(math.log2(len(text) + 1)), 10))] = 1.0
            if self.use_lexicon:
                for topic, n_hits in lex.topic_hits(text).items():
                    d["kw:" + topic] = math.log1p(n_hits)
                for f in lex.function_cues(text):
                    d["cue:" + f] = 1.0
            out.append(d)
        return out

    def fit(self, X: Iterable[Any], y: Any = None) -> ParagraphFeatures:
        inputs = [as_input(x) for x in X]
        if not inputs:
            raise GovReportError("cannot fit features on no paragraphs.")
        texts = [x["text"] for x in inputs]
        common = dict(lowercase=False, sublinear_tf=True, min_df=self.min_df, max_features=self.max_features,
                      dtype=np.float32)
        self.word_vectorizer_ = TfidfVectorizer(token_pattern=r"\S+", ngram_range=tuple(self.word_ngram_range),
                                                **common)
        self.char_vectorizer_ = TfidfVectorizer(analyzer="char", ngram_range=tuple(self.char_ngram_range),
                                                **common)
        words = self._words(texts)
        try:
            self.word_vectorizer_.fit(words)
            self.char_vectorizer_.fit([_norm(t) for t in texts])
        except ValueError:
            # too few paragraphs for min_df: fall back to keeping every n-gram
            self.word_vectorizer_.set_params(min_df=1).fit(words)
            self.char_vectorizer_.set_params(min_df=1).fit([_norm(t) for t in texts])
        self.dict_vectorizer_ = DictVectorizer(dtype=np.float32).fit(self._dicts(inputs))
        nw = len(self.word_vectorizer_.vocabulary_)
        nc = len(self.char_vectorizer_.vocabulary_)
        nd = len(self.dict_vectorizer_.vocabulary_)
        self.feature_groups_ = {"word": (0, nw), "char": (nw, nw + nc), "cue": (nw + nc, nw + nc + nd)}
        self.n_features_out_ = nw + nc + nd
        return self

    def transform(self, X: Iterable[Any]) -> sp.csr_matrix:
        check_is_fitted(self, "dict_vectorizer_")
        inputs = [as_input(x) for x in X]
        texts = [x["text"] for x in inputs]
        parts = [
            self.word_vectorizer_.transform(self._words(texts)),
            self.char_vectorizer_.transform([_norm(t) for t in texts]),
            self.dict_vectorizer_.transform(self._dicts(inputs)) * np.float32(self.lexicon_weight),
        ]
        return sp.hstack(parts, format="csr", dtype=np.float32)

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        check_is_fitted(self, "dict_vectorizer_")
        names = (["w:" + n for n in self.word_vectorizer_.get_feature_names_out()]
                 + ["c:" + n for n in self.char_vectorizer_.get_feature_names_out()]
                 + list(self.dict_vectorizer_.get_feature_names_out()))
        return np.asarray(names, dtype=object)


def _is_punct(word: str) -> bool:
    return all(not ch.isalnum() for ch in word)
