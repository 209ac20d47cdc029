"""Print a report's lines as the library numbers them, for labelling by line.

Usage::

    python training_data/tools/lines.py FILE.txt            # a written report
    python training_data/tools/lines.py --corpus city ID    # a report of ../shared/corpus by id
    python training_data/tools/lines.py --sample real/sample.tsv --part 1 --of 4

Each output line is ``index<TAB>text``; ``index`` is the position of the line among
the report's non-blank lines (``govreport_nlp.cleaning.split_lines``), the key the
label files use. Labels point into the text by index; the build script turns them
into ``start``/``end`` offsets.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from govreport_nlp.cleaning import split_lines  # noqa: E402

CORPUS = Path(os.environ.get("GOVREPORT_CORPUS", Path(__file__).resolve().parents[3] / "shared" / "corpus"))
FILES = {"city": "work_reports_city.jsonl", "national": "work_reports_national.jsonl", "seeds": "seeds.jsonl"}


def corpus_docs(name: str) -> dict[str, dict]:
    with open(CORPUS / FILES[name], encoding="utf-8") as f:
        return {d["id"]: d for d in map(json.loads, f)}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("path", nargs="?")
    ap.add_argument("--corpus", choices=sorted(FILES))
    ap.add_argument("--sample")
    ap.add_argument("--part", type=int, default=1)
    ap.add_argument("--of", type=int, default=1)
    ap.add_argument("--context", type=int, default=0, help="with --sample: lines of context shown before each")
    a = ap.parse_args()
    if a.sample:
        from govreport_nlp.structure import parse

        rows = [r.rstrip("\n").split("\t") for r in open(a.sample, encoding="utf-8") if not r.startswith("#")]
        # parts are whole reports (every k-th report), so a labeller sees each report's lines together
        doc_order = sorted({r[0] for r in rows})
        part_of = {d: k % a.of for k, d in enumerate(doc_order)}
        rows = [r for r in rows if part_of[r[0]] == a.part - 1]
        docs = {**corpus_docs("city"), **corpus_docs("national")}
        parsed: dict[str, object] = {}
        for doc_id, idx in ((r[0], int(r[1])) for r in rows):
            if doc_id not in parsed:
                parsed[doc_id] = parse(docs[doc_id]["text"])
                print(f"\n=== {doc_id}  ({len(parsed[doc_id].paragraphs)} lines)")
            paras = parsed[doc_id].paragraphs
            p = paras[idx]
            chain = " > ".join(p.headings) if p.headings else "(no heading above)"
            print(f"  [headings above: {chain[:160]}]")
            for j in range(max(0, idx - max(a.context, 1)), idx):
                print(f"  (line {j}) {paras[j].text[:100]}")
            print(f"{doc_id}\t{idx}\t{p.text}")
        return
    if a.corpus:
        text = corpus_docs(a.corpus)[a.path]["text"]
    else:
        text = Path(a.path).read_text(encoding="utf-8")
    for ln in split_lines(text):
        print(f"{ln.index}\t{ln.text}")


if __name__ == "__main__":
    main()
