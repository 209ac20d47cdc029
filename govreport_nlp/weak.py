"""Weak supervision: labelling functions over unlabelled reports, and how their votes combine.

A labelling function (LF) looks at one paragraph input (see
:func:`~govreport_nlp.features.as_input`) and votes for a label on one axis, or
abstains (returns ``None``). LFs are registered by name, so a training recipe
lists them in JSON rather than pickling functions. :func:`apply_lfs` runs them,
:func:`summarize` reports coverage, overlaps and conflicts, and
:func:`combine` turns the votes into one label per paragraph by weighted vote.

Examples
--------
>>> x = {"text": "下一步，我们将继续推进综合行政执法改革。", "role": "plans", "cued": True}
>>> votes = apply_lfs([x], axis="function")
>>> combine(votes)[0]
'plan'
>>> combine(apply_lfs([x], axis="topic"))[0]
'enforcement'
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Mapping, Sequence

from .errors import GovReportError
from .features import lexicon, opening

__all__ = [
    "LabelingFunction",
    "LFSummary",
    "apply_lfs",
    "available_lfs",
    "combine",
    "get_lf",
    "labeling_function",
    "summarize",
]

Vote = str | None


@dataclass(frozen=True)
class LabelingFunction:
    """A named voter on one axis (``function`` or ``topic``) with a weight in :func:`combine`.

    Examples
    --------
    >>> lf = get_lf("plan_cue")
    >>> lf.axis, lf({"text": "下一步，持续深化诉源治理。"})
    ('function', 'plan')
    """

    name: str
    axis: str
    weight: float
    func: Callable[[Mapping[str, Any]], Vote]

    def __call__(self, x: Mapping[str, Any]) -> Vote:
        return self.func(x)


_LFS: dict[str, LabelingFunction] = {}


def labeling_function(name: str, axis: str, weight: float = 1.0) -> Callable[[Callable[[Mapping[str, Any]], Vote]],
                                                                            LabelingFunction]:
    """Decorator that registers a labelling function under ``name``.

    Examples
    --------
    >>> @labeling_function("opens_with_next_step", axis="timing")
    ... def opens_with_next_step(x):
    ...     return "future" if x["text"].startswith("下一步") else None
    >>> opens_with_next_step({"text": "下一步，持续深化诉源治理。"}), opens_with_next_step({"text": "全年办理复议案件。"})
    ('future', None)
    >>> "opens_with_next_step" in available_lfs("timing")
    True
    """
    def deco(func: Callable[[Mapping[str, Any]], Vote]) -> LabelingFunction:
        lf = LabelingFunction(name, axis, weight, func)
        _LFS[name] = lf
        return lf
    return deco


def get_lf(name: str) -> LabelingFunction:
    """A registered labelling function by name.

    Examples
    --------
    >>> get_lf(available_lfs("function")[0]).axis
    'function'
    """
    try:
        return _LFS[name]
    except KeyError:
        raise GovReportError(f"unknown labelling function {name!r}; known: {', '.join(sorted(_LFS))}.") from None


def available_lfs(axis: str | None = None) -> list[str]:
    """Names of the registered labelling functions (of one axis).

    Examples
    --------
    >>> available_lfs("topic")
    ['not_legal', 'topic_heading', 'topic_keywords', 'topic_opening']
    """
    return sorted(n for n, lf in _LFS.items() if axis is None or lf.axis == axis)


# --- function axis -----------------------------------------------------------
_ROLE_TO_FUNCTION = {"review": "review", "duties": "review", "shortcomings": "shortcoming", "plans": "plan",
                     "preamble": "preamble"}


@labeling_function("page_furniture", "function", weight=3.0)
def _lf_meta(x: Mapping[str, Any]) -> Vote:
    return "meta" if x.get("kind") in ("meta", "clutter") else None


@labeling_function("section_role", "function", weight=1.0)
def _lf_section_role(x: Mapping[str, Any]) -> Vote:
    if x.get("kind") not in (None, "body", "heading"):
        return None
    role = str(x.get("role"))
    # text before the first heading is a preamble only at the very start; in a report
    # without headings it is everything
    if role == "preamble" and float(x.get("position") or 0.0) > 0.08:
        return None
    return _ROLE_TO_FUNCTION.get(role)


@labeling_function("cued_section_role", "function", weight=1.0)
def _lf_cued_role(x: Mapping[str, Any]) -> Vote:
    # a heading that says "problems" or "next steps" is stronger evidence than an inferred role
    if not x.get("cued") or x.get("kind") not in (None, "body", "heading"):
        return None
    return _ROLE_TO_FUNCTION.get(str(x.get("role")))


@labeling_function("shortcoming_cue", "function", weight=2.5)
def _lf_shortcoming(x: Mapping[str, Any]) -> Vote:
    return "shortcoming" if "shortcoming" in lexicon().function_cues(x["text"]) else None


@labeling_function("plan_cue", "function", weight=1.5)
def _lf_plan(x: Mapping[str, Any]) -> Vote:
    # a plan cue inside a problems section usually describes the remedy, not the plan section
    if x.get("role") == "shortcomings":
        return None
    return "plan" if "plan" in lexicon().function_cues(x["text"]) else None


@labeling_function("salutation", "function", weight=3.0)
def _lf_salutation(x: Mapping[str, Any]) -> Vote:
    return "preamble" if "preamble" in lexicon().function_cues(x["text"]) and x.get("role") in (None, "preamble") \
        else None


@labeling_function("closing_call", "function", weight=4.0)
def _lf_closing(x: Mapping[str, Any]) -> Vote:
    # a rallying call only closes the speech when it comes at the end
    if x.get("last") and "closing" in lexicon().function_cues(x["text"]) and "让我们" in x["text"]:
        return "closing"
    return None


# --- topic axis --------------------------------------------------------------

@labeling_function("topic_keywords", "topic", weight=1.0)
def _lf_topic_keywords(x: Mapping[str, Any]) -> Vote:
    """The legal topic with most keyword hits (two hits at least, or one in the opening)."""
    lex = lexicon()
    hits = {t: n for t, n in lex.topic_hits(x["text"]).items() if t in lex.legal_topics}
    if not hits:
        return None
    best = max(hits.items(), key=lambda kv: kv[1])
    ranked = sorted(hits.values(), reverse=True)
    if len(ranked) > 1 and ranked[1] == ranked[0]:
        return "general" if len(hits) >= 3 else None
    opening_hits = lex.topic_hits(opening(x["text"], 24))
    if best[1] >= 2 or best[0] in opening_hits:
        return best[0]
    return None


@labeling_function("topic_opening", "topic", weight=1.5)
def _lf_topic_opening(x: Mapping[str, Any]) -> Vote:
    """The paragraph's own title (its opening clause) names one legal topic."""
    lex = lexicon()
    lead = opening(x["text"], 24).split("。")[0]
    hits = [t for t in lex.topic_hits(lead) if t in lex.legal_topics]
    return hits[0] if len(hits) == 1 else None


@labeling_function("topic_heading", "topic", weight=1.0)
def _lf_topic_heading(x: Mapping[str, Any]) -> Vote:
    """The innermost heading names one legal topic."""
    headings = x.get("headings") or ()
    if not headings:
        return None
    lex = lexicon()
    hits = [t for t in lex.topic_hits(headings[-1]) if t in lex.legal_topics]
    return hits[0] if len(hits) == 1 else None


@labeling_function("not_legal", "topic", weight=1.0)
def _lf_non_legal(x: Mapping[str, Any]) -> Vote:
    """Economy, livelihood, culture... with no rule-of-law keyword at all."""
    lex = lexicon()
    hits = lex.topic_hits(x["text"])
    if any(t in lex.legal_topics for t in hits):
        return None
    return "non_legal" if hits.get("non_legal", 0) >= 3 else None


DEFAULT_LFS: dict[str, tuple[str, ...]] = {
    "function": ("page_furniture", "section_role", "cued_section_role", "shortcoming_cue", "plan_cue",
                 "salutation", "closing_call"),
    "topic": ("topic_keywords", "topic_opening", "topic_heading", "not_legal"),
}


def _resolve(lfs: Sequence[str | LabelingFunction] | None, axis: str) -> list[LabelingFunction]:
    if lfs is None:
        if axis not in DEFAULT_LFS:
            raise GovReportError(f"no built-in labelling functions for axis {axis!r}; pass lfs=.")
        lfs = DEFAULT_LFS[axis]
    return [lf if isinstance(lf, LabelingFunction) else get_lf(lf) for lf in lfs]


@dataclass
class Votes:
    """The votes of several LFs on several paragraphs: ``votes[i][j]`` is LF ``j`` on paragraph ``i``."""

    lfs: list[LabelingFunction]
    votes: list[list[Vote]]

    def __len__(self) -> int:
        return len(self.votes)


def apply_lfs(inputs: Iterable[Mapping[str, Any]], lfs: Sequence[str | LabelingFunction] | None = None,
              axis: str = "function") -> Votes:
    """Run labelling functions (by default the built-in ones of ``axis``) on paragraph inputs.

    Examples
    --------
    >>> inputs = [{"text": "下一步，持续深化诉源治理。"}, {"text": "存在的不足：执法能力还有差距。"}]
    >>> votes = apply_lfs(inputs, axis="function")
    >>> [lf.name for lf in votes.lfs][3:5]
    ['shortcoming_cue', 'plan_cue']
    >>> votes.votes[0][3:5], votes.votes[1][3:5]
    ([None, 'plan'], ['shortcoming', None])
    """
    resolved = _resolve(lfs, axis)
    return Votes(resolved, [[lf(x) for lf in resolved] for x in inputs])


def combine(votes: Votes, *, min_weight: float = 0.0) -> list[str | None]:
    """One label per paragraph: the label with most vote weight, ``None`` where all abstain or tie.

    Examples
    --------
    >>> inputs = [{"text": "下一步，持续深化诉源治理。"}, {"text": "存在的不足：执法能力还有差距。"}]
    >>> combine(apply_lfs(inputs, axis="function"))
    ['plan', 'shortcoming']
    """
    out: list[str | None] = []
    for row in votes.votes:
        tally: dict[str, float] = {}
        for lf, v in zip(votes.lfs, row):
            if v is not None:
                tally[v] = tally.get(v, 0.0) + lf.weight
        if not tally:
            out.append(None)
            continue
        ranked = sorted(tally.items(), key=lambda kv: -kv[1])[:2]
        if (len(ranked) > 1 and ranked[0][1] == ranked[1][1]) or ranked[0][1] <= min_weight:
            out.append(None)
        else:
            out.append(ranked[0][0])
    return out


@dataclass
class LFSummary:
    """Per-LF coverage (share of paragraphs voted on), overlap (voted where another LF voted too)
    and conflict (voted where another LF voted differently), plus the combined coverage.

    Examples
    --------
    >>> inputs = [{"text": "下一步，持续深化诉源治理。"}, {"text": "存在的不足：执法能力还有差距。"}]
    >>> summary = summarize(apply_lfs(inputs, axis="function"))
    >>> summary.n, round(summary.coverage, 2)
    (2, 1.0)
    """

    rows: list[dict[str, Any]]
    n: int
    coverage: float
    conflicts: float

    def to_dict(self) -> dict[str, Any]:
        return {"paragraphs": self.n, "coverage": self.coverage, "conflicts": self.conflicts, "lfs": self.rows}

    def __str__(self) -> str:
        lines = [f"{'labelling function':<22} {'coverage':>8} {'overlap':>8} {'conflict':>8}  votes"]
        for r in self.rows:
            top = ", ".join(f"{k} {v}" for k, v in list(r["votes"].items())[:4])
            lines.append(f"{r['name']:<22} {r['coverage']:>8.1%} {r['overlap']:>8.1%} {r['conflict']:>8.1%}  {top}")
        lines.append(f"{self.n} paragraphs; any vote {self.coverage:.1%}; some conflict {self.conflicts:.1%}")
        return "\n".join(lines)


def summarize(votes: Votes) -> LFSummary:
    """Coverage, overlap and conflict of each LF (see :class:`LFSummary`).

    Examples
    --------
    >>> inputs = [{"text": "下一步，持续深化诉源治理。"}, {"text": "存在的不足：执法能力还有差距。"}]
    >>> summary = summarize(apply_lfs(inputs, axis="function"))
    >>> type(summary).__name__
    'LFSummary'
    """
    n = len(votes.votes)
    rows = []
    for j, lf in enumerate(votes.lfs):
        cov = ov = conf = 0
        counts: Counter[str] = Counter()
        for row in votes.votes:
            v = row[j]
            if v is None:
                continue
            cov += 1
            counts[v] += 1
            others = [o for k, o in enumerate(row) if k != j and o is not None]
            ov += bool(others)
            conf += any(o != v for o in others)
        d = max(n, 1)
        rows.append({"name": lf.name, "axis": lf.axis, "coverage": cov / d, "overlap": ov / d, "conflict": conf / d,
                     "votes": dict(counts.most_common())})
    any_vote = sum(any(v is not None for v in row) for row in votes.votes)
    conflicted = sum(len({v for v in row if v is not None}) > 1 for row in votes.votes)
    return LFSummary(rows, n, any_vote / max(n, 1), conflicted / max(n, 1))
