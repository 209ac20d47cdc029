"""A paragraph classifier for one label axis, with scikit-learn conventions.

:class:`ParagraphClassifier` decides in two stages (stacking):

1. a **content model**: :class:`~govreport_nlp.features.ParagraphFeatures` and
   a multinomial logistic regression, which reads only the paragraph's words;
2. a **combiner**: a small logistic regression over the content model's scores
   for the paragraph and for the heading above it, plus the paragraph's
   :func:`~govreport_nlp.features.context_features` (section role, heading cues,
   position). It is fitted on *out-of-fold* content scores (folds grouped by
   document when groups are given), so it learns how far to trust the words and
   how much the structure adds, and its probabilities are calibrated.

Training inputs that carry report context are also given to the combiner
without it, so a paragraph passed alone (a bare string) gets a calibrated,
content-only prediction. The classifier takes any labels, so it serves the
built-in axes and users' own label sets alike, and works in ``Pipeline``,
``GridSearchCV`` and ``clone``.

Examples
--------
>>> texts = ["深化放管服改革，推行证照分离。", "推进一网通办，优化营商环境。",
...          "加强行政复议应诉，化解矛盾纠纷。", "做好人民调解和信访工作。"]
>>> clf = ParagraphClassifier(cv=0).fit(texts, ["deregulation", "deregulation", "dispute", "dispute"])
>>> clf.predict(["开展矛盾纠纷排查化解和调解。"])[0]
'dispute'
>>> clf.predict_proba(["深化审批改革，推行证照分离。"]).shape
(1, 2)
"""

from __future__ import annotations

import bisect
import re
from functools import lru_cache
from typing import Any, Iterable, Mapping, Sequence

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.feature_extraction import DictVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold, StratifiedKFold
from sklearn.utils.validation import check_is_fitted

from .errors import GovReportError
from .features import ParagraphFeatures, TextAnalysis, TextBatch, as_input, context_features, dicts_to_csr, has_context

__all__ = ["ParagraphClassifier", "describe_feature", "reader_term"]


class ParagraphClassifier(ClassifierMixin, BaseEstimator):
    """Classify paragraphs into any set of labels, from their words and their place in a report.

    Parameters
    ----------
    features : ParagraphFeatures or None
        The content featurizer (cloned on fit); ``None`` means ``ParagraphFeatures()``.
    C : float
        Inverse regularisation strength of the content model.
    class_weight : "balanced", dict or None
        Class weights of both stages; "balanced" lets rare labels count.
    use_context : bool
        Whether the combiner sees report context (``False``: content only, the
        combiner then only calibrates the content scores).
    cv : int
        Folds for the out-of-fold content scores the combiner learns from. With
        ``cv < 2``, or too little data to split, there is no combiner: the
        content model's own probabilities are returned and context is unused.
    context_C : float
        Inverse regularisation strength of the combiner.
    context_noise : float
        Weight of extra copies of the in-report training paragraphs whose context
        is corrupted (headings removed, a wrong section role, the role dropped,
        the position shifted), with their true labels: the combiner learns that
        clear content can beat a misread section. 0 adds none.
    max_iter : int
        Iterations of the solvers.

    Attributes
    ----------
    classes_ : ndarray of str
    features_ : ParagraphFeatures
        The fitted content featurizer.
    content_model_ : LogisticRegression
        The content model, fitted on all training paragraphs.
    context_vectorizer_ : DictVectorizer or None
    combiner_ : LogisticRegression or None
    n_features_in_ : int
        Width of the content feature matrix.

    Examples
    --------
    >>> from govreport_nlp.classifier import ParagraphClassifier
    >>> texts = ["全年办理行政复议案件十二件。", "下一步将持续深化诉源治理。"] * 4
    >>> clf = ParagraphClassifier().fit(texts, ["done", "todo"] * 4)
    >>> clf.predict(["下一步将推进证照分离。"])
    array(['todo'], dtype=object)
    >>> clf.classes_
    array(['done', 'todo'], dtype=object)
    """

    def __init__(self, features: ParagraphFeatures | None = None, C: float = 10.0,
                 class_weight: str | dict[str, float] | None = "balanced", use_context: bool = True, cv: int = 3,
                 context_C: float = 1.0, max_iter: int = 3000, context_noise: float = 0.0) -> None:
        self.features = features
        self.C = C
        self.class_weight = class_weight
        self.use_context = use_context
        self.cv = cv
        self.context_C = context_C
        self.max_iter = max_iter
        self.context_noise = context_noise

    # --- fitting -----------------------------------------------------------
    def _content_estimator(self) -> LogisticRegression:
        return LogisticRegression(C=self.C, class_weight=self.class_weight, max_iter=self.max_iter)

    def fit(self, X: Iterable[Any], y: Sequence[Any], sample_weight: Sequence[float] | None = None,
            groups: Sequence[Any] | None = None) -> ParagraphClassifier:
        """Fit on paragraph inputs ``X`` (texts, dicts or Paragraphs) and labels ``y``.

        ``groups`` (e.g. the document of each paragraph) keeps the out-of-fold
        scores honest: no document is scored by a content model that saw it.
        """
        inputs = [as_input(x) for x in X]
        y_arr = np.asarray([str(v) for v in y], dtype=object)
        if len(inputs) != len(y_arr):
            raise GovReportError(f"got {len(inputs)} paragraphs but {len(y_arr)} labels.")
        if len(set(y_arr)) < 2:
            raise GovReportError("training needs at least two different labels.")
        w = np.ones(len(y_arr)) if sample_weight is None else np.asarray(sample_weight, dtype=float)
        g = None if groups is None else np.asarray([str(v) for v in groups], dtype=object)

        self.features_ = clone(self.features) if self.features is not None else ParagraphFeatures()
        batch = TextBatch(inputs)
        analysis = batch.analysis(self.features_)
        self.features_.fit_analysis(analysis, batch.rows)
        Xu = self.features_.transform_analysis(analysis)
        Xm = Xu[batch.rows]
        # rows without a heading read any text: their heading scores are zeroed below
        Hm = Xu[np.maximum(batch.head_rows, 0)]
        heads = batch.headings
        self.content_model_ = self._content_estimator().fit(Xm, y_arr, sample_weight=w)
        self.classes_ = self.content_model_.classes_
        self.n_features_in_ = Xm.shape[1]
        self.context_vectorizer_: DictVectorizer | None = None
        self.combiner_: LogisticRegression | None = None

        oof = self._out_of_fold(Xm, Hm, y_arr, w, g)
        if oof is None:
            return self
        s_par, s_head = oof
        has_head = np.array([h is not None for h in heads])
        ctx = [context_features(x) if self.use_context else {"ctx=none": 1.0} for x in inputs]
        bare = np.array([not self._in_context(x) for x in inputs])
        rows_ctx, rows_par, rows_head = list(ctx), [s_par], [s_head * has_head[:, None]]
        rows_bare, rows_y, rows_w = [bare], [y_arr], [w]
        # the same paragraphs without their report: the combiner must also serve bare text
        if (~bare).any():
            idx = np.flatnonzero(~bare)
            rows_ctx += [{"ctx=none": 1.0}] * len(idx)
            rows_par.append(s_par[idx])
            rows_head.append(np.zeros((len(idx), s_head.shape[1])))
            rows_bare.append(np.ones(len(idx), dtype=bool))
            rows_y.append(y_arr[idx])
            rows_w.append(w[idx])
        # the same paragraphs with their context corrupted: content must still carry the decision
        if self.context_noise > 0 and self.use_context and (~bare).any():
            idx = np.flatnonzero(~bare)
            rng = np.random.default_rng(0)
            kinds = rng.integers(0, 4, size=len(idx))
            roles = ("review", "plans", "shortcomings", "preamble", "duties", "other")
            for j, kind in zip(idx.tolist(), kinds.tolist()):
                x = dict(inputs[j])
                keep_head = True
                if kind == 0:  # headings lost
                    x["headings"], keep_head = [], False
                elif kind == 1:  # the section read as another role, not said by a heading
                    x["role"] = roles[int(rng.integers(len(roles)))]
                    x["cued"] = False
                elif kind == 2:  # no role at all (a report without headings)
                    x["role"], x["cued"], x["headings"], keep_head = "preamble", False, [], False
                else:  # cut short or shifted: another position, not at the end
                    x["position"], x["last"] = float(rng.random()), False
                rows_ctx.append(context_features(x))
                rows_par.append(s_par[j:j + 1])
                rows_head.append(s_head[j:j + 1] * (has_head[j] and keep_head))
                rows_bare.append(np.zeros(1, dtype=bool))
                rows_y.append(y_arr[j:j + 1])
                rows_w.append(w[j:j + 1] * self.context_noise)
        self.context_vectorizer_ = DictVectorizer(dtype=np.float64).fit(rows_ctx + [{"ctx=none": 1.0}])
        Z = self._stack(np.vstack(rows_par), np.vstack(rows_head), np.concatenate(rows_bare), self._context(rows_ctx))
        self.combiner_ = LogisticRegression(C=self.context_C, class_weight=self.class_weight,
                                            max_iter=self.max_iter).fit(Z, np.concatenate(rows_y),
                                                                        sample_weight=np.concatenate(rows_w))
        return self

    def _out_of_fold(self, Xm: Any, Hm: Any, y: np.ndarray, w: np.ndarray,
                     groups: np.ndarray | None) -> tuple[np.ndarray, np.ndarray] | None:
        k = int(self.cv or 0)
        if k < 2:
            return None
        if groups is not None and len(set(groups)) >= k:
            splits = list(GroupKFold(n_splits=k).split(Xm, y, groups))
        else:
            _, counts = np.unique(y, return_counts=True)
            if counts.min() < k:
                return None
            splits = list(StratifiedKFold(n_splits=k, shuffle=True, random_state=0).split(Xm, y))
        col = {c: i for i, c in enumerate(self.classes_)}
        s_par = np.zeros((len(y), len(self.classes_)))
        s_head = np.zeros_like(s_par)
        for tr, te in splits:
            if len(set(y[tr])) < 2:
                return None
            est = self._content_estimator().fit(Xm[tr], y[tr], sample_weight=w[tr])
            cols = [col[c] for c in est.classes_]
            # a class missing from a fold keeps a very low score there
            s_par[np.ix_(te, range(len(col)))] = -10.0
            s_head[np.ix_(te, range(len(col)))] = -10.0
            s_par[np.ix_(te, cols)] = _logits(_linear(est, Xm[te]))
            s_head[np.ix_(te, cols)] = _logits(_linear(est, Hm[te]))
        return s_par, s_head

    @property
    def learned_context(self) -> bool:
        """Whether the combiner was trained on paragraphs read in their reports (not on bare text only).

        A classifier trained on ``text``/``label`` records alone has learned nothing about
        context; it then classifies report paragraphs by their content, as it was evaluated.

        Examples
        --------
        >>> clf = ParagraphClassifier().fit(["全年办理行政复议案件十二件。", "下一步将持续深化诉源治理。"] * 4,
        ...                                 ["done", "todo"] * 4)
        >>> clf.learned_context
        False
        """
        vec = getattr(self, "context_vectorizer_", None)
        return vec is not None and any(n != "ctx=none" for n in vec.feature_names_)

    def _in_context(self, x: dict[str, Any]) -> bool:
        return bool(self.use_context and has_context(x))

    @staticmethod
    def _stack(s_par: np.ndarray, s_head: np.ndarray, bare: np.ndarray, ctx: Any) -> sp.csr_matrix:
        # content scores get separate weights with and without context: read in its report, a
        # paragraph's words count for less than on their own
        b = bare.astype(float)[:, None]
        return sp.hstack([sp.csr_matrix(s_par * (1 - b)), sp.csr_matrix(s_head), sp.csr_matrix(s_par * b), ctx],
                         format="csr")

    # --- prediction --------------------------------------------------------
    def _context(self, dicts: Sequence[Mapping[str, float]]) -> sp.csr_matrix:
        assert self.context_vectorizer_ is not None
        vocab = self.context_vectorizer_.vocabulary_
        return dicts_to_csr(dicts, vocab, len(vocab), dtype=np.float64)

    def _analyze(self, X: Iterable[Any] | TextBatch) -> dict[str, Any]:
        """Every intermediate of a prediction, so that scores and reasons share one pass.

        ``X`` may be a :class:`~govreport_nlp.features.TextBatch` that other
        heads read too: each distinct text is then analysed once for all of them.
        """
        check_is_fitted(self, "content_model_")
        batch = X if isinstance(X, TextBatch) else TextBatch(X)
        inputs = batch.inputs
        if not inputs:
            return {"inputs": [], "heads": [], "X": sp.csr_matrix((0, self.n_features_in_)),
                    "rows": np.zeros(0, dtype=np.int64), "scores": np.zeros((0, len(self.classes_)))}
        Xu = self.features_.transform_analysis(batch.analysis(self.features_))
        scores = _logits(_linear(self.content_model_, Xu))  # one row per distinct text
        out: dict[str, Any] = {"inputs": inputs, "heads": batch.headings, "X": Xu, "rows": batch.rows,
                               "scores": scores[batch.rows], "analysis": batch.analysis(self.features_)}
        if self.combiner_ is None or self.context_vectorizer_ is None:
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
            bare = np.array([not self._in_context(x) for x in inputs])
            C = self._context([context_features(x) if self.use_context else {"ctx=none": 1.0} for x in inputs])
        out.update(head_scores=s_head, context=C, bare=bare,
                   scores=_logits(_linear(self.combiner_, self._stack(s_par, s_head, bare, C))))
        return out

    def decision_function(self, X: Iterable[Any]) -> np.ndarray:
        return np.asarray(self._analyze(X)["scores"])

    def predict_proba(self, X: Iterable[Any]) -> np.ndarray:
        """Probabilities, columns in the order of ``classes_`` (calibrated by the combiner)."""
        return _softmax(self.decision_function(X))

    def predict(self, X: Iterable[Any]) -> np.ndarray:
        return np.asarray(self.classes_[np.argmax(self.decision_function(X), axis=1)])

    def explain(self, x: Any, label: str | None = None, top: int = 8) -> list[tuple[str, float]]:
        """What pushed ``x`` towards ``label`` (default: the predicted one), strongest first.

        Returns ``(description, contribution)`` pairs: the paragraph's own words
        and cues (value times the content model's weight for the label, minus
        the average over labels, scaled by how much the combiner trusts the
        content score), the heading's score, and the context features the
        combiner used.

        Examples
        --------
        >>> clf = ParagraphClassifier(cv=0).fit(["推行证照分离。", "开展人民调解。"], ["deregulation", "dispute"])
        >>> reasons = clf.explain("推行证照分离，一网通办。", top=30)
        >>> [r for r, _ in reasons if r.startswith("deregulation keywords")]
        ['deregulation keywords: 证照分离, 一网通办']
        """
        return self.explain_many([x], None if label is None else [label], top=top)[0]

    def explain_many(self, X: Iterable[Any], labels: Sequence[str] | None = None, top: int = 8,
                     analysis: dict[str, Any] | None = None) -> list[list[tuple[str, float]]]:
        """:meth:`explain` for many paragraphs at once."""
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
        if not n_rows or top <= 0:
            return [[] for _ in range(n_rows)]
        want, top = top, 2 * top  # raw evidence, several pieces per reader term (n-grams of one word)
        n = len(self.classes_)
        coef, mean = _coef(self.content_model_), self._mean_coef()
        ccoef = _coef(self.combiner_) if self.combiner_ is not None else None
        # candidates as parallel arrays: row, what (a content column; -1 heading; -2-c context column c), value
        if ccoef is None:
            trust = np.ones(n_rows)
        else:
            block = np.where(a["bare"], 2 * n, 0)
            trust = ccoef[ks, block + ks] - ccoef[:, block + ks].mean(axis=0)
        Xr = a["X"][a["rows"]]
        row_of = np.repeat(np.arange(n_rows), np.diff(Xr.indptr))
        k_of = ks[row_of]
        weight = coef[k_of, Xr.indices] - mean[Xr.indices]  # what the feature adds for the label, against the others
        contrib = trust[row_of] * Xr.data * weight * self._telling_mask()[Xr.indices]
        at = _top_per_row(Xr.indptr, contrib, top)
        rows, what, vals = [row_of[at]], [Xr.indices[at].astype(np.int64)], [contrib[at]]
        if ccoef is not None:
            has_head = np.array([h is not None for h in a["heads"]])
            w = ccoef[:, n:2 * n]
            w = w - w.mean(axis=0)
            head_val = np.einsum("ij,ij->i", a["head_scores"], w[ks])
            rows.append(np.flatnonzero(has_head))
            what.append(np.full(int(has_head.sum()), -1, dtype=np.int64))
            vals.append(head_val[has_head])
            C = a["context"]
            crow = np.repeat(np.arange(n_rows), np.diff(C.indptr))
            cc = ccoef[:, 3 * n:]
            cc = cc - cc.mean(axis=0)
            rows.append(crow)
            what.append(-2 - C.indices.astype(np.int64))
            vals.append(C.data * cc[ks[crow], C.indices])
        r, wh, v = np.concatenate(rows), np.concatenate(what), np.concatenate(vals)
        keep = v > 0
        r, wh, v = r[keep], wh[keep], v[keep]
        order = np.lexsort((-v, r))
        r, wh, v = r[order], wh[order], v[order]
        first = np.searchsorted(r, r)  # where each row's run starts
        chosen = np.flatnonzero(np.arange(len(r)) - first < top)
        cnames = self.context_vectorizer_.feature_names_ if self.context_vectorizer_ is not None else None
        analysis: TextAnalysis | None = a.get("analysis")
        grouped: list[dict[str, float]] = [{} for _ in range(n_rows)]
        for i in chosen.tolist():
            k = int(wh[i])
            row = int(r[i])
            if k >= 0:
                name = self.features_.feature_name(k)
                t = int(a["rows"][row])
                desc = (reader_term(name, a["inputs"][row]["text"], analysis.words[t]) if analysis is not None
                        else describe_feature(name))
            elif k == -1:
                desc = f"the heading above, “{a['heads'][row]}”"
            else:
                assert cnames is not None
                desc = describe_feature(str(cnames[-2 - k]))
            # the n-grams of one word, the cues of one phrase: one reason, their weights added; the
            # paragraph's opening n-grams are one reason too, shown with the longest opening they reach
            g = grouped[row]
            if desc.startswith("opens with “"):
                old = next((d for d in g if d.startswith("opens with “")), None)
                if old is not None:
                    weight = g.pop(old)
                    desc = max(old, desc, key=len)
                    g[desc] = weight
            g[desc] = g.get(desc, 0.0) + float(v[i])
        return [sorted(g.items(), key=lambda kv: -kv[1])[:want] for g in grouped]

    def prepare(self) -> ParagraphClassifier:
        """Build the derived state prediction and explanations use (see :meth:`Model.prepare`)."""
        check_is_fitted(self, "content_model_")
        self.features_.prepare()
        self._mean_coef()
        self._telling_mask()
        return self

    def _mean_coef(self) -> np.ndarray:
        """Each content feature's mean weight over the labels (derived from the fitted weights, cached)."""
        cached = self.__dict__.get("_mean_cache")
        coef = self.content_model_.coef_
        if cached is None or cached[0] is not coef:  # a refit replaces the weights
            cached = (coef, _coef(self.content_model_).mean(axis=0))
            self._mean_cache = cached
        return cached[1]

    def _telling_mask(self) -> np.ndarray:
        """Which content features are worth showing a reader: words and characters, and the cues but for
        length classes and single opening characters (derived from the vocabulary, cached)."""
        mask = self.__dict__.get("_telling_cache")
        if mask is None or len(mask) != self.n_features_in_:
            f = self.features_
            lo, hi = f.feature_groups_["cue"]
            mask = np.ones(self.n_features_in_)
            mask[lo:hi] = [_telling(str(n)) for n in f.dict_vectorizer_.feature_names_]
            self._telling_cache = mask
        return mask


def _top_per_row(indptr: np.ndarray, values: np.ndarray, k: int) -> np.ndarray:
    """Positions of the ``k`` largest positive values of each CSR row (any order), in linear passes."""
    vals = np.where(values > 0, values, -np.inf)
    lengths = np.diff(indptr)
    starts = indptr[:-1][lengths > 0]
    if not len(starts):
        return np.zeros(0, dtype=np.int64)
    seg = np.repeat(np.arange(len(starts)), lengths[lengths > 0])
    picked = []
    for _ in range(k):
        best = np.maximum.reduceat(vals, starts)
        hits = np.flatnonzero((vals == best[seg]) & np.isfinite(vals))
        if not len(hits):
            break
        _, first = np.unique(seg[hits], return_index=True)  # one per row, ties broken by position
        pos = hits[first]
        picked.append(pos)
        vals[pos] = -np.inf
    return np.concatenate(picked) if picked else np.zeros(0, dtype=np.int64)


def _telling(name: str) -> bool:
    """Features worth showing a reader (length classes and single opening characters are not)."""
    return not (name.startswith("len:") or (name.startswith("open:") and len(name) <= 6))


def _softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    p = np.exp(z)
    return np.asarray(p / p.sum(axis=1, keepdims=True))


def _linear(est: LogisticRegression, X: Any) -> np.ndarray:
    """``est.decision_function(X)`` without scikit-learn's per-call validation (hot path)."""
    d = np.asarray(X @ est.coef_.T) + est.intercept_
    return d.ravel() if d.shape[1] == 1 else d


def _coef(est: LogisticRegression) -> np.ndarray:
    coef = est.coef_
    if coef.shape[0] == 1:  # binary: one weight vector, for classes_[1]
        return np.vstack([-coef[0] / 2, coef[0] / 2])
    return coef


def _logits(d: np.ndarray) -> np.ndarray:
    d = np.asarray(d, dtype=float)
    if d.ndim == 1:  # binary: softmax([0, d]) is the logistic of d
        return np.column_stack([np.zeros_like(d), d])
    return d


_ROLE_WORDS = {
    "review": "the section reviewing the work done", "plans": "the plans section",
    "shortcomings": "the section on shortcomings", "duties": "the section on the leaders' duties",
    "preamble": "the opening, before any heading", "other": "a section whose role no heading states",
}
_FUNCTION_WORDS = {"plan": "plans", "shortcoming": "a shortcoming", "review": "a review", "preamble": "an opening",
                   "closing": "a closing call", "meta": "page data"}
_PREFIXES = (
    ("w:", "“{}”"),
    ("c:", "“{}”"),
    ("open:", "opens with “{}”"),
    ("h:", "heading word “{}”"),
    ("hkw:", "the heading above names {}"),
    ("kw:", "{} keywords"),
    ("len:", "length class {}"),
)


def _plain_context(name: str) -> str | None:
    if name.startswith("role="):
        return "in " + _ROLE_WORDS.get(name[5:], f"a {name[5:]} section")
    if name.startswith("cued_role="):
        return "a heading says this is " + _ROLE_WORDS.get(name[10:], f"a {name[10:]} section")
    if name.startswith("hcue:"):
        return "the heading above reads as " + _FUNCTION_WORDS.get(name[5:], name[5:])
    if name.startswith("cue:"):
        return "wording typical of " + _FUNCTION_WORDS.get(name[4:], name[4:])
    if name.startswith("kind="):
        return {"heading": "it is a heading", "meta": "it is report metadata",
                "clutter": "it is page furniture"}.get(name[5:], f"line kind {name[5:]}")
    if name.startswith("pos="):
        return f"where it stands: part {int(name[4:]) + 1} of 5 of the report"
    return {"last": "among the report's last paragraphs", "ctx=none": "read alone, without its report",
            "numbered": "a numbered item", "no_heading": "under no heading"}.get(name)


@lru_cache(maxsize=65536)
def describe_feature(name: str) -> str:
    """A feature name in words.

    Examples
    --------
    >>> describe_feature("cued_role=plans")
    'a heading says this is the plans section'
    >>> describe_feature("w:放管服")
    '“放管服”'
    """
    plain = _plain_context(name)
    if plain is not None:
        return plain
    for prefix, template in _PREFIXES:
        if name.startswith(prefix):
            body = name[len(prefix):]
            return template.format(body.replace(" ", "") if prefix == "w:" else body)
    return name


def reader_term(name: str, text: str, words: Sequence[str]) -> str:
    """A content feature of paragraph ``text`` as words a reader recognises.

    Character n-grams become the word (or two adjacent words) they come from in this
    paragraph, opening n-grams the opening word, lexicon hits the keywords found,
    function cues the phrase that matched. ``words`` are the paragraph's words as
    the featurizer read them (numbers as ``0``).

    Examples
    --------
    >>> words = ["推行", "证照分离", "改革", "全年", "办理", "告知", "承诺", "事项", "0", "项"]
    >>> reader_term("c:照分", "推行证照分离改革，全年办理告知承诺事项156项。", words)
    '“证照分离”'
    >>> reader_term("kw:deregulation", "推行证照分离改革，优化营商环境。", [])
    'deregulation keywords: 证照分离, 营商环境'
    >>> reader_term("cue:plan", "下一步，我们将继续深化诉源治理。", [])
    'plans wording: “下一步”'
    """
    if "Ｘ" in name and name.startswith(("w:", "c:", "open:")):  # read with topic words masked (function head)
        return "a topic word (topic words do not decide the function)"
    if name.startswith("tense:"):
        from .features import _tense_patterns

        found = list(dict.fromkeys(m.group(0) for m in _tense_patterns()[name[6:]].finditer(text)))
        what = {"done": "work done", "todo": "work to do", "admit": "an admission"}.get(name[6:], name[6:])
        return f"wording of {what}: " + ", ".join(found[:4]) if found else f"wording of {what}"
    if name.startswith("w:"):  # a word or a word bigram ("深化 改革")
        return f"“{_as_written(name[2:].replace(' ', ''), text)}”"
    if name.startswith(("c:", "open:")):
        raw = name.split(":", 1)[1]
        gram = "".join(ch for ch in raw if ch.isalnum())  # the words hold no punctuation
        if not gram:
            return f"punctuation “{raw.strip() or raw}”"
        phrase = _covering_words(gram, words) or gram
        shown = _as_written(phrase, text)
        if shown not in text:  # words joined across punctuation (分离，企业): show the n-gram as it is
            shown = _as_written(gram, text) if _as_written(gram, text) in text else gram
        if name.startswith("open:"):
            lead = _opening40(text)
            at = lead.find(shown)
            return f"opens with “{lead[:at + len(shown)] if 0 <= at <= 12 else shown}”"
        return f"“{shown}”"
    if name.startswith("kw:"):
        from .features import lexicon

        topic = name[3:]
        found = [w for w in dict.fromkeys(lexicon().topics.get(topic, ())) if w and w in text]
        # a keyword inside a longer one found too (证照 in 证照分离) is not listed twice
        found = [w for w in found if not any(w != o and w in o for o in found)]
        return f"{topic} keywords: " + ", ".join(found[:4]) if found else describe_feature(name)
    if name.startswith("cue:"):
        from .features import lexicon, opening

        f = name[4:]
        lead = text if f == "closing" else opening(text, 60)
        for pat in lexicon().cues.get(f, ()):
            m = pat.search(lead)
            if m and m.group(0).strip():
                return f"{_FUNCTION_WORDS.get(f, f)} wording: “{m.group(0).strip()}”"
    return describe_feature(name)


@lru_cache(maxsize=4096)
def _opening40(text: str) -> str:
    from .features import opening

    return opening(text, 40)  # asked once per opening n-gram of a paragraph: kept while its reasons are built


def _as_written(phrase: str, text: str) -> str:
    """``phrase`` (numbers normalised to 0) as the paragraph writes it (``0年`` -> ``2024年``)."""
    if "0" not in phrase:
        return phrase
    pat = re.escape(phrase).replace("0", r"[0-9０-９]+(?:[.．][0-9０-９]+)?")
    m = re.search(pat, text)
    return m.group(0) if m else phrase


def _covering_words(gram: str, words: Sequence[str]) -> str | None:
    """The word that holds ``gram``, or the run of adjacent words it spans (at its first occurrence)."""
    joined, starts = _joined_words(tuple(words))
    at = joined.find(gram)
    if at < 0:
        return None
    i = bisect.bisect_right(starts, at) - 1
    j = bisect.bisect_left(starts, at + len(gram))
    return "".join(words[i:j])


@lru_cache(maxsize=4096)
def _joined_words(words: tuple[str, ...]) -> tuple[str, list[int]]:
    # the paragraph's words run together, and where each starts: every n-gram of it is found once
    starts, pos = [], 0
    for w in words:
        starts.append(pos)
        pos += len(w)
    return "".join(words), starts
