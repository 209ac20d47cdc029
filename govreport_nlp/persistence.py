"""Saving and loading classifiers as JSON plus arrays: no pickle, no code run on load.

A fitted :class:`~govreport_nlp.classifier.ParagraphClassifier` is fully described
by its parameters (JSON), its vocabularies (JSON lists stored as UTF-8 bytes)
and its weights (numpy arrays). :func:`head_state` splits it into those;
:func:`head_from_state` rebuilds it from them with ``allow_pickle=False`` arrays
only, so a model file from anywhere can be opened without running anything it
contains. The rebuilt estimators are plain scikit-learn objects whose learned
attributes are set directly, which also keeps models loadable across
scikit-learn releases. A loaded model classifies with the same state read into
numpy-only :class:`~govreport_nlp.inference.Head` objects; the scikit-learn
estimators are rebuilt only when asked for (``Model.heads``).
"""

from __future__ import annotations

from typing import Any, Mapping

import numpy as np
from sklearn.feature_extraction import DictVectorizer
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from .classifier import ParagraphClassifier
from .errors import ModelError
from .featurizer import ParagraphFeatures
from .inference import array_text, text_array

__all__ = ["head_from_state", "head_state"]

_TFIDF_KEYS = ("lowercase", "sublinear_tf", "min_df", "max_features", "ngram_range", "analyzer", "token_pattern",
               "norm", "use_idf", "smooth_idf")


def _vocab_list(vocabulary: Mapping[str, int]) -> list[str]:
    out = [""] * len(vocabulary)
    for term, i in vocabulary.items():
        out[i] = term
    return out


def _tfidf_state(v: TfidfVectorizer, prefix: str, arrays: dict[str, np.ndarray]) -> dict[str, Any]:
    arrays[prefix + "vocab"] = text_array(_vocab_list(v.vocabulary_))
    arrays[prefix + "idf"] = np.asarray(v.idf_, dtype=np.float64)
    return {k: (list(val) if isinstance(val, tuple) else val) for k, val in v.get_params().items() if k in _TFIDF_KEYS}


def _tfidf_from(params: Mapping[str, Any], prefix: str, arrays: Mapping[str, np.ndarray]) -> TfidfVectorizer:
    p = dict(params)
    if "ngram_range" in p:
        p["ngram_range"] = tuple(p["ngram_range"])
    v = TfidfVectorizer(dtype=np.float32, **p)
    vocab = array_text(arrays[prefix + "vocab"])
    v.vocabulary_ = {t: i for i, t in enumerate(vocab)}
    v.idf_ = np.asarray(arrays[prefix + "idf"], dtype=np.float64)
    if len(v.idf_) != len(vocab):
        raise ValueError(f"{prefix}: {len(vocab)} terms but {len(v.idf_)} weights")
    return v


def _dictvec_from(names: list[str]) -> DictVectorizer:
    v = DictVectorizer(dtype=np.float32)
    v.feature_names_ = list(names)
    v.vocabulary_ = {n: i for i, n in enumerate(names)}
    return v


def _lr_state(est: LogisticRegression, prefix: str, arrays: dict[str, np.ndarray], exact: bool = False) -> None:
    # float32 halves the file; predictions move by ~1e-6 (exact: the weights as fitted, for use in memory)
    arrays[prefix + "coef"] = np.asarray(est.coef_, dtype=np.float64 if exact else np.float32)
    arrays[prefix + "intercept"] = np.asarray(est.intercept_, dtype=np.float64)


def _lr_from(classes: list[str], prefix: str, arrays: Mapping[str, np.ndarray]) -> LogisticRegression:
    est = LogisticRegression()
    est.coef_ = np.asarray(arrays[prefix + "coef"], dtype=np.float64)
    est.intercept_ = np.asarray(arrays[prefix + "intercept"], dtype=np.float64)
    est.classes_ = np.asarray(classes, dtype=object)
    est.n_features_in_ = est.coef_.shape[1]
    rows = 1 if len(classes) == 2 else len(classes)
    if est.coef_.shape[0] != rows or est.intercept_.shape != (rows,):
        raise ValueError(f"{prefix}: weights do not match {len(classes)} classes")
    return est


def head_state(clf: ParagraphClassifier, prefix: str, exact: bool = False) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """Split a fitted classifier into a JSON-able dict and named arrays (keys start with ``prefix``).

    Weights are stored as float32 (half the file; scores move by about 1e-6);
    ``exact=True`` keeps them as fitted, for a :class:`~govreport_nlp.inference.Head`
    that predicts in memory exactly like the classifier.

    Examples
    --------
    >>> from govreport_nlp.classifier import ParagraphClassifier
    >>> clf = ParagraphClassifier().fit(["全年办理行政复议案件十二件。", "下一步将持续深化诉源治理。"] * 4, ["done", "todo"] * 4)
    >>> state, arrays = head_state(clf, "label/")
    >>> all(k.startswith("label/") for k in arrays), all(a.dtype != object for a in arrays.values())
    (True, True)
    """
    if not hasattr(clf, "content_model_"):
        raise ModelError("cannot save a classifier that has not been fitted.")
    arrays: dict[str, np.ndarray] = {}
    params = clf.get_params(deep=False)
    params.pop("features")
    f = clf.features_
    fparams = {k: (list(v) if isinstance(v, tuple) else v) for k, v in f.get_params().items()}
    state: dict[str, Any] = {
        "params": params,
        "features": {
            "params": fparams,
            "word": _tfidf_state(f.word_vectorizer_, prefix + "word_", arrays),
            "char": _tfidf_state(f.char_vectorizer_, prefix + "char_", arrays),
        },
        "classes": [str(c) for c in clf.classes_],
    }
    arrays[prefix + "cue_vocab"] = text_array([str(n) for n in f.dict_vectorizer_.feature_names_])
    _lr_state(clf.content_model_, prefix + "content_", arrays, exact)
    if clf.combiner_ is not None and clf.context_vectorizer_ is not None:
        arrays[prefix + "context_vocab"] = text_array([str(n) for n in clf.context_vectorizer_.feature_names_])
        _lr_state(clf.combiner_, prefix + "combiner_", arrays, exact)
        state["combiner"] = True
    else:
        state["combiner"] = False
    return state, arrays


def head_from_state(state: Mapping[str, Any], arrays: Mapping[str, np.ndarray], prefix: str) -> ParagraphClassifier:
    """Rebuild a fitted classifier from :func:`head_state` output. Raises ``ValueError``/``KeyError`` if inconsistent.

    Examples
    --------
    >>> from govreport_nlp.classifier import ParagraphClassifier
    >>> clf = ParagraphClassifier().fit(["全年办理行政复议案件十二件。", "下一步将持续深化诉源治理。"] * 4, ["done", "todo"] * 4)
    >>> again = head_from_state(*head_state(clf, "label/"), "label/")
    >>> list(again.predict(["下一步将推进证照分离。"])) == list(clf.predict(["下一步将推进证照分离。"]))
    True
    """
    fstate = state["features"]
    fparams = dict(fstate["params"])
    for key in ("word_ngram_range", "char_ngram_range"):
        if key in fparams:
            fparams[key] = tuple(fparams[key])
    features = ParagraphFeatures(**fparams)
    features.word_vectorizer_ = _tfidf_from(fstate["word"], prefix + "word_", arrays)
    features.char_vectorizer_ = _tfidf_from(fstate["char"], prefix + "char_", arrays)
    features.dict_vectorizer_ = _dictvec_from(array_text(arrays[prefix + "cue_vocab"]))
    features._set_groups()

    clf = ParagraphClassifier(features=ParagraphFeatures(**fparams), **state["params"])
    classes = [str(c) for c in state["classes"]]
    clf.features_ = features
    clf.content_model_ = _lr_from(classes, prefix + "content_", arrays)
    if clf.content_model_.n_features_in_ != features.n_features_out_:
        raise ValueError("content weights do not match the vocabulary")
    clf.classes_ = clf.content_model_.classes_
    clf.n_features_in_ = features.n_features_out_
    clf.context_vectorizer_ = None
    clf.combiner_ = None
    if state.get("combiner"):
        clf.context_vectorizer_ = _dictvec_from(array_text(arrays[prefix + "context_vocab"]))
        clf.combiner_ = _lr_from(classes, prefix + "combiner_", arrays)
        if clf.combiner_.n_features_in_ != 3 * len(classes) + len(clf.context_vectorizer_.feature_names_):
            raise ValueError("combiner weights do not match its features")
    return clf
