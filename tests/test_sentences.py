"""Sentence splitting: offsets, and agreement with HanLP's rule-based splitter."""

from __future__ import annotations

import pytest

from govreport_nlp.sentences import sentence_spans, split_sentences


def test_spans_slice_back_and_cover_the_text() -> None:
    text = "一是健全机制。二是压实责任！“三是强化考核。”四是……持续改进？ 五是完善制度"
    spans = sentence_spans(text)
    assert [text[s:e] for s, e in spans] == ["一是健全机制。", "二是压实责任！", "“三是强化考核。”", "四是……", "持续改进？", "五是完善制度"]
    assert "".join(text[s:e] for s, e in spans) == text.replace(" ", "")


def test_builtin_matches_hanlp_on_the_whole_corpus(seeds: list[dict], city_reports: list[dict],
                                                    national_reports: list[dict]) -> None:
    hanlp_rules = pytest.importorskip("hanlp.utils.rules")
    n = 0
    for d in seeds + city_reports + national_reports:
        for para in d["text"].split("\n"):
            assert split_sentences(para, backend="builtin") == list(hanlp_rules.split_sentence(para, best=False))
            n += 1
    assert n > 30000
