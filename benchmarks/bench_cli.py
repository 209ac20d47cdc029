"""The command line as users run it: cold start, ``--jobs``, and peak memory.

* cold start: ``govreport-nlp classify`` on the bundled one-page example, from a
  fresh process each time (interpreter start, import, model load, prediction),
  with ``python -c pass`` timed alongside as the floor any Python tool pays, and
  the same command in each state of the per-user cache: holding both entries
  (the default contender: the cache directory after a run over a corpus, which
  this benchmark makes first; with ``--quick`` that run is over the seeds, too
  short to build the lookup tables), holding only the model's entry (a cache that has
  only ever seen single reports: the lookup tables are never built for them),
  empty each time (the first run after installing or after changing the model,
  a fresh CI machine: it writes the model's entry), and switched off
  (``GOVREPORT_NLP_LOOKUP_CACHE=0``: every run loads the model from its zip);
* jobs: ``govreport-nlp classify CORPUS --jobs 1`` and ``--jobs 2`` over the same
  JSONL corpus, output discarded, interleaved; the ratio is of their wall times;
* memory: the peak resident memory of those same runs (the main process, and
  the largest worker under ``--jobs 2``), read from ``getrusage``.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from typing import Any, Callable

from .common import ROOT, Workload, cli_command, median, run_cli


def cold_start(repeat: int, log: Callable[[str], None], corpus: str | None = None) -> dict[str, Any]:
    """``corpus``: a JSONL file classified once first, so that the default cache holds both entries."""
    example = str(ROOT / "examples" / "qinghe_county_2024.txt")
    cmd = [*cli_command(), "classify", example]
    floor = [sys.executable, "-c", "pass"]
    subprocess.run(cmd, stdout=subprocess.DEVNULL, check=True)  # first run fills OS caches (and jieba's, if used)
    if corpus is not None:  # builds the lookup tables (and keeps them), as any run over many reports does
        subprocess.run([*cli_command(), "classify", corpus, "--no-progress"], stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, check=True)
    uncached = {**os.environ, "GOVREPORT_NLP_LOOKUP_CACHE": "0"}
    contenders = (("govreport-nlp classify", cmd, None), ("python -c pass", floor, None),
                  ("govreport-nlp classify, cache of single reports", cmd, "single"),
                  ("govreport-nlp classify, no lookup cache", cmd, uncached),
                  ("govreport-nlp classify, empty cache", cmd, "empty"))
    times: dict[str, list[float]] = {name: [] for name, _, _ in contenders}
    with tempfile.TemporaryDirectory(prefix="govreport-bench-cache-") as single:
        single_env = {**os.environ, "GOVREPORT_NLP_CACHE": single}
        subprocess.run(cmd, stdout=subprocess.DEVNULL, check=True, env=single_env)  # the model's entry only
        for r in range(repeat):
            for name, c, env in contenders:
                with tempfile.TemporaryDirectory(prefix="govreport-bench-cache-") as empty:
                    run_env = ({**os.environ, "GOVREPORT_NLP_CACHE": empty} if env == "empty"
                               else single_env if env == "single" else env)
                    start = time.perf_counter()
                    subprocess.run(c, stdout=subprocess.DEVNULL, check=True, env=run_env)
                    times[name].append(time.perf_counter() - start)
            log(f"  cold start {times['govreport-nlp classify'][-1]:.2f}s (repetition {r + 1}/{repeat})")
    return {"command": "govreport-nlp classify examples/qinghe_county_2024.txt", "repetitions": repeat,
            "median_seconds": {k: round(median(v), 3) for k, v in times.items()},
            "all_seconds": {k: [round(x, 3) for x in v] for k, v in times.items()}}


def jobs(workloads: list[Workload], repeat: int, log: Callable[[str], None], n_jobs: int = 2,
         start_seconds: float | None = None) -> dict[str, Any]:
    """``start_seconds``: the cold start measured in the same run; with it, the speedup of the work after
    start-up is reported too (start-up is paid once per command, whatever --jobs)."""
    out = []
    for i, w in enumerate(workloads):
        reps = repeat if i == 0 else 1
        log(f"--jobs 1 vs --jobs {n_jobs} on {w.name} ({w.chars:,} characters), {reps} repetition(s)")
        files = [str(f) for f in w.files]
        runs: dict[str, list[dict[str, Any]]] = {"1": [], str(n_jobs): []}
        for r in range(reps):
            for j in ("1", str(n_jobs)):
                res = run_cli(["classify", *files, "--jobs", j, "--no-progress"], peak=True)
                runs[j].append(res)
                log(f"  --jobs {j}: {res['seconds']:.2f}s, peak {res['peak_mib']} MiB"
                    + (f", worker peak {res['worker_peak_mib']} MiB" if j != "1" else ""))
        t1 = median([x["seconds"] for x in runs["1"]])
        tn = median([x["seconds"] for x in runs[str(n_jobs)]])
        after_start = None
        if start_seconds is not None and tn > start_seconds:
            after_start = round((t1 - start_seconds) / (tn - start_seconds), 3)
        out.append({
            "workload": w.describe(),
            "repetitions": reps,
            "median_seconds": {"--jobs 1": round(t1, 3), f"--jobs {n_jobs}": round(tn, 3)},
            "speedup_after_start": after_start,
            "chars_per_second": {"--jobs 1": round(w.chars / t1), f"--jobs {n_jobs}": round(w.chars / tn)},
            "speedup": round(t1 / tn, 3),
            "peak_mib": {"--jobs 1": max(x["peak_mib"] for x in runs["1"]),
                         f"--jobs {n_jobs} main": max(x["peak_mib"] for x in runs[str(n_jobs)]),
                         f"--jobs {n_jobs} worker": max((x["worker_peak_mib"] or 0) for x in runs[str(n_jobs)])},
        })
    return {"command": "govreport-nlp classify CORPUS.jsonl --jobs N > /dev/null", "runs": out}
