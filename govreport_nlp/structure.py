"""Recovering a report's structure: paragraphs, headings, sections and roles.

The second layer of the pipeline. It takes a :class:`~govreport_nlp.reading.Document`
and returns a :class:`~govreport_nlp.document.Report`:

* every non-blank line becomes a :class:`~govreport_nlp.document.Paragraph` with
  exact offsets, marked ``meta``/``clutter`` by :mod:`govreport_nlp.cleaning` or
  ``heading``/``body`` here;
* headings are found in the numbering styles these reports use — ``第一部分``,
  ``一、``, ``（一）``/``(一)``, ``1.``/``1、``, ``（1）``, ``①`` — whether standalone
  or sharing the line with their body (``(二)深化"放管服"改革。一是…``), plus
  un-numbered headings that name a part of the report (``存在的问题``,
  ``下一步工作打算``, ``2025年工作思路``);
* levels come from the order in which numbering styles nest in *this* report
  (a stack), not from a fixed table, so ``1.`` directly under ``一、`` works;
* each top-level section gets a structural role from cue phrases in its heading
  (review, shortcomings, plans, duties of the principal responsible person);
  a section whose heading states no role takes the previous section's role and
  records ``cue=None``.

The roles are evidence for a classifier, not labels: a shortcoming paragraph can
sit at the end of a review section with no heading of its own.
"""

from __future__ import annotations

import json
import logging
import os
import re
from functools import lru_cache
from importlib import resources
from dataclasses import dataclass
from typing import Any, Mapping

from .cleaning import MAX_LINE_CHARS, PIECE_CHARS, Line, extract_metadata, mark_lines, overlong_lines, split_lines
from .document import Heading, Paragraph, Report, Section
from .reading import Document, load_document

_log = logging.getLogger(__name__)

__all__ = ["detect_heading", "heading_role", "inline_items", "mixed_roles", "parse", "parse_document", "reads_as_sentence"]

_CN_NUM = "一二三四五六七八九十"
_MARKERS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("part", re.compile(rf"^第[{_CN_NUM}百]+(?:部分|章|篇)[\s、:：.．]*")),
    ("cn", re.compile(rf"^[{_CN_NUM}]{{1,3}}\s*(?:、|[．.](?![\d０-９]))\s*")),
    ("cn_paren", re.compile(rf"^[（(]\s*[{_CN_NUM}]{{1,3}}\s*[)）][、.．]?\s*")),
    ("num", re.compile(r"^[0-9０-９]{1,2}\s*(?:、|[．.](?![0-9０-９]))\s*")),
    ("num_paren", re.compile(r"^[（(]\s*[0-9０-９]{1,2}\s*[)）][、.．]?\s*")),
    ("circled", re.compile(r"^[①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳]\s*")),
)
_RANK = {name: i for i, (name, _) in enumerate(_MARKERS)}
# inline enumeration: 一是… 二是…, 第一，… 第二，…
_ITEM_START = re.compile(rf"^(?:[{_CN_NUM}]{{1,3}}是|第[{_CN_NUM}]{{1,3}}[，,、])")
_ITEM_INLINE = re.compile(rf"(?:^|(?<=[。；;：:！？!?，,]))\s*(?:[{_CN_NUM}]{{1,3}}是|第[{_CN_NUM}]{{1,3}}[，,、])")
_SENT_END = re.compile(r"[。；;！？!?]")
_TITLE_STRIP = "。；;：:，,、 \u3000"
_YEAR = re.compile(r"((?:19|20)\d{2})\s*年")

# --- role cues -------------------------------------------------------------
# Order matters: duties and shortcomings headings often also say 情况 (review).
_ROLE_CUES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("duties", re.compile(r"第一责任人|主要负责人履行|主要责任人|主要领导履行|履行推进法治建设")),
    ("shortcomings", re.compile(
        r"存在的?(?:主要)?(?:问题|不足|困难|短板|差距)|(?:问题|不足|短板|差距|困难)(?:和|与|及|、)(?:原因|不足|问题|差距|困难|短板)"
        r"|不足之处|薄弱环节|短板弱项|^(?:主要)?(?:问题|不足|困难)$|存在不足|清醒(?:看到|认识)")),
    ("plans", re.compile(
        r"下一步|下一阶段|下一年度|今后|展望|打算|思路|安排|计划|部署|重点任务|主要任务|目标任务|工作任务|政府工作任务"
        r"|总体要求|预期目标|主要目标|奋斗目标|努力方向|改进措施|工作建议|的建议|工作要点|工作目标"
        r"|重点做好|重点抓好|以下工作|以下几个方面")),
    ("review", re.compile(
        r"回顾|情况|举措|成效|做法|成绩|进展|工作总结|总结|过去|一年来|五年来|取得|开展|落实情况|建设成果")),
)
# a heading that names a review and a plan (一、1998年工作回顾和1999年工作的总体要求; 发展成就和…主要目标任务):
# its section is read part by part, switching at the sub-heading or paragraph that begins the second part
_MIXED_REVIEW = re.compile(r"回顾|成就|成绩|执行情况|进展|成效|总结")
_EXECUTED = re.compile(r"(?:执行|完成|落实)情况$")
# paragraphs that open a plan part whatever the heading names
_PLAN_START = re.compile(r"明年|今后|下一步|未来五年|今年[^。]{0,12}(?:总体要求|预期目标|主要目标|主要任务|重点做好)")
_PERIOD = re.compile(r"(?:19|20)\d\d年|十[一二三四五六七八九]五|今后|明年|下一步|未来")
# cues that may also name the year ahead: decided by comparing years
_AMBIGUOUS = re.compile(r"重点工作|主要工作|工作重点")
# sub-headings only take a role from unmistakable cues
_STRONG_SUB_CUES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("shortcomings", _ROLE_CUES[1][1]),
    ("plans", re.compile(r"下一步|下一阶段|今后|工作打算|工作思路|工作安排|工作计划|改进措施")),
)


@dataclass(frozen=True)
class HeadingMatch:
    """What :func:`detect_heading` found at the start of a line."""

    style: str
    marker: str
    title: str | None
    standalone: bool
    title_span: tuple[int, int] | None
    """Span of the title within the line, if any."""
    sentence: bool = False
    """The numbered line is one sentence of content (a list item), not a heading."""


@lru_cache(maxsize=4096)  # asked of each line by the parse, then of the same texts by the features and reasons
def detect_heading(text: str) -> HeadingMatch | None:
    """Recognise a numbered heading (standalone or leading body text).

    Parameters
    ----------
    text : str
        One stripped line.

    Returns
    -------
    HeadingMatch or None
        ``standalone`` is False when the heading shares the line with body text.

    Examples
    --------
    >>> h = detect_heading("（二）深化放管服改革，依法加快政府职能转变。一是推进审批改革。")
    >>> h.style, h.marker, h.title, h.standalone
    ('cn_paren', '（二）', '深化放管服改革，依法加快政府职能转变', False)
    >>> detect_heading("1.5亿元用于基层执法装备") is None
    True
    """
    for style, pat in _MARKERS:
        m = pat.match(text)
        if not m:
            continue
        marker = text[: m.end()].strip()
        rest = text[m.end():]
        if not rest.strip():
            return HeadingMatch(style, marker, None, True, None)
        ends = [e.start() for e in _SENT_END.finditer(rest)]
        inner = [e for e in ends if e < len(rest.rstrip()) - 1]
        if not inner and len(rest) <= 60:
            if reads_as_sentence(rest):
                # a numbered result or task line (1.推行…改革，全年办理…156项。): content, not a title
                return HeadingMatch(style, marker, None, False, None, sentence=True)
            title = rest.strip().rstrip(_TITLE_STRIP)
            return HeadingMatch(style, marker, title or None, True, (m.end(), m.end() + len(title)))
        cut = inner[0] if inner else None
        if cut is not None and cut <= 60:
            title = rest[:cut].strip().rstrip(_TITLE_STRIP)
            return HeadingMatch(style, marker, title or None, False, (m.end(), m.end() + len(title)))
        return HeadingMatch(style, marker, None, False, None)
    return None


# a figure that reports a result or sets a target: digits other than a year (156项, 98%, 1.5亿元)
_FIGURE = re.compile(r"[0-9０-９]+(?![0-9０-９]*\s*年)")
_TITLE_MAX = 40  # numbered titles of the seeds and work reports are shorter; their sentences mostly longer


def reads_as_sentence(rest: str) -> bool:
    """Does the text after a numbering marker read as a sentence rather than a title?

    A sentence ends in a full stop, semicolon, ! or ?, and is longer than a title,
    or ends in a semicolon, or states figures. Titles may end in a full stop and have
    two clauses (``切实保障和改善民生，解决群众关心的问题。``), so a comma alone
    does not make a sentence.

    Examples
    --------
    >>> reads_as_sentence("推行证照分离改革，全年办理告知承诺事项156项。")
    True
    >>> reads_as_sentence("深化“放管服”改革"), reads_as_sentence("坚持党的领导，压实主体责任。")
    (False, False)
    """
    body = rest.strip()
    if not body or body[-1] not in "。；;！!？?":
        return False  # long titles without a full stop exist (一、坚持…发力，加快建设…体系)
    # three clauses do not make a sentence either: work-report headings run to three (（一）围绕…，锚定…，塑优…。)
    return len(body) > _TITLE_MAX or body[-1] in "；;" or bool(_FIGURE.search(body))


def _plain_heading(text: str, next_text: str | None) -> bool:
    """Is an un-numbered line a heading that names a part of the report?

    It must be short and unpunctuated, and either say what part it is (a role
    cue) or name a year and stand above a longer paragraph
    (``奋力完成2025年发展主要目标``).
    """
    if len(text) > 30 or len(text) < 3:
        return False
    if re.search(r"[。；;！？!?，,：:、]", text) or text.startswith(("各位", "同志")):
        return False
    if any(p.search(text) for _, p in _ROLE_CUES) or _AMBIGUOUS.search(text):
        return True
    return bool(_YEAR.search(text)) and next_text is not None and len(next_text) > 2 * len(text)


def heading_role(title: str, *, top_level: bool = True, review_year: int | None = None,
                 report_year: int | None = None) -> tuple[str, str] | None:
    """The structural role a heading states, with the cue phrase that says it.

    Parameters
    ----------
    title : str
        Heading words.
    top_level : bool
        Top-level headings take any cue; sub-headings only unmistakable ones.
    review_year : int, optional
        The year an earlier review heading named; a later year in an ambiguous
        heading such as ``2024年重点工作`` means plans.
    report_year : int, optional
        The year the report was delivered or published (a report reviews the year
        before it and plans its own): an ambiguous heading naming this year or a
        later one is plans, an earlier one review.

    Examples
    --------
    >>> heading_role("二、存在不足和原因")
    ('shortcomings', '存在不足')
    >>> heading_role("2025年工作思路")
    ('plans', '思路')
    >>> heading_role("2024年重点工作", review_year=2023)
    ('plans', '重点工作')
    >>> heading_role("2024年主要工作", report_year=2024), heading_role("2023年主要工作", report_year=2024)
    (('plans', '主要工作'), ('review', '主要工作'))
    """
    done = _EXECUTED.search(title)
    if done and top_level:  # 六五计划前两年的执行情况: the carrying out of a plan is a review
        return "review", done.group(0)
    cues = _ROLE_CUES if top_level else _STRONG_SUB_CUES
    for role, pat in cues:
        m = pat.search(title)
        if m:
            return role, m.group(0)
    if top_level:
        m = _AMBIGUOUS.search(title) or _YEAR.search(title)
        if m:
            y = _YEAR.search(title)
            if y and report_year is not None:
                return ("plans" if int(y.group(1)) >= report_year else "review"), m.group(0)
            if y and review_year is not None and int(y.group(1)) > review_year:
                return "plans", m.group(0)
            return "review", m.group(0)
    return None


def inline_items(text: str) -> list[tuple[int, int]]:
    """Spans of inline enumerations (``一是…二是…``) within ``text``.

    Examples
    --------
    >>> t = "加强组织领导。一是健全机制。二是压实责任。"
    >>> [t[s:e] for s, e in inline_items(t)]
    ['一是健全机制。', '二是压实责任。']
    """
    starts = [m.end() - len(m.group(0).lstrip()) for m in _ITEM_INLINE.finditer(text)]
    if len(starts) < 2 and not (starts and _ITEM_START.match(text)):
        return []
    bounds = starts + [len(text)]
    return [(bounds[i], bounds[i + 1]) for i in range(len(starts))]


def _lead_title(text: str) -> str | None:
    """A short first sentence that works as the paragraph's heading."""
    item = _ITEM_START.match(text)
    offset = item.end() if item else 0
    m = _SENT_END.search(text, offset)
    if m and 4 <= m.start() - offset <= (60 if item else 30) and len(text) - m.end() >= 10:
        return text[offset: m.start()].strip(_TITLE_STRIP) or None
    return None


def parse_document(doc: Document) -> Report:
    """Recover the structure of a decoded :class:`Document`.

    Examples
    --------
    >>> from govreport_nlp.reading import document_from_text
    >>> r = parse_document(document_from_text(
    ...     "一、工作成效\\n（一）强化组织领导。成立领导小组，定期研究法治政府建设工作。\\n"
    ...     "二、存在的问题\\n基层执法力量仍然薄弱，执法人员专业素质有待提高。"))
    >>> [(p.kind, p.role, p.headings) for p in r.paragraphs]
    ... # doctest: +NORMALIZE_WHITESPACE
    [('heading', 'review', ()), ('body', 'review', ('工作成效',)),
     ('heading', 'shortcomings', ()), ('body', 'shortcomings', ('存在的问题',))]
    """
    text = doc.text
    lines = split_lines(text)
    link_ratio = doc.html.link_ratio if doc.html is not None else None
    marks = mark_lines(lines, link_ratio=link_ratio)
    metadata = extract_metadata(lines, marks, page_meta=doc.html.meta if doc.html else None, record_meta=doc.meta)

    paragraphs: list[Paragraph] = []
    headings: list[Heading] = []
    stack: list[Heading] = []  # open headings, outermost first
    sections: list[Section] = []
    review_year: int | None = None
    report_year = _report_year(metadata.date, lines[:12])
    skip_next_as_title = False

    for i, (ln, mark) in enumerate(zip(lines, marks)):
        span = doc.html.line_spans[i] if doc.html is not None and i < len(doc.html.line_spans) else None

        def add(kind: str, chain: tuple[str, ...] | None = None, **fields: Any) -> None:
            # every line gets its place: section, role and heading chain as of now
            paragraphs.append(Paragraph(
                i, ln.text, ln.start, ln.end, kind=kind, source_span=span,
                section=len(sections) - 1 if sections else None, role=_role_from(stack, sections),
                headings=tuple(h.title for h in stack) if chain is None else chain, **fields))

        if mark is not None:
            add(mark.kind, note=mark.note)
            continue
        if skip_next_as_title:
            # the title line of a heading whose marker stood alone on the line before
            skip_next_as_title = False
            add("heading", chain=tuple(h.title for h in stack[:-1]), level=stack[-1].level,
                title=stack[-1].title, marker=stack[-1].marker)
            continue

        hm = detect_heading(ln.text)
        style: str | None = None
        title: str | None = None
        standalone = False
        marker = None
        if hm is not None:
            style, marker, title, standalone = hm.style, hm.marker, hm.title, hm.standalone
            if title is None and standalone and i + 1 < len(lines) and marks[i + 1] is None:
                nxt = lines[i + 1].text
                if len(nxt) <= 40 and not _SENT_END.search(nxt[:-1]):
                    title = nxt.rstrip(_TITLE_STRIP)
                    skip_next_as_title = True
        elif _plain_heading(ln.text, lines[i + 1].text if i + 1 < len(lines) and marks[i + 1] is None else None):
            style, title, standalone = "plain", ln.text.rstrip(_TITLE_STRIP), True

        if style is None or (hm is not None and hm.sentence):
            # a numbered sentence is an item of the list it stands in: it opens no section or heading
            add("body", title=_lead_title(ln.text) if style is None else None, items=_items_abs(ln),
                marker=marker)
            continue

        # place the heading in the stack: same style closes back to it, new style nests
        if style in ("plain", "part"):
            depth = 0 if style == "part" or not any(h.style == "part" for h in stack) else 1
            del stack[depth:]
        else:
            styles = [h.style for h in stack]
            if style in styles:
                del stack[styles.index(style):]
            else:
                # a style not open yet nests below the open ones, unless it usually
                # ranks above them (一、 after a run of （一） with no 一、 before)
                rank = _RANK[style]
                while stack and stack[-1].style != "plain" and _RANK.get(stack[-1].style, 0) > rank:
                    stack.pop()
        level = len(stack) + 1
        top = level == 1
        if skip_next_as_title:  # the title is the whole next line
            t_start, t_end = lines[i + 1].start, lines[i + 1].start + len(title or "")
        elif hm is not None and hm.title_span:
            t_start, t_end = ln.start + hm.title_span[0], ln.start + hm.title_span[1]
        else:  # un-numbered: the line is the title, less trailing punctuation
            t_start, t_end = ln.start, ln.start + len(title or ln.text)
        role_cue = heading_role(title, top_level=top, review_year=review_year, report_year=report_year) if title \
            else None
        heading = Heading(title=title or "", marker=marker, style=style, level=level, paragraph=i,
                          start=t_start, end=t_end, inline=not standalone,
                          role=role_cue[0] if role_cue else None)
        chain = tuple(h.title for h in stack)
        stack.append(heading)
        headings.append(heading)
        if top:
            if role_cue:
                role, cue = role_cue
            else:  # no cue: continue the previous section's role
                role, cue = (sections[-1].role if sections else "other"), None
            if role == "review" and title:
                y = _YEAR.search(title)
                if y:
                    review_year = max(review_year or 0, int(y.group(1)))
            if sections:
                prev = sections[-1]
                sections[-1] = Section(prev.index, prev.heading, prev.role, prev.cue, prev.first_paragraph, i - 1)
            sections.append(Section(len(sections), heading, role, cue, i, i))
        add("heading" if standalone else "body", chain=chain, title=title, marker=marker, level=level,
            items=() if standalone else _items_abs(ln))

    _infer_leading_roles(sections, paragraphs)
    if sections:
        last = sections[-1]
        sections[-1] = Section(last.index, last.heading, last.role, last.cue, last.first_paragraph,
                               len(paragraphs) - 1)
    _roles_from_wording(sections, paragraphs)
    _split_mixed_sections(sections, paragraphs)
    warnings = list(doc.warnings)
    cut, pieces = overlong_lines(text, lines)
    if cut:
        warnings.append(f"{doc.id}: {cut} line(s) over {MAX_LINE_CHARS:,} characters (a file without line breaks?) "
                        f"cut at sentence ends into {pieces} paragraphs of at most {PIECE_CHARS:,}")
        # also to the library's logger, for callers who never look at report.warnings (silent unless configured)
        _log.warning("%s", warnings[-1])
    return Report(id=doc.id, text=text, paragraphs=paragraphs, sections=sections, headings=headings,
                  metadata=metadata, source=doc.source, encoding=doc.encoding, format=doc.format,
                  warnings=warnings)


def _infer_leading_roles(sections: list[Section], paragraphs: list[Paragraph]) -> None:
    """Sections before the first one that states a role, followed by plans, review.

    A report that opens with un-announced sections (（一）…（八） straight after the
    preamble) and then announces next year's plans was reviewing the past year.
    """
    first = next((k for k, s in enumerate(sections) if s.cue is not None), None)
    if not first or sections[first].role not in ("plans", "shortcomings"):
        return
    for k in range(first):
        s = sections[k]
        sections[k] = Section(s.index, s.heading, "review", None, s.first_paragraph, s.last_paragraph)
    lo, hi = sections[0].first_paragraph, sections[first].first_paragraph
    for p in paragraphs[lo:hi]:
        if p.role == "other":
            p.role = "review"


_DELIVERED = re.compile(r"^[（(]?\s*((?:19|20)\d\d)\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日\s*在.{2,60}(?:会议|大会)上")


def _report_year(date: str | None, head: list[Line]) -> int | None:
    """The year a report was delivered (``2024年1月29日在…人民代表大会…会议上``) or published (its date field)."""
    for ln in head:
        m = _DELIVERED.match(ln.text)
        if m:
            return int(m.group(1))
    if date and re.match(r"(?:19|20)\d\d-", date):
        return int(date[:4])
    return None


@lru_cache(maxsize=1)
def _tense_markers() -> tuple[re.Pattern[str], re.Pattern[str]]:
    raw = json.loads(resources.files("govreport_nlp").joinpath("resources/lexicon.json").read_text("utf-8"))
    words = raw.get("tense", {})

    def pat(name: str) -> re.Pattern[str]:
        return re.compile("|".join(map(re.escape, sorted(words.get(name, ["\uffff"]), key=len, reverse=True))))
    return pat("done"), pat("todo")


def _roles_from_wording(sections: list[Section], paragraphs: list[Paragraph]) -> None:
    """A section whose heading states no role and that carries on a review: is it still one?

    Work reports often head their tasks with slogans (``进一步扩大对外开放``) that name no
    role, after a review section; carrying the review on misreads the whole tasks part.
    Such a section is read as plans when its body's wording is clearly of work to do
    (markers of work to do at least twice those of work done, and three more). A
    section of role ``other`` (no heading anywhere said a role) is read as review or
    plans the same way.
    """
    done_re, todo_re = _tense_markers()
    for k, s in enumerate(sections):
        if s.cue is not None or s.role not in ("review", "other") or (k == 0 and s.role == "review"):
            continue
        body = [p.text for p in paragraphs[s.first_paragraph: s.last_paragraph + 1] if p.kind == "body"]
        done = sum(len(done_re.findall(t)) for t in body)
        todo = sum(len(todo_re.findall(t)) for t in body)
        role = s.role
        if todo >= 2 * done + 3:
            role = "plans"
        elif s.role == "other" and done >= 2 * todo + 3:
            role = "review"  # no heading said anything, but the wording reports work done
        if role != s.role:
            sections[k] = Section(s.index, s.heading, role, None, s.first_paragraph, s.last_paragraph)
            for p in paragraphs[s.first_paragraph: s.last_paragraph + 1]:
                if p.role == s.role:
                    p.role = role


def mixed_roles(title: str) -> tuple[str, str] | None:
    """The two roles a heading names, in the order it names them, if it names a review and a plan.

    Examples
    --------
    >>> mixed_roles("1998年工作回顾和1999年工作的总体要求")
    ('review', 'plans')
    >>> mixed_roles("2024年主要工作安排") is None
    True
    """
    r, p = _MIXED_REVIEW.search(title), _ROLE_CUES[2][1].search(title)
    if _EXECUTED.search(title) or r is None or p is None or r.start() < p.end() and p.start() < r.end():
        return None
    return ("review", "plans") if r.start() < p.start() else ("plans", "review")


def _split_mixed_sections(sections: list[Section], paragraphs: list[Paragraph]) -> None:
    """Read a section whose heading names a review and a plan part by part (see :data:`_MIXED_REVIEW`).

    The section takes the first-named role; from the first sub-heading or paragraph that
    opens the second part (a heading with the second role's cue, or a paragraph opening like
    ``今年政府工作的总体要求是`` / ``下一步，``), its paragraphs take the second.
    """
    for k, s in enumerate(sections):
        if s.heading is None or not s.heading.title:
            continue
        roles = mixed_roles(s.heading.title)
        if roles is None:
            continue
        first, second = roles
        sections[k] = Section(s.index, s.heading, first, s.cue, s.first_paragraph, s.last_paragraph)
        # the period the heading's second part names (1999年, 十四五, 今后): where a paragraph opens on it,
        # the second part has begun
        title = s.heading.title
        first_cue = (_MIXED_REVIEW if first == "review" else _ROLE_CUES[2][1]).search(title)
        head_part = title[:first_cue.end()] if first_cue else ""
        named = [m.group(0) for m in _PERIOD.finditer(title, len(head_part)) if m.group(0) not in head_part]
        switched = False
        for p in paragraphs[s.first_paragraph + 1: s.last_paragraph + 1]:
            if not switched and p.kind in ("heading", "body"):
                head = heading_role(p.title, top_level=True) if p.kind == "heading" and p.title else None
                lead = p.text[:40]
                opens = p.kind == "body" and (any(t in lead for t in named) or
                                             (second == "plans" and bool(_PLAN_START.search(lead))))
                switched = opens or (head is not None and head[0] == second and mixed_roles(p.title or "") is None)
            if p.role in ("review", "plans"):
                p.role = second if switched else first
        paragraphs[s.first_paragraph].role = first


def _role_from(stack: list[Heading], sections: list[Section]) -> str:
    for h in reversed(stack[1:]):
        if h.role:
            return h.role
    return sections[-1].role if sections else "preamble"


def _items_abs(ln: Line) -> tuple[tuple[int, int], ...]:
    return tuple((ln.start + s, ln.start + e) for s, e in inline_items(ln.text))


def parse(source: str | os.PathLike[str] | bytes | Document, *, id: str | None = None,
          format: str = "auto", encoding: str | None = None, meta: Mapping[str, Any] | None = None) -> Report:
    """Read a report and recover its structure.

    Parameters
    ----------
    source : str, path-like, bytes or Document
        Report text, a path to a report file, raw bytes, or a decoded Document.
        A ``str`` is taken as a path when it names an existing file and has no
        line break; otherwise it is the report text itself.
    id : str, optional
        Document id (defaults to the file name, or ``"doc"``).
    format : {"auto", "text", "html"}
        Input format; ``auto`` detects HTML.
    encoding : str, optional
        Force a codec when reading a file or bytes.
    meta : mapping, optional
        Extra metadata to keep with the report (e.g. region, year).

    Returns
    -------
    Report

    Examples
    --------
    >>> report = parse("某县2024年法治政府建设年度报告\\n一、主要做法及成效\\n"
    ...                "（一）坚持党的领导。县政府常务会议会前学法12次，压实第一责任人职责。")
    >>> report.metadata.title
    '某县2024年法治政府建设年度报告'
    >>> [s.role for s in report.sections]
    ['review']
    >>> p = report.paragraphs[-1]
    >>> report.text[p.start:p.end] == p.text, p.title
    (True, '坚持党的领导')
    """
    return parse_document(load_document(source, id=id, format=format, encoding=encoding, meta=meta))
