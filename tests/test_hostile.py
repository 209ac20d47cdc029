"""Hostile input: what users really throw at the library.

Each case gives a result or a clear one-line error, never a hang (every test
here has a timeout), and never takes other documents of the same run down with
it. The reports are built from the bundled example (our own writing).
"""

from __future__ import annotations

import math
import re
import subprocess
import sys
import zlib
from pathlib import Path
from typing import Iterator

import pytest

import govreport_nlp as gr
from govreport_nlp import cli
from govreport_nlp.batch import count_sources
from govreport_nlp.errors import BinaryInputError, InputError
from govreport_nlp.reading import Source, iter_file_parts, iter_sources

from conftest import EXAMPLE

pytestmark = pytest.mark.timeout(120)

TEXT = EXAMPLE.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def model() -> gr.Model:
    return gr.load_model().prepare()


def _png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return len(data).to_bytes(4, "big") + kind + data + zlib.crc32(kind + data).to_bytes(4, "big")
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", (1).to_bytes(4, "big") * 2 + b"\x08\x02\x00\x00\x00")
            + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00")) + chunk(b"IEND", b""))


def _vm_hwm_kib(status: str) -> int:
    m = re.search(r"VmHWM:\s*(\d+) kB", status)
    assert m, status
    return int(m.group(1))


# --- size --------------------------------------------------------------------------

@pytest.mark.slow
@pytest.mark.timeout(420)
@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="peak memory is read from /proc (Linux)")
def test_100_mb_file_is_classified_in_parts_with_bounded_memory_and_progress(tmp_path: Path) -> None:
    big = tmp_path / "big.txt"
    copies = 100 * 2**20 // len(TEXT.encode("utf-8")) + 1
    with open(big, "w", encoding="utf-8") as fh:
        for _ in range(copies):
            fh.write(TEXT)
    size = big.stat().st_size
    parts = math.ceil(size / gr.reading.PART_BYTES)
    out = tmp_path / "out.tsv"
    # the command as a user runs it, in a process of its own whose peak resident memory (VmHWM) we read
    code = ("import sys; from govreport_nlp.cli import main; "
            f"c = main(['classify', {str(big)!r}, '--format', 'table', '--progress']); "
            "sys.stderr.write(open('/proc/self/status').read()); sys.exit(c)")
    with open(out, "w", encoding="utf-8") as stdout:
        r = subprocess.run([sys.executable, "-c", code], stdout=stdout, stderr=subprocess.PIPE, text=True,
                           timeout=400)
    assert r.returncode == 0, r.stderr[-2000:]
    assert f"{parts}/{parts}" in r.stderr  # the progress bar counted every part
    peak_mib = _vm_hwm_kib(r.stderr) / 1024
    # reading the file whole would take several GiB; in parts it stays under the model plus one part
    assert peak_mib < 1024, f"peak {peak_mib:.0f} MiB"
    ids = set()
    lines = 0
    with open(out, encoding="utf-8") as fh:
        next(fh)  # header
        for line in fh:
            ids.add(line.split()[0])
            lines += 1
    assert ids == {f"big#{k}" for k in range(1, parts + 1)}
    assert lines >= copies * 20  # every paragraph of every copy came out


@pytest.mark.parametrize("codec", ["utf-8", "gb18030", "utf-16-le", "utf-16"])
@pytest.mark.parametrize("newlines", [True, False])
def test_parts_put_the_file_back_together(tmp_path: Path, codec: str, newlines: bool) -> None:
    text = TEXT * 40 if newlines else (TEXT * 40).replace("\n", "")
    path = tmp_path / "r.txt"
    path.write_bytes(text.encode(codec))
    part_bytes = 8192
    parts = list(iter_file_parts(path, part_bytes=part_bytes))
    assert len(parts) == math.ceil(path.stat().st_size / part_bytes)
    docs = [s.load() for s in parts]
    assert "".join(d.text for d in docs) == text  # nothing lost or doubled at a boundary
    assert [d.meta["char_offset"] for d in docs] == [sum(len(d.text) for d in docs[:k]) for k in range(len(docs))]
    for d in docs[:-1]:  # parts end at a line break, or without line breaks at a sentence end
        assert d.text.endswith("\n" if newlines else "。")
    assert all(d.warnings and "parts" in d.warnings[0] for d in docs)


def test_undecodable_bytes_deep_in_a_large_file_are_replaced_and_reported(tmp_path: Path) -> None:
    data = bytearray((TEXT * 40).encode("utf-8"))
    data[len(data) // 2: len(data) // 2 + 2] = b"\xff\xfe"
    path = tmp_path / "r.txt"
    path.write_bytes(bytes(data))
    docs = [s.load() for s in iter_file_parts(path, part_bytes=8192)]
    flagged = [d for d in docs if any("replaced with U+FFFD" in w for w in d.warnings)]
    assert len(flagged) == 1 and "\ufffd" in flagged[0].text
    assert sum(len(d.text) for d in docs) > len(TEXT) * 39


def test_large_files_are_split_by_the_batch_reader(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(gr.reading, "LARGE_FILE_BYTES", 4096)
    monkeypatch.setattr(gr.reading, "PART_BYTES", 4096)
    big, small = tmp_path / "big.txt", tmp_path / "small.txt"
    big.write_text(TEXT * 10, encoding="utf-8")
    small.write_text(TEXT[:500], encoding="utf-8")
    expected = math.ceil(big.stat().st_size / 4096)
    assert count_sources([big, small]) == expected + 1  # counted without reading
    items = list(iter_sources([big, small]))
    assert [s.kind for s in items if isinstance(s, Source)] == ["part"] * expected + ["file"]


def test_a_file_with_no_line_breaks_is_cut_at_sentence_ends(tmp_path: Path, model: gr.Model) -> None:
    path = tmp_path / "flat.txt"
    flat = (TEXT * 30).replace("\n", "")
    path.write_text(flat, encoding="utf-8")
    report = model.classify_report(path)
    assert len(report.paragraphs) > 30
    for p in report.paragraphs:
        assert report.text[p.start:p.end] == p.text and p.prediction is not None
        assert len(p.text) <= gr.cleaning.PIECE_CHARS
        assert p.prediction.label in model.label_set.labels
    # nothing lost: the pieces put the line back together, and each (but the last) ends a sentence
    assert "".join(p.text for p in report.paragraphs) == flat.strip()
    assert all(p.text[-1] in "。！？；!?;" for p in report.paragraphs[:-1])
    assert len(report.warnings) == 1 and "flat" in report.warnings[0] and "sentence ends" in report.warnings[0]


@pytest.mark.slow
@pytest.mark.timeout(300)
@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="peak memory is read from /proc (Linux)")
def test_a_20_mb_file_without_line_breaks_through_the_python_api(tmp_path: Path) -> None:
    # varied sentences (a repeated one would be scored once): the featurizer sees 20 MB of distinct text
    rng = __import__("random").Random(0)
    sentences = [s for s in re.split(r"(?<=。)", TEXT.replace("\n", "")) if s]
    big = tmp_path / "flat20.txt"
    with open(big, "w", encoding="utf-8") as fh:
        size = 0
        while size < 20 * 2**20:
            s = rng.choice(sentences).replace("全年", f"第{rng.randint(1, 99999)}年", 1)
            fh.write(s)
            size += len(s.encode("utf-8"))
    code = ("import sys, govreport_nlp as gr; r = gr.load_model().classify_report(sys.argv[1]); "
            "print(len(r.paragraphs), max(len(p.text) for p in r.paragraphs), len(r.warnings)); "
            "sys.stderr.write(open('/proc/self/status').read())")
    r = subprocess.run([sys.executable, "-c", code, str(big)], capture_output=True, text=True, timeout=280)
    assert r.returncode == 0, r.stderr[-2000:]
    n, longest, warnings = map(int, r.stdout.split())
    assert n > 5_000 and longest <= gr.cleaning.PIECE_CHARS and warnings == 1
    peak_mib = _vm_hwm_kib(r.stderr) / 1024
    assert peak_mib < 800, f"peak {peak_mib:.0f} MiB"


@pytest.mark.parametrize("content", ["法", "a", "。", "\n", " ", "\u3000", "1"])
def test_one_character_files_give_a_result(tmp_path: Path, model: gr.Model, content: str) -> None:
    path = tmp_path / "one.txt"
    path.write_text(content, encoding="utf-8")
    report = model.classify_report(path)
    assert len(report.paragraphs) <= 1
    for p in report.paragraphs:
        assert p.prediction is not None and p.prediction.label in model.label_set.labels


# --- HTML ---------------------------------------------------------------------------

def test_deeply_nested_and_malformed_html_is_classified(tmp_path: Path, model: gr.Model) -> None:
    body = "".join(f"<p>{line}</p>" for line in TEXT.splitlines() if line.strip())
    pages = {
        "deep.html": "<html><body>" + "<div><span>" * 50_000 + body + "</td>" * 1000,
        "broken.html": "<html><body><p>" + body.replace("</p>", "<br") + "<!-- never closed <script>x(",
        "tags.html": "<" * 10_000 + body + ">" * 10_000 + "&#99999999;&#x110000;&bogus;",
    }
    for name, page in pages.items():
        path = tmp_path / name
        path.write_text(page, encoding="utf-8")
        report = model.classify_report(path)
        assert report.format == "html", name
        assert "行政复议" in report.text, name
        for p in report.paragraphs:
            assert report.text[p.start:p.end] == p.text


# --- not text, not a file, not there ---------------------------------------------------

BINARIES = {
    "scan.txt": (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n", "PDF"),
    "photo.txt": (_png(), "PNG"),
    "photo2.txt": (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(256)) * 4, "JPEG"),
    "report.docx.txt": (b"PK\x03\x04\x14\x00\x06\x00" + bytes(range(256)) * 4, "ZIP"),
    "noise.txt": (bytes(range(256)) * 64, "binary"),
}


@pytest.mark.parametrize("name", sorted(BINARIES))
def test_binary_files_renamed_txt_are_refused_in_one_sentence(tmp_path: Path, name: str) -> None:
    data, what = BINARIES[name]
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(BinaryInputError) as exc:
        gr.parse(path)
    msg = str(exc.value)
    assert name in msg and what in msg and "\n" not in msg


def test_a_directory_or_a_missing_file_passed_as_a_file(tmp_path: Path, model: gr.Model) -> None:
    with pytest.raises(InputError, match="is a directory"):
        gr.parse(tmp_path)
    with pytest.raises(InputError, match="is a directory"):
        model.classify_report(str(tmp_path))
    with pytest.raises(InputError, match="no such file"):
        gr.parse(str(tmp_path / "typo.txt"))  # a mistyped name is not taken for a one-line report


def test_a_file_that_vanishes_before_it_is_read(tmp_path: Path, model: gr.Model) -> None:
    paths = [tmp_path / f"{c}.txt" for c in "abc"]
    for p in paths:
        p.write_text(TEXT, encoding="utf-8")

    def inputs() -> Iterator[Path]:  # b is listed, then deleted before it is read
        yield paths[0]
        paths[1].unlink()
        yield paths[1]
        yield paths[2]

    out = list(gr.classify_many(inputs(), model))
    assert [type(o).__name__ for o in out] == ["Report", "Failure", "Report"]
    assert "b.txt: no such file" in out[1].message


def test_a_large_file_cut_short_while_being_read(tmp_path: Path) -> None:
    path = tmp_path / "r.txt"
    path.write_text(TEXT * 40, encoding="utf-8")
    parts = iter_file_parts(path, part_bytes=8192)
    first = next(parts)
    path.write_bytes(b"")  # truncated (or replaced) mid-read: what was read is kept, reading stops
    rest = list(parts)
    assert first.load().text and len(rest) <= 1


# --- a whole batch -----------------------------------------------------------------------

@pytest.mark.timeout(180)
@pytest.mark.parametrize("jobs", [1, 2])
def test_one_batch_with_every_kind_of_bad_input(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                jobs: int) -> None:
    good = []
    for name, content in {"a.txt": TEXT, "b.html": f"<p>{TEXT}</p>", "one.txt": "法",
                          "flat.txt": TEXT.replace("\n", "")}.items():
        (tmp_path / name).write_text(content, encoding="utf-8")
        good.append(str(tmp_path / name))
    gbk = tmp_path / "gbk.txt"
    gbk.write_bytes(TEXT.encode("gbk"))
    good.append(str(gbk))
    bad = []
    for name, (data, _) in BINARIES.items():
        (tmp_path / name).write_bytes(data)
        bad.append(str(tmp_path / name))
    bad.append(str(tmp_path / "missing.txt"))
    corpus = tmp_path / "c.jsonl"
    corpus.write_text('{"id": "ok", "text": "全年办理行政复议案件十二件。"}\n{broken\n', encoding="utf-8")
    args = ["classify", "--format", "table", "--jobs", str(jobs), *bad[:3], *good, *bad[3:], str(corpus)]
    assert cli.main(args) == 2
    out, err = capsys.readouterr()
    skipped = [line for line in err.splitlines() if "skipped:" in line]
    assert len(skipped) == len(bad) + 1  # every bad file and the broken JSONL line, one line each
    assert "Traceback" not in err
    docs = {line.split()[0] for line in out.splitlines()[1:]}
    assert docs == {"a", "b", "one", "flat", "gbk", "ok"}
