"""Training on users' labels: JSONL layouts, Hugging Face datasets both ways, recipes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import govreport_nlp as gr
from govreport_nlp.data import LabelledData, from_hf, read_labelled_jsonl, to_hf
from govreport_nlp.training import available_recipes, get_recipe, train

# our own paragraphs, three labels of a user's own scheme
ROWS = [("推行证照分离改革，压减审批时限。", "licensing"), ("深化一网通办，企业开办一日办结。", "licensing"),
        ("推行告知承诺制，减少证明事项。", "licensing"), ("清理许可事项，公布审批服务指南。", "licensing"),
        ("加强行政复议应诉，提高出庭应诉率。", "review_cases"), ("规范行政复议案件办理，纠正违法行为。", "review_cases"),
        ("负责人出庭应诉，败诉案件逐件复盘。", "review_cases"), ("行政复议决定书全部网上公开。", "review_cases"),
        ("组织执法人员培训，考试合格后持证上岗。", "training"), ("开展领导干部学法，会前学法成为常态。", "training"),
        ("举办法治讲座，全员轮训一次。", "training"), ("培训新任公务员，讲授行政法知识。", "training")]


def test_train_from_text_label_jsonl(tmp_path: Path) -> None:
    path = tmp_path / "mine.jsonl"
    path.write_text("\n".join(json.dumps({"text": t, "label": lab}, ensure_ascii=False) for t, lab in ROWS), "utf-8")
    model = train(path)
    assert model.label_set.labels == ("licensing", "review_cases", "training") and model.derive is None
    assert model.predict(["推行证照分离，减少审批环节。", "办理行政复议案件并出庭应诉。"]) == ["licensing", "review_cases"]
    model.save(tmp_path / "m")
    assert gr.load_model(tmp_path / "m").label_set.labels == model.label_set.labels


def test_label_set_is_enforced() -> None:
    with pytest.raises(gr.GovReportError, match="not in the label set"):
        train(([t for t, _ in ROWS], [lab for _, lab in ROWS]), label_set=["licensing", "training"])


def test_span_records_against_reports(seeds_path: Path, tmp_path: Path) -> None:
    first = json.loads(seeds_path.read_text("utf-8").splitlines()[0])
    report = gr.parse(first["text"], id=first["id"])
    body = [p for p in report.paragraphs if p.kind == "body" and len(p.text) >= 25][:4]
    path = tmp_path / "spans.jsonl"
    path.write_text("\n".join(json.dumps({"doc_id": first["id"], "start": p.start, "end": p.end, "label": f"l{i % 2}"})
                              for i, p in enumerate(body)), "utf-8")
    d = read_labelled_jsonl(path, reports=seeds_path)
    assert [x["text"] for x in d.inputs] == [p.text for p in body]
    assert all("role" in x and "headings" in x for x in d.inputs)  # context comes along
    assert set(d.groups) == {first["id"]}
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({"doc_id": "nope", "start": 0, "end": 3, "label": "x"}), "utf-8")
    with pytest.raises(gr.InputError, match="no report with id"):
        read_labelled_jsonl(bad, reports=seeds_path)


def test_bad_jsonl_lines_name_their_place(tmp_path: Path) -> None:
    path = tmp_path / "broken.jsonl"
    path.write_text('{"text": "一段", "label": "a"}\n{oops\n', "utf-8")
    with pytest.raises(gr.InputError, match=r"broken.jsonl:2"):
        read_labelled_jsonl(path)


def test_hf_datasets_both_ways() -> None:
    datasets = pytest.importorskip("datasets")
    names = sorted({lab for _, lab in ROWS})
    features = datasets.Features({"text": datasets.Value("string"), "label": datasets.ClassLabel(names=names)})
    ds = datasets.Dataset.from_dict({"text": [t for t, _ in ROWS], "label": [names.index(lab) for _, lab in ROWS]},
                                    features=features)
    data = from_hf(datasets.DatasetDict({"train": ds}))
    assert data.labels["label"] == [lab for _, lab in ROWS]
    model = train(ds)  # a Dataset straight in
    assert model.label_set.labels == tuple(names)
    # string labels work too
    ds_str = datasets.Dataset.from_dict({"text": [t for t, _ in ROWS], "label": [lab for _, lab in ROWS]})
    assert from_hf(ds_str).labels["label"] == [lab for _, lab in ROWS]
    # and back out, with a ClassLabel column
    report = gr.load_model().classify_report("一、主要举措\n（一）推行证照分离，企业开办全程网上办理，审批时限压减一半。")
    out = to_hf(gr.data.labelled_from_reports([report]), label_names=list(gr.DEFAULT.labels))
    assert isinstance(out.features["label"], datasets.ClassLabel)
    assert out.features["label"].names == list(gr.DEFAULT.labels) and len(out) == len(report.paragraphs)
    with pytest.raises(gr.GovReportError):
        from_hf(ds, text_column="body")


def test_recipes() -> None:
    assert {"default", "custom"} <= set(available_recipes())
    r = get_recipe("default")
    assert r["derive"] == "default" and "weak" in r and r["gold_weight"] > 1
    with pytest.raises(gr.GovReportError):
        get_recipe("no-such-recipe")


def test_labelled_data_arithmetic() -> None:
    a = LabelledData.from_texts(["一", "二"], ["x", "y"], groups=["d1", "d2"])
    b = LabelledData([{"text": "三"}], {"function": ["plan"]}, ["d3"], ["weak"])
    c = a + b
    assert len(c) == 3 and c.labels["label"] == ["x", "y", None] and c.where("function") == [2]
    assert c.without_groups(["d1"]).groups == ["d2", "d3"]


def test_a_model_trained_on_text_reads_report_paragraphs_by_content(tmp_path: Path) -> None:
    """Text-only records teach no context: inside a report such a model must label by content, not give every
    paragraph one label (its untrained in-context weights did: every line of a report came out alike)."""
    path = tmp_path / "mine.jsonl"
    path.write_text("\n".join(json.dumps({"text": t, "label": lab}, ensure_ascii=False) for t, lab in ROWS * 3),
                    "utf-8")
    model = train(path)
    head = model.heads["label"]
    assert not head.learned_context
    report = model.classify_report("一、主要工作\n（一）推行证照分离改革，压减审批时限，企业开办1日办结。\n"
                                   "（二）办理行政复议案件58件，负责人出庭应诉率100%。\n"
                                   "（三）组织执法人员培训2次，全员考试合格后持证上岗。")
    got = [p.prediction.label for p in report.body]
    assert got == model.predict([p.text for p in report.body])  # the same as the bare paragraphs
    assert got == ["licensing", "review_cases", "training"]
    # saved and loaded, it still knows it learned no context
    model.save(tmp_path / "m")
    again = gr.load_model(tmp_path / "m").classify_report(report.text)
    assert [p.prediction.label for p in again.body] == got


@pytest.mark.slow
def test_the_first_example_of_the_training_docs_gives_a_working_model(tmp_path: Path) -> None:
    """docs/training.md "Try it first", as a user runs it: a model that labels a report by its paragraphs' content."""
    import subprocess
    import sys

    from conftest import EXAMPLE, ROOT

    cli = [sys.executable, "-m", "govreport_nlp"]
    labels = ROOT / "docs" / "examples" / "my_labels.jsonl"
    r = subprocess.run(cli + ["train", "--data", str(labels), "--out", str(tmp_path / "my-model")],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    r = subprocess.run(cli + ["classify", "--model", str(tmp_path / "my-model"), str(EXAMPLE), "--format", "table",
                              "--body-only", "--min-chars", "25"], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    rows = [line.split() for line in r.stdout.splitlines()[1:]]
    got = {row[1]: row[3] for row in rows}
    assert len(rows) >= 10 and set(got.values()) == {"oversight", "services", "training"}
    text = {p.index: p.text for p in gr.parse(EXAMPLE).body}
    assert got["10"] == "services" and "一网通办" in text[10]
