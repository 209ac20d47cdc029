"""Writes explore.ipynb from the cells below (edit here, run this, commit both).

Keeping the notebook's source as a script makes its diffs readable; CI executes
the .ipynb itself (tests/test_notebook.py).
"""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

CELLS: list[tuple[str, str]] = [
    ("md", """# Exploring government reports with govreport_nlp

This notebook runs top to bottom on the real corpus in `../shared/corpus/` (set `GOVREPORT_CORPUS` to point
elsewhere). Without it, every step falls back to the bundled example report, a fictional county report written
for this project, so a newcomer can still see each step work.

1. classify a report and see it rendered
2. compare label shares across cities and years in a chart
3. pull out every *shortcomings* paragraph of a corpus into a table
4. inspect why a paragraph got its label
5. retrain with a new label, and evaluate it

Every step is one or two calls of the Python API; nothing here is special to notebooks."""),
    ("code", """import os
from pathlib import Path

import pandas as pd
import govreport_nlp as gr

REPO = Path.cwd().parent if (Path.cwd().parent / "examples").is_dir() else Path.cwd()
CORPUS = Path(os.environ.get("GOVREPORT_CORPUS", REPO.parent / "shared" / "corpus"))
EXAMPLE = REPO / "examples" / "qinghe_county_2024.txt"
HAVE_CORPUS = (CORPUS / "seeds.jsonl").is_file()
print("corpus:", CORPUS if HAVE_CORPUS else "not found; using the bundled example")
model = gr.load_model()
model"""),
    ("md", """## 1. Classify a report and see it rendered

`classify_report` reads a file (any common encoding, text or HTML), a JSONL record, or text; it recovers the
report's structure and gives every paragraph a label, a confidence and its reasons. In a notebook the report
shows itself: headings indented, each paragraph on the colour of its label (hover for the reasons), page
clutter greyed out."""),
    ("code", """if HAVE_CORPUS:
    doc = next(iter(gr.iter_jsonl(CORPUS / "seeds.jsonl")))   # a rule-of-law government construction report
    report = model.classify_report(doc)
else:
    report = model.classify_report(EXAMPLE)
print(report.id, "|", report.metadata.title, "|", len(report.body), "body paragraphs")
print([(s.role, s.heading.title if s.heading else None) for s in report.sections])
report"""),
    ("md", """## 2. Label shares across cities and years

`classify_many` streams a whole corpus (a JSONL file of reports here) and `label_shares` turns the classified
reports into each group's share of each label, weighted by characters: how much of the text goes where.
Work reports are not rule-of-law reports, so most of their text is `other`; the rule-of-law categories are
the interesting slivers."""),
    ("code", """def classified(name):
    path = CORPUS / name
    if not HAVE_CORPUS:
        return [report]
    return [r for r in gr.classify_many([path], model) if isinstance(r, gr.Report)]   # Failures are skipped

city = classified("work_reports_city.jsonl")
national = classified("work_reports_national.jsonl")
print(len(city), "city reports,", len(national), "national reports")

by_city = gr.label_shares(city, by="region" if HAVE_CORPUS else "id", weight="chars")
table = pd.DataFrame(by_city).T.fillna(0)
table.sort_values("dispute", ascending=False).head(10).round(3)"""),
    ("code", """# the 20 cities that give dispute resolution the most space
top = table.sort_values("dispute", ascending=False).head(20).index
ax = gr.plot_label_shares({c: by_city[c] for c in top}, labels=list(model.label_set.labels), weight="chars",
                          title="share of each city's work report (characters)")"""),
    ("code", """def decade(r):
    year = r.metadata.extra.get("year")
    return f"{year // 10 * 10}s" if year else r.id

by_decade = gr.label_shares(national, by=decade, weight="chars", labels=list(model.label_set.labels))
ax = gr.plot_label_shares(by_decade, labels=list(model.label_set.labels), weight="chars",
                          title="national government work reports by decade (characters)")"""),
    ("md", """## 3. Every *shortcomings* paragraph in a table

`paragraph_table` gives body paragraphs as flat records (with the metadata fields asked for), ready for
pandas. Here: what the cities admit to."""),
    ("code", """rows = gr.paragraph_table(city, label="shortcomings", fields=("region", "year"))
short = pd.DataFrame(rows)
print(len(short), "shortcomings paragraphs in", short["doc"].nunique() if len(short) else 0, "reports")
short[["doc", "region", "score", "heading", "text"]].head(10)"""),
    ("md", """## 4. Why did a paragraph get its label?

Each prediction carries its reasons; `model.explain` gives both heads' decisions (function: what the paragraph
does; topic: what it is about) with the words and context features behind them."""),
    ("code", """best = max((p for r in city for p in r.body if p.prediction and p.prediction.label == "shortcomings"),
           key=lambda p: p.prediction.score, default=None) or report.body[0]
print(best.text[:120])
best.prediction"""),
    ("code", """why = model.explain(best)
print(why)
why"""),
    ("md", """## 5. Retrain with a new label, and evaluate

Suppose your question needs a category the default labels fold into others: **supervision** (监督: oversight
of administrative power, by people's congresses, audits, complaints and the public). The gold paragraphs carry
a topic axis; those whose primary topic is supervision get the new label, the rest keep theirs. `evaluate`
cross-validates with whole documents held out (never a paragraph of a test report in training), next to a
TF-IDF baseline, and `plot_confusion_matrix` shows where it errs.

Without the corpus there are no gold labels: the example's paragraphs are labelled with the default model's
own predictions, grouped by section, so the scores below only show the mechanics."""),
    ("code", """from dataclasses import replace

if HAVE_CORPUS:
    gold = gr.read_labelled_jsonl(CORPUS / "seeds_gold.jsonl", reports=CORPUS / "seeds.jsonl", axes=["topics"])
    labels = ["supervision" if t == "supervision" else lab for lab, t in zip(gold.labels["label"], gold.labels["topic"])]
else:
    from govreport_nlp.features import report_inputs
    inputs = [x for x, p in zip(report_inputs(report), report.paragraphs) if p.kind == "body"]
    body = report.body
    labels = ["supervision" if "监督" in p.text else p.prediction.label for p in body]
    gold = gr.LabelledData(inputs, {"label": labels}, [f"section{p.section}" for p in body])
data = gr.LabelledData(gold.inputs, {"label": labels}, gold.groups)
pd.Series(labels).value_counts()"""),
    ("code", """result = gr.evaluate(data, folds=min(5, len(set(data.groups))))
print(gr.format_report(result).split("confusion")[0])
ax = gr.plot_confusion_matrix(result)"""),
    ("code", """mine = gr.train(data)
import tempfile
mine.save(Path(tempfile.gettempdir()) / "supervision-model")   # a directory: JSON + arrays, no pickle
again = mine.classify_report(EXAMPLE)   # the bundled example, read by the new model
pd.DataFrame([(p.prediction.label, round(p.prediction.score, 2), p.text[:40]) for p in again.body],
             columns=["label", "score", "text"])"""),
    ("md", """That is the whole loop: read, structure, classify, summarise, explain, retrain, evaluate. The same calls
run outside notebooks (`govreport-nlp classify`, `train`, `evaluate`); see `docs/`."""),
]


def build() -> nbformat.NotebookNode:
    nb = new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    nb.cells = [new_markdown_cell(src) if kind == "md" else new_code_cell(src) for kind, src in CELLS]
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"cell-{i:02d}"  # stable ids: no churn in diffs
    return nb


if __name__ == "__main__":
    out = Path(__file__).with_name("explore.ipynb")
    nbformat.write(build(), out)
    print("wrote", out)
