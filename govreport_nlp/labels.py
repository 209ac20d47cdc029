"""The label sets: what each label means, and how the default label is derived.

A paragraph is described on two axes (see ``docs/taxonomy.md``):

* **function** — what the paragraph does in the report (``meta``, ``preamble``,
  ``review``, ``shortcoming``, ``plan``, ``closing``);
* **topic** — what it is about, primary topic first (``leadership``,
  ``deregulation``, ``enforcement``, ``dispute``, ... ``non_legal``).

The default single label (7 classes) is derived from the two: a shortcoming is
``shortcomings`` and a plan is ``plans`` whatever its topic; page metadata,
preambles and closings are ``other``; a review paragraph takes its primary topic
(``legal_service`` counts as ``dispute``; topics outside the five named ones are
``other``).

Users who train on labels of their own get a :class:`LabelSet` built from their
data (:meth:`LabelSet.from_labels`); the built-in sets are registered by name.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Mapping, Sequence

from .errors import GovReportError

__all__ = [
    "DEFAULT",
    "FUNCTION",
    "TOPIC",
    "LabelSet",
    "derive_label",
    "get_label_set",
]


@dataclass(frozen=True)
class LabelSet:
    """An ordered set of labels with a short meaning for each.

    Examples
    --------
    >>> DEFAULT.labels
    ('leadership', 'deregulation', 'enforcement', 'dispute', 'shortcomings', 'plans', 'other')
    >>> "plans" in DEFAULT, DEFAULT.index("other")
    (True, 6)
    """

    name: str
    labels: tuple[str, ...]
    descriptions: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if len(set(self.labels)) != len(self.labels):
            raise GovReportError(f"label set {self.name!r} lists a label twice.")
        if not self.labels:
            raise GovReportError(f"label set {self.name!r} has no labels.")

    def __contains__(self, label: object) -> bool:
        return label in self.labels

    def __len__(self) -> int:
        return len(self.labels)

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self.labels)

    def index(self, label: str) -> int:
        try:
            return self.labels.index(label)
        except ValueError:
            raise GovReportError(
                f"label {label!r} is not in the label set {self.name!r} ({', '.join(self.labels)})."
            ) from None

    def check(self, labels: Iterable[str]) -> None:
        """Raise a clear error for any label outside this set."""
        unknown = sorted({str(x) for x in labels} - set(self.labels))
        if unknown:
            raise GovReportError(
                f"labels {', '.join(map(repr, unknown[:5]))} are not in the label set {self.name!r} "
                f"({', '.join(self.labels)})."
            )

    @classmethod
    def from_labels(cls, labels: Iterable[str], name: str = "custom") -> LabelSet:
        """A label set of the distinct labels seen, in sorted order."""
        return cls(name=name, labels=tuple(sorted({str(x) for x in labels})))

    def to_dict(self) -> dict[str, object]:
        return {"name": self.name, "labels": list(self.labels), "descriptions": dict(self.descriptions)}

    @classmethod
    def from_dict(cls, d: Mapping[str, object]) -> LabelSet:
        labels = d.get("labels")
        if not isinstance(labels, (list, tuple)) or not all(isinstance(x, str) for x in labels):
            raise GovReportError("a label set needs a list of string labels.")
        desc = d.get("descriptions") or {}
        return cls(name=str(d.get("name", "custom")), labels=tuple(labels),
                   descriptions=dict(desc) if isinstance(desc, Mapping) else {})


FUNCTION = LabelSet(
    "function",
    ("meta", "preamble", "review", "shortcoming", "plan", "closing"),
    {
        "meta": "title, publication data, index numbers, page furniture",
        "preamble": "opening overview of the year, guiding thought, salutation",
        "review": "measures taken and results achieved",
        "shortcoming": "problems, gaps and weaknesses, and their causes",
        "plan": "intentions, arrangements and targets for the next period",
        "closing": "the rallying call that ends a speech",
    },
)

TOPIC = LabelSet(
    "topic",
    ("leadership", "deregulation", "enforcement", "dispute", "legal_service", "legislation", "decision",
     "supervision", "publicity", "governance", "emergency", "digital", "integrity", "general", "non_legal"),
    {
        "leadership": "party leadership of and responsibility for rule-of-law work (第一责任人, 会前学法, 述法, 督察考核)",
        "deregulation": "transforming government functions, 放管服 (审批改革, 证照分离, 一网通办, 营商环境, 信用监管)",
        "enforcement": "administrative law-enforcement reform and standards (综合行政执法, 三项制度, 执法监督)",
        "dispute": "preventing and resolving disputes (行政复议, 行政应诉, 调解, 信访, 诉源治理)",
        "legal_service": "public legal services (公共法律服务, 法律援助, 12348)",
        "legislation": "making and cleaning rules (地方立法, 政府规章, 规范性文件)",
        "decision": "lawful decision-making (重大行政决策, 合法性审查, 法律顾问)",
        "supervision": "checks on administrative power (人大/政协/司法/审计监督, 政务公开)",
        "publicity": "legal education and a rule-of-law society (普法, 法治文化)",
        "governance": "grassroots and social governance, public safety (社区矫正, 平安建设)",
        "emergency": "emergency response under law",
        "digital": "digital rule-of-law government (数字政府, 智慧执法)",
        "integrity": "clean and diligent government (廉政, 作风建设)",
        "general": "rule of law in general, or several topics with none leading",
        "non_legal": "not about rule-of-law work (economy, industry, livelihood)",
    },
)

DEFAULT = LabelSet(
    "default",
    ("leadership", "deregulation", "enforcement", "dispute", "shortcomings", "plans", "other"),
    {
        "leadership": "reviews party leadership and responsibility for rule-of-law work",
        "deregulation": "reviews 放管服: streamlining approvals, services, business environment",
        "enforcement": "reviews law-enforcement reform and standards",
        "dispute": "reviews dispute prevention and resolution, or public legal services",
        "shortcomings": "admits problems, gaps or weaknesses",
        "plans": "sets out intentions or tasks for the next period",
        "other": "anything else: metadata, preamble, closing, or a review of another topic",
    },
)

_TOPIC_TO_DEFAULT = {
    "leadership": "leadership",
    "deregulation": "deregulation",
    "enforcement": "enforcement",
    "dispute": "dispute",
    "legal_service": "dispute",
}

_REGISTRY: dict[str, LabelSet] = {s.name: s for s in (DEFAULT, FUNCTION, TOPIC)}


def get_label_set(name: str | LabelSet | Mapping[str, object] | Sequence[str]) -> LabelSet:
    """A built-in label set by name (``default``, ``function``, ``topic``), from a dict, or a list of labels.

    Examples
    --------
    >>> get_label_set("default").labels
    ('leadership', 'deregulation', 'enforcement', 'dispute', 'shortcomings', 'plans', 'other')
    >>> get_label_set({"name": "mine", "labels": ["done", "todo"]}).labels
    ('done', 'todo')
    >>> get_label_set(["todo", "done"]).labels  # a list keeps its order
    ('todo', 'done')
    """
    if isinstance(name, LabelSet):
        return name
    if isinstance(name, Mapping):
        return LabelSet.from_dict(name)
    if not isinstance(name, str):
        return LabelSet("custom", tuple(str(x) for x in name))
    try:
        return _REGISTRY[name]
    except KeyError:
        raise GovReportError(
            f"unknown label set {name!r}; built-in sets are {', '.join(sorted(_REGISTRY))}, "
            "or train on your own labels."
        ) from None


def derive_label(function: str, topics: Sequence[str]) -> str:
    """The default 7-class label of a paragraph from its function and topics.

    Parameters
    ----------
    function : str
        One of :data:`FUNCTION`.
    topics : sequence of str
        Topics of :data:`TOPIC`, primary first (may be empty).

    Examples
    --------
    >>> derive_label("plan", ["enforcement"])
    'plans'
    >>> derive_label("review", ["legal_service"])
    'dispute'
    >>> derive_label("review", ["supervision", "dispute"])
    'other'
    """
    FUNCTION.check([function])
    if function == "shortcoming":
        return "shortcomings"
    if function == "plan":
        return "plans"
    if function in ("meta", "preamble", "closing") or not topics:
        return "other"
    return _TOPIC_TO_DEFAULT.get(topics[0], "other")
