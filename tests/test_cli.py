"""The command line: parse and segment, formats, exit codes, batches."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import govreport_nlp as gr
from conftest import EXAMPLE, corpus_path
from govreport_nlp.cli import main


def run(args: list[str], stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "govreport_nlp", *args], input=stdin, capture_output=True,
                          text=True, timeout=300)


def test_parse_table_of_the_example(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["parse", str(EXAMPLE)]) == 0
    out = capsys.readouterr().out
    assert "# section 0: review" in out and "# section 1: shortcomings" in out and "# section 2: plans" in out
    assert "issuer=清河县人民政府" in out and "date=2025-03-18" in out


def test_parse_jsonl_of_every_seed_has_exact_offsets(seeds_path: Path, seeds_by_id: dict,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["parse", str(seeds_path), "--format", "jsonl"]) == 0
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    heads = [r for r in records if r["type"] == "report"]
    assert [h["doc"] for h in heads] == sorted(seeds_by_id)
    for h in heads:
        assert all(s["role"] in ("review", "shortcomings", "plans", "duties") for s in h["sections"])
    for r in records:
        if r["type"] == "paragraph":
            assert seeds_by_id[r["doc"]]["text"][r["start"]:r["end"]] == r["text"]


def test_parse_each_seed_from_stdin_with_input_format_jsonl(seeds: list[dict]) -> None:
    for d in seeds:
        out = run(["parse", "--input-format", "jsonl", "--format", "jsonl"],
                  stdin=json.dumps(d, ensure_ascii=False) + "\n")
        assert out.returncode == 0, out.stderr
        recs = [json.loads(x) for x in out.stdout.splitlines()]
        assert recs[0]["doc"] == d["id"] and len(recs[0]["sections"]) >= 2


def test_bad_input_exits_2_with_one_line(tmp_path: Path) -> None:
    pdf = tmp_path / "report.txt"
    pdf.write_bytes(b"%PDF-1.5 not really")
    out = run(["parse", str(pdf)])
    assert out.returncode == 2
    lines = out.stderr.strip().splitlines()
    assert "report.txt: this is a PDF document" in lines[0] and "Traceback" not in out.stderr


def test_batch_reports_the_bad_file_and_finishes_the_rest(tmp_path: Path) -> None:
    missing = tmp_path / "gone.txt"
    out = run(["parse", str(EXAMPLE), str(missing), str(EXAMPLE), "--format", "jsonl"])
    assert out.returncode == 2
    docs = [json.loads(x) for x in out.stdout.splitlines() if '"type": "report"' in x]
    assert len(docs) == 2
    assert "gone.txt: no such file" in out.stderr


def test_usage_errors_exit_2() -> None:
    assert run(["parse", "--format", "xml", str(EXAMPLE)]).returncode == 2
    assert run([]).returncode == 2
    out = run(["segment", "--segmenter", "nope"])
    assert out.returncode == 2 and "invalid choice" in out.stderr


def test_segment_stdin_and_jsonl(capsys: pytest.CaptureFixture[str]) -> None:
    out = run(["segment"], stdin="深化放管服改革\n推行证照分离\n")
    assert out.returncode == 0
    assert out.stdout.splitlines() == ["深化 放管服 改革", "推行 证照分离"]
    assert main(["segment", str(EXAMPLE), "--format", "jsonl", "--segmenter", "char"]) == 0
    recs = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert recs and all(r["kind"] in ("body", "heading") for r in recs)


def test_parse_sentences_flag(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["parse", str(EXAMPLE), "--format", "jsonl", "--sentences"]) == 0
    recs = [json.loads(x) for x in capsys.readouterr().out.splitlines()[1:]]
    text = EXAMPLE.read_text(encoding="utf-8")
    for r in recs:
        for s, e in r["sentences"]:
            assert r["start"] <= s < e <= r["end"] and text[s:e].strip() == text[s:e]


# --- classify / train / evaluate -------------------------------------------


def test_classify_jsonl_records(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["classify", str(EXAMPLE), "--min-chars", "25"]) == 0
    recs = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert recs and all(len(r["text"]) >= 25 for r in recs)
    for key in ("doc", "index", "start", "end", "text", "label", "score", "function", "topics", "heading"):
        assert key in recs[0]
    text = EXAMPLE.read_text("utf-8")
    assert all(text[r["start"]:r["end"]] == r["text"] for r in recs)
    assert {"plans", "shortcomings", "deregulation"} <= {r["label"] for r in recs}


def test_classify_table_and_threshold(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["classify", str(EXAMPLE), "--format", "table", "--threshold", "1.0"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].split()[:4] == ["doc", "idx", "kind", "label"]
    assert "(abstain)" in out


def test_table_shows_kind_whole_ids_and_body_only(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # two reports whose ids share a long prefix: a table that cut ids would show them alike
    a, b = tmp_path / "zhejiang_jinhua_jindong_2023.txt", tmp_path / "zhejiang_jinhua_jindong_2024.txt"
    text = EXAMPLE.read_text("utf-8")
    a.write_text(text, "utf-8")
    b.write_text(text, "utf-8")
    assert main(["classify", str(a), str(b), "--format", "table"]) == 0
    rows = [line.split() for line in capsys.readouterr().out.splitlines()[1:]]
    assert {r[0] for r in rows} == {a.stem, b.stem}
    kinds = {r[2] for r in rows}
    assert {"body", "heading", "meta", "clutter"} <= kinds
    assert main(["classify", str(a), "--format", "table", "--body-only", "--min-chars", "25"]) == 0
    body = [line.split() for line in capsys.readouterr().out.splitlines()[1:]]
    report = gr.load_model().classify_report(a)
    # exactly the paragraphs the summaries count
    assert len(body) == sum(1 for p in report.body if len(p.text) >= 25) and {r[2] for r in body} == {"body"}


def test_empty_file_is_said_in_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    empty = tmp_path / "blank.txt"
    empty.write_bytes(b"")
    assert main(["classify", str(empty), str(EXAMPLE), "--format", "table"]) == 0
    captured = capsys.readouterr()
    assert captured.err.count("\n") == 1 and "blank.txt" in captured.err and "empty" in captured.err
    assert "qinghe_county_2024" in captured.out


def test_classify_batch_with_a_bad_file(tmp_path: Path) -> None:
    bad = tmp_path / "scan.pdf"
    bad.write_bytes(b"%PDF-1.7 binary")
    proc = run(["classify", str(bad), str(EXAMPLE), "--min-chars", "25"])
    assert proc.returncode == 2
    assert "scan.pdf" in proc.stderr and "PDF" in proc.stderr
    assert len(proc.stdout.splitlines()) > 10  # the good report was still classified


def test_classify_with_a_missing_model(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["classify", str(EXAMPLE), "--model", str(tmp_path / "none")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no such model directory" in err


@pytest.mark.slow
def test_retrain_on_seed_fine_topics_end_to_end(tmp_path: Path) -> None:
    """A new label set (the seeds' primary fine topics) trained, evaluated, saved and used from the shell."""
    gold, seeds = _seed_files()
    out = tmp_path / "topics-model"
    proc = run(["train", "--data", str(gold), "--reports", str(seeds), "--label-field", "topics", "--out", str(out)])
    assert proc.returncode == 0, proc.stderr
    assert "macro-F1" in proc.stderr and "tfidf" in proc.stderr  # evaluated with a baseline on the way
    card = (out / "MODEL_CARD.md").read_text("utf-8")
    assert "cross-validation grouped by document" in card and "| leadership |" in card
    proc = run(["classify", "--model", str(out), str(EXAMPLE), "--min-chars", "25"])
    assert proc.returncode == 0, proc.stderr
    records = [json.loads(line) for line in proc.stdout.splitlines()]
    labels = {r["label"] for r in records if r["label"] is not None}
    assert labels <= set(json.loads((out / "model.json").read_text("utf-8"))["label_set"]["labels"])
    # a label set without "other" has no label for page furniture and metadata: they are left unlabelled
    assert {r["kind"] for r in records if r["label"] is None} <= {"meta", "clutter"}
    assert {"leadership", "deregulation"} <= labels and "plans" not in labels
    proc = run(["evaluate", "--data", str(gold), "--reports", str(seeds), "--label-field", "topics", "--json",
                "--folds", "3"])
    assert proc.returncode == 0, proc.stderr
    res = json.loads(proc.stdout)
    assert res["folds"] == 3 and "tfidf" in res["baselines"] and res["model"]["confusion"]


def test_train_needs_recipe_or_data(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["train", "--out", str(tmp_path / "m")]) == 2
    assert "--recipe" in capsys.readouterr().err


def _seed_files() -> tuple[Path, Path]:
    from conftest import corpus_path

    return corpus_path("seeds_gold.jsonl"), corpus_path("seeds.jsonl")


def test_main_leaves_the_callers_garbage_collector_alone(capsys) -> None:
    import gc

    from govreport_nlp.cli import main

    frozen = gc.get_freeze_count()
    assert main(["classify", str(EXAMPLE), "--format", "table"]) == 0
    assert gc.isenabled() and gc.get_freeze_count() == frozen
    assert "qinghe" in capsys.readouterr().out


def test_import_is_light_and_everything_public_resolves() -> None:
    code = ("import sys, govreport_nlp as gr; assert 'sklearn' not in sys.modules; "
            "missing = [n for n in gr.__all__ if getattr(gr, n, None) is None]; assert not missing, missing; "
            "assert gr.model.default_model_path().is_dir() and gr.features.ParagraphFeatures is gr.ParagraphFeatures")
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)


def test_table_columns_stay_aligned_for_ids_in_chinese_and_long_ids() -> None:
    import unicodedata

    from govreport_nlp.cli import _TABLE_HEADER, format_classified

    def width(s: str) -> int:
        return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)

    model = gr.load_model()
    text = "一、工作回顾\n深化放管服改革，推行证照分离，企业开办时间压缩至1个工作日。"
    rows = [format_classified(model.classify_report(text, id=i), fmt="table").splitlines()[1]
            for i in ("city-三亚", "qinghe_county_2024")]
    kind_at = width(_TABLE_HEADER[:_TABLE_HEADER.index("kind")])
    assert all(width(r[:r.index("body")]) == kind_at for r in rows)
    long_id = "songling-county-2024-report-a-with-a-long-name"
    row = format_classified(model.classify_report(text, id=long_id), fmt="table").splitlines()[0]
    assert row.startswith(long_id + " ")  # whole, never cut


def test_the_console_script_ends_with_everything_written_and_the_right_status(tmp_path: Path) -> None:
    # run() leaves with os._exit once the output is flushed: nothing buffered may be lost on the way
    out = tmp_path / "out.jsonl"
    with open(out, "w") as fh:
        res = subprocess.run([sys.executable, "-m", "govreport_nlp", "classify", str(EXAMPLE)], stdout=fh,
                             stderr=subprocess.PIPE, text=True, timeout=120)
    assert res.returncode == 0 and res.stderr == ""
    assert out.read_text("utf-8") == run(["classify", str(EXAMPLE)]).stdout
    assert [json.loads(line)["doc"] for line in out.read_text("utf-8").splitlines()][-1] == "qinghe_county_2024"
    # what exiting normally does is still done: a caller's atexit handlers run (after the work)
    hook = ("import atexit, sys; atexit.register(lambda: sys.stderr.write('HOOK RAN\\n')); "
            "sys.argv[0] = 'govreport-nlp'; from govreport_nlp.cli import run; run()")
    res = subprocess.run([sys.executable, "-c", hook, "classify", str(EXAMPLE), "--format", "table"],
                         capture_output=True, text=True, timeout=120)
    assert res.returncode == 0 and res.stderr.endswith("HOOK RAN\n") and res.stdout.count("\n") > 5
    # a reader that stops early (| head): quiet, status 0
    proc = subprocess.Popen([sys.executable, "-m", "govreport_nlp", "classify", str(corpus_path("seeds.jsonl")),
                             "--no-progress"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.readline()
    proc.stdout.close()
    assert proc.wait(timeout=120) == 0 and b"Traceback" not in proc.stderr.read()
    if Path("/dev/full").exists():  # output that cannot be written: said, and not status 0
        with open("/dev/full", "w") as full:
            res = subprocess.run([sys.executable, "-m", "govreport_nlp", "classify", str(EXAMPLE)], stdout=full,
                                 stderr=subprocess.PIPE, text=True, timeout=120)
        assert res.returncode == 2 and "No space left" in res.stderr
