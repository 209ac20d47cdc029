"""Main text of an HTML page as saved from a government site.

Uses the standard library's tolerant :class:`html.parser.HTMLParser` (it never
recurses, so deeply nested or broken markup cannot blow the stack) and keeps, for
every extracted line, the span of the raw page it came from and how much of it
was link text. Scripts, styles, forms and elements whose ``id``/``class`` name
them as navigation, header, footer, share bar and the like are dropped here;
line-level clutter that survives (breadcrumbs, counters) is recognised later by
:mod:`govreport_nlp.cleaning`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

__all__ = ["HtmlText", "html_to_text", "looks_like_html"]

_SKIP_TAGS = frozenset(
    "script style noscript template iframe svg object embed head nav header footer "
    "form select option button textarea aside canvas map".split()
)
_BLOCK_TAGS = frozenset(
    "p div br li ul ol tr table tbody thead tfoot h1 h2 h3 h4 h5 h6 section article "
    "blockquote pre dd dt dl hr center address main figure figcaption caption body html".split()
)
_CELL_TAGS = frozenset(("td", "th"))
_VOID_TAGS = frozenset("area base br col embed hr img input link meta param source track wbr".split())
# id/class words that mark page furniture rather than report text
_FURNITURE = frozenset(
    "nav navbar navigation menu footer foot header breadcrumb breadcrumbs crumb crumbs "
    "position location share bdshare toolbar tools sidebar banner copyright login "
    "search topbar bottom".split()
)
_WORD_SPLIT = re.compile(r"[\s_\-]+")
_WS = re.compile(r"[ \t\r\n\f\v\u00a0]+")
_CJK = r"\u3000-\u303f\u3400-\u9fff\uff00-\uffef"
_SPACE_NEXT_TO_CJK = re.compile(rf"(?<=[{_CJK}]) (?=[{_CJK}])")
_META_NAMES = {
    "articletitle": "title",
    "pubdate": "date",
    "firstpublishedtime": "date",
    "contentsource": "issuer",
    "source": "issuer",
}


@dataclass
class HtmlText:
    """Text extracted from a page, one line per block, with provenance.

    Examples
    --------
    >>> page = html_to_text("<html><body><nav>首页</nav><p>全年办理复议案件。</p><p>持续深化诉源治理。</p></body></html>")
    >>> page.text
    '全年办理复议案件。\\n持续深化诉源治理。'
    >>> page.line_spans[0]
    (28, 37)
    """

    text: str
    line_spans: list[tuple[int, int]] = field(default_factory=list)
    """For each line of ``text`` (split on ``\\n``), its span in the raw HTML."""
    link_ratio: list[float] = field(default_factory=list)
    """For each line, the share of its characters that were inside links."""
    meta: dict[str, str] = field(default_factory=dict)
    """``title``, ``date``, ``issuer`` from ``<title>`` and CMS ``<meta>`` tags."""


def looks_like_html(text: str) -> bool:
    """Guess whether decoded text is an HTML page rather than plain text.

    Examples
    --------
    >>> looks_like_html("<!DOCTYPE html><html><body><p>依法行政</p></body></html>"), looks_like_html("一、工作回顾")
    (True, False)
    """
    head = text[:2000].lstrip().lower()
    if head.startswith(("<!doctype html", "<html", "<?xml")) and "<html" in text[:5000].lower():
        return True
    if head.startswith("<"):
        return len(re.findall(r"</?(?:html|head|body|div|p|table|span|meta|a)\b", head)) >= 3
    return False


class _Extractor(HTMLParser):
    def __init__(self, raw: str) -> None:
        super().__init__(convert_charrefs=True)
        self._line_starts = [0] + [m.end() for m in re.finditer("\n", raw)]
        self._raw_len = len(raw)
        self._stack: list[tuple[str, bool, bool]] = []  # (tag, skipped, link)
        self._skip_depth = 0
        self._link_depth = 0
        self._pre_depth = 0
        self._in_title = False
        self._title_parts: list[str] = []
        self.meta: dict[str, str] = {}
        # current line: list of (text, raw_start, raw_end, is_link)
        self._cur: list[tuple[str, int, int, bool]] = []
        self._pending: tuple[str, int, bool] | None = None  # data awaiting its end offset
        self.lines: list[tuple[str, int, int, float]] = []

    # -- positions -------------------------------------------------------
    def _pos(self) -> int:
        line, col = self.getpos()
        idx = min(line - 1, len(self._line_starts) - 1)
        return min(self._line_starts[idx] + col, self._raw_len)

    def _flush_pending(self, end: int) -> None:
        if self._pending is not None:
            text, start, link = self._pending
            self._cur.append((text, start, max(end, start), link))
            self._pending = None

    def _break(self) -> None:
        self._flush_pending(self._pos())
        if not self._cur:
            return
        text = "".join(t for t, *_ in self._cur)
        text = _SPACE_NEXT_TO_CJK.sub("", _WS.sub(" ", text) if not self._pre_depth else text).strip()
        if text:
            start = min(s for _, s, _, _ in self._cur)
            end = max(e for _, _, e, _ in self._cur)
            total = sum(len(t.strip()) for t, *_ in self._cur) or 1
            linked = sum(len(t.strip()) for t, _, _, link in self._cur if link)
            self.lines.append((text, start, end, linked / total))
        self._cur = []

    # -- parser callbacks ------------------------------------------------
    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._flush_pending(self._pos())
        if tag == "meta":
            self._meta_tag(attrs)
        if tag == "title":
            self._in_title = True
        if tag in _VOID_TAGS:
            if tag in ("br", "hr") and not self._skip_depth:
                self._break()
            return
        skip = tag in _SKIP_TAGS or self._is_furniture(attrs)
        if tag in _BLOCK_TAGS and not self._skip_depth:
            self._break()
        if tag in _CELL_TAGS and self._cur and not self._skip_depth:
            self._cur.append((" ", self._pos(), self._pos(), False))
        self._stack.append((tag, skip, tag == "a"))
        self._skip_depth += skip
        self._link_depth += tag == "a"
        self._pre_depth += tag == "pre"

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._flush_pending(self._pos())
        if tag == "meta":
            self._meta_tag(attrs)
        if tag in ("br", "hr") and not self._skip_depth:
            self._break()

    def handle_endtag(self, tag: str) -> None:
        self._flush_pending(self._pos())
        if tag == "title":
            self._in_title = False
        if not any(t == tag for t, _, _ in self._stack):
            return  # stray end tag: ignore, as browsers do
        while self._stack:
            t, skip, link = self._stack.pop()
            self._skip_depth -= skip
            self._link_depth -= link
            self._pre_depth -= t == "pre"
            if t == tag:
                break
        if tag in _BLOCK_TAGS and not self._skip_depth:
            self._break()

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self._title_parts.append(data)
            return
        if self._skip_depth:
            return
        self._flush_pending(self._pos())
        self._pending = (data, self._pos(), self._link_depth > 0)

    def close(self) -> None:
        super().close()
        self._flush_pending(self._raw_len)
        self._break()
        title = _WS.sub(" ", "".join(self._title_parts)).strip()
        if title and "title" not in self.meta:
            self.meta["page_title"] = title

    # -- helpers -----------------------------------------------------------
    def _meta_tag(self, attrs: list[tuple[str, str | None]]) -> None:
        a = {k.lower(): (v or "") for k, v in attrs}
        key = _META_NAMES.get(a.get("name", "").lower())
        if key and a.get("content", "").strip() and key not in self.meta:
            self.meta[key] = a["content"].strip()

    @staticmethod
    def _is_furniture(attrs: list[tuple[str, str | None]]) -> bool:
        for k, v in attrs:
            if k in ("id", "class") and v:
                if any(w.lower() in _FURNITURE for w in _WORD_SPLIT.split(v)):
                    return True
        return False


def html_to_text(raw: str) -> HtmlText:
    """Extract the readable text of an HTML page, one block per line.

    Parameters
    ----------
    raw : str
        The decoded page.

    Returns
    -------
    HtmlText
        The text with per-line source spans, link ratios and page metadata.

    Examples
    --------
    >>> page = "<html><body><div class='nav'><a href='/'>首页</a></div>"
    >>> page += "<p>一、工作回顾</p><p>全年办理行政复议案件12件。</p></body></html>"
    >>> html_to_text(page).text
    '一、工作回顾\\n全年办理行政复议案件12件。'
    """
    parser = _Extractor(raw)
    parser.feed(raw)
    parser.close()
    lines = parser.lines
    meta = dict(parser.meta)
    if "page_title" in meta and "title" not in meta:
        meta["title"] = meta.pop("page_title")
    meta.pop("page_title", None)
    return HtmlText(
        text="\n".join(t for t, *_ in lines),
        line_spans=[(s, e) for _, s, e, _ in lines],
        link_ratio=[r for *_, r in lines],
        meta=meta,
    )

