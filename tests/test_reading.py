"""Reading: encodings, binary and empty input, JSONL corpora, batches."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from govreport_nlp import parse
from govreport_nlp.errors import BinaryInputError, DecodingError, InputError
from govreport_nlp.reading import Failure, decode_bytes, iter_documents, iter_jsonl, read_document

SAMPLE = "一、工作回顾\n全年办理行政复议案件58件，调解和解率明显提高。\n二、下一步工作打算\n持续深化诉源治理。\n"


@pytest.mark.parametrize(
    "codec, expected",
    [
        ("utf-8", "utf-8"),
        ("utf-8-sig", "utf-8-sig"),
        ("utf-16", None),  # with BOM; le or be per platform
        ("utf-16-le", "utf-16-le"),
        ("utf-16-be", "utf-16-be"),
        ("gbk", "gb18030"),
        ("gb18030", "gb18030"),
    ],
)
def test_encodings_are_detected_and_recorded(tmp_path: Path, codec: str, expected: str | None) -> None:
    path = tmp_path / f"report-{codec}.txt"
    path.write_bytes(SAMPLE.encode(codec))
    doc = read_document(path)
    assert doc.text == SAMPLE
    if expected:
        assert doc.encoding == expected
    else:
        assert doc.encoding in ("utf-16-le", "utf-16-be")


def test_real_seed_in_legacy_encodings_round_trips(tmp_path: Path, seeds: list[dict]) -> None:
    for d in seeds:
        for codec in ("gb18030", "utf-16-le", "utf-8-sig"):
            path = tmp_path / f"{d['id']}.{codec}.txt"
            path.write_bytes(d["text"].encode(codec))
            doc = read_document(path)
            assert doc.text == d["text"], (d["id"], codec)


def test_big5_text_is_decoded_by_the_fallback_detector() -> None:
    text = "本縣推進依法行政，加強行政執法監督，全面落實行政執法三項制度。" * 5
    decoded, codec = decode_bytes(text.encode("big5"))
    assert decoded == text
    assert codec.lower().replace("-", "").replace("_", "") in ("big5", "big5hkscs", "cp950")


@pytest.mark.parametrize(
    "payload, what",
    [
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "PDF"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "PNG"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "JPEG"),
        (b"PK\x03\x04\x14\x00\x06\x00", "ZIP"),
        (b"\x00\x01\x02\x03binary\x00\x00\xff\xfe\xfd" * 20, "NUL"),
    ],
)
def test_binary_files_are_refused_with_the_file_name(tmp_path: Path, payload: bytes, what: str) -> None:
    path = tmp_path / "renamed.txt"
    path.write_bytes(payload)
    with pytest.raises(BinaryInputError) as err:
        read_document(path)
    message = str(err.value)
    assert "renamed.txt" in message and what in message
    assert "\n" not in message


def test_undecodable_bytes_raise_decoding_error() -> None:
    with pytest.raises(DecodingError):
        decode_bytes(bytes(range(0x80, 0x100)) * 50, name="junk.txt")


@pytest.mark.parametrize("content", [b"", b"   \n\n\t  \r\n", "\u3000\u3000\n".encode("utf-8")])
def test_empty_input_gives_no_paragraphs_and_a_warning(tmp_path: Path, content: bytes,
                                                     caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "empty.txt"
    path.write_bytes(content)
    with caplog.at_level("WARNING", logger="govreport_nlp"):
        report = parse(path)
    assert report.paragraphs == []
    assert any("empty" in w for w in report.warnings)
    assert any("empty" in r.message for r in caplog.records)


def test_missing_file_and_directory_are_clear_input_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        read_document(tmp_path / "nope.txt")
    with pytest.raises(InputError, match="directory"):
        read_document(tmp_path)


def test_jsonl_bad_lines_are_reported_and_the_rest_is_read(tmp_path: Path) -> None:
    path = tmp_path / "corpus.jsonl"
    lines = [
        json.dumps({"id": "a", "text": SAMPLE, "region": "清河"}, ensure_ascii=False),
        "{not json",
        json.dumps({"id": "b"}),
        json.dumps({"id": "c", "text": "第二份报告的正文。"}, ensure_ascii=False),
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    items = list(iter_jsonl(path))
    assert [type(i).__name__ for i in items] == ["Document", "Failure", "Failure", "Document"]
    assert items[0].meta == {"region": "清河"}
    assert "corpus.jsonl:2" in items[1].message and "corpus.jsonl:3" in items[2].message


def test_batch_with_one_bad_file_reads_the_others(tmp_path: Path) -> None:
    good1 = tmp_path / "a.txt"
    good1.write_text(SAMPLE, encoding="utf-8")
    bad = tmp_path / "b.txt"
    bad.write_bytes(b"%PDF-1.4 fake")
    good2 = tmp_path / "c.txt"
    good2.write_bytes(SAMPLE.encode("gbk"))
    items = list(iter_documents([good1, bad, tmp_path / "missing.txt", good2]))
    assert [isinstance(i, Failure) for i in items] == [False, True, True, False]
    assert items[3].encoding == "gb18030"


def test_folder_is_expanded_when_asked(tmp_path: Path) -> None:
    (tmp_path / "x.txt").write_text(SAMPLE, encoding="utf-8")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "y.txt").write_text(SAMPLE, encoding="utf-8")
    docs = list(iter_documents([tmp_path], expand_dirs=True))
    assert sorted(d.id for d in docs) == ["x", "y"]
    assert isinstance(next(iter_documents([tmp_path])), Failure)


def test_parse_accepts_bytes_paths_and_text_alike(tmp_path: Path) -> None:
    path = tmp_path / "r.txt"
    path.write_bytes(SAMPLE.encode("gbk"))
    from_path = parse(path, meta={"region": "清河"})
    from_str_path = parse(str(path))
    from_bytes = parse(SAMPLE.encode("gbk"), id="b")
    from_text = parse(SAMPLE)
    assert from_path.encoding == from_str_path.encoding == from_bytes.encoding == "gb18030"
    assert from_path.metadata.extra == {"region": "清河"} and from_bytes.id == "b"
    assert [p.text for p in from_path.paragraphs] == [p.text for p in from_text.paragraphs]
    with pytest.raises(InputError, match="cannot read a int"):
        parse(42)  # type: ignore[arg-type]


@pytest.mark.parametrize("typo", ["reports/jinhua_2023", "./reprots/", "/data/reports/x", "reports\\jinhua.txt",
                                  "missing_report.html"])
def test_a_mistyped_path_is_no_such_file_everywhere(typo: str) -> None:
    import govreport_nlp as gr

    assert gr.looks_like_path(typo)
    with pytest.raises(InputError, match="no such file"):
        parse(typo)
    with pytest.raises(InputError, match="no such file"):
        gr.load_model().classify_report(typo)
    failures = [r for r in gr.classify_many([typo]) if isinstance(r, gr.Failure)]
    assert len(failures) == 1 and "no such file" in failures[0].message


@pytest.mark.parametrize("text", ["全年办理复议案件十二件。", "网上可办率98%/全年办件1.2万件。", "依法行政",
                                  "一、工作回顾\n推行证照分离。"])
def test_report_text_is_text(text: str) -> None:
    from govreport_nlp import looks_like_path

    assert not looks_like_path(text)
    assert parse(text).paragraphs


def test_the_joined_clutter_pattern_matches_where_one_of_the_patterns_does(seeds: list[dict]) -> None:
    # mark_lines asks the joined pattern first and the list only when it matched: they must agree on every line
    from govreport_nlp.cleaning import _ANY_CLUTTER, _CLUTTER_PATTERNS

    lines = [line for d in seeds for line in d["text"].splitlines()][:400] + [
        "当前位置：首页 > 政务公开", "首页 | 新闻", "扫一扫在手机打开", "COPYRIGHT 2024 某某县人民政府", "copyright ©",
        "【打印本页】【关闭窗口】", "上一篇：关于印发通知", "浏览次数：128", "----", "分享到：", "二维码",
        "建议使用IE9以上浏览器", "主办：某某县人民政府办公室", "各位代表：", ""]
    for t in lines:
        assert bool(_ANY_CLUTTER.search(t)) == any(p.search(t) for p, _ in _CLUTTER_PATTERNS), t
