"""Build the training files from the label passes: final labels in the gold span format.

Usage::

    python training_data/tools/build.py

Writes

* ``written/reports.jsonl`` — the 80 written reports as a corpus (``id``, metadata, ``text``);
* ``written/reports_gold.jsonl`` — one record per line of them: ``doc_id``, ``start``, ``end``,
  ``function``, ``topics``, ``label`` (and ``text``: our own writing);
* ``written/paragraphs_gold.jsonl`` — the standalone contrast paragraphs: ``text``, ``group``
  (the contrast set), ``function``, ``topics``, ``label``;
* ``real/work_reports_gold.jsonl`` — the sampled lines of the real work reports: ``doc_id``,
  ``start``, ``end``, ``function``, ``topics``, ``label``; never their text (it stays in
  ``../shared/corpus``, read at run time).

Final labels: where the two passes agree on the function and the primary topic, the first pass
(the writer's, or annotator A's) with its full topic list; where they differ, the adjudicated
label (rows adjudicated ``drop`` are left out). A report or paragraph file without its second pass
keeps the first pass's labels and is counted as such in the output.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from govreport_nlp.cleaning import split_lines  # noqa: E402
from govreport_nlp.labels import derive_label  # noqa: E402
from lines import corpus_docs  # noqa: E402

DATA = ROOT / "training_data"
W = DATA / "written"
# reports saved as one line: the sample's line numbers were drawn before such lines were cut at
# sentence ends, so they no longer point at the lines the annotators read
RENUMBERED = {"city-泸州", "city-潍坊", "city-枣庄"}


def tsv(path: Path) -> list[list[str]]:
    if not path.exists():
        return []
    return [r.rstrip("\n").split("\t") for r in path.open(encoding="utf-8") if r.strip() and not r.startswith("#")]


PENDING_FIRST = "--pending-first" in sys.argv  # a disagreement not adjudicated yet keeps the first pass


def final(first: list[str], second: list[str] | None, adjudicated: list[str] | None,
          stats: Counter | None = None) -> tuple[str, list[str]] | None:
    """(function, topics) from the passes; None when adjudicated as too ambiguous to train on."""
    f1, t1 = first[0], first[1].split(",")
    if second is not None and (second[0] != f1 or second[1].split(",")[0] != t1[0]):
        if adjudicated is None:
            if PENDING_FIRST:
                if stats is not None:
                    stats["pending_adjudication"] += 1
                return f1, t1
            raise SystemExit(f"a disagreement has no adjudication (run agreement.py, adjudicate, or pass "
                             f"--pending-first): {first} vs {second}")
        if adjudicated[0] == "drop":
            return None
        return adjudicated[0], adjudicated[1].split(",")
    return f1, t1


def record(function: str, topics: list[str]) -> dict:
    topics = list(dict.fromkeys(t.strip() for t in topics if t.strip()))[:3]  # the taxonomy gives 1-3, primary first
    return {"function": function, "topics": topics, "label": derive_label(function, topics)}


def build_reports(stats: Counter) -> None:
    index = {}
    for f in sorted(W.glob("reports/index_*.jsonl")):
        for line in f.open(encoding="utf-8"):
            if line.strip():
                d = json.loads(line)
                index[d["id"]] = d
    adj = {(r[0], r[1]): r[2:] for r in tsv(W / "labels" / "adjudicated_reports.tsv")}
    with open(W / "reports.jsonl", "w", encoding="utf-8") as corpus, \
            open(W / "reports_gold.jsonl", "w", encoding="utf-8") as gold:
        for path in sorted(W.glob("reports/w*.txt")):
            rid = path.stem
            text = path.read_text(encoding="utf-8")
            meta = index.get(rid, {})
            corpus.write(json.dumps({"id": rid, **{k: v for k, v in meta.items() if k != "id"},
                                     "source": "written for govreport_nlp (fiction)", "text": text},
                                    ensure_ascii=False) + "\n")
            lines = split_lines(text)
            first = {int(r[0]): r[1:] for r in tsv(W / "labels" / "writer" / f"{rid}.tsv")}
            second_rows = tsv(W / "labels" / "blind" / f"{rid}.tsv")
            second = {int(r[0]): r[1:] for r in second_rows} if second_rows else None
            stats["reports"] += 1
            stats["reports_second_pass"] += second is not None
            for ln in lines:
                got = final(first[ln.index], second.get(ln.index) if second else None, adj.get((rid, str(ln.index))),
                            stats)
                if got is None:
                    stats["report_lines_dropped"] += 1
                    continue
                stats["report_lines"] += 1
                gold.write(json.dumps({"doc_id": rid, "start": ln.start, "end": ln.end, **record(*got),
                                       "text": ln.text}, ensure_ascii=False) + "\n")


def build_paragraphs(stats: Counter) -> None:
    adj = {r[0]: r[1:] for r in tsv(W / "labels" / "adjudicated_paragraphs.tsv")}
    blind = {r[0]: r[1:] for f in sorted(W.glob("labels/blind/paragraphs_*.tsv")) for r in tsv(f)}
    with open(W / "paragraphs_gold.jsonl", "w", encoding="utf-8") as out:
        for path in sorted(W.glob("paragraphs/p*.tsv")):
            writer = {r[0]: r[1:] for r in tsv(W / "labels" / "writer" / f"paragraphs_{path.stem}.tsv")}
            for pid, group, text in tsv(path):
                got = final(writer[pid], blind.get(pid), adj.get(pid))
                if got is None:
                    stats["paragraphs_dropped"] += 1
                    continue
                stats["paragraphs"] += 1
                stats["paragraphs_second_pass"] += pid in blind
                out.write(json.dumps({"id": pid, "group": group, "text": text, **record(*got)},
                                     ensure_ascii=False) + "\n")


def build_real(stats: Counter) -> None:
    a = {(r[0], r[1]): r[2:] for f in sorted((DATA / "real" / "labels_a").glob("*.tsv")) for r in tsv(f)}
    b = {(r[0], r[1]): r[2:] for f in sorted((DATA / "real" / "labels_b").glob("*.tsv")) for r in tsv(f)}
    adj = {(r[0], r[1]): r[2:] for r in tsv(DATA / "real" / "adjudicated.tsv")}
    docs = {**corpus_docs("city"), **corpus_docs("national")}
    lines: dict[str, list] = {}
    with open(DATA / "real" / "work_reports_gold.jsonl", "w", encoding="utf-8") as out:
        for key in sorted(a):
            doc_id, idx = key
            if doc_id in RENUMBERED:
                stats["real_dropped_renumbered"] += 1
                continue
            got = final(a[key], b.get(key), adj.get(key))
            if got is None:
                stats["real_dropped"] += 1
                continue
            ln = lines.setdefault(doc_id, split_lines(docs[doc_id]["text"]))[int(idx)]
            stats["real"] += 1
            out.write(json.dumps({"doc_id": doc_id, "start": ln.start, "end": ln.end, **record(*got)},
                                 ensure_ascii=False) + "\n")
    stats["real_documents"] = len(lines)


def main() -> None:
    stats: Counter = Counter()
    build_reports(stats)
    build_paragraphs(stats)
    build_real(stats)
    for k, v in sorted(stats.items()):
        print(f"{k}: {v}")


if __name__ == "__main__":
    main()
