"""The ``govreport-nlp`` command: a thin layer over the Python API.

Every subcommand reads its inputs through :func:`govreport_nlp.reading.iter_documents`
(``classify``: :func:`govreport_nlp.batch.classify_many`, which streams and can use
worker processes), so one unreadable file in a batch is reported on stderr and
the rest are processed. Errors a user can cause print one line and exit with status 2.
"""

from __future__ import annotations

import argparse
import atexit
import functools
import gc
import json
import os
import sys
import unicodedata
from typing import Any, Callable, Iterator, NoReturn, Sequence, TextIO

from . import __version__
from .document import Report
from .batch import paragraph_record
from .errors import GovReportError
from .reading import Document, Failure, iter_documents
from .segmentation import available_segmenters, get_segmenter
from .sentences import sentence_spans
from .structure import parse_document

__all__ = ["main"]

EXIT_OK = 0
EXIT_INPUT = 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # one line, status 2, like every other user error
        self.exit(EXIT_INPUT, f"{self.prog}: error: {message}\n")


def _clip(s: str, width: int) -> str:
    out, w = [], 0
    for c in s:
        cw = 2 if unicodedata.east_asian_width(c) in "WF" else 1
        if w + cw > width - 1:
            out.append("…")
            break
        out.append(c)
        w += cw
    return "".join(out)


def _pad(s: str, width: int) -> str:
    """``s`` padded to ``width`` terminal columns (Chinese characters take two), one space at least."""
    w = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)
    return s + " " * max(width - w, 1)


def _documents(args: argparse.Namespace, failures: list[Failure]) -> Iterator[Document]:
    inputs = args.files or ["-"]
    for item in iter_documents(inputs, input_format=args.input_format, encoding=args.encoding,
                               expand_dirs=True):
        if isinstance(item, Failure):
            failures.append(item)
            print(f"govreport-nlp: skipped: {item.message}", file=sys.stderr)
            continue
        yield item


# ---------------------------------------------------------------------------
# parse
# ---------------------------------------------------------------------------


def _write_parse_table(report: Report, out: TextIO, sentences: bool) -> None:
    md = report.metadata
    out.write(f"# {report.id}  {md.title or '(no title)'}\n")
    info = [f"{k}={v}" for k, v in (("issuer", md.issuer), ("date", md.date), ("index", md.index_number),
                                    ("number", md.document_number), ("encoding", report.encoding),
                                    ("format", report.format)) if v]
    if info:
        out.write("# " + "  ".join(info) + "\n")
    for s in report.sections:
        cue = f"cue {s.cue!r}" if s.cue else "inferred"
        title = s.heading.title if s.heading else ""
        out.write(f"# section {s.index}: {s.role:<12} ({cue}) {title}\n")
    out.write(f"{'idx':>4} {'start':>6} {'end':>6}  {'kind':<8}{'role':<13}{'lvl':<4}text\n")
    for p in report.paragraphs:
        lvl = str(p.level) if p.level else ""
        text = p.text if p.kind != "heading" else ("  " * max(0, (p.level or 1) - 1)) + p.text
        note = f"[{p.note}] " if p.note else ""
        out.write(f"{p.index:>4} {p.start:>6} {p.end:>6}  {p.kind:<8}{p.role:<13}{lvl:<4}{_clip(note + text, 60)}\n")
        if sentences and p.kind == "body":
            for a, b in sentence_spans(p.text):
                out.write(f"{'':>4} {p.start + a:>6} {p.start + b:>6}    · {_clip(p.text[a:b], 70)}\n")
    for w in report.warnings:
        out.write(f"# warning: {w}\n")
    out.write("\n")


def _write_parse_jsonl(report: Report, out: TextIO, sentences: bool) -> None:
    head = {"doc": report.id, "type": "report", "source": report.source, "encoding": report.encoding,
            "format": report.format, "metadata": report.metadata.to_dict(), "warnings": report.warnings,
            "sections": [s.to_dict() for s in report.sections]}
    out.write(json.dumps(head, ensure_ascii=False, default=str) + "\n")
    for p in report.paragraphs:
        rec: dict[str, Any] = {"doc": report.id, "type": "paragraph", **p.to_dict()}
        if sentences:
            rec["sentences"] = [[p.start + s, p.start + e] for s, e in sentence_spans(p.text)]
        out.write(json.dumps(rec, ensure_ascii=False) + "\n")


def cmd_parse(args: argparse.Namespace, failures: list[Failure]) -> None:
    write: Callable[[Report, TextIO, bool], None] = (
        _write_parse_jsonl if args.format == "jsonl" else _write_parse_table
    )
    for doc in _documents(args, failures):
        report = parse_document(doc)
        write(report, sys.stdout, args.sentences)
        sys.stdout.flush()


# ---------------------------------------------------------------------------
# segment
# ---------------------------------------------------------------------------


def cmd_segment(args: argparse.Namespace, failures: list[Failure]) -> None:
    params: dict[str, Any] = {}
    if args.segmenter == "hanlp":
        if args.model:
            params["model"] = args.model
        params["allow_download"] = args.allow_download
    if args.user_words:
        params["user_words"] = [w for w in args.user_words.split(",") if w]
    seg = get_segmenter(args.segmenter, **params).load()  # a missing model fails before any input is read
    for doc in _documents(args, failures):
        if args.format == "jsonl":
            report = parse_document(doc)
            for p in report.paragraphs:
                if p.is_content:
                    rec = {"doc": report.id, "index": p.index, "start": p.start, "end": p.end,
                           "kind": p.kind, "tokens": seg.cut(p.text)}
                    sys.stdout.write(json.dumps(rec, ensure_ascii=False) + "\n")
        else:
            for line in doc.text.splitlines():
                sys.stdout.write(args.sep.join(seg.cut(line)) + "\n")
        sys.stdout.flush()


# ---------------------------------------------------------------------------
# classify
# ---------------------------------------------------------------------------


_DOC_WIDTH = 24
_TABLE_HEADER = (f"{'doc':<{_DOC_WIDTH}}{'idx':>4}  {'kind':<8}{'label':<14}{'score':>6}  {'function':<12}{'topics':<24}"
                 "text\n")


_JSON = json.JSONEncoder(ensure_ascii=False)  # json.dumps with options builds an encoder per call


def format_classified(report: Report, fmt: str = "jsonl", min_chars: int = 0, reasons: int = 3,
                      body_only: bool = False) -> str:
    """One classified report as the ``classify`` command prints it (runs in the worker processes).

    ``body_only`` keeps only body paragraphs, the ones :func:`~govreport_nlp.label_shares` and
    :func:`~govreport_nlp.paragraph_table` count; ``min_chars`` drops shorter lines.
    """
    lines = []
    for p in report.paragraphs:
        pred = p.prediction
        if pred is None or len(p.text.strip()) < min_chars or (body_only and p.kind != "body"):
            continue
        label = pred.assigned
        if fmt == "table":
            # the id in full: two reports must never share a shown id (a column that cuts them would); padded by
            # display width, so that ids in Chinese keep the columns aligned (a longer id shifts its own rows only)
            lines.append(f"{_pad(report.id, _DOC_WIDTH)}{p.index:>4}  {p.kind:<8}{label or '(abstain)':<14}{pred.score:>6.2f}  "
                         f"{pred.function or '':<12}{_clip(','.join(pred.topics), 24):<24}{_clip(p.text, 50)}\n")
            continue
        lines.append(_JSON.encode(paragraph_record(report, p, reasons=bool(reasons))) + "\n")
    return "".join(lines)


def _classified_with_warnings(report: Report, **kwargs: Any) -> tuple[str, list[str]]:
    """What a worker sends back: the formatted report and its warnings (printed on stderr, in order)."""
    return format_classified(report, **kwargs), list(report.warnings)


def _jobs_arg(value: str) -> int | str:
    if value == "auto":
        return value
    try:
        return int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of processes, -1 or auto, not {value!r}") from None


def cmd_classify(args: argparse.Namespace, failures: list[Failure]) -> None:
    from .batch import classify_many
    from .model import load_model

    model = load_model(args.model).prepare(lookup=False)  # tables built once a run reads enough to need them
    _settle()
    if args.format == "table":
        sys.stdout.write(_TABLE_HEADER)
    reasons = args.reasons if args.format == "jsonl" else 0  # the table shows none: none are computed
    emit = functools.partial(_classified_with_warnings, fmt=args.format, min_chars=args.min_chars,
                             reasons=reasons, body_only=args.body_only)
    progress = None if args.progress is None else args.progress
    said: set[str] = set()  # the parts of one large file share a warning: say it once
    for out in classify_many(args.files or ["-"], model, n_jobs=args.jobs, input_format=args.input_format,
                             encoding=args.encoding, threshold=args.threshold, reasons=reasons,
                             progress=progress, emit=emit):
        if isinstance(out, Failure):
            failures.append(out)
            print(f"govreport-nlp: skipped: {out.message}", file=sys.stderr)
            continue
        text, warnings = out
        sys.stdout.write(text)
        sys.stdout.flush()
        for w in warnings:
            if w not in said:
                said.add(w)
                print(f"govreport-nlp: warning: {w}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------
# train / evaluate
# ---------------------------------------------------------------------------


def _progress(msg: str) -> None:
    print(f"govreport-nlp: {msg}", file=sys.stderr, flush=True)


def _user_data(args: argparse.Namespace) -> Any:
    from .data import read_labelled_jsonl

    return read_labelled_jsonl(args.data, reports=args.reports, label_field=args.label_field)


def cmd_train(args: argparse.Namespace, failures: list[Failure]) -> None:
    from .evaluation import evaluate_data, evaluate_recipe, format_report
    from .training import model_card, train, train_recipe

    if (args.data is None) == (args.recipe is None):
        raise GovReportError("give either --recipe NAME (train from a recorded recipe) or --data FILE (your labels).")
    if args.recipe is not None:
        _progress(f"training recipe {args.recipe!r}")
        model = train_recipe(args.recipe, corpus=args.corpus)
        result = None
        if not args.no_eval:
            _progress("cross-validating the recipe, gold documents held out, each gold source scored on its own")
            result = evaluate_recipe(args.recipe, args.corpus, folds=args.folds, progress=_progress,
                                     sources=_sources(args))
    else:
        data = _user_data(args)
        _progress(f"training on {len(data)} paragraphs from {args.data}")
        model = train(data, recipe=args.params, threshold=args.threshold)
        result = None
        if not args.no_eval:
            result = evaluate_data(data, label_set=model.label_set, recipe=args.params, folds=args.folds,
                                   progress=_progress)
    if result is not None:
        # the record kept with the model: the figures, not every held-out paragraph's prediction
        model.info["evaluation"] = {k: v for k, v in result.items() if k not in ("predicted", "by_source")}
        if "by_source" in result:
            model.info["evaluation"]["by_source"] = {
                n: {k: v for k, v in r.items() if k != "predicted"} for n, r in result["by_source"].items()}
        sys.stderr.write(format_report(result) + "\n")
    out = model.save(args.out, card=model_card(model, result))
    _progress(f"saved model to {out}")


def cmd_evaluate(args: argparse.Namespace, failures: list[Failure]) -> None:
    from .evaluation import evaluate_data, evaluate_recipe, format_report

    if args.data is not None:
        result = evaluate_data(_user_data(args), recipe=args.params, folds=args.folds,
                               baselines=not args.no_baselines, progress=_progress)
    else:
        result = evaluate_recipe(args.recipe or "default", args.corpus, folds=args.folds,
                                 baselines=not args.no_baselines, progress=_progress, sources=_sources(args))
    if args.json:
        sys.stdout.write(json.dumps(result, ensure_ascii=False, indent=1) + "\n")
    else:
        sys.stdout.write(format_report(result) + "\n")


# ---------------------------------------------------------------------------
# entry point
# ---------------------------------------------------------------------------


def _sources(args: argparse.Namespace) -> Any:
    value = getattr(args, "sources", None)
    if value is None or value == "all":
        return value
    return [v for v in value.split(",") if v]


def _add_training_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--recipe", help="a recorded recipe: built-in name (default) or JSON file")
    p.add_argument("--corpus", help="corpus directory the recipe's files are in (default: $GOVREPORT_CORPUS "
                                    "or ../shared/corpus)")
    p.add_argument("--data", help="your labelled paragraphs (JSONL: text+label, or doc_id+start+end+label)")
    p.add_argument("--reports", help="JSONL corpus of the reports that doc_id/start/end records point into")
    p.add_argument("--label-field", default="label", help="the field of --data that holds the label")
    p.add_argument("--params", help="recipe (name or JSON) whose classifier/feature parameters --data training uses")
    p.add_argument("--folds", type=int, help="cross-validation folds (default: one document at a time for "
                                             "recipes, 5 for --data)")
    p.add_argument("--sources", help="recipes: the gold sources to score, comma-separated, or 'all' (default: the "
                                     "first, the seeds)")


def _add_input_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("files", nargs="*", metavar="FILE",
                   help="report files, folders of them, or JSONL corpora; '-' or nothing reads standard input")
    p.add_argument("--input-format", choices=("auto", "text", "html", "jsonl"), default="auto",
                   help="auto: *.jsonl files are corpora with 'id' and 'text' fields, HTML is detected")
    p.add_argument("--encoding", help="force a text encoding instead of detecting it")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="govreport-nlp",
                     description="Read Chinese government reports, recover their structure and tag their paragraphs.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    p = sub.add_parser("parse", help="show a report's recovered structure: sections, headings, paragraphs, offsets")
    _add_input_args(p)
    p.add_argument("--format", choices=("table", "jsonl"), default="table")
    p.add_argument("--sentences", action="store_true", help="also split body paragraphs into sentences")
    p.set_defaults(func=cmd_parse)

    p = sub.add_parser("segment", help="segment text into words")
    _add_input_args(p)
    p.add_argument("--segmenter", choices=available_segmenters(), default="jieba")
    p.add_argument("--model", help="hanlp: a local model directory (or identifier)")
    p.add_argument("--allow-download", action="store_true", help="hanlp: allow downloading a model")
    p.add_argument("--user-words", help="comma-separated extra words to keep whole")
    p.add_argument("--format", choices=("text", "jsonl"), default="text",
                   help="text: each input line with words separated by --sep; jsonl: one record per paragraph")
    p.add_argument("--sep", default=" ", help="word separator for --format text")
    p.set_defaults(func=cmd_segment)

    p = sub.add_parser("classify", help="label every paragraph of reports")
    _add_input_args(p)
    p.add_argument("--model", help="a saved model directory (default: the model shipped with the package)")
    p.add_argument("--format", choices=("jsonl", "table"), default="jsonl")
    p.add_argument("--threshold", type=float, help="confidence under which the label is left out (abstain)")
    p.add_argument("--min-chars", type=int, default=0,
                   help="only output paragraphs of at least this many characters (the taxonomy scores 25+)")
    p.add_argument("--body-only", action="store_true",
                   help="only body paragraphs: what label_shares and paragraph_table count (no headings, "
                        "metadata or page furniture)")
    p.add_argument("--reasons", type=int, default=3, help="how many reasons per axis to give (jsonl)")
    p.add_argument("--jobs", "-j", default="auto", type=_jobs_arg,
                   help="worker processes: a number, -1 (one per core) or auto (the default: one per core, "
                        "at most 8, when the input is more than about 192 KB; else none)")
    p.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                   help="progress bar on stderr (default: when stderr is a terminal)")
    p.set_defaults(func=cmd_classify)

    p = sub.add_parser("train", help="train a model from a recipe or from your own labels, evaluate it, save it")
    _add_training_args(p)
    p.add_argument("--out", required=True, help="directory to save the model to")
    p.add_argument("--threshold", type=float, help="abstain threshold saved with the model")
    p.add_argument("--no-eval", action="store_true", help="skip the cross-validation")
    p.set_defaults(func=cmd_train)

    p = sub.add_parser("evaluate", help="cross-validate a recipe or your labels, grouped by document, with baselines")
    _add_training_args(p)
    p.add_argument("--json", action="store_true", help="print the full result as JSON")
    p.add_argument("--no-baselines", action="store_true", help="skip the keyword and TF-IDF baselines")
    p.set_defaults(func=cmd_evaluate)
    return parser


def run() -> None:
    """The console script: :func:`main` in a process of its own.

    Start-up (imports, the model) allocates some 10^6 long-lived objects; letting
    the garbage collector re-scan them while they are created costs about a
    quarter of a second and frees nothing. So collection is off until the
    command's long-lived state is loaded (:func:`_settle`), when it is frozen out
    of later collections (which also spares forked workers copying it) and
    collection resumes. Once the output is written and flushed the process ends
    at once (``os._exit``), without freeing those objects one by one. The
    library itself never touches the caller's collector or exits.
    """
    gc.disable()
    try:
        code = main()
    finally:
        _settle()
    # Everything is written: leave without tearing the interpreter down. Freeing a loaded model's objects
    # one by one took about 0.07 s of every run; the system takes the memory back at once. What exits
    # normally does is still done: the atexit handlers (logging's, a caller's), then the flush.
    atexit._run_exitfuncs()
    code = _flush(code)
    os._exit(code)


def _flush(code: int) -> int:
    """Write out what is still buffered (as the interpreter would at exit); the exit status it leaves."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except BrokenPipeError:  # the reader has gone (| head): quietly, as main() does
            try:
                os.dup2(os.open(os.devnull, os.O_WRONLY), stream.fileno())
            except (OSError, ValueError):
                pass
        except (OSError, ValueError) as exc:
            if stream is sys.stdout:
                print(f"govreport-nlp: error: {getattr(exc, 'strerror', None) or exc}; check the output path and "
                      "free space.", file=sys.stderr)
                code = code or EXIT_INPUT
    return code


def _settle() -> None:
    """Long-lived state is loaded: keep it out of future collections, and collect from now on."""
    if not gc.isenabled():
        gc.freeze()
        gc.enable()


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status.

    Examples
    --------
    >>> main(["parse", "examples/qinghe_county_2024.txt", "--format", "jsonl"])  # doctest: +ELLIPSIS
    {"doc": "qinghe_county_2024", "type": "report", ...}
    {"doc": "qinghe_county_2024", "type": "paragraph", "index": 0, "start": 0, "end": 18, "kind": "clutter", ...}
    ...
    0
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help(sys.stderr)
        return EXIT_INPUT
    if args.func is not cmd_classify:  # classify settles once its model is loaded
        _settle()
    failures: list[Failure] = []
    try:
        args.func(args, failures)
    except GovReportError as exc:
        print(f"govreport-nlp: error: {exc}", file=sys.stderr)
        return EXIT_INPUT
    except BrokenPipeError:  # piped into `head`: stop quietly, as Unix tools do
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_OK
    except OSError as exc:  # the machine's, not the input's: output disk full, --out not writable...
        where = f" ({exc.filename})" if exc.filename else ""
        print(f"govreport-nlp: error: {exc.strerror or exc}{where}; check the output path and free space.",
              file=sys.stderr)
        return EXIT_INPUT
    except KeyboardInterrupt:
        return 130
    if failures:
        print(f"govreport-nlp: {len(failures)} input(s) could not be read (see above)", file=sys.stderr)
        return EXIT_INPUT
    return EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    run()
