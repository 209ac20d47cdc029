"""Decisions the report's structure makes on its own: page furniture, metadata lines and headings.

A classifier reads content; some lines have none to read. Page furniture
(``打印本页 关闭窗口``, ``扫一扫在手机上查看当前页面``) and metadata lines (title, dates,
header fields) are function ``meta``, label ``other``, wherever they sit; a heading
does what its section does (a heading that opens the plans section is a plan) and is
about only what its own words name (``一、主要举措和成效`` names no topic). Letting a
content model guess these gave furniture the *plans* label at the foot of a plans
section and headings topics they do not mention.

:func:`structural_prediction` gives the prediction for such a line, or ``None`` for a
line the model decides. :class:`~govreport_nlp.model.Model` applies it in
``classify_report``; ``predict`` on bare text never does (bare text has no kind).

Examples
--------
>>> import govreport_nlp as gr
>>> report = gr.parse("三、下一步工作打算\\n持续化解矛盾纠纷，深化诉源治理。\\n打印本页 关闭窗口")
>>> [structural_prediction(p, report) for p in report.paragraphs][2]
<Prediction other 1.00 (meta)>
"""

from __future__ import annotations

from typing import Sequence

from .document import Paragraph, Prediction, Report
from .labels import LabelSet

__all__ = ["HEADING_CUED_SCORE", "HEADING_INFERRED_SCORE", "ROLE_FUNCTION", "heading_topics",
           "structural_prediction"]

#: The function a section's role gives the headings in it.
ROLE_FUNCTION: dict[str, str] = {
    "review": "review", "duties": "review", "shortcomings": "shortcoming", "plans": "plan", "preamble": "preamble",
}
#: Confidence given to a heading's function: when a heading states the role (its own words or the section
#: heading's), and when the role was carried over from the section before. A convention, not a measurement.
HEADING_CUED_SCORE = 1.0
HEADING_INFERRED_SCORE = 0.75


def heading_topics(title: str) -> tuple[str, ...]:
    """The topics a heading's own words name, most keyword hits first (at most two; none when it names none).

    Rule-of-law topics come before ``non_legal``: it is given only to a heading that names no other.

    Examples
    --------
    >>> heading_topics("（一）深化“放管服”改革，优化营商环境")
    ('deregulation',)
    >>> heading_topics("一、主要举措和成效")
    ()
    """
    from .features import lexicon  # the lexicon lives with the features; imported late to keep imports light

    hits = lexicon().topic_hits(title)
    legal = {t: n for t, n in hits.items() if t != "non_legal"}
    # economy words inside rule-of-law phrases (营商环境 holds 环境) do not outweigh a rule-of-law topic
    chosen = legal or hits
    order = sorted(chosen, key=lambda t: -chosen[t])  # sorted() is stable: ties keep the lexicon's order
    return tuple(order[:2])


def structural_prediction(p: Paragraph, report: Report, *, label_set: LabelSet | None = None,
                          derive: object = None) -> Prediction | None:
    """The prediction the structure gives line ``p`` of ``report``, or ``None`` if the model decides it.

    Parameters
    ----------
    p : Paragraph
        A line of ``report``.
    report : Report
        The parsed report (for the section's role and whether a heading stated it).
    label_set : LabelSet, optional
        The model's labels; defaults to the 7-class set. Furniture takes ``other``;
        a label set without ``other`` gets the furniture's prediction marked abstained.
    derive : callable, optional
        ``derive(function, topics) -> label`` for headings; without it (a model that has
        no function head) headings are left to the model.

    Examples
    --------
    >>> import govreport_nlp as gr
    >>> r = gr.parse("二、下一步工作打算\\n（一）深化“放管服”改革\\n推行证照分离。")
    >>> from govreport_nlp.labels import derive_label
    >>> structural_prediction(r.paragraphs[1], r, derive=derive_label)
    <Prediction plans 1.00 (plan, deregulation)>
    """
    from .labels import DEFAULT, derive_label

    labels = label_set or DEFAULT
    if p.kind in ("meta", "clutter"):
        what = "page furniture" if p.kind == "clutter" else "report metadata"
        note = f" ({p.note})" if getattr(p, "note", None) else ""
        has_other = "other" in labels.labels
        return Prediction(label="other" if has_other else labels.labels[-1], score=1.0, function="meta",
                          function_score=1.0, topics=(), abstained=not has_other,
                          reasons=(f"structure: {what}{note}, not content",))
    if p.kind != "heading" or derive is None:
        return None
    function = ROLE_FUNCTION.get(p.role)
    if function is None:
        return None  # a heading of a section whose role nobody stated: the model reads its words
    topics = heading_topics(p.title or p.text)
    rule = derive if callable(derive) else derive_label
    label = rule(function, list(topics))
    if label not in labels.labels:
        return None
    section = report.sections[p.section] if p.section is not None and p.section < len(report.sections) else None
    cued = section is not None and (section.cue is not None) or any(
        h.role for h in report.headings if h.paragraph == p.index)
    score = HEADING_CUED_SCORE if cued else HEADING_INFERRED_SCORE
    said = f"stated by “{section.cue}”" if section is not None and section.cue else "carried over"
    reasons: Sequence[str] = (f"structure: a heading of the {p.role} section ({said}) does what its section does",
                              "topics: " + ("“" + "”, “".join(topics) + "” named by its own words" if topics
                                            else "its words name none"))
    return Prediction(label=label, score=score, function=function, function_score=score, topics=topics,
                      reasons=tuple(reasons))
