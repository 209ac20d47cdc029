"""The numpy inference path (govreport_nlp.inference) against scikit-learn's own objects, on real reports."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import govreport_nlp as gr
from govreport_nlp.classifier import ParagraphClassifier
from govreport_nlp.features import report_inputs
from govreport_nlp.inference import Head

from conftest import corpus_path


def _inputs(path: Path, limit: int | None = None) -> list[dict]:
    out = []
    with open(path, encoding="utf-8") as fh:
        for i, line in enumerate(fh):
            if limit is not None and i >= limit:
                break
            d = json.loads(line)
            out += report_inputs(gr.parse(d["text"], id=d["id"]))
    return out


def _check_same(model: gr.Model, inputs: list[dict]) -> None:
    for axis, head in model.heads.items():
        fast = model.runtime_heads[axis].decision_function(inputs)
        ref = head.reference_decision_function(inputs)
        assert fast.shape == ref.shape == (len(inputs), len(head.classes_))
        assert np.abs(fast - ref).max() < 1e-6, axis
        assert (fast.argmax(axis=1) == ref.argmax(axis=1)).all()


def test_loaded_model_scores_like_scikit_learn_on_the_seed_reports() -> None:
    inputs = _inputs(corpus_path("seeds.jsonl"))
    assert len(inputs) > 150
    _check_same(gr.load_model(), inputs + [{"text": x["text"]} for x in inputs[:100]])  # in context and bare


@pytest.mark.slow
def test_loaded_model_scores_like_scikit_learn_on_the_whole_corpus() -> None:
    for name in ("work_reports_city.jsonl", "work_reports_national.jsonl"):
        inputs = _inputs(corpus_path(name))
        for start in range(0, len(inputs), 5000):
            _check_same(gr.load_model(), inputs[start:start + 5000])


def test_a_freshly_fitted_binary_head_scores_like_scikit_learn() -> None:
    texts = ["全年办理行政复议案件十二件。", "下一步将持续深化诉源治理。", "累计开展普法活动30场。", "明年要推进证照分离。"] * 3
    ctx = [{"text": t, "role": "review" if i % 2 == 0 else "plans", "headings": ["工作"]} for i, t in enumerate(texts)]
    clf = ParagraphClassifier().fit(ctx, ["done", "todo"] * 6, groups=[str(i // 4) for i in range(12)])
    probe = ctx[:4] + [{"text": "将推进一网通办。"}]
    assert np.abs(clf.decision_function(probe) - clf.reference_decision_function(probe)).max() < 1e-6
    assert list(clf.predict(probe)) == ["done", "todo", "done", "todo", "todo"]


def test_classifying_imports_neither_scikit_learn_nor_scipy(tmp_path: Path) -> None:
    report = tmp_path / "r.txt"
    report.write_text("一、工作回顾\n深化放管服改革，推行证照分离，全年办理告知承诺事项156项。\n二、下一步工作打算\n我们将持续深化诉源治理。\n",
                      encoding="utf-8")
    code = ("import sys, govreport_nlp as gr\n"
            f"r = gr.load_model().classify_report({str(report)!r})\n"
            "assert [p.prediction.label for p in r.body] == ['deregulation', 'plans'], [p.prediction for p in r.body]\n"
            "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('sklearn', 'scipy'))\n"
            "assert not bad, bad[:5]\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    cli = subprocess.run([sys.executable, "-X", "importtime", "-m", "govreport_nlp", "classify", str(report)],
                         capture_output=True, text=True)
    assert cli.returncode == 0, cli.stderr[-2000:]
    imported = {line.split("|")[-1].strip().split(".")[0] for line in cli.stderr.splitlines() if "|" in line}
    assert not imported & {"sklearn", "scipy"}
    assert len(cli.stdout.splitlines()) == 4


def test_a_loaded_model_saves_what_it_loaded_without_scikit_learn(tmp_path: Path) -> None:
    model = gr.load_model()
    copy = gr.Model(model.runtime_heads, model.label_set, derive=model.derive, info=model.info)
    copy.save(tmp_path / "m")
    again = gr.Model.load(tmp_path / "m")
    texts = ["推行证照分离。", "下一步将持续深化诉源治理。", "执法人员专业能力还有差距。"]
    assert np.array_equal(again.predict_proba(texts), model.predict_proba(texts))
    with np.load(tmp_path / "m" / "weights.npz") as a, np.load(model.path / "weights.npz") as b:
        assert sorted(a.files) == sorted(b.files)
        assert all(np.array_equal(a[k], b[k]) for k in a.files)


def test_heads_are_rebuilt_as_estimators_only_when_asked_for() -> None:
    model = gr.Model.load(gr.load_model().path)
    assert all(isinstance(h, Head) for h in model.runtime_heads.values())
    assert not model._fitted
    heads = model.heads
    assert set(heads) == {"function", "topic"} and all(isinstance(h, ParagraphClassifier) for h in heads.values())
    assert list(heads["topic"].classes_) == list(model.runtime_heads["topic"].classes_)


def test_heads_grouped_score_as_each_head_alone() -> None:
    # the merged lookup tables of a group change nothing in any head's scores
    from govreport_nlp.features import TextBatch
    from govreport_nlp.inference import HeadGroup

    model = gr.load_model()
    inputs = _inputs(corpus_path("seeds.jsonl"), limit=2)
    heads = list(model.runtime_heads.values())
    together = HeadGroup(heads).analyze(TextBatch(inputs))
    for head, a in zip(heads, together):
        alone = HeadGroup([head]).analyze(TextBatch(inputs))[0]
        assert np.abs(a["scores"] - alone["scores"]).max() < 1e-9
        assert np.array_equal(a["X"].toarray(), alone["X"].toarray())
    assert len(HeadGroup.partition(heads)) == 1


def test_a_group_rebuilt_from_its_state_scores_the_same_and_refuses_other_heads() -> None:
    # what the lookup cache keeps between runs: arrays only, rebuilt without hashing a term again
    from govreport_nlp.features import TextBatch
    from govreport_nlp.inference import HeadGroup

    model = gr.load_model()
    heads = list(model.runtime_heads.values())
    built = HeadGroup(heads)
    state = built.state()
    assert all(isinstance(v, np.ndarray) and v.dtype != object for v in state.values())
    again = HeadGroup.from_state(heads, state)
    inputs = _inputs(corpus_path("seeds.jsonl"), limit=2)
    for a, b in zip(built.analyze(TextBatch(inputs)), again.analyze(TextBatch(inputs))):
        assert np.array_equal(a["scores"], b["scores"]) and np.array_equal(a["X"].toarray(), b["X"].toarray())
    assert again.words_.terms == built.words_.terms  # decoded when asked for
    assert again.cue_vocabulary_ == built.cue_vocabulary_
    with pytest.raises(ValueError, match="other heads"):
        HeadGroup.from_state(heads[:1], state)


def test_a_saved_model_keeps_its_lookup_tables_between_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from govreport_nlp import lookup_cache
    from govreport_nlp.inference import HeadGroup

    monkeypatch.setenv("GOVREPORT_NLP_CACHE", str(tmp_path / "cache"))
    probe = ["推行证照分离改革，全年办理告知承诺事项156项。", "下一步，我们将继续深化诉源治理。"]
    first = gr.Model.load(gr.model.default_model_path())
    expected = first.predict_proba(probe)  # two sentences: looked up by string, no tables built
    lookup_cache.wait()
    assert not list((tmp_path / "cache").glob("lookup-*"))
    first.prepare()  # builds the tables and writes them (in the background)
    assert np.array_equal(first.predict_proba(probe), expected)
    lookup_cache.wait()
    entries = list((tmp_path / "cache").glob("lookup-*"))
    assert len(entries) == 1 and (entries[0] / "done").is_file()

    def no_building(self: HeadGroup, *args: object) -> None:
        raise AssertionError("tables built although they were cached")

    with monkeypatch.context() as m:
        m.setattr(HeadGroup, "__init__", no_building)
        m.setattr(HeadGroup, "_tables", no_building)
        m.setattr(HeadGroup, "_vocabularies", no_building)
        second = gr.Model.load(gr.model.default_model_path()).prepare()
        assert np.array_equal(second.predict_proba(probe), expected)
    # a damaged entry is removed and the tables built again, with the same results
    for f in entries[0].glob("words.table.npy"):
        f.write_bytes(b"not an array")
    third = gr.Model.load(gr.model.default_model_path())
    assert np.array_equal(third.predict_proba(probe), expected)
    assert lookup_cache.load(entries[0].name[len("lookup-"):]) is None  # removed, not yet needed again
    third.prepare()
    assert lookup_cache.load(entries[0].name[len("lookup-"):]) is not None  # written anew
    # an entry that reads but does not fit (an array missing) is replaced too, not left in the way
    (entries[0] / "cue_names.npy").unlink()
    fourth = gr.Model.load(gr.model.default_model_path()).prepare()
    assert np.array_equal(fourth.predict_proba(probe), expected)
    lookup_cache.wait()
    assert (entries[0] / "cue_names.npy").is_file()
    # switched off: neither read nor written
    monkeypatch.setenv("GOVREPORT_NLP_LOOKUP_CACHE", "0")
    monkeypatch.setenv("GOVREPORT_NLP_CACHE", str(tmp_path / "other"))
    assert np.array_equal(gr.Model.load(gr.model.default_model_path()).predict_proba(probe), expected)
    assert not list((tmp_path / "other").glob("lookup-*"))


def test_heads_that_read_differently_are_grouped_apart() -> None:
    from govreport_nlp.featurizer import ParagraphFeatures
    from govreport_nlp.inference import HeadGroup

    texts = ["全年办理行政复议案件十二件。", "下一步将持续深化诉源治理。", "累计开展普法活动30场。", "明年要推进证照分离。"] * 3
    y = ["done", "todo"] * 6
    groups = [str(i // 4) for i in range(12)]
    by_words = ParagraphClassifier(features=ParagraphFeatures(min_df=1)).fit(texts, y, groups=groups)
    by_chars = ParagraphClassifier(features=ParagraphFeatures(segmenter="char", min_df=1)).fit(texts, y, groups=groups)
    heads = [by_words._compiled(), by_chars._compiled(), by_words._compiled()]
    parts = HeadGroup.partition(heads)
    assert [len(g.heads) for g in parts] == [2, 1]
    with pytest.raises(ValueError, match="read texts differently"):
        HeadGroup(heads[:2])
    model = gr.Model({"a": by_words, "label": by_chars}, label_set=gr.get_label_set(["done", "todo"]), derive=None)
    probe = ["下一步将推进一网通办。", "全年办结复议案件8件。"]
    expected = by_chars.predict_proba(probe)
    assert np.abs(model.predict_proba(probe) - expected).max() < 1e-9


def test_a_deferred_group_counts_by_string_as_the_tables_do_then_builds_them(monkeypatch: pytest.MonkeyPatch) -> None:
    # one report's worth of text is looked up by string (no 0.4 s table build); the rows are the same
    # bits as the integer tables', and past STRING_LOOKUP_CHARS the tables are built
    from govreport_nlp.features import TextBatch
    from govreport_nlp.inference import HeadGroup

    heads = list(gr.load_model().runtime_heads.values())
    full = HeadGroup(heads)
    lazy = HeadGroup.deferred(heads)
    inputs = _inputs(corpus_path("seeds.jsonl")) + _inputs(corpus_path("work_reports_city.jsonl"), limit=4)
    assert sum(len(x["text"]) for x in inputs) > HeadGroup.STRING_LOOKUP_CHARS
    first = _inputs(corpus_path("seeds.jsonl"))  # five reports, paragraphs in context
    assert sum(len(x["text"]) for x in first) < HeadGroup.STRING_LOOKUP_CHARS
    for part in (first, inputs[len(first):]):
        was_deferred = lazy.__dict__.get("_deferred") is not None
        for a, b in zip(full.analyze(TextBatch(part)), lazy.analyze(TextBatch(part))):
            for x, y in ((a["X"].indptr, b["X"].indptr), (a["X"].indices, b["X"].indices),
                         (a["X"].data, b["X"].data), (a["scores"], b["scores"])):
                assert x.dtype == y.dtype and np.array_equal(x, y)
        if part is first:
            assert was_deferred and not lazy.words_.usable  # still looking up by string
    assert lazy.words_.usable and lazy.chars_.usable and lazy._openings[0].usable  # built, once past the mark
    assert lazy.__dict__.get("_deferred") is None
    # odd texts count alike too (white space of every kind, controls, emoji, digits, stop words only)
    odd = ["", "　", " \t\n ", "\u2028行政\xa0复议\u3000", "\x00\x1c调解", "的了和", "，。、",
           "🙂证照分离🙂", "１２３年第４季度", "加强\n行政执法", "e\u0301法治", "放" * 3000]
    for a, b in zip(HeadGroup(heads).analyze(TextBatch(odd)), HeadGroup.deferred(heads).analyze(TextBatch(odd))):
        assert np.array_equal(a["X"].indices, b["X"].indices) and np.array_equal(a["X"].data, b["X"].data)
        assert np.array_equal(a["scores"], b["scores"])
    # the reasons read the same rows: a model with its integer tables against one looking up by string
    path = gr.model.default_model_path()
    m1 = gr.Model.load(path).prepare()
    monkeypatch.setenv("GOVREPORT_NLP_LOOKUP_CACHE", "0")  # no tables from the cache: looked up by string
    m2 = gr.Model.load(path)
    r1 = [p.reasons for p in m1.predictions(first, reasons=3)]
    r2 = [p.reasons for p in m2.predictions(first, reasons=3)]
    assert all(g.__dict__.get("_deferred") is None for g in m1._head_groups())
    assert all(g.__dict__.get("_deferred") is not None for g in m2._head_groups())
    assert r1 == r2 and any(r1)


def test_a_fork_while_another_thread_builds_tables_leaves_the_child_able_to_build_them() -> None:
    import os
    import signal
    import threading

    from govreport_nlp import inference
    from govreport_nlp.features import TextBatch

    heads = list(gr.load_model().runtime_heads.values())
    held, release = threading.Event(), threading.Event()

    def builder() -> None:  # holds the builders' lock as a thread building tables does
        with inference._COMPLETING:
            held.set()
            release.wait(30)

    t = threading.Thread(target=builder)
    t.start()
    held.wait(10)
    try:
        pid = os.fork()
        if pid == 0:  # the child: the lock is a new one, so its own build does not wait for a lost thread
            signal.alarm(60)
            g = inference.HeadGroup.deferred(heads).complete()
            ok = g.words_.usable and len(g.analyze(TextBatch(["推行证照分离。"]))) == len(heads)
            os._exit(0 if ok else 1)
        _, status = os.waitpid(pid, 0)
    finally:
        release.set()
        t.join()
    assert os.waitstatus_to_exitcode(status) == 0


def test_runs_over_one_report_build_no_lookup_tables(tmp_path: Path) -> None:
    import os

    from conftest import EXAMPLE

    env = {**os.environ, "GOVREPORT_NLP_CACHE": str(tmp_path / "cache")}
    env.pop("GOVREPORT_NLP_LOOKUP_CACHE", None)

    def run() -> str:
        done = subprocess.run([sys.executable, "-m", "govreport_nlp", "classify", str(EXAMPLE)], env=env,
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 0 and done.stdout.count("\n") > 5
        return done.stdout

    first = run()
    assert list((tmp_path / "cache").glob("model-*/done"))  # the weights are kept
    assert not list((tmp_path / "cache").glob("lookup-*"))  # the tables were not needed
    assert run() == first  # the weights read from the cache: the same output
    assert not list((tmp_path / "cache").glob("lookup-*"))
