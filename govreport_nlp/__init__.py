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
>>> model.predict(["下一步，我们将继续深化放管服改革，推行证照分离。"])
['plans']
"""

from __future__ import annotations

import logging as _logging

from ._version import __version__
from .document import Heading, Metadata, Paragraph, Prediction, Report, Section
from .errors import (
    BinaryInputError,
    DecodingError,
    GovReportError,
    InputError,
    MissingDependencyError,
    ModelError,
    ModelNotAvailableError,
)
from .reading import Document, Failure, Source, decode_bytes, iter_documents, iter_jsonl, read_document
from .segmentation import Segmenter, available_segmenters, cut, get_segmenter, register_segmenter
from .sentences import sentence_spans, split_sentences
from .structure import parse, parse_document
from .labels import DEFAULT, FUNCTION, TOPIC, LabelSet, derive_label, get_label_set
from .features import ParagraphFeatures
from .classifier import ParagraphClassifier
from .model import Model, load_model
from .data import LabelledData, from_hf, read_labelled_jsonl, to_hf
from .weak import apply_lfs, combine, labeling_function, summarize
from .training import train, train_recipe
from .evaluation import evaluate_recipe
from .batch import classify_dataset, classify_many

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
    "Document",
    "Failure",
    "Source",
    # reading and structure
    "parse",
    "parse_document",
    "read_document",
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
    "evaluate_recipe",
    # errors
    "GovReportError",
    "InputError",
    "DecodingError",
    "BinaryInputError",
    "MissingDependencyError",
    "ModelError",
    "ModelNotAvailableError",
]
