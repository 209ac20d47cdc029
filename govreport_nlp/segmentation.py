"""Word segmentation behind one small interface, with backends chosen by name.

Two ways to use it, as in jieba:

* the function API, :func:`cut`, for the common case (a shared instance per
  backend, created on first use);
* the instance API, :func:`get_segmenter` or the classes, for custom setups
  (extra user words, no domain dictionary, a local HanLP model).

Backends are registered by name (``jieba``, ``rjieba``, ``char``, ``hanlp``) so
that a saved model records ``{"name": "jieba", ...}`` instead of pickling code;
:meth:`Segmenter.config` and :func:`get_segmenter` round-trip that record.

Unlike plain jieba there is no process-wide mutable state: each ``jieba``
segmenter owns its own ``jieba.Tokenizer`` with the domain dictionary added, its
dictionary cache lives in a per-user cache directory (not a shared file in
``/tmp``), jieba's start-up chatter is silenced, and segmenters pickle as their
configuration so they can travel into worker processes and saved models.
"""

from __future__ import annotations

import json
import logging
import os
import re
import threading
from abc import ABC, abstractmethod
from functools import lru_cache
from importlib import resources
from typing import Any, Callable, ClassVar, Iterable, Iterator, Mapping, Sequence

from .errors import GovReportError, ModelError, ModelNotAvailableError, missing_extra

__all__ = [
    "CharSegmenter",
    "HanLPSegmenter",
    "JiebaSegmenter",
    "RJiebaSegmenter",
    "Segmenter",
    "available_segmenters",
    "cut",
    "domain_terms",
    "trie_pattern",
    "get_segmenter",
    "register_segmenter",
    "shared_segmenter",
    "stopwords",
]

logger = logging.getLogger("govreport_nlp")

_REGISTRY: dict[str, type[Segmenter]] = {}


def register_segmenter(name: str) -> Callable[[type[Segmenter]], type[Segmenter]]:
    """Class decorator: make a :class:`Segmenter` subclass available by ``name``.

    Examples
    --------
    >>> @register_segmenter("bigram")
    ... class BigramSegmenter(Segmenter):
    ...     def _cut(self, text):
    ...         return [text[i:i + 2] for i in range(max(1, len(text) - 1))]
    >>> get_segmenter("bigram").cut("依法行政")
    ['依法', '法行', '行政']
    >>> "bigram" in available_segmenters()
    True
    >>> del _REGISTRY["bigram"]  # (this example cleans up after itself)
    """

    def deco(cls: type[Segmenter]) -> type[Segmenter]:
        cls.name = name
        _REGISTRY[name] = cls
        return cls

    return deco


def available_segmenters() -> list[str]:
    """Names of the registered segmenters (whether or not their package is installed).

    Examples
    --------
    >>> {"char", "jieba", "rjieba", "hanlp"} <= set(available_segmenters())
    True
    """
    return sorted(_REGISTRY)


def get_segmenter(spec: str | Mapping[str, Any] | Segmenter = "jieba", **params: Any) -> Segmenter:
    """Create a segmenter from a name or a saved configuration.

    Parameters
    ----------
    spec : str, dict or Segmenter
        A registered name, or a dict ``{"name": ..., **params}`` as returned by
        :meth:`Segmenter.config`. A Segmenter instance is returned unchanged.
    **params
        Constructor parameters (override those in ``spec``).

    Examples
    --------
    >>> seg = get_segmenter("char")
    >>> seg.cut("依法行政")
    ['依', '法', '行', '政']
    >>> get_segmenter(seg.config()).config() == seg.config()
    True
    """
    if isinstance(spec, Segmenter):
        return spec
    if isinstance(spec, Mapping):
        params = {**{k: v for k, v in spec.items() if k != "name"}, **params}
        name = spec.get("name")
    else:
        name = spec
    if name not in _REGISTRY:
        raise GovReportError(f"unknown segmenter {name!r}; choose one of: {', '.join(available_segmenters())}.")
    try:
        return _REGISTRY[str(name)](**params)
    except TypeError as exc:
        raise GovReportError(f"bad parameters for segmenter {name!r}: {exc}.") from None


@lru_cache(maxsize=1)
def domain_terms() -> tuple[str, ...]:
    """Rule-of-law terms that every dictionary-based segmenter keeps whole."""
    text = resources.files("govreport_nlp").joinpath("resources/domain_dict.txt").read_text("utf-8")
    return tuple(line.split()[0] for line in text.splitlines() if line.strip() and not line.startswith("#"))


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    """Function words and report boilerplate that carry no topic."""
    text = resources.files("govreport_nlp").joinpath("resources/stopwords.txt").read_text("utf-8")
    return frozenset(line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#"))


def cache_dir() -> str:
    """Per-user cache directory for dictionary caches (created private)."""
    path = os.environ.get("GOVREPORT_NLP_CACHE")
    if not path:
        from platformdirs import user_cache_dir

        path = user_cache_dir("govreport_nlp", appauthor=False)
    os.makedirs(path, mode=0o700, exist_ok=True)
    return path


class Segmenter(ABC):
    """Splits Chinese text into words.

    Subclasses implement :meth:`_cut` and list their constructor parameters in
    ``_params``; everything else (batching, offsets, pickling, configuration)
    comes from here. Tokens that are only whitespace are dropped.

    Examples
    --------
    >>> seg = get_segmenter("jieba", user_words=["飞地库"])
    >>> seg.cut("建设飞地库，深化放管服改革")
    ['建设', '飞地库', '，', '深化', '放管服', '改革']
    >>> seg.tokenize("推行证照分离")
    [('推行', 0, 2), ('证照分离', 2, 6)]
    >>> seg.config()
    {'name': 'jieba', 'user_words': ['飞地库'], 'domain_dict': True, 'hmm': True}
    """

    name: ClassVar[str] = "base"
    _params: ClassVar[tuple[str, ...]] = ()

    @abstractmethod
    def _cut(self, text: str) -> Iterable[str]:
        """Backend segmentation of one text."""

    def load(self) -> "Segmenter":
        """Load the backend's dictionary or model now instead of at the first cut, so that a missing
        model fails here, before any input is read. Returns the segmenter."""
        self._cut("法治")
        return self

    def _terms(self) -> tuple[str, ...]:
        """Words that are always kept whole, whatever the backend prefers (none here)."""
        return ()

    def _ensure_backend(self) -> None:
        """Build the backend now (subclasses with a dictionary or model)."""

    def _term_pattern(self) -> re.Pattern[str] | None:
        pat = self.__dict__.get("_term_re", False)
        if pat is False:
            # at each position the longest term wins
            pat = trie_pattern({t for t in self._terms() if len(t) > 1})
            self.__dict__["_term_re"] = pat
        return pat

    def _segment(self, text: str) -> Iterator[str]:
        """The backend's words, except that each domain or user term stays one word.

        jieba prefers a longer general word that crosses a term's edge (``化解矛盾 / 纠纷``); so the
        text is cut at the terms first and only the stretches between them go to the backend.
        """
        pat = self._term_pattern()
        if pat is None:
            yield from self._cut(text)
            return
        self._ensure_backend()  # even a text made only of terms loads it (a missing model fails now)
        pos = 0
        for m in pat.finditer(text):
            if m.start() > pos:
                yield from self._cut(text[pos:m.start()])
            yield m.group(0)
            pos = m.end()
        if pos < len(text):
            yield from self._cut(text[pos:])

    def tokens(self, text: str) -> Iterable[str]:
        """Words of ``text`` as the backend gives them, domain terms kept whole, white space
        included (:meth:`cut` drops it): for callers that filter the words anyway.

        Examples
        --------
        >>> [w for w in get_segmenter("char").tokens("调解 纠纷")]
        ['调', '解', '纠', '纷']
        """
        if not text:
            return ()
        pat = self._term_pattern()
        if pat is not None and pat.search(text) is None:
            return self._cut(text)  # no term here: nothing to protect (most lines of a report)
        return self._segment(text)

    def cut(self, text: str) -> list[str]:
        """Words of ``text``, in order, whitespace dropped."""
        return [w for w in self.tokens(text) if w and not w.isspace()]

    __call__ = cut

    def cut_many(self, texts: Iterable[str]) -> list[list[str]]:
        """Segment several texts."""
        return [self.cut(t) for t in texts]

    def tokenize(self, text: str) -> list[tuple[str, int, int]]:
        """Words with their ``(start, end)`` offsets in ``text``.

        Examples
        --------
        >>> get_segmenter("char").tokenize("复议 案件")
        [('复', 0, 1), ('议', 1, 2), ('案', 3, 4), ('件', 4, 5)]
        """
        out = []
        pos = 0
        for w in self._segment(text):
            at = text.find(w, pos)
            if at < 0:  # a backend that normalises its output: keep going without offsets
                continue
            pos = at + len(w)
            if not w.isspace():
                out.append((w, at, pos))
        return out

    def config(self) -> dict[str, Any]:
        """JSON-serialisable description: ``get_segmenter(config)`` rebuilds it."""
        return {"name": self.name, **{p: _jsonable(getattr(self, p)) for p in self._params}}

    def __repr__(self) -> str:
        args = ", ".join(f"{p}={getattr(self, p)!r}" for p in self._params)
        return f"{type(self).__name__}({args})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Segmenter) and self.config() == other.config()

    def __hash__(self) -> int:
        return hash(repr(self.config()))

    # pickle as configuration; backends are rebuilt lazily on the other side
    def __getstate__(self) -> dict[str, Any]:
        return {p: getattr(self, p) for p in self._params}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(**state)  # type: ignore[misc]


def trie_pattern(words: Iterable[str]) -> re.Pattern[str] | None:
    """One regular expression matching any of ``words``, longest first at each position, built as a trie.

    The same matches as an alternation of the words sorted longest first, about twice as fast on
    report text: the engine follows one branch per character instead of trying every word.

    Examples
    --------
    >>> trie_pattern(["矛盾纠纷", "矛盾纠纷排查化解", "放管服"]).findall("深化放管服改革，矛盾纠纷排查化解")
    ['放管服', '矛盾纠纷排查化解']
    """
    trie: dict[str, Any] = {}
    for w in words:
        if not w:
            continue
        node = trie
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = True
    if not trie:
        return None

    def build(node: dict[str, Any]) -> str:
        alts = [re.escape(ch) + build(sub) for ch, sub in sorted(node.items()) if ch != ""]
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        return f"(?:{body})?" if "" in node else body

    return re.compile(build(trie))


def _jsonable(v: Any) -> Any:
    if isinstance(v, tuple):
        return list(v)
    return v


# ---------------------------------------------------------------------------
# jieba
# ---------------------------------------------------------------------------


def _quiet_jieba() -> None:
    # jieba logs "Building prefix dict..." at DEBUG through its own stderr handler
    log = logging.getLogger("jieba")
    if log.level < logging.WARNING:
        log.setLevel(logging.WARNING)


class _DictionarySegmenter(Segmenter):
    """Shared parameters of the jieba-family segmenters."""

    _params = ("user_words", "domain_dict", "hmm")

    def __init__(self, user_words: Sequence[str] | None = None, domain_dict: bool = True, hmm: bool = True) -> None:
        self.user_words = tuple(user_words or ())
        self.domain_dict = domain_dict
        self.hmm = hmm
        self._backend: Any = None
        self._lock = threading.Lock()

    def _words(self) -> tuple[str, ...]:
        """Words to add to the backend's dictionary."""
        return (domain_terms() if self.domain_dict else ()) + self.user_words

    _terms = _words

    def _ensure_backend(self) -> None:
        self._get_backend()

    def _get_backend(self) -> Any:
        if self._backend is None:
            with self._lock:
                if self._backend is None:
                    self._backend = self._build()
        return self._backend

    @abstractmethod
    def _build(self) -> Any:
        """Create the backend with the dictionary words added."""


@register_segmenter("jieba")
class JiebaSegmenter(_DictionarySegmenter):
    """jieba's default (accurate) mode with the rule-of-law domain dictionary.

    Parameters
    ----------
    user_words : sequence of str, optional
        More words to keep whole.
    domain_dict : bool, default True
        Add the library's rule-of-law terms (放管服, 证照分离, 一网通办...).
    hmm : bool, default True
        Let jieba's HMM join unknown words.

    Examples
    --------
    >>> JiebaSegmenter().cut("深化放管服改革")
    ['深化', '放管服', '改革']
    """

    def _build(self) -> Any:
        try:
            import jieba
        except ImportError:  # pragma: no cover - hard dependency
            raise missing_extra("jieba", "jieba", "The 'jieba' segmenter") from None
        _quiet_jieba()
        tk = jieba.Tokenizer()
        tk.tmp_dir = cache_dir()  # not jieba's shared /tmp/jieba.cache
        tk.initialize()
        for w in self._words():
            tk.add_word(w)
        return tk

    def _cut(self, text: str) -> Iterable[str]:
        return self._get_backend().cut(text, HMM=self.hmm)


def _rjieba_class() -> Any:
    """rjieba's ``Jieba`` class, without building the default instance its package ``__init__`` makes.

    ``import rjieba`` builds a module-level tokenizer (0.15-0.2 s of every start)
    that this library never uses; the class lives in the compiled submodule
    ``rjieba.rjieba``, loaded here on its own and registered under its own name, so
    a later ``import rjieba`` by anyone reuses it (a compiled module is
    initialised once per process).
    """
    import importlib.util
    import sys

    loaded = sys.modules.get("rjieba.rjieba")
    if loaded is None:
        try:
            pkg = importlib.util.find_spec("rjieba")
        except (ImportError, ValueError):
            pkg = None
        if pkg is None:
            raise missing_extra("rjieba", "fast", "The 'rjieba' segmenter")
        try:
            from importlib.machinery import EXTENSION_SUFFIXES, ExtensionFileLoader
            from pathlib import Path

            where = [Path(p) for p in (pkg.submodule_search_locations or [])]
            found = [f for d in where for suffix in EXTENSION_SUFFIXES for f in [d / f"rjieba{suffix}"] if f.is_file()]
            if not found:
                raise ImportError("no compiled rjieba module")
            loader = ExtensionFileLoader("rjieba.rjieba", str(found[0]))
            spec = importlib.util.spec_from_file_location("rjieba.rjieba", str(found[0]), loader=loader)
            assert spec is not None and spec.loader is not None
            loaded = importlib.util.module_from_spec(spec)
            sys.modules["rjieba.rjieba"] = loaded
            spec.loader.exec_module(loaded)
        except (ImportError, AssertionError):
            sys.modules.pop("rjieba.rjieba", None)
            import rjieba  # the ordinary way, default instance and all

            return rjieba.Jieba
    return loaded.Jieba


@register_segmenter("rjieba")
class RJiebaSegmenter(_DictionarySegmenter):
    """jieba-rs (Rust) through ``rjieba``: same dictionary, several times faster.

    Needs the ``fast`` extra: ``pip install 'govreport-nlp[fast]'``.

    Examples
    --------
    >>> RJiebaSegmenter(user_words=["飞地库"]).cut("建设飞地库，推行证照分离")
    ['建设', '飞地库', '，', '推行', '证照分离']
    """

    def _build(self) -> Any:
        jb = _rjieba_class()()
        for w in self._words():
            jb.add_word(w, jb.suggest_freq(w), None)
        return jb

    def _cut(self, text: str) -> Iterable[str]:
        return self._get_backend().cut(text, self.hmm)


_CHAR_TOKEN = re.compile(r"[A-Za-z\uff21-\uff3a\uff41-\uff5a]+|[0-9\uff10-\uff19]+(?:[.．][0-9\uff10-\uff19]+)?%?|\S")


@register_segmenter("char")
class CharSegmenter(Segmenter):
    """One token per Chinese character; runs of Latin letters or digits stay whole.

    Needs no dictionary and no dependency; with character n-grams in the feature
    layer it is a fast, robust baseline.

    Examples
    --------
    >>> CharSegmenter().cut("执法 2024年")
    ['执', '法', '2024', '年']
    """

    _params = ()

    def _cut(self, text: str) -> Iterable[str]:
        return _CHAR_TOKEN.findall(text)

    def tokenize(self, text: str) -> list[tuple[str, int, int]]:
        return [(m.group(), m.start(), m.end()) for m in _CHAR_TOKEN.finditer(text)]


# ---------------------------------------------------------------------------
# HanLP (optional, neural)
# ---------------------------------------------------------------------------


@register_segmenter("hanlp")
class HanLPSegmenter(Segmenter):
    """A HanLP neural tokenizer, loaded from a local model directory.

    Parameters
    ----------
    model : str
        A directory holding a saved HanLP tokenizer (with ``meta.json`` or
        ``config.json``), or a HanLP pretrained identifier such as
        ``"COARSE_ELECTRA_SMALL_ZH"`` or its URL.
    allow_download : bool, default False
        Let HanLP download a model (and the transformer it builds on) that is
        not on this machine yet. Off by default: the library never touches the
        network unless asked to. With it off, a model that is not already on
        disk fails at once with a :class:`ModelNotAvailableError` saying how to
        provide a local copy, and Hugging Face libraries are put in offline mode.
    devices : int, default -1
        Device for PyTorch (-1: CPU).

    Notes
    -----
    To use HanLP on a machine without internet: on a connected machine run
    ``hanlp.load(hanlp.pretrained.tok.COARSE_ELECTRA_SMALL_ZH)``, copy the
    unpacked directory from ``~/.hanlp/tok/`` (and the transformer from the
    Hugging Face cache, ``~/.cache/huggingface``) to this machine, and pass the
    directory: ``get_segmenter("hanlp", model="/models/coarse_electra_small")``.

    Examples
    --------
    >>> seg = HanLPSegmenter(model="/models/coarse_electra_small")   # nothing is loaded yet
    >>> seg.config()
    {'name': 'hanlp', 'model': '/models/coarse_electra_small', 'allow_download': False, 'devices': -1}
    >>> seg.cut("依法行政")  # doctest: +SKIP
    """

    _params = ("model", "allow_download", "devices")

    def __init__(self, model: str = "COARSE_ELECTRA_SMALL_ZH", allow_download: bool = False, devices: int = -1) -> None:
        self.model = str(model)
        self.allow_download = allow_download
        self.devices = devices
        self._tok: Any = None
        self._lock = threading.Lock()

    def _resolve(self) -> str:
        """Local directory of the model, or (with downloads allowed) its identifier."""
        try:
            import hanlp  # noqa: F401  - checks the extra is installed
            from hanlp.pretrained import ALL
            from hanlp.utils.io_util import path_from_url
        except ImportError:
            raise missing_extra("hanlp", "hanlp", "The 'hanlp' segmenter") from None
        ident = self.model
        if os.path.isdir(ident):
            if not any(os.path.exists(os.path.join(ident, f)) for f in ("meta.json", "config.json")):
                raise ModelNotAvailableError(
                    f"{ident} is not a HanLP model directory (it has no meta.json or config.json); "
                    "pass the unpacked directory of a saved HanLP tokenizer."
                )
            return ident
        url = ALL.get(ident, ident)
        if not re.match(r"^[a-z]+://", url):
            raise ModelNotAvailableError(
                f"HanLP model {ident!r} is neither a directory nor a known HanLP identifier; "
                "pass a local model directory, e.g. get_segmenter('hanlp', model='/path/to/model')."
            )
        local = path_from_url(url)
        if local and os.path.isdir(local):
            return local
        if self.allow_download:
            return url
        raise ModelNotAvailableError(
            f"HanLP model {ident!r} is not on this machine and downloading is off; download it on a connected "
            f"machine (hanlp.load('{ident}')), copy the unpacked folder here and pass its path as model=..., "
            "or pass allow_download=True."
        )

    def _tokenizer(self) -> Any:
        if self._tok is None:
            with self._lock:
                if self._tok is None:
                    target = self._resolve()
                    if not self.allow_download:
                        # transformers would otherwise try the hub for the encoder's files
                        os.environ.setdefault("HF_HUB_OFFLINE", "1")
                        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
                    import hanlp

                    try:
                        self._tok = hanlp.load(target, devices=self.devices, verbose=False)
                    except Exception as exc:  # HanLP raises many kinds; report one line
                        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
                        raise ModelError(
                            f"HanLP could not load {self.model!r}: {first[:300]}. If it needs files from the internet, "
                            "copy them to this machine (see the HanLP section of docs/) or pass allow_download=True."
                        ) from None
        return self._tok

    def _cut(self, text: str) -> Iterable[str]:
        return self._tokenizer()(text)

    def _terms(self) -> tuple[str, ...]:
        return domain_terms()  # the neural model does not know them either: they are kept whole the same way

    def _ensure_backend(self) -> None:
        self._tokenizer()

    def cut_many(self, texts: Iterable[str]) -> list[list[str]]:
        batch = list(texts)
        if not batch:
            return []
        # one model call for every stretch between domain terms of every text
        self._ensure_backend()
        pat = self._term_pattern()
        plans: list[list[tuple[bool, str]]] = []  # per text: (is_term, piece)
        gaps: list[str] = []
        for text in batch:
            plan: list[tuple[bool, str]] = []
            pos = 0
            for m in (pat.finditer(text) if pat is not None else ()):
                if m.start() > pos:
                    plan.append((False, text[pos:m.start()]))
                plan.append((True, m.group(0)))
                pos = m.end()
            if pos < len(text):
                plan.append((False, text[pos:]))
            gaps += [piece for is_term, piece in plan if not is_term]
            plans.append(plan)
        cuts = iter(self._tokenizer()(gaps) if gaps else [])
        out = []
        for plan in plans:
            words: list[str] = []
            for is_term, piece in plan:
                words += [piece] if is_term else next(cuts)
            out.append([w for w in words if w and not w.isspace()])
        return out


# ---------------------------------------------------------------------------
# function API
# ---------------------------------------------------------------------------

_shared: dict[str, Segmenter] = {}
_shared_lock = threading.Lock()


def shared_segmenter(spec: str | Mapping[str, Any] | Segmenter) -> Segmenter:
    """One instance per configuration, for the components that only read it (featurizers of a model's
    heads): each dictionary is built once per process. Segmenters never change after construction
    (extra words are part of the configuration), so sharing them shares no mutable state.

    Examples
    --------
    >>> shared_segmenter("rjieba") is shared_segmenter({"name": "rjieba", "hmm": True})
    True
    """
    key = json.dumps(get_segmenter(spec).config(), sort_keys=True)  # backends build lazily: this is cheap
    seg = _shared.get(key)
    if seg is None:
        with _shared_lock:
            seg = _shared.get(key)
            if seg is None:
                seg = _shared[key] = get_segmenter(json.loads(key))
    return seg


def cut(text: str, segmenter: str = "jieba") -> list[str]:
    """Segment ``text`` with a shared default instance of the named backend.

    Examples
    --------
    >>> cut("推进证照分离改革和一网通办")
    ['推进', '证照分离', '改革', '和', '一网通办']
    """
    return shared_segmenter(segmenter).cut(text)
