"""The shipped default model, the Model API, and safe persistence."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

import govreport_nlp as gr
from govreport_nlp.model import FORMAT_VERSION, Model, default_model_path, load_model
from conftest import EXAMPLE

DEREG = "推行证照分离，压减审批时限，推进一网通办，企业开办全程网上办理。"


@pytest.fixture(scope="module")
def model() -> Model:
    return load_model()


def test_default_model_is_shipped(model: Model) -> None:
    assert (default_model_path() / "MODEL_CARD.md").is_file()
    assert model.label_set.labels == gr.DEFAULT.labels and model.derive == "default"
    assert set(model.heads) == {"function", "topic"}
    assert model.segmenter == "rjieba"
    assert load_model() is model  # cached


def test_classify_report_labels_every_paragraph(model: Model) -> None:
    report = model.classify_report(EXAMPLE)
    assert all(p.prediction is not None for p in report.paragraphs)
    by_start = {p.text[:6]: p.prediction for p in report.paragraphs if p.prediction}
    labels = [p.prediction.label for p in report.paragraphs if p.kind == "body" and len(p.text) >= 25]
    assert {"leadership", "deregulation", "enforcement", "dispute", "shortcomings", "plans"} <= set(labels)
    for p in report.paragraphs:
        pred = p.prediction
        assert pred is not None and 0.0 <= pred.score <= 1.0
        assert pred.function in gr.FUNCTION and set(pred.topics) <= set(gr.TOPIC)
        if p.kind == "body":  # read by the model
            assert pred.topics and len(pred.alternatives) == 2
            assert all(s <= pred.score for _, s in pred.alternatives)
        if p.kind in ("meta", "clutter"):  # decided by the structure
            assert (pred.label, pred.function, pred.topics) == ("other", "meta", ())
    assert by_start  # reasons come with every body paragraph
    assert all(p.prediction.reasons for p in report.paragraphs if p.kind == "body")


def test_section_decides_and_bare_text_reads_content(model: Model) -> None:
    under_plans = {"text": DEREG, "role": "plans", "cued": True, "headings": ["下一步工作打算"]}
    under_problems = {"text": "政务服务事项网上办理深度还不够，部分审批环节时限偏长。", "role": "shortcomings",
                      "cued": True, "headings": ["存在的问题和不足"]}
    assert model.predict([under_plans, under_problems]) == ["plans", "shortcomings"]
    # alone, the same words are read for their content: the topic is still clear
    alone = model.explain(DEREG)
    assert alone.axes["topic"].label == "deregulation"
    assert alone.axes["function"].reasons


def test_probabilities_and_threshold(model: Model) -> None:
    X = [DEREG, "开展人民调解，做好行政复议应诉工作，化解矛盾纠纷。", "这一段文字并没有谈到具体工作内容。"]
    p = model.predict_proba(X)
    assert p.shape == (3, 7) and np.allclose(p.sum(axis=1), 1.0)
    with pytest.raises(gr.GovReportError, match="between 0 and 1"):
        model.predict(X, threshold=1.01)
    preds = model.predictions(X, threshold=0.999999)
    assert all(pr.abstained == (pr.score < 0.999999) for pr in preds)


def test_explain(model: Model) -> None:
    e = model.explain({"text": DEREG, "role": "review", "cued": True, "headings": ["主要举措和成效"]})
    assert e.label == "deregulation" and e.axes["topic"].label == "deregulation"
    topic_reasons = [r for r, _ in e.axes["topic"].reasons]
    assert any("一网通办" in r or "证照分离" in r for r in topic_reasons)
    # a reader's terms: no raw feature names, no character fragments cut out of words
    assert not any(r.startswith(("c:", "w:", "open:", "kw:", "role=")) for r in topic_reasons)
    function_reasons = [r for r, _ in e.axes["function"].reasons]
    assert "in the section reviewing the work done" in function_reasons
    assert str(e).startswith("deregulation ") and "topic deregulation" in str(e)
    d = e.to_dict()
    assert json.loads(json.dumps(d, ensure_ascii=False)) == d and d["axes"]["topic"]["reasons"]
    assert "govreport-explanation" in e._repr_html_()


def test_explain_groups_character_ngrams_into_words(model: Model) -> None:
    e = model.explain("推行证照分离改革，全年办理告知承诺事项156项。")
    words = [r for ax in e.axes.values() for r, _ in ax.reasons if r.startswith("“")]
    # every quoted word or phrase is written in the paragraph, numbers as written
    assert words and all(w.strip("“”") in e.text for w in words)


def test_save_load_roundtrip_keeps_everything(model: Model, tmp_path: Path) -> None:
    m = Model(model.heads, model.label_set, derive="default", threshold=0.4, info={"note": "copy"})
    m.save(tmp_path / "m", card="# card\n")
    back = Model.load(tmp_path / "m")
    assert back.threshold == 0.4 and back.info["note"] == "copy" and back.label_set == m.label_set
    X = [DEREG, "下一步，我们将继续加强执法监督。"]
    assert np.allclose(back.predict_proba(X), m.predict_proba(X), atol=1e-5)
    saved = json.loads((tmp_path / "m" / "model.json").read_text("utf-8"))
    assert saved["segmenter"] == "rjieba" and saved["sklearn_version"] and saved["library_version"] == gr.__version__
    with np.load(tmp_path / "m" / "weights.npz", allow_pickle=False) as npz:  # nothing needs unpickling
        assert all(npz[k].dtype != object for k in npz.files)


def _copy(tmp_path: Path) -> Path:
    dst = tmp_path / "model"
    shutil.copytree(default_model_path(), dst)
    return dst


def test_newer_format_is_refused(tmp_path: Path) -> None:
    d = _copy(tmp_path)
    meta = json.loads((d / "model.json").read_text("utf-8"))
    meta["format_version"] = FORMAT_VERSION + 1
    (d / "model.json").write_text(json.dumps(meta), "utf-8")
    with pytest.raises(gr.ModelError, match="Upgrade govreport_nlp"):
        load_model(d)


def test_other_major_version_is_refused(tmp_path: Path) -> None:
    d = _copy(tmp_path)
    meta = json.loads((d / "model.json").read_text("utf-8"))
    meta["library_version"] = "99.0.0"
    (d / "model.json").write_text(json.dumps(meta), "utf-8")
    with pytest.raises(gr.ModelError, match="incompatible"):
        load_model(d)


@pytest.mark.parametrize("damage", ["truncate_weights", "garbage_json", "drop_array", "no_weights"])
def test_corrupt_model_gives_a_clear_error(tmp_path: Path, damage: str) -> None:
    d = _copy(tmp_path)
    if damage == "truncate_weights":
        data = (d / "weights.npz").read_bytes()
        (d / "weights.npz").write_bytes(data[: len(data) // 3])
    elif damage == "garbage_json":
        (d / "model.json").write_text("{not json", "utf-8")
    elif damage == "drop_array":
        with np.load(d / "weights.npz", allow_pickle=False) as npz:
            arrays = {k: npz[k] for k in npz.files if not k.endswith("content_coef")}
        np.savez(d / "weights.npz", **arrays)
    else:
        (d / "weights.npz").unlink()
    with pytest.raises(gr.ModelError) as info:
        load_model(d)
    assert str(d) in str(info.value) and "\n" not in str(info.value)


def test_pickled_arrays_are_not_loaded(tmp_path: Path) -> None:
    d = _copy(tmp_path)
    with np.load(d / "weights.npz", allow_pickle=False) as npz:
        arrays = {k: npz[k] for k in npz.files}
    arrays["function/content_coef"] = np.array([object()], dtype=object)  # would need pickle to read
    np.savez(d / "weights.npz", **arrays)
    with pytest.raises(gr.ModelError):
        load_model(d)


class _Payload:
    """Unpickling this runs code: it writes a marker file."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple:
        return (Path.write_text, (self.marker, "code ran on load"))


def test_a_model_that_would_run_code_on_load_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    marker = tmp_path / "pwned"
    d = _copy(tmp_path)
    with np.load(d / "weights.npz", allow_pickle=False) as npz:
        arrays = {k: npz[k] for k in npz.files}
    arrays["function/content_coef"] = np.array([_Payload(marker)], dtype=object)  # stored as a pickle
    np.savez(d / "weights.npz", **arrays)
    with pytest.raises(gr.ModelError):
        load_model(d)
    # the same through the command line: one sentence, status 2, and the payload never ran
    from govreport_nlp.cli import main

    assert main(["classify", "--model", str(d), "--format", "table", "-"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and str(d) in err
    # a pickle dropped where a model should be is not a model, and is never opened
    evil = tmp_path / "evil"
    evil.mkdir()
    import pickle

    (evil / "model.joblib").write_bytes(pickle.dumps(_Payload(marker)))
    with pytest.raises(gr.ModelError):
        load_model(evil)
    assert not marker.exists()


def test_missing_model_directory(tmp_path: Path) -> None:
    with pytest.raises(gr.ModelNotAvailableError):
        load_model(tmp_path / "nothing-here")


def test_threads_give_the_same_results_as_one_thread(model: Model, seeds: list[dict]) -> None:
    """Several threads classifying at once (a web service, a notebook's thread pool) share one model."""
    from concurrent.futures import ThreadPoolExecutor

    from govreport_nlp.reading import document_from_record

    docs = [document_from_record(d) for d in seeds] * 3
    fresh = load_model()  # nothing built yet: threads race to build the lookup tables and dictionaries

    def run(m: Model, i: int) -> list[tuple[str, float, tuple[str, ...]]]:
        report = m.classify_report(docs[i])
        return [(p.prediction.label, p.prediction.score, p.prediction.reasons) for p in report.paragraphs]

    with ThreadPoolExecutor(max_workers=6) as pool:
        threaded = list(pool.map(lambda i: run(fresh, i), range(len(docs))))
    serial = [run(model, i) for i in range(len(docs))]
    assert threaded == serial
