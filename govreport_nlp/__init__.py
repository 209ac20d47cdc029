"""govreport_nlp: read Chinese government reports and tag what each paragraph is about.

The pipeline, one module per step, data flowing one way::

    reading -> cleaning -> structure -> segmentation -> features -> classifier/model -> api / cli

Quick start
-----------
>>> import govreport_nlp as gr
>>> report = gr.parse("一、主要举措和成效\\n（一）深化放管服改革。推行证照分离，实现一网通办。")
>>> [(p.kind, p.role) for p in report.paragraphs]
[('heading', 'review'), ('body', 'review')]
>>> gr.cut("深化放管服改革")
['深化', '放管服', '改革']
>>> model = gr.load_model()
>>> # bare text is read by its words alone: weaker than a paragraph of a classified report (docs/limits.md)
>>> model.predict(["我们将进一步优化营商环境。"])
['plans']
"""

from __future__ import annotations

import logging as _logging

from typing import TYPE_CHECKING, Any

from ._version import __version__
from .document import AxisExplanation, Explanation, Heading, Metadata, Paragraph, Prediction, Report, Section
from .errors import (
    BinaryInputError,
    DecodingError,
    GovReportError,
    InputError,
    MissingDependencyError,
    ModelError,
    ModelNotAvailableError,
)
from .reading import (Document, Failure, Source, decode_bytes, document_from_text, iter_documents, iter_jsonl,
                      looks_like_path, read_document)
from .segmentation import Segmenter, available_segmenters, cut, get_segmenter, register_segmenter
from .sentences import sentence_spans, split_sentences
from .structure import parse, parse_document
from .labels import DEFAULT, FUNCTION, TOPIC, LabelSet, derive_label, get_label_set

# The modelling layers import scikit-learn (about a second); they load on first use, so that reading,
# parsing and segmenting start fast and `classify` does not pay for the training and evaluation stack.
_LAZY = {
    "ParagraphFeatures": "features",
    "ParagraphClassifier": "classifier",
    "Model": "model",
    "load_model": "model",
    "LabelledData": "data",
    "from_hf": "data",
    "read_labelled_jsonl": "data",
    "to_hf": "data",
    "apply_lfs": "weak",
    "combine": "weak",
    "labeling_function": "weak",
    "summarize": "weak",
    "train": "training",
    "train_recipe": "training",
    "evaluate": "evaluation",
    "evaluate_data": "evaluation",
    "evaluate_recipe": "evaluation",
    "format_report": "evaluation",
    "label_counts": "summary",
    "label_shares": "summary",
    "paragraph_table": "summary",
    "plot_label_shares": "plots",
    "plot_confusion_matrix": "plots",
    "classify_dataset": "batch",
    "classify_many": "batch",
}

if TYPE_CHECKING:
    from .batch import classify_dataset, classify_many
    from .classifier import ParagraphClassifier
    from .data import LabelledData, from_hf, read_labelled_jsonl, to_hf
    from .evaluation import evaluate, evaluate_data, evaluate_recipe, format_report
    from .plots import plot_confusion_matrix, plot_label_shares
    from .summary import label_counts, label_shares, paragraph_table
    from .features import ParagraphFeatures
    from .model import Model, load_model
    from .training import train, train_recipe
    from .weak import apply_lfs, combine, labeling_function, summarize


# the lazily loaded modules themselves, as `gr.model` etc. (importing one binds it here too)
_SUBMODULES = frozenset({"batch", "classifier", "data", "display", "evaluation", "features", "model",
                         "persistence", "plots", "summary", "training", "weak"})


def __getattr__(name: str) -> Any:
    import importlib

    if name in _SUBMODULES:
        return importlib.import_module(f".{name}", __name__)
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'govreport_nlp' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value  # looked up once
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY) | _SUBMODULES)


# a library logs, the application decides where it goes
_logging.getLogger("govreport_nlp").addHandler(_logging.NullHandler())

__all__ = [
    "__version__",
    # data model
    "Report",
    "Paragraph",
    "Heading",
    "Section",
    "Metadata",
    "Prediction",
    "Explanation",
    "AxisExplanation",
    "Document",
    "Failure",
    "Source",
    # reading and structure
    "parse",
    "parse_document",
    "read_document",
    "looks_like_path",
    "document_from_text",
    "iter_documents",
    "iter_jsonl",
    "decode_bytes",
    # segmentation
    "Segmenter",
    "cut",
    "get_segmenter",
    "register_segmenter",
    "available_segmenters",
    "split_sentences",
    "sentence_spans",
    # labels
    "DEFAULT",
    "FUNCTION",
    "TOPIC",
    "LabelSet",
    "derive_label",
    "get_label_set",
    # classification
    "ParagraphFeatures",
    "ParagraphClassifier",
    "Model",
    "load_model",
    # many reports at once
    "classify_many",
    "classify_dataset",
    # training data, weak supervision, training, evaluation
    "LabelledData",
    "read_labelled_jsonl",
    "from_hf",
    "to_hf",
    "labeling_function",
    "apply_lfs",
    "combine",
    "summarize",
    "train",
    "train_recipe",
    "evaluate",
    "evaluate_data",
    "evaluate_recipe",
    "format_report",
    # corpus summaries and charts (charts need the `plots` extra)
    "label_counts",
    "label_shares",
    "paragraph_table",
    "plot_label_shares",
    "plot_confusion_matrix",
    # errors
    "GovReportError",
    "InputError",
    "DecodingError",
    "BinaryInputError",
    "MissingDependencyError",
    "ModelError",
    "ModelNotAvailableError",
]
