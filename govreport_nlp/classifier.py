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

from typing import Any, Iterable, Sequence

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.feature_extraction import DictVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold, StratifiedKFold
from sklearn.utils.validation import check_is_fitted

from .errors import GovReportError
from .features import ParagraphFeatures, as_input, context_features, has_context

__all__ = ["ParagraphClassifier", "describe_feature"]


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
    """

    def __init__(self, features: ParagraphFeatures | None = None, C: float = 10.0,
                 class_weight: str | dict[str, float] | None = "balanced", use_context: bool = True, cv: int = 3,
                 context_C: float = 1.0, max_iter: int = 3000) -> None:
        self.features = features
        self.C = C
        self.class_weight = class_weight
        self.use_context = use_context
        self.cv = cv
        self.context_C = context_C
        self.max_iter = max_iter

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
        Xm = self.features_.fit_transform(inputs)
        heads = [_heading(x) for x in inputs]
        Hm = self.features_.transform([h or "" for h in heads])
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
        self.context_vectorizer_ = DictVectorizer(dtype=np.float64).fit(rows_ctx + [{"ctx=none": 1.0}])
        Z = self._stack(np.vstack(rows_par), np.vstack(rows_head), np.concatenate(rows_bare),
                        self.context_vectorizer_.transform(rows_ctx))
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
            s_par[np.ix_(te, cols)] = _logits(est.decision_function(Xm[te]))
            s_head[np.ix_(te, cols)] = _logits(est.decision_function(Hm[te]))
        return s_par, s_head

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
    def _analyze(self, X: Iterable[Any]) -> dict[str, Any]:
        """Every intermediate of a prediction, so that scores and reasons share one pass."""
        check_is_fitted(self, "content_model_")
        inputs = [as_input(x) for x in X]
        heads = [_heading(x) for x in inputs]
        Xm = self.features_.transform(inputs)
        s_par = _logits(self.content_model_.decision_function(Xm)) if inputs else np.zeros((0, len(self.classes_)))
        out: dict[str, Any] = {"inputs": inputs, "heads": heads, "X": Xm, "scores": s_par}
        if self.combiner_ is None or self.context_vectorizer_ is None or not inputs:
            return out
        Hm = self.features_.transform([h or "" for h in heads])
        s_head = _logits(self.content_model_.decision_function(Hm)) * np.array([h is not None for h in heads])[:, None]
        bare = np.array([not self._in_context(x) for x in inputs])
        C = self.context_vectorizer_.transform([context_features(x) if self.use_context else {"ctx=none": 1.0}
                                                for x in inputs])
        out.update(head_scores=s_head, context=C.tocsr(), bare=bare,
                   scores=_logits(self.combiner_.decision_function(self._stack(s_par, s_head, bare, C))))
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
        >>> "deregulation keywords" in [r for r, _ in reasons]
        True
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
            ks = np.array([index[lab] for lab in labels])
        n = len(self.classes_)
        coef = _coef(self.content_model_)
        centred = coef - coef.mean(axis=0)
        names = self.features_.get_feature_names_out()
        ccoef = _coef(self.combiner_) if self.combiner_ is not None else None
        cnames = self.context_vectorizer_.get_feature_names_out() if self.context_vectorizer_ is not None else None
        Xm = a["X"].tocsr()
        out = []
        for r in range(n_rows):
            k = int(ks[r])
            block = 2 * n if a.get("bare") is not None and a["bare"][r] else 0
            trust = 1.0 if ccoef is None else float(ccoef[k, block + k] - ccoef[:, block + k].mean())
            lo, hi = Xm.indptr[r], Xm.indptr[r + 1]
            cols, vals = Xm.indices[lo:hi], Xm.data[lo:hi]
            items = [(describe_feature(str(names[c])), float(e))
                     for c, e in zip(cols, trust * vals * centred[k, cols]) if _telling(str(names[c]))]
            if ccoef is not None and cnames is not None:
                head = a["heads"][r]
                if head is not None:
                    w = ccoef[:, n:2 * n]
                    items.append((f"heading “{head}”", float(a["head_scores"][r] @ (w[k] - w.mean(axis=0)))))
                C = a["context"]
                lo, hi = C.indptr[r], C.indptr[r + 1]
                cc = ccoef[:, 3 * n:]
                for c, v in zip(C.indices[lo:hi], C.data[lo:hi]):
                    items.append((describe_feature(str(cnames[c])), float(v * (cc[k, c] - cc[:, c].mean()))))
            items = [it for it in items if it[1] > 0]
            items.sort(key=lambda it: -it[1])
            out.append(items[:top])
        return out


def _telling(name: str) -> bool:
    """Features worth showing a reader (length classes and single opening characters are not)."""
    return not (name.startswith("len:") or (name.startswith("open:") and len(name) <= 6))


def _softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    p = np.exp(z)
    return np.asarray(p / p.sum(axis=1, keepdims=True))


def _heading(x: dict[str, Any]) -> str | None:
    heads = [h for h in (x.get("headings") or ()) if h]
    return heads[-1] if heads else None


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


_PREFIXES = (
    ("w:", "word “{}”"),
    ("c:", "characters “{}”"),
    ("open:", "opens with “{}”"),
    ("h:", "heading word “{}”"),
    ("hkw:", "heading names {}"),
    ("hcue:", "heading reads as {}"),
    ("kw:", "{} keywords"),
    ("cue:", "{} cue"),
    ("role=", "in a {} section"),
    ("cued_role=", "under a heading that says {}"),
    ("kind=", "line kind {}"),
    ("pos=", "position {}/5 in the report"),
    ("len:", "length class {}"),
)


def describe_feature(name: str) -> str:
    """A feature name in words.

    Examples
    --------
    >>> describe_feature("cued_role=plans")
    'under a heading that says plans'
    >>> describe_feature("w:放管服")
    'word “放管服”'
    """
    for prefix, template in _PREFIXES:
        if name.startswith(prefix):
            return template.format(name[len(prefix):])
    return {"last": "among the last paragraphs", "ctx=none": "no report context", "numbered": "numbered item",
            "no_heading": "under no heading"}.get(name, name)
