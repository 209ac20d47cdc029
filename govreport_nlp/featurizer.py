"""The trainable content featurizer: :class:`ParagraphFeatures` (a scikit-learn transformer).

It learns its vocabularies and IDF weights with scikit-learn's
``TfidfVectorizer`` and ``DictVectorizer``; everything it computes per text is
in :mod:`govreport_nlp.features` (numpy only), which is also what a loaded
model classifies with.

Examples
--------
>>> f = ParagraphFeatures(min_df=1).fit(["深化放管服改革，推行证照分离。", "加强行政复议应诉工作。"])
>>> X = f.transform(["推行证照分离。"])
>>> X.shape[0], X.shape[1] == len(f.get_feature_names_out())
(1, True)
"""

from __future__ import annotations

from typing import Any, Iterable, Mapping, Sequence

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction import DictVectorizer
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.utils.validation import check_is_fitted

from .errors import GovReportError
from .features import Analyzer, NgramTable, TextAnalysis, as_input, content_rows, dicts_to_rows
from .segmentation import Segmenter, shared_segmenter

__all__ = ["ParagraphFeatures", "ngram_table"]


def ngram_table(vec: TfidfVectorizer, sep: str) -> NgramTable:
    """The numpy lookup table of a fitted ``TfidfVectorizer``.

    Examples
    --------
    >>> from sklearn.feature_extraction.text import TfidfVectorizer
    >>> vec = TfidfVectorizer(analyzer="char", ngram_range=(2, 2), sublinear_tf=True).fit(["放管服改革"])
    >>> ngram_table(vec, "").n_features
    4
    """
    terms = [""] * len(vec.vocabulary_)
    for t, i in vec.vocabulary_.items():
        terms[i] = t
    return NgramTable(terms, np.asarray(vec.idf_, dtype=np.float64) if vec.use_idf else None,
                      tuple(vec.ngram_range), sep, sublinear=bool(vec.sublinear_tf), norm=vec.norm)


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
        return shared_segmenter(self.segmenter)

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        for derived in ("_seg_cache", "_tables", "_terms"):
            state.pop(derived, None)
        return state

    # --- analysis: the per-text work, shared by featurizers with the same settings ---
    def analyzer(self) -> Analyzer:
        """How this featurizer reads texts (see :class:`~govreport_nlp.features.Analyzer`)."""
        return Analyzer(self.segmenter, self.opening_chars, self.use_lexicon,
                        bool(getattr(self, "use_tense", False)), bool(getattr(self, "mask_topics", False)))

    def analysis_key(self) -> tuple[Any, ...]:
        """Featurizers with equal keys read the same :class:`~govreport_nlp.features.TextAnalysis`."""
        return self.analyzer().key()

    def analyze(self, texts: Sequence[str]) -> TextAnalysis:
        """Segment and describe ``texts`` (see :class:`~govreport_nlp.features.TextAnalysis`)."""
        return self.analyzer().analyze(texts)

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

    def _lookup_tables(self) -> tuple[NgramTable, NgramTable]:
        tables = self.__dict__.get("_tables")
        if tables is None:
            tables = (ngram_table(self.word_vectorizer_, " "), ngram_table(self.char_vectorizer_, ""))
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
        if self._fast(self.word_vectorizer_) and self._fast(self.char_vectorizer_):
            words, chars = self._lookup_tables()
            return content_rows(a, words, chars, self.dict_vectorizer_.vocabulary_, self.lexicon_weight).to_scipy()
        # settings the lookup does not reproduce (a vectorizer configured by hand): scikit-learn's own path
        Xw = self.word_vectorizer_.transform([" ".join(ws) for ws in a.words])
        Xc = self.char_vectorizer_.transform(a.norm)
        Xd = dicts_to_rows(a.cues, self.dict_vectorizer_.vocabulary_, len(self.dict_vectorizer_.vocabulary_)).to_scipy()
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
