"""Run every benchmark and print one JSON summary: ``python -m benchmarks`` from the repository root.

See docs/performance.md for what each one measures and the figures of the
last full run. Progress goes to stderr; the summary to stdout (and ``--out``).

    python -m benchmarks                     # everything, full corpus, 1x 2x 4x
    python -m benchmarks --only throughput   # one benchmark
    python -m benchmarks --quick             # seconds: the seed reports, one repetition, no scaling
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

from . import bench_cli, bench_processes, bench_throughput, bench_training
from .common import WORK_REPORTS, corpus_dir, load_workload, machine, scaled_workload, temp_dir

BENCHMARKS = ("processes", "throughput", "cold_start", "jobs", "training")


def _log(msg: str) -> None:
    print(f"bench: {msg}", file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", help="corpus directory (default: $GOVREPORT_CORPUS or ../shared/corpus)")
    ap.add_argument("--only", help=f"comma-separated subset of: {', '.join(BENCHMARKS)}")
    ap.add_argument("--repeat", type=int, default=3, help="repetitions at 1x (medians are reported)")
    ap.add_argument("--scales", default="1,2,4", help="corpus sizes to run, as multiples of the work reports")
    ap.add_argument("--quick", action="store_true",
                    help="smoke run: the five seed reports, one repetition, no scaling, no training")
    ap.add_argument("--out", help="also write the summary to this file")
    args = ap.parse_args(argv)

    chosen = [b.strip() for b in (args.only or ",".join(BENCHMARKS)).split(",") if b.strip()]
    unknown = sorted(set(chosen) - set(BENCHMARKS))
    if unknown:
        ap.error(f"unknown benchmark(s): {', '.join(unknown)}")
    corpus = corpus_dir(args.corpus)
    if args.quick:
        base = load_workload("seed reports", [corpus / "seeds.jsonl"])
        scales, repeat = [1], 1
        chosen = [b for b in chosen if b != "training"]
    else:
        base = load_workload("work reports", [corpus / f for f in WORK_REPORTS])
        scales, repeat = [int(s) for s in args.scales.split(",")], max(1, args.repeat)

    started = time.time()
    summary: dict[str, Any] = {"machine": machine(), "quick": args.quick, "results": {}}
    with temp_dir() as tmp:
        workloads = [scaled_workload(base, k, Path(tmp)) for k in scales]
        res = summary["results"]
        if "processes" in chosen:
            # the measure: whole processes over the city work reports (the seeds when quick)
            path = corpus / ("seeds.jsonl" if args.quick else "work_reports_city.jsonl")
            w = load_workload(path.stem, [path])
            _log(f"whole processes on {path.name} ({w.chars:,} characters), {max(repeat, 5) if not args.quick else 1}"
                 " repetition(s)")
            res["processes"] = bench_processes.run(path, path.stem, w.chars, max(repeat, 5) if not args.quick else 1,
                                                   _log)
        if "throughput" in chosen:
            res["throughput"] = bench_throughput.run(workloads, repeat, _log)
        if "cold_start" in chosen:
            res["cold_start"] = bench_cli.cold_start(max(9, repeat) if not args.quick else 2, _log,
                                                     str(corpus / ("seeds.jsonl" if args.quick else WORK_REPORTS[0])))
        if "jobs" in chosen:
            start = res.get("cold_start", {}).get("median_seconds", {}).get("govreport-nlp classify")
            res["jobs"] = bench_cli.jobs(workloads, repeat, _log, start_seconds=start)
        if "training" in chosen:
            res["training"] = bench_training.run(corpus, workloads, 1, _log)
    summary["seconds"] = round(time.time() - started, 1)
    text = json.dumps(summary, ensure_ascii=False, indent=1)
    print(text)
    if args.out:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
