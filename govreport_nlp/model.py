"""The model users load: classifier heads, the label they derive, and how it is saved.

A :class:`Model` holds one or more :class:`~govreport_nlp.classifier.ParagraphClassifier`
heads by axis. The default model has a ``function`` head and a ``topic`` head and
*derives* the 7-class label from them (:func:`~govreport_nlp.labels.derive_label`,
with probabilities summed over the function/topic pairs that give each label). A
model trained on users' own labels has a single ``label`` head.

Models are saved as a directory: ``model.json`` (label set, derivation, threshold,
segmenter by name, versions, training record), ``weights.npz`` (vocabularies
and weights, read with ``allow_pickle=False``) and ``MODEL_CARD.md``. Nothing in
a model file is executed on load.

Examples
--------
>>> from govreport_nlp import load_model
>>> model = load_model()                                  # the default model shipped in the package
>>> report = model.classify_report("二、下一步工作打算\\n（一）持续深化放管服改革，全面推行告知承诺制，让企业办事更便捷。")
>>> report.paragraphs[1].prediction.label
'plans'
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import os
import tempfile
import zipfile
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator, Mapping, Sequence

import numpy as np

from ._version import __version__
from .document import AxisExplanation, Explanation, Prediction, Report
from .errors import GovReportError, ModelError, ModelNotAvailableError
from .cleaning import looks_like_furniture
from .features import TextBatch, as_input, report_inputs
from . import lookup_cache
from .inference import Head, HeadGroup, code_digest, softmax as _softmax
from .labels import DEFAULT, LabelSet, derive_label, get_label_set
from .reading import Document
from .structural import structural_prediction
from .structure import parse, parse_document

logger = logging.getLogger("govreport_nlp")

if TYPE_CHECKING:
    from .classifier import ParagraphClassifier

__all__ = ["Model", "default_model_path", "load_model", "register_derivation"]

FORMAT = "govreport_nlp.model"
FORMAT_VERSION = 1
_DERIVATIONS: dict[str, tuple[tuple[str, ...], Callable[[str, Sequence[str]], str], LabelSet]] = {}


def register_derivation(name: str, axes: tuple[str, ...], rule: Callable[[str, Sequence[str]], str],
                        label_set: LabelSet) -> None:
    """Register how a label is derived from two heads (``rule(first_axis_label, [second_axis_label])``).

    Examples
    --------
    >>> from govreport_nlp.labels import LabelSet
    >>> yes_no = LabelSet("forward_looking", ("future", "past"))
    >>> register_derivation("forward", ("function", "topic"), lambda f, topics: "future" if f == "plan" else "past", yes_no)
    >>> m = load_model()
    >>> forward = Model(m.heads, yes_no, derive="forward")
    >>> report = forward.classify_report("三、下一步工作打算\\n我们将继续深化放管服改革，推行证照分离。\\n四、存在的问题\\n执法人员专业能力还有差距。")
    >>> [p.prediction.label for p in report.body]
    ['future', 'past']
    """
    _DERIVATIONS[name] = (axes, rule, label_set)


register_derivation("default", ("function", "topic"), derive_label, DEFAULT)


def check_threshold(t: float | None) -> float | None:
    """``t`` if it is a usable abstain threshold (None, or a confidence in [0, 1]); else a one-sentence error."""
    if t is not None and not 0.0 <= t <= 1.0:
        raise GovReportError(f"the threshold (--threshold) is a confidence between 0 and 1, not {t}.")
    return t


class Model:
    """Paragraph classifier heads plus the label they give.

    Parameters
    ----------
    heads : dict of str to ParagraphClassifier or Head
        Fitted heads by axis: ``{"function": ..., "topic": ...}`` for a derived
        label, or ``{"label": ...}``. The model classifies with each head's numpy
        form (:class:`~govreport_nlp.inference.Head`, :attr:`runtime_heads`); a
        loaded model has only those and rebuilds the scikit-learn estimators
        (:attr:`heads`) when they are asked for.
    label_set : LabelSet
        The labels the model gives, in output column order.
    derive : str or None
        Name of a registered derivation (``"default"``), or ``None`` when a
        ``label`` head gives the label directly.
    threshold : float or None
        Confidence under which a prediction is marked as abstained.
    info : dict
        Training record (data, recipe, metrics), written to ``model.json``.

    Examples
    --------
    >>> model = load_model()
    >>> report = model.classify_report("一、工作回顾\\n深化放管服改革，推行证照分离，企业开办时间压缩至1个工作日。\\n二、存在的不足\\n行政执法人员专业能力还有差距。")
    >>> [(p.text[:8], p.prediction.label) for p in report.body]
    [('深化放管服改革，', 'deregulation'), ('行政执法人员专业', 'shortcomings')]
    >>> # bare text is read by its words alone: weaker than a paragraph of a classified report (docs/limits.md)
    >>> model.predict(["我们将进一步优化营商环境。"])
    ['plans']
    >>> model.predict_proba(["推行证照分离。"]).shape
    (1, 7)
    """

    def __init__(self, heads: Mapping[str, ParagraphClassifier | Head], label_set: LabelSet | str = DEFAULT,
                 derive: str | None = "default", threshold: float | None = None,
                 info: Mapping[str, Any] | None = None) -> None:
        # scikit-learn estimators where given; the numpy heads classify (a fitted classifier's own, exact weights)
        self._fitted: dict[str, Any] = {a: h for a, h in heads.items() if not isinstance(h, Head)}
        self.runtime_heads: dict[str, Head] = {a: h if isinstance(h, Head) else h._compiled() for a, h in heads.items()}
        self.label_set = get_label_set(label_set)
        self.derive = derive
        self.threshold = threshold
        self.info = dict(info or {})
        self.path: Path | None = None  # the directory it was loaded from or saved to, if any
        if derive is not None:
            if derive not in _DERIVATIONS:
                raise ModelError(f"unknown derivation {derive!r}; known: {', '.join(sorted(_DERIVATIONS))}.")
            missing = [a for a in _DERIVATIONS[derive][0] if a not in self.runtime_heads]
            if missing:
                raise ModelError(f"derivation {derive!r} needs heads {', '.join(missing)}.")
        elif "label" not in self.runtime_heads:
            raise ModelError("a model without a derivation needs a 'label' head.")
        check_threshold(threshold)

    def __repr__(self) -> str:
        return (f"Model(labels={list(self.label_set.labels)}, heads={list(self.runtime_heads)}, "
                f"derive={self.derive!r}, threshold={self.threshold})")

    @property
    def heads(self) -> dict[str, ParagraphClassifier]:
        """The heads as scikit-learn estimators (:class:`~govreport_nlp.classifier.ParagraphClassifier`), by axis.

        A loaded model rebuilds them from its saved state on first access (this
        imports scikit-learn); classifying does not need them.
        """
        missing = [a for a in self.runtime_heads if a not in self._fitted]
        if missing:
            from .persistence import head_from_state

            for a in missing:
                h = self.runtime_heads[a]
                self._fitted[a] = head_from_state(h.state, h.arrays, h.prefix)
        return {a: self._fitted[a] for a in self.runtime_heads}

    @property
    def segmenter(self) -> Any:
        head = next(iter(self.runtime_heads.values()))
        return head.segmenter

    def __getstate__(self) -> dict[str, Any]:
        # the head groups (lookup tables or their string dicts) are made again where the model is unpickled
        return {k: v for k, v in self.__dict__.items() if k != "_groups"}

    def prepare(self, lookup: bool = True) -> Model:
        """Build now what is otherwise built on first use (the segmenter dictionary, the n-gram lookup
        tables): before forking workers, or to keep that time off a first request.

        ``lookup=False``: not the lookup tables, unless the per-user cache holds them. Without them
        n-grams are looked up by string (the same counts) until the model has read enough text
        (:data:`HeadGroup.STRING_LOOKUP_CHARS <govreport_nlp.inference.HeadGroup.STRING_LOOKUP_CHARS>`)
        to pay for building them: what the command line does, so that one report starts fast.
        """
        for head in self.runtime_heads.values():
            head.prepare()
        groups = self._head_groups()
        if lookup:
            for g in groups:
                g.complete()
        return self

    # --- probabilities -----------------------------------------------------
    def _proba(self, analyses: Mapping[str, dict[str, Any]]) -> np.ndarray:
        if self.derive is None:
            head = self.runtime_heads["label"]
            return _reorder(analyses["label"]["proba"], head.classes_, self.label_set)
        (ax1, ax2), _, _ = _DERIVATIONS[self.derive]
        # sum P(a) P(b) over the pairs that give each label (the heads are read as independent)
        return np.einsum("ni,nj,ijl->nl", analyses[ax1]["proba"], analyses[ax2]["proba"], self._pairs())

    def _pairs(self) -> np.ndarray:
        """Which label each (first-axis class, second-axis class) pair derives, as a 0/1 array (built once)."""
        M = self.__dict__.get("_pairs_cache")
        if M is None:
            assert self.derive is not None
            (ax1, ax2), rule, _ = _DERIVATIONS[self.derive]
            h1, h2 = self.runtime_heads[ax1], self.runtime_heads[ax2]
            M = np.zeros((len(h1.classes_), len(h2.classes_), len(self.label_set)))
            for i, a in enumerate(h1.classes_):
                for j, b in enumerate(h2.classes_):
                    M[i, j, self.label_set.index(rule(str(a), [str(b)]))] = 1.0
            self._pairs_cache = M
        return M

    def _head_groups(self) -> list[HeadGroup]:
        """The heads in groups that read alike, each group's n-gram lookup shared (made once per model;
        its integer tables built once it has read enough text, and for a model saved on disk kept in the
        per-user lookup cache between runs)."""
        heads = list(self.runtime_heads.values())
        cached = self.__dict__.get("_groups")
        if cached is None or cached[0] != [id(h) for h in heads]:
            groups = HeadGroup.partition(heads, cache=self.path is not None)
            cached = self._groups = ([id(h) for h in heads], groups)
        return cached[1]

    def _analyze(self, X: Iterable[Any]) -> dict[str, dict[str, Any]]:
        # one batch for all heads: each distinct text (paragraph or heading) is analysed once
        batch = TextBatch(X)
        found = {id(h): a for g in self._head_groups() for h, a in zip(g.heads, g.analyze(batch))}
        out = {axis: found[id(head)] for axis, head in self.runtime_heads.items()}
        fn = out.get("function")
        if fn is not None and len(batch.inputs) and "meta" in set(map(str, self.runtime_heads["function"].classes_)):
            # a bare sentence is content unless it reads as furniture: its function is never `meta` by default
            # (read alone, "no report context" used to push content sentences there)
            rows = [i for i in np.flatnonzero(~batch.in_context).tolist()
                    if not looks_like_furniture(batch.inputs[i]["text"])]
            if rows:
                k = list(map(str, self.runtime_heads["function"].classes_)).index("meta")
                scores = np.array(fn["scores"], dtype=float, copy=True)
                scores[rows, k] = -np.inf if scores.shape[1] > 1 else scores[rows, k]
                fn["scores"] = scores
        for a in out.values():  # each head's probabilities, once for the label and the axes
            a["proba"] = _softmax(a["scores"])
        return out

    def predict_proba(self, X: Iterable[Any]) -> np.ndarray:
        """Label probabilities, columns in the order of ``label_set.labels``.

        ``X`` holds texts (content only), dicts with context, or Paragraphs.
        """
        return self._proba(self._analyze(X))

    def predict(self, X: Iterable[Any], threshold: float | None = None) -> list[str | None]:
        """The label of each paragraph; ``None`` where the confidence is under the threshold."""
        p = self.predict_proba(X)
        t = self.threshold if threshold is None else check_threshold(threshold)
        labels = self.label_set.labels
        return [labels[int(np.argmax(r))] if t is None or r.max() >= t else None for r in p]

    def predictions(self, X: Iterable[Any], threshold: float | None = None, reasons: int = 4) -> list[Prediction]:
        """Full :class:`~govreport_nlp.document.Prediction` objects (label, axes, alternatives, reasons)."""
        inputs = [as_input(x) for x in X]
        if not inputs:
            return []
        # a huge report is scored a chunk at a time: the feature matrices of all its text at once would not
        # fit in a laptop's memory (a 20 MB file peaked at 1.7 GB); each paragraph's score is its own anyway
        chunks = list(_chunks(inputs))
        if len(chunks) > 1:
            return [pred for chunk in chunks for pred in self.predictions(chunk, threshold=threshold, reasons=reasons)]
        analyses = self._analyze(inputs)
        proba = self._proba(analyses)
        t = self.threshold if threshold is None else check_threshold(threshold)
        labels = self.label_set.labels
        axis_p = {a: analyses[a]["proba"] for a in self.runtime_heads}
        memo: dict[Any, Any] = {}  # the heads explain the same paragraphs: each feature put in words once
        why: dict[str, list[list[tuple[str, float]]]] = {
            a: h.explain_many(inputs, top=reasons, analysis=analyses[a], memo=memo) if reasons else [[]] * len(inputs)
            for a, h in self.runtime_heads.items()}
        # every row's ranking at once; the loop below only assembles the records
        n = len(inputs)
        order = np.argsort(-proba, axis=1)
        ranked = np.take_along_axis(proba, order, axis=1)[:, :3].tolist()
        order_l = order[:, :3].tolist()
        functions: list[Any] = [None] * n
        function_scores: list[Any] = [None] * n
        topics: list[tuple[str, ...]] = [()] * n
        if "function" in self.runtime_heads:
            fp = axis_p["function"]
            fclasses = [str(c) for c in self.runtime_heads["function"].classes_]
            functions = [fclasses[j] for j in np.argmax(fp, axis=1).tolist()]
            function_scores = fp.max(axis=1).tolist()
        if "topic" in self.runtime_heads:
            tp = axis_p["topic"]
            tclasses = [str(c) for c in self.runtime_heads["topic"].classes_]
            tord = np.argsort(-tp, axis=1)[:, :2]
            tval = np.take_along_axis(tp, tord, axis=1)
            # the primary topic, and a second one if it is nearly as likely
            second = (tval[:, 1] >= 0.5 * tval[:, 0]) if tp.shape[1] > 1 else np.zeros(n, dtype=bool)
            topics = [(tclasses[r[0]], tclasses[r[1]]) if two else (tclasses[r[0]],)
                      for r, two in zip(tord.tolist(), second.tolist())]
        heads = list(self.runtime_heads)
        out = []
        for i in range(n):
            o, v = order_l[i], ranked[i]
            reason_text = tuple(f"{a}: {desc}" for a in heads for desc, _ in why[a][i][:reasons])
            out.append(Prediction(
                label=labels[o[0]], score=v[0], function=functions[i], function_score=function_scores[i],
                topics=topics[i], alternatives=tuple((labels[j], p) for j, p in zip(o[1:3], v[1:3])),
                abstained=t is not None and v[0] < t, reasons=reason_text))
        return out

    def explain(self, paragraph: Any, top: int = 8) -> Explanation:
        """Why a paragraph gets its label: each head's decision and the words and context behind it.

        ``paragraph`` is text (read alone: content only), a dict with context, or a
        Paragraph of a parsed report. The reasons are in a reader's terms: words and
        phrases of the paragraph (character n-grams grouped into the words they come
        from), the keywords and cue phrases that matched, and its place in the report.

        Examples
        --------
        >>> e = load_model().explain("我们将进一步优化营商环境。")
        >>> e.label, e.axes["function"].label
        ('plans', 'plan')
        >>> e.to_dict()["axes"]["topic"]["label"]
        'deregulation'
        """
        inputs = [as_input(paragraph)]
        analyses = self._analyze(inputs)
        proba = self._proba(analyses)[0]
        axes = {}
        for a, h in self.runtime_heads.items():
            p = analyses[a]["proba"][0]
            axes[a] = AxisExplanation(a, str(h.classes_[int(np.argmax(p))]), float(p.max()),
                                      tuple(h.explain_many(inputs, top=top, analysis=analyses[a])[0]))
        k = int(np.argmax(proba))
        return Explanation(inputs[0]["text"], self.label_set.labels[k], float(proba[k]), axes)

    # --- reports -----------------------------------------------------------
    def classify_report(self, source: str | os.PathLike[str] | bytes | Document | Report, *, id: str | None = None,
                        format: str = "auto", encoding: str | None = None, threshold: float | None = None,
                        reasons: int = 4) -> Report:
        """Read (if needed), parse and label every paragraph of one report.

        ``source`` is report text, a path, bytes, a :class:`~govreport_nlp.Document`
        or an already parsed :class:`~govreport_nlp.Report`. Every paragraph gets
        a prediction, read in the context of its report (headings, section role,
        position); headings and short lines too, although the taxonomy scores
        only lines of 25 characters or more.
        """
        if isinstance(source, Report):
            report = source
        elif isinstance(source, Document):
            report = parse_document(source)
        else:
            report = parse(source, id=id, format=format, encoding=encoding)
        return self.classify_parsed([report], threshold=threshold, reasons=reasons)[0]

    def classify_parsed(self, reports: Sequence[Report], *, threshold: float | None = None,
                        reasons: int = 4) -> list[Report]:
        """Label every paragraph of already parsed reports (as :meth:`classify_report` does), all of them
        in one batch: for many short reports, faster than one at a time. Returns the same reports."""
        derive = (_DERIVATIONS[self.derive][1] if self.derive is not None and "function" in self.runtime_heads
                  else None)
        t = self.threshold if threshold is None else threshold
        # furniture, metadata and headings: the structure decides (see govreport_nlp.structural); the
        # model reads the rest (each paragraph's scores are its own, so leaving those out changes none)
        fixed: list[list[Prediction | None]] = []
        todo: list[tuple[int, int]] = []
        inputs: list[dict[str, Any]] = []
        for r, report in enumerate(reports):
            f = [structural_prediction(p, report, label_set=self.label_set, derive=derive) for p in report.paragraphs]
            fixed.append(f)
            ins = report_inputs(report)
            for i, fi in enumerate(f):
                if fi is None:
                    todo.append((r, i))
                    inputs.append(ins[i])
        preds = dict(zip(todo, self.predictions(inputs, threshold=threshold, reasons=reasons)))
        for r, report in enumerate(reports):
            for i, p in enumerate(report.paragraphs):
                f = fixed[r][i]
                if f is not None and t is not None and f.score < t:
                    f = dataclasses.replace(f, abstained=True)
                p.prediction = preds[(r, i)] if f is None else f
        return list(reports)

    def classify_reports(self, sources: Iterable[Any], **kwargs: Any) -> Iterator[Report]:
        """:meth:`classify_report` over many inputs, lazily."""
        for s in sources:
            yield self.classify_report(s, **kwargs)

    def classify_many(self, inputs: Iterable[Any], *, n_jobs: int | str = 1, **kwargs: Any) -> Iterator[Any]:
        """Classify a corpus (files, folders, JSONL corpora, Documents) streaming, in input order, optionally
        in ``n_jobs`` worker processes; unreadable inputs come out as Failures. See
        :func:`govreport_nlp.batch.classify_many`."""
        from .batch import classify_many

        return classify_many(inputs, self, n_jobs=n_jobs, **kwargs)

    # --- persistence -------------------------------------------------------
    def save(self, path: str | os.PathLike[str], card: str | None = None) -> Path:
        """Save to directory ``path`` (created; existing model files are replaced).

        Raises :class:`~govreport_nlp.ModelError` if the directory cannot be written.
        """
        out = Path(path)
        arrays: dict[str, np.ndarray] = {}
        heads = {}
        for axis, runtime in self.runtime_heads.items():
            if axis in self._fitted:  # trained here: its estimators, weights stored as float32
                from .persistence import head_state

                state, arr = head_state(self._fitted[axis], f"{axis}/")
            else:  # loaded: the state it was read from, as it was
                state = runtime.state
                arr = {f"{axis}/" + k[len(runtime.prefix):]: v for k, v in runtime.arrays.items()}
            heads[axis] = state
            arrays.update(arr)
        meta = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "library_version": __version__,
            "sklearn_version": _version_of("scikit-learn"),
            "numpy_version": np.__version__,
            "label_set": self.label_set.to_dict(),
            "derive": self.derive,
            "threshold": self.threshold,
            "segmenter": _jsonable(self.segmenter),
            "heads": heads,
            "info": self.info,
        }
        try:
            out.mkdir(parents=True, exist_ok=True)
            # write beside, then rename: a crash never leaves half a model behind
            with tempfile.NamedTemporaryFile("wb", dir=out, suffix=".npz", delete=False) as fh:
                np.savez_compressed(fh, **arrays)  # type: ignore[arg-type]
            os.chmod(fh.name, 0o644)  # temporary files are private; a model is meant to be shared
            os.replace(fh.name, out / "weights.npz")
            tmp = out / "model.json.tmp"
            tmp.write_text(json.dumps(meta, ensure_ascii=False, indent=1), encoding="utf-8")
            os.replace(tmp, out / "model.json")
            if card is not None:
                (out / "MODEL_CARD.md").write_text(card, encoding="utf-8")
        except OSError as exc:
            raise ModelError(f"{out}: cannot save the model here ({exc.strerror or exc}); "
                             "choose a writable directory with free space.") from None
        self.path = out.resolve()
        return out

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Model:
        """Load a model directory written by :meth:`save`. Errors are :class:`~govreport_nlp.ModelError`."""
        where = Path(path)
        if where.is_file() and where.name == "model.json":
            where = where.parent
        meta_path, weights_path = where / "model.json", where / "weights.npz"
        if not where.exists():
            raise ModelNotAvailableError(f"{where}: no such model directory.")
        if not meta_path.is_file() or not weights_path.is_file():
            raise ModelError(f"{where}: not a govreport_nlp model (needs model.json and weights.npz).")
        try:
            meta_text = meta_path.read_text(encoding="utf-8")
            meta = json.loads(meta_text)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ModelError(f"{meta_path}: corrupt model description ({exc}).") from None
        if not isinstance(meta, dict) or meta.get("format") != FORMAT:
            raise ModelError(f"{meta_path}: not a govreport_nlp model description.")
        version = meta.get("format_version")
        if not isinstance(version, int) or version > FORMAT_VERSION:
            raise ModelError(
                f"{where}: saved by govreport_nlp {meta.get('library_version', '?')} in model format {version}; "
                f"this govreport_nlp {__version__} reads format {FORMAT_VERSION} and older. Upgrade govreport_nlp.")
        saved = str(meta.get("library_version", "0"))
        if saved.split(".")[0] != __version__.split(".")[0]:
            raise ModelError(f"{where}: saved by govreport_nlp {saved}, incompatible with {__version__} "
                             "(different major version); retrain or use a matching release.")
        # what the weights are computed with, kept from an earlier load of the same files (no unzipping)
        key = _runtime_key(meta_text, weights_path)
        entry = lookup_cache.load(key, kind="model") if key is not None else None
        if entry is not None and key is not None:
            try:
                return cls._from_files(where, meta, _part(entry, "saved/"), _part(entry, "runtime/"))
            except ModelError as exc:  # an entry that does not fit: replaced
                logger.debug("model cache %s not used (%s)", key, exc)
            # removed once its files are no longer mapped (outside the except: the traceback held them)
            del entry
            lookup_cache.discard(key, kind="model")
        try:
            with np.load(weights_path, allow_pickle=False) as npz:
                arrays = {k: npz[k] for k in npz.files}
        except (OSError, ValueError, zipfile.BadZipFile, EOFError) as exc:
            raise ModelError(f"{weights_path}: corrupt weights ({exc}).") from None
        model = cls._from_files(where, meta, arrays, None)
        if key is not None:
            try:
                lookup_cache.save(key, lambda: _runtime_entry(arrays, model), kind="model", background=True)
            except ValueError as exc:  # array names the cache cannot hold as file names: not kept
                logger.debug("model cache %s not written (%s)", key, exc)
        return model

    @classmethod
    def _from_files(cls, where: Path, meta: Mapping[str, Any], arrays: Mapping[str, np.ndarray],
                    runtime: Mapping[str, np.ndarray] | None) -> Model:
        try:
            heads = {axis: Head.from_state(state, arrays, f"{axis}/", runtime)
                     for axis, state in meta["heads"].items()}
            model = cls(heads, LabelSet.from_dict(meta["label_set"]), derive=meta.get("derive"),
                        threshold=meta.get("threshold"), info=meta.get("info") or {})
            model.path = where.resolve()
            return model
        except (KeyError, TypeError, ValueError, UnicodeDecodeError, GovReportError) as exc:
            if isinstance(exc, ModelError):
                raise
            raise ModelError(f"{where}: inconsistent model files ({type(exc).__name__}: {exc}).") from None


#: the layout of a model's cache entry (:func:`_runtime_entry`): changed, older entries are not read
_RUNTIME_LAYOUT = 1


def _runtime_key(meta_text: str, weights: Path) -> str | None:
    """The cache key of a model directory's files: a digest of ``model.json``, of the name, CRC-32 and
    size of every member of ``weights.npz`` (read from the zip directory, without unzipping), and of this
    library's version and code. ``None``: no cache (switched off, or the files cannot be read so)."""
    if not lookup_cache.enabled():
        return None
    code = code_digest()
    try:
        with zipfile.ZipFile(weights) as z:
            members = [[i.filename, i.CRC, i.file_size] for i in z.infolist()]
    except (OSError, zipfile.BadZipFile, ValueError):
        return None  # np.load says what is wrong with the file
    if code is None:
        return None
    h = hashlib.blake2b(digest_size=20)
    h.update(json.dumps([_RUNTIME_LAYOUT, __version__, members]).encode())
    h.update(code)
    h.update(meta_text.encode("utf-8"))
    return h.hexdigest()


def _runtime_entry(arrays: Mapping[str, np.ndarray], model: Model) -> dict[str, np.ndarray]:
    """A model's cache entry: its saved arrays and what its heads compute from them at load."""
    out = {f"saved/{k}": v for k, v in arrays.items()}
    for head in model.runtime_heads.values():
        out.update({f"runtime/{k}": v for k, v in head.runtime_arrays().items()})
    return out


def _part(entry: Mapping[str, np.ndarray], prefix: str) -> dict[str, np.ndarray]:
    return {k[len(prefix):]: v for k, v in entry.items() if k.startswith(prefix)}


def default_model_path() -> Path:
    """Where the default model lives: inside the installed package (``govreport_nlp.models``),
    or, when running from a source checkout, in its top-level ``models/`` directory.

    Examples
    --------
    >>> default_model_path().name, (default_model_path() / "model.json").is_file()
    ('default', True)
    """
    try:
        return Path(str(resources.files("govreport_nlp.models").joinpath("default")))
    except ModuleNotFoundError:
        return Path(__file__).resolve().parent.parent / "models" / "default"


_CACHE: dict[str, Model] = {}


def load_model(path: str | os.PathLike[str] | None = None) -> Model:
    """Load a saved model; with no path, the default model shipped in the package (cached).

    Raises :class:`~govreport_nlp.ModelNotAvailableError` if the directory does not
    exist and :class:`~govreport_nlp.ModelError` if it is corrupt or from an
    incompatible version.

    Examples
    --------
    >>> model = load_model()
    >>> model.label_set.labels
    ('leadership', 'deregulation', 'enforcement', 'dispute', 'shortcomings', 'plans', 'other')
    >>> model.path.name
    'default'
    """
    if path is None:
        where = default_model_path()
        if not (where / "model.json").is_file():
            raise ModelNotAvailableError(
                f"the default model is missing from this installation ({where}); reinstall govreport_nlp "
                "or train one with `govreport-nlp train --recipe default`.")
        key = str(where)
        if key not in _CACHE:
            _CACHE[key] = Model.load(where)
        return _CACHE[key]
    return Model.load(path)


#: :meth:`Model.predictions` scores at most this many characters at a time.
CHUNK_CHARS = 400_000


def _chunks(inputs: list[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    start, size = 0, 0
    for i, x in enumerate(inputs):
        size += len(x["text"])
        if size > CHUNK_CHARS and i > start:
            yield inputs[start:i]
            start, size = i, len(x["text"])
    yield inputs[start:]


def _reorder(p: np.ndarray, classes: np.ndarray, label_set: LabelSet) -> np.ndarray:
    out = np.zeros((p.shape[0], len(label_set)))
    for j, c in enumerate(classes):
        out[:, label_set.index(str(c))] = p[:, j]
    return out


def _jsonable(seg: Any) -> Any:
    if isinstance(seg, (str, int, float, type(None))):
        return seg
    if isinstance(seg, Mapping):
        return {str(k): _jsonable(v) for k, v in seg.items()}
    if isinstance(seg, (list, tuple)):
        return [_jsonable(v) for v in seg]
    return str(seg)


def _version_of(package: str) -> str | None:
    from importlib import metadata

    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None
