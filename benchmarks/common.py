"""What every benchmark shares: the corpus, the machine, timing, and running the command line.

Numbers are only comparable within one run on one machine: every benchmark
therefore times its contenders in the same run, on the same text, alternating
them over the repetitions, and reports medians and ratios together with the
machine they came from.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

ROOT = Path(__file__).resolve().parent.parent
WORK_REPORTS = ("work_reports_city.jsonl", "work_reports_national.jsonl")


def corpus_dir(path: str | None = None) -> Path:
    where = Path(path or os.environ.get("GOVREPORT_CORPUS") or ROOT.parent / "shared" / "corpus")
    if not all((where / name).is_file() for name in WORK_REPORTS):
        raise SystemExit(f"benchmarks: the work-report corpus is not in {where}; pass --corpus or set GOVREPORT_CORPUS.")
    return where


@dataclass
class Workload:
    """JSONL corpus files to classify, and the texts in them."""

    name: str
    files: list[Path]
    texts: list[str] = field(default_factory=list)

    @property
    def chars(self) -> int:
        return sum(len(t) for t in self.texts)

    @property
    def documents(self) -> int:
        return len(self.texts)

    def describe(self) -> dict[str, Any]:
        return {"name": self.name, "documents": self.documents, "characters": self.chars}


def load_workload(name: str, files: list[Path]) -> Workload:
    w = Workload(name, files)
    for f in files:
        with open(f, encoding="utf-8") as fh:
            w.texts += [json.loads(line)["text"] for line in fh if line.strip()]
    return w


def scaled_workload(base: Workload, factor: int, where: Path) -> Workload:
    """``base`` repeated ``factor`` times, as one JSONL file in ``where`` (ids made distinct)."""
    if factor == 1:
        return base
    out = where / f"{base.name}_x{factor}.jsonl"
    with open(out, "w", encoding="utf-8") as dst:
        for k in range(factor):
            for f in base.files:
                with open(f, encoding="utf-8") as src:
                    for line in src:
                        if line.strip():
                            rec = json.loads(line)
                            rec["id"] = f"{rec.get('id')}#{k}"
                            dst.write(json.dumps(rec, ensure_ascii=False) + "\n")
    w = Workload(f"{base.name} x{factor}", [out], base.texts * factor)
    return w


def machine() -> dict[str, Any]:
    """Where the numbers come from."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                mem = round(int(line.split()[1]) / 2**20, 1)
    except OSError:
        pass
    from importlib.metadata import PackageNotFoundError, version

    versions: dict[str, str | None] = {}
    for dist in ("govreport-nlp", "numpy", "scipy", "scikit-learn", "jieba", "rjieba", "datasets"):
        try:
            versions[dist] = version(dist)
        except PackageNotFoundError:
            versions[dist] = None
    return {"cpu": cpu, "cores": os.cpu_count(), "memory_gib": mem, "platform": platform.platform(),
            "python": platform.python_version(), "versions": versions, "commit": _commit(),
            "date": time.strftime("%Y-%m-%dT%H:%M:%S%z")}


def _commit() -> str | None:
    """The checkout's commit, with ``+`` when it has uncommitted changes (``None`` outside git)."""
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                              timeout=10)
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT,
                               capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    if head.returncode != 0:
        return None
    return head.stdout.strip() + ("+" if dirty.stdout.strip() else "")


def median(values: list[float]) -> float:
    return float(statistics.median(values))


def timed(fn: Callable[[], Any]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def alternate(contenders: dict[str, Callable[[], Any]], repeat: int, log: Callable[[str], None]) -> dict[str, list[float]]:
    """Time each contender ``repeat`` times, interleaved, so that drift in the machine hits all alike."""
    times: dict[str, list[float]] = {k: [] for k in contenders}
    for r in range(repeat):
        for name, fn in contenders.items():
            times[name].append(timed(fn))
            log(f"  {name}: {times[name][-1]:.2f}s (repetition {r + 1}/{repeat})")
    return times


def cli_command() -> list[str]:
    """The installed ``govreport-nlp`` next to this interpreter, as a user's shell would run it."""
    exe = Path(sys.executable).parent / "govreport-nlp"
    if exe.exists():
        return [str(exe)]
    found = shutil.which("govreport-nlp")
    return [found] if found else [sys.executable, "-m", "govreport_nlp"]


# The command exactly as the installed `govreport-nlp` script runs it (cli.run), reporting its peak memory
# at exit. VmHWM, not getrusage(RUSAGE_SELF): on Linux ru_maxrss survives exec, so a child would report
# the high-water mark of the benchmark process that started it.
_PEAK = """
import atexit, resource, sys
def report():
    me = [int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM:")][0]
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    sys.stderr.write("\\nPEAK %d %d\\n" % (me, kids))
atexit.register(report)
sys.argv[0] = "govreport-nlp"
from govreport_nlp.cli import run
run()
"""


def run_cli(args: list[str], *, peak: bool = False) -> dict[str, Any]:
    """Run the command line once, output discarded; wall time, exit status, and (``peak``) the peak
    resident memory of the main process and of its largest worker, in MiB."""
    cmd = [sys.executable, "-c", _PEAK, *args] if peak else [*cli_command(), *args]
    start = time.perf_counter()
    proc = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    wall = time.perf_counter() - start
    out: dict[str, Any] = {"seconds": wall, "status": proc.returncode}
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} exited {proc.returncode}: {proc.stderr.strip()[-500:]}")
    if peak:
        line = [ln for ln in proc.stderr.splitlines() if ln.startswith("PEAK ")][-1]
        me, kids = (int(v) for v in line.split()[1:])
        out["peak_mib"] = round(me / 1024, 1)  # both in KiB
        out["worker_peak_mib"] = round(kids / 1024, 1) if kids else None
    return out


def temp_dir() -> tempfile.TemporaryDirectory[str]:
    return tempfile.TemporaryDirectory(prefix="govreport-bench-")
