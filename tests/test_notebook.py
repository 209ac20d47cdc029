"""The exploration notebook runs top to bottom, on the real corpus and on the bundled example alone.

CI executes ``notebooks/explore.ipynb`` with nbclient in a fresh Jupyter kernel;
any cell that raises fails the test. The outputs are checked for what each
step promises: a rendered report, charts, a table, reasons, an evaluation.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from conftest import CORPUS, REQUIRE_CORPUS, ROOT

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

NOTEBOOK = ROOT / "notebooks" / "explore.ipynb"


def _execute(tmp_path: Path, corpus: Path) -> list:
    nb = nbformat.read(NOTEBOOK, as_version=4)
    env = {"GOVREPORT_CORPUS": str(corpus), "TMPDIR": str(tmp_path)}
    old = {k: os.environ.get(k) for k in env}
    os.environ.update(env)  # the kernel inherits this process's environment
    try:
        nbclient.NotebookClient(nb, timeout=600, kernel_name="python3",
                                resources={"metadata": {"path": str(NOTEBOOK.parent)}}).execute()
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    return [c for c in nb.cells if c.cell_type == "code"]


def _outputs(cell, mime: str) -> list[str]:
    return [o["data"][mime] for o in cell.get("outputs", []) if "data" in o and mime in o["data"]]


def _text(cell) -> str:
    return "".join(o.get("text", "") for o in cell.get("outputs", [])) + "".join(
        _outputs(cell, "text/plain"))


def _check(cells: list, with_corpus: bool, tmp_path: Path) -> None:
    assert all(o.get("output_type") != "error" for c in cells for o in c.get("outputs", []))
    setup, classify, shares, city_chart, decade_chart, short, best, why, relabel, evaluate, retrain = cells
    assert _outputs(retrain, "text/html")  # the example, labelled by the retrained model
    assert ("not found" in _text(setup)) != with_corpus
    report_html = _outputs(classify, "text/html")
    assert report_html and "plans" in report_html[0] and "<span" in report_html[0]
    assert _outputs(city_chart, "image/png") and _outputs(decade_chart, "image/png")
    assert "dispute" in _text(shares) or _outputs(shares, "text/html")
    assert _outputs(short, "text/html")  # a pandas table
    assert _outputs(best, "text/html")  # the prediction, rendered
    assert "function" in _text(why) and "topic" in _text(why)
    assert "supervision" in _text(relabel)
    assert "macro-F1" in _text(evaluate) and _outputs(evaluate, "image/png")
    assert (tmp_path / "supervision-model" / "model.json").is_file()
    if with_corpus:
        assert "143 city reports, 52 national reports" in _text(shares)


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_notebook_runs_on_the_real_corpus(tmp_path: Path) -> None:
    if not (CORPUS / "seeds.jsonl").is_file():
        if REQUIRE_CORPUS:
            pytest.fail(f"corpus not found at {CORPUS}; GOVREPORT_REQUIRE_CORPUS=1 forbids skipping")
        pytest.skip("corpus not found")
    _check(_execute(tmp_path, CORPUS), True, tmp_path)


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_notebook_runs_on_the_bundled_example_alone(tmp_path: Path) -> None:
    _check(_execute(tmp_path, tmp_path / "no-corpus-here"), False, tmp_path)


def test_the_committed_notebook_is_what_its_script_writes() -> None:
    """notebooks/make_explore.py is the notebook's source; the .ipynb must not drift from it (nor carry outputs)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_explore", NOTEBOOK.parent / "make_explore.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    written = nbformat.writes(module.build()) + "\n"  # nbformat.write ends the file with a newline
    assert written == NOTEBOOK.read_text(encoding="utf-8"), "run: python notebooks/make_explore.py"
    assert all(not c.get("outputs") for c in nbformat.read(NOTEBOOK, as_version=4).cells)
