"""Classifying many reports: streaming, worker processes, progress, Hugging Face datasets.

:func:`classify_many` takes a corpus as it lies on disk (files, folders, JSONL
corpora) and yields each report classified, in input order, as soon as it is
done. Documents are read one at a time and never all held at once, so memory
stays flat whatever the corpus size; an input that cannot be read or classified
comes out as a :class:`~govreport_nlp.reading.Failure` in its place and the
rest go on.

With ``n_jobs > 1`` the work runs in worker processes; with ``n_jobs="auto"``
(the command line's default) in one worker per usable core (at most
:data:`AUTO_MAX_JOBS`) once the input holds more than one chunk, and in this
process otherwise, so that a single report pays no worker start-up. The parent only walks
the inputs (a JSONL file is split into raw lines) and collects results; reading,
parsing, classifying and, for the command line, formatting happen in the
workers, each of which holds the model once for the whole run. At most a few
chunks per worker are in flight, which keeps memory bounded there too.

:func:`classify_dataset` does the same for data that already lives in a Hugging
Face ``datasets.Dataset``, through its batched ``map``.

Examples
--------
>>> import govreport_nlp as gr
>>> reports = list(gr.classify_many(["examples/qinghe_county_2024.txt"]))
>>> reports[0].body[0].prediction.label is not None
True
"""

from __future__ import annotations

import itertools
import logging
import multiprocessing
import operator
import os
import sys
import threading
from collections import deque
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, Callable, Iterable, Iterator, Sequence, Union

from .document import Paragraph, Report
from .errors import GovReportError, InputError
from .reading import Document, Failure, Source, iter_sources, part_count

__all__ = ["classify_dataset", "classify_many", "count_sources", "paragraph_record", "usable_cores"]

logger = logging.getLogger("govreport_nlp")

Input = Union[str, "os.PathLike[str]", Document]

#: a chunk sent to a worker holds about this much input (bytes of a file or record, characters of a
#: Document; at most 64 inputs): large enough that messages and each batch's fixed work cost little
#: (192 KB measured 5-8% faster than 64 KB over the city reports, each worker 10 MB larger), small
#: enough that the last chunks of a run keep every worker busy
CHUNK_CHARS = 192_000
#: chunks in flight per worker: enough to keep it busy, few enough to bound memory
WINDOW_PER_JOB = 3
#: ``n_jobs="auto"`` starts at most this many workers: each holds the model (about 250 MB resident)
AUTO_MAX_JOBS = 8


# --- what one classified paragraph looks like as a record ------------------------

def paragraph_record(report: Report, p: Paragraph, *, reasons: bool = True, digits: int | None = 4) -> dict[str, Any]:
    """A classified paragraph as a flat record: a line of ``govreport-nlp classify``, and (a subset of
    its fields) an entry of ``classify_dataset``'s ``paragraphs``. ``label`` is ``None`` when abstained;
    scores are rounded to ``digits`` places (``None``: as computed).

    Examples
    --------
    >>> import govreport_nlp as gr
    >>> report = gr.load_model().classify_report("二、存在的不足\\n行政执法人员的专业能力与新形势新要求相比还有差距。")
    >>> rec = paragraph_record(report, report.body[0], reasons=False)
    >>> rec["label"], rec["heading"], rec["start"], rec["end"]
    ('shortcomings', '存在的不足', 8, 33)
    """
    pred = p.prediction
    if pred is None:
        raise GovReportError(f"paragraph {p.index} of {report.id} has not been classified.")

    def r(x: float | None) -> float | None:
        return x if x is None or digits is None else round(x, digits)

    rec: dict[str, Any] = {
        "doc": report.id, "index": p.index, "start": p.start, "end": p.end, "text": p.text,
        "label": pred.assigned, "score": r(pred.score), "function": pred.function,
        "function_score": r(pred.function_score), "topics": list(pred.topics),
        "heading": p.headings[-1] if p.headings else None, "role": p.role, "kind": p.kind,
        "alternatives": [[lab, r(sc)] for lab, sc in pred.alternatives],
    }
    if reasons:
        rec["reasons"] = list(pred.reasons)
    return rec


# --- the work on one input, the same in this process or a worker --------------

def _classify_one(model: Any, item: Source | Document, options: dict[str, Any],
                  emit: Callable[[Report], Any] | None) -> Any:
    try:
        doc = item.load() if isinstance(item, Source) else item
        report = model.classify_report(doc, threshold=options.get("threshold"), reasons=options.get("reasons", 3))
        return emit(report) if emit is not None else report
    except GovReportError as exc:
        return Failure(_name(item), str(exc) if isinstance(exc, InputError) else f"{_name(item)}: {exc}")
    except Exception as exc:  # one odd document must not end a corpus run; it is reported instead
        logger.debug("failed on %s", _name(item), exc_info=True)
        return Failure(_name(item), f"{_name(item)}: could not be classified ({type(exc).__name__}: {exc}).")


def _classify_chunk(model: Any, items: Sequence[Source | Document | Failure], options: dict[str, Any],
                    emit: Callable[[Report], Any] | None) -> list[Any]:
    """:func:`_classify_one` of each item, the reports' paragraphs classified in one batch (many short
    reports go several times faster together). An input that cannot be read or parsed becomes its
    Failure; if the batch fails, each report is classified alone so that only the bad one fails."""
    from .structure import parse_document

    out: list[Any] = list(items)
    parsed: dict[int, Report] = {}
    for i, item in enumerate(items):
        if isinstance(item, Failure):
            continue
        try:
            parsed[i] = parse_document(item.load() if isinstance(item, Source) else item)
        except Exception:  # reported with the usual message by _classify_one below
            out[i] = _classify_one(model, item, options, emit)
    if not parsed:
        return out
    try:
        model.classify_parsed(list(parsed.values()), threshold=options.get("threshold"),
                              reasons=options.get("reasons", 3))
    except Exception:
        logger.debug("a batch of %d reports failed; classifying them one by one", len(parsed), exc_info=True)
        for i in parsed:
            out[i] = _classify_one(model, items[i], options, emit)
        return out
    for i, report in parsed.items():  # each report's output on its own: one that fails is reported alone
        out[i] = report if emit is None else _emit_one(emit, report, items[i])
    return out


def _emit_one(emit: Callable[[Report], Any], report: Report, item: Source | Document) -> Any:
    try:
        return emit(report)
    except GovReportError as exc:
        return Failure(_name(item), str(exc) if isinstance(exc, InputError) else f"{_name(item)}: {exc}")
    except Exception as exc:
        logger.debug("failed on %s", _name(item), exc_info=True)
        return Failure(_name(item), f"{_name(item)}: could not be classified ({type(exc).__name__}: {exc}).")


def _name(item: Source | Document) -> str:
    return item.name if isinstance(item, Source) else (item.source or item.id)


# worker-process state: set once by the initializer, read by every task
_WORKER: dict[str, Any] = {}


def _init_worker(model: Any, options: dict[str, Any], emit: Callable[[Report], Any] | None) -> None:
    from .model import load_model

    _WORKER["model"] = load_model(model) if model is None or isinstance(model, (str, os.PathLike)) else model
    _WORKER["options"] = options
    _WORKER["emit"] = emit


def _work(chunk: list[Source | Document]) -> list[Any]:
    return _classify_chunk(_WORKER["model"], chunk, _WORKER["options"], _WORKER["emit"])


# --- inputs ------------------------------------------------------------------

def _items(inputs: Iterable[Input], input_format: str, encoding: str | None,
           split_large: bool = True) -> Iterator[Source | Document | Failure]:
    """Documents as they are; paths become unread sources (folders walked, JSONL split into lines,
    large files into parts)."""
    paths: list[str] = []
    for x in inputs:
        if isinstance(x, (Document, Source)):
            if paths:
                yield from iter_sources(paths, input_format=input_format, encoding=encoding, expand_dirs=True,
                                      split_large=split_large)
                paths = []
            yield x
        elif isinstance(x, (str, os.PathLike)):
            paths.append(str(x))
        else:
            yield Failure(repr(x)[:60], f"cannot classify a {type(x).__name__}; pass paths or Documents.")
    if paths:
        yield from iter_sources(paths, input_format=input_format, encoding=encoding, expand_dirs=True,
                                      split_large=split_large)


def count_sources(inputs: Sequence[Input], input_format: str = "auto") -> int | None:
    """How many documents ``inputs`` hold (JSONL lines counted, folders walked, the parts of large
    files), or ``None`` if that cannot be known without consuming them (standard input). Reads no report.

    Examples
    --------
    >>> count_sources(["examples/", "examples/qinghe_county_2024.txt"])
    2
    >>> count_sources(["-"]) is None
    True
    """
    if any(not isinstance(x, Document) and str(x) == "-" for x in inputs):
        return None
    return sum(part_count(x.size) if isinstance(x, Source) and x.kind == "file" else 1
               for x in _items(inputs, input_format, None, split_large=False))


def _chunks(items: Iterator[Source | Document | Failure], grow: bool = False) -> Iterator[list[Source | Document | Failure]]:
    """Inputs in chunks of about CHUNK_CHARS of input (see :func:`_size`; at most 64 inputs). ``grow``: the first chunks
    hold 1, 2, 4, ... inputs, so that the first results come out at once (a slow input is not waited on
    for 64 documents before anything is written)."""
    chunk: list[Source | Document | Failure] = []
    size = 0
    most = 1 if grow else 64
    for item in items:
        chunk.append(item)
        size += _size(item)
        if size >= CHUNK_CHARS or len(chunk) >= most:
            yield chunk
            chunk, size = [], 0
            most = min(2 * most, 64)
    if chunk:
        yield chunk


# --- running -------------------------------------------------------------------

def _start_method() -> str:
    """``fork`` where it is safe and cheap (Linux, no other Python thread running): workers then share the
    parent's loaded model. Elsewhere ``spawn``: each worker imports the library and loads the model once."""
    from . import lookup_cache

    lookup_cache.wait()  # this library's own cache writer (a first run) is no reason to spawn
    if sys.platform.startswith("linux") and threading.active_count() == 1:
        return "fork"
    return "spawn"


def usable_cores() -> int:
    """The cores this process may run on (its CPU affinity where the platform tells it).

    Examples
    --------
    >>> usable_cores() >= 1
    True
    """
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # not on every platform
        return max(1, os.cpu_count() or 1)


def _jobs(n_jobs: int | str) -> int | None:
    """Worker processes asked for: a number, or ``None`` for "auto" (decided from the input)."""
    if n_jobs == "auto":
        return None
    number: int | None = None
    if isinstance(n_jobs, str):
        try:
            number = int(n_jobs.strip())
        except ValueError:
            number = None
    elif not isinstance(n_jobs, bool):  # True is no number of processes
        try:
            number = operator.index(n_jobs)  # int, numpy integers; not 2.0
        except TypeError:
            number = None
    if number is None or (number < 1 and number != -1):
        raise GovReportError(f"n_jobs (--jobs) must be a positive number of processes, -1 (one per core) or "
                             f"'auto', not {n_jobs!r}.")
    return usable_cores() if number == -1 else number


def classify_many(inputs: Iterable[Input], model: Any = None, *, n_jobs: int | str = 1, input_format: str = "auto",
                  encoding: str | None = None, threshold: float | None = None, reasons: int = 3,
                  progress: bool | None = False, emit: Callable[[Report], Any] | None = None,
                  start_method: str | None = None) -> Iterator[Any]:
    """Classify a corpus, streaming: one result per document, in input order.

    Parameters
    ----------
    inputs : iterable of paths or Documents
        Report files, folders of them, JSONL corpora (``*.jsonl``: one report per
        line with ``id`` and ``text``), ``"-"`` for standard input, or
        :class:`~govreport_nlp.Document` objects. Consumed lazily.
    model : Model, path or None
        A :class:`~govreport_nlp.Model`, a saved model directory, or ``None`` for
        the default model.
    n_jobs : int or "auto"
        Worker processes; ``1`` runs here, ``-1`` uses every usable core, ``"auto"``
        one per usable core (at most :data:`AUTO_MAX_JOBS`) when the input holds more
        than one chunk of about :data:`CHUNK_CHARS` bytes (192 KB), else runs here.
    threshold, reasons
        As in :meth:`~govreport_nlp.Model.classify_report`.
    progress : bool or None
        Show a progress bar on standard error (``None``: only when it is a terminal).
    emit : callable, optional
        Applied to each classified :class:`~govreport_nlp.Report` where it was
        classified (in the worker), its result yielded instead of the report:
        e.g. a formatter, so that only text travels between processes. Must be
        picklable (a module-level function or ``functools.partial`` of one).
    start_method : str, optional
        ``fork``, ``spawn`` or ``forkserver`` for the workers (default: ``fork`` on
        Linux when no other thread runs, else ``spawn``).

    Yields
    ------
    Report, emit's result, or Failure
        A :class:`~govreport_nlp.reading.Failure` for each input that could not be
        read or classified; the others go on.

    Examples
    --------
    >>> for r in classify_many(["examples/qinghe_county_2024.txt", "missing.txt"]):
    ...     print(type(r).__name__, r.id if hasattr(r, "id") else r.message)
    Report qinghe_county_2024
    Failure missing.txt: no such file.
    """
    from .model import Model, check_threshold, load_model

    if isinstance(model, Model):
        m = model
    else:
        m = load_model(model)  # in this process too: a bad model fails here, before any worker starts
    jobs = _jobs(n_jobs)
    check_threshold(threshold)  # a usage error: once, before any input is read
    options = {"threshold": threshold, "reasons": reasons}
    method = start_method or _start_method()  # before any progress-bar thread exists
    show = sys.stderr.isatty() if progress is None else bool(progress)
    # a known total (a list of paths) gives the bar an end; a generator is never consumed ahead
    total = count_sources(inputs, input_format) if show and isinstance(inputs, (list, tuple)) else None
    bar = None
    try:
        stream = _items(inputs, input_format, encoding)
        if jobs is None:
            results = _auto(m, stream, options, emit, method)
        elif jobs == 1:
            results = _serial(m, stream, options, emit)
        else:
            results = _parallel(m, _chunks(stream), options, emit, jobs, method)
        for result in results:
            if show:
                # made at the first result, once any workers are forked: tqdm runs a monitor thread
                bar = bar or _bar(total)
                bar.update(1)
            yield result
    finally:
        if bar is not None:
            bar.close()


def _bar(total: int | None) -> Any:
    from tqdm.auto import tqdm

    return tqdm(total=total, unit="doc", desc="classify", file=sys.stderr, dynamic_ncols=True)


def _serial(model: Any, items: Iterator[Source | Document | Failure], options: dict[str, Any],
            emit: Callable[[Report], Any] | None) -> Iterator[Any]:
    # a chunk at a time (as the workers do): still streaming, results in input order
    for chunk in _chunks(items, grow=True):
        yield from _classify_chunk(model, chunk, options, emit)


def _size(item: Source | Document | Failure) -> int:
    """How much input an item holds: bytes for a file or record, characters for a Document."""
    return item.size if isinstance(item, Source) else len(item.text) if isinstance(item, Document) else 0


def _auto(model: Any, items: Iterator[Source | Document | Failure], options: dict[str, Any],
          emit: Callable[[Report], Any] | None, method: str) -> Iterator[Any]:
    # the first two chunks say whether workers pay: an input of at most one chunk's size (a report or a
    # few) is classified here at once, with no worker start-up; more goes to one worker per core
    jobs = min(usable_cores(), AUTO_MAX_JOBS)
    first = next(items, None)
    if first is None:
        return
    items = itertools.chain([first], items)
    if jobs == 1:
        yield from _serial(model, items, options, emit)
        return
    if isinstance(first, Source) and first.streamed:
        # records arriving on standard input: each comes out as soon as it is done (as with --jobs 1) until
        # the input has proved larger than a chunk; the rest goes to the workers
        seen = 0
        for chunk in _chunks(items, grow=True):
            yield from _classify_chunk(model, chunk, options, emit)
            seen += sum(map(_size, chunk))
            if seen > CHUNK_CHARS:
                break
        else:
            return
        yield from _parallel(model, _chunks(items), options, emit, jobs, method)
        return
    # read ahead until the input has proved larger than a chunk (however many small inputs that takes)
    chunks = _chunks(items)
    ahead: list[list[Source | Document | Failure]] = []
    seen = 0
    for chunk in chunks:
        ahead.append(chunk)
        seen += sum(map(_size, chunk))
        if len(ahead) >= 2 and seen > CHUNK_CHARS:
            break
    if len(ahead) < 2 or seen <= CHUNK_CHARS:
        for chunk in itertools.chain(ahead, chunks):
            yield from _classify_chunk(model, chunk, options, emit)
        return
    yield from _parallel(model, itertools.chain(ahead, chunks), options, emit, jobs, method)


def _parallel(model: Any, chunks: Iterator[list[Source | Document | Failure]], options: dict[str, Any],
              emit: Callable[[Report], Any] | None, jobs: int, method: str) -> Iterator[Any]:
    ctx = multiprocessing.get_context(method)
    # forked workers inherit the loaded model, its lookup tables and dictionaries built here once;
    # spawned ones load it from its directory (or unpickle it)
    if method == "fork":
        model.prepare()
    ref = model if method == "fork" or getattr(model, "path", None) is None else str(model.path)
    pending: deque[_Merged | list[Any]] = deque()
    ex = ProcessPoolExecutor(max_workers=jobs, mp_context=ctx, initializer=_init_worker,
                             initargs=(ref, options, emit))
    try:
        for chunk in chunks:
            if all(isinstance(c, Failure) for c in chunk):
                pending.append(list(chunk))
            else:
                failed = {i: c for i, c in enumerate(chunk) if isinstance(c, Failure)}
                work = [c for c in chunk if not isinstance(c, Failure)]
                pending.append(_Merged(ex.submit(_work, work), failed, len(chunk)))
            while len(pending) >= jobs * WINDOW_PER_JOB:
                yield from _result(pending.popleft())
        while pending:
            yield from _result(pending.popleft())
    except BrokenProcessPool:
        raise GovReportError("a worker process died (out of memory?); try fewer --jobs.") from None
    finally:
        ex.shutdown(wait=True, cancel_futures=True)


class _Merged:
    """A worker's results with the chunk's read failures put back in their places."""

    def __init__(self, future: Future[list[Any]], failed: dict[int, Failure], n: int) -> None:
        self.future, self.failed, self.n = future, failed, n

    def result(self) -> list[Any]:
        done = iter(self.future.result())
        return [self.failed[i] if i in self.failed else next(done) for i in range(self.n)]


def _result(p: _Merged | list[Any]) -> list[Any]:
    return p if isinstance(p, list) else p.result()


# --- Hugging Face datasets -----------------------------------------------------------

# the fields of paragraph_record a dataset's `paragraphs` column keeps (its Arrow schema is fixed below)
_DATASET_FIELDS = ("index", "start", "end", "kind", "role", "text", "label", "score", "function", "topics")


class _DatasetClassifier:
    """The function ``classify_dataset`` maps: picklable (a model path, not the model), loading the
    model once per process on first use."""

    def __init__(self, model: Any, column: str, level: str, threshold: float | None, reasons: int) -> None:
        self.model, self.column, self.level, self.threshold, self.reasons = model, column, level, threshold, reasons

    def __getstate__(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k != "_loaded"}

    def _model(self) -> Any:
        loaded = self.__dict__.get("_loaded")
        if loaded is None:
            from .model import Model, load_model

            loaded = self.model if isinstance(self.model, Model) else load_model(self.model)
            self._loaded = loaded
        return loaded

    def __call__(self, batch: dict[str, list[Any]]) -> dict[str, list[Any]]:
        model = self._model()
        texts = batch[self.column]
        if self.level == "paragraph":
            preds = model.predictions([str(t or "") for t in texts], threshold=self.threshold, reasons=self.reasons)
            return {"label": [p.assigned for p in preds], "score": [p.score for p in preds],
                    "function": [p.function for p in preds], "topics": [list(p.topics) for p in preds]}
        out = []
        for i, text in enumerate(texts):
            report = model.classify_report(Document(id=str(i), text=str(text or "")), threshold=self.threshold,
                                           reasons=self.reasons)
            records = (paragraph_record(report, p, reasons=False, digits=None) for p in report.paragraphs)
            out.append([{k: rec[k] for k in _DATASET_FIELDS} for rec in records])
        return {"paragraphs": out}


def classify_dataset(dataset: Any, model: Any = None, *, text_column: str = "text", level: str = "paragraph",
                     num_proc: int | None = None, batch_size: int = 256, threshold: float | None = None,
                     reasons: int = 0) -> Any:
    """Classify a Hugging Face ``Dataset`` with its batched ``map``.

    Parameters
    ----------
    dataset : datasets.Dataset
        One paragraph per row (``level="paragraph"``) or one report per row
        (``level="report"``), its text in ``text_column``.
    model : Model, path or None
        The model; with ``num_proc`` a saved model's path (or ``None``) is sent to
        the workers, which load it once each.
    num_proc : int, optional
        Worker processes for ``Dataset.map``.
    level : {"paragraph", "report"}
        ``paragraph`` adds columns ``label``, ``score``, ``function``, ``topics``
        (each row read alone, without report context). ``report`` parses each row
        as a whole report and adds ``paragraphs``: a list of records (``index``,
        ``start``, ``end``, ``kind``, ``role``, ``text``, ``label``, ``score``,
        ``function``, ``topics``), each paragraph read in its report's context.

    Returns
    -------
    datasets.Dataset
        The dataset with the new columns.

    Examples
    --------
    >>> import datasets
    >>> ds = datasets.Dataset.from_dict({"text": ["我们将进一步优化营商环境。"]})
    >>> list(classify_dataset(ds)["label"])
    ['plans']
    """
    from .data import _require_datasets
    from .model import Model

    datasets = _require_datasets()
    if isinstance(dataset, datasets.DatasetDict):
        raise GovReportError("pass one split of the DatasetDict, e.g. ds['train'].")
    if text_column not in dataset.column_names:
        raise GovReportError(f"the dataset has no column {text_column!r} (columns: {', '.join(dataset.column_names)}).")
    if level not in ("paragraph", "report"):
        raise GovReportError(f"level must be 'paragraph' or 'report', not {level!r}.")
    if model is None or isinstance(model, (str, os.PathLike)):
        from .model import load_model

        load_model(model)  # a missing or broken model fails here, not in every worker
        ref: Any = None if model is None else str(model)
    elif isinstance(model, Model):
        ref = str(model.path) if num_proc and getattr(model, "path", None) is not None else model
    else:
        raise GovReportError(f"model must be a Model, a model directory or None, not {type(model).__name__}.")
    fn = _DatasetClassifier(ref, text_column, level, threshold, reasons)
    if level == "paragraph":
        features = datasets.Features({**dataset.features, "label": datasets.Value("string"),
                                      "score": datasets.Value("float64"), "function": datasets.Value("string"),
                                      "topics": datasets.Sequence(datasets.Value("string"))})
    else:
        record = {"index": datasets.Value("int64"), "start": datasets.Value("int64"), "end": datasets.Value("int64"),
                  "kind": datasets.Value("string"), "role": datasets.Value("string"), "text": datasets.Value("string"),
                  "label": datasets.Value("string"), "score": datasets.Value("float64"),
                  "function": datasets.Value("string"), "topics": datasets.Sequence(datasets.Value("string"))}
        features = datasets.Features({**dataset.features, "paragraphs": [record]})
    return dataset.map(fn, batched=True, batch_size=batch_size, num_proc=num_proc, features=features,
                       desc="classify")
