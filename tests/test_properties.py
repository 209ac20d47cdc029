"""Property tests: any Unicode string goes through every layer without an exception.

The strings mix what real reports contain (CJK, headings in their numbering
styles, full-width digits and letters, U+3000, traditional characters, page
furniture) with what they should not (CJK extension characters, emoji, control
characters, lone surrogates are excluded since they cannot be encoded). For
every string: reading never raises, offsets always slice back to the paragraph
text, labels come from the label set, probabilities are finite and sum to 1.

Profiles (tests/conftest.py): ``dev`` by default, ``ci`` (derandomized) under
CI, ``deep`` (``HYPOTHESIS_PROFILE=deep``) for a long hunt.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, strategies as st

import govreport_nlp as gr
from govreport_nlp.errors import InputError
from govreport_nlp.reading import decode_bytes, document_from_text
from govreport_nlp.segmentation import shared_segmenter
from govreport_nlp.sentences import sentence_spans
from govreport_nlp.structure import detect_heading, inline_items

FRAGMENTS = [
    "一、", "（二）", "(三)", "第四章", "第一条", "1.", "１．", "（1）", "①", "二是", "首先，", "\n", "\r\n", "\r",
    "\n\n", "\u3000\u3000", "\t", " ", "。", "；", "：", "，", "……", "——", "《行政复议法》", "放管服", "证照分离",
    "行政执法", "矛盾纠纷", "存在的不足", "下一步", "党委", "依法行政", "2024年", "２０２４年", "國務院關於", "發展",
    "法治政府建設", "\U00020000\U0002a6d6", "\U0001f600", "\u200b", "\ufeff", "\x00", "\x07", "\x1b[31m", "\u2028",
    "\u0301", "ＡＢＣ", "GDP", "www.gov.cn", "<p>", "</div>", "&nbsp;", "扫一扫", "【打印】", "索引号：", "发布日期：",
]
ALPHABET = st.characters(blacklist_categories=("Cs",))  # anything encodable
TEXTS = st.one_of(
    st.text(ALPHABET, max_size=200),
    st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(ALPHABET, max_size=8)), max_size=60).map("".join),
)


@pytest.fixture(scope="module")
def model() -> gr.Model:
    return gr.load_model().prepare()


@given(TEXTS)
def test_reading_text_never_raises(text: str) -> None:
    doc = document_from_text(text)
    assert doc.format in ("text", "html")


@given(TEXTS, st.sampled_from(["utf-8", "utf-16", "gb18030"]))
def test_decoding_gives_the_text_back_or_one_clear_error(text: str, codec: str) -> None:
    try:
        data = text.encode(codec)
    except UnicodeEncodeError:
        return
    try:
        decoded, _ = decode_bytes(data)
    except InputError as exc:  # binary-looking (NUL, control characters): refused in one sentence
        assert "\n" not in str(exc)
        return
    assert decoded.lstrip("\ufeff") == text.lstrip("\ufeff") or codec != "utf-8"


@given(TEXTS)
def test_structure_offsets_slice_back(text: str) -> None:
    report = gr.parse_document(document_from_text(text))  # text as text: gr.parse would take "/" for a folder
    last = 0
    for p in report.paragraphs:
        assert report.text[p.start:p.end] == p.text
        assert last <= p.start <= p.end
        last = p.end
    for s in report.sections:
        assert s.role
    detect_heading(text)
    for a, b in inline_items(text):
        assert 0 <= a <= b <= len(text)


@given(TEXTS)
def test_sentences_cover_the_text_in_order(text: str) -> None:
    last = 0
    for a, b in sentence_spans(text):
        assert last <= a <= b <= len(text)
        last = b


@pytest.mark.parametrize("backend", ["jieba", "rjieba", "char"])
@given(text=TEXTS)
def test_segmenters_never_raise_and_offsets_slice_back(backend: str, text: str) -> None:
    seg = shared_segmenter(backend)  # one instance per backend: building jieba's dictionary takes 0.5 s
    words = seg.cut(text)
    assert all(w and not w.isspace() for w in words)
    for w, a, b in seg.tokenize(text):
        assert text[a:b] == w


@given(st.lists(TEXTS, min_size=1, max_size=4))
def test_classifier_labels_and_probabilities(model: gr.Model, texts: list[str]) -> None:
    proba = model.predict_proba(texts)
    assert proba.shape == (len(texts), len(model.label_set.labels))
    assert np.isfinite(proba).all() and (proba >= 0).all()
    assert np.allclose(proba.sum(axis=1), 1.0)
    for pred in model.predictions(texts):
        assert pred.label in model.label_set.labels
        assert math.isfinite(pred.score) and 0.0 <= pred.score <= 1.0
        assert all(lab in model.label_set.labels and math.isfinite(sc) for lab, sc in pred.alternatives)
    why = model.explain(texts[0])
    assert why.label in model.label_set.labels and math.isfinite(why.score)
    assert all(math.isfinite(w) for ax in why.axes.values() for _, w in ax.reasons)


@given(TEXTS)
def test_every_paragraph_of_any_report_is_classified(model: gr.Model, text: str) -> None:
    report = model.classify_report(document_from_text(text))
    for p in report.paragraphs:
        assert report.text[p.start:p.end] == p.text
        assert p.prediction is not None and p.prediction.label in model.label_set.labels
        assert math.isfinite(p.prediction.score)
    report._repr_html_()  # the Jupyter view too
