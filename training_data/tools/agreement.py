"""Agreement between two label passes of the written paragraphs or reports, and their disagreements.

Usage::

    python training_data/tools/agreement.py paragraphs   # writer vs blind labels of written/paragraphs
    python training_data/tools/agreement.py reports      # writer vs blind labels of written/reports
    python training_data/tools/agreement.py real         # the two passes of real/labels_a and real/labels_b

Prints raw agreement and Cohen's kappa for the function and the primary topic, and writes the rows
where they differ to ``<folder>/disagreements_<what>.tsv`` for adjudication.
"""

from __future__ import annotations

import glob
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "training_data"


def kappa(pairs: list[tuple[str, str]]) -> float:
    n = len(pairs)
    po = sum(a == b for a, b in pairs) / n
    ca, cb = Counter(a for a, _ in pairs), Counter(b for _, b in pairs)
    pe = sum(ca[k] * cb[k] for k in ca) / (n * n)
    return (po - pe) / (1 - pe) if pe < 1 else 1.0


def rows(pattern: str, key_cols: int) -> dict[tuple[str, ...], list[str]]:
    out: dict[tuple[str, ...], list[str]] = {}
    for f in sorted(glob.glob(str(pattern))):
        for line in open(f, encoding="utf-8"):
            if not line.strip() or line.startswith("#"):
                continue
            r = line.rstrip("\n").split("\t")
            # a report's label file is named after the report; its rows are keyed by line index
            per_report = not Path(f).stem.startswith(("paragraphs_", "part"))
            key = ((Path(f).stem,) if per_report else ()) + tuple(r[:key_cols])
            out[key] = r[key_cols:]
    return out


def main() -> None:
    what = sys.argv[1]
    if what == "paragraphs":
        a = rows(DATA / "written/labels/writer/paragraphs_*.tsv", 1)
        b = rows(DATA / "written/labels/blind/paragraphs_*.tsv", 1)
        out = DATA / "written/labels/disagreements_paragraphs.tsv"
    elif what == "reports":
        a = rows(DATA / "written/labels/writer/w[ab]-*.tsv", 1)
        b = rows(DATA / "written/labels/blind/w[ab]-*.tsv", 1)
        out = DATA / "written/labels/disagreements_reports.tsv"
    else:
        a = rows(DATA / "real/labels_a/*.tsv", 2)
        b = rows(DATA / "real/labels_b/*.tsv", 2)
        out = DATA / "real/disagreements.tsv"
    keys = sorted(set(a) & set(b))
    print(f"{what}: {len(keys)} rows labelled twice ({len(set(a) ^ set(b))} in one pass only)")
    f_pairs = [(a[k][0], b[k][0]) for k in keys]
    t_pairs = [(a[k][1].split(",")[0], b[k][1].split(",")[0]) for k in keys]
    for name, pairs in (("function", f_pairs), ("primary topic", t_pairs)):
        agree = sum(x == y for x, y in pairs) / len(pairs)
        print(f"  {name}: agreement {agree:.3f}, Cohen's kappa {kappa(pairs):.3f}")
    diff = [k for k in keys if a[k][0] != b[k][0] or a[k][1].split(",")[0] != b[k][1].split(",")[0]]
    with open(out, "w", encoding="utf-8") as fh:
        fh.write("# key\tfunction_1\ttopics_1\tfunction_2\ttopics_2 (pass 1: writer or A; pass 2: blind or B)\n")
        for k in diff:
            fh.write("\t".join(list(k) + a[k][:2] + b[k][:2]) + "\n")
    print(f"  {len(diff)} rows differ -> {out.relative_to(ROOT)}")
    print("  most common function confusions:", Counter((x, y) for x, y in f_pairs if x != y).most_common(6))


if __name__ == "__main__":
    main()
