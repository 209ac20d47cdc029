"""Label sets and the derivation of the default label, checked against the gold."""

from __future__ import annotations

import pytest

from govreport_nlp.errors import GovReportError
from govreport_nlp.labels import DEFAULT, FUNCTION, TOPIC, LabelSet, derive_label, get_label_set


def test_derivation_reproduces_every_gold_label(gold: list[dict]) -> None:
    for g in gold:
        assert g["function"] in FUNCTION and all(t in TOPIC for t in g["topics"])
        assert derive_label(g["function"], g["topics"]) == g["label"], g


def test_label_sets_by_name_and_round_trip() -> None:
    assert get_label_set("default") is DEFAULT
    assert LabelSet.from_dict(DEFAULT.to_dict()) == DEFAULT
    custom = LabelSet.from_labels(["b", "a", "b"], name="mine")
    assert custom.labels == ("a", "b")


def test_unknown_labels_and_sets_are_clear_errors() -> None:
    with pytest.raises(GovReportError, match="unknown label set 'sentiment'"):
        get_label_set("sentiment")
    with pytest.raises(GovReportError, match="'planz' are not in the label set 'default'"):
        DEFAULT.check(["plans", "planz"])
    with pytest.raises(GovReportError):
        derive_label("summary", [])
