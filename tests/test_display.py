"""Reports and predictions as Jupyter shows them: HTML coloured by label, text escaped, short plain repr."""

from __future__ import annotations

import re
from html import escape

import pytest

import govreport_nlp as gr
from govreport_nlp.display import DEFAULT_COLOURS, label_colour, report_html
from conftest import EXAMPLE


@pytest.fixture(scope="module")
def report() -> gr.Report:
    return gr.load_model().classify_report(EXAMPLE)


def test_classified_report_renders_every_paragraph_on_its_label(report: gr.Report) -> None:
    html = report._repr_html_()
    body = [p for p in report.paragraphs if p.kind == "body"]
    for p in body:
        assert escape(p.text) in html
    labels = {p.prediction.label for p in body}
    for lab in labels:  # each label present is in the legend, on its colour
        assert f"background:{DEFAULT_COLOURS[lab]}" in html and f">{lab} " in html
    for h in (p for p in report.paragraphs if p.kind == "heading"):
        assert "font-weight:bold" in html and escape(h.text) in html
    assert html.count("border-left:4px") == len(report.paragraphs)


def test_report_text_is_escaped() -> None:
    text = "一、总体情况\n（一）<script>alert('x')</script> 依法行政 & 公开透明，推进政务公开。"
    r = gr.load_model().classify_report(text)
    html = r._repr_html_()
    assert "<script>" not in html and "&lt;script&gt;" in html and "&amp;" in html
    assert "<script>" not in r.paragraphs[1].prediction._repr_html_()


def test_unclassified_report_and_long_reports() -> None:
    r = gr.parse("一、工作回顾\n" + "\n".join(f"第{i}段，推进依法行政工作。" for i in range(30)))
    html = report_html(r)
    assert "by label" not in html and "第29段" in html  # no predictions: structure only
    short = report_html(r, max_paragraphs=5)
    assert "26 more paragraphs" in short and "第29段" not in short


def test_prediction_html_and_short_reprs(report: gr.Report) -> None:
    pred = next(p.prediction for p in report.paragraphs if p.kind == "body" and p.prediction.reasons)
    html = pred._repr_html_()
    assert pred.label in html and f"{pred.score:.2f}" in html and "<li>" in html
    assert re.fullmatch(r"<Prediction \w+ \d\.\d\d( abstained)?( \(.*\))?>", repr(pred))
    assert len(repr(pred)) < 120 and len(repr(report)) < 200
    abstained = gr.load_model().predictions(["推行证照分离。"], threshold=0.9999)[0]
    assert abstained.abstained and "(abstain)" in abstained._repr_html_() and "abstained" in repr(abstained)


def test_label_colours_are_stable_for_any_label_set() -> None:
    assert label_colour("my_label") == label_colour("my_label") != label_colour(None)
    assert re.fullmatch(r"#[0-9a-f]{6}", label_colour("另一个标签"))


def test_meta_and_clutter_lines_are_not_coloured_as_content(report: gr.Report) -> None:
    from govreport_nlp.display import _paragraph_html

    furniture = [p for p in report.paragraphs if p.kind in ("meta", "clutter")]
    assert furniture
    for p in furniture:
        assert f"background:{label_colour(None)}" in _paragraph_html(p)
