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

from typing import Any, Iterable, Mapping, Sequence

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.feature_extraction import DictVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold, StratifiedKFold
from sklearn.utils.validation import check_is_fitted

from .errors import GovReportError
from .features import TextBatch, as_input, context_features, dicts_to_rows, has_context
from .featurizer import ParagraphFeatures
from .inference import Head
from .reasons import describe_feature, reader_term

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
        return dicts_to_rows(dicts, vocab, len(vocab), dtype=np.float64).to_scipy()

    def _compiled(self) -> Head:
        """This classifier as a numpy :class:`~govreport_nlp.inference.Head` (its exact weights; rebuilt after a refit)."""
        check_is_fitted(self, "content_model_")
        # keyed by the fitted estimators themselves (held here, so never a reused id): set anew by fit,
        # or by hand as persistence does, they make a new head
        token = (self.content_model_, self.combiner_, self.features_)
        cached = self.__dict__.get("_head_cache")
        if cached is None or any(a is not b for a, b in zip(cached[0], token)):
            from .persistence import head_state

            cached = (token, Head.from_state(*head_state(self, "", exact=True)))
            self._head_cache = cached
        return cached[1]

    def __getstate__(self) -> dict[str, Any]:
        state = super().__getstate__()
        state.pop("_head_cache", None)  # derived from the fitted state
        return state

    def _analyze(self, X: Iterable[Any] | TextBatch) -> dict[str, Any]:
        """Every intermediate of a prediction (see :meth:`Head._analyze <govreport_nlp.inference.Head._analyze>`)."""
        return self._compiled()._analyze(X)

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
        return self._compiled().explain_many(X, labels, top=top, analysis=analysis)

    def reference_decision_function(self, X: Iterable[Any]) -> np.ndarray:
        """Scores computed by scikit-learn's own objects: the reference the numpy path is tested against.

        Each fitted vectorizer's ``transform``, the content model's and the combiner's
        ``decision_function``; slow, and only for checking.
        """
        check_is_fitted(self, "content_model_")
        inputs = [as_input(x) for x in X]
        f = self.features_
        batch = TextBatch(inputs)
        a = batch.analysis(f)

        def content(rows: np.ndarray) -> Any:
            Xw = f.word_vectorizer_.transform([" ".join(a.words[i]) for i in rows])
            Xc = f.char_vectorizer_.transform([a.norm[i] for i in rows])
            Xd = f.dict_vectorizer_.transform([a.cues[i] for i in rows]) * f.lexicon_weight
            return sp.hstack([Xw, Xc, Xd], format="csr")

        s_par = _logits(self.content_model_.decision_function(content(batch.rows)))
        if self.combiner_ is None or self.context_vectorizer_ is None:
            return s_par
        s_head = _logits(self.content_model_.decision_function(content(np.maximum(batch.head_rows, 0))))
        if not self.learned_context:
            bare = np.ones(len(inputs), dtype=bool)
            s_head = np.zeros_like(s_head)
            ctx = [{"ctx=none": 1.0}] * len(inputs)
        else:
            s_head = s_head * (batch.head_rows >= 0)[:, None]
            bare = np.array([not self._in_context(x) for x in inputs])
            ctx = [context_features(x) if self.use_context else {"ctx=none": 1.0} for x in inputs]
        Z = self._stack(s_par, s_head, bare, self.context_vectorizer_.transform(ctx))
        return _logits(self.combiner_.decision_function(Z))

    def prepare(self) -> ParagraphClassifier:
        """Build the derived state prediction and explanations use (see :meth:`Model.prepare`)."""
        self._compiled().prepare()
        return self


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
