"""HTML pages: main text kept, scripts/styles/navigation dropped, provenance kept."""

from __future__ import annotations

import html
from pathlib import Path

from govreport_nlp import parse
from govreport_nlp.htmltext import html_to_text, looks_like_html

PAGE = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>清河县2024年法治政府建设情况报告</title>
<meta name="PubDate" content="2025-03-18 09:30">
<style>.x{color:red}</style><script>var tracker = "一、不是标题";</script></head>
<body>
<div class="top-nav"><a href="/">首页</a> | <a href="/gk">政务公开</a></div>
<div class="breadcrumb">当前位置：<a href="/">首页</a> &gt; 法治政府</div>
<div id="zoom">
<p>一、主要举措和成效</p>
<p>（一）深化&ldquo;放管服&rdquo;改革。推行企业开办一网通办，
全流程办理时间压缩至1个工作日以内。</p>
<p>二、存在的问题</p><p>基层执法人员数量不足，专业能力有待提高，规范性文件审查质量还需提升。</p>
</div>
<div class="share"><a>微信</a><a>微博</a></div>
<div class="footer">版权所有：清河县人民政府</div>
</body></html>"""


def test_page_text_without_furniture() -> None:
    out = html_to_text(PAGE)
    assert out.text.splitlines() == [
        "一、主要举措和成效",
        "（一）深化“放管服”改革。推行企业开办一网通办，全流程办理时间压缩至1个工作日以内。",
        "二、存在的问题",
        "基层执法人员数量不足，专业能力有待提高，规范性文件审查质量还需提升。",
    ]
    assert out.meta == {"title": "清河县2024年法治政府建设情况报告", "date": "2025-03-18 09:30"}


def test_each_line_points_back_into_the_page() -> None:
    out = html_to_text(PAGE)
    for line, (s, e) in zip(out.text.splitlines(), out.line_spans):
        raw = html.unescape(PAGE[s:e]).replace("\n", "")
        assert line[:6] in raw


def test_report_from_html_file_has_structure_and_metadata(tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    path.write_bytes(PAGE.encode("gb18030"))
    report = parse(path)
    assert report.format == "html" and report.encoding == "gb18030"
    assert report.metadata.title == "清河县2024年法治政府建设情况报告"
    assert report.metadata.date == "2025-03-18"
    assert [s.role for s in report.sections] == ["review", "shortcomings"]
    assert all(p.source_span is not None for p in report.paragraphs)


def test_html_is_detected_without_a_suffix(tmp_path: Path) -> None:
    path = tmp_path / "saved_page.txt"
    path.write_text(PAGE, encoding="utf-8")
    assert parse(path).format == "html"
    assert not looks_like_html("一、工作回顾\n< 不是标签 >")


def test_real_seed_wrapped_in_html_keeps_its_paragraphs(seeds: list[dict]) -> None:
    for d in seeds:
        plain = parse(d["text"])
        body = "".join(f"<p>{html.escape(line)}</p>\n" for line in d["text"].split("\n"))
        page = f"<html><head><script>x=1</script></head><body><div class='nav'><a>首页</a></div>{body}</body></html>"
        wrapped = parse(page)
        assert [p.text for p in wrapped.body] == [p.text for p in plain.body], d["id"]
        assert [s.role for s in wrapped.sections] == [s.role for s in plain.sections]


def test_malformed_and_deeply_nested_html_does_not_break() -> None:
    deep = "<div>" * 20000 + "<p>依法行政" + "</span></td>" * 50
    assert html_to_text(deep).text == "依法行政"
    broken = "<p>第一段<p>第二段<b>加粗</i></p><<>>&bogus; <script>never closed"
    assert html_to_text(broken).text.splitlines()[:2] == ["第一段", "第二段加粗"]
