"""Content and context features."""

from __future__ import annotations

import pickle

import numpy as np
from sklearn.base import clone

import govreport_nlp as gr
from govreport_nlp.features import ParagraphFeatures, as_input, context_features, lexicon, opening, report_inputs

TEXTS = ["（一）深化放管服改革。推行证照分离，压减审批时限。", "加强行政复议应诉，做好人民调解。",
         "下一步，我们将继续规范行政执法。", "全县地区生产总值增长百分之五。"]


def test_features_are_content_only_and_stable() -> None:
    f = ParagraphFeatures(min_df=1).fit(TEXTS)
    with_ctx = {"text": TEXTS[0], "role": "plans", "headings": ["下一步工作打算"], "cued": True}
    # the featurizer reads the words only: context changes nothing here
    assert (f.transform([with_ctx]) != f.transform([TEXTS[0]])).nnz == 0
    X = f.transform(TEXTS)
    assert X.shape == (4, f.n_features_out_) == (4, len(f.get_feature_names_out()))
    groups = f.feature_groups_
    assert groups["word"][0] == 0 and groups["cue"][1] == f.n_features_out_
    names = list(f.get_feature_names_out())
    assert "w:证照分离" in names and "kw:deregulation" in names


def test_numbers_are_normalised() -> None:
    f = ParagraphFeatures(min_df=1).fit(["办理案件12件。", "办理案件345件。"])
    a, b = f.transform(["办理案件12件。"]), f.transform(["办理案件98件。"])
    assert np.allclose(a.toarray(), b.toarray())


def test_clone_and_pickle_keep_params_not_backends() -> None:
    f = ParagraphFeatures(segmenter="char", min_df=1)
    assert clone(f).get_params() == f.get_params()
    f.fit(TEXTS)
    g = pickle.loads(pickle.dumps(f))
    assert "_seg_cache" not in g.__dict__
    assert (g.transform(TEXTS) != f.transform(TEXTS)).nnz == 0


def test_context_features() -> None:
    ctx = context_features({"text": "…", "role": "shortcomings", "cued": True, "headings": ["存在的问题和不足"],
                            "position": 0.7, "last": False})
    assert ctx["role=shortcomings"] == 1.0 and ctx["cued_role=shortcomings"] == 1.0
    assert ctx["hcue:shortcoming"] == 1.0 and ctx["pos=3"] == 1.0
    assert context_features({"text": "只有文字"}) == {"ctx=none": 1.0}


def test_report_inputs_carry_structure() -> None:
    r = gr.parse("前言一段，说明本年度的总体情况和主要做法。\n一、存在的不足\n执法力量还不够充足，培训覆盖面有待扩大。\n"
                 "二、下一步打算\n继续推进执法规范化建设。\n让我们共同努力，把各项工作做得更好。")
    xs = report_inputs(r)
    assert [x["role"] for x in xs] == ["preamble", "shortcomings", "shortcomings", "plans", "plans", "plans"]
    assert xs[2]["headings"] == ["存在的不足"] and xs[2]["cued"] is True
    assert xs[-1]["last"] and not xs[0]["last"]
    assert 0 < xs[0]["position"] < xs[-1]["position"] < 1


def test_as_input_rejects_what_it_cannot_read() -> None:
    import pytest

    with pytest.raises(gr.GovReportError):
        as_input({"no_text": 1})
    with pytest.raises(gr.GovReportError):
        as_input(3.5)  # type: ignore[arg-type]


def test_lexicon_and_opening() -> None:
    lex = lexicon()
    assert lex.topic_hits("推进一网通办和证照分离")["deregulation"] == 2
    assert "shortcoming" in lex.function_cues("同时我们也清醒看到，工作中还有短板。")
    assert "plan" in lex.function_cues("2025年，我县将继续推进依法行政。")
    assert opening("（二）压实责任。", 4) == "压实责任"
