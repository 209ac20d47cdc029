"""How reports and predictions look in Jupyter: HTML, paragraphs coloured by label.

:class:`~govreport_nlp.document.Report` and :class:`~govreport_nlp.document.Prediction`
delegate their ``_repr_html_`` here, so a notebook shows a classified report as
the report itself: headings indented by level, each paragraph on the colour of
its label with the label and confidence beside it (the reasons on hover), meta
and clutter lines greyed out, and a legend. Every piece of report text is
HTML-escaped: a report is untrusted input.

Examples
--------
>>> from govreport_nlp.document import Prediction
>>> html = prediction_html(Prediction("plans", 0.91, function="plan", reasons=("function: plan cue",)))
>>> "plans" in html and "0.91" in html and "plan cue" in html
True
"""

from __future__ import annotations

import zlib
from collections import Counter
from html import escape
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .document import Explanation, Paragraph, Prediction, Report

__all__ = ["explanation_html", "label_colour", "prediction_html", "report_html"]

#: the default label set's colours: light enough to read black text on
DEFAULT_COLOURS = {
    "leadership": "#cfe0f3",
    "deregulation": "#d3ecc9",
    "enforcement": "#f8deb5",
    "dispute": "#ead3ea",
    "shortcomings": "#f6c4bf",
    "plans": "#c6e8e4",
    "other": "#ececec",
}
# other label sets get these, chosen by a stable hash of the label (the same colour in every session)
_PALETTE = ("#e3d7f3", "#f9e4a8", "#cde7f0", "#f3d0dc", "#d9ead3", "#fbdcc4", "#d5dbf2", "#e8e3c9",
            "#cfeee0", "#f1d3c2")
#: at most this many paragraphs are drawn; a notebook slows down past a few hundred
MAX_PARAGRAPHS = 400


def label_colour(label: str | None) -> str:
    """The background colour of a label (grey for none).

    Examples
    --------
    >>> label_colour("plans"), label_colour(None)
    ('#c6e8e4', '#f7f7f7')
    """
    if label is None:
        return "#f7f7f7"
    return DEFAULT_COLOURS.get(label) or _PALETTE[zlib.crc32(label.encode("utf-8")) % len(_PALETTE)]


def _chip(label: str | None, extra: str = "") -> str:
    text = escape(label) if label is not None else "(abstain)"
    return (f'<span style="background:{label_colour(label)};border:1px solid #bbb;border-radius:3px;'
            f'padding:0 4px;white-space:nowrap">{text}{extra}</span>')


def prediction_html(pred: Prediction) -> str:
    """One prediction: label and confidence, function and topics, the runners-up and the reasons.

    Examples
    --------
    >>> from govreport_nlp.document import Prediction
    >>> "<b>plan</b>" in prediction_html(Prediction("plans", 0.91, function="plan"))
    True
    """
    label = pred.assigned
    parts = [_chip(label, f" {pred.score:.2f}")]
    if pred.abstained:
        parts.append(f"<i>below the threshold; best guess {escape(pred.label)}</i>")
    if pred.function:
        fs = f" {pred.function_score:.2f}" if pred.function_score is not None else ""
        parts.append(f"function <b>{escape(pred.function)}</b>{fs}")
    if pred.topics:
        parts.append("topics " + ", ".join(f"<b>{escape(t)}</b>" for t in pred.topics))
    if pred.alternatives:
        parts.append("then " + ", ".join(f"{escape(lab)} {score:.2f}" for lab, score in pred.alternatives))
    html = " &nbsp;·&nbsp; ".join(parts)
    if pred.reasons:
        html += "<ul style='margin:2px 0 0 0'>" + "".join(f"<li>{escape(r)}</li>" for r in pred.reasons) + "</ul>"
    return f'<div class="govreport-prediction">{html}</div>'


def explanation_html(e: Explanation) -> str:
    """An explanation: the paragraph on its label's colour, then each head's reasons with their weights.

    Examples
    --------
    >>> from govreport_nlp.document import AxisExplanation, Explanation
    >>> e = Explanation("推行证照分离。", "deregulation", 0.9,
    ...                 {"topic": AxisExplanation("topic", "deregulation", 0.9, (("“证照分离”", 2.5),))})
    >>> html = explanation_html(e)
    >>> "证照分离" in html and "2.50" in html and "<script" not in explanation_html(
    ...     Explanation("<script>", "other", 0.5))
    True
    """
    rows = []
    for ax in e.axes.values():
        reasons = "".join(f"<li>{escape(text)} <span style='color:#888'>{weight:+.2f}</span></li>"
                          for text, weight in ax.reasons)
        rows.append(f"<tr><td style='vertical-align:top;padding-right:1em'>{escape(ax.axis)} "
                    f"<b>{escape(ax.label)}</b> {ax.score:.2f}</td><td><ul style='margin:0'>{reasons}</ul></td></tr>")
    head = f'<div style="background:{label_colour(e.label)};padding:2px 6px">{escape(e.text)}</div>'
    return (f'<div class="govreport-explanation">{head}<div>{_chip(e.label, f" {e.score:.2f}")}</div>'
            f"<table>{''.join(rows)}</table></div>")


def _paragraph_html(p: Paragraph) -> str:
    text = escape(p.text)
    if p.kind == "heading":
        indent = max(0, (p.level or 1) - 1)
        body = f'<div style="font-weight:bold;margin:6px 0 2px {indent}em">{text}</div>'
    elif p.kind in ("meta", "clutter"):
        body = f'<div style="color:#888;font-size:90%">{text}</div>'
    else:
        body = f"<div>{text}</div>"
    pred = p.prediction
    if pred is None:
        return body
    label = pred.assigned
    tip = escape("\n".join(pred.reasons) or pred.label, quote=True)
    badge = (f'<div title="{tip}" style="flex:0 0 9em;text-align:right;font-size:85%">'
             f'{_chip(label, f" {pred.score:.2f}")}</div>')
    border = "dashed" if pred.abstained else "solid"
    # page furniture and metadata keep their badge but not a label's colour: they are not content
    background = label_colour(None) if p.kind in ("meta", "clutter") else label_colour(label)
    return (f'<div style="display:flex;gap:8px;align-items:flex-start;margin:1px 0;padding:2px 4px;'
            f'background:{background};border-left:4px {border} #999">'
            f'<div style="flex:1">{body}</div>{badge}</div>')


def report_html(report: Report, max_paragraphs: int = MAX_PARAGRAPHS) -> str:
    """A report as HTML: header, legend of the labels it has (with counts), and its paragraphs.

    Examples
    --------
    >>> import govreport_nlp as gr
    >>> html = report_html(gr.load_model().classify_report("二、存在的不足\\n执法人员专业能力还有差距，<需要>加强。"))
    >>> "shortcomings" in html, "&lt;需要&gt;" in html
    (True, True)
    """
    md = report.metadata
    info = [escape(str(v)) for v in (md.issuer, md.date, md.document_number) if v]
    head = f"<b>{escape(report.id)}</b>"
    if md.title:
        head += f" &nbsp;{escape(md.title)}"
    if info:
        head += f' <span style="color:#666">({" · ".join(info)})</span>'
    counts = Counter(p.prediction.assigned
                     for p in report.paragraphs if p.prediction is not None and p.kind == "body")
    out = ['<div class="govreport-report" style="font-size:90%;line-height:1.5">', f"<div>{head}</div>"]
    n_body = sum(1 for p in report.paragraphs if p.kind == "body")
    sub = f"{len(report.paragraphs)} paragraphs, {n_body} body, {len(report.sections)} sections"
    out.append(f'<div style="color:#666">{sub}</div>')
    if counts:
        order: list[str | None] = [lab for lab in DEFAULT_COLOURS if lab in counts]
        order += sorted(lab for lab in counts if lab is not None and lab not in DEFAULT_COLOURS)
        if None in counts:
            order.append(None)
        legend = " ".join(_chip(lab, f" {counts[lab]}") for lab in order)
        out.append(f'<div style="margin:4px 0">body paragraphs by label: {legend}</div>')
    for p in report.paragraphs[:max_paragraphs]:
        out.append(_paragraph_html(p))
    hidden = len(report.paragraphs) - max_paragraphs
    if hidden > 0:
        out.append(f'<div style="color:#666">… {hidden} more paragraphs not shown '
                   f"(<code>report_html(report, max_paragraphs=...)</code> shows more)</div>")
    for w in report.warnings:
        out.append(f'<div style="color:#a60">warning: {escape(w)}</div>')
    out.append("</div>")
    return "\n".join(out)
