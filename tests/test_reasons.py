"""Reasons: grouped and worded the same however lazily they are worded."""

from __future__ import annotations

import json

import pytest

import govreport_nlp as gr
from govreport_nlp import reasons
from govreport_nlp.features import report_inputs
from conftest import corpus_path


def _inputs(name: str, limit: int) -> list[dict]:
    out: list[dict] = []
    with open(corpus_path(name), encoding="utf-8") as fh:
        for i, line in enumerate(fh):
            if i >= limit:
                break
            d = json.loads(line)
            out += report_inputs(gr.parse(d["text"], id=d["id"]))
    return out


@pytest.mark.parametrize("top", [1, 3, 6])
def test_reasons_worded_only_when_shown_equal_reasons_worded_at_once(monkeypatch: pytest.MonkeyPatch,
                                                                     top: int) -> None:
    # explain_rows words keyword, tense and opening reasons only for the groups it shows; worded at once
    # (every candidate, as before), the groups, their weights, order and wording are the same
    model = gr.Model.load(gr.model.default_model_path())
    inputs = _inputs("seeds.jsonl", 5) + _inputs("work_reports_city.jsonl", 3)
    lazy = [p.reasons for p in model.predictions(inputs, reasons=top)]
    worded: list[str] = []
    real_reader_term = reasons.reader_term

    def counting(name: str, *args: object, **kwargs: object) -> str:
        worded.append(name)
        return real_reader_term(name, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(reasons, "reader_term", counting)
    fresh = gr.Model.load(gr.model.default_model_path())
    fresh.predictions(inputs, reasons=top)
    lazy_calls = len(worded)
    monkeypatch.setattr(reasons, "_later", lambda name: None)  # every piece worded as it comes
    worded.clear()
    eager_model = gr.Model.load(gr.model.default_model_path())
    eager = [p.reasons for p in eager_model.predictions(inputs, reasons=top)]
    assert eager == lazy
    assert sum(len(r) for r in lazy) > len(inputs)  # reasons were given at all
    assert lazy_calls < len(worded)  # and fewer were worded lazily


def test_evidence_of_the_entries_read_equals_the_whole_evidence_array() -> None:
    # explain_rows computes (coef - mean) * shown for the entries it reads; given the whole array (a head's
    # evidence_, once built), it gathers from it: the same weights to the bit, so the same reasons
    model = gr.Model.load(gr.model.default_model_path())
    inputs = _inputs("seeds.jsonl", 5)
    for head in model.runtime_heads.values():
        a = head._analyze(inputs)
        ks = a["scores"].argmax(axis=1)
        kw = dict(coef=head.coef_, mean=head.mean_coef_, ccoef=head.combiner_coef_, shown=head.shown_,
                  feature_name=head.feature_name, context_names=head.context_names_)
        fly = reasons.explain_rows(a, ks, 5, **kw)
        whole = reasons.explain_rows(a, ks, 5, evidence=head.evidence_, **kw)
        assert fly == whole and sum(map(len, fly)) > len(inputs)
