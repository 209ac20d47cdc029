"""Corpus summaries (label shares, paragraph tables) and their charts, on real work reports."""

from __future__ import annotations

import math
import sys
from typing import Any

import pytest

import govreport_nlp as gr
from govreport_nlp.errors import GovReportError, MissingDependencyError
from govreport_nlp.reading import document_from_record


@pytest.fixture(scope="module")
def classified(city_reports: list[dict[str, Any]]) -> list[gr.Report]:
    model = gr.load_model()
    return [model.classify_report(document_from_record(d)) for d in city_reports[:6]]


def test_label_shares_per_report_and_for_the_corpus(classified: list[gr.Report]) -> None:
    per_doc = gr.label_shares(classified)
    assert list(per_doc) == [r.id for r in classified]
    for shares in per_doc.values():
        assert math.isclose(sum(shares.values()), 1.0) and all(0 <= v <= 1 for v in shares.values())
    corpus = gr.label_shares(classified, by="corpus")["corpus"]
    counts = gr.label_counts(classified, by="corpus")["corpus"]
    n = sum(counts.values())
    assert n == sum(1 for r in classified for p in r.body if len(p.text.strip()) >= 25)
    assert corpus == {lab: c / n for lab, c in counts.items()}
    by_chars = gr.label_counts(classified, by="corpus", weight="chars")["corpus"]
    assert sum(by_chars.values()) == sum(len(p.text) for r in classified for p in r.body if len(p.text.strip()) >= 25)


def test_grouping_by_a_metadata_field_or_a_function(classified: list[gr.Report]) -> None:
    by_year = gr.label_shares(classified, by="year")
    assert list(by_year) == [2024]  # the city reports are all from one year
    first = gr.label_shares(classified, by=lambda r: r.metadata.extra["region"][0])
    assert set(first) == {r.metadata.extra["region"][0] for r in classified}
    with pytest.raises(GovReportError, match="no field 'province'"):
        gr.label_shares(classified, by="province")


def test_paragraph_table_of_one_label(classified: list[gr.Report]) -> None:
    rows = gr.paragraph_table(classified, label="shortcomings", fields=("region",))
    assert rows, "city work reports each admit some problems"
    by_id = {r.id: r for r in classified}
    for row in rows:
        report = by_id[row["doc"]]
        assert row["label"] == "shortcomings" and row["region"] == report.metadata.extra["region"]
        assert report.text[row["start"]:row["end"]] == row["text"]
    everything = gr.paragraph_table(classified)
    assert len(everything) == sum(sum(c.values()) for c in gr.label_counts(classified).values())


def test_unclassified_reports_are_refused() -> None:
    with pytest.raises(GovReportError, match="has not been classified"):
        gr.label_shares([gr.parse("一、工作回顾\n全年办理行政复议案件十二件，全部依法审结，纠错率明显下降。")])


def test_charts_draw_what_the_numbers_say(classified: list[gr.Report]) -> None:
    import matplotlib

    matplotlib.use("Agg")
    ax = gr.plot_label_shares(classified)
    assert [t.get_text() for t in ax.get_yticklabels()] == [r.id for r in classified]
    shares = gr.label_shares(classified)
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    # one bar per report and label; widths are the shares
    widths = {(lab, i): bar.get_width() for lab, container in zip(legend, ax.containers)
              for i, bar in enumerate(container)}
    for i, r in enumerate(classified):
        for lab, share in shares[r.id].items():
            assert math.isclose(widths[(str(lab) if lab else "(abstain)", i)], share)
    result = {"model": {"labels": ["plans", "other"], "confusion": [[3, 1], [0, 4]]}}
    ax = gr.plot_confusion_matrix(result)
    assert [t.get_text() for t in ax.texts] == ["3", "1", "4"]
    assert ax.images[0].get_array()[0, 0] == 0.75  # normalised by the gold row
    with pytest.raises(GovReportError, match="evaluate"):
        gr.plot_confusion_matrix({"accuracy": 1.0})


def test_charts_without_matplotlib_say_which_extra_to_install(monkeypatch: pytest.MonkeyPatch,
                                                              classified: list[gr.Report]) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    with pytest.raises(MissingDependencyError, match=r"pip install 'govreport-nlp\[plots\]'"):
        gr.plot_label_shares(classified)
