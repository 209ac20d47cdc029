"""Optional sentence splitting of (often very long) report paragraphs.

Paragraphs stay whole by default (the unit the taxonomy labels is a line);
splitting is for users who want finer units, e.g. a run-on line that holds a
whole report. :func:`sentence_spans` follows the rules of HanLP's rule-based
``hanlp.utils.rules.split_sentence`` (split after 。！？?, after ``......`` and
``……``, and after a closing quote that follows them) and, unlike it, returns
offsets so that every sentence maps back to the text. :func:`split_sentences`
uses HanLP's own function where HanLP is installed and this one otherwise.
"""

from __future__ import annotations

import re

__all__ = ["sentence_spans", "split_sentences"]

# a break comes after: 。！？? (plus closing quotes), six dots, or a double ellipsis,
# unless the next character is itself a closing quote
_BREAK = re.compile(r"(?:[。！？?]+[”’]?|\.{6}|…{2})(?![”’])")


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of each sentence in ``text``, whitespace trimmed.

    Examples
    --------
    >>> t = "一是健全机制。二是压实责任！三是……强化考核"
    >>> [t[s:e] for s, e in sentence_spans(t)]
    ['一是健全机制。', '二是压实责任！', '三是……', '强化考核']
    """
    spans: list[tuple[int, int]] = []
    pos = 0
    for m in _BREAK.finditer(text):
        _add(text, pos, m.end(), spans)
        pos = m.end()
    _add(text, pos, len(text), spans)
    return spans


def _add(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> None:
    # newlines also end a sentence (HanLP splits chunks on them)
    for part in re.finditer(r"[^\n]+", text[start:end]):
        s, e = start + part.start(), start + part.end()
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if s < e:
            spans.append((s, e))


def split_sentences(text: str, *, backend: str = "auto") -> list[str]:
    """Split ``text`` into sentences.

    Parameters
    ----------
    backend : {"auto", "hanlp", "builtin"}
        ``auto`` uses HanLP's rule-based splitter when HanLP is installed.

    Examples
    --------
    >>> split_sentences("全年办理复议案件12件。调解成功率达95%。", backend="builtin")
    ['全年办理复议案件12件。', '调解成功率达95%。']
    """
    if backend in ("auto", "hanlp"):
        try:
            from hanlp.utils.rules import split_sentence
        except ImportError:
            if backend == "hanlp":
                from .errors import missing_extra

                raise missing_extra("hanlp", "hanlp", "HanLP sentence splitting") from None
        else:
            return [s for s in split_sentence(text, best=False)]
    return [text[s:e] for s, e in sentence_spans(text)]
