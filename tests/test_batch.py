"""Classifying many reports: streaming order, failures in place, worker processes, datasets."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any, Iterator

import numpy as np
import pytest

import govreport_nlp as gr
from govreport_nlp.batch import classify_many, count_sources
from govreport_nlp.reading import Document, Failure
from conftest import EXAMPLE, corpus_path


@pytest.fixture(scope="module")
def model() -> gr.Model:
    return gr.load_model()


def _labels(report: gr.Report) -> list[str | None]:
    return [p.prediction.label if p.prediction else None for p in report.paragraphs]


def _folder(tmp_path: Path) -> Path:
    d = tmp_path / "reports"
    d.mkdir()
    text = EXAMPLE.read_text("utf-8")
    (d / "a.txt").write_text(text, "utf-8")
    (d / "b.txt").write_bytes(b"%PDF-1.7 not a report")
    (d / "c.txt").write_text(text.replace("清河县", "石桥县"), "gb18030")
    return d


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_results_come_in_input_order_with_failures_in_place(tmp_path: Path, model: gr.Model, n_jobs: int) -> None:
    out = list(classify_many([_folder(tmp_path)], model, n_jobs=n_jobs))
    assert [type(o).__name__ for o in out] == ["Report", "Failure", "Report"]
    assert "PDF" in out[1].message and "b.txt" in out[1].message
    assert out[0].id == "a" and out[2].id == "c" and out[2].encoding == "gb18030"
    assert _labels(out[0]) == _labels(model.classify_report(EXAMPLE))


def test_worker_processes_give_the_same_results(model: gr.Model) -> None:
    seeds = str(corpus_path("seeds.jsonl"))
    one = list(classify_many([seeds], model, n_jobs=1))
    two = list(classify_many([seeds], model, n_jobs=2))
    spawned = list(classify_many([seeds], model, n_jobs=2, start_method="spawn"))
    assert len(one) == 5 and all(isinstance(r, gr.Report) for r in one)
    for a, b, c in zip(one, two, spawned):
        assert a.id == b.id == c.id
        assert _labels(a) == _labels(b) == _labels(c)
        assert [p.prediction.score for p in a.paragraphs] == pytest.approx([p.prediction.score for p in c.paragraphs])


def test_inputs_are_consumed_lazily(model: gr.Model) -> None:
    pulled = []
    text = EXAMPLE.read_text("utf-8") * 20  # ~60k characters: a few documents make a chunk

    def docs() -> Iterator[Document]:
        for i in range(80):
            pulled.append(i)
            yield gr.reading.document_from_text(text, id=f"d{i}")

    for n_jobs in (1, 2):
        pulled.clear()
        it = classify_many(docs(), model, n_jobs=n_jobs, reasons=0)
        first = next(it)
        assert first.id == "d0"
        assert len(pulled) < 80  # not read ahead to the end: memory stays bounded
        it.close()


def test_jsonl_lines_that_fail_are_reported_and_the_rest_classified(tmp_path: Path, model: gr.Model) -> None:
    lines = corpus_path("seeds.jsonl").read_text("utf-8").splitlines()
    bad = tmp_path / "mixed.jsonl"
    bad.write_text("\n".join([lines[0], "{not json", json.dumps({"id": "no-text"}), lines[1]]) + "\n", "utf-8")
    out = list(classify_many([bad], model, n_jobs=2))
    assert [isinstance(o, Failure) for o in out] == [False, True, True, False]
    assert out[1].message.startswith(f"{bad}:2: not valid JSON") and "no string field 'text'" in out[2].message
    assert count_sources([bad]) == 4


def test_cli_jobs_output_is_identical(tmp_path: Path) -> None:
    seeds = str(corpus_path("seeds.jsonl"))
    run = [sys.executable, "-m", "govreport_nlp", "classify", seeds, "--no-progress"]
    one = subprocess.run(run + ["--jobs", "1"], capture_output=True, text=True, check=True).stdout
    two = subprocess.run(run + ["--jobs", "2"], capture_output=True, text=True, check=True).stdout
    assert one == two and len(one.splitlines()) > 100
    assert {json.loads(line)["doc"] for line in one.splitlines()} == {f"seed-00{i}" for i in range(5)}


def test_cli_progress_bar_goes_to_stderr(tmp_path: Path) -> None:
    run = [sys.executable, "-m", "govreport_nlp", "classify", str(EXAMPLE), str(EXAMPLE), "--progress"]
    res = subprocess.run(run, capture_output=True, text=True, check=True)
    assert "2/2" in res.stderr and "doc" in res.stderr
    assert all(json.loads(line)["doc"] for line in res.stdout.splitlines())


@pytest.mark.parametrize("bad", [0, -2, "two", 1.5, True, "--1", "²", None])
def test_bad_n_jobs_is_a_clear_error(model: gr.Model, bad: Any) -> None:
    with pytest.raises(gr.GovReportError, match="n_jobs"):
        list(classify_many([EXAMPLE], model, n_jobs=bad))


@pytest.mark.parametrize("good", [1, "1", " 1 ", np.int64(1)])
def test_n_jobs_may_be_any_integer(model: gr.Model, good: Any) -> None:
    assert [r.id for r in classify_many([EXAMPLE], model, n_jobs=good)] == ["qinghe_county_2024"]


def _pools(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Records the worker count of every process pool classify_many starts."""
    from govreport_nlp import batch

    started: list[int] = []
    real = batch.ProcessPoolExecutor

    def pool(*args: Any, **kwargs: Any) -> Any:
        started.append(kwargs["max_workers"])
        return real(*args, **kwargs)

    monkeypatch.setattr(batch, "ProcessPoolExecutor", pool)
    return started


def test_auto_jobs_classify_a_small_input_here(model: gr.Model, monkeypatch: pytest.MonkeyPatch) -> None:
    started = _pools(monkeypatch)
    out = list(classify_many([EXAMPLE, EXAMPLE], model, n_jobs="auto"))
    assert started == []  # one chunk: no worker start-up to pay
    assert [_labels(r) for r in out] == [_labels(model.classify_report(EXAMPLE))] * 2


def test_auto_jobs_use_every_core_on_a_corpus(model: gr.Model, monkeypatch: pytest.MonkeyPatch) -> None:
    from govreport_nlp import batch

    started = _pools(monkeypatch)
    monkeypatch.setattr(batch, "usable_cores", lambda: 2)
    seeds = str(corpus_path("seeds.jsonl"))
    monkeypatch.setattr(batch, "CHUNK_CHARS", 10_000)  # the five seeds make several chunks
    auto = list(classify_many([seeds], model, n_jobs="auto"))
    assert started == [2]
    one = list(classify_many([seeds], model, n_jobs=1))
    assert [r.id for r in auto] == [r.id for r in one]
    assert [_records(r) for r in auto] == [_records(r) for r in one]  # every field, reasons too
    monkeypatch.setattr(batch, "usable_cores", lambda: 1)
    list(classify_many([seeds], model, n_jobs="auto"))
    assert started == [2]  # one core: no workers


def test_model_remembers_where_it_lives(model: gr.Model, tmp_path: Path) -> None:
    from govreport_nlp.model import default_model_path

    assert model.path == default_model_path().resolve()
    model2 = gr.Model(model.heads, model.label_set)
    assert model2.path is None
    model2.save(tmp_path / "m")
    assert model2.path == (tmp_path / "m").resolve() and gr.load_model(tmp_path / "m").path == model2.path


def _dataset(rows: dict[str, list[Any]]) -> Any:
    datasets = pytest.importorskip("datasets")
    return datasets.Dataset.from_dict(rows)


def test_classify_dataset_paragraphs(model: gr.Model) -> None:
    texts = ["下一步，我们将继续深化放管服改革，推行证照分离。", "开展人民调解，做好行政复议应诉，化解矛盾纠纷。", ""]
    ds = gr.classify_dataset(_dataset({"text": texts, "n": [1, 2, 3]}), model)
    assert ds.column_names == ["text", "n", "label", "score", "function", "topics"]
    assert list(ds["label"]) == model.predict(texts)
    assert all(0 <= s <= 1 for s in ds["score"])


def test_classify_dataset_reports_in_worker_processes(model: gr.Model, seeds: list[dict[str, Any]]) -> None:
    ds = _dataset({"id": [s["id"] for s in seeds], "text": [s["text"] for s in seeds]})
    out = gr.classify_dataset(ds, None, level="report", num_proc=2, batch_size=2)
    for row, seed in zip(out, seeds):
        report = model.classify_report(seed["text"])
        assert [p["label"] for p in row["paragraphs"]] == _labels(report)
        assert all(seed["text"][p["start"]:p["end"]] == p["text"] for p in row["paragraphs"])


def test_classify_dataset_errors(model: gr.Model) -> None:
    ds = _dataset({"body": ["x"]})
    with pytest.raises(gr.GovReportError, match="no column 'text'"):
        gr.classify_dataset(ds, model)
    with pytest.raises(gr.GovReportError, match="level"):
        gr.classify_dataset(ds, model, text_column="body", level="page")


def test_progress_bar_does_not_stop_workers_from_forking() -> None:
    if not sys.platform.startswith("linux"):
        pytest.skip("fork is chosen on Linux only")
    # a fresh process: no thread left over from other tests
    code = f"""
import govreport_nlp.batch as batch
methods = []
real = batch._parallel
def spy(*args):
    methods.append(args[-1])
    return real(*args)
batch._parallel = spy
out = list(batch.classify_many([{str(EXAMPLE)!r}, {str(EXAMPLE)!r}], n_jobs=2, progress=True))
print(len(out), methods)
"""
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr[-1000:]
    assert res.stdout.split() == ["2", "['fork']"]
    assert "2/2" in res.stderr  # and the bar was shown


def test_reports_classified_together_equal_reports_classified_one_by_one(model: gr.Model) -> None:
    docs = [json.loads(line) for line in open(corpus_path("work_reports_city.jsonl"), encoding="utf-8")][:6]
    together = model.classify_parsed([gr.parse(d["text"], id=d["id"]) for d in docs], reasons=3)
    for d, a in zip(docs, together):
        b = model.classify_report(d["text"], id=d["id"], reasons=3)
        assert [p.prediction.label for p in a.paragraphs] == [p.prediction.label for p in b.paragraphs]
        assert [p.prediction.score for p in a.paragraphs] == pytest.approx(
            [p.prediction.score for p in b.paragraphs], abs=1e-9)
        assert [p.prediction.reasons for p in a.paragraphs] == [p.prediction.reasons for p in b.paragraphs]


def test_a_report_that_breaks_its_batch_fails_alone(model: gr.Model, monkeypatch: pytest.MonkeyPatch) -> None:
    # classified together, one report whose paragraphs make the model raise: it alone becomes a Failure
    poison = "这一段会让模型出错。"
    real = gr.Model.predictions

    def predictions(self: gr.Model, inputs: Any, **kwargs: Any) -> Any:
        inputs = list(inputs)
        if any(poison in x["text"] for x in inputs):
            raise RuntimeError("poisoned paragraph")
        return real(self, inputs, **kwargs)

    monkeypatch.setattr(gr.Model, "predictions", predictions)
    docs = [Document(id=f"d{i}", text=f"一、工作回顾\n全县办理行政复议案件{i + 3}件，推行证照分离。") for i in range(4)]
    docs[2] = Document(id="d2", text="一、工作回顾\n" + poison)
    out = list(classify_many(docs, model))
    assert [type(o).__name__ for o in out] == ["Report", "Report", "Failure", "Report"]
    assert "d2" in out[2].message and "poisoned" in out[2].message
    assert out[3].id == "d3" and out[3].body[0].prediction is not None


def test_an_output_that_fails_for_one_report_fails_it_alone(model: gr.Model) -> None:
    calls: dict[str, int] = {}

    def emit(report: gr.Report) -> str:
        calls[report.id] = calls.get(report.id, 0) + 1
        if report.id == "d1":
            raise ValueError("cannot format")
        return report.id

    docs = [Document(id=f"d{i}", text=f"一、工作回顾\n全县办理行政复议案件{i + 3}件。") for i in range(3)]
    out = list(classify_many(docs, model, emit=emit))
    assert out[0] == "d0" and out[2] == "d2" and isinstance(out[1], Failure) and "cannot format" in out[1].message
    assert calls == {"d0": 1, "d1": 1, "d2": 1}  # each report formatted once: nothing written twice


def _records(report: gr.Report) -> list[dict[str, Any]]:
    from govreport_nlp.batch import paragraph_record

    return [paragraph_record(report, p, digits=None) for p in report.paragraphs]


def test_auto_jobs_count_input_not_documents(model: gr.Model, monkeypatch: pytest.MonkeyPatch) -> None:
    # 70 one-line records are more than 64 inputs (two chunks) but a few KB: not worth a worker
    from govreport_nlp import batch

    started = _pools(monkeypatch)
    monkeypatch.setattr(batch, "usable_cores", lambda: 2)
    docs = [Document(id=f"d{i}", text="全县办理行政复议案件十二件。") for i in range(70)]
    assert len(list(classify_many(docs, model, n_jobs="auto"))) == 70
    assert started == []


def test_auto_jobs_use_workers_for_many_small_records_in_a_file(tmp_path: Path, model: gr.Model,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    # more than two chunks' worth of inputs (64 each) that only together pass a chunk's size: workers
    from govreport_nlp import batch

    started = _pools(monkeypatch)
    monkeypatch.setattr(batch, "usable_cores", lambda: 2)
    monkeypatch.setattr(batch, "CHUNK_CHARS", 20_000)
    path = tmp_path / "many.jsonl"
    text = "一、工作回顾\n全县办理行政复议案件十二件，推行证照分离改革。"
    path.write_text("".join(json.dumps({"id": f"r{i}", "text": text}, ensure_ascii=False) + "\n"
                            for i in range(300)), "utf-8")
    out = list(classify_many([str(path)], model, n_jobs="auto"))
    assert started == [2] and [r.id for r in out] == [f"r{i}" for i in range(300)]


def test_auto_jobs_stream_records_from_standard_input(tmp_path: Path) -> None:
    # a producer that writes one record and waits: its result comes out before the producer goes on
    script = (
        "import json, sys, time\n"
        "print(json.dumps({'id': 'a', 'text': '一、工作回顾\\n全县办理行政复议案件十二件。'}), flush=True)\n"
        "line = sys.stdin.readline()\n"  # waits until classify has written its first result
        "print(json.dumps({'id': 'b', 'text': '二、下一步打算\\n持续深化诉源治理。'}), flush=True)\n"
    )
    producer = subprocess.Popen([sys.executable, "-c", script], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    classify = subprocess.Popen([sys.executable, "-m", "govreport_nlp", "classify", "-", "--input-format", "jsonl",
                                 "--no-progress"], stdin=producer.stdout, stdout=subprocess.PIPE)
    assert producer.stdout is not None and producer.stdin is not None and classify.stdout is not None
    producer.stdout.close()
    guard = threading.Timer(60, classify.kill)  # a classify that waits for more input would hang the test
    guard.start()
    try:
        line = classify.stdout.readline()
        assert line, "no result before the input was complete"
        first = json.loads(line)
        assert first["doc"] == "a"  # out while record b is not yet written
        producer.stdin.write(b"go\n")
        producer.stdin.close()
        rest = classify.stdout.read().decode().splitlines()
        assert rest and {json.loads(line)["doc"] for line in rest} == {"a", "b"}  # b too, after a
        assert classify.wait(timeout=60) == 0
    finally:
        guard.cancel()
        producer.kill()
        classify.kill()


def test_the_first_result_comes_before_the_input_is_read_far(model: gr.Model) -> None:
    pulled: list[int] = []

    def docs() -> Iterator[Document]:
        for i in range(200):
            pulled.append(i)
            yield Document(id=f"d{i}", text="一、工作回顾\n全县办理行政复议案件十二件。")

    first = next(iter(classify_many(docs(), model)))
    assert first.id == "d0" and len(pulled) <= 2
