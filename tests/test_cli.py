"""The command line: parse and segment, formats, exit codes, batches."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import EXAMPLE
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
