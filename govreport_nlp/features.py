"""Features of a paragraph: its words, its characters, its opening (content), and its place in the report (context).

A paragraph reaches the classifiers as a plain ``dict`` (see :func:`as_input`):
``text`` always, and, when it was read as part of a report, its context:
``headings`` (the heading chain, outermost first), ``role`` (the structural role
of its section), ``cued`` (whether a heading said so), ``position`` (0..1 through
the report), ``kind`` and ``last`` (among the report's last few paragraphs).
A bare string is a paragraph without context and gets content-only features.

This module is numpy only (no scikit-learn, no scipy), so that a saved model
classifies without them (see :mod:`govreport_nlp.inference`):
:class:`Analyzer` segments texts and reads their cues once (:class:`TextAnalysis`),
:class:`NgramTable` looks a fitted vocabulary's n-grams up as integer keys and
weighs them as TF-IDF, and :class:`SparseRows` holds the result.
:func:`context_features` describes the context. The trainable featurizer,
:class:`~govreport_nlp.featurizer.ParagraphFeatures` (scikit-learn vectorizers
learn the vocabularies), lives in :mod:`govreport_nlp.featurizer` and is also
importable from here.

Examples
--------
>>> a = Analyzer().analyze(["推行证照分离，全年办理12件。"])
>>> a.words[0], a.cues[0]["kw:deregulation"] > 0
(['推行', '证照分离', '全年', '办理', '0', '件'], True)
"""

from __future__ import annotations

import itertools
import json
import math
import re
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from importlib import resources
from typing import Any, Callable, Iterable, Mapping, Sequence

import numpy as np

from .document import Paragraph, Report
from .errors import GovReportError
from .segmentation import Segmenter, shared_segmenter, stopwords, trie_pattern
from .structure import detect_heading

__all__ = [
    "Analyzer",
    "Cues",
    "Lexicon",
    "NgramTable",
    "ParagraphFeatures",
    "SparseRows",
    "TextAnalysis",
    "TextBatch",
    "as_input",
    "context_features",
    "lexicon",
    "ngram_counts",
    "opening",
    "opening_table",
    "report_inputs",
    "run_starts",
    "tfidf",
    "tense_counts",
    "topic_masked",
]

# how many of a report's last paragraphs count as "at the end" (closings live there)
_TAIL = 3
_DIGITS = re.compile(r"[0-9０-９]+(?:[.．][0-9０-９]+)?")


# --- inputs ----------------------------------------------------------------

def as_input(x: str | Mapping[str, Any] | Paragraph) -> dict[str, Any]:
    """One paragraph as the classifiers' input dict.

    Examples
    --------
    >>> as_input("加强行政执法监督。")
    {'text': '加强行政执法监督。'}
    >>> as_input({"text": "推行证照分离。", "role": "plans"})["role"]
    'plans'
    """
    if isinstance(x, str):
        return {"text": x}
    if isinstance(x, Paragraph):
        return {"text": x.text, "headings": list(x.headings), "role": x.role, "kind": x.kind}
    if isinstance(x, dict) or isinstance(x, Mapping):  # dict first: typing's isinstance is slow (~2% of a run)
        text = x.get("text")
        if not isinstance(text, str):
            raise GovReportError("a paragraph input needs a 'text' string.")
        return dict(x)
    raise GovReportError(f"cannot classify a {type(x).__name__}; give text, a dict with 'text', or a Paragraph.")


def content_only(x: Mapping[str, Any]) -> dict[str, Any]:
    """The same paragraph with its report context removed."""
    return {"text": x["text"]}


def has_context(x: Mapping[str, Any]) -> bool:
    return any(k in x and x[k] is not None for k in ("role", "headings", "position"))


def report_inputs(report: Report) -> list[dict[str, Any]]:
    """Inputs for every paragraph of a parsed report, with their context.

    Examples
    --------
    >>> from govreport_nlp import parse
    >>> r = parse("一、下一步工作打算\\n（一）继续深化放管服改革，推行告知承诺制。")
    >>> x = report_inputs(r)[1]
    >>> x["role"], x["headings"], x["cued"]
    ('plans', ['下一步工作打算'], True)
    """
    n = len(report.paragraphs)
    cued = {s.index: s.cue is not None for s in report.sections}
    # "last" counts body paragraphs: closings sit at the end, before any page furniture
    body_idx = [p.index for p in report.paragraphs if p.kind == "body"]
    tail = set(body_idx[-_TAIL:])
    out = []
    for p in report.paragraphs:
        out.append({
            "text": p.text,
            "headings": list(p.headings),
            "role": p.role,
            "cued": cued.get(p.section, False) if p.section is not None else False,
            "position": (p.index + 0.5) / n if n else 0.0,
            "kind": p.kind,
            "last": p.index in tail,
        })
    return out


# --- lexicon ---------------------------------------------------------------

@dataclass(frozen=True)
class Lexicon:
    """Topic keywords and function cues (``resources/lexicon.json``).

    Examples
    --------
    >>> from govreport_nlp.features import lexicon
    >>> lex = lexicon()
    >>> sorted(lex.function_cues("下一步，我们将持续深化诉源治理。"))
    ['plan']
    >>> lex.topic_hits("推行证照分离，优化营商环境。")
    {'deregulation': 2, 'non_legal': 1}
    """

    topics: Mapping[str, tuple[str, ...]]
    legal_topics: tuple[str, ...]
    cues: Mapping[str, tuple[re.Pattern[str], ...]]
    # derived: the keywords by their first two characters, found through their first character
    _by_lead: Mapping[str, tuple[tuple[str, str], ...]] = field(init=False, repr=False, compare=False)
    _first_re: re.Pattern[str] | None = field(init=False, repr=False, compare=False)
    _short: tuple[tuple[str, str], ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_lead: dict[str, list[tuple[str, str]]] = {}
        short = []
        for topic, words in self.topics.items():
            for w in dict.fromkeys(words):
                if len(w) >= 2:
                    by_lead.setdefault(w[:2], []).append((topic, w))
                elif w:
                    short.append((topic, w))
        firsts = sorted({lead[0] for lead in by_lead})
        first_re = re.compile("[" + "".join(map(re.escape, firsts)) + "]") if firsts else None
        object.__setattr__(self, "_by_lead", {k: tuple(v) for k, v in by_lead.items()})
        object.__setattr__(self, "_first_re", first_re)
        object.__setattr__(self, "_short", tuple(short))

    def topic_hits(self, text: str) -> dict[str, int]:
        """How many keywords of each topic occur in ``text`` (topics with none left out).

        Each keyword counts its non-overlapping occurrences (``str.count``); only
        keywords whose first two characters occur in ``text`` are looked for.

        Examples
        --------
        >>> lexicon().topic_hits("深化放管服改革，推行证照分离和告知承诺")
        {'deregulation': 3}
        """
        counts: dict[str, int] = {}
        candidates = list(self._short)
        if self._first_re is not None:
            leads = {text[m.start():m.start() + 2] for m in self._first_re.finditer(text)}
            for lead in leads & self._by_lead.keys():
                candidates += self._by_lead[lead]
        for topic, w in candidates:
            n = text.count(w)
            if n:
                counts[topic] = counts.get(topic, 0) + n
        return {t: counts[t] for t in self.topics if t in counts}

    def topic_counts(self, texts: Sequence[str]) -> np.ndarray:
        """:meth:`topic_hits` of many texts at once, as counts (texts x topics, in the order of ``topics``).

        Found with array operations over all the texts together (the same counts
        as :meth:`topic_hits`; tested on the corpus).

        Examples
        --------
        >>> lex = lexicon()
        >>> counts = lex.topic_counts(["深化放管服改革，推行证照分离和告知承诺", "加强行政复议。"])
        >>> list(lex.topics).index("deregulation") == int(counts[0].argmax()), int(counts[0].max())
        (True, 3)
        """
        return self._keyword_matcher().counts(texts)

    def _keyword_matcher(self) -> _KeywordMatcher:
        matcher = self.__dict__.get("_matcher")
        if matcher is None:
            matcher = _KeywordMatcher(self)
            object.__setattr__(self, "_matcher", matcher)
        return matcher

    def function_cues(self, text: str, lead: str | None = None) -> list[str]:
        """Functions whose cue patterns match the paragraph's opening (or, for closings, anywhere).

        ``lead``: the paragraph's opening (``opening(text, 60)``), if already known.

        Examples
        --------
        >>> lexicon().function_cues("下一步，我们将继续推进行政执法规范化。")
        ['plan']
        """
        lead = opening(text, 60) if lead is None else lead
        # each cue pattern on its own, stopping at the first that matches: measured faster than one
        # alternation of them (most are anchored at the start, which an alternation cannot use)
        return [f for f, pats in self.cues.items()
                if any(pat.search(text if f == "closing" else lead) for pat in pats)]


class _KeywordMatcher:
    """Every occurrence of a lexicon's topic keywords in many texts, found with numpy.

    The texts' characters become small ids (``0`` for characters in no keyword
    and between texts); positions whose two characters open some keyword are the
    candidates; at each, every keyword length is looked up as an integer key of
    its first characters and confirmed character by character. A keyword that
    overlaps itself (``AA`` in ``AAA``) would be counted differently from
    ``str.count``: such lexicons (and keywords under two characters) are counted by
    :meth:`Lexicon.topic_hits` text by text instead.
    """

    _PREFIX = 6  # characters of a keyword in its integer key (base ** 6 stays far below 2**63)

    def __init__(self, lex: Lexicon) -> None:
        self.lex = lex
        self.topics = list(lex.topics)
        pairs = [(t, w) for t, ws in lex.topics.items() for w in dict.fromkeys(ws) if w]
        words = self.words = [w for _, w in pairs]
        self.exact = (all(len(w) >= 2 for w in words)
                      and not any(w[:k] == w[-k:] for w in words for k in range(1, len(w))))
        chars = sorted({c for w in words for c in w})
        self.base = len(chars) + 1
        self.table = np.zeros(max(map(ord, chars), default=0) + 1, dtype=np.int64)
        self.table[[ord(c) for c in chars]] = np.arange(1, len(chars) + 1)
        self.topic_of = np.array([self.topics.index(t) for t, _ in pairs], dtype=np.int64)
        ids = [self.table[[ord(c) for c in w]] for w in words]
        self.lead = np.zeros(self.base * self.base, dtype=bool)
        self.by_length: dict[int, tuple[_KeyIndex, np.ndarray, np.ndarray]] = {}
        for n in sorted({len(w) for w in words}):
            which = np.array([i for i, w in enumerate(words) if len(w) == n], dtype=np.int64)
            codes = np.array([ids[i] for i in which], dtype=np.int64).reshape(len(which), n)
            keys = self._keys(codes[:, :self._PREFIX])
            if len(np.unique(keys)) < len(keys):  # two keywords of one length share their key: look up by text
                self.exact = False
            self.by_length[n] = (_KeyIndex(keys), which, codes)
            self.lead[codes[:, 0] * self.base + codes[:, 1]] = True

    def _keys(self, codes: np.ndarray) -> np.ndarray:
        key = np.zeros(len(codes), dtype=np.int64)
        for j in range(codes.shape[1]):
            key = key * self.base + codes[:, j]
        return key

    def counts(self, texts: Sequence[str], found: list[Any] | None = None) -> np.ndarray:
        """Keyword counts per text and topic; ``found``, a list, gets :class:`KeywordHits` appended
        (when the counts were found with arrays: not for an inexact lexicon)."""
        out = np.zeros((len(texts), len(self.topics)), dtype=np.int64)
        if not self.exact:
            for i, t in enumerate(texts):
                for topic, n in self.lex.topic_hits(t).items():
                    out[i, self.topics.index(topic)] = n
            return out
        if not texts or not self.by_length:
            if found is not None:
                found.append(KeywordHits(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), self))
            return out
        codes, rows = _text_codes(texts)
        inside = (codes >= 0) & (codes < len(self.table))
        ids = np.where(inside, self.table[np.where(inside, codes, 0)], 0)  # between texts: 0
        longest = max(self.by_length)
        ids = np.concatenate([ids, np.zeros(longest, dtype=np.int64)])  # room to read past the end
        m = len(codes) - 1
        if m <= 0:
            if found is not None:
                found.append(KeywordHits(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), self))
            return out
        cand = np.flatnonzero((ids[:m] > 0) & (ids[1:m + 1] > 0))
        cand = cand[self.lead[ids[cand] * self.base + ids[cand + 1]]]
        hit_pos, hit_word = [], []
        for n, (index, which, kw_codes) in self.by_length.items():
            window = ids[cand[:, None] + np.arange(n)]  # (candidates, n) character ids
            at = index.find(self._keys(window[:, :self._PREFIX]))
            ok = at >= 0
            ok[ok] = (window[ok] == kw_codes[at[ok]]).all(axis=1)  # the rest of a long keyword, too
            hit_pos.append(cand[ok])
            hit_word.append(which[at[ok]])
        pos, word = np.concatenate(hit_pos), np.concatenate(hit_word)
        np.add.at(out, (rows[pos], self.topic_of[word]), 1)
        if found is not None:
            found.append(KeywordHits(rows[pos], word, self))
        return out


class KeywordHits:
    """Which topic keywords each text of a batch holds (from :class:`_KeywordMatcher`), to name them in
    reasons without searching the text again."""

    def __init__(self, rows: np.ndarray, words: np.ndarray, matcher: _KeywordMatcher) -> None:
        # one entry per (text, keyword), texts ascending, keywords in lexicon order within a text
        key = np.unique(rows * max(len(matcher.topic_of), 1) + words)
        self.rows, self.words = np.divmod(key, max(len(matcher.topic_of), 1))
        self.matcher = matcher
        self._lists: tuple[list[int], list[int], list[int]] | None = None

    def of(self, i: int, topic: str) -> list[str]:
        """The keywords of ``topic`` that text ``i`` holds, in lexicon order (each once)."""
        m = self.matcher
        if self._lists is None:  # asked for many texts: where each text's entries start, as lists
            n = int(self.rows[-1]) + 2 if len(self.rows) else 1
            self._lists = (np.searchsorted(self.rows, np.arange(n)).tolist(), self.words.tolist(),
                           m.topic_of.tolist())
        starts, words, topic_of = self._lists
        if i + 1 >= len(starts):
            return []
        t = m.topics.index(topic) if topic in m.topics else -1
        return [m.words[w] for w in words[starts[i]:starts[i + 1]] if topic_of[w] == t]


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    """The built-in lexicon."""
    raw = json.loads(resources.files("govreport_nlp").joinpath("resources/lexicon.json").read_text("utf-8"))
    return Lexicon(
        topics={k: tuple(v) for k, v in raw["topics"].items()},
        legal_topics=tuple(raw["legal_topics"]),
        cues={k: tuple(re.compile(p) for p in v) for k, v in raw["function_cues"].items()},
    )


@lru_cache(maxsize=1)
def _kw_names() -> tuple[str, ...]:
    return tuple("kw:" + t for t in lexicon().topics)


@lru_cache(maxsize=1)
def _tense_patterns() -> dict[str, re.Pattern[str]]:
    raw = json.loads(resources.files("govreport_nlp").joinpath("resources/lexicon.json").read_text("utf-8"))
    return {name: re.compile("|".join(map(re.escape, sorted(words, key=len, reverse=True))))
            for name, words in raw.get("tense", {}).items() if not name.startswith("_")}


def tense_counts(text: str) -> dict[str, int]:
    """How many markers of done work, work to do and admissions a paragraph holds (those it has).

    Examples
    --------
    >>> tense_counts("全年累计办结复议案件58件。")
    {'done': 3}
    >>> tense_counts("下一步将持续深化诉源治理。")
    {'todo': 4}
    """
    out = {}
    for name, pat in _tense_patterns().items():
        n = len(pat.findall(text))
        if n:
            out[name] = n
    return out


@lru_cache(maxsize=1)
def _topic_pattern() -> re.Pattern[str]:
    pat = trie_pattern({w for ws in lexicon().topics.values() for w in ws if len(w) >= 2})
    assert pat is not None
    return pat


#: what :func:`topic_masked` puts in place of a topic keyword
TOPIC_MASK = "Ｘ"


def topic_masked(text: str) -> str:
    """``text`` with every topic keyword of the lexicon replaced by :data:`TOPIC_MASK`.

    Examples
    --------
    >>> topic_masked("全年会前学法12次，推行证照分离。")
    '全年Ｘ12次，推行Ｘ。'
    """
    return _topic_pattern().sub(TOPIC_MASK, text)


def opening(text: str, n: int = 12) -> str:
    """The first ``n`` characters of a paragraph after its list marker.

    Examples
    --------
    >>> opening("（三）下一步工作打算。", 5)
    '下一步工作'
    """
    text = text.strip()
    h = detect_heading(text)
    if h is not None:
        text = text[len(h.marker):].lstrip() if text.startswith(h.marker) else text
    return text[:n]


# --- context ---------------------------------------------------------------

def context_features(x: Mapping[str, Any]) -> dict[str, float]:
    """Where a paragraph stands in its report, as named features.

    The section role (and whether a heading said so), the line kind, the
    position, being among the last paragraphs, and what the headings above it
    announce (a function cue or a topic's keywords). A paragraph without report
    context gets the single feature ``ctx=none``.

    Examples
    --------
    >>> sorted(context_features({"text": "…", "role": "plans", "cued": True, "headings": ["下一步工作打算"]}))
    ['cued_role=plans', 'hcue:plan', 'role=plans']
    >>> context_features({"text": "推行证照分离。"})
    {'ctx=none': 1.0}
    """
    if not has_context(x):
        return {"ctx=none": 1.0}
    d: dict[str, float] = {}
    role = x.get("role")
    if role:
        d["role=" + str(role)] = 1.0
        if x.get("cued"):
            d["cued_role=" + str(role)] = 1.0
    kind = x.get("kind")
    if kind and kind != "body":
        d["kind=" + str(kind)] = 1.0
    pos = x.get("position")
    if pos is not None:
        d["pos=" + str(min(int(float(pos) * 5), 4))] = 1.0
    if x.get("last"):
        d["last"] = 1.0
    headings = tuple(str(h) for h in (x.get("headings") or ()) if h)
    d.update(_heading_context(headings[-2:]))
    return d


@lru_cache(maxsize=4096)
def _heading_context(headings: tuple[str, ...]) -> tuple[tuple[str, float], ...]:
    """What the two innermost headings announce (memoised: every paragraph under them asks)."""
    lex = lexicon()
    d: dict[str, float] = {}
    # the nearer heading counts more
    for depth, h in enumerate(reversed(headings)):
        w = 1.0 if depth == 0 else 0.5
        for topic in lex.topic_hits(h):
            if topic != "non_legal":
                d["hkw:" + topic] = max(d.get("hkw:" + topic, 0.0), w)
        for f in lex.function_cues(h):
            d["hcue:" + f] = max(d.get("hcue:" + f, 0.0), w)
    return tuple(d.items())


# --- shared text analysis ------------------------------------------------------

_WHITE_RUNS = re.compile(r"\s\s+")  # what scikit-learn's character analyzer folds into one space
_MAX_KEY = 2**63 - 1
#: n-gram lengths with at most this many possible keys are looked up in an array indexed by the key
#: (int32: 32 MB at most; the default model's character bigrams take 17 MB)
_DIRECT_KEYS = 1 << 23


def _norm(text: str) -> str:
    # numbers vary from report to report; their presence (a result, a target) does not
    return _DIGITS.sub("0", text)


_PUNCT: dict[str, bool] = {}


def _is_punct(word: str) -> bool:
    # asked for every token that is not alphanumeric (，。、 over and over): remembered, up to a bound
    found = _PUNCT.get(word)
    if found is None:
        found = all(not ch.isalnum() for ch in word)
        if len(_PUNCT) < 50_000:
            _PUNCT[word] = found
    return found


class _Kept(dict):  # type: ignore[type-arg]
    """token -> whether the word vectorizer reads it; a token not seen before is judged on first lookup."""

    def __init__(self, stop: Any) -> None:
        super().__init__()
        self.stop = stop
        self.split: set[str] = set()  # kept tokens holding white space

    def __missing__(self, w: str) -> bool:
        ok = w not in self.stop and (w.isalnum() or not _is_punct(w))
        if ok and w.split() != [w]:
            self.split.add(w)  # rare (segmenters cut at white space), and kept: the filter must know them
        if len(self) < 200_000:  # bounded: texts of every kind would otherwise grow it for ever
            self[w] = ok
        return ok


class _TokenIds(dict):  # type: ignore[type-arg]
    """token -> its unit id in a word table (``0``: read but in no term), ``DROPPED`` if the word vectorizer
    does not read it, ``SPLIT`` if it holds white space; ``None`` (between texts) -> ``0``."""

    DROPPED, SPLIT = -1, -2

    def __init__(self, ids: Mapping[str, int], kept: _Kept) -> None:
        super().__init__()
        self.ids, self.kept = ids, kept
        self[None] = 0

    def __missing__(self, w: str) -> int:
        v = (self.DROPPED if not self.kept[w] else self.SPLIT if w in self.kept.split
             else self.ids.get(w, 0))
        if len(self) < 200_000:
            self[w] = v
        return v


class _WordFilter:
    """The words of texts' tokens as the word vectorizer's ``token_pattern`` ``\\S+`` sees them: stop words,
    punctuation, white space and empty tokens dropped, tokens with white space inside split (the same as
    ``" ".join(kept tokens).split()`` text by text), each distinct token judged once (they repeat)."""

    def __init__(self, stop: Any) -> None:
        self.kept = _Kept(stop)

    def __call__(self, tokens: Sequence[Sequence[str]]) -> list[list[str]]:
        judge, split = self.kept.__getitem__, self.kept.split
        out = []
        for ts in tokens:
            ws = list(filter(judge, ts))
            out.append(" ".join(ws).split() if split and not split.isdisjoint(ws) else ws)
        return out


@lru_cache(maxsize=1)
def _word_filter() -> _WordFilter:
    return _WordFilter(stopwords())


def heading_of(x: Mapping[str, Any]) -> str | None:
    """The innermost heading title above a paragraph input, if any."""
    heads = [h for h in (x.get("headings") or ()) if h]
    return heads[-1] if heads else None


@dataclass(frozen=True)
class Analyzer:
    """How texts are read before their features are looked up: segmenter and cue settings.

    The per-text work of featurizing (segmenting, normalising numbers, reading the
    cues) depends only on these settings, so featurizers (and the heads of a
    model) with equal settings share one :class:`TextAnalysis`. The parameters
    are those of :class:`~govreport_nlp.featurizer.ParagraphFeatures` of the same names.

    Examples
    --------
    >>> a = Analyzer(use_tense=True).analyze(["下一步将深化诉源治理。"])
    >>> a.words[0]
    ['下', '一步', '将', '深化', '诉源治理']
    >>> a.cues[0]["cue:plan"], "tense:todo" in a.cues[0]
    (1.0, True)
    """

    segmenter: str | Mapping[str, Any] = "rjieba"
    opening_chars: int = 8
    use_lexicon: bool = True
    use_tense: bool = False
    mask_topics: bool = False

    def _segmenter(self) -> Segmenter:
        return shared_segmenter(self.segmenter)

    @cached_property
    def _key(self) -> tuple[Any, ...]:
        return (json.dumps(self._segmenter().config(), sort_keys=True), self.opening_chars, self.use_lexicon,
                self.use_tense, self.mask_topics)

    def key(self) -> tuple[Any, ...]:
        """Analyzers with equal keys give the same :class:`TextAnalysis`."""
        return self._key

    def analyze(self, texts: Sequence[str]) -> TextAnalysis:
        """Segment and describe ``texts`` (see :class:`TextAnalysis`)."""
        seg = self._segmenter()
        read = [topic_masked(t) for t in texts] if self.mask_topics else list(texts)
        norm = [_norm(t) for t in read]
        # the words the word vectorizer reads are filtered from these tokens when asked for (TextAnalysis.words)
        tokens = [ts if isinstance(ts, list) else list(ts) for ts in map(seg.tokens, norm)]
        return TextAnalysis(list(texts), norm, tokens, self.cue_batch(read))

    def cue_batch(self, texts: Sequence[str]) -> Cues:
        """The cue features of ``texts`` (read as they are: masked already if the analyzer masks topics)."""
        lex = lexicon() if self.use_lexicon else None
        leads, numbered, length, functions = [], [], [], []
        for text in texts:
            stripped = text.strip()
            h = detect_heading(stripped)
            body = stripped[len(h.marker):].lstrip() if h is not None and stripped.startswith(h.marker) else stripped
            leads.append(_norm(body[:self.opening_chars]))
            numbered.append(h is not None or stripped.startswith(("（", "(")))
            length.append(min((len(text) + 1).bit_length() - 1, 10))  # int(log2(len + 1)), exactly
            if lex is not None:
                functions.append(lex.function_cues(text, body[:60]))
        found: list[KeywordHits] = []
        topics = (lex._keyword_matcher().counts(texts, found) if lex is not None and not self.mask_topics
                  else None)
        tense = _tense_matrix(texts) if self.use_tense else None
        return Cues(leads, np.array(numbered, dtype=bool), np.array(length, dtype=np.int64), topics,
                    functions if lex is not None else None, tense, found[0] if found else None)

    def cues(self, text: str) -> dict[str, float]:
        """The cue features of one text: opening n-grams, numbering, length class, lexicon hits, tense markers.

        Examples
        --------
        >>> d = Analyzer(use_tense=True).cues("（二）下一步将深化诉源治理。")
        >>> d["numbered"], d["cue:plan"], "open:下一步" in d, "tense:todo" in d
        (1.0, 1.0, True, True)
        """
        return self.cue_batch([text]).dicts()[0]


def _text_codes(texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """The code points of ``texts`` one after another, ``-1`` in a slot after each (so that no n-gram or
    keyword spans two texts), and the text of every slot."""
    codes = np.frombuffer("\n".join(texts).encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
    codes = np.append(codes, 0)
    lengths = np.fromiter((len(t) + 1 for t in texts), dtype=np.int64, count=len(texts))
    codes[np.cumsum(lengths) - 1] = -1
    return codes, np.repeat(np.arange(len(texts)), lengths)


def run_starts(values: np.ndarray) -> np.ndarray:
    """Whether each value of a sorted array begins a run of equal values.

    Examples
    --------
    >>> run_starts(np.array([3, 3, 5, 7, 7])).tolist()
    [True, False, True, True, False]
    """
    new = np.empty(len(values), dtype=bool)
    if len(values):
        new[0] = True
        np.not_equal(values[1:], values[:-1], out=new[1:])
    return new


def _tense_matrix(texts: Sequence[str]) -> np.ndarray:
    """:func:`tense_counts` of many texts (texts x markers, in the lexicon's order): each pattern run once over
    the texts joined by line breaks, which no marker holds."""
    patterns = list(_tense_patterns().values())
    out = np.zeros((len(texts), len(patterns)), dtype=np.int64)
    if not texts:
        return out
    joined = "\n".join(texts)
    starts = np.cumsum([0] + [len(t) + 1 for t in texts[:-1]])
    for j, pat in enumerate(patterns):
        at = np.fromiter((m.start() for m in pat.finditer(joined)), dtype=np.int64)
        if len(at):
            out[:, j] = np.bincount(np.searchsorted(starts, at, side="right") - 1, minlength=len(texts))
    return out


@dataclass
class Cues:
    """The cue features of a batch of texts, as arrays: what :meth:`Analyzer.cues` names.

    ``open:`` n-grams (1 to 3 characters) of each text's opening ``leads`` (after
    its list marker, numbers as 0), ``numbered``, the ``len:`` class, ``kw:`` topic
    keyword counts (``log1p``), ``cue:`` function cues and ``tense:`` marker counts
    (``log1p``). :meth:`dicts` gives them as named features (what the featurizer
    fits on), :meth:`rows` as sparse rows of a vocabulary (what a model classifies
    with); the two agree (tested).

    Examples
    --------
    >>> cues = Analyzer().cue_batch(["（一）推行证照分离。", "下一步将深化诉源治理。"])
    >>> cues.numbered.tolist(), cues.leads[1]
    ([True, False], '下一步将深化诉源')
    >>> vocabulary = {"numbered": 0, "open:下一步": 1, "cue:plan": 2}
    >>> cues.rows(vocabulary, 3).toarray().tolist()
    [[1.0, 0.0, 0.0], [0.0, 1.0, 1.0]]
    """

    leads: list[str]
    numbered: np.ndarray
    length: np.ndarray
    topics: np.ndarray | None
    functions: list[list[str]] | None
    tense: np.ndarray | None
    keywords: KeywordHits | None = field(default=None, repr=False, compare=False)
    """Which keywords each text holds (``None``: not known; reasons then search the text)."""

    def __len__(self) -> int:
        return len(self.leads)

    def dicts(self) -> list[dict[str, float]]:
        """One dict of named features per text."""
        kw_names = _kw_names()
        tense_names = tuple("tense:" + n for n in _tense_patterns())
        out = []
        for i, lead in enumerate(self.leads):
            d: dict[str, float] = {}
            for n in (1, 2, 3):
                for j in range(len(lead) - n + 1):
                    d["open:" + lead[j:j + n]] = 1.0
            if self.numbered[i]:
                d["numbered"] = 1.0
            d["len:" + str(int(self.length[i]))] = 1.0
            if self.topics is not None:
                for name, hits in zip(kw_names, self.topics[i].tolist()):
                    if hits:
                        d[name] = math.log1p(hits)
            for f in (self.functions[i] if self.functions is not None else ()):
                d["cue:" + f] = 1.0
            if self.tense is not None:
                for name, hits in zip(tense_names, self.tense[i].tolist()):
                    if hits:
                        d[name] = math.log1p(hits)
            out.append(d)
        return out

    def rows(self, vocabulary: Mapping[str, int], n_cols: int,
             openings: tuple[NgramTable, np.ndarray] | None = None) -> SparseRows:
        """The features as sparse rows (float32) of ``vocabulary`` (names not in it dropped).

        ``openings``: :func:`opening_table` of the vocabulary, if already built.
        """
        n = len(self.leads)
        table, columns = opening_table(vocabulary) if openings is None else openings
        r: list[np.ndarray] = []
        c: list[np.ndarray] = []
        v: list[np.ndarray] = []
        if table.n_features and n:
            if table.usable:
                codes, rows = _text_codes(self.leads)
                found = table.counts(table.code_ids(codes), rows, n)
            else:
                found = table.counts_of_texts([list(lead) for lead in self.leads])
            r.append(found.row_of)
            c.append(columns[found.indices])
            v.append(np.ones(len(found.indices)))  # present or not
        def named(names: Sequence[str]) -> np.ndarray:
            return np.array([vocabulary.get(x, -1) for x in names], dtype=np.int64)
        col = named(["numbered"])[0]
        if col >= 0:
            at = np.flatnonzero(self.numbered)
            r.append(at), c.append(np.full(len(at), col)), v.append(np.ones(len(at)))
        len_cols = named([f"len:{k}" for k in range(11)])
        r.append(np.arange(n)), c.append(len_cols[self.length]), v.append(np.ones(n))
        for counts, names in ((self.topics, _kw_names()), (self.tense, ["tense:" + x for x in _tense_patterns()])):
            if counts is not None:
                rows, j = np.nonzero(counts)
                r.append(rows), c.append(named(names)[j]), v.append(np.log1p(counts[rows, j].astype(np.float64)))
        if self.functions is not None:
            pairs = [(i, "cue:" + f) for i, fs in enumerate(self.functions) for f in fs]
            r.append(np.array([i for i, _ in pairs], dtype=np.int64))
            c.append(named([name for _, name in pairs])), v.append(np.ones(len(pairs)))
        rr, cc, vv = np.concatenate(r), np.concatenate(c), np.concatenate(v)
        known = cc >= 0
        return SparseRows.from_triples(rr[known], cc[known], vv[known].astype(np.float32), (n, n_cols),
                                       dtype=np.float32)


def opening_table(vocabulary: Mapping[str, int], by_strings: bool = False) -> tuple[NgramTable, np.ndarray]:
    """The ``open:`` n-grams of a cue vocabulary as a character table, and their columns in it.

    ``by_strings``: a table that looks them up by string (:meth:`NgramTable.by_strings`).

    Examples
    --------
    >>> table, columns = opening_table({"len:3": 0, "open:下一": 1, "open:下": 2})
    >>> table.terms, columns.tolist()
    (['下一', '下'], [1, 2])
    """
    found = {name[5:]: col for name, col in vocabulary.items() if name[:5] == "open:" and len(name) > 5}
    terms = list(found)
    table = (NgramTable.by_strings(dict(zip(terms, range(len(terms)))), (1, 3), "") if by_strings
             else NgramTable(terms, None, (1, 3), "", sublinear=False, norm=None))
    return table, np.fromiter(found.values(), dtype=np.int64, count=len(found))


@dataclass
class TextAnalysis:
    """What featurizers read from a list of texts, computed once and shared (see :class:`Analyzer`).

    Examples
    --------
    >>> a = Analyzer().analyze(["推行证照分离。", "加强行政复议。"])
    >>> len(a), a.norm[1]
    (2, '加强行政复议。')
    """

    texts: list[str]
    norm: list[str]
    """The texts with numbers normalised to ``0``."""
    tokens: list[Sequence[str]] = field(repr=False, compare=False)
    """The whole segmentation of each normalised text (white space included)."""
    cue_features: Cues = field(compare=False)
    """Cue features of the texts (opening n-grams, numbering, length class, lexicon hits, tense markers)."""
    _chars: tuple[np.ndarray, np.ndarray] | None = field(default=None, repr=False, compare=False)

    def __len__(self) -> int:
        return len(self.texts)

    @cached_property
    def words(self) -> list[list[str]]:
        """Words of each normalised text, stop words and punctuation dropped (split at white space): what
        the word vectorizer reads (built on first use: a model finds word ids from the tokens directly)."""
        return _word_filter()(self.tokens)

    def words_of(self, i: int, tokens: int | None = None) -> list[str]:
        """``words[i]``, without building the words of every text; with ``tokens``, the words of its
        first ``tokens`` tokens only (a prefix of ``words[i]``)."""
        if tokens is None and "words" in self.__dict__:
            return self.words[i]
        memo = self.__dict__.setdefault("_words_of", {})
        key = i if tokens is None else (i, tokens)
        found = memo.get(key)
        if found is None:
            ts = self.tokens[i]
            found = memo[key] = _word_filter()([ts if tokens is None else ts[:tokens]])[0]
        return found

    @cached_property
    def cues(self) -> list[dict[str, float]]:
        """The cue features of each text as a dict of named features."""
        return self.cue_features.dicts()

    def chars(self) -> tuple[np.ndarray, np.ndarray]:
        """Code points of all normalised texts (white-space runs folded, as scikit-learn does),
        concatenated with one separator slot after each text, and the text index of every slot."""
        if self._chars is None:
            self._chars = _text_codes([_WHITE_RUNS.sub(" ", t) for t in self.norm])
        return self._chars


class TextBatch:
    """The distinct texts of a batch of paragraph inputs and of the headings above them.

    Paragraph ``i`` is text ``rows[i]``; its innermost heading is text
    ``head_rows[i]`` (``-1``: none). Analyses are cached per featurizer setting,
    so a model's heads share the segmentation and cue work.

    Examples
    --------
    >>> b = TextBatch([{"text": "推行证照分离。", "headings": ["深化放管服改革"]}, "推行证照分离。"])
    >>> b.texts, b.rows.tolist(), b.head_rows.tolist()
    (['推行证照分离。', '深化放管服改革'], [0, 0], [1, -1])
    """

    def __init__(self, inputs: Iterable[Any]) -> None:
        self.inputs = [as_input(x) for x in inputs]
        index: dict[str, int] = {}
        self.rows = np.fromiter((index.setdefault(x["text"], len(index)) for x in self.inputs), dtype=np.int64,
                                count=len(self.inputs))
        self.headings = [heading_of(x) for x in self.inputs]
        self.head_rows = np.fromiter((-1 if h is None else index.setdefault(h, len(index)) for h in self.headings),
                                     dtype=np.int64, count=len(self.inputs))
        self.texts = list(index)
        self._analyses: dict[Any, TextAnalysis] = {}
        self._shared: dict[Any, Any] = {}

    def __len__(self) -> int:
        return len(self.inputs)

    @cached_property
    def in_context(self) -> np.ndarray:
        """Whether each input was read in its report (:func:`has_context`)."""
        return np.fromiter(map(has_context, self.inputs), dtype=bool, count=len(self.inputs))

    @cached_property
    def contexts(self) -> list[dict[str, float]]:
        """:func:`context_features` of each input (computed once for all heads)."""
        return [context_features(x) for x in self.inputs]

    def shared(self, key: Any, make: Callable[[], Any]) -> Any:
        """What ``make()`` returns, made once per batch for every caller that asks with ``key``."""
        found = self._shared.get(key, self._shared)
        if found is self._shared:
            found = self._shared[key] = make()
        return found

    def analysis(self, reader: Analyzer | Any) -> TextAnalysis:
        """The analysis of :attr:`texts` by an :class:`Analyzer` (or anything with an ``analyzer()``
        method returning one, as featurizers and heads have), computed on first request."""
        analyzer = reader if isinstance(reader, Analyzer) else reader.analyzer()
        key = analyzer.key()
        found = self._analyses.get(key)
        if found is None:
            found = self._analyses[key] = analyzer.analyze(self.texts)
        return found


_DOT_BLOCK = 8_192  # entries per block of SparseRows.dot: (entries, k) float64 products that stay in a core's L2 cache
# (measured 10% faster than 65,536 over the city reports, alone and with two processes at once; same sums)


@dataclass
class SparseRows:
    """A sparse matrix in compressed rows (scipy's CSR layout) with the few operations inference needs.

    Rows are in order and hold no duplicate columns. Built by :meth:`from_triples`
    or :meth:`NgramTable.counts`, columns ascend within a row (canonical, as scipy's
    ``csr_matrix`` after ``sum_duplicates``; :meth:`to_scipy` hands it to
    scikit-learn when training); :meth:`select` keeps the order of the columns it
    maps, so a head after the first in a :class:`~govreport_nlp.inference.HeadGroup`
    sees its columns in the merged vocabulary's order (scores do not depend on it).

    Examples
    --------
    >>> X = SparseRows.from_triples([0, 1, 1], [2, 0, 0], [1.0, 2.0, 3.0], (2, 3))
    >>> X.toarray().tolist()
    [[0.0, 0.0, 1.0], [5.0, 0.0, 0.0]]
    >>> X.dot(np.eye(3)[:, :2]).tolist()
    [[0.0, 0.0], [5.0, 0.0]]
    """

    indptr: np.ndarray
    indices: np.ndarray
    data: np.ndarray
    shape: tuple[int, int]

    @classmethod
    def from_triples(cls, rows: Any, cols: Any, vals: Any, shape: tuple[int, int], dtype: Any = np.float64) -> SparseRows:
        """From (row, column, value) entries in any order; repeated positions are added up."""
        r = np.asarray(rows, dtype=np.int64)
        c = np.asarray(cols, dtype=np.int64)
        v = np.asarray(vals, dtype=dtype)
        n_rows, n_cols = int(shape[0]), int(shape[1])
        if len(r):
            key = r * max(n_cols, 1) + c
            order = np.argsort(key, kind="stable")
            key, v = key[order], v[order]
            new = run_starts(key)
            if not new.all():  # repeated positions: summed in entry order, in the values' own dtype
                v = np.add.reduceat(v, np.flatnonzero(new)).astype(dtype, copy=False)
                key = key[new]
            r, c = key // max(n_cols, 1), key % max(n_cols, 1)
        indptr = np.zeros(n_rows + 1, dtype=np.int64)
        np.cumsum(np.bincount(r, minlength=n_rows), out=indptr[1:])
        return cls(indptr, c, v, (n_rows, n_cols))

    @property
    def row_of(self) -> np.ndarray:
        """The row of every stored entry."""
        return np.repeat(np.arange(self.shape[0]), np.diff(self.indptr))

    def take(self, rows: np.ndarray) -> SparseRows:
        """The given rows, in that order (repeats allowed)."""
        rows = np.asarray(rows, dtype=np.int64)
        lengths = self.indptr[rows + 1] - self.indptr[rows]
        indptr = np.zeros(len(rows) + 1, dtype=np.int64)
        np.cumsum(lengths, out=indptr[1:])
        # position of each output entry in the input: its row's start plus its place in the row
        at = np.repeat(self.indptr[rows] - indptr[:-1], lengths) + np.arange(int(indptr[-1]))
        return SparseRows(indptr, self.indices[at], self.data[at], (len(rows), self.shape[1]))

    @staticmethod
    def hstack(blocks: Sequence[SparseRows], dtype: Any = np.float32) -> SparseRows:
        """Blocks side by side (each row: the first block's entries, then the next block's, columns shifted)."""
        n_rows = blocks[0].shape[0]
        lengths = np.array([np.diff(b.indptr) for b in blocks]).reshape(len(blocks), n_rows)
        indptr = np.zeros(n_rows + 1, dtype=np.int64)
        np.cumsum(lengths.sum(axis=0), out=indptr[1:])
        # where each block's part of a row starts in the output: the row's start plus the earlier blocks' parts
        before = indptr[:-1] + np.cumsum(lengths, axis=0) - lengths
        nnz = int(indptr[-1])
        cols = np.empty(nnz, dtype=np.int64)
        vals = np.empty(nnz, dtype=dtype)
        offset = 0
        for b, start in zip(blocks, before):
            m = len(b.indices)
            if m:
                # each entry: its row's start in the output plus its place in the block's row
                at = np.repeat(start - b.indptr[:-1], np.diff(b.indptr)) + np.arange(m)
                cols[at] = b.indices + offset
                vals[at] = b.data
            offset += b.shape[1]
        return SparseRows(indptr, cols, vals, (n_rows, offset))

    def dot(self, W: np.ndarray) -> np.ndarray:
        """``self @ W`` for a dense ``W`` of shape (columns, k), in float64.

        Each entry's row of ``W``, times the entry, summed per row; a block of rows
        at a time, so that the (entries, k) products stay small.
        """
        W = np.ascontiguousarray(W, dtype=np.float64)  # a no-op for the weights heads keep
        out = np.zeros((self.shape[0], W.shape[1]))
        lengths = np.diff(self.indptr)
        start = 0
        while start < self.shape[0]:
            # rows up to about _DOT_BLOCK entries (at least one row)
            stop = int(np.searchsorted(self.indptr, self.indptr[start] + _DOT_BLOCK, side="right")) - 1
            stop = min(max(stop, start + 1), self.shape[0])
            lo, hi = self.indptr[start], self.indptr[stop]
            if hi > lo:
                G = np.take(W, self.indices[lo:hi], axis=0)  # several times faster than W[indices] for rows
                G *= self.data[lo:hi, None]
                nz = np.flatnonzero(lengths[start:stop] > 0) + start
                out[nz] = np.add.reduceat(G, self.indptr[nz] - lo, axis=0)
            start = stop
        return out

    def select(self, columns: np.ndarray, n_cols: int) -> SparseRows:
        """The entries whose column ``c`` has ``columns[c] >= 0``, moved to that column (rows kept).

        Examples
        --------
        >>> X = SparseRows.from_triples([0, 0, 1], [0, 2, 1], [1.0, 2.0, 3.0], (2, 3))
        >>> X.select(np.array([1, -1, 0]), 2).toarray().tolist()
        [[2.0, 1.0], [0.0, 0.0]]
        """
        mapped = columns[self.indices]
        keep = mapped >= 0
        if keep.all():
            return SparseRows(self.indptr, mapped, self.data, (self.shape[0], n_cols))
        kept = np.zeros(len(keep) + 1, dtype=np.int64)
        np.cumsum(keep, out=kept[1:])
        return SparseRows(kept[self.indptr], mapped[keep], self.data[keep], (self.shape[0], n_cols))

    def toarray(self) -> np.ndarray:
        out = np.zeros(self.shape, dtype=self.data.dtype)
        out[self.row_of, self.indices] = self.data
        return out

    def to_scipy(self) -> Any:
        """As a ``scipy.sparse.csr_matrix`` (imports scipy)."""
        import scipy.sparse as sp

        return sp.csr_matrix((self.data, self.indices, self.indptr), shape=self.shape)


def dicts_to_rows(dicts: Sequence[Mapping[str, float]], vocabulary: Mapping[str, int], n_cols: int,
                  dtype: Any = np.float32) -> SparseRows:
    """Named feature values as sparse rows (names not in ``vocabulary`` dropped), like
    ``DictVectorizer.transform`` without its per-call overhead."""
    names = [k for d in dicts for k in d]
    cols = np.fromiter(map(vocabulary.get, names, itertools.repeat(-1)), dtype=np.int64, count=len(names))
    vals = np.fromiter((v for d in dicts for v in d.values()), dtype=np.float64, count=len(names))
    row = np.repeat(np.arange(len(dicts)), np.fromiter(map(len, dicts), dtype=np.int64, count=len(dicts)))
    known = cols >= 0
    return SparseRows.from_triples(row[known], cols[known], vals[known].astype(dtype), (len(dicts), n_cols), dtype=dtype)


class _KeyIndex:
    """Positions of non-negative int64 keys, looked up many at a time (open addressing, linear probing).

    numpy has no hash table; binary search (``searchsorted``) costs ~16 random
    reads per key, this about one. The table is kept at most a quarter full.
    """

    _MULT = np.uint64(0x9E3779B97F4A7C15)  # Fibonacci hashing: the high bits of key * 2**64/phi
    _EMPTY = -1

    def __init__(self, keys: np.ndarray) -> None:
        self.bits = max(4, int(np.ceil(np.log2(max(len(keys), 1) * 4))))
        self.mask = (1 << self.bits) - 1
        self.table = np.full(1 << self.bits, self._EMPTY, dtype=np.int64)
        self.value = np.zeros(1 << self.bits, dtype=np.int64)
        pending = np.arange(len(keys))
        slot = self._hash(keys)
        claim = np.full(1 << self.bits, -1, dtype=np.int64)
        while len(pending):  # each key takes the first free slot from its hash on; one key per slot a round
            s = slot[pending]
            free = self.table[s] == self._EMPTY
            # of the keys after one free slot, the one claim that survives the assignment takes it: exactly one
            # wins whatever order numpy writes repeated indices in (no sort needed)
            claim[s[free]] = pending[free]
            won = free & (claim[s] == pending)
            self.table[s[won]] = keys[pending[won]]
            self.value[s[won]] = pending[won]
            pending = pending[~won]
            slot[pending] = (slot[pending] + 1) & self.mask

    @classmethod
    def from_arrays(cls, table: np.ndarray, value: np.ndarray) -> _KeyIndex:
        """The index whose ``table`` and ``value`` arrays these are (see :meth:`NgramTable.state`)."""
        size = len(table)
        if size < 16 or size & (size - 1) or value.shape != table.shape:
            raise ValueError("not the arrays of a key index")
        ix = cls.__new__(cls)
        ix.bits = size.bit_length() - 1
        ix.mask = size - 1
        ix.table = np.asarray(table, dtype=np.int64)
        ix.value = np.asarray(value, dtype=np.int64)
        return ix

    def _hash(self, keys: np.ndarray) -> np.ndarray:
        with np.errstate(over="ignore"):
            h = keys.astype(np.uint64) * self._MULT
        return (h >> np.uint64(64 - self.bits)).astype(np.int64)

    def find(self, keys: np.ndarray) -> np.ndarray:
        """Index (into the keys given at construction) of each key, ``-1`` where absent."""
        slot = self._hash(keys)
        found = self.table[slot]
        hit = found == keys
        out = np.where(hit, self.value[slot], -1)
        # the few keys whose first slot holds another key: probe on (over all keys at once, the first probe
        # needs no index arrays)
        todo = np.flatnonzero(~hit & (found != self._EMPTY))
        while len(todo):
            s = (slot[todo] + 1) & self.mask
            slot[todo] = s
            found = self.table[s]
            hit = found == keys[todo]
            out[todo[hit]] = self.value[s[hit]]
            todo = todo[~hit & (found != self._EMPTY)]
        return out


class NgramTable:
    """A fitted TF-IDF vocabulary as integer keys, looked up with numpy.

    The n-gram of units (characters or words) with ids ``i1..in`` (``1..B-1``;
    ``0`` for a unit in no vocabulary term) has the key ``((i1*B + i2)*B + ...)*B + in``.
    Keys of different lengths never collide (``i1 >= 1``), so one index serves
    every n. Built from the vocabulary (terms in column order) and the IDF
    weights; the result equals scikit-learn's ``TfidfVectorizer.transform`` for
    the settings the featurizer fits with (tested).

    Parameters
    ----------
    terms : list of str
        The vocabulary in column order (word n-grams joined by ``sep``).
    idf : ndarray or None
        IDF weight of each term (``None``: no IDF).
    ngram_range : tuple of int
    sep : str
        ``" "`` for word n-grams, ``""`` for character n-grams.
    sublinear, norm
        As ``TfidfVectorizer``'s ``sublinear_tf`` and ``norm``.

    Examples
    --------
    >>> t = NgramTable(["放管", "管服", "放管服"], np.ones(3), (2, 3), "")
    >>> codes = np.frombuffer("放管服".encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
    >>> t.matrix(t.code_ids(codes), np.zeros(3, dtype=np.int64), 1).toarray().astype(float).round(3).tolist()
    [[0.577, 0.577, 0.577]]
    """

    def __init__(self, terms: Sequence[str], idf: np.ndarray | None, ngram_range: Sequence[int], sep: str,
                 sublinear: bool = True, norm: str | None = "l2") -> None:
        terms = list(terms)
        self.ngram_range = (int(ngram_range[0]), int(ngram_range[1]))
        self.n_features = len(terms)
        self.idf = None if idf is None else np.asarray(idf, dtype=np.float64)
        self.sublinear = bool(sublinear)
        self.norm = norm
        self.sep = sep
        self._terms: list[str] | None = terms
        self._terms_raw: np.ndarray | None = None
        self.cols = np.arange(len(terms), dtype=np.int64)
        self.ids: dict[str, int] = {}
        self._code_table: np.ndarray | None = None
        # every term's units at once: words (sep " ") through one split and a dict; characters (sep "")
        # as code points, their ids from np.unique (sorted, like the words) and a code-point table
        if sep:
            flat = sep.join(terms).split(sep) if terms else []
            lengths = np.fromiter(map(str.count, terms, itertools.repeat(sep)), dtype=np.int64, count=len(terms)) + 1
            self.ids = {u: i for i, u in enumerate(sorted(set(flat)), 1)}
            n_units = len(self.ids)
        else:
            codes = np.frombuffer("".join(terms).encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
            lengths = np.fromiter(map(len, terms), dtype=np.int64, count=len(terms))
            units = np.unique(codes)
            n_units = len(units)
            table = np.zeros(int(units[-1]) + 1 if n_units else 1, dtype=np.int64)
            table[units] = np.arange(1, n_units + 1)
            self._code_table = table
        self.base = n_units + 1
        # keys must fit in int64; a vocabulary too large for that is looked up by strings instead
        self.usable = self.base ** self.ngram_range[1] <= _MAX_KEY
        keys = np.zeros(len(terms), dtype=np.int64)
        if self.usable:
            ids = (np.fromiter(map(self.ids.__getitem__, flat), dtype=np.int64, count=len(flat)) if sep
                   else table[codes])
            starts = np.cumsum(lengths) - lengths
            for n in np.unique(lengths):  # terms of each length at once: key = sum of id_j * B**(n-1-j)
                rows = np.flatnonzero(lengths == n)
                for j in range(int(n)):
                    keys[rows] = keys[rows] * self.base + ids[starts[rows] + j]
            self.index: _KeyIndex | None = _KeyIndex(keys)
            self._by_term: dict[str, int] | None = None
        else:
            self.index = None
            self._by_term = {t: i for i, t in enumerate(terms)}
        self._direct: dict[int, np.ndarray] = {}

    @classmethod
    def by_strings(cls, by_term: dict[str, int], ngram_range: Sequence[int], sep: str) -> NgramTable:
        """A plain lookup table (no IDF or norm) that finds n-grams by string in ``by_term`` (term ->
        column, columns ``0..len-1`` in order of the dict), without hashing its terms into integer
        keys: cheap to make, slower per text (:meth:`counts_of_texts`), for a few texts. The counts
        equal those of the integer table of the same terms (tested).

        Examples
        --------
        >>> t = NgramTable.by_strings({"放管": 0, "放管服": 1}, (2, 3), "")
        >>> t.counts_of_texts([list("深化放管服改革")]).toarray().tolist()
        [[1.0, 1.0]]
        """
        t = cls.__new__(cls)
        t.ngram_range = (int(ngram_range[0]), int(ngram_range[1]))
        t.n_features, t.idf, t.sublinear, t.norm, t.sep = len(by_term), None, False, None, sep
        t._terms, t._terms_raw = None, None
        t.cols = np.arange(t.n_features, dtype=np.int64)
        t.ids, t._code_table, t._direct = {}, None, {}
        t.base, t.usable, t.index, t._by_term = 0, False, None, by_term
        return t

    @property
    def terms(self) -> list[str]:
        """The vocabulary in column order (decoded on first use for a table rebuilt by :meth:`from_state`)."""
        if self._terms is None and self._terms_raw is None and self._by_term is not None:
            self._terms = list(self._by_term)
        if self._terms is None:
            assert self._terms_raw is not None
            self._terms = array_text(self._terms_raw)
        return self._terms

    def state(self) -> dict[str, np.ndarray]:
        """The table as arrays (what :meth:`from_state` rebuilds it from without hashing a term again):
        for a lookup cache kept between runs. Only tables without IDF or norm (lookup tables)."""
        if self.idf is not None or self.norm is not None or self.sublinear:
            raise ValueError("only plain lookup tables (no IDF, norm or sublinear counts) are kept as state")
        out = {"terms": text_array(self.terms),
               "meta": np.array([self.ngram_range[0], self.ngram_range[1], self.base, int(self.usable),
                                 len(self.sep), self.n_features], dtype=np.int64)}
        if self.sep:
            out["units"] = text_array(list(self.ids))
        else:
            assert self._code_table is not None
            out["code_table"] = self._code_table
        if self.index is not None:
            out["table"], out["value"] = self.index.table, self.index.value
        for n, direct in self._direct.items():
            out[f"direct{n}"] = direct
        return out

    @classmethod
    def from_state(cls, arrays: Mapping[str, np.ndarray], sep: str) -> NgramTable:
        """The table :meth:`state` gave ``arrays`` of. Raises ``ValueError`` if they do not fit together."""
        meta = [int(x) for x in arrays["meta"]]
        if len(meta) != 6 or meta[4] != len(sep):
            raise ValueError("not the state of a lookup table of this kind")
        t = cls.__new__(cls)
        t.ngram_range, t.base, t.usable = (meta[0], meta[1]), meta[2], bool(meta[3])
        t._terms, t._terms_raw = None, np.asarray(arrays["terms"])  # not read to classify: decoded if asked for
        t.n_features = int(meta[5])
        t.idf, t.sublinear, t.norm, t.sep = None, False, None, sep
        t.cols = np.arange(t.n_features, dtype=np.int64)
        t.ids, t._code_table, t._direct = {}, None, {}
        if sep:
            units = array_text(arrays["units"])
            t.ids = dict(zip(units, range(1, len(units) + 1)))
            if len(units) + 1 != t.base:
                raise ValueError("the units of a lookup table do not match its base")
        else:
            t._code_table = np.asarray(arrays["code_table"], dtype=np.int64)
            if len(t._code_table) and not 0 <= int(t._code_table.min()) <= int(t._code_table.max()) < t.base:
                raise ValueError("the unit ids of a lookup table are out of range")
        if t.usable:
            t.index = _KeyIndex.from_arrays(arrays["table"], arrays["value"])
            if t.n_features and not 0 <= int(t.index.value.min()) <= int(t.index.value.max()) < t.n_features:
                raise ValueError("the columns of a lookup table are out of range")
            t._by_term = None
        else:
            t.index = None
            t._by_term = {term: i for i, term in enumerate(t.terms)}
            if len(t._by_term) != t.n_features:
                raise ValueError("the terms of a lookup table do not match its size")
        for n in range(t.ngram_range[0], t.ngram_range[1] + 1):
            direct = arrays.get(f"direct{n}")
            if direct is None:
                continue
            if t.index is None or direct.shape != (t.base ** n,) or direct.dtype != np.int32 or (
                    len(direct) and not -1 <= int(direct.min()) <= int(direct.max()) < t.n_features):
                raise ValueError("the direct lookup of a table does not fit it")
            t._direct[n] = direct
        return t

    def look_up_directly(self) -> NgramTable:
        """For each n-gram length whose keys are few (at most ``_DIRECT_KEYS``: word unigrams, character
        bigrams), keep the column of every possible key in an array indexed by the key (``-1``: no
        term), looked up in one gather instead of a hash probe: for tables that look up many n-grams
        (a model's merged tables; 17 MB for the default model's character bigrams). Same results."""
        if not self._direct:  # kept as state: read back, not built again
            self._direct = self._direct_tables()
        return self

    def _direct_tables(self) -> dict[int, np.ndarray]:
        # built from the hash table, which holds every term's key
        out: dict[int, np.ndarray] = {}
        if self.index is None:
            return out
        valid = self.index.table != _KeyIndex._EMPTY
        keys, cols = self.index.table[valid], self.index.value[valid]
        for n in range(self.ngram_range[0], self.ngram_range[1] + 1):
            size = self.base ** n
            if size > _DIRECT_KEYS:
                break
            table = np.full(size, -1, dtype=np.int32)
            of_n = (keys >= self.base ** (n - 1)) & (keys < size)  # a key of n units lies in [B**(n-1), B**n)
            table[keys[of_n]] = cols[of_n]
            out[n] = table
        return out

    def code_ids(self, codes: np.ndarray) -> np.ndarray:
        """Unit ids of code points (a character table); negative codes and unknown characters get 0."""
        table = self._code_table
        if table is None:
            raise ValueError("not a character table")
        inside = (codes >= 0) & (codes < len(table))
        return np.where(inside, table[np.where(inside, codes, 0)], 0)

    def token_ids(self, tokens: Sequence[Sequence[str]]) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`word_ids` of the words of texts' tokens (see :class:`TextAnalysis`), found in one lookup
        per token: whether the word vectorizer reads it and its unit id, remembered together."""
        lookup = self.__dict__.get("_token_lookup")
        if lookup is None:
            lookup = self._token_lookup = _TokenIds(self.ids, _word_filter().kept)
        flat: list[Any] = []
        for ts in tokens:
            flat += ts
            flat.append(None)  # between texts: id 0
        ids = np.fromiter(map(lookup.__getitem__, flat), dtype=np.int64, count=len(flat))
        if (ids == _TokenIds.SPLIT).any():  # a token with white space inside: words as the vectorizer splits them
            return self.word_ids(_word_filter()(tokens))
        rows = np.repeat(np.arange(len(tokens)), np.fromiter((len(ts) + 1 for ts in tokens), dtype=np.int64,
                                                              count=len(tokens)))
        keep = ids >= 0
        return ids[keep], rows[keep]

    def word_ids(self, words: Sequence[Sequence[str]]) -> tuple[np.ndarray, np.ndarray]:
        """Unit ids of the words of each text, ``0`` after each text, and the text of every slot."""
        flat: list[str] = []
        for ws in words:
            flat += ws
            flat.append("")  # between texts: id 0, so no n-gram spans two texts
        ids = np.fromiter(map(self.ids.get, flat, itertools.repeat(0)), dtype=np.int64, count=len(flat))
        lengths = np.fromiter((len(ws) + 1 for ws in words), dtype=np.int64, count=len(words))
        return ids, np.repeat(np.arange(len(words)), lengths)

    def counts(self, ids: np.ndarray, rows: np.ndarray, n_rows: int) -> SparseRows:
        """How often each vocabulary n-gram occurs in each text given as unit ids (``0`` between texts
        and for unknown units): rows in order, columns ascending within a row."""
        if self.index is None:
            raise ValueError("this table has no integer keys (made by by_strings, or a vocabulary too large "
                             "for them); use counts_of_texts")
        found: list[np.ndarray] = []
        lo, hi = self.ngram_range
        shift = np.int64(max(int(self.n_features - 1).bit_length(), 1))
        for n in range(lo, hi + 1):
            m = len(ids) - n + 1
            if m <= 0 or not self.n_features:
                continue
            ok = ids[:m] > 0
            for j in range(1, n):
                ok &= ids[j:j + m] > 0
            pos = np.flatnonzero(ok)
            key = ids[pos]
            for j in range(1, n):
                key = key * self.base + ids[pos + j]
            direct = self._direct.get(n)
            at = self.index.find(key) if direct is None else direct[key]
            hit = at >= 0
            # (row, column) as one integer: sorting it orders the entries and brings repeats together
            found.append((rows[pos[hit]] << shift) | self.cols[at[hit]])
        return _count_keys(np.concatenate(found) if found else np.zeros(0, dtype=np.int64), shift,
                           (n_rows, self.n_features))

    def matrix(self, ids: np.ndarray, rows: np.ndarray, n_rows: int) -> SparseRows:
        """TF-IDF rows of texts given as unit ids (``0`` between texts and for unknown units)."""
        return self._weigh(self.counts(ids, rows, n_rows))

    def counts_of_texts(self, units: Sequence[Sequence[str]]) -> SparseRows:
        """:meth:`counts` of texts given as unit strings (characters or words), by string lookup: for a
        few texts (:meth:`by_strings`) and for vocabularies too large for integer keys. The same counts."""
        by_term = self._by_term if self._by_term is not None else {t: i for i, t in enumerate(self.terms)}
        lo, hi = self.ngram_range
        r, c = [], []
        for row, us in enumerate(units):
            for n in range(lo, hi + 1):
                for i in range(len(us) - n + 1):
                    col = by_term.get(self.sep.join(us[i:i + n]))
                    if col is not None:
                        r.append(row)
                        c.append(col)
        return SparseRows.from_triples(r, c, np.ones(len(r)), (len(units), self.n_features))

    def matrix_of_texts(self, units: Sequence[Sequence[str]]) -> SparseRows:
        """TF-IDF rows of texts given as unit strings (see :meth:`counts_of_texts`)."""
        return self._weigh(self.counts_of_texts(units))

    def _weigh(self, X: SparseRows) -> SparseRows:
        return tfidf(X, self.idf, self.sublinear, self.norm)


def text_array(values: Sequence[str]) -> np.ndarray:
    """A list of strings as a uint8 array (JSON in UTF-8): stored in ``.npz`` without pickle.

    Examples
    --------
    >>> arr = text_array(["放管服", "调解"])
    >>> arr.dtype, array_text(arr)
    (dtype('uint8'), ['放管服', '调解'])
    """
    return np.frombuffer(json.dumps(list(values), ensure_ascii=False).encode("utf-8"), dtype=np.uint8)


def array_text(arr: np.ndarray) -> list[str]:
    """The list of strings of :func:`text_array`. Raises ``ValueError`` if it is not one.

    Examples
    --------
    >>> array_text(text_array(["证照分离"]))
    ['证照分离']
    """
    values = json.loads(arr.tobytes().decode("utf-8"))
    if not isinstance(values, list) or not set(map(type, values)) <= {str}:
        raise ValueError("a vocabulary is not a list of strings")
    return values


def _count_keys(keys: np.ndarray, shift: np.int64, shape: tuple[int, int]) -> SparseRows:
    """Entries ``(row << shift) | column``, repeats counted, as sorted sparse rows."""
    keys = np.sort(keys, kind="stable")  # measured several times faster than the default quicksort here
    if len(keys):
        starts = np.flatnonzero(run_starts(keys))
        counts = np.diff(np.append(starts, len(keys))).astype(np.float64)
        keys = keys[starts]
    else:
        counts = np.zeros(0)
    row = keys >> shift
    indptr = np.zeros(shape[0] + 1, dtype=np.int64)
    np.cumsum(np.bincount(row, minlength=shape[0]), out=indptr[1:])
    return SparseRows(indptr, keys & ((np.int64(1) << shift) - 1), counts, shape)


def tfidf(X: SparseRows, idf: np.ndarray | None, sublinear: bool = True, norm: str | None = "l2") -> SparseRows:
    """Counts to TF-IDF the way ``TfidfTransformer.transform`` does it (float32 out).

    Examples
    --------
    >>> X = SparseRows.from_triples([0, 0], [0, 1], [1.0, 3.0], (1, 2))
    >>> [round(float(v), 3) for v in tfidf(X, np.array([1.0, 2.0])).data]
    [0.232, 0.973]
    """
    data = X.data.astype(np.float64)
    if sublinear:
        np.log(data, data)
        data += 1.0
    if idf is not None:
        data *= idf[X.indices]
    if norm is not None:
        row = X.row_of
        size = np.abs(data) if norm == "l1" else data ** 2
        total = np.bincount(row, weights=size, minlength=X.shape[0])
        total = total if norm == "l1" else np.sqrt(total)
        total[total == 0.0] = 1.0
        data /= total[row]
    return SparseRows(X.indptr, X.indices, data.astype(np.float32), X.shape)


def ngram_counts(a: TextAnalysis, table: NgramTable) -> SparseRows:
    """How often each n-gram of ``table`` (a word table, ``sep`` ``" "``, or a character table) occurs
    in each analysed text.

    Examples
    --------
    >>> a = Analyzer().analyze(["调解案件，调解纠纷。"])
    >>> a.words[0]
    ['调解', '案件', '调解纠纷']
    >>> ngram_counts(a, NgramTable(["调解", "案件", "不在"], None, (1, 1), " ")).toarray().tolist()
    [[1.0, 1.0, 0.0]]
    """
    if table.sep:
        return table.counts(*table.token_ids(a.tokens), len(a)) if table.usable else table.counts_of_texts(a.words)
    if table.usable:
        codes, rows = a.chars()
        return table.counts(table.code_ids(codes), rows, len(a))
    return table.counts_of_texts([list(_WHITE_RUNS.sub(" ", t)) for t in a.norm])


def content_rows(a: TextAnalysis, words: NgramTable, chars: NgramTable, cue_vocabulary: Mapping[str, int],
                 lexicon_weight: float = 1.0) -> SparseRows:
    """The content features of analysed texts, one row per text: word n-grams, character n-grams, cues.

    What :meth:`ParagraphFeatures.transform_analysis
    <govreport_nlp.featurizer.ParagraphFeatures.transform_analysis>` returns.
    """
    Xd = a.cue_features.rows(cue_vocabulary, len(cue_vocabulary))
    Xd.data *= np.float32(lexicon_weight)
    return SparseRows.hstack([words._weigh(ngram_counts(a, words)), chars._weigh(ngram_counts(a, chars)), Xd])


def __getattr__(name: str) -> Any:
    # the trainable featurizer needs scikit-learn: imported only when asked for
    if name == "ParagraphFeatures":
        from .featurizer import ParagraphFeatures

        return ParagraphFeatures
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
