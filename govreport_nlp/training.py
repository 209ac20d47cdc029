"""Training: the recorded recipes, and one call to train on users' own labels.

A **recipe** is JSON (built-in ones live in ``resources/recipes/``; ``default``
is the shipped model's): which corpus files give gold labels, which reports are
weakly labelled and by which labelling functions (by registered name), how much
a gold label weighs against a weak one, and the classifier's parameters. The
same recipe drives :func:`train_recipe` (the shipped model) and the
cross-validation in :mod:`govreport_nlp.evaluation`, so what is measured is what
is shipped.

:func:`train` is the one-call path for users: labelled paragraphs in (a
:class:`~govreport_nlp.data.LabelledData`, a JSONL path, a Hugging Face
``Dataset``/``DatasetDict``, or texts plus labels), a :class:`~govreport_nlp.model.Model`
with a single ``label`` head out.

Examples
--------
>>> texts = ["深化放管服改革，推行证照分离。", "推进一网通办，优化营商环境。", "压减审批事项，推行告知承诺。",
...          "加强行政复议应诉工作。", "做好人民调解和信访工作。", "开展矛盾纠纷排查化解。"]
>>> labels = ["dereg"] * 3 + ["dispute"] * 3
>>> model = train((texts, labels))
>>> model.label_set.labels, model.predict(["强化人民调解，化解矛盾纠纷。"])
(('dereg', 'dispute'), ['dispute'])
"""

from __future__ import annotations

import json
import logging
import os
import random
import time
from importlib import resources
from pathlib import Path
from typing import Any, Mapping, Sequence

from ._version import __version__
from .classifier import ParagraphClassifier
from .data import LabelledData, as_labelled_data, read_labelled_jsonl, read_reports, weak_labels
from .errors import GovReportError, InputError
from .features import ParagraphFeatures
from .labels import LabelSet, get_label_set
from .model import Model

__all__ = ["Recipe", "available_recipes", "fit_heads", "get_recipe", "is_gold", "model_card", "recipe_data",
           "recipe_sources", "train", "train_recipe", "training_data_dir"]

logger = logging.getLogger("govreport_nlp")

Recipe = dict[str, Any]


def available_recipes() -> list[str]:
    """Names of the built-in recipes.

    Examples
    --------
    >>> available_recipes()
    ['custom', 'default']
    """
    root = resources.files("govreport_nlp").joinpath("resources/recipes")
    return sorted(p.name[:-5] for p in root.iterdir() if p.name.endswith(".json"))


def get_recipe(spec: str | os.PathLike[str] | Mapping[str, Any]) -> Recipe:
    """A recipe by built-in name, from a JSON file path, or as given (a dict).

    Examples
    --------
    >>> r = get_recipe("custom")
    >>> r["segmenter"], r["classifier"]["class_weight"]
    ('rjieba', 'balanced')
    """
    if isinstance(spec, Mapping):
        return dict(spec)
    name = str(spec)
    if name in available_recipes():
        text = resources.files("govreport_nlp").joinpath(f"resources/recipes/{name}.json").read_text("utf-8")
    elif Path(name).is_file():
        text = Path(name).read_text("utf-8")
    else:
        raise GovReportError(f"unknown recipe {name!r}: not a built-in ({', '.join(available_recipes())}) "
                             "and not a JSON file.")
    try:
        recipe = json.loads(text)
    except json.JSONDecodeError as exc:
        raise GovReportError(f"recipe {name!r} is not valid JSON ({exc.msg}).") from None
    if not isinstance(recipe, dict):
        raise GovReportError(f"recipe {name!r} must be a JSON object.")
    return recipe


def corpus_dir(path: str | os.PathLike[str] | None = None) -> Path:
    """The corpus directory: ``path``, else ``$GOVREPORT_CORPUS``, else ``../shared/corpus``."""
    where = Path(path or os.environ.get("GOVREPORT_CORPUS") or Path.cwd().parent / "shared" / "corpus")
    if not where.is_dir():
        raise InputError(f"{where}: corpus directory not found; pass --corpus or set GOVREPORT_CORPUS.")
    return where


def training_data_dir() -> Path:
    """The repository's own training data (``training_data/`` of a checkout, or ``$GOVREPORT_TRAINING_DATA``).

    It is not installed with the package: retraining the default model needs a checkout.

    Examples
    --------
    >>> (training_data_dir() / "DATASHEET.md").is_file()  # doctest: +SKIP
    True
    """
    where = Path(os.environ.get("GOVREPORT_TRAINING_DATA") or Path(__file__).resolve().parent.parent / "training_data")
    if not where.is_dir():
        raise InputError(f"{where}: the training data of a govreport_nlp checkout was not found; retrain from a "
                         "clone of the repository or set GOVREPORT_TRAINING_DATA.")
    return where


def _gold_specs(recipe: Recipe) -> list[dict[str, Any]]:
    spec = recipe.get("gold") or []
    specs = [spec] if isinstance(spec, Mapping) else list(spec)
    return [dict(s, name=s.get("name", "gold" if i == 0 else f"gold{i}")) for i, s in enumerate(specs)]


def recipe_sources(recipe: Recipe, corpus: str | os.PathLike[str] | None = None) -> dict[str, LabelledData]:
    """The recipe's gold sources by name (``seeds``, ``real``, ``written`` …), each a LabelledData.

    A source's files are under the corpus directory, or under the repository's
    ``training_data/`` when it says ``"root": "training_data"``. Its paragraphs carry
    origin ``gold:<name>`` (weighted by the recipe's ``source_weights``, else ``gold_weight``).

    Examples
    --------
    >>> sources = recipe_sources(get_recipe("default"), "../shared/corpus")  # doctest: +SKIP
    >>> {name: len(data) for name, data in sources.items()}  # doctest: +SKIP
    {'seeds': 99, 'real': 1791, 'written': 2202, 'written_paragraphs': 2315}
    """
    out: dict[str, LabelledData] = {}
    for spec in _gold_specs(recipe):
        root = training_data_dir() if spec.get("root") == "training_data" else corpus_dir(corpus)
        corpus_root = corpus_dir(corpus) if spec.get("reports_root") == "corpus" else root
        reports = read_reports([corpus_root / p for p in spec.get("reports", [])])
        data = read_labelled_jsonl(root / spec["labels"], reports=reports or None,
                                   label_field=spec.get("label_field", "label"), axes=spec.get("axes", ()))
        data.origin = [f"gold:{spec['name']}"] * len(data)
        out[spec["name"]] = data
    return out


def recipe_data(recipe: Recipe, corpus: str | os.PathLike[str] | None = None,
                sources: Mapping[str, LabelledData] | None = None) -> tuple[LabelledData, LabelledData]:
    """The gold (all sources together) and the weakly labelled paragraphs a recipe trains on.

    Examples
    --------
    >>> gold, weak = recipe_data(get_recipe("default"), "../shared/corpus")  # doctest: +SKIP
    >>> len(gold), len(weak)  # doctest: +SKIP
    """
    gold = LabelledData([], {}, [])
    for data in (sources if sources is not None else recipe_sources(recipe, corpus)).values():
        gold = gold + data
    weak_spec = recipe.get("weak") or {}
    weak = LabelledData([], {}, [])
    if weak_spec:
        root = corpus_dir(corpus)
        reports = read_reports([root / p for p in weak_spec["reports"]])
        # a wholly labelled gold document is never also weakly labelled; of a document whose gold is a
        # sample of lines (the real work reports), only the labelled lines are left out
        sampled = {n for n, spec in ((sp["name"], sp) for sp in _gold_specs(recipe)) if spec.get("sample")}
        whole = {g for g, o in zip(gold.groups, gold.origin) if o[5:] not in sampled}
        labelled = {(g, x["text"]) for g, o, x in zip(gold.groups, gold.origin, gold.inputs) if o[5:] in sampled}
        reports = {k: r for k, r in reports.items() if k not in whole}
        weak = weak_labels(reports, lfs=weak_spec.get("lfs"), min_chars=int(weak_spec.get("min_chars", 25)))
        if labelled:
            weak = weak.subset(i for i, (g, x) in enumerate(zip(weak.groups, weak.inputs))
                               if (g, x["text"]) not in labelled)
    return gold, weak


def is_gold(origin: str) -> bool:
    """Whether a paragraph's origin is a gold label (``gold`` or ``gold:<source>``), not a weak one.

    Examples
    --------
    >>> is_gold("gold:real"), is_gold("weak")
    (True, False)
    """
    return origin == "gold" or origin.startswith("gold:")


def _sample(data: LabelledData, axis: str, cap: int | None, seed: int) -> list[int]:
    """Indices labelled on ``axis``; weak ones at most ``cap`` per label (gold always kept)."""
    idx = data.where(axis)
    if not cap:
        return idx
    rng = random.Random(seed)
    by: dict[tuple[str, str], list[int]] = {}
    for i in idx:
        by.setdefault((data.origin[i], str(data.labels[axis][i])), []).append(i)
    keep: list[int] = []
    for (origin, _), members in sorted(by.items()):
        keep += members if is_gold(origin) or len(members) <= cap else sorted(rng.sample(members, cap))
    return sorted(keep)


def _classifier(recipe: Recipe, axis: str | None = None) -> ParagraphClassifier:
    # per-head settings (recipe["head_features"][axis], recipe["head_classifier"][axis]) override the shared ones
    fparams = {**(recipe.get("features") or {}), **((recipe.get("head_features") or {}).get(axis) or {})}
    for k in ("word_ngram_range", "char_ngram_range"):
        if k in fparams:
            fparams[k] = tuple(fparams[k])
    fparams.setdefault("segmenter", recipe.get("segmenter", "rjieba"))
    cparams = {**(recipe.get("classifier") or {}), **((recipe.get("head_classifier") or {}).get(axis) or {})}
    return ParagraphClassifier(features=ParagraphFeatures(**fparams), **cparams)


def fit_heads(data: LabelledData, axes: Sequence[str], recipe: Recipe) -> dict[str, ParagraphClassifier]:
    """Fit one classifier per axis on the paragraphs labelled on it (gold weighted by ``gold_weight``).

    Examples
    --------
    >>> from govreport_nlp.data import LabelledData
    >>> data = LabelledData.from_texts(["全年办理行政复议案件十二件。", "下一步将持续深化诉源治理。"] * 4, ["done", "todo"] * 4)
    >>> heads = fit_heads(data, ("label",), get_recipe("custom"))
    >>> list(heads), list(heads["label"].classes_)
    (['label'], ['done', 'todo'])
    """
    heads = {}
    gw = float(recipe.get("gold_weight", 1.0))
    for axis in axes:
        idx = _sample(data, axis, recipe.get("weak_cap_per_label"), int(recipe.get("seed", 0)))
        if not idx:
            raise GovReportError(f"no paragraph is labelled on axis {axis!r}.")
        sub = data.subset(idx)
        per_source = recipe.get("source_weights") or {}
        weights = [float(per_source.get(o[5:], gw)) if o.startswith("gold:") else gw if o == "gold" else 1.0
                   for o in sub.origin]
        start = time.perf_counter()
        heads[axis] = _classifier(recipe, axis).fit(sub.inputs, sub.labels[axis], sample_weight=weights, groups=sub.groups)
        logger.info("trained %s head on %d paragraphs in %.1fs", axis, len(sub), time.perf_counter() - start)
    return heads


def train_recipe(recipe: str | Mapping[str, Any] = "default", corpus: str | os.PathLike[str] | None = None,
                 data: tuple[LabelledData, LabelledData] | None = None) -> Model:
    """Train the model a recipe describes (``data`` = ready :func:`recipe_data` output).

    Examples
    --------
    >>> available_recipes()
    ['custom', 'default']
    """
    r = get_recipe(recipe)
    gold, weak = data if data is not None else recipe_data(r, corpus)
    derive = r.get("derive")
    axes = tuple(r.get("axes") or (("function", "topic") if derive else ("label",)))
    heads = fit_heads(gold + weak, axes, r)
    label_set = get_label_set(r.get("label_set", "default"))
    info = {"recipe": r, "trained_with": __version__,
            "data": {"gold_paragraphs": len(gold), "gold_documents": len(set(gold.groups)),
                     "weak_paragraphs": len(weak), "weak_documents": len(set(weak.groups))}}
    return Model(heads, label_set, derive=derive, threshold=r.get("threshold"), info=info)


def train(data: Any, *, label_set: LabelSet | str | Sequence[str] | None = None, reports: Any = None,
          label_field: str = "label", recipe: str | Mapping[str, Any] | None = None,
          threshold: float | None = None) -> Model:
    """Train a single-head model on labelled paragraphs of any label set.

    Parameters
    ----------
    data : LabelledData, path, datasets.Dataset or DatasetDict, or (texts, labels)
        The labelled paragraphs. A JSONL path may hold ``text``+``label`` records
        or ``doc_id``/``start``/``end`` spans into ``reports``.
    label_set : LabelSet, name, list of labels, or None
        The labels (default: those seen in the data, sorted). Data with other labels is refused.
    reports : path or dict of Report, optional
        Reports that span records point into.
    recipe : name, path or dict, optional
        Classifier and feature parameters (``classifier``, ``features``,
        ``segmenter`` keys); defaults to those of the ``custom`` recipe.
    threshold : float, optional
        Abstain threshold stored with the model.

    Examples
    --------
    >>> texts = ["全年办理行政复议案件十二件。", "下一步将持续深化诉源治理。"] * 4
    >>> model = train((texts, ["done", "todo"] * 4))
    >>> model.label_set.labels, model.predict(["下一步将推进证照分离。"])
    (('done', 'todo'), ['todo'])
    """
    d = as_labelled_data(data, reports=reports, label_field=label_field)
    if "label" not in d.labels:
        raise GovReportError("the training data has no 'label' axis.")
    seen = [v for v in d.labels["label"] if v is not None]
    ls = LabelSet.from_labels(seen) if label_set is None else get_label_set(label_set)
    ls.check(seen)
    r = get_recipe(recipe or "custom")
    heads = fit_heads(d, ("label",), r)
    info = {"recipe": r, "trained_with": __version__,
            "data": {"paragraphs": len(seen), "documents": len(set(d.groups))}}
    return Model(heads, ls, derive=None, threshold=threshold, info=info)


def _measured(evaluation: Mapping[str, Any]) -> list[str]:
    m = evaluation["model"]
    lines = [f"{evaluation['folds']}-fold cross-validation grouped by document "
             f"({evaluation['documents']} documents, {evaluation['paragraphs']} gold paragraphs); "
             "no paragraph of a test document was in training, weak labels of other reports were."]
    lines += ["", "| | macro-F1 | accuracy |", "|---|---|---|",
              f"| this recipe | {m['macro_f1']:.3f} | {m['accuracy']:.3f} |"]
    for name, b in (evaluation.get("baselines") or {}).items():
        lines.append(f"| baseline: {name} | {b['macro_f1']:.3f} | {b['accuracy']:.3f} |")
    if "model_without_context" in evaluation:
        b = evaluation["model_without_context"]
        lines.append(f"| this model, each paragraph read without its report | {b['macro_f1']:.3f} | "
                     f"{b['accuracy']:.3f} |")
    if "function_accuracy" in evaluation:
        lines += ["", f"Function-axis accuracy: {evaluation['function_accuracy']:.3f}."]
    if "ece" in m:
        lines += ["", f"Expected calibration error (10 bins): {m['ece']:.3f}."]
    lines += ["", "| label | precision | recall | F1 | support |", "|---|---|---|---|---|"]
    for lab in m["labels"]:
        c = m["per_class"][lab]
        lines.append(f"| {lab} | {c['precision']:.3f} | {c['recall']:.3f} | {c['f1']:.3f} | {c['support']} |")
    return lines


def model_card(model: Model, evaluation: Mapping[str, Any] | None = None) -> str:
    """A model card in Markdown: labels, data, recipe, measured metrics, limits and versions.

    Every figure in it comes from ``model.info`` and ``evaluation`` (measured in
    the run that trained the model); without an evaluation the card says so.

    Examples
    --------
    >>> model = train((["全年办理行政复议案件十二件。", "下一步将持续深化诉源治理。"] * 4, ["done", "todo"] * 4))
    >>> model_card(model).splitlines()[0]
    '# Model card: custom'
    """
    import platform

    import numpy
    import sklearn

    info = model.info
    recipe = info.get("recipe") or {}
    lines = [f"# Model card: {recipe.get('name', 'custom')}", ""]
    if recipe.get("description"):
        lines += [str(recipe["description"]), ""]
    lines += ["## Labels", ""]
    for lab in model.label_set.labels:
        desc = model.label_set.descriptions.get(lab, "")
        lines.append(f"- `{lab}`" + (f": {desc}" if desc else ""))
    how = (f"derived from the {' and '.join(model.heads)} heads by the `{model.derive}` rule"
           if model.derive else "predicted by one `label` head")
    lines += ["", f"The label is {how}. Abstain threshold: {model.threshold}.", "", "## Data", ""]
    for k, v in (info.get("data") or {}).items():
        lines.append(f"- {k.replace('_', ' ')}: {v}")
    lines += ["", "## Recipe", "", "```json", json.dumps(recipe, ensure_ascii=False, indent=1), "```", ""]
    lines += ["## Measured", ""]
    if evaluation:
        # each gold source scored on its own held-out documents, never pooled
        for name, ev in (evaluation.get("by_source") or {str(evaluation.get("source") or ""): evaluation}).items():
            if name:
                lines += [f"### Gold source `{name}`", ""]
            lines += _measured(ev) + [""]
    else:
        lines.append("Not evaluated when it was trained (trained with evaluation switched off).")
    lines += ["", "## Limits", "",
              "- Gold labels are few (the figures above rest on them); the cross-validation estimate is noisy.",
              "- Weak labels come from keyword and structure rules; the model inherits their blind spots.",
              "- Paragraphs are judged one line at a time; a topic that spans lines is judged line by line.",
              "", "## Versions", "",
              f"- govreport_nlp {info.get('trained_with', __version__)}, scikit-learn {sklearn.__version__}, "
              f"numpy {numpy.__version__}, Python {platform.python_version()}",
              f"- segmenter: {model.segmenter}", ""]
    return "\n".join(lines)
