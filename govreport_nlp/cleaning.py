"""Page clutter and report metadata.

Reports copied from government web sites carry the site around them: breadcrumbs
(``首页 >> 政务公开``), metadata tables (索引号, 发布机构, 发布日期, 文号), counters
(访问次数), font-size and print buttons, share bars (扫一扫), login links (用户登录).
This module marks such lines as ``meta`` (worth keeping: extracted into
:class:`~govreport_nlp.document.Metadata`) or ``clutter`` (dropped from
classification) so that only report content reaches a classifier. It never
deletes text: every line keeps its offsets, and its mark says what it is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Mapping, Sequence

from .document import Metadata

__all__ = ["MAX_LINE_CHARS", "PIECE_CHARS", "Line", "LineMark", "extract_metadata", "mark_lines", "normalize_date",
           "looks_like_furniture", "overlong_lines", "split_lines"]

# line breaks: \n (the corpus's paragraph separator), plus \r\n, \r and the
# Unicode line/paragraph separators that some exported files use
_LINE_BREAK = re.compile(r"\r\n|[\n\r\u2028\u2029]")
_STRIP = " \t\f\v\r\u00a0\u3000\ufeff\u200b"


@dataclass(frozen=True)
class Line:
    """A non-blank line: its stripped text and offsets into the document text.

    Examples
    --------
    >>> from govreport_nlp.cleaning import split_lines
    >>> split_lines("  一、工作回顾  \\n\\n全年办理复议案件。")
    [Line(index=0, start=2, end=8, text='一、工作回顾'), Line(index=1, start=12, end=21, text='全年办理复议案件。')]
    """

    index: int
    """Position among the document's non-blank lines."""
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class LineMark:
    """What :func:`mark_lines` found a line to be (``meta`` or ``clutter``).

    Examples
    --------
    >>> from govreport_nlp.cleaning import mark_lines, split_lines
    >>> mark_lines(split_lines("发布日期：2025-03-18\\n全年办理复议案件十二件。\\n扫一扫在手机打开当前页"))
    [LineMark(kind='meta', note='field'), None, LineMark(kind='clutter', note='share')]
    """

    kind: str
    note: str


#: A line longer than this is not one paragraph (the longest paragraph of the seeds and work reports has
#: 2,162 characters; longer lines are whole reports saved without line breaks): it is cut at sentence ends.
MAX_LINE_CHARS = 3000
#: The pieces an overlong line is cut into are at most this long.
PIECE_CHARS = 1000
_PIECE_END = re.compile(r"[。！？；!?;]")


def split_lines(text: str) -> list[Line]:
    """Non-blank lines of ``text`` with whitespace stripped, as offset spans.

    A line over :data:`MAX_LINE_CHARS` characters is cut after sentence ends into
    pieces of at most :data:`PIECE_CHARS` characters (where a piece has no sentence
    end it is cut at that length); :func:`overlong_lines` says how many were.

    Examples
    --------
    >>> [(l.start, l.end, l.text) for l in split_lines("  一、回顾\\n\\n正文。 ")]
    [(2, 6, '一、回顾'), (8, 11, '正文。')]
    >>> [len(l.text) for l in split_lines("推行证照分离。" * 500)]
    [994, 994, 994, 518]
    """
    lines: list[Line] = []
    pos = 0
    n = len(text)
    while pos <= n:
        m = _LINE_BREAK.search(text, pos)
        end = m.start() if m else n
        raw = text[pos:end]
        stripped = raw.strip(_STRIP)
        if stripped and not stripped.isspace():
            # str.strip() also knows other Unicode spaces; use it for the final trim
            lead = len(raw) - len(raw.lstrip(_STRIP))
            s = pos + lead
            e = s + len(stripped)
            inner = text[s:e].strip()
            if inner:
                off = text[s:e].index(inner)
                if len(inner) > MAX_LINE_CHARS:
                    for a, b in _pieces(inner):
                        lines.append(Line(len(lines), s + off + a, s + off + b, inner[a:b]))
                else:
                    lines.append(Line(len(lines), s + off, s + off + len(inner), inner))
        if not m:
            break
        pos = m.end()
    return lines


def _pieces(line: str) -> list[tuple[int, int]]:
    """Spans that cut an overlong line after sentence ends, each at most PIECE_CHARS long, none blank."""
    out: list[tuple[int, int]] = []
    start, n = 0, len(line)
    while start < n:
        stop = min(start + PIECE_CHARS, n)
        if stop < n:
            ends = [m.end() for m in _PIECE_END.finditer(line, start, stop)]
            if ends:
                stop = ends[-1]
        a, b = start, stop
        while a < b and line[a].isspace():
            a += 1
        while b > a and line[b - 1].isspace():
            b -= 1
        if b > a:
            out.append((a, b))
        start = stop
    return out


def overlong_lines(text: str, lines: Sequence[Line]) -> tuple[int, int]:
    """How many overlong lines :func:`split_lines` cut in ``text``, and into how many pieces in all.

    The pieces of a cut line follow each other with no line break between them.

    Examples
    --------
    >>> t = "短句。\\n" + "推行证照分离。" * 500
    >>> overlong_lines(t, split_lines(t))
    (1, 4)
    """
    cut = pieces = 0
    in_run = False
    for a, b in zip(lines, lines[1:]):
        same_line = _LINE_BREAK.search(text, a.end, b.start) is None
        if same_line:
            pieces += 1 if in_run else 2
            cut += 0 if in_run else 1
        in_run = same_line
    return cut, pieces


# --------------------------------------------------------------------------
# field names of government-site metadata blocks
# --------------------------------------------------------------------------

_FIELDS: dict[str, str | None] = {
    "索引号": "index_number", "信息索引号": "index_number", "索取号": "index_number",
    "发布机构": "issuer", "发文机关": "issuer", "发布单位": "issuer", "发文单位": "issuer",
    "信息来源": "issuer", "来源": "issuer", "发布部门": "issuer", "发布主体": "issuer",
    "发布日期": "date", "公开日期": "date", "发布时间": "date", "成文日期": "date",
    "生成日期": "date", "印发日期": "date", "公开时间": "date",
    "文号": "document_number", "发文字号": "document_number", "文件编号": "document_number",
    "标题": "title", "名称": "title", "文件名称": "title",
    "信息分类": "category", "主题分类": "category", "组配分类": "category", "体裁分类": "genre",
    "公开方式": "disclosure", "公开范围": "disclosure", "审核程序": "review_procedure",
    "时效": "validity", "有效性": "validity", "效力状态": "validity", "关键词": "keywords",
    "主题词": "keywords", "访问次数": None, "浏览次数": None, "阅读次数": None, "点击数": None,
    "字体": None, "字号": None, "作者": "author", "责任编辑": None, "编辑": None,
}
# allow spaces inside a field name ("索 引 号"), longest names first
_FIELD_ALT = "|".join(
    r"\s*".join(map(re.escape, name)) for name in sorted(_FIELDS, key=len, reverse=True)
)
_FIELD_RE = re.compile(rf"(?:^|(?<=[\s|｜•·【\[]))({_FIELD_ALT})\s*[:：]")
_FIELD_LINE = re.compile(rf"^[\s•·●▪|｜【\[]*(?:{_FIELD_ALT})\s*[:：]")

_DATE = re.compile(r"((?:19|20)\d{2})\s*[-年/.]\s*(\d{1,2})\s*[-月/.]\s*(\d{1,2})\s*日?")
_DATE_ONLY = re.compile(r"^(?:19|20)\d{2}\s*[-年/.]\s*\d{1,2}\s*[-月/.]\s*\d{1,2}\s*日?(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?$")
# a bracketed note of who and when: （峤南县人民政府　2020年1月）, （2024年1月29日在…人民代表大会…会议上）
_DATED_NOTE = re.compile(r"^[（(][^（()）]{0,60}(?:19|20)\d{2}\s*年\s*\d{1,2}\s*月[^（()）]{0,60}[)）]$")
_INDEX_NUMBER = re.compile(r"^[0-9A-Za-z]{6,}\s*[/-]\s*\d{4}\s*-\s*\d+$")
_DISCLOSURE_VALUES = frozenset(
    "主动公开 依申请公开 不予公开 单位审核公开 部门审核公开 有效 现行有效 已废止 废止 失效 已失效 是 否".split()
)
_ISSUER_END = re.compile(r"(?:人民政府|政府|办公室|办公厅|委员会|管委会|管理委员会|局|厅|委|办|乡|镇|街道|县|区|市|省|司法所)$")

# one page button or tool, as the compact line (brackets and spaces dropped) spells it
_TOOL = (r"(?:打印(?:本页|此页|文章|本文|页面)?|关闭(?:窗口|本页|页面)?|收藏(?:本页)?|加入收藏|我要收藏|"
         r"分享(?:到|至)?|一键分享|返回(?:顶部|首页|列表)?|回到顶部|顶部|纠错|我要纠错|保存(?:本页)?|"
         r"(?:字体|字号|文字大小)[:：]?|大|中|小|默认|放大|缩小|朗读|[|｜/·•:：])")
# page furniture, as whole-line patterns (after dropping brackets and spaces)
_CLUTTER_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^[|｜\s\-—_=*·•]*$"), "table rule"),
    (re.compile(r"(?:当前位置|您的位置|您现在的位置|所在位置|当前的位置)"), "navigation"),
    (re.compile(r"^(?:首页|网站首页|主页)(?:$|\s*[>＞»›]|\s*[|｜/])"), "navigation"),
    (re.compile(r"^(?:[^>＞»]{1,12}\s*(?:>>|[>＞»›])\s*){2,}[^>＞»]{0,30}$"), "navigation"),
    (re.compile(r"^>>"), "navigation"),
    (re.compile(r"^(?:扫一扫|微信扫一扫|手机扫一扫|扫描二维码|用手机扫描)"), "share"),
    (re.compile(r"^(?:分享到|分享至|一键分享|分享)[:：]?"), "share"),
    (re.compile(r"^(?:微信|微博|QQ空间|QQ|新浪微博|腾讯微博|人人网|豆瓣|复制链接)$"), "share"),
    (re.compile(r"^(?:字体|字号)[:：]?(?:大中小|大小|默认|\[|【|\(|（|$)"), "page tools"),
    (re.compile(r"^(?:打印|打印本页|打印此页|打印文章|关闭|关闭窗口|关闭本页|收藏|加入收藏|返回|返回顶部|回到顶部|顶部|"
                r"上一篇|下一篇|上一条|下一条|保存|保存本页|纠错|我要纠错|朗读|无障碍|无障碍浏览|长者模式|"
                r"用户登录|登录|注册|立即注册|还没有账号[?？]?|忘记密码[?？]?|退出|搜索|站内搜索|"
                r"相关解读|相关政策|相关稿件|相关链接|相关文件|相关新闻|政策解读|图解|【?打印】?)$"), "page tools"),
    # a bar of page buttons, however they are bracketed or spaced: 【打印本页】【关闭窗口】, 打印 | 收藏 | 分享到
    (re.compile(rf"^(?:{_TOOL})+$"), "page tools"),
    (re.compile(r"^(?:上一篇|下一篇|上一条|下一条|上一页|下一页)[:：]"), "page tools"),
    (re.compile(r"^(?:相关链接|相关解读|相关稿件|相关文件|相关新闻|相关阅读|相关文章|相关附件|相关政策)[:：]"), "page tools"),
    (re.compile(r"^(?:(?:微信|手机|用手机)?扫(?:一扫|码)|手机(?:扫码)?(?:阅读|访问|浏览)|二维码$)"), "share"),
    (re.compile(r"^(?:访问次数|浏览次数|阅读次数|点击数|点击量|阅读量|浏览量|访问量|访问人数|总访问量|今日访问|"
                r"您是第\d+位访问者)"), "counter"),
    (re.compile(r"(?:版权所有|Copyright|©|ICP备|ICP证|备案号|网站标识码|公网安备|网站地图|联系我们|技术支持[:：]|"
                r"主办单位[:：]|承办单位[:：]|协办单位[:：]|建议使用.*浏览器|分辨率)", re.I), "footer"),
    (re.compile(r"^(?:主办|承办|协办|维护|运维)[:：]"), "footer"),
)
_BRACKETS = re.compile(r"[【】\[\]（）()〔〕<>《》\s|｜]")
# a line of report prose: long enough and punctuated like a sentence
_PROSE = re.compile(r"[。；！？，,;]")
_REPORT_WORDS = re.compile(r"(?:报告|总结|汇报|情况|工作要点|通报)")
_HEADING_START = re.compile(r"^(?:第[一二三四五六七八九十]+(?:部分|章)|[一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十\d]+[)）]|\d{1,2}[、.．](?!\d))")


def normalize_date(value: str) -> str | None:
    """The first date in ``value`` as ``YYYY-MM-DD``, or None.

    Examples
    --------
    >>> normalize_date("发布日期：2023年2月13日 14:57")
    '2023-02-13'
    """
    m = _DATE.search(value)
    if not m:
        return None
    y, mo, d = (int(g) for g in m.groups())
    if not (1 <= mo <= 12 and 1 <= d <= 31):
        return None
    return f"{y:04d}-{mo:02d}-{d:02d}"


def _fields_in(text: str) -> list[tuple[str, str]]:
    """(field name, value) pairs in a metadata line; values may be empty."""
    matches = list(_FIELD_RE.finditer(text))
    pairs = []
    for i, m in enumerate(matches):
        name = re.sub(r"\s+", "", m.group(1))
        stop = matches[i + 1].start() if i + 1 < len(matches) else len(text)
        value = text[m.end():stop].strip(" \t|｜•·:：\u3000")
        pairs.append((name, value))
    return pairs


# all the clutter patterns as one alternation: matches exactly where one of them does (each pattern's
# IGNORECASE kept inline; other flags or backreferences would not carry over, so none may be used)
assert all(p.flags & ~(re.I | re.U) == 0 and p.groups == 0 for p, _ in _CLUTTER_PATTERNS)
_ANY_CLUTTER = re.compile("|".join(f"(?{'i' if p.flags & re.I else ''}:{p.pattern})" for p, _ in _CLUTTER_PATTERNS))


def _is_prose(text: str) -> bool:
    return len(text) >= 40 and bool(_PROSE.search(text))


def mark_lines(lines: Sequence[Line], *, link_ratio: Sequence[float] | None = None) -> list[LineMark | None]:
    """Mark each line as ``meta``/``clutter``, or ``None`` for report content.

    Parameters
    ----------
    lines : sequence of Line
        The document's non-blank lines (see :func:`split_lines`).
    link_ratio : sequence of float, optional
        For HTML input, the share of each line that was link text; short lines
        made mostly of links are navigation.

    Examples
    --------
    >>> ls = split_lines("首页 >> 政务公开\\n发布日期：2024-01-05\\n2023年以来，我区坚持依法行政，各项工作取得新进展，"
    ...                  "法治政府建设扎实推进，群众满意度持续提升。\\n扫一扫在手机打开当前页")
    >>> [m.note if m else None for m in mark_lines(ls)]
    ['navigation', 'field', None, 'share']
    """
    marks: list[LineMark | None] = [None] * len(lines)
    prose = [i for i, ln in enumerate(lines) if _is_prose(ln.text) and not _FIELD_LINE.match(ln.text)]
    if not prose:
        # a report of short lines only: its sentences and headings bound the header and footer
        prose = [i for i, ln in enumerate(lines) if (ln.text.endswith(("。", "；", "！", "？")) or _HEADING_START.match(ln.text))
                 and not _FIELD_LINE.match(ln.text)]
    first_prose = prose[0] if prose else len(lines)
    last_prose = prose[-1] if prose else -1
    pending_field = False  # a field name whose value is on a later line
    header_has_meta = False
    footer_clutter = False  # once the page footer has begun, short lines belong to it
    for i, ln in enumerate(lines):
        t = ln.text
        compact = _BRACKETS.sub("", t)
        in_header = i < first_prose
        in_footer = i > last_prose
        if len(t) <= 120 and (_ANY_CLUTTER.search(t) or (compact and _ANY_CLUTTER.search(compact))):
            for pat, note in _CLUTTER_PATTERNS:  # which one, in order (most lines match none: one search)
                if pat.search(t) or (compact and pat.search(compact)):
                    marks[i] = LineMark("clutter", note)
                    break
        if marks[i] is None and link_ratio is not None and i < len(link_ratio):
            if link_ratio[i] > 0.6 and len(t) < 40:
                marks[i] = LineMark("clutter", "links")
        if marks[i] is None and len(t) <= 200 and _FIELD_LINE.match(t):
            marks[i] = LineMark("meta", "field")
            fields = _fields_in(t)
            pending_field = bool(fields) and not fields[-1][1]
            header_has_meta = header_has_meta or in_header
            continue
        if marks[i] is None and in_footer and footer_clutter and len(t) <= 30:
            marks[i] = LineMark("clutter", "footer")
        found = marks[i]
        if found is not None:
            if found.kind == "clutter" and found.note == "counter":
                pending_field = False
            footer_clutter = footer_clutter or (in_footer and found.kind == "clutter")
            continue
        if _DATE_ONLY.match(t) or (len(t) <= 80 and _DATED_NOTE.match(t)):  # publication data wherever it stands
            marks[i] = LineMark("meta", "date")
            header_has_meta = header_has_meta or in_header
            pending_field = False
            continue
        if in_header or in_footer:
            if _DATE_ONLY.match(t):
                marks[i] = LineMark("meta", "date")
            elif _INDEX_NUMBER.match(t):
                marks[i] = LineMark("meta", "index number")
            elif t in _DISCLOSURE_VALUES:
                marks[i] = LineMark("meta", "field value")
            elif in_header and _looks_like_title(t):
                marks[i] = LineMark("meta", "title")
            elif pending_field and len(t) <= 60 and not _PROSE.search(t):
                marks[i] = LineMark("meta", "field value")
            elif in_header and header_has_meta and len(t) <= 20 and _ISSUER_END.search(t) and not _HEADING_START.match(t):
                marks[i] = LineMark("meta", "issuer")
            elif in_footer and len(t) <= 30 and _ISSUER_END.search(t) and not _HEADING_START.match(t):
                marks[i] = LineMark("meta", "issuer")
            if marks[i] is not None:
                header_has_meta = header_has_meta or in_header
        pending_field = False
    return marks


def looks_like_furniture(text: str) -> bool:
    """Whether a line on its own reads as page furniture or publication data (what ``mark_lines`` marks).

    Examples
    --------
    >>> looks_like_furniture("打印本页 关闭窗口"), looks_like_furniture("发布日期：2025-03-18")
    (True, True)
    >>> looks_like_furniture("县政府常务会议全年会前学法12次。")
    False
    """
    lines = split_lines(text)
    return bool(lines) and all(m is not None for m in mark_lines(lines))


def _looks_like_title(text: str) -> bool:
    return (
        6 <= len(text) <= 80
        and "。" not in text
        and not text.endswith(("：", ":", "，", ","))
        and bool(_REPORT_WORDS.search(text))
        and not _HEADING_START.match(text)
    )


def extract_metadata(lines: Sequence[Line], marks: Sequence[LineMark | None], *,
                     page_meta: Mapping[str, str] | None = None,
                     record_meta: Mapping[str, Any] | None = None) -> Metadata:
    """Collect title, issuer, date, index and document number from marked lines.

    Values written in the page win over ``page_meta`` (HTML ``<meta>``/``<title>``);
    ``record_meta`` (e.g. JSONL fields) goes to ``extra``.

    Examples
    --------
    >>> from govreport_nlp.cleaning import mark_lines, split_lines
    >>> lines = split_lines("清河县2024年法治政府建设年度报告\\n发布机构：清河县人民政府\\n发布日期：2025-03-18\\n一、工作回顾")
    >>> md = extract_metadata(lines, mark_lines(lines))
    >>> md.title, md.issuer, md.date
    ('清河县2024年法治政府建设年度报告', '清河县人民政府', '2025-03-18')
    """
    found: dict[str, str] = {}
    extra: dict[str, Any] = dict(record_meta or {})
    pending: list[str] = []

    def put(key: str | None, value: str) -> None:
        if not key or not value:
            return
        if key == "date":
            value = normalize_date(value) or value
        if key in ("title", "issuer", "date", "index_number", "document_number"):
            found.setdefault(key, value)
        else:
            extra.setdefault(key, value)

    for ln, mark in zip(lines, marks):
        if mark is None or mark.kind != "meta":
            pending = []
            continue
        if mark.note == "field":
            pairs = _fields_in(ln.text)
            for name, value in pairs:
                put(_FIELDS.get(name), value)
            pending = [name for name, value in pairs if not value and _FIELDS.get(name)]
            continue
        if mark.note == "field value" and pending:
            put(_FIELDS.get(pending.pop(0)), ln.text)
            continue
        if mark.note == "date":
            put("date", ln.text)
        elif mark.note == "index number":
            put("index_number", re.sub(r"\s+", "", ln.text))
        elif mark.note == "title":
            put("title", ln.text)
        elif mark.note == "issuer":
            put("issuer", ln.text)
        pending = []
    for key, value in (page_meta or {}).items():
        put(key, value)
    return Metadata(
        title=found.get("title"),
        issuer=found.get("issuer"),
        date=found.get("date"),
        index_number=found.get("index_number"),
        document_number=found.get("document_number"),
        extra=extra,
    )
