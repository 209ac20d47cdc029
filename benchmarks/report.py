"""Render a benchmark summary as the markdown tables of docs/performance.md.

    python -m benchmarks.report benchmarks/results/2026-11-24.json
"""

from __future__ import annotations

import json
import sys
from typing import Any


def _mb(x: float) -> str:
    return f"{x:,.0f} MiB"


def markdown(summary: dict[str, Any]) -> str:
    m = summary["machine"]
    # distribution names; summaries from before they were recorded use module names
    v = {k.replace("_", "-").replace("sklearn", "scikit-learn"): x for k, x in m["versions"].items()}
    out = [f"Machine: {m['cpu']}, {m['cores']} cores, {m['memory_gib']} GiB, {m['platform']}, Python "
           f"{m['python']}; govreport-nlp {v.get('govreport-nlp')}, numpy {v.get('numpy')}, scikit-learn "
           f"{v.get('scikit-learn')}, jieba {v.get('jieba')}, rjieba {v.get('rjieba')}. Run of {m['date']}"
           + (f" on commit {m['commit']}" if m.get("commit") else "")
           + f", {summary['seconds']:.0f} s in all.", ""]
    r = summary["results"]
    rows = []
    if "processes" in r:
        pr = r["processes"]
        ratio, spread = pr["throughput_vs_jieba_lcut"], pr["ratio_range"]
        shown = [k for k in ("classify", "classify --jobs 1", "classify --jobs 2") if k in ratio]
        for k in shown:
            what = " (default `--jobs auto`)" if k == "classify" and "classify --jobs 1" in ratio else ""
            rows.append((f"`govreport-nlp {k}`{what} vs a `jieba.lcut` script, whole processes, "
                         f"{pr['workload']['file']}", "≥ 3.0×",
                         f"{ratio[k]:.2f}× (runs {spread[k][0]:.2f}–{spread[k][1]:.2f}×; "
                         f"{pr['median_seconds'][k]:.2f} s vs {pr['median_seconds']['jieba.lcut']:.2f} s)"))
    if "throughput" in r:
        t = r["throughput"]["runs"][0]
        rows.append(("in-process `classify` throughput vs `jieba.lcut`, work reports",
                     "not lower than the tree of 2026-11-24 (1.18× in a paired run)",
                     f"{t['throughput_vs_jieba_lcut']['classify']:.2f}× ({t['median_seconds']['classify']:.2f} s vs "
                     f"{t['median_seconds']['jieba.lcut']:.2f} s)"))
    if "cold_start" in r:
        c = r["cold_start"]["median_seconds"]
        nocache = c.get("govreport-nlp classify, no lookup cache")
        empty = c.get("govreport-nlp classify, empty cache")
        single = c.get("govreport-nlp classify, cache of single reports")
        rows.append(("cold start, `govreport-nlp classify` one short report", "≤ 1.0 s",
                     f"{c['govreport-nlp classify']:.2f} s (floor `python -c pass`: {c['python -c pass']:.3f} s"
                     + (f"; cache of single reports only: {single:.2f} s" if single else "")
                     + (f"; cache off: {nocache:.2f} s" if nocache else "")
                     + (f"; first run, empty cache: {empty:.2f} s" if empty else "") + ")"))
    if "jobs" in r:
        j = r["jobs"]["runs"][0]
        after = j.get("speedup_after_start")
        rows.append(("`--jobs 2` vs `--jobs 1`, full corpus", "≥ 1.8× after start-up",
                     f"{j['speedup']:.2f}× wall time ({j['median_seconds']['--jobs 1']:.2f} s vs "
                     f"{j['median_seconds']['--jobs 2']:.2f} s)" + (f"; {after:.2f}× after start-up" if after else "")))
        p = j["peak_mib"]
        rows.append(("peak memory, classifying the full corpus", "≤ 300 MB",
                     f"{_mb(p['--jobs 1'])} (`--jobs 2`: main {_mb(p['--jobs 2 main'])}, each worker ≤ "
                     f"{_mb(p['--jobs 2 worker'])})"))
    if "training" in r:
        tr = r["training"]["runs"][0]
        rows.append(("training the default recipe from scratch", "≤ 120 s", f"{tr['median_seconds']:.1f} s"))
    out += ["| figure | bar | measured (median) |", "|---|---|---|"]
    out += [f"| {a} | {b} | {c} |" for a, b, c in rows]
    out.append("")
    if "throughput" in r:
        out += ["In-process throughput (characters per second; ratio to `jieba.lcut` in the same run):", "",
                "| workload | repetitions | `jieba.lcut` | `classify` | `classify`, no reasons | `parse` | `rjieba.cut` |",
                "|---|---|---|---|---|---|---|"]
        for t in r["throughput"]["runs"]:
            w = t["workload"]
            cells = [f"{t['chars_per_second'][k]:,} ({t['throughput_vs_jieba_lcut'][k]:.2f}×)"
                     for k in ("jieba.lcut", "classify", "classify, no reasons", "parse", "rjieba.cut")]
            out.append(f"| {w['name']} ({w['characters']:,} chars) | {t['repetitions']} | " + " | ".join(cells) + " |")
        out.append("")
    if "processes" in r:
        pr = r["processes"]
        names = list(pr["median_seconds"])
        out += [f"Whole processes over {pr['workload']['file']} ({pr['workload']['characters']:,} characters), "
                f"{pr['repetitions']} interleaved repetitions: median seconds (range), and throughput against the "
                "`jieba.lcut` script of the same repetition (median, range):", "",
                "| contender | seconds | vs `jieba.lcut` |", "|---|---|---|"]
        for k in names:
            lo, hi = pr["range_seconds"][k]
            rlo, rhi = pr["ratio_range"][k]
            out.append(f"| `{k}` | {pr['median_seconds'][k]:.2f} ({lo:.2f}–{hi:.2f}) | "
                       f"{pr['throughput_vs_jieba_lcut'][k]:.2f}× ({rlo:.2f}–{rhi:.2f}×) |")
        out.append("")
    if "jobs" in r:
        out += ["The command line over the corpus, output to `/dev/null`:", "",
                "| workload | repetitions | `--jobs 1` | `--jobs 2` | speedup | after start-up | peak, `--jobs 1` | "
                "peak, `--jobs 2` main / worker |", "|---|---|---|---|---|---|---|---|"]
        for j in r["jobs"]["runs"]:
            w, s, p = j["workload"], j["median_seconds"], j["peak_mib"]
            after = j.get("speedup_after_start")
            out.append(f"| {w['name']} | {j['repetitions']} | {s['--jobs 1']:.2f} s | {s['--jobs 2']:.2f} s | "
                       f"{j['speedup']:.2f}× | {f'{after:.2f}×' if after else '–'} | {_mb(p['--jobs 1'])} | "
                       f"{_mb(p['--jobs 2 main'])} / {_mb(p['--jobs 2 worker'])} |")
        out.append("")
    if "training" in r:
        out += ["Training the default recipe (`train --recipe default --no-eval`, a fresh process):", "",
                "| corpus | repetitions | seconds |", "|---|---|---|"]
        for tr in r["training"]["runs"]:
            out.append(f"| {tr['workload']['name']} | {tr['repetitions']} | {tr['median_seconds']:.1f} |")
        out.append("")
    if "cold_start" in r:
        runs = r["cold_start"]["all_seconds"]["govreport-nlp classify"]
        out.append(f"Cold start, every run: {', '.join(f'{x:.2f}' for x in runs)} s.")
    return "\n".join(out)


if __name__ == "__main__":
    with open(sys.argv[1], encoding="utf-8") as fh:
        print(markdown(json.load(fh)))
