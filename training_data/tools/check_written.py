"""Check the written training data: labels valid and complete, wording varied, nothing copied.

Usage::

    python training_data/tools/check_written.py            # everything under training_data/written
    python training_data/tools/check_written.py --only wa  # files whose id starts with wa

Reports, for each written file set:

* label rows: one per line (reports) or per paragraph, with valid function and topic names;
* variety: distinct word 4-grams per 1,000 characters (jieba words);
* repetition: every 20-character run that occurs in two different paragraphs (reports:
  in two different reports), apart from runs made of fixed genre terms;
* copying: every 20-character run shared with the real reports the project may read
  (``CORPUS_FILES`` in ../shared/corpus: the seeds and the work reports).

Exit status 1 when a check fails.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
from govreport_nlp.cleaning import split_lines  # noqa: E402

WRITTEN = ROOT / "training_data" / "written"
# the corpus files the project reads; nothing else under ../shared/corpus is opened
CORPUS_FILES = ("seeds.jsonl", "work_reports_city.jsonl", "work_reports_national.jsonl")
CORPUS = Path(os.environ.get("GOVREPORT_CORPUS", ROOT.parent / "shared" / "corpus"))
FUNCTIONS = {"meta", "preamble", "review", "shortcoming", "plan", "closing"}
TOPICS = {"leadership", "deregulation", "enforcement", "dispute", "legal_service", "legislation", "decision",
          "supervision", "publicity", "governance", "emergency", "digital", "integrity", "general", "non_legal"}
RUN = 20
# fixed names of the genre may repeat verbatim: a run inside one of them is not a repeat
FIXED = ("法治政府建设实施纲要（2015—2020年）", "法治政府建设实施纲要（2021—2025年）", "全面推进依法行政实施纲要",
         "习近平新时代中国特色社会主义思想", "党政主要负责人履行推进法治建设第一责任人职责",
         "扫一扫在手机上查看当前页面", "党的二十大精神", "习近平法治思想")


def runs(text: str, n: int = RUN) -> set[str]:
    compact = "".join(text.split())
    out = set()
    for i in range(len(compact) - n + 1):
        r = compact[i:i + n]
        if not any(r in f for f in FIXED):
            out.add(r)
    return out


def read_tsv(path: Path) -> list[list[str]]:
    return [r.rstrip("\n").split("\t") for r in path.open(encoding="utf-8") if r.strip() and not r.startswith("#")]


def check_labels(rows: list[list[str]], where: str, problems: list[str], fcol: int = 1) -> None:
    for r in rows:
        if len(r) <= fcol + 1:
            problems.append(f"{where}: short row {r!r}")
            continue
        f, topics = r[fcol], [t.strip() for t in r[fcol + 1].split(",") if t.strip()]
        if f not in FUNCTIONS:
            problems.append(f"{where}: {r[0]}: function {f!r}")
        bad = [t for t in topics if t not in TOPICS]
        if bad or not topics:
            problems.append(f"{where}: {r[0]}: topics {r[fcol + 1]!r}")


def four_grams_per_k(texts: list[str]) -> float:
    import jieba

    jieba.setLogLevel(60)
    grams, chars = set(), 0
    for t in texts:
        w = [x for x in jieba.lcut(t) if x.strip()]
        grams.update(tuple(w[i:i + 4]) for i in range(len(w) - 3))
        chars += len(t)
    return 1000 * len(grams) / max(chars, 1)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--only", default="")
    ap.add_argument("--no-corpus", action="store_true", help="skip the copy check against ../shared/corpus")
    ap.add_argument("--labels", default="writer", help="label folder under written/labels to check")
    a = ap.parse_args()
    problems: list[str] = []
    units: dict[str, str] = {}  # unit id -> text (a report or a paragraph)
    # reports
    for path in sorted((WRITTEN / "reports").glob(f"{a.only}*.txt")):
        rid = path.stem
        text = path.read_text(encoding="utf-8")
        units[rid] = text
        lab = WRITTEN / "labels" / a.labels / f"{rid}.tsv"
        if not lab.exists():
            problems.append(f"{rid}: no {a.labels} labels")
            continue
        rows = read_tsv(lab)
        check_labels(rows, lab.name, problems)
        want = {str(ln.index) for ln in split_lines(text)}
        got = [r[0] for r in rows]
        if set(got) != want or len(got) != len(want):
            problems.append(f"{rid}: labels cover lines {len(set(got) & want)}/{len(want)}, extra {sorted(set(got) - want)[:5]}")
    # paragraphs
    for path in sorted((WRITTEN / "paragraphs").glob(f"{a.only}*.tsv")):
        rows = read_tsv(path)
        ids = set()
        for r in rows:
            if len(r) != 3 or not r[2].strip():
                problems.append(f"{path.name}: bad row {r[:2]!r}")
                continue
            ids.add(r[0])
            units[r[0]] = r[2]
        lab = WRITTEN / "labels" / a.labels / f"paragraphs_{path.stem}.tsv"
        if lab.exists():
            lrows = read_tsv(lab)
            check_labels(lrows, lab.name, problems)
            lids = {r[0] for r in lrows}
            if lids != ids:
                problems.append(f"{lab.name}: {len(ids - lids)} paragraphs unlabelled, {len(lids - ids)} unknown ids")
        else:
            problems.append(f"{path.name}: no {a.labels} labels")
    if not units:
        print("nothing to check")
        return 1
    # repetition across units
    seen: dict[str, str] = {}
    repeats: dict[tuple[str, str], str] = {}
    for uid, text in units.items():
        for r in runs(text):
            other = seen.setdefault(r, uid)
            if other != uid:
                repeats.setdefault((other, uid), r)
    for (u1, u2), r in list(repeats.items())[:40]:
        problems.append(f"repeated 20-character run in {u1} and {u2}: {r}")
    if len(repeats) > 40:
        problems.append(f"... {len(repeats) - 40} more pairs with a repeated run")
    # copying from the real corpus
    if not a.no_corpus and CORPUS.exists():
        mine = {r: uid for uid, text in units.items() for r in runs(text)}
        hits = 0
        for f in (CORPUS / name for name in CORPUS_FILES):
            for line in f.open(encoding="utf-8"):
                d = json.loads(line)
                t = d.get("text", "")
                for r in runs(t):
                    if r in mine:
                        hits += 1
                        if hits <= 20:
                            problems.append(f"{mine[r]} shares a 20-character run with {f.name}:{d.get('id', d.get('doc_id'))}: {r}")
        if hits > 20:
            problems.append(f"... {hits - 20} more runs shared with the corpus")
    texts = list(units.values())
    chars = sum(map(len, texts))
    print(f"{len(units)} units, {chars} characters, {four_grams_per_k(texts):.0f} distinct word 4-grams per 1,000 characters")
    for p in problems:
        print("PROBLEM", p)
    print("ok" if not problems else f"{len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
