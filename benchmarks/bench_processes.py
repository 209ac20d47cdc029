"""Whole processes on the same text: ``govreport-nlp classify`` against scripts that only segment it.

Each contender is a fresh process started from this one, start-up included
(interpreter, imports, dictionaries, the model), reading the same JSONL file
and discarding its output:

* ``jieba.lcut``: ``python -c`` reading each line's ``text`` and calling
  ``jieba.lcut`` on it (jieba's default accurate mode; its dictionary cache is
  warm, as on any machine after the first run);
* ``rjieba.cut``: the same with ``rjieba`` (jieba's dictionary and algorithm in
  Rust, the segmenter the default model uses);
* ``classify``: ``govreport-nlp classify FILE`` as a user types it (default
  JSONL records: labels, axes, alternatives, three reasons per axis; default
  ``--jobs auto``: one worker per usable core for an input of more than one
  chunk);
* ``classify --jobs 1``: the same in this one process;
* ``classify --jobs 2``: the same in two worker processes.

The contenders run interleaved, ``repeat`` times; each repetition gives a
ratio (the reference's time over the contender's, from the same repetition),
and the summary reports the median and the spread of the times and ratios.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Callable

from .common import ROOT, cli_command, median

_SEGMENT = """
import json, sys
{setup}
with open(sys.argv[1], encoding="utf-8") as fh:
    for line in fh:
        if line.strip():
            {call}(json.loads(line)["text"])
"""

_SCRIPTS = {
    "jieba.lcut": _SEGMENT.format(setup="import jieba\njieba.setLogLevel(60)", call="jieba.lcut"),
    "rjieba.cut": _SEGMENT.format(setup="import rjieba\nseg = rjieba.Jieba()", call="seg.cut"),
}


def _commands(path: Path) -> dict[str, list[str]]:
    cli = [*cli_command(), "classify", str(path), "--no-progress"]
    return {
        **{name: [sys.executable, "-c", code, str(path)] for name, code in _SCRIPTS.items()},
        "classify": cli,
        "classify --jobs 1": [*cli, "--jobs", "1"],
        "classify --jobs 2": [*cli, "--jobs", "2"],
    }


def _run(cmd: list[str]) -> float:
    start = time.perf_counter()
    proc = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd[:3])} exited {proc.returncode}: {proc.stderr.strip()[-500:]}")
    return time.perf_counter() - start


def run(path: Path, name: str, chars: int, repeat: int, log: Callable[[str], None]) -> dict[str, Any]:
    commands = _commands(path)
    for cmd in commands.values():  # warm: OS file cache, jieba's dictionary cache
        _run(cmd)
    times: dict[str, list[float]] = {k: [] for k in commands}
    for r in range(repeat):
        for k, cmd in commands.items():
            times[k].append(_run(cmd))
            log(f"  {k}: {times[k][-1]:.2f}s (repetition {r + 1}/{repeat})")
    ref = times["jieba.lcut"]
    ratios = {k: [a / b for a, b in zip(ref, v)] for k, v in times.items()}
    return {
        "workload": {"name": name, "file": path.name, "characters": chars},
        "reference": "jieba.lcut",
        "repetitions": repeat,
        "median_seconds": {k: round(median(v), 3) for k, v in times.items()},
        "range_seconds": {k: [round(min(v), 3), round(max(v), 3)] for k, v in times.items()},
        "throughput_vs_jieba_lcut": {k: round(median(v), 3) for k, v in ratios.items()},
        "ratio_range": {k: [round(min(v), 3), round(max(v), 3)] for k, v in ratios.items()},
        "all_seconds": {k: [round(x, 3) for x in v] for k, v in times.items()},
    }
