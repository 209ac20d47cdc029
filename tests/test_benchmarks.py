"""The benchmark suite runs and reports what docs/performance.md reads from it (speed is not asserted:
timings belong in the benchmarks, not in tests)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from conftest import CORPUS, ROOT, corpus_path


@pytest.mark.slow
def test_quick_benchmark_run_reports_every_figure() -> None:
    corpus_path("seeds.jsonl")
    res = subprocess.run([sys.executable, "-m", "benchmarks", "--quick", "--corpus", str(CORPUS)], cwd=ROOT,
                         capture_output=True, text=True, timeout=600)
    assert res.returncode == 0, res.stderr[-2000:]
    summary = json.loads(res.stdout)
    assert summary["quick"] is True
    assert summary["machine"]["cores"] >= 1 and summary["machine"]["versions"]["govreport-nlp"]
    results = summary["results"]
    assert set(results) == {"processes", "throughput", "cold_start", "jobs"}
    proc = results["processes"]
    assert set(proc["median_seconds"]) == {"jieba.lcut", "rjieba.cut", "classify", "classify --jobs 1",
                                            "classify --jobs 2"}
    assert proc["workload"]["file"] == "seeds.jsonl" and proc["repetitions"] == 1
    assert all(t > 0 for ts in proc["all_seconds"].values() for t in ts)
    assert all(0 < r < float("inf") for r in proc["throughput_vs_jieba_lcut"].values())
    run = results["throughput"]["runs"][0]
    assert run["workload"]["documents"] == 5 and run["workload"]["characters"] > 10_000
    assert all(0 < v < float("inf") for v in run["throughput_vs_jieba_lcut"].values())
    assert set(run["median_seconds"]) == {"jieba.lcut", "classify", "classify, no reasons", "parse", "rjieba.cut"}
    cold = results["cold_start"]["median_seconds"]
    assert set(cold) == {"govreport-nlp classify", "python -c pass", "govreport-nlp classify, no lookup cache",
                         "govreport-nlp classify, empty cache", "govreport-nlp classify, cache of single reports"}
    assert all(0 < t < float("inf") for t in cold.values())
    jobs = results["jobs"]["runs"][0]
    assert jobs["speedup"] > 0 and jobs["peak_mib"]["--jobs 1"] > 50 and jobs["peak_mib"]["--jobs 2 worker"] > 50


def test_benchmark_options_are_checked() -> None:
    res = subprocess.run([sys.executable, "-m", "benchmarks", "--only", "nonsense"], cwd=ROOT, capture_output=True,
                         text=True, timeout=60)
    assert res.returncode == 2 and "unknown benchmark" in res.stderr
