"""Grouped cross-validation of the default recipe on the seeds: the issue's bar, measured on every CI run.

This is the slowest test (a few minutes): five trainings of the default recipe,
each with one seed report held out and every other gold and weak paragraph in.
"""

from __future__ import annotations

from typing import Any

import pytest

from govreport_nlp.evaluation import evaluate_recipe, format_report, scores
from conftest import CORPUS, corpus_path

pytestmark = pytest.mark.slow  # minutes: outside the fast subset (pytest -m 'not slow')


@pytest.fixture(scope="module")
def result() -> dict[str, Any]:
    corpus_path("seeds_gold.jsonl")
    return evaluate_recipe("default", CORPUS)


@pytest.mark.timeout(1800)  # five trainings of the recipe on 6,400 gold and 13,000 weak paragraphs
def test_default_recipe_meets_the_bar(result: dict[str, Any]) -> None:
    m = result["model"]
    assert result["folds"] == 5 and result["paragraphs"] == 99
    assert m["macro_f1"] >= 0.85
    assert m["macro_f1"] - result["baselines"]["tfidf"]["macro_f1"] >= 0.10
    assert result["function_accuracy"] >= 0.90
    assert m["ece"] < 0.15  # the confidences mean what they say
    text = format_report(result)
    assert "macro-F1" in text and "keywords" in text


def test_scores_count_abstentions_as_wrong() -> None:
    s = scores(["a", "b"], ["a", None], labels=["a", "b"])
    assert s["accuracy"] == 0.5 and s["per_class"]["b"]["recall"] == 0.0
