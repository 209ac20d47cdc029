"""Classifying with a trained head on numpy and the segmenter alone.

A trained :class:`~govreport_nlp.classifier.ParagraphClassifier` is, for
prediction, vocabularies and weight arrays. :class:`Head` is exactly that, read
from the saved state (``model.json`` and ``weights.npz``, see
:mod:`govreport_nlp.persistence`) without scikit-learn or scipy: a loaded model
classifies with heads of this kind, so its start-up imports neither.

Scores equal those of scikit-learn's own transforms and
``LogisticRegression.decision_function`` on the fitted estimators (to 1e-6;
tested on the corpus against :meth:`ParagraphClassifier.reference_decision_function
<govreport_nlp.classifier.ParagraphClassifier.reference_decision_function>`).

Examples
--------
>>> from govreport_nlp import load_model
>>> head = load_model().runtime_heads["function"]
>>> type(head).__name__, head.classes_[:3].tolist()
('Head', ['closing', 'meta', 'plan'])
>>> head.predict(["下一步将持续深化诉源治理。"]).tolist()
['plan']
"""

from __future__ import annotations

import hashlib
import itertools
import json
import logging
import os
import sys
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

import numpy as np

from ._version import __version__
from .errors import GovReportError
from .features import (Analyzer, NgramTable, SparseRows, TextBatch, array_text, dicts_to_rows,
                       ngram_counts, opening_table, text_array, tfidf)
from .reasons import explain_rows, telling_mask

__all__ = ["Head", "HeadGroup", "array_text", "code_digest", "text_array"]

logger = logging.getLogger("govreport_nlp")

#: the layout of HeadGroup.state (part of its cache key: a new layout is never read as an old one)
_STATE_LAYOUT = 4


# the vectorizer settings the numpy lookup reproduces (those ParagraphFeatures.fit uses)
_TFIDF_DEFAULTS = {"lowercase": False, "analyzer": None, "token_pattern": r"\S+", "norm": "l2", "use_idf": True,
                   "sublinear_tf": True}


@dataclass(frozen=True)
class _Weighing:
    """How one head weighs the n-grams of one vectorizer (its fitted settings)."""

    ngram_range: tuple[int, int]
    sep: str
    idf: np.ndarray | None
    sublinear: bool
    norm: str | None

    def lookup_key(self) -> tuple[Any, ...]:
        return (self.ngram_range, self.sep)


def _weighing(params: Mapping[str, Any], terms: list[str], idf: np.ndarray, sep: str) -> _Weighing:
    p = {**_TFIDF_DEFAULTS, **params}
    if p["lowercase"] or (sep and p["token_pattern"] != r"\S+") or p["norm"] not in ("l1", "l2", None):
        raise ValueError(f"vectorizer settings {dict(params)} are not ones this library fits")
    if p["use_idf"] and len(idf) != len(terms):
        raise ValueError(f"{len(terms)} terms but {len(idf)} weights")
    lo, hi = p.get("ngram_range", (1, 1))
    return _Weighing((int(lo), int(hi)), sep, np.asarray(idf, dtype=np.float64) if p["use_idf"] else None,
                     bool(p["sublinear_tf"]), p["norm"])


def _runtime(runtime: Mapping[str, np.ndarray], name: str, shape: tuple[int, ...]) -> np.ndarray | None:
    """``runtime[name]`` if it is there as float64 of this shape (C order), else ``None`` (computed anew)."""
    arr = runtime.get(name)
    if arr is None or arr.shape != shape or arr.dtype != np.float64 or not arr.flags.c_contiguous:
        return None
    return arr


def _weights(arrays: Mapping[str, np.ndarray], prefix: str, n_classes: int,
             dtype: Any = np.float64) -> tuple[np.ndarray, np.ndarray]:
    # ``dtype=None``: the weights as stored (float32), for a caller that copies them as it needs
    coef = np.asarray(arrays[prefix + "coef"], dtype=dtype)  # any layout: callers copy as they need
    intercept = np.asarray(arrays[prefix + "intercept"], dtype=np.float64).ravel()
    rows = 1 if n_classes == 2 else n_classes
    if coef.ndim != 2 or coef.shape[0] != rows or intercept.shape != (rows,):
        raise ValueError(f"{prefix}: weights do not match {n_classes} classes")
    if rows == 1:
        # binary: one weight vector for the second class; as two rows (0, w) the scores are the
        # logits (0, d) and every contrast between the rows is the same
        coef = np.ascontiguousarray(np.vstack([np.zeros_like(coef), coef]))
        intercept = np.array([0.0, intercept[0]])
    return coef, intercept


class Head:
    """One trained head as arrays, classifying with numpy (see the module docstring).

    Built by :meth:`from_state` from what :func:`~govreport_nlp.persistence.head_state`
    writes; it predicts, scores and explains like the
    :class:`~govreport_nlp.classifier.ParagraphClassifier` it was saved from.

    Attributes
    ----------
    classes_ : ndarray of str
    analyzer_ : Analyzer
        How texts are segmented and read.
    coef_, intercept_ : ndarray
        Content weights (labels x features) and intercepts.
    combiner_coef_, combiner_intercept_ : ndarray or None
        The combiner's weights (labels x [content in context, heading, content alone, context]).
    context_names_ : list of str or None
    state, arrays
        What it was built from (saved again as they are).

    Examples
    --------
    >>> from govreport_nlp import load_model
    >>> head = load_model().runtime_heads["topic"]
    >>> head.predict([{"text": "推行证照分离，压减审批时限。", "role": "review"}]).tolist()
    ['deregulation']
    >>> head.feature_name(head.feature_groups_["cue"][0]).split(":")[0] in {"cue", "kw", "len", "numbered", "open", "tense"}
    True
    """

    def __init__(self, state: Mapping[str, Any], arrays: Mapping[str, np.ndarray], prefix: str = "",
                 runtime: Mapping[str, np.ndarray] | None = None) -> None:
        # ``runtime``: what :meth:`runtime_arrays` gave for these arrays (a model's cache entry), used as it is
        runtime = runtime or {}
        self.state = dict(state)
        self.prefix = prefix
        self.arrays = {k: v for k, v in arrays.items() if k.startswith(prefix)}
        fstate = state["features"]
        fp = dict(fstate["params"])
        self.analyzer_ = Analyzer(fp.get("segmenter", "rjieba"), int(fp.get("opening_chars", 8)),
                                  bool(fp.get("use_lexicon", True)), bool(fp.get("use_tense", False)),
                                  bool(fp.get("mask_topics", False)))
        self.lexicon_weight = float(fp.get("lexicon_weight", 1.0))
        self.params = dict(state.get("params", {}))
        self.classes_ = np.asarray([str(c) for c in state["classes"]], dtype=object)
        k = len(self.classes_)
        self._terms = {g: array_text(arrays[f"{prefix}{g}_vocab"]) for g in ("word", "char", "cue")}
        self.word_weighing_ = _weighing(fstate["word"], self._terms["word"], arrays[prefix + "word_idf"], " ")
        self.char_weighing_ = _weighing(fstate["char"], self._terms["char"], arrays[prefix + "char_idf"], "")
        nw, nc, nd = (len(self._terms[g]) for g in ("word", "char", "cue"))
        self.feature_groups_ = {"word": (0, nw), "char": (nw, nw + nc), "cue": (nw + nc, nw + nc + nd)}
        self.n_features_in_ = nw + nc + nd
        coef, self.intercept_ = _weights(arrays, prefix + "content_", k, dtype=None)  # copied once, below
        if coef.shape[1] != self.n_features_in_:
            raise ValueError("content weights do not match the vocabulary")
        # one copy of the weights, (features, labels) in memory: SparseRows.dot reads rows of it; coef_ is its view
        shape = (self.n_features_in_, coef.shape[0])
        coef_t = _runtime(runtime, prefix + "coef_t", shape)
        self._coef_t = np.array(coef.T, dtype=np.float64, order="C") if coef_t is None else coef_t
        self.coef_ = self._coef_t.T
        del coef
        mean = _runtime(runtime, prefix + "mean_coef", (shape[0],))
        self.mean_coef_ = self.coef_.mean(axis=0) if mean is None else mean
        shown = _runtime(runtime, prefix + "shown", (shape[0],))
        if shown is not None:
            self._shown = shown
        self.context_names_: list[str] | None = None
        self.context_vocabulary_: dict[str, int] = {}
        self.combiner_coef_: np.ndarray | None = None
        self.combiner_intercept_: np.ndarray | None = None
        if state.get("combiner"):
            self.context_names_ = array_text(arrays[prefix + "context_vocab"])
            self.context_vocabulary_ = {n: i for i, n in enumerate(self.context_names_)}
            self.combiner_coef_, self.combiner_intercept_ = _weights(arrays, prefix + "combiner_", k)
            if self.combiner_coef_.shape[1] != 3 * k + len(self.context_names_):
                raise ValueError("combiner weights do not match its features")

    def runtime_arrays(self) -> dict[str, np.ndarray]:
        """What this head computes from its saved arrays at load, as arrays (keys start with its
        ``prefix``): the float64 weights, their mean and what reasons read. Passed back as
        ``runtime``, they are used as they are."""
        return {self.prefix + "coef_t": self._coef_t, self.prefix + "mean_coef": np.asarray(self.mean_coef_),
                self.prefix + "shown": self.shown_}

    def __getstate__(self) -> dict[str, Any]:
        # what it builds on first use (lookup groups, reason arrays, names) is rebuilt where it is unpickled
        return {k: v for k, v in self.__dict__.items()
                if k not in ("_group", "_names", "_evidence", "_shown", "_context_key")}

    @classmethod
    def from_state(cls, state: Mapping[str, Any], arrays: Mapping[str, np.ndarray], prefix: str = "",
                   runtime: Mapping[str, np.ndarray] | None = None) -> Head:
        """The head saved as ``state`` and ``arrays`` (keys starting with ``prefix``); ``runtime``, what
        :meth:`runtime_arrays` gave for them before (see :mod:`govreport_nlp.lookup_cache`).

        Raises ``ValueError`` or ``KeyError`` if they are inconsistent.
        """
        return cls(state, arrays, prefix, runtime)

    def __repr__(self) -> str:
        return f"Head(classes={self.classes_.tolist()}, features={self.n_features_in_})"

    # --- what it reads -----------------------------------------------------
    def analyzer(self) -> Analyzer:
        return self.analyzer_

    @property
    def segmenter(self) -> str | Mapping[str, Any]:
        """The segmenter the head reads with, by name or config."""
        return self.analyzer_.segmenter

    @property
    def shown_(self) -> np.ndarray:
        """1 for each content feature worth showing a reader in reasons, 0 for the others (built on first use)."""
        shown = self.__dict__.get("_shown")
        if shown is None:
            lo = self.feature_groups_["cue"][0]
            shown = np.ones(self.n_features_in_)
            shown[lo:] = telling_mask(self._terms["cue"])
            self._shown = shown
        return shown

    @property
    def evidence_(self) -> np.ndarray:
        """What each content feature adds for each label against the others, zero for those not shown
        (features x labels; built on first use: reasons use it once built, and until then compute the
        entries they read)."""
        ev = self.__dict__.get("_evidence")
        if ev is None:
            ev = self._coef_t - self.mean_coef_[:, None]
            ev *= self.shown_[:, None]
            self._evidence = ev
        return ev

    @property
    def use_context(self) -> bool:
        return bool(self.params.get("use_context", True))

    @property
    def learned_context(self) -> bool:
        """Whether the combiner was trained on paragraphs read in their reports (not on bare text only)."""
        return self.context_names_ is not None and any(n != "ctx=none" for n in self.context_names_)

    def feature_name(self, column: int) -> str:
        """The name of one content feature column (``w:`` words, ``c:`` characters, cues as named)."""
        if not 0 <= column < self.n_features_in_:
            raise IndexError(f"column {column} is out of range ({self.n_features_in_} features).")
        nw, nwc = self.feature_groups_["char"]  # built on the fly: a list of every name would hold 10+ MB
        if column < nw:
            return "w:" + self._terms["word"][column]
        if column < nwc:
            return "c:" + self._terms["char"][column - nw]
        return self._terms["cue"][column - nwc]

    def prepare(self) -> Head:
        """Build now what is otherwise built on first use: the segmenter's dictionary and the mask of
        features reasons may show (before forking workers, so that they share them)."""
        self.analyzer_._segmenter().cut("预备")
        self.shown_  # noqa: B018 (built and kept)
        return self

    # --- prediction --------------------------------------------------------
    def _context(self, dicts: Sequence[Mapping[str, float]]) -> SparseRows:
        return dicts_to_rows(dicts, self.context_vocabulary_, len(self.context_vocabulary_), dtype=np.float64)

    def _batch_context(self, batch: TextBatch) -> SparseRows:
        """:meth:`_context` of the batch's inputs, shared with the other heads of the same context
        vocabulary (the default model's heads have one)."""
        names = self.__dict__.get("_context_key")
        if names is None:
            names = self._context_key = tuple(self.context_names_ or ())
        return batch.shared(("context rows", names), lambda: self._context(batch.contexts))

    def _analyze(self, X: Iterable[Any] | TextBatch) -> dict[str, Any]:
        """Every intermediate of a prediction, so that scores and reasons share one pass.

        ``X`` may be a :class:`~govreport_nlp.features.TextBatch` that other heads
        read too: each distinct text is then analysed once for all of them.
        """
        batch = X if isinstance(X, TextBatch) else TextBatch(X)
        group = self.__dict__.get("_group")
        if group is None:
            group = self._group = HeadGroup([self])
        return group.analyze(batch)[0]

    def _score(self, batch: TextBatch, analysis: Any, Xu: SparseRows) -> dict[str, Any]:
        """:meth:`_analyze` from the content rows ``Xu`` of the batch's distinct texts."""
        inputs = batch.inputs
        k = len(self.classes_)
        if not inputs:
            return {"inputs": [], "heads": [], "X": SparseRows.from_triples([], [], [], (0, self.n_features_in_)),
                    "rows": np.zeros(0, dtype=np.int64), "scores": np.zeros((0, k))}
        scores = Xu.dot(self._coef_t) + self.intercept_  # one row per distinct text
        out: dict[str, Any] = {"inputs": inputs, "heads": batch.headings, "X": Xu, "rows": batch.rows,
                               "scores": scores[batch.rows], "analysis": analysis}
        if self.combiner_coef_ is None or self.combiner_intercept_ is None:
            return out
        s_par = out["scores"]
        if not self.learned_context:
            # trained on text only: the combiner knows no context, so a paragraph of a report is read as
            # bare text (its in-context weights were never fitted and would give one label to everything)
            bare = np.ones(len(inputs), dtype=bool)
            s_head = np.zeros_like(s_par)
            C = self._context([{"ctx=none": 1.0}] * len(inputs))
        else:
            s_head = scores[np.maximum(batch.head_rows, 0)] * (batch.head_rows >= 0)[:, None]
            if self.use_context:
                bare = ~batch.in_context
                C = self._batch_context(batch)
            else:
                bare = np.ones(len(inputs), dtype=bool)
                C = self._context([{"ctx=none": 1.0}] * len(inputs))
        b = bare.astype(float)[:, None]
        # content scores get separate weights with and without context (see ParagraphClassifier._stack)
        Z = np.hstack([s_par * (1 - b), s_head, s_par * b])
        combined = Z @ self.combiner_coef_[:, :3 * k].T + C.dot(self.combiner_coef_[:, 3 * k:].T)
        out.update(head_scores=s_head, context=C, bare=bare, scores=combined + self.combiner_intercept_)
        return out

    def decision_function(self, X: Iterable[Any]) -> np.ndarray:
        """Label scores (logits), columns in the order of ``classes_``."""
        return np.asarray(self._analyze(X)["scores"])

    def predict_proba(self, X: Iterable[Any]) -> np.ndarray:
        """Probabilities, columns in the order of ``classes_``."""
        return softmax(self.decision_function(X))

    def predict(self, X: Iterable[Any]) -> np.ndarray:
        return np.asarray(self.classes_[np.argmax(self.decision_function(X), axis=1)])

    def explain_many(self, X: Iterable[Any], labels: Sequence[str] | None = None, top: int = 8,
                     analysis: dict[str, Any] | None = None,
                     memo: dict[Any, Any] | None = None) -> list[list[tuple[str, float]]]:
        """What pushed each paragraph towards ``labels[i]`` (default: the predicted label), strongest first.

        See :meth:`ParagraphClassifier.explain <govreport_nlp.classifier.ParagraphClassifier.explain>`;
        ``memo`` (a dict) shares the wording of features between heads explaining the same paragraphs.
        """
        a = analysis if analysis is not None else self._analyze(X)
        n_rows = len(a["inputs"])
        if labels is None:
            ks = np.argmax(a["scores"], axis=1) if n_rows else np.zeros(0, dtype=int)
        else:
            index = {str(c): i for i, c in enumerate(self.classes_)}
            bad = [lab for lab in labels if lab not in index]
            if bad:
                raise GovReportError(f"label {bad[0]!r} is not one of {', '.join(map(str, self.classes_))}.")
            ks = np.array([index[lab] for lab in labels], dtype=int)
        return explain_rows(a, ks, top, coef=self.coef_, mean=self.mean_coef_, ccoef=self.combiner_coef_,
                            shown=self.shown_, feature_name=self.feature_name, context_names=self.context_names_,
                            memo=memo, segment=self.analyzer_._segmenter().cut,
                            names=self.__dict__.setdefault("_names", {}),
                            # the whole array if built (one gather); else the entries read are computed
                            evidence=self.__dict__.get("_evidence"),
                            whole_tokens=not self.analyzer_.mask_topics)

    def explain(self, x: Any, label: str | None = None, top: int = 8) -> list[tuple[str, float]]:
        """What pushed ``x`` towards ``label`` (default: the predicted one), strongest first."""
        return self.explain_many([x], None if label is None else [label], top=top)[0]


def softmax(z: np.ndarray) -> np.ndarray:
    """Row-wise softmax of scores."""
    z = np.asarray(z, dtype=float)
    if z.size == 0:
        return z
    z = z - z.max(axis=1, keepdims=True)
    p = np.exp(z)
    return np.asarray(p / p.sum(axis=1, keepdims=True))


class HeadGroup:
    """Heads that read texts alike (one :class:`~govreport_nlp.features.Analyzer`, the same n-gram
    ranges), featurized in one pass.

    The vocabularies of the heads are merged into one lookup table per kind
    (words, characters, cues): each text's n-grams are found and counted once,
    then each head keeps the ones it knows and weighs them by its own IDF and
    norm. Scores equal those of each head alone.

    Parameters
    ----------
    heads : sequence of Head
        Raises ``ValueError`` if they read texts differently (see :meth:`partition`).

    Examples
    --------
    >>> from govreport_nlp import load_model
    >>> heads = list(load_model().runtime_heads.values())
    >>> group = HeadGroup(heads)
    >>> [a["scores"].shape for a in group.analyze(TextBatch(["推行证照分离改革。"]))]
    [(1, 6), (1, 15)]
    """

    #: characters a group made by :meth:`deferred` reads by string lookup before it builds its integer
    #: lookup tables: building them takes about 0.4 s, which a single report does not pay back
    STRING_LOOKUP_CHARS = 50_000

    def __init__(self, heads: Sequence[Head]) -> None:
        self._check(heads)
        self._vocabularies()
        self._tables()

    @classmethod
    def deferred(cls, heads: Sequence[Head], cache_key: str | None = None) -> HeadGroup:
        """The group of ``heads``, looking n-grams up by string (same counts) until it has read
        :data:`STRING_LOOKUP_CHARS` characters or :meth:`complete` is called; then it builds its
        integer tables (and, given a ``cache_key``, writes them to the per-user cache in the
        background). A run over one report so never builds them."""
        g = cls.__new__(cls)
        g._check(heads)
        return g._defer(cache_key)

    def _defer(self, cache_key: str | None) -> HeadGroup:
        self._vocabularies()
        first = self.heads[0]
        self.words_ = NgramTable.by_strings(self._indices[0], first.word_weighing_.ngram_range,
                                            first.word_weighing_.sep)
        self.chars_ = NgramTable.by_strings(self._indices[1], first.char_weighing_.ngram_range,
                                            first.char_weighing_.sep)
        self._openings = opening_table(self.cue_vocabulary_, by_strings=True)
        self._deferred = (cache_key,)
        self._read = 0
        return self

    def complete(self) -> HeadGroup:
        """Build the integer lookup tables now, if :meth:`deferred` left them for later (before forking
        workers, so that they share them)."""
        if self.__dict__.get("_deferred") is None:
            return self
        with _COMPLETING:
            pending = self.__dict__.get("_deferred")
            if pending is None:  # another thread built them meanwhile
                return self
            self._tables()  # same columns as the string tables: a batch read meanwhile counts the same
            self._deferred = None
        if pending[0] is not None:
            from . import lookup_cache

            lookup_cache.save(pending[0], self.state, background=True)
        return self

    def _vocabularies(self) -> None:
        # every head's terms numbered in one merged order per group (the first head's first), and each
        # head's columns in it
        self._indices = [_index([h._terms[g] for h in self.heads]) for g in ("word", "char", "cue")]
        self._word_cols, self._char_cols, self._cue_cols = (
            [_columns(index, h._terms[g]) for h in self.heads]
            for index, g in zip(self._indices, ("word", "char", "cue")))
        self.cue_vocabulary_ = self._indices[2]

    def _tables(self) -> None:
        first = self.heads[0]
        words, chars = self._indices[0], self._indices[1]
        self.words_ = _table(words, first.word_weighing_).look_up_directly()
        self.chars_ = _table(chars, first.char_weighing_).look_up_directly()
        self._openings = opening_table(self.cue_vocabulary_)
        del self._indices  # the tables hold their terms

    def _check(self, heads: Sequence[Head]) -> None:
        self.heads = list(heads)
        if not self.heads:
            raise ValueError("a head group needs at least one head")
        first = self.heads[0]
        if any(self._key(h) != self._key(first) for h in self.heads[1:]):
            raise ValueError("these heads read texts differently; group them with HeadGroup.partition")
        self.analyzer_ = first.analyzer_

    @staticmethod
    def _key(head: Head) -> tuple[Any, ...]:
        return (head.analyzer_.key(), head.word_weighing_.lookup_key(), head.char_weighing_.lookup_key())

    @classmethod
    def partition(cls, heads: Sequence[Head], cache: bool = False) -> list[HeadGroup]:
        """The heads in groups of heads that read texts alike, in order of first appearance, each
        :meth:`deferred` (its integer tables built once needed).

        ``cache``: read each group's lookup tables from the per-user cache when they were
        built before, and write them there when built (see :mod:`govreport_nlp.lookup_cache`).
        """
        groups: dict[tuple[Any, ...], list[Head]] = {}
        for h in heads:
            groups.setdefault(cls._key(h), []).append(h)
        return [cls.cached(g) if cache else cls.deferred(g) for g in groups.values()]

    # --- kept between runs ---------------------------------------------------
    def cache_key(self) -> str:
        """A digest of what the lookup tables are built from: the heads' vocabularies, how they read
        texts, this library's version and the layout of :meth:`state`."""
        h = hashlib.blake2b(digest_size=20)
        h.update(json.dumps([_STATE_LAYOUT, __version__, repr([self._key(x) for x in self.heads])]).encode())
        h.update(code_digest() or b"")
        for head in self.heads:
            for g in ("word", "char", "cue"):
                raw = text_array(head._terms[g]) if head.arrays.get(f"{head.prefix}{g}_vocab") is None \
                    else head.arrays[f"{head.prefix}{g}_vocab"]  # the vocabulary as saved: no join needed
                h.update(len(raw).to_bytes(8, "little"))
                h.update(np.ascontiguousarray(raw, dtype=np.uint8).data)
        return h.hexdigest()

    def state(self) -> dict[str, np.ndarray]:
        """The lookup tables as arrays (what :meth:`from_state` rebuilds the group from)."""
        self.complete()
        out: dict[str, np.ndarray] = {"key": text_array([self.cache_key()])}
        for name, table in (("words", self.words_), ("chars", self.chars_), ("openings", self._openings[0])):
            out.update({f"{name}/{k}": v for k, v in table.state().items()})
        out["openings/columns"] = self._openings[1]
        out["cue_names"] = text_array(list(self.cue_vocabulary_))
        for i, cols in enumerate(zip(self._word_cols, self._char_cols, self._cue_cols)):
            for g, c in zip(("word", "char", "cue"), cols):
                out[f"columns/{i}/{g}"] = c
        return out

    @classmethod
    def from_state(cls, heads: Sequence[Head], arrays: Mapping[str, np.ndarray]) -> HeadGroup:
        """The group of ``heads`` whose :meth:`state` ``arrays`` are. Raises ``ValueError`` if they are
        another group's (or do not fit together)."""
        g = cls.__new__(cls)
        g._check(heads)
        if array_text(arrays["key"]) != [g.cache_key()]:
            raise ValueError("these lookup tables were built for other heads")
        part = {name: {k[len(name) + 1:]: v for k, v in arrays.items() if k.startswith(name + "/")}
                for name in ("words", "chars", "openings")}
        g.words_ = NgramTable.from_state(part["words"], " ").look_up_directly()
        g.chars_ = NgramTable.from_state(part["chars"], "").look_up_directly()
        g._openings = (NgramTable.from_state(part["openings"], ""), np.asarray(arrays["openings/columns"]))
        names = array_text(arrays["cue_names"])
        g.cue_vocabulary_ = dict(zip(names, range(len(names))))
        sizes = {"word": g.words_.n_features, "char": g.chars_.n_features, "cue": len(names)}
        cols = {k: [np.asarray(arrays[f"columns/{i}/{k}"], dtype=np.int64) for i in range(len(g.heads))]
                for k in sizes}
        if any(len(c) != sizes[k] for k, cs in cols.items() for c in cs):
            raise ValueError("the columns of these lookup tables do not fit them")
        for k, cs in cols.items():
            for h, c in zip(g.heads, cs):
                if len(c) and not -1 <= int(c.min()) <= int(c.max()) < len(h._terms[k]):
                    raise ValueError("the columns of these lookup tables are out of range")
        g._word_cols, g._char_cols, g._cue_cols = cols["word"], cols["char"], cols["cue"]
        return g

    @classmethod
    def cached(cls, heads: Sequence[Head]) -> HeadGroup:
        """:class:`HeadGroup` of ``heads``, its tables read from the per-user cache if they were built
        before, else :meth:`deferred` (built once needed, and then written there)."""
        from . import lookup_cache

        if not lookup_cache.enabled() or code_digest() is None:
            return cls.deferred(heads)
        group = cls.__new__(cls)
        group._check(heads)
        key = group.cache_key()
        arrays = lookup_cache.load(key)
        if arrays is not None:
            try:
                return cls.from_state(heads, arrays)
            except (KeyError, ValueError) as exc:  # another layout or a damaged file: replaced
                logger.debug("lookup cache %s not used (%s)", key, exc)
            # removed once its files are no longer mapped (outside the except: the traceback held them)
            del arrays
            lookup_cache.discard(key)
        return group._defer(key)  # built, and written, once it has read enough to pay for them

    def analyze(self, batch: TextBatch) -> list[dict[str, Any]]:
        """Each head's analysis of the batch (see :meth:`Head._analyze`), in the order of :attr:`heads`."""
        if not batch.inputs:
            return [h._score(batch, None, SparseRows.from_triples([], [], [], (0, h.n_features_in_)))
                    for h in self.heads]
        if self.__dict__.get("_deferred") is not None:
            self._read += sum(map(len, batch.texts))
            if self._read > self.STRING_LOOKUP_CHARS:
                self.complete()
        analysis = batch.analysis(self.analyzer_)
        words = ngram_counts(analysis, self.words_)
        chars = ngram_counts(analysis, self.chars_)
        cues = analysis.cue_features.rows(self.cue_vocabulary_, len(self.cue_vocabulary_), self._openings)
        out = []
        for h, wcols, ccols, dcols in zip(self.heads, self._word_cols, self._char_cols, self._cue_cols):
            ww, cw = h.word_weighing_, h.char_weighing_
            Xw = tfidf(words.select(wcols, len(h._terms["word"])), ww.idf, ww.sublinear, ww.norm)
            Xc = tfidf(chars.select(ccols, len(h._terms["char"])), cw.idf, cw.sublinear, cw.norm)
            Xd = cues.select(dcols, len(h._terms["cue"]))
            Xd = SparseRows(Xd.indptr, Xd.indices, Xd.data * np.float32(h.lexicon_weight), Xd.shape)
            out.append(h._score(batch, analysis, SparseRows.hstack([Xw, Xc, Xd])))
        return out


@lru_cache(maxsize=1)
def code_digest() -> bytes | None:
    """A digest of the code that builds and reads what the per-user cache keeps (features, inference,
    reasons), part of every cache key, so that a changed checkout never reads what an older one wrote;
    ``None`` where that code cannot be read (a frozen application): then nothing is cached.

    Examples
    --------
    >>> len(code_digest())
    64
    """
    from . import features, reasons

    try:
        return hashlib.blake2b(b"".join(Path(m.__file__).read_bytes()  # type: ignore[arg-type]
                                        for m in (features, sys.modules[__name__], reasons))).digest()
    except (OSError, TypeError):
        return None


def _columns(index: Mapping[str, int], terms: Sequence[str]) -> np.ndarray:
    """For each merged column, the column of ``terms`` holding the same term (``-1``: none)."""
    cols = np.full(len(index), -1, dtype=np.int64)
    if list(itertools.islice(index, len(terms))) == list(terms):  # the first vocabulary: no lookup needed
        cols[:len(terms)] = np.arange(len(terms))
        return cols
    cols[np.fromiter(map(index.__getitem__, terms), dtype=np.int64, count=len(terms))] = np.arange(len(terms))
    return cols


def _index(vocabularies: Sequence[Sequence[str]]) -> dict[str, int]:
    """Every term of the vocabularies, numbered in order of first appearance."""
    if not vocabularies:
        return {}
    index = dict(zip(vocabularies[0], range(len(vocabularies[0]))))  # a fitted vocabulary has no repeats
    if len(index) != len(vocabularies[0]):
        index = dict(zip(dict.fromkeys(vocabularies[0]), itertools.count()))
    for terms in vocabularies[1:]:
        for t in terms:
            if t not in index:
                index[t] = len(index)
    return index


def _table(index: Mapping[str, int], weighing: _Weighing) -> NgramTable:
    """The integer lookup table of merged terms (:func:`_index`), read as ``weighing`` reads texts."""
    return NgramTable(list(index), None, weighing.ngram_range, weighing.sep, sublinear=False, norm=None)


#: held while a deferred group builds its tables (one builder, whatever the threads)
_COMPLETING = threading.Lock()


def _after_fork_in_child() -> None:
    # a thread building tables at the fork is not in the child, but the lock it held is: a new one (the
    # child's groups finish what it left, the tables it swapped in already count the same)
    global _COMPLETING
    _COMPLETING = threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)
