"""Draw the stratified sample of real work-report lines to label (the city and national work reports only).

Strata: corpus (city, national), the section role the structure parser reads
(preamble, review, shortcomings, plans, other) and the line kind (content lines of
25+ characters, and shorter lines: headings, furniture, short body). National
reports before 1978 are left out: their genre differs most from today's reports.
At most ``--per-doc`` lines come from one report so that the sample spans many
governments. Writes ``doc_id<TAB>line_index`` rows, sorted, with a seeded draw.
"""

from __future__ import annotations

import argparse
import random
import re
import sys
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from lines import corpus_docs  # noqa: E402
from govreport_nlp.structure import parse  # noqa: E402

# lines per stratum: (corpus, role, kind) -> n
QUOTA = {
    ("city", "review", "long"): 420, ("city", "plans", "long"): 420, ("city", "admits", "long"): 130,
    ("city", "preamble", "long"): 60, ("city", "other", "long"): 40,
    ("national", "review", "long"): 200, ("national", "plans", "long"): 220,
    ("national", "admits", "long"): 70, ("national", "preamble", "long"): 30, ("national", "other", "long"): 50,
    ("city", "any", "short"): 140, ("national", "any", "short"): 60,
}
# work reports admit problems inside the review section, without a heading of their own: lines with an
# admission word form their own stratum so that the sample holds enough of them (and remedies that look alike)
ADMITS = re.compile(r"清醒|存在|不足|短板|差距|薄弱|有待|不够|困难和问题|问题和困难|挑战")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default="training_data/real/sample.tsv")
    ap.add_argument("--seed", type=int, default=20261202)
    ap.add_argument("--per-doc", type=int, default=14)
    a = ap.parse_args()
    pools: dict[tuple[str, str, str], list[tuple[str, int]]] = defaultdict(list)
    for corpus in ("city", "national"):
        for doc_id, d in corpus_docs(corpus).items():
            if corpus == "national" and int(d.get("year") or 0) < 1978:
                continue
            for p in parse(d["text"]).paragraphs:
                if len(p.text) >= 25 and p.kind == "body":
                    role = p.role if p.role in ("review", "plans", "preamble") else "other"
                    if ADMITS.search(p.text) and p.role != "plans":
                        role = "admits"
                    pools[(corpus, role, "long")].append((doc_id, p.index))
                else:
                    pools[(corpus, "any", "short")].append((doc_id, p.index))
    rng = random.Random(a.seed)
    per_doc: dict[str, int] = defaultdict(int)
    chosen: list[tuple[str, int]] = []
    for key, n in QUOTA.items():
        pool = pools[key][:]
        rng.shuffle(pool)
        got = 0
        for doc_id, idx in pool:
            if got == n:
                break
            if per_doc[doc_id] >= a.per_doc:
                continue
            per_doc[doc_id] += 1
            chosen.append((doc_id, idx))
            got += 1
        print(f"{key}: {got} of {len(pools[key])}", file=sys.stderr)
    chosen.sort()
    with open(a.out, "w", encoding="utf-8") as f:
        f.write("# doc_id\tline_index (a line of govreport_nlp.cleaning.split_lines); drawn by tools/sample_real.py\n")
        for doc_id, idx in chosen:
            f.write(f"{doc_id}\t{idx}\n")
    print(f"{len(chosen)} lines from {len(per_doc)} reports -> {a.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
