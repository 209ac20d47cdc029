"""The data model every layer shares: a :class:`Report` of :class:`Paragraph` s.

Reading fills the raw text, structure fills headings, sections and roles, and a
classifier later attaches a :class:`Prediction` to each paragraph. The objects are
plain dataclasses so that they serialise to JSON (``to_dict``) without surprises.

Offsets are always into ``Report.text``, the decoded input (for HTML input, the
text extracted from the page; ``Paragraph.source_span`` then points into the raw
HTML). For every paragraph ``report.text[p.start:p.end] == p.text``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Iterator, Literal, Mapping

__all__ = [
    "AxisExplanation",
    "Explanation",
    "PARAGRAPH_KINDS",
    "ROLES",
    "Heading",
    "Metadata",
    "Paragraph",
    "Prediction",
    "Report",
    "Section",
]

#: What a line of a report is. Only ``body`` and ``heading`` lines carry content to
#: classify; ``meta`` lines hold report metadata (title, dates, index numbers) and
#: ``clutter`` lines are page furniture (navigation, share buttons, counters).
ParagraphKind = Literal["body", "heading", "meta", "clutter"]
PARAGRAPH_KINDS: tuple[str, ...] = ("body", "heading", "meta", "clutter")

#: Structural role of a section, read from its heading (see ``structure.py``).
#: ``preamble`` is the text before the first heading; ``duties`` is the section on
#: the principal responsible person's duties (第一责任人职责).
Role = Literal["preamble", "review", "shortcomings", "plans", "duties", "other"]
ROLES: tuple[str, ...] = ("preamble", "review", "shortcomings", "plans", "duties", "other")


@dataclass(frozen=True)
class Metadata:
    """Report metadata found in the page header or given with the input.

    ``extra`` keeps any other fields, e.g. ``genre``/``region``/``year`` from a
    JSONL record, or header fields without a dedicated attribute.

    Examples
    --------
    >>> import govreport_nlp as gr
    >>> md = gr.parse("清河县2024年法治政府建设年度报告\\n发布日期：2025-03-18\\n一、工作回顾\\n全年办理复议案件十二件。").metadata
    >>> md.title, md.date
    ('清河县2024年法治政府建设年度报告', '2025-03-18')
    """

    title: str | None = None
    issuer: str | None = None
    date: str | None = None
    index_number: str | None = None
    document_number: str | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["extra"] = dict(self.extra)
        return d


@dataclass(frozen=True)
class Heading:
    """A heading, standalone on its line or leading the line's body text.

    Examples
    --------
    >>> import govreport_nlp as gr
    >>> h = gr.parse("二、存在的不足\\n执法队伍专业化程度不高。").sections[0].heading
    >>> h.marker, h.title, h.level
    ('二、', '存在的不足', 1)
    """

    title: str
    """The heading words without numbering marker or trailing punctuation."""
    marker: str | None
    """The numbering marker as written (``一、``, ``（二）``, ``1.``), if any."""
    style: str
    """Numbering style name: ``part``, ``cn``, ``cn_paren``, ``num``, ``num_paren``,
    ``circled`` or ``plain`` (un-numbered)."""
    level: int
    """Depth in the heading tree, 1 for top-level sections."""
    paragraph: int
    """Index of the paragraph (line) that holds the heading."""
    start: int
    end: int
    inline: bool
    """True when the heading shares its line with body text."""
    role: str | None = None
    """Role stated by this heading's own words, if any."""


@dataclass(frozen=True)
class Section:
    """A top-level section of a report and its structural role.

    Examples
    --------
    >>> import govreport_nlp as gr
    >>> s = gr.parse("三、下一步工作打算\\n持续深化诉源治理。").sections[0]
    >>> s.role, s.cue
    ('plans', '下一步')
    """

    index: int
    heading: Heading | None
    role: str
    cue: str | None
    """The cue phrase that gave the role; ``None`` when the role was inferred."""
    first_paragraph: int
    last_paragraph: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "title": self.heading.title if self.heading else None,
            "role": self.role,
            "cue": self.cue,
            "first_paragraph": self.first_paragraph,
            "last_paragraph": self.last_paragraph,
        }


@dataclass(frozen=True)
class Prediction:
    """A classifier's decision for one paragraph.

    Examples
    --------
    >>> import govreport_nlp as gr
    >>> pred = gr.load_model().predictions(["我们将进一步优化营商环境。"])[0]
    >>> pred.label, pred.function, pred.abstained
    ('plans', 'plan', False)
    >>> pred
    <Prediction plans 0.99 (plan, deregulation)>
    """

    label: str
    score: float
    function: str | None = None
    function_score: float | None = None
    topics: tuple[str, ...] = ()
    alternatives: tuple[tuple[str, float], ...] = ()
    """The next most likely labels with their probabilities, best first."""
    abstained: bool = False
    """True when ``score`` fell below the model's confidence threshold."""
    reasons: tuple[str, ...] = ()

    @property
    def assigned(self) -> str | None:
        """The label given to the paragraph: ``label``, or ``None`` when the model abstained.

        Examples
        --------
        >>> Prediction("plans", 0.4, abstained=True).assigned is None
        True
        """
        return None if self.abstained else self.label

    def __repr__(self) -> str:
        extra = ", ".join(x for x in (self.function or "", ",".join(self.topics)) if x)
        state = " abstained" if self.abstained else ""
        return f"<Prediction {self.label} {self.score:.2f}{state}" + (f" ({extra})" if extra else "") + ">"

    def _repr_html_(self) -> str:
        from .display import prediction_html

        return prediction_html(self)

    def to_dict(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "score": self.score,
            "function": self.function,
            "function_score": self.function_score,
            "topics": list(self.topics),
            "alternatives": [list(a) for a in self.alternatives],
            "abstained": self.abstained,
            "reasons": list(self.reasons),
        }


@dataclass(frozen=True)
class AxisExplanation:
    """One head's decision and the evidence behind it, strongest first.

    ``reasons`` are ``(what, weight)`` pairs in a reader's terms: the paragraph's words
    and phrases, the keywords or cue phrases that matched, and where it stands in its
    report; ``weight`` is how far each pushed towards ``label`` (log-odds, summed over
    the n-grams and cues that make up one reason).

    Examples
    --------
    >>> import govreport_nlp as gr
    >>> topic = gr.load_model().explain("推行证照分离，企业开办1日办结。").axes["topic"]
    >>> topic.label, [text for text, _ in topic.reasons][:1]
    ('deregulation', ['deregulation keywords: 证照分离, 企业开办'])
    """

    axis: str
    label: str
    score: float
    reasons: tuple[tuple[str, float], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"axis": self.axis, "label": self.label, "score": self.score,
                "reasons": [[text, weight] for text, weight in self.reasons]}


@dataclass(frozen=True)
class Explanation:
    """Why a paragraph got its label: the label, and each head's decision with its reasons.

    ``str()`` gives a few lines to read; in Jupyter it shows as a small table;
    :meth:`to_dict` is plain JSON.

    Examples
    --------
    >>> import govreport_nlp as gr
    >>> e = gr.load_model().explain({"text": "推行证照分离，企业开办时间压缩至1个工作日。",
    ...                              "role": "review", "cued": True, "headings": ["主要做法和成效"]})
    >>> e.label, e.axes["topic"].label
    ('deregulation', 'deregulation')
    >>> print(str(e).splitlines()[0])  # doctest: +ELLIPSIS
    deregulation 0.9... — 推行证照分离，企业开办时间压缩至1个工作日。
    >>> sorted(e.to_dict())
    ['axes', 'label', 'score', 'text']
    """

    text: str
    label: str
    score: float
    axes: Mapping[str, AxisExplanation] = field(default_factory=dict)

    def __str__(self) -> str:
        lines = [f"{self.label} {self.score:.2f} — {_clip(self.text, 40)}"]
        for ax in self.axes.values():
            why = "; ".join(text for text, _ in ax.reasons[:4]) or "no single feature stands out"
            lines.append(f"  {ax.axis} {ax.label} {ax.score:.2f}: {why}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"<Explanation {self.label} {self.score:.2f} ({', '.join(a.label for a in self.axes.values())})>"

    def _repr_html_(self) -> str:
        from .display import explanation_html

        return explanation_html(self)

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "label": self.label, "score": self.score,
                "axes": {name: ax.to_dict() for name, ax in self.axes.items()}}


def _clip(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


@dataclass
class Paragraph:
    """One line of a report (the unit that is classified).

    ``headings`` is the chain of heading titles above the paragraph, outermost
    first; ``title`` is the paragraph's own leading heading or lead sentence when
    it has one (``(二)深化"放管服"改革。一是…`` has the title
    ``深化"放管服"改革``); ``items`` are the spans of inline enumerations
    (``一是…二是…``) as offsets into the report text.

    Examples
    --------
    >>> import govreport_nlp as gr
    >>> p = gr.parse("一、工作回顾\\n（一）深化放管服改革。一是推行证照分离；二是压减审批时限。").paragraphs[1]
    >>> p.kind, p.headings, p.title, p.level
    ('body', ('工作回顾',), '深化放管服改革', 2)
    >>> len(p.items)
    2
    """

    index: int
    text: str
    start: int
    end: int
    kind: str = "body"
    headings: tuple[str, ...] = ()
    section: int | None = None
    role: str = "preamble"
    title: str | None = None
    marker: str | None = None
    level: int | None = None
    items: tuple[tuple[int, int], ...] = ()
    note: str | None = None
    """Why a line is ``meta`` or ``clutter`` (e.g. ``"date"``, ``"navigation"``)."""
    source_span: tuple[int, int] | None = None
    """For HTML input, the span of the raw page this line was extracted from."""
    prediction: Prediction | None = None

    @property
    def is_content(self) -> bool:
        """True for lines that carry report content (body text or headings)."""
        return self.kind in ("body", "heading")

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "index": self.index,
            "start": self.start,
            "end": self.end,
            "kind": self.kind,
            "role": self.role,
            "section": self.section,
            "headings": list(self.headings),
            "title": self.title,
            "marker": self.marker,
            "level": self.level,
            "items": [list(s) for s in self.items],
            "note": self.note,
            "text": self.text,
        }
        if self.source_span is not None:
            d["source_span"] = list(self.source_span)
        if self.prediction is not None:
            d["prediction"] = self.prediction.to_dict()
        return d


@dataclass
class Report:
    """A parsed report: its text, metadata, sections and paragraphs.

    Examples
    --------
    >>> import govreport_nlp as gr
    >>> report = gr.parse("一、工作回顾\\n全年办理行政复议案件十二件。\\n二、下一步打算\\n持续深化诉源治理。")
    >>> [(p.role, p.text) for p in report.body]
    [('review', '全年办理行政复议案件十二件。'), ('plans', '持续深化诉源治理。')]
    >>> [s.role for s in report.sections]
    ['review', 'plans']
    >>> report.text[report.body[0].start:report.body[0].end]
    '全年办理行政复议案件十二件。'
    """

    id: str
    text: str
    paragraphs: list[Paragraph]
    sections: list[Section] = field(default_factory=list)
    headings: list[Heading] = field(default_factory=list)
    metadata: Metadata = field(default_factory=Metadata)
    source: str | None = None
    encoding: str | None = None
    format: str = "text"
    warnings: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.paragraphs)

    def __iter__(self) -> Iterator[Paragraph]:
        return iter(self.paragraphs)

    def __repr__(self) -> str:
        kinds = {k: 0 for k in PARAGRAPH_KINDS}
        for p in self.paragraphs:
            kinds[p.kind] = kinds.get(p.kind, 0) + 1
        title = self.metadata.title or ""
        if len(title) > 30:
            title = title[:29] + "…"
        return (
            f"<Report {self.id!r} {title!r}: {len(self.paragraphs)} paragraphs "
            f"({kinds['body']} body, {kinds['heading']} headings), "
            f"{len(self.sections)} sections>"
        )

    def _repr_html_(self) -> str:
        from .display import report_html

        return report_html(self)

    @property
    def content(self) -> list[Paragraph]:
        """Paragraphs that carry report content (``body`` and ``heading``)."""
        return [p for p in self.paragraphs if p.is_content]

    @property
    def body(self) -> list[Paragraph]:
        """Body paragraphs only: the lines a classifier scores."""
        return [p for p in self.paragraphs if p.kind == "body"]

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "source": self.source,
            "encoding": self.encoding,
            "format": self.format,
            "metadata": self.metadata.to_dict(),
            "warnings": list(self.warnings),
            "sections": [s.to_dict() for s in self.sections],
            "paragraphs": [p.to_dict() for p in self.paragraphs],
        }
