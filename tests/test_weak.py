"""Labelling functions, their summary and their combination, on the real work reports."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

import govreport_nlp as gr
from govreport_nlp.data import weak_labels
from govreport_nlp.weak import (
    LabelingFunction, apply_lfs, available_lfs, combine, get_lf, labeling_function, summarize,
)


def test_votes_combine_by_weight_and_abstain() -> None:
    x_plan = {"text": "下一步，我们将继续深化行政执法改革。", "role": "plans", "cued": True, "kind": "body"}
    x_short = {"text": "同时我们也清醒看到，执法力量仍然薄弱。", "role": "review", "cued": True, "kind": "body"}
    x_none = {"text": "这是一段没有线索的文字，说明一些情况。"}
    votes = apply_lfs([x_plan, x_short, x_none], axis="function")
    # the content cue outweighs the review section it sits in
    assert combine(votes) == ["plan", "shortcoming", None]


def test_registry_by_name() -> None:
    assert "section_role" in available_lfs("function")
    assert "topic_keywords" in available_lfs("topic")
    with pytest.raises(gr.GovReportError):
        get_lf("no_such_lf")

    @labeling_function("test_always_other", "function", weight=0.5)
    def _other(x: Any) -> str:
        return "other"

    try:
        assert isinstance(get_lf("test_always_other"), LabelingFunction)
        assert combine(apply_lfs([{"text": "任意文字"}], ["test_always_other"])) == ["other"]
    finally:  # registered LFs vote by default: this one must not leak into later tests
        from govreport_nlp import weak

        del weak._LFS["test_always_other"]


def test_summary_on_city_reports(city_reports: list[dict[str, Any]]) -> None:
    reports = [gr.parse(r["text"], id=r["id"]) for r in city_reports[:40]]
    weak = weak_labels(reports)
    func = Counter(weak.labels["function"])
    # the structure of a work report shows through: mostly plans, then review, one problems paragraph or so each
    assert func["plan"] > func["review"] > func["shortcoming"] > 0
    assert func["closing"] > 0 and func["preamble"] > 0
    votes = apply_lfs(weak.inputs, axis="function")
    s = summarize(votes)
    assert s.n == len(weak) and 0.95 < s.coverage <= 1.0 and 0 < s.conflicts < 0.2
    row = {r["name"]: r for r in s.rows}
    assert row["section_role"]["coverage"] > 0.9
    assert 0 < row["shortcoming_cue"]["coverage"] < 0.05
    assert "labelling function" in str(s) and s.to_dict()["paragraphs"] == s.n
    # labels derived where the function decides them
    assert set(weak.labels["label"]) <= {"plans", "shortcomings", "other", "leadership", "deregulation",
                                         "enforcement", "dispute", None}
