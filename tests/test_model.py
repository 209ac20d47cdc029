"""The shipped default model, the Model API, and safe persistence."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

import govreport_nlp as gr
from govreport_nlp import lookup_cache
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


def test_a_model_is_loaded_from_its_cache_entry_the_same(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # a second load maps what the first computed (no unzipping, no float64 copies): same scores and reasons
    monkeypatch.setenv("GOVREPORT_NLP_CACHE", str(tmp_path / "cache"))
    monkeypatch.delenv("GOVREPORT_NLP_LOOKUP_CACHE", raising=False)
    d = _copy(tmp_path)
    probe = ["推行证照分离改革，全年办理告知承诺事项156项。",
             {"text": "下一步，我们将继续深化诉源治理。", "role": "plans", "headings": ["下一步工作打算"]}]

    def outputs(m: Model) -> tuple:
        preds = m.predictions(probe, reasons=5)
        return m.predict_proba(probe).tolist(), [(p.label, p.score, p.reasons) for p in preds]

    first = Model.load(d)
    expected = outputs(first)
    lookup_cache.wait()  # the entries are written in the background
    entries = list((tmp_path / "cache").glob("model-*"))
    assert len(entries) == 1 and (entries[0] / "done").is_file()
    real_load = np.load

    def no_unzipping(file: object, *args: object, **kwargs: object) -> object:
        assert not str(file).endswith(".npz"), "weights unzipped although they were cached"
        return real_load(file, *args, **kwargs)

    with monkeypatch.context() as m:
        m.setattr(np, "load", no_unzipping)
        second = Model.load(d)
    assert outputs(second) == expected
    assert not second.runtime_heads["topic"]._coef_t.flags.writeable  # mapped, shared by forked workers
    for h1, h2 in zip(first.runtime_heads.values(), second.runtime_heads.values()):
        assert h1.combiner_coef_.strides == h2.combiner_coef_.strides  # laid out alike: BLAS sums alike
    second.save(tmp_path / "again")  # what it saves is what it was loaded from
    with np.load(d / "weights.npz") as a, np.load(tmp_path / "again" / "weights.npz") as b:
        assert sorted(a.files) == sorted(b.files) and all(np.array_equal(a[k], b[k]) for k in a.files)
    # an entry that does not fit its files (an array missing) is replaced, with the same results
    next(entries[0].glob("saved.topic.content_coef.npy")).unlink()
    assert outputs(Model.load(d)) == expected
    lookup_cache.wait()
    assert (entries[0] / "saved.topic.content_coef.npy").is_file()  # written anew
    # other weights are other files: another entry
    with np.load(d / "weights.npz", allow_pickle=False) as npz:
        arrays = {k: npz[k] for k in npz.files}
    arrays["topic/content_intercept"] = arrays["topic/content_intercept"] + 1.0
    np.savez_compressed(d / "weights.npz", **arrays)
    changed = Model.load(d)
    assert changed.predict_proba(probe).tolist() != expected[0]
    lookup_cache.wait()
    assert len(list((tmp_path / "cache").glob("model-*"))) == 2


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


# contrast pairs of our own: one matter as done work and as work to do, and the same frame with another
# topic's words. Tense and modality decide the function; topic words do not.
DONE_TODO = [
    ("全年组织领导干部会前学法12次，主要负责人年终述法实现全覆盖。",
     "下一步，将坚持领导干部会前学法，推动主要负责人年终述法全覆盖。"),
    ("今年累计办理行政复议案件86件，调解和解率达到41%。",
     "明年要进一步发挥行政复议主渠道作用，力争调解和解率达到45%。"),
    ("已在全区推行证照分离改革，累计办理告知承诺事项320项。",
     "将在全区深化证照分离改革，力争告知承诺事项再增加100项。"),
    ("全年开展行政执法案卷评查3次，评查案卷410卷，发现问题全部整改。",
     "要常态化开展行政执法案卷评查，确保发现问题全部整改到位。"),
]
SWAPPED = [  # one frame each, a different topic in each sentence
    ["全年共组织执法人员培训5期，培训1200人次。", "全年共组织调解员培训5期，培训1200人次。",
     "全年共组织政务服务窗口人员培训5期，培训1200人次。", "全年共组织领导干部法治培训5期，培训1200人次。"],
    ["下一步将深化综合行政执法改革，推动执法力量下沉。", "下一步将深化矛盾纠纷多元化解，推动调解力量下沉。",
     "下一步将深化一网通办改革，推动审批服务下沉。", "下一步将压实第一责任人职责，推动法治建设责任下沉。"],
]


@pytest.mark.parametrize("done, todo", DONE_TODO)
def test_tense_flips_the_function_bare_and_in_context(model: Model, done: str, todo: str) -> None:
    assert [p.function for p in model.predictions([done, todo])] == ["review", "plan"]
    # the same two sentences in a report without headings: content decides
    report = model.classify_report(done + "\n" + todo)
    assert [p.prediction.function for p in report.body] == ["review", "plan"]


@pytest.mark.parametrize("frame", SWAPPED)
def test_topic_words_do_not_change_the_function(model: Model, frame: list[str]) -> None:
    functions = {p.function for p in model.predictions(frame)}
    assert len(functions) == 1 and functions != {"meta"}


def test_a_bare_content_sentence_is_never_meta_but_furniture_is(model: Model) -> None:
    preds = model.predictions(["县政府常务会议全年会前学法12次。", "打印本页 关闭窗口", "推进诉源治理。"])
    assert preds[0].function != "meta" and preds[2].function != "meta" and preds[1].function == "meta"


# single sentences of our own, each a clear case of one label, read bare (no report around them)
CLEAR_SENTENCES = [
    ("区政府常务会议全年集中学法10次，区长带头讲法治课。", "leadership"),
    ("镇党委书记切实履行推进法治建设第一责任人职责，全年专题研究法治工作4次。", "leadership"),
    ("成立由县长任组长的法治政府建设领导小组，明确成员单位任务清单。", "leadership"),
    ("全面推行证照分离改革，企业开办时间压缩至0.5个工作日。", "deregulation"),
    ("政务服务事项网上可办率达到99%，一网通办实现全覆盖。", "deregulation"),
    ("取消调整行政许可事项23项，公布权责清单2860项。", "deregulation"),
    ("组建综合行政执法局，整合城管、市场监管等领域执法队伍。", "enforcement"),
    ("全面落实行政执法三项制度，执法全过程记录覆盖率达到100%。", "enforcement"),
    ("编制轻微违法行为免罚清单，全年对87家企业不予处罚。", "enforcement"),
    ("全年受理行政复议申请96件，纠错率为12%。", "dispute"),
    ("各级人民调解组织排查化解矛盾纠纷4100余件，调解成功率98%。", "dispute"),
    ("建成公共法律服务中心12个，全年办理法律援助案件640件。", "dispute"),
    ("我县法治政府建设还存在一些短板，基层执法人员专业素质有待提高。", "shortcomings"),
    ("部分部门对合法性审查重视不够，审查质量仍然不高。", "shortcomings"),
    ("乡镇法治宣传形式比较单一，群众参与度还不高。", "shortcomings"),
    ("下一步，我们将持续深化放管服改革，进一步优化营商环境。", "plans"),
    ("2025年，将开展执法人员全员轮训，推动执法规范化建设。", "plans"),
    ("明年要健全矛盾纠纷多元化解机制，力争信访总量下降10%。", "plans"),
    ("打印本页 关闭窗口", "other"),
    ("全年地区生产总值增长6.2%，规模以上工业增加值增长8%。", "other"),
    ("各位代表：现在，我代表县人民政府向大会报告工作，请予审议。", "other"),
    ("让我们更加紧密地团结在一起，奋力谱写法治建设新篇章！", "other"),
]


def test_clear_single_sentences(model: Model) -> None:
    got = model.predict([t for t, _ in CLEAR_SENTENCES])
    right = sum(g == want for g, (_, want) in zip(got, CLEAR_SENTENCES))
    wrong = [(t[:16], want, g) for g, (t, want) in zip(got, CLEAR_SENTENCES) if g != want]
    assert right >= 19, wrong


# leadership work described as done, with figures: the failure mode where this vocabulary read as plans
LEADERSHIP_REVIEW = [
    "深入学习贯彻习近平法治思想，县委理论学习中心组开展专题学习6次。",
    "严格落实党政主要负责人履行推进法治建设第一责任人职责，县长全年主持召开专题会议3次。",
    "调整充实法治政府建设领导小组，印发年度工作要点，明确37项重点任务。",
    "坚持会前学法制度，县政府常务会议学法14次，覆盖新修订法律法规21部。",
    "将法治建设纳入综合考核，权重提高到5%，对12个部门开展述法评议。",
    "组织领导干部旁听庭审活动2场，参加人员达180人次。",
    "各乡镇党委书记在年终述职中专题报告法治建设情况，实现述法全覆盖。",
    "把学习宣传贯彻宪法作为重要任务，开展宪法宣传周活动46场。",
    "制定法治政府建设责任清单，逐项分解到32个单位。",
    "举办领导干部法治专题讲座4期，培训科级以上干部560人次。",
]


def test_leadership_work_done_reads_as_leadership_not_plans_in_a_review_section(model: Model) -> None:
    text = ("一、2024年法治政府建设主要举措和成效\n（一）加强党对法治政府建设的领导\n" + "\n".join(LEADERSHIP_REVIEW)
            + "\n二、存在的不足\n基层执法力量仍然薄弱。\n三、2025年工作打算\n持续深化放管服改革。")
    labels = [p.prediction.label for p in model.classify_report(text).body][:len(LEADERSHIP_REVIEW)]
    assert labels.count("leadership") >= 9 and "plans" not in labels, labels
    bare = model.predict(LEADERSHIP_REVIEW)
    assert bare.count("plans") <= 1 and bare.count("leadership") >= 6, bare  # bare text is weaker (docs/limits.md)
