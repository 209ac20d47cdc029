"""End-to-end classification throughput against bare ``jieba.lcut``, in one process, on the same text.

Contenders, all over the same documents:

* ``jieba.lcut``: the reference, jieba's default (accurate) mode over each
  report's text, dictionary loaded beforehand;
* ``classify``: :func:`govreport_nlp.classify_many` with the default model, as
  the command line runs it: each report read from its JSONL line, its structure
  recovered, segmented, featurized, both heads predicted, three reasons each;
* ``classify, no reasons``: the same without explanations;
* ``parse``: reading and structure only, and ``rjieba.cut``: the segmenter
  the default model uses, for scale.
"""

from __future__ import annotations

from typing import Any, Callable

from .common import Workload, alternate, median


def run(workloads: list[Workload], repeat: int, log: Callable[[str], None]) -> dict[str, Any]:
    import jieba
    import rjieba

    import govreport_nlp as gr

    jieba.setLogLevel(60)
    jieba.initialize()
    model = gr.load_model()
    list(gr.classify_many([str(workloads[0].files[0])], model))  # warm: segmenter dictionaries, lookup tables
    seg = rjieba.Jieba()
    out = []
    for i, w in enumerate(workloads):
        reps = repeat if i == 0 else 1  # larger inputs: one repetition each, said in the result
        log(f"throughput on {w.name} ({w.documents} documents, {w.chars:,} characters), {reps} repetition(s)")
        files = [str(f) for f in w.files]
        contenders = {
            "jieba.lcut": lambda: [jieba.lcut(t) for t in w.texts],
            "classify": lambda: _drain(gr.classify_many(files, model, reasons=3)),
            "classify, no reasons": lambda: _drain(gr.classify_many(files, model, reasons=0)),
            "parse": lambda: _drain(gr.parse_document(_ok(d)) for d in gr.iter_documents(files)),
            "rjieba.cut": lambda: [seg.cut(t, True) for t in w.texts],
        }
        times = alternate(contenders, reps, log)
        ref = median(times["jieba.lcut"])
        out.append({
            "workload": w.describe(),
            "repetitions": reps,
            "median_seconds": {k: round(median(v), 3) for k, v in times.items()},
            "chars_per_second": {k: round(w.chars / median(v)) for k, v in times.items()},
            "throughput_vs_jieba_lcut": {k: round(ref / median(v), 3) for k, v in times.items()},
        })
    return {"reference": "jieba.lcut", "runs": out}


def _ok(item: Any) -> Any:
    if type(item).__name__ == "Failure":
        raise RuntimeError(f"benchmark input failed: {item}")
    return item


def _drain(it: Any) -> int:
    n = 0
    for item in it:
        _ok(item)
        n += 1
    return n
