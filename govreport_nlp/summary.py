"""Tables over classified reports: label shares per group, and paragraphs as records.

These are the numbers behind questions asked of a whole corpus (how much space
goes to dispute resolution versus deregulation, city by city or year by year?
what problems does each county admit to?). They take classified
:class:`~govreport_nlp.Report` objects, as :meth:`~govreport_nlp.Model.classify_report`
and :func:`~govreport_nlp.classify_many` return them, and give plain Python data
(dicts and lists) that ``pandas.DataFrame`` accepts as is; :mod:`govreport_nlp.plots`
draws them.

Only body paragraphs are counted (headings, metadata and page clutter are not
content), and by default only those of at least 25 characters, the length the
taxonomy scores; an abstained paragraph counts under ``None``.

Examples
--------
>>> import govreport_nlp as gr
>>> model = gr.load_model()
>>> text = ("一、工作回顾\\n全年办理行政复议案件十二件，全部依法审结，纠错率明显下降。\\n"
...         "二、存在的不足\\n行政执法人员的专业能力与新形势新要求相比还有差距。\\n")
>>> report = model.classify_report(text, id="清河")
>>> label_shares([report])["清河"]["shortcomings"]
0.5
>>> [(r["doc"], r["label"]) for r in paragraph_table([report], label="shortcomings")]
[('清河', 'shortcomings')]
"""

from __future__ import annotations

from collections import Counter
from typing import Any, Callable, Iterable, Mapping, Sequence, Union

from .document import Paragraph, Report
from .errors import GovReportError

__all__ = ["label_counts", "label_shares", "paragraph_table"]

By = Union[str, Callable[[Report], Any], None]

#: the length (characters) under which the taxonomy does not score a paragraph
MIN_CHARS = 25


def _group(report: Report, by: By) -> Any:
    if by is None or by == "id":
        return report.id
    if callable(by):
        return by(report)
    if by == "corpus":
        return "corpus"
    md = report.metadata
    if by in md.extra:
        return md.extra[by]
    value = getattr(md, by, None)
    if value is None and by not in ("title", "issuer", "date"):
        raise GovReportError(f"reports have no field {by!r} to group by; use 'id', 'corpus', a metadata field "
                             f"({', '.join(sorted(md.extra)) or 'none here'}) or a function of the report.")
    return value


def _paragraphs(report: Report, min_chars: int) -> Iterable[Paragraph]:
    for p in report.body:
        if p.prediction is None:
            raise GovReportError(f"{report.id} has not been classified; pass reports from "
                                 "Model.classify_report or classify_many.")
        if len(p.text.strip()) >= min_chars:
            yield p


def label_counts(reports: Iterable[Report], *, by: By = "id", weight: str = "paragraphs",
                 min_chars: int = MIN_CHARS) -> dict[Any, Counter[str | None]]:
    """How much of each group's text went to each label.

    Parameters
    ----------
    reports : iterable of Report
        Classified reports (consumed once; failures from ``classify_many`` are skipped).
    by : str, callable or None
        The group of a report: ``"id"`` (each report alone, the default),
        ``"corpus"`` (all together), a metadata field such as ``"year"`` or
        ``"region"`` (from the JSONL record), or a function of the report.
    weight : {"paragraphs", "chars"}
        Count paragraphs, or characters (space, as a reader sees it).
    min_chars : int
        Leave out paragraphs shorter than this.

    Returns
    -------
    dict
        Group to a ``Counter`` of label to amount, groups in order of first appearance.

    Examples
    --------
    >>> import govreport_nlp as gr
    >>> report = gr.load_model().classify_report("二、存在的不足\\n行政执法人员的专业能力与新形势新要求相比还有差距。", id="r")
    >>> label_counts([report])
    {'r': Counter({'shortcomings': 1})}
    """
    if weight not in ("paragraphs", "chars"):
        raise GovReportError(f"weight must be 'paragraphs' or 'chars', not {weight!r}.")
    out: dict[Any, Counter[str | None]] = {}
    for report in reports:
        if not isinstance(report, Report):
            continue  # a Failure in a classify_many stream: reported there
        counts = out.setdefault(_group(report, by), Counter())
        for p in _paragraphs(report, min_chars):
            counts[p.prediction.assigned if p.prediction else None] += len(p.text) if weight == "chars" else 1
    return out


def label_shares(reports: Iterable[Report], *, by: By = "id", weight: str = "paragraphs",
                 min_chars: int = MIN_CHARS, labels: Sequence[str] | None = None) -> dict[Any, dict[str | None, float]]:
    """Each group's share of each label (0 to 1, summing to 1 over the labels present).

    Parameters are those of :func:`label_counts`; ``labels`` fixes the labels
    listed (default: those seen, in order of first appearance), zeros included.
    A group with no paragraph long enough maps to an empty dict.

    Examples
    --------
    >>> import govreport_nlp as gr
    >>> report = gr.load_model().classify_report("二、存在的不足\\n行政执法人员的专业能力与新形势新要求相比还有差距。", id="r")
    >>> label_shares([report], by="corpus")
    {'corpus': {'shortcomings': 1.0}}
    """
    counts = label_counts(reports, by=by, weight=weight, min_chars=min_chars)
    seen = list(labels) if labels is not None else list(dict.fromkeys(k for c in counts.values() for k in c))
    out: dict[Any, dict[str | None, float]] = {}
    for group, c in counts.items():
        total = sum(c.values())
        out[group] = {lab: c.get(lab, 0) / total for lab in seen} if total else {}
    return out


def paragraph_table(reports: Iterable[Report], *, label: str | Sequence[str] | None = None,
                    min_chars: int = MIN_CHARS, fields: Sequence[str] = ()) -> list[dict[str, Any]]:
    """Body paragraphs of classified reports as flat records, optionally of some labels only.

    Each record has ``doc``, ``index``, ``label``, ``score``, ``function``,
    ``topics``, ``heading`` (the nearest heading above), ``start``, ``end`` and
    ``text``, plus the metadata ``fields`` asked for (e.g. ``("region", "year")``).
    ``pandas.DataFrame(paragraph_table(...))`` makes it a table.

    Examples
    --------
    >>> import govreport_nlp as gr
    >>> report = gr.load_model().classify_report("二、存在的不足\\n行政执法人员的专业能力与新形势新要求相比还有差距。", id="r")
    >>> [(r["doc"], r["label"], r["heading"]) for r in paragraph_table([report])]
    [('r', 'shortcomings', '存在的不足')]
    """
    wanted = None if label is None else ({label} if isinstance(label, str) else set(label))
    rows = []
    for report in reports:
        if not isinstance(report, Report):
            continue
        extra: Mapping[str, Any] = report.metadata.extra
        for p in _paragraphs(report, min_chars):
            lab = p.prediction.assigned if p.prediction else None
            if wanted is not None and lab not in wanted:
                continue
            pred = p.prediction
            assert pred is not None
            row: dict[str, Any] = {"doc": report.id, **{f: extra.get(f) for f in fields}, "index": p.index,
                                   "label": lab, "score": round(pred.score, 4), "function": pred.function,
                                   "topics": list(pred.topics), "heading": p.headings[-1] if p.headings else None,
                                   "start": p.start, "end": p.end, "text": p.text}
            rows.append(row)
    return rows
