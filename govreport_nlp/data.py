"""Labelled paragraphs for training and evaluation: gold files, users' files, weak labels, HF datasets.

:class:`LabelledData` holds paragraph inputs (see :func:`~govreport_nlp.features.as_input`)
with labels on one or more axes (``function``, ``topic``, ``label``...), the
document each paragraph came from (for grouped cross-validation) and where each
label came from (``gold`` or ``weak``).

Two JSONL layouts are read by :func:`read_labelled_jsonl`:

* ``{"text": ..., "label": ...}``: one paragraph per line, no report context;
* ``{"doc_id": ..., "start": ..., "end": ..., "label": ...}``: spans into a JSONL
  corpus of reports (``reports=``), which are parsed so that each paragraph keeps
  its headings and section role.

Examples
--------
>>> d = LabelledData.from_texts(["推进证照分离。", "开展人民调解。"], ["deregulation", "dispute"])
>>> len(d), d.axes, d.labels["label"]
(2, ['label'], ['deregulation', 'dispute'])
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping, Sequence

from .document import Report
from .errors import GovReportError, InputError, MissingDependencyError, missing_extra
from .features import report_inputs
from .labels import derive_label
from .reading import Failure, iter_jsonl
from .structure import parse_document
from .weak import apply_lfs, combine

__all__ = [
    "LabelledData",
    "as_labelled_data",
    "from_hf",
    "labelled_from_reports",
    "read_labelled_jsonl",
    "read_reports",
    "to_hf",
    "weak_labels",
]

#: The taxonomy scores lines of at least this many characters on their own.
MIN_CHARS = 25


@dataclass
class LabelledData:
    """Paragraph inputs with labels per axis, their documents, and label provenance.

    Examples
    --------
    >>> data = LabelledData.from_texts(["深化放管服改革。", "持续深化诉源治理。"], ["deregulation", "dispute"])
    >>> len(data), data.axes, data.labels["label"]
    (2, ['label'], ['deregulation', 'dispute'])
    """

    inputs: list[dict[str, Any]]
    labels: dict[str, list[str | None]]
    groups: list[str]
    origin: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        n = len(self.inputs)
        if not self.origin:
            self.origin = ["gold"] * n
        if len(self.groups) != n or len(self.origin) != n or any(len(v) != n for v in self.labels.values()):
            raise GovReportError("labelled data: inputs, labels, groups and origins differ in length.")

    def __len__(self) -> int:
        return len(self.inputs)

    @property
    def axes(self) -> list[str]:
        return list(self.labels)

    @classmethod
    def from_texts(cls, texts: Sequence[str], labels: Sequence[str], axis: str = "label",
                   groups: Sequence[str] | None = None) -> LabelledData:
        """Context-free paragraphs with one label each (each its own group unless ``groups``)."""
        return cls([{"text": t} for t in texts], {axis: [str(x) for x in labels]},
                   [str(g) for g in groups] if groups is not None else [f"p{i}" for i in range(len(texts))])

    def subset(self, idx: Iterable[int]) -> LabelledData:
        idx = list(idx)
        return LabelledData([self.inputs[i] for i in idx], {a: [v[i] for i in idx] for a, v in self.labels.items()},
                            [self.groups[i] for i in idx], [self.origin[i] for i in idx])

    def where(self, axis: str) -> list[int]:
        """Indices labelled on ``axis``."""
        return [i for i, v in enumerate(self.labels.get(axis, ())) if v is not None]

    def __add__(self, other: LabelledData) -> LabelledData:
        axes = list(dict.fromkeys(self.axes + other.axes))
        return LabelledData(
            self.inputs + other.inputs,
            {a: list(self.labels.get(a, [None] * len(self))) + list(other.labels.get(a, [None] * len(other)))
             for a in axes},
            self.groups + other.groups, self.origin + other.origin)

    def without_groups(self, groups: Iterable[str]) -> LabelledData:
        drop = set(groups)
        return self.subset(i for i, g in enumerate(self.groups) if g not in drop)


def read_reports(paths: str | os.PathLike[str] | Iterable[str | os.PathLike[str]]) -> dict[str, Report]:
    """Parse every report of one or more JSONL corpora, by id. Bad lines raise with their place.

    Examples
    --------
    >>> import json, os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "corpus.jsonl")
    >>> with open(path, "w", encoding="utf-8") as fh:
    ...     _ = fh.write(json.dumps({"id": "a", "text": "一、工作回顾\\n全年办理复议案件十二件。"}) + "\\n")
    >>> reports = read_reports(path)
    >>> list(reports), [s.role for s in reports["a"].sections]
    (['a'], ['review'])
    """
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    out: dict[str, Report] = {}
    for path in paths:
        for doc in iter_jsonl(path):
            if isinstance(doc, Failure):
                raise InputError(doc.message)
            out[doc.id] = parse_document(doc)
    return out


def _span_index(report: Report) -> dict[tuple[int, int], int]:
    return {(p.start, p.end): p.index for p in report.paragraphs}


def read_labelled_jsonl(path: str | os.PathLike[str], *, reports: Mapping[str, Report] | str | os.PathLike[str]
                        | None = None, label_field: str = "label", axes: Sequence[str] | None = None) -> LabelledData:
    """Read labelled paragraphs from a JSONL file (see the module docstring for the two layouts).

    The ``label_field`` is read as axis ``label``; ``axes`` lists further fields to
    read as label axes (e.g. ``["function", "topics"]``). A list value (like
    ``topics``) is read as its first, primary item; ``topics`` becomes axis ``topic``.

    Examples
    --------
    >>> import json, tempfile, os
    >>> path = os.path.join(tempfile.mkdtemp(), "labels.jsonl")
    >>> rows = [{"text": "全年办理行政复议案件十二件。", "label": "done", "group": "report-a"}, {"text": "下一步将持续深化诉源治理。", "label": "todo", "group": "report-b"}]
    >>> with open(path, "w", encoding="utf-8") as fh:
    ...     _ = fh.write("\\n".join(json.dumps(r, ensure_ascii=False) for r in rows))
    >>> data = read_labelled_jsonl(path)
    >>> data.labels["label"], data.groups
    (['done', 'todo'], ['report-a', 'report-b'])
    """
    if reports is not None and not isinstance(reports, Mapping):
        reports = read_reports(reports)
    fields = [label_field, *(f for f in (axes or ()) if f != label_field)]
    # the label field is always axis "label"; further fields keep their names (topics -> topic)
    names = {f: ("label" if f == label_field else _axis(f)) for f in fields}
    inputs: list[dict[str, Any]] = []
    labels: dict[str, list[str | None]] = {names[f]: [] for f in fields}
    groups: list[str] = []
    cache: dict[str, tuple[dict[tuple[int, int], int], list[dict[str, Any]]]] = {}
    name = str(path)
    try:
        fh = open(path, encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError(f"{name}: no such file.") from None
    with fh:
        for lineno, line in enumerate(fh, 1):
            if not line.strip():
                continue
            where = f"{name}:{lineno}"
            try:
                rec = json.loads(line)
            except json.JSONDecodeError as exc:
                raise InputError(f"{where}: not valid JSON ({exc.msg}).") from None
            if not isinstance(rec, dict):
                raise InputError(f"{where}: expected a JSON object.")
            if "text" in rec and "doc_id" not in rec:
                x: dict[str, Any] = {"text": str(rec["text"])}
                group = str(rec.get("group", rec.get("id", f"{name}:{lineno}")))
            elif "doc_id" in rec:
                x, group = _span_input(rec, reports, where, cache)
            else:
                raise InputError(f"{where}: a record needs 'text' or 'doc_id'+'start'+'end'.")
            for f in fields:
                v = rec.get(f)
                if f == label_field and (v is None or v == ""):
                    raise InputError(f"{where}: no {f!r} value.")
                if isinstance(v, list):
                    v = v[0] if v else None
                labels[names[f]].append(None if v is None else str(v))
            inputs.append(x)
            groups.append(group)
    if not inputs:
        raise InputError(f"{name}: no labelled paragraphs.")
    return LabelledData(inputs, labels, groups, ["gold"] * len(inputs))


def _axis(field_name: str) -> str:
    return "topic" if field_name == "topics" else field_name


def _span_input(rec: Mapping[str, Any], reports: Mapping[str, Report] | None, where: str,
                cache: dict[str, tuple[dict[tuple[int, int], int], list[dict[str, Any]]]]) -> tuple[dict[str, Any], str]:
    if reports is None:
        raise InputError(f"{where}: span records (doc_id/start/end) need the reports they point into (reports=).")
    doc_id = str(rec["doc_id"])
    report = reports.get(doc_id)
    if report is None:
        raise InputError(f"{where}: no report with id {doc_id!r} among the reports given.")
    try:
        start, end = int(rec["start"]), int(rec["end"])
    except (KeyError, TypeError, ValueError):
        raise InputError(f"{where}: 'start' and 'end' must be integers.") from None
    # each report's inputs are built once, however many of its paragraphs are labelled
    if doc_id not in cache:
        cache[doc_id] = (_span_index(report), report_inputs(report))
    spans, inputs = cache[doc_id]
    idx = spans.get((start, end))
    if idx is None:
        # a span that is not exactly one of our paragraphs: take its text, keep the context of where it starts
        if not 0 <= start < end <= len(report.text):
            raise InputError(f"{where}: span {start}-{end} is outside report {doc_id!r}.")
        at = next((p.index for p in report.paragraphs if p.start <= start < max(p.end, p.start + 1)), None)
        base = inputs[at] if at is not None else {}
        return {**base, "text": report.text[start:end]}, doc_id
    return dict(inputs[idx]), doc_id


def weak_labels(reports: Mapping[str, Report] | Iterable[Report], *, min_chars: int = MIN_CHARS,
                lfs: Mapping[str, Sequence[str]] | None = None) -> LabelledData:
    """Weakly label the paragraphs of unlabelled reports with the labelling functions.

    Returns axes ``function``, ``topic`` and the derived default ``label`` (set
    where the function decides it, or where both axes voted). Paragraphs shorter
    than ``min_chars`` are skipped, as the taxonomy scores only longer lines.

    Examples
    --------
    >>> import govreport_nlp as gr
    >>> report = gr.parse("三、下一步工作打算\\n下一步，我们将持续深化诉源治理，推进矛盾纠纷多元化解工作。")
    >>> data = weak_labels([report])
    >>> data.labels["function"], data.labels["label"]
    (['plan'], ['plans'])
    """
    reps = list(reports.values()) if isinstance(reports, Mapping) else list(reports)
    inputs: list[dict[str, Any]] = []
    groups: list[str] = []
    for r in reps:
        for x in report_inputs(r):
            if len(x["text"].strip()) >= min_chars:
                inputs.append(x)
                groups.append(r.id)
    lfs = lfs or {}
    func = combine(apply_lfs(inputs, lfs.get("function"), axis="function"))
    topic = combine(apply_lfs(inputs, lfs.get("topic"), axis="topic"))
    label: list[str | None] = []
    for f, t in zip(func, topic):
        if f is None:
            label.append(None)
        elif f != "review":
            label.append(derive_label(f, []))
        else:
            label.append(derive_label(f, [t]) if t is not None else None)
    return LabelledData(inputs, {"function": func, "topic": topic, "label": label}, groups, ["weak"] * len(inputs))


# --- Hugging Face datasets ---------------------------------------------------

def _require_datasets() -> Any:
    try:
        import datasets
    except ImportError:
        raise MissingDependencyError(missing_extra("datasets", "datasets", "Hugging Face dataset interop")) from None
    return datasets


def as_labelled_data(data: Any, *, reports: Any = None, label_field: str = "label") -> LabelledData:
    """Labelled paragraphs from whatever a user has: LabelledData, a JSONL path, ``(texts, labels)``, or a
    Hugging Face ``Dataset``/``DatasetDict`` (what :func:`~govreport_nlp.train` and
    :func:`~govreport_nlp.evaluate` accept).

    Examples
    --------
    >>> data = as_labelled_data((["推行证照分离。", "开展人民调解。"], ["deregulation", "dispute"]))
    >>> data.labels["label"]
    ['deregulation', 'dispute']
    """
    if isinstance(data, LabelledData):
        return data
    if isinstance(data, (str, os.PathLike)):
        return read_labelled_jsonl(data, reports=reports, label_field=label_field)
    if isinstance(data, tuple) and len(data) == 2:
        texts, labels = data
        return LabelledData.from_texts(list(texts), list(labels))
    if type(data).__module__.startswith("datasets"):
        return from_hf(data, label_column=label_field)
    raise GovReportError("labelled data must be LabelledData, a JSONL path, a datasets.Dataset/DatasetDict, "
                         "or (texts, labels).")


def from_hf(dataset: Any, *, text_column: str = "text", label_column: str = "label", group_column: str | None = None,
            split: str = "train") -> LabelledData:
    """Labelled paragraphs from a ``datasets.Dataset`` (or a split of a ``DatasetDict``).

    ``ClassLabel`` columns are turned back into their names; string labels are taken as they are.

    Examples
    --------
    >>> import datasets
    >>> ds = datasets.Dataset.from_dict({"text": ["深化放管服改革。", "持续深化诉源治理。"], "label": ["deregulation", "dispute"]})
    >>> data = from_hf(ds)
    >>> len(data), data.labels["label"]
    (2, ['deregulation', 'dispute'])
    """
    datasets = _require_datasets()
    if isinstance(dataset, datasets.DatasetDict):
        if split not in dataset:
            raise GovReportError(f"the DatasetDict has no split {split!r} (it has {', '.join(dataset)}).")
        dataset = dataset[split]
    for col in (text_column, label_column):
        if col not in dataset.column_names:
            raise GovReportError(f"the dataset has no column {col!r} (columns: {', '.join(dataset.column_names)}).")
    feature = dataset.features[label_column]
    raw = dataset[label_column]
    if isinstance(feature, datasets.ClassLabel):
        labels = [feature.int2str(int(v)) for v in raw]
    else:
        labels = [str(v) for v in raw]
    texts = [str(t) for t in dataset[text_column]]
    groups = [str(g) for g in dataset[group_column]] if group_column else None
    return LabelledData.from_texts(texts, labels, axis="label", groups=groups)


def to_hf(data: LabelledData, axis: str = "label", label_names: Sequence[str] | None = None) -> Any:
    """A ``datasets.Dataset`` with ``text``, ``doc`` and a ``ClassLabel`` column ``label`` (labelled rows only).

    Examples
    --------
    >>> ds = to_hf(LabelledData.from_texts(["深化放管服改革。"], ["deregulation"]))
    >>> ds.column_names
    ['text', 'doc', 'label']
    >>> ds[0]["label"]
    0
    """
    datasets = _require_datasets()
    idx = data.where(axis)
    values = [str(data.labels[axis][i]) for i in idx]
    names = list(label_names) if label_names is not None else sorted(set(values))
    unknown = sorted(set(values) - set(names))
    if unknown:
        raise GovReportError(f"labels {', '.join(unknown)} are not among the label names given.")
    features = datasets.Features({"text": datasets.Value("string"), "doc": datasets.Value("string"),
                                  "label": datasets.ClassLabel(names=names)})
    return datasets.Dataset.from_dict(
        {"text": [data.inputs[i]["text"] for i in idx], "doc": [data.groups[i] for i in idx],
         "label": [names.index(v) for v in values]}, features=features)


def labelled_from_reports(reports: Iterable[Report], axis: str = "label") -> LabelledData:
    """Paragraphs of classified reports, labelled with their predictions (e.g. to export with :func:`to_hf`).

    Examples
    --------
    >>> import govreport_nlp as gr
    >>> report = gr.load_model().classify_report("examples/qinghe_county_2024.txt")
    >>> data = labelled_from_reports([report])
    >>> len(data) == len(report.paragraphs), data.groups[0]
    (True, 'qinghe_county_2024')
    """
    inputs, labels, groups = [], [], []
    for r in reports:
        for x, p in zip(report_inputs(r), r.paragraphs):
            if p.prediction is None:
                continue
            value = p.prediction.function if axis == "function" else p.prediction.label
            inputs.append(x)
            labels.append(value)
            groups.append(r.id)
    return LabelledData(inputs, {axis: labels}, groups, ["model"] * len(inputs))

