"""Training the default recipe from scratch, as ``govreport-nlp train --recipe default --no-eval`` does.

Each run is a fresh process (nothing cached from an earlier run). Scaled runs
point the recipe at a corpus directory whose work reports are repeated (with
distinct ids): weak labelling then reads k times the reports, while the
recipe's cap on weak paragraphs per label keeps the classifiers' training set
the same size.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any, Callable

from .common import WORK_REPORTS, Workload, median, run_cli, temp_dir


def run(corpus: Path, workloads: list[Workload], repeat: int, log: Callable[[str], None]) -> dict[str, Any]:
    out = []
    with temp_dir() as tmp:
        for i, w in enumerate(workloads):
            reps = repeat if i == 0 else 1
            where = corpus
            if w.files[0].parent != corpus:  # a scaled workload: a corpus directory of its own
                where = Path(tmp) / f"corpus_{i}"
                where.mkdir()
                for name in os.listdir(corpus):
                    if name.endswith(".jsonl") and name not in WORK_REPORTS:
                        shutil.copy(corpus / name, where / name)
                # the scaled file stands in for both work-report files
                shutil.copy(w.files[0], where / WORK_REPORTS[0])
                (where / WORK_REPORTS[1]).write_text("", encoding="utf-8")
            log(f"training the default recipe on {w.name}, {reps} repetition(s)")
            times = []
            for r in range(reps):
                res = run_cli(["train", "--recipe", "default", "--no-eval", "--corpus", str(where),
                               "--out", str(Path(tmp) / f"model_{i}_{r}")], peak=True)
                times.append(res["seconds"])
                log(f"  {res['seconds']:.1f}s, peak {res['peak_mib']} MiB")
            out.append({"workload": w.describe(), "repetitions": reps, "median_seconds": round(median(times), 2)})
    return {"command": "govreport-nlp train --recipe default --no-eval --out DIR", "runs": out}
