"""Reasons: what pushed a paragraph towards its label, in words a reader recognises.

:func:`explain_rows` picks, for many paragraphs at once, the strongest pieces
of evidence of a linear head (the paragraph's own features, the heading above,
the context features) with array operations; :func:`reader_term` and
:func:`describe_feature` put a feature into words: character n-grams become the
word they come from, lexicon hits the keywords found, context features plain
phrases. numpy only; used by :class:`~govreport_nlp.inference.Head` and so by
every model.

Examples
--------
>>> describe_feature("role=plans")
'in the plans section'
"""

from __future__ import annotations

import bisect
import itertools
import operator
import re
from functools import lru_cache
from typing import Any, Callable, Mapping, Sequence

import numpy as np

from .features import TextAnalysis, _is_punct, _norm, _tense_patterns, lexicon, opening, run_starts
from .segmentation import stopwords

__all__ = ["describe_feature", "explain_rows", "reader_term", "static_term", "telling", "telling_mask"]


def explain_rows(a: Mapping[str, Any], ks: np.ndarray, top: int, *, coef: np.ndarray, mean: np.ndarray,
                 ccoef: np.ndarray | None, shown: np.ndarray, feature_name: Callable[[int], str],
                 context_names: Sequence[str] | None,
                 memo: dict[Any, Any] | None = None,
                 segment: Callable[[str], Sequence[str]] | None = None,
                 names: dict[int, tuple[str, str | None, str | None]] | None = None,
                 evidence: np.ndarray | None = None,
                 whole_tokens: bool = True) -> list[list[tuple[str, float]]]:
    """The ``top`` reasons for label column ``ks[i]`` of each analysed paragraph ``i``, strongest first.

    ``a`` is a head's analysis (content rows ``X``, ``rows``, ``inputs``, ``heads``,
    and with a combiner ``bare``, ``head_scores``, ``context``); ``coef`` the
    content weights (labels x features) and ``mean`` their mean over labels;
    ``ccoef`` the combiner's weights (labels x [content in context, heading,
    content alone, context features]) or ``None``; ``shown`` a 0/1 weight per
    content feature (is it worth showing a reader). ``memo`` keeps the words found for
    each feature of each text, to share between heads that explain the same paragraphs.
    ``names`` (column -> feature name, :func:`static_term` and how it is grouped unworded) may be kept by a
    head from call to call, and
    ``evidence``, ``((coef - mean) * shown).T`` as a C-contiguous array (features x labels), if already
    built (else the entries read are computed from ``coef``: the same values).
    ``whole_tokens``: the analysis's tokens are the segmentation of the paragraph itself (numbers as 0),
    so reasons may read them instead of segmenting again (not so when topic words were masked).

    Examples
    --------
    >>> from govreport_nlp import load_model
    >>> head = load_model().runtime_heads["topic"]
    >>> a = head._analyze(["推行证照分离，推进一网通办。"])
    >>> reasons = explain_rows(a, a["scores"].argmax(axis=1), 2, coef=head.coef_, mean=head.mean_coef_,
    ...                        ccoef=head.combiner_coef_, shown=head.shown_, feature_name=head.feature_name,
    ...                        context_names=head.context_names_)
    >>> len(reasons), len(reasons[0]) <= 2
    (1, True)
    """
    n_rows = len(a["inputs"])
    if not n_rows or top <= 0:
        return [[] for _ in range(n_rows)]
    want, top = top, 2 * top  # raw evidence, several pieces per reader term (n-grams of one word)
    n = coef.shape[0]
    # candidates as parallel arrays: row, what (a content column; -1 heading; -2-c context column c), value
    if ccoef is None:
        trust = np.ones(n_rows)
    else:
        block = np.where(a["bare"], 2 * n, 0)
        trust = ccoef[ks, block + ks] - ccoef[:, block + ks].mean(axis=0)
    # what each feature adds for a label against the others, ``(coef - mean) * shown``, gathered for the
    # entries read only (the same bits as the whole array, which would cost every process 0.1 s to build)
    flat = evidence.ravel() if evidence is not None else np.ascontiguousarray(coef.T).ravel()
    rows, what, vals = [], [], []
    # each paragraph's content row: the first paragraph of each distinct text reads the analysis's rows as
    # they are (texts are numbered in order of first appearance), only repeated texts are copied
    for par, Xr in _paragraph_blocks(a["X"], a["rows"]):
        row_of = np.repeat(par, np.diff(Xr.indptr))
        cols = Xr.indices
        # what each feature adds for the row's label against the others (a flat gather: cheaper than [cols, k])
        ev = flat[cols * n + ks[row_of]]
        if evidence is None:
            ev = (ev - mean[cols]) * shown[cols]
        contrib = trust[row_of] * Xr.data * ev
        at = _top_per_row(Xr.indptr, contrib, top, row_of)  # par ascends: so does row_of
        rows.append(row_of[at])
        what.append(cols[at].astype(np.int64))
        vals.append(contrib[at])
    if ccoef is not None:
        has_head = np.array([h is not None for h in a["heads"]])
        w = ccoef[:, n:2 * n]
        w = w - w.mean(axis=0)
        head_val = np.einsum("ij,ij->i", a["head_scores"], w[ks])
        rows.append(np.flatnonzero(has_head))
        what.append(np.full(int(has_head.sum()), -1, dtype=np.int64))
        vals.append(head_val[has_head])
        C = a["context"]
        crow = np.repeat(np.arange(n_rows), np.diff(C.indptr))
        cc = ccoef[:, 3 * n:]
        cc = cc - cc.mean(axis=0)
        rows.append(crow)
        what.append(-2 - C.indices.astype(np.int64))
        vals.append(C.data * cc[ks[crow], C.indices])
    r, wh, v = np.concatenate(rows), np.concatenate(what), np.concatenate(vals)
    keep = v > 0
    r, wh, v = r[keep], wh[keep], v[keep]
    order = np.lexsort((-v, r))
    r, wh, v = r[order], wh[order], v[order]
    first = np.searchsorted(r, r)  # where each row's run starts
    chosen = np.flatnonzero(np.arange(len(r)) - first < top)
    analysis: TextAnalysis | None = a.get("analysis")
    inputs, heads, text_rows = a["inputs"], a["heads"], a["rows"].tolist()
    memo = {} if memo is None else memo
    # the words of a text depend on how it was read: wording is kept per analysis, the analysis held with it
    # (an id alone could be reused by a later analysis once this one is freed)
    held = memo.get(("reasons", id(analysis)))
    if held is None or held[0] is not analysis:
        held = memo[("reasons", id(analysis))] = (analysis, {})
    per_text = held[1]
    names = {} if names is None else names
    context_words = [describe_feature(str(c)) for c in (context_names or ())]
    hits = analysis.cue_features.keywords if analysis is not None else None

    def worded(name: str, t: int, row: int) -> str:
        desc = per_text.get((name, t))
        if desc is None:
            if hits is not None and name.startswith("kw:"):  # the keywords the cues found in it
                desc = _keyword_reason(name, hits.of(t, name[3:]))
            else:
                words = _words_for(name, analysis, t, memo) if name.startswith(("c:", "open:")) else ()  # type: ignore[arg-type]
                desc = reader_term(name, inputs[row]["text"], words, segment, memo,
                                   tokens=analysis.tokens[t] if whole_tokens else None)  # type: ignore[union-attr]
            per_text[(name, t)] = desc
        return desc

    # The n-grams of one word, the cues of one phrase: one reason, their weights added; the paragraph's
    # opening n-grams are one reason too, shown with the longest opening they reach. A reason whose
    # group is known from its feature alone (keyword counts, tense markers, opening n-grams: wordings no
    # other feature gives) is put into words only if it is among those shown.
    grouped: list[dict[Any, float]] = [{} for _ in range(n_rows)]
    openings: dict[int, list[Any]] = {}  # each row's opening pieces: wordings, or (name, text) to word
    for row, k, val in zip(r[chosen].tolist(), wh[chosen].tolist(), v[chosen].tolist()):
        key: Any
        if k >= 0:
            known = names.get(k)
            if known is None:
                name = feature_name(k)
                known = names[k] = (name, static_term(name), _later(name))
            name, key, later = known  # type: ignore[misc]
            if analysis is None:
                key = describe_feature(name)
            elif key is None:  # worded from the text itself
                t = text_rows[row]
                key = per_text.get((name, t))
                if key is None:
                    key = (later, name, t) if later else worded(name, t, row)
        elif k == -1:
            key = f"the heading above, “{heads[row]}”"
        else:
            key = context_words[-2 - k]
        g = grouped[row]
        if key[0] == "open" if type(key) is tuple else key.startswith("opens with “"):
            openings.setdefault(row, []).append(key)
            g[_OPENING] = val + g.pop(_OPENING, 0.0)  # put back last: where the group last grew
            continue
        g[key] = g.get(key, 0.0) + val
    out: list[list[tuple[str, float]]] = []
    weight = operator.itemgetter(1)
    for row, g in enumerate(grouped):
        # strongest first; equal weights keep their order (reverse=True sorts stably too)
        best = sorted(g.items(), key=weight, reverse=True)[:want] if g else []
        out.append([(key if type(key) is str else _word(key, row, openings, worded), w) for key, w in best])
    return out


#: the group of a paragraph's opening n-grams in :func:`explain_rows`
_OPENING = ("opening",)


def _later(name: str) -> str | None:
    """How a feature whose wording depends on the paragraph is grouped without wording it: ``"open"``
    (an opening n-gram of letters or digits), ``"name"`` (keyword counts and tense markers: one reason
    per feature), or ``None`` (worded at once: character n-grams, function cues)."""
    if name.startswith("open:"):
        return "open" if _gram(name)[1] and "Ｘ" not in name else None
    if name.startswith(("kw:", "tense:")):
        return "name"
    return None


def _word(key: Any, row: int, openings: Mapping[int, list[Any]],
          worded: Callable[[str, int, int], str]) -> str:
    """The wording of a group of :func:`explain_rows` (made now for the groups shown)."""
    if key is _OPENING:
        pieces = [p if isinstance(p, str) else worded(p[1], p[2], row) for p in openings[row]]
        return max(pieces, key=len)  # the first of the longest
    if type(key) is tuple:
        return worded(key[1], key[2], row)
    return key


#: tokens at the start of a paragraph whose words are tried first for an opening n-gram's reason
_LEAD_TOKENS = 16


def _words_for(name: str, analysis: TextAnalysis, t: int, memo: dict[Any, Any]) -> Sequence[str]:
    """The words :func:`reader_term` needs to put feature ``name`` of text ``t`` into words: none but
    for n-grams; for an opening n-gram the words of the paragraph's first tokens when it is found in
    them (its first occurrence, and so the words that hold it, are then those of all the words)."""
    if not name.startswith(("c:", "open:")):
        return ()
    if name.startswith("open:"):
        lead = analysis.words_of(t, _LEAD_TOKENS)
        if _covering_span(_gram(name)[1], lead, memo) is not None:
            return lead
    return analysis.words_of(t)


def static_term(name: str) -> str | None:
    """:func:`reader_term` of a feature whose wording does not depend on the paragraph, else ``None``.

    Examples
    --------
    >>> static_term("w:证照分离"), static_term("kw:deregulation") is None, static_term("w:0年") is None
    ('“证照分离”', True, True)
    """
    if "Ｘ" in name and name.startswith(("w:", "c:", "open:")):
        return reader_term(name, "", ())
    if name.startswith(("tense:", "c:", "open:", "kw:", "cue:")):
        return None
    if name.startswith("w:"):
        return None if "0" in name else f"“{name[2:].replace(' ', '')}”"
    return describe_feature(name)


def _paragraph_blocks(X: Any, rows: np.ndarray) -> list[tuple[np.ndarray, Any]]:
    """Paragraph ``i`` reads row ``rows[i]`` of ``X``: that as blocks of (paragraphs, their rows). The
    first paragraph of each distinct text reads a slice of ``X`` when the texts are ``0..u-1`` (as
    :class:`~govreport_nlp.features.TextBatch` numbers them, in order of first appearance); only the
    others (repeated texts) are copied."""
    if not len(rows):
        return []
    texts, first = np.unique(rows, return_index=True)
    u = len(texts)
    if u > X.shape[0] or texts[-1] != u - 1:  # not the first rows of X: copy them all
        return [(np.arange(len(rows)), X.take(rows))]
    end = int(X.indptr[u])
    blocks = [(first, type(X)(X.indptr[:u + 1], X.indices[:end], X.data[:end], (u, X.shape[1])))]
    repeats = np.ones(len(rows), dtype=bool)
    repeats[first] = False
    if repeats.any():
        rest = np.flatnonzero(repeats)
        blocks.append((rest, X.take(rows[rest])))
    return blocks


def _top_per_row(indptr: np.ndarray, values: np.ndarray, k: int, row_of: np.ndarray | None = None) -> np.ndarray:
    """Positions of the ``k`` largest positive values of each CSR row (any order), in linear passes
    over the positive values only (ties: the first position). ``row_of``: a non-decreasing label of each
    value's row, one per row (its row number, if not given)."""
    at = np.flatnonzero(values > 0)
    if not len(at):
        return np.zeros(0, dtype=np.int64)
    vals = values[at]
    # positions ascend, so rows do too
    row = np.searchsorted(indptr, at, side="right") - 1 if row_of is None else row_of[at]
    new = run_starts(row)
    starts = np.flatnonzero(new)
    seg = np.cumsum(new) - 1
    picked = []
    for _ in range(k):
        best = np.maximum.reduceat(vals, starts)
        hits = np.flatnonzero((vals == best[seg]) & (vals > -np.inf))
        if not len(hits):
            break
        pos = hits[run_starts(seg[hits])]  # the first hit of each row (hits ascend, so rows do)
        picked.append(at[pos])
        vals[pos] = -np.inf
    return np.concatenate(picked)


def telling(name: str) -> bool:
    """Features worth showing a reader (length classes and single opening characters are not).

    Examples
    --------
    >>> telling("len:5"), telling("open:推"), telling("open:推行"), telling("w:证照分离")
    (False, False, True, True)
    """
    return bool(telling_mask([name])[0])


def telling_mask(names: Sequence[str]) -> np.ndarray:
    """:func:`telling` of many names at once, as a boolean array (a model's cue vocabulary at load).

    Examples
    --------
    >>> telling_mask(["len:5", "open:推行"]).tolist()
    [False, True]
    """
    return np.fromiter((not (n[:4] == "len:" or (len(n) <= 6 and n[:5] == "open:")) for n in names), dtype=bool,
                       count=len(names))


_ROLE_WORDS = {
    "review": "the section reviewing the work done", "plans": "the plans section",
    "shortcomings": "the section on shortcomings", "duties": "the section on the leaders' duties",
    "preamble": "the opening, before any heading", "other": "a section whose role no heading states",
}
_FUNCTION_WORDS = {"plan": "plans", "shortcoming": "a shortcoming", "review": "a review", "preamble": "an opening",
                   "closing": "a closing call", "meta": "page data"}
_PREFIXES = (
    ("w:", "“{}”"),
    ("c:", "“{}”"),
    ("open:", "opens with “{}”"),
    ("h:", "heading word “{}”"),
    ("hkw:", "the heading above names {}"),
    ("kw:", "{} keywords"),
    ("len:", "length class {}"),
)


def _plain_context(name: str) -> str | None:
    if name.startswith("role="):
        return "in " + _ROLE_WORDS.get(name[5:], f"a {name[5:]} section")
    if name.startswith("cued_role="):
        return "a heading says this is " + _ROLE_WORDS.get(name[10:], f"a {name[10:]} section")
    if name.startswith("hcue:"):
        return "the heading above reads as " + _FUNCTION_WORDS.get(name[5:], name[5:])
    if name.startswith("cue:"):
        return "wording typical of " + _FUNCTION_WORDS.get(name[4:], name[4:])
    if name.startswith("kind="):
        return {"heading": "it is a heading", "meta": "it is report metadata",
                "clutter": "it is page furniture"}.get(name[5:], f"line kind {name[5:]}")
    if name.startswith("pos="):
        return f"where it stands: part {int(name[4:]) + 1} of 5 of the report"
    return {"last": "among the report's last paragraphs", "ctx=none": "read alone, without its report",
            "numbered": "a numbered item", "no_heading": "under no heading"}.get(name)


@lru_cache(maxsize=65536)
def describe_feature(name: str) -> str:
    """A feature name in words.

    Examples
    --------
    >>> describe_feature("cued_role=plans")
    'a heading says this is the plans section'
    >>> describe_feature("w:放管服")
    '“放管服”'
    """
    plain = _plain_context(name)
    if plain is not None:
        return plain
    for prefix, template in _PREFIXES:
        if name.startswith(prefix):
            body = name[len(prefix):]
            return template.format(body.replace(" ", "") if prefix == "w:" else body)
    return name


def reader_term(name: str, text: str, words: Sequence[str],
                segment: Callable[[str], Sequence[str]] | None = None,
                memo: dict[Any, Any] | None = None, tokens: Sequence[str] | None = None) -> str:
    """A content feature of paragraph ``text`` as words a reader recognises.

    Character n-grams become the word (or two adjacent words) they come from in this
    paragraph, opening n-grams the opening word, lexicon hits the keywords found,
    function cues the phrase that matched. ``words`` are the paragraph's words as
    the featurizer read them (numbers as ``0``, stop words left out); ``segment``
    (the featurizer's segmenter) is asked for all the words of the paragraph when an
    n-gram runs into a stop word (是, 我们), so that a reason never ends inside a word
    (``memo``, a dict, keeps that segmentation for the paragraph's other reasons);
    ``tokens``, that whole segmentation of the normalised text when already known.

    Examples
    --------
    >>> words = ["推行", "证照分离", "改革", "全年", "办理", "告知", "承诺", "事项", "0", "项"]
    >>> reader_term("c:照分", "推行证照分离改革，全年办理告知承诺事项156项。", words)
    '“证照分离”'
    >>> reader_term("kw:deregulation", "推行证照分离改革，优化营商环境。", [])
    'deregulation keywords: 证照分离, 营商环境'
    >>> reader_term("cue:plan", "下一步，我们将继续深化诉源治理。", [])
    'plans wording: “下一步”'
    """
    if "Ｘ" in name and name.startswith(("w:", "c:", "open:")):  # read with topic words masked (function head)
        return "a topic word (topic words do not decide the function)"
    if name.startswith("tense:"):
        found = list(dict.fromkeys(_tense_patterns()[name[6:]].findall(text)))  # the patterns hold no groups
        what = {"done": "work done", "todo": "work to do", "admit": "an admission"}.get(name[6:], name[6:])
        return f"wording of {what}: " + ", ".join(found[:4]) if found else f"wording of {what}"
    if name.startswith("w:"):  # a word or a word bigram ("深化 改革")
        return f"“{_as_written(name[2:].replace(' ', ''), text)}”"
    if name.startswith(("c:", "open:")):
        raw, gram = _gram(name)
        if not gram:
            return f"punctuation “{raw.strip() or raw}”"
        phrase = _covering_words(gram, words, memo)
        shown = _as_written(phrase, text) if phrase is not None else None
        if shown is None or shown not in text:
            # the n-gram spans a stop word or punctuation the words leave out: the whole segmentation says
            # which words it comes from
            whole = (_covering_tokens(raw, text, segment, name.startswith("c:"), memo, tokens)
                     if segment is not None or tokens is not None else None)
            if whole is not None:
                shown = _as_written(whole, text)
            if shown is None or shown not in text:  # show the n-gram as it is
                shown = _as_written(gram, text) if _as_written(gram, text) in text else gram
        if name.startswith("open:"):
            lead = _opening40(text)
            at = lead.find(shown)
            return f"opens with “{lead[:at + len(shown)] if 0 <= at <= 12 else shown}”"
        return f"“{shown}”"
    if name.startswith("kw:"):
        return _keyword_reason(name, _keywords_in(name[3:], text))
    if name.startswith("cue:"):
        f = name[4:]
        lead = text if f == "closing" else opening(text, 60)
        for pat in lexicon().cues.get(f, ()):
            m = pat.search(lead)
            if m and m.group(0).strip():
                return f"{_FUNCTION_WORDS.get(f, f)} wording: “{m.group(0).strip()}”"
    return describe_feature(name)


def _keyword_reason(name: str, found: list[str]) -> str:
    """The reason of lexicon feature ``name`` (``kw:<topic>``) whose keywords ``found`` (lexicon order)
    the paragraph holds."""
    topic = name[3:]
    # a keyword inside a longer one found too (证照 in 证照分离) is not listed twice
    if len(found) > 1:
        inside = _longer_keywords(topic)
        found = [w for w in found if inside[w].isdisjoint(found)]
    return f"{topic} keywords: " + ", ".join(found[:4]) if found else describe_feature(name)


def _keywords_in(topic: str, text: str) -> list[str]:
    """The topic's keywords that occur in ``text``, in lexicon order."""
    return [w for w in _topic_keywords(topic) if w in text]


@lru_cache(maxsize=64)
def _topic_keywords(topic: str) -> tuple[str, ...]:
    return tuple(w for w in dict.fromkeys(lexicon().topics.get(topic, ())) if w)


@lru_cache(maxsize=64)
def _longer_keywords(topic: str) -> dict[str, frozenset[str]]:
    """For each keyword of the topic, its other keywords that hold it (证照 -> {证照分离})."""
    words = _topic_keywords(topic)
    return {w: frozenset(o for o in words if o != w and w in o) for w in words}


@lru_cache(maxsize=4096)
def _opening40(text: str) -> str:
    return opening(text, 40)  # asked once per opening n-gram of a paragraph: kept while its reasons are built


def _as_written(phrase: str, text: str) -> str:
    """``phrase`` (numbers normalised to 0) as the paragraph writes it (``0年`` -> ``2024年``)."""
    if "0" not in phrase:
        return phrase
    pat = re.escape(phrase).replace("0", r"[0-9０-９]+(?:[.．][0-9０-９]+)?")
    m = re.search(pat, text)
    return m.group(0) if m else phrase


def _covering_tokens(raw: str, text: str, segment: Callable[[str], Sequence[str]] | None, drop_stop: bool,
                     memo: dict[Any, Any] | None, given: Sequence[str] | None = None) -> str | None:
    """The words of the whole segmentation of ``text`` (numbers as 0) that n-gram ``raw`` spans,
    without punctuation (and, with ``drop_stop``, stop words) at either end. ``given``: that
    segmentation, if known (white space included), else ``segment`` makes it."""
    key = ("tokens", text, id(given) if given is not None else id(getattr(segment, "__self__", segment)))
    tokens = None if memo is None else memo.get(key)
    if tokens is None:
        if given is not None:
            tokens = [w for w in given if w and not w.isspace()]
        else:
            assert segment is not None
            tokens = segment(_norm(text))
        if memo is not None:
            memo[key] = tokens
    span = _covering_span(raw.strip(), tokens, memo)
    if span is None:
        return None
    i, j = span
    while i < j and _is_punct(tokens[i]):
        i += 1
    while j > i and _is_punct(tokens[j - 1]):
        j -= 1
    if drop_stop:  # a stop word at either end says nothing, unless nothing else is left
        stop = stopwords()
        a, b = i, j
        while a < b and tokens[a] in stop:
            a += 1
        while b > a and tokens[b - 1] in stop:
            b -= 1
        if a < b:
            i, j = a, b
    return "".join(tokens[i:j]) or None


def _covering_span(gram: str, words: Sequence[str], memo: dict[Any, Any] | None = None) -> tuple[int, int] | None:
    """Where the words that hold ``gram`` start and end (``words[i:j]``), at its first occurrence.
    ``memo`` keeps the joined words of each list of words (by identity, while it is alive)."""
    if memo is None:
        joined, starts = _joined_words(tuple(words))
    else:
        key = ("joined", id(words))
        found = memo.get(key)
        if found is None or found[0] is not words:
            found = memo[key] = (words, *_joined(words))
        _, joined, starts = found
    at = joined.find(gram)
    if at < 0:
        return None
    return bisect.bisect_right(starts, at) - 1, bisect.bisect_left(starts, at + len(gram))


def _covering_words(gram: str, words: Sequence[str], memo: dict[Any, Any] | None = None) -> str | None:
    """The word that holds ``gram``, or the run of adjacent words it spans (at its first occurrence)."""
    span = _covering_span(gram, words, memo)
    return None if span is None else "".join(words[span[0]:span[1]])


def _joined(words: Sequence[str]) -> tuple[str, list[int]]:
    # the paragraph's words run together, and where each starts: every n-gram of it is found once
    return "".join(words), [0, *itertools.accumulate(map(len, words[:-1]))] if words else []


@lru_cache(maxsize=4096)
def _joined_words(words: tuple[str, ...]) -> tuple[str, list[int]]:
    return _joined(words)


@lru_cache(maxsize=65536)
def _gram(name: str) -> tuple[str, str]:
    """An n-gram feature's characters, and those of them that are letters or digits (what words hold)."""
    raw = name.split(":", 1)[1]
    return raw, "".join(ch for ch in raw if ch.isalnum())
