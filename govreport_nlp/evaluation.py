"""Evaluation: document-grouped cross-validation, per-class scores, and baselines in the same run.

No paragraph of a test document is ever in training: folds are whole documents
(for the default recipe, each seed report in turn, while the recipe trains on
everything else, weak labels of other reports included). Two baselines are
scored on the same folds:

* ``keywords``: the lexicon's rules alone (function cues, then the topic with
  most keywords), for label sets derived from function and topic;
* ``tfidf``: content only, jieba word TF-IDF and a linear SVM trained on the
  gold paragraphs of the training folds.

Examples
--------
>>> s = scores(["plans", "other", "plans"], ["plans", "plans", "plans"], labels=["plans", "other"])
>>> round(s["macro_f1"], 3), s["per_class"]["plans"]["recall"]
(0.4, 1.0)
"""

from __future__ import annotations

import time
from typing import Any, Callable, Mapping, Sequence

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import confusion_matrix, precision_recall_fscore_support
from sklearn.model_selection import GroupKFold
from sklearn.pipeline import make_pipeline
from sklearn.svm import LinearSVC

from .data import LabelledData, as_labelled_data
from .errors import GovReportError
from .features import content_only, lexicon
from .labels import LabelSet, derive_label, get_label_set
from .model import Model
from .segmentation import get_segmenter
from .training import fit_heads, get_recipe, is_gold, recipe_data, recipe_sources, train

__all__ = ["cross_validate", "evaluate", "evaluate_data", "evaluate_recipe", "format_report", "keyword_rules",
           "scores"]


def scores(y_true: Sequence[str | None], y_pred: Sequence[str | None], labels: Sequence[str],
           proba_max: Sequence[float] | np.ndarray | None = None) -> dict[str, Any]:
    """Accuracy, macro-F1, per-class precision/recall/F1/support and the confusion matrix.

    An abstention (``None``) counts as wrong. With ``proba_max`` (the confidence of
    each prediction) the expected calibration error over 10 bins is added.

    Examples
    --------
    >>> s = scores(["plans", "other", "plans"], ["plans", "plans", "plans"], labels=["plans", "other"])
    >>> s["confusion"], round(s["accuracy"], 3)
    ([[2, 0], [1, 0]], 0.667)
    """
    labels = list(labels)
    pred = [p if p is not None else "<abstain>" for p in y_pred]
    p, r, f, s = precision_recall_fscore_support(y_true, pred, labels=labels, zero_division=0)
    present = [i for i, lab in enumerate(labels) if s[i] > 0]
    out: dict[str, Any] = {
        "n": len(y_true),
        "accuracy": float(np.mean([a == b for a, b in zip(y_true, pred)])) if len(y_true) else 0.0,
        "macro_f1": float(np.mean(f[present])) if present else 0.0,
        "per_class": {lab: {"precision": float(p[i]), "recall": float(r[i]), "f1": float(f[i]), "support": int(s[i])}
                      for i, lab in enumerate(labels)},
        "labels": labels,
        "confusion": confusion_matrix(y_true, pred, labels=labels).tolist(),
    }
    if proba_max is not None:
        conf = np.asarray(proba_max, dtype=float)
        correct = np.array([a == b for a, b in zip(y_true, pred)], dtype=float)
        bins = np.minimum((conf * 10).astype(int), 9)
        ece = sum(abs(correct[bins == b].mean() - conf[bins == b].mean()) * (bins == b).mean()
                  for b in range(10) if (bins == b).any())
        out["ece"] = float(ece)
    return out


def keyword_rules(inputs: Sequence[Mapping[str, Any]], label_set: LabelSet) -> list[str]:
    """The keyword baseline: lexicon cues decide the function, keyword counts the topic.

    Examples
    --------
    >>> from govreport_nlp.labels import get_label_set
    >>> keyword_rules([{"text": "下一步，持续深化诉源治理。"}, {"text": "推行证照分离，优化营商环境。"}], get_label_set("default"))
    ['plans', 'deregulation']
    """
    lex = lexicon()
    out = []
    for x in inputs:
        cues = lex.function_cues(x["text"])
        func = next((f for f in ("shortcoming", "plan", "closing", "preamble") if f in cues), "review")
        hits = {t: n for t, n in lex.topic_hits(x["text"]).items() if t in lex.legal_topics}
        topic = max(hits.items(), key=lambda kv: kv[1])[0] if hits else "non_legal"
        label = derive_label(func, [topic])
        out.append(label if label in label_set else label_set.labels[-1])
    return out


def _tfidf_baseline(train_data: LabelledData, axis: str) -> Any:
    """Plain jieba word TF-IDF and a linear SVM on the gold paragraphs of the training folds."""
    idx = [i for i in train_data.where(axis) if is_gold(train_data.origin[i])]
    seg = get_segmenter("jieba")
    vec = TfidfVectorizer(tokenizer=seg.cut, token_pattern=None, lowercase=False, sublinear_tf=True)
    return make_pipeline(vec, LinearSVC(C=1.0)).fit([train_data.inputs[i]["text"] for i in idx],
                                                    [train_data.labels[axis][i] for i in idx])


def cross_validate(gold: LabelledData, fit: Callable[[LabelledData], Model], *, axis: str = "label",
                   label_set: LabelSet, weak: LabelledData | None = None, folds: int | None = None,
                   baselines: bool = True, progress: Callable[[str], None] | None = None) -> dict[str, Any]:
    """Grouped cross-validation of ``fit`` (training data in, model out) on ``gold``.

    Each fold holds out whole documents of ``gold``; the model trains on the
    other gold documents plus ``weak`` (minus any weak paragraphs of the held-out
    documents). ``folds=None`` holds out one document at a time.

    Examples
    --------
    >>> from govreport_nlp.data import LabelledData
    >>> from govreport_nlp.labels import LabelSet
    >>> texts = ["全年办理行政复议案件十二件。", "下一步将持续深化诉源治理。"] * 6
    >>> data = LabelledData.from_texts(texts, ["done", "todo"] * 6, groups=[f"doc{i // 4}" for i in range(12)])
    >>> ls = LabelSet("mine", ("done", "todo"))
    >>> result = cross_validate(data, lambda d: train(d, label_set=ls), label_set=ls, folds=3, baselines=False)
    >>> result["folds"], result["model"]["confusion"]
    (3, [[6, 0], [0, 6]])
    """
    groups = np.asarray(gold.groups)
    docs = sorted(set(gold.groups))
    k = len(docs) if folds is None else min(folds, len(docs))
    if k < 2:
        raise GovReportError("cross-validation needs labelled paragraphs from at least two documents.")
    splits = list(GroupKFold(n_splits=k).split(np.zeros(len(groups)), groups=groups))
    y = [gold.labels[axis][i] for i in range(len(gold))]
    pred: list[str | None] = [None] * len(gold)
    conf = np.zeros(len(gold))
    func_pred: list[str | None] = [None] * len(gold)
    bare_pred: list[str | None] = [None] * len(gold)
    bare_conf = np.zeros(len(gold))
    base_kw: list[str] = [""] * len(gold)
    base_tfidf: list[str] = [""] * len(gold)
    start = time.perf_counter()
    for n, (tr, te) in enumerate(splits, 1):
        held = set(groups[te])
        train_data = gold.subset(tr)
        if weak is not None:
            train_data = train_data + weak.without_groups(held)
        model = fit(train_data)
        X = [gold.inputs[i] for i in te]
        preds = model.predictions(X, threshold=None, reasons=0)
        for i, p in zip(te, preds):
            pred[i] = p.label
            conf[i] = p.score
            func_pred[i] = p.function
        # the same paragraphs read alone, as if pasted without their report
        for i, p in zip(te, model.predictions([content_only(x) for x in X], threshold=None, reasons=0)):
            bare_pred[i] = p.label
            bare_conf[i] = p.score
        if baselines:
            base = _tfidf_baseline(train_data, axis)
            for i, lab in zip(te, base.predict([x["text"] for x in X])):
                base_tfidf[i] = str(lab)
            if "function" in model.heads:
                for i, lab in zip(te, keyword_rules(X, label_set)):
                    base_kw[i] = lab
        if progress:
            progress(f"fold {n}/{k} ({', '.join(sorted(held))}) done after {time.perf_counter() - start:.0f}s")
    labels = list(label_set.labels)
    result: dict[str, Any] = {
        "folds": k, "documents": len(docs), "paragraphs": len(gold), "seconds": time.perf_counter() - start,
        "model": scores(y, pred, labels, proba_max=conf),
        "model_without_context": scores(y, bare_pred, labels, proba_max=bare_conf),
    }
    # what each held-out paragraph got, for error analysis (in the order of ``gold``)
    result["predicted"] = {"label": list(pred), "function": list(func_pred), "bare_label": list(bare_pred)}
    if "function" in gold.labels and all(f is not None for f in func_pred):
        fy = gold.labels["function"]
        result["function_accuracy"] = float(np.mean([a == b for a, b in zip(fy, func_pred)]))
    if baselines:
        result["baselines"] = {"tfidf": scores(y, base_tfidf, labels)}
        if all(base_kw):
            result["baselines"]["keywords"] = scores(y, base_kw, labels)
    return result


def evaluate_recipe(recipe: str | Mapping[str, Any] = "default", corpus: Any = None, *, folds: int | None = None,
                    baselines: bool = True, progress: Callable[[str], None] | None = None,
                    sources: Sequence[str] | str | None = None) -> dict[str, Any]:
    """Cross-validate a recipe on its gold documents, one gold source at a time, whole documents held out.

    Each evaluated source (``seeds``, ``real``, ``written`` …) is scored on its own
    documents: a fold holds some of them out while the recipe trains on everything
    else (the other documents of that source, every other source, the weak labels).
    The figures are named by source and never pooled. ``sources`` picks them (a name, a
    list, or ``"all"``); the default is the recipe's first source (the seeds: one report
    held out at a time). ``folds`` overrides the folds of every source (default: the
    recipe's ``evaluate`` settings; else one document at a time for the first source, 5
    for the others).

    Returns the first source's result at the top level (as before) and, when several
    were evaluated, all of them in ``by_source``.

    Examples
    --------
    >>> import os
    >>> corpus = os.environ.get("GOVREPORT_CORPUS", "../shared/corpus")
    >>> result = evaluate_recipe("default", corpus, folds=2, baselines=False)  # doctest: +SKIP
    >>> sorted(result)  # doctest: +SKIP
    """
    r = get_recipe(recipe)
    by_name = recipe_sources(r, corpus)
    gold, weak = recipe_data(r, corpus, sources=by_name)
    derive = r.get("derive")
    axes = tuple(r.get("axes") or (("function", "topic") if derive else ("label",)))
    label_set = get_label_set(r.get("label_set", "default"))
    names = list(by_name)
    if sources is None:
        chosen = names[:1]
    elif sources == "all":
        chosen = names
    else:
        chosen = [sources] if isinstance(sources, str) else list(sources)
        unknown = [n for n in chosen if n not in by_name]
        if unknown:
            raise GovReportError(f"the recipe has no gold source {unknown[0]!r}; it has {', '.join(names)}.")
    plan = r.get("evaluate") or {}

    def fit(data: LabelledData) -> Model:
        return Model(fit_heads(data, axes, r), label_set, derive=derive)

    results: dict[str, Any] = {}
    for name in chosen:
        held_source = by_name[name]
        rest = LabelledData([], {}, [])
        for other, data in by_name.items():
            if other != name:
                rest = rest + data
        extra = rest + weak
        # the recipe says how many folds each source gets (null: one document at a time)
        k = folds if folds is not None else plan.get(name, None if name == names[0] else 5)
        say = (lambda msg, n=name: progress(f"{n}: {msg}")) if progress else None
        res = cross_validate(held_source, fit, axis="label", label_set=label_set,
                             weak=extra if len(extra) else None, folds=k, baselines=baselines, progress=say)
        res["source"] = name
        res["recipe"] = r.get("name", "custom")
        results[name] = res
    out = dict(results[chosen[0]])
    if len(results) > 1:
        out["by_source"] = results
    return out


def evaluate_data(data: LabelledData, *, label_set: LabelSet | None = None, recipe: Any = None,
                  folds: int | None = 5, baselines: bool = True,
                  progress: Callable[[str], None] | None = None) -> dict[str, Any]:
    """Cross-validate :func:`~govreport_nlp.training.train` on users' labelled paragraphs.

    Examples
    --------
    >>> from govreport_nlp.data import LabelledData
    >>> texts = ["全年办理行政复议案件十二件。", "下一步将持续深化诉源治理。"] * 6
    >>> data = LabelledData.from_texts(texts, ["done", "todo"] * 6, groups=[f"doc{i // 4}" for i in range(12)])
    >>> result = evaluate_data(data, folds=3, baselines=False)
    >>> round(result["model"]["accuracy"], 2), result["documents"]
    (1.0, 3)
    """
    ls = label_set or LabelSet.from_labels(v for v in data.labels["label"] if v is not None)
    folds = folds or 5

    def fit(d: LabelledData) -> Model:
        return train(d, label_set=ls, recipe=recipe)

    out = cross_validate(data, fit, axis="label", label_set=ls, folds=folds, baselines=baselines, progress=progress)
    out["recipe"] = "custom"
    return out


def evaluate(data: Any = None, *, recipe: str | Mapping[str, Any] | None = None, corpus: Any = None,
             label_set: LabelSet | str | Sequence[str] | None = None, reports: Any = None, label_field: str = "label",
             folds: int | None = None, baselines: bool = True,
             progress: Callable[[str], None] | None = None) -> dict[str, Any]:
    """Cross-validate, grouped by document: your labelled paragraphs, or a recorded recipe.

    Parameters
    ----------
    data : optional
        Anything :func:`~govreport_nlp.train` takes (LabelledData, a JSONL path, a
        ``datasets.Dataset``, ``(texts, labels)``). Omitted: the ``recipe`` (default
        ``"default"``) is evaluated on its gold documents from ``corpus``.
    recipe : name, path or dict, optional
        With ``data``: the classifier and feature parameters to train with.
    label_set : optional
        The labels of ``data`` (default: those seen).
    folds : int, optional
        Folds of whole documents (default: 5 for ``data``, one document at a time for a recipe).

    Returns
    -------
    dict
        ``model`` (accuracy, macro-F1, per-class scores, ``labels`` and
        ``confusion``, ECE), ``model_without_context``, ``baselines``, fold and
        data counts; :func:`format_report` prints it and
        :func:`~govreport_nlp.plots.plot_confusion_matrix` draws it.

    Examples
    --------
    >>> texts = ["全年办理行政复议案件十二件。", "下一步将持续深化诉源治理。"] * 6
    >>> labels = ["done", "todo"] * 6
    >>> groups = [f"doc{i // 4}" for i in range(12)]
    >>> from govreport_nlp.data import LabelledData
    >>> result = evaluate(LabelledData.from_texts(texts, labels, groups=groups), folds=3, baselines=False)
    >>> result["model"]["labels"], result["folds"]
    (['done', 'todo'], 3)
    """
    if data is None:
        return evaluate_recipe(recipe or "default", corpus, folds=folds, baselines=baselines, progress=progress)
    d = as_labelled_data(data, reports=reports, label_field=label_field)
    ls = None if label_set is None else get_label_set(label_set)
    return evaluate_data(d, label_set=ls, recipe=recipe, folds=folds, baselines=baselines, progress=progress)


def format_report(result: Mapping[str, Any]) -> str:
    """A plain-text evaluation report.

    Examples
    --------
    >>> from govreport_nlp.data import LabelledData
    >>> texts = ["全年办理行政复议案件十二件。", "下一步将持续深化诉源治理。"] * 6
    >>> data = LabelledData.from_texts(texts, ["done", "todo"] * 6, groups=[f"doc{i // 4}" for i in range(12)])
    >>> print(format_report(evaluate_data(data, folds=3, baselines=False)).splitlines()[0][:60])
    custom recipe: 3-fold cross-validation grouped by document (
    """
    if result.get("by_source"):
        return "\n\n".join(format_report({k: v for k, v in r.items() if k != "by_source"})
                             for r in result["by_source"].values())
    m = result["model"]
    named = f", gold source '{result['source']}'" if result.get("source") else ""
    lines = [f"{result['recipe']} recipe{named}: {result['folds']}-fold cross-validation grouped by document "
             f"({result['documents']} documents, {result['paragraphs']} paragraphs, {result['seconds']:.0f}s)", ""]
    lines.append(f"{'label':<16}{'precision':>10}{'recall':>8}{'f1':>8}{'support':>9}")
    for lab in m["labels"]:
        c = m["per_class"][lab]
        lines.append(f"{lab:<16}{c['precision']:>10.3f}{c['recall']:>8.3f}{c['f1']:>8.3f}{c['support']:>9d}")
    lines += ["", f"model      macro-F1 {m['macro_f1']:.3f}  accuracy {m['accuracy']:.3f}"
              + (f"  ECE {m['ece']:.3f}" if "ece" in m else "")]
    if "model_without_context" in result:
        b = result["model_without_context"]
        lines.append(f"same model, paragraphs read without their report: macro-F1 {b['macro_f1']:.3f}  "
                     f"accuracy {b['accuracy']:.3f}" + (f"  ECE {b['ece']:.3f}" if "ece" in b else ""))
    if "function_accuracy" in result:
        lines.append(f"function axis accuracy {result['function_accuracy']:.3f}")
    for name, b in (result.get("baselines") or {}).items():
        lines.append(f"{name:<10} macro-F1 {b['macro_f1']:.3f}  accuracy {b['accuracy']:.3f}"
                     f"  (model - {name}: {m['macro_f1'] - b['macro_f1']:+.3f})")
    lines += ["", "confusion (rows: gold, columns: predicted)", " " * 14 + " ".join(f"{lab[:6]:>6}" for lab in m["labels"])]
    for lab, row in zip(m["labels"], m["confusion"]):
        lines.append(f"{lab:<14}" + " ".join(f"{v:>6d}" for v in row))
    return "\n".join(lines)
