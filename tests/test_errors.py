"""Errors speak the user's language: one sentence that says what to do, and exit status 2 on the command line.

Each failure a user can cause is checked twice: through the Python API (an
exception of the library's own hierarchy, one line, ending in an instruction)
and through ``govreport-nlp`` (status 2, one ``error:`` or ``skipped:`` line per
problem, no traceback).
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path
from typing import Any, Callable

import pytest

import govreport_nlp as gr
from govreport_nlp.cli import main
from govreport_nlp.model import FORMAT_VERSION, default_model_path

from conftest import EXAMPLE


def _future_model(tmp_path: Path) -> Path:
    d = tmp_path / "future-model"
    shutil.copytree(default_model_path(), d)
    meta = json.loads((d / "model.json").read_text("utf-8"))
    meta["format_version"] = FORMAT_VERSION + 1
    (d / "model.json").write_text(json.dumps(meta), "utf-8")
    return d


def _one_sentence(exc: BaseException) -> str:
    msg = str(exc)
    assert isinstance(exc, gr.GovReportError), type(exc)
    assert "\n" not in msg and msg.endswith((".", ")", "'")), msg
    return msg


API_CASES: dict[str, tuple[Callable[[Path], Any], type[Exception], str]] = {
    "file not found": (lambda t: gr.parse(t / "report.txt"), gr.InputError, "no such file"),
    "a folder for a file": (lambda t: gr.parse(t), gr.InputError, "pass the files inside it"),
    "unreadable encoding": (lambda t: gr.decode_bytes(bytes(range(0x80, 0x100)) * 50, name="r.txt"),
                            gr.DecodingError, "convert it to UTF-8"),
    "wrong forced encoding": (lambda t: gr.parse(EXAMPLE, encoding="ascii"), gr.DecodingError,
                              "omit the encoding"),
    "unknown encoding": (lambda t: gr.parse(EXAMPLE, encoding="gbk2"), gr.DecodingError, "codec name"),
    "a PDF": (lambda t: gr.parse(b"%PDF-1.4 ..."), gr.BinaryInputError, "pdftotext"),
    "unknown label set": (lambda t: gr.get_label_set("topics"), gr.GovReportError, "built-in sets are"),
    "labels outside the label set": (lambda t: gr.train((["某段落。"] * 4, ["a", "b", "c", "z"]),
                                                        label_set=["a", "b", "c"]), gr.GovReportError, "z"),
    "unknown segmenter": (lambda t: gr.get_segmenter("thulac"), gr.GovReportError, "choose one of"),
    "incompatible model": (lambda t: gr.load_model(_future_model(t)), gr.ModelError, "Upgrade govreport_nlp"),
    "no model there": (lambda t: gr.load_model(t / "none"), gr.ModelNotAvailableError, "no such model"),
    "threshold out of range": (lambda t: gr.load_model().predict(["依法行政。"], threshold=1.5),
                               gr.GovReportError, "between 0 and 1"),
}


@pytest.mark.parametrize("case", sorted(API_CASES))
def test_api_errors_are_one_sentence(case: str, tmp_path: Path) -> None:
    fn, kind, hint = API_CASES[case]
    with pytest.raises(kind) as info:
        fn(tmp_path)
    assert hint in _one_sentence(info.value)


@pytest.mark.parametrize("module, extra, call", [
    ("datasets", "datasets", lambda: gr.to_hf(gr.LabelledData.from_texts(["依法行政。"], ["a"]))),
    ("hanlp", "hanlp", lambda: gr.get_segmenter("hanlp", model="/nowhere").cut("依法行政")),
    ("matplotlib", "plots", lambda: gr.plot_label_shares({"a": {"plans": 1.0}})),
])
def test_a_missing_optional_extra_says_what_to_install(monkeypatch: pytest.MonkeyPatch, module: str, extra: str,
                                                       call: Callable[[], Any]) -> None:
    for name in [m for m in sys.modules if m == module or m.startswith(module + ".")] + [module, module + ".pyplot"]:
        monkeypatch.setitem(sys.modules, name, None)  # as if not installed
    with pytest.raises(gr.MissingDependencyError) as info:
        call()
    assert f"pip install 'govreport-nlp[{extra}]'" in _one_sentence(info.value)


CLI_CASES: dict[str, tuple[Callable[[Path], list[str]], str]] = {
    "file not found": (lambda t: ["classify", str(t / "report.txt")], "no such file"),
    "unreadable encoding": (lambda t: ["parse", str(_write(t / "junk.txt", bytes(range(0x80, 0x100)) * 50))],
                            "convert it to UTF-8"),
    "unknown encoding": (lambda t: ["parse", str(EXAMPLE), "--encoding", "gbk2"], "codec name"),
    "a PDF renamed .txt": (lambda t: ["classify", str(_write(t / "r.txt", b"%PDF-1.4 ..."))], "PDF"),
    "unknown recipe": (lambda t: ["evaluate", "--recipe", "nope"], "unknown recipe"),
    "incompatible model": (lambda t: ["classify", str(EXAMPLE), "--model", str(_future_model(t))],
                           "Upgrade govreport_nlp"),
    "not a model": (lambda t: ["classify", str(EXAMPLE), "--model", str(EXAMPLE)], "not a govreport_nlp model"),
    "threshold out of range": (lambda t: ["classify", str(EXAMPLE), "--threshold", "2"], "between 0 and 1"),
    "bad --jobs": (lambda t: ["classify", str(EXAMPLE), "--jobs", "0"], "--jobs"),
    "labels file missing": (lambda t: ["train", "--data", str(t / "labels.jsonl"), "--out", str(t / "m")],
                            "no such file"),
    "unknown option": (lambda t: ["classify", "--colour"], "unrecognized arguments"),
    "unwritable output": (lambda t: ["train", "--data", str(_labels(t)), "--out", str(_write(t / "f", b"x") / "m"),
                                     "--no-eval"], "cannot save the model"),
}


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def _labels(t: Path) -> Path:
    rows = [{"text": f"第{i}段：全年办理行政复议案件{i}件。", "label": "done"} for i in range(6)]
    rows += [{"text": f"第{i}段：下一步将持续深化诉源治理。", "label": "todo"} for i in range(6)]
    return _write(t / "labels.jsonl", "\n".join(json.dumps(r, ensure_ascii=False) for r in rows).encode("utf-8"))


@pytest.mark.parametrize("case", sorted(CLI_CASES))
def test_cli_errors_exit_2_in_one_line(case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args, hint = CLI_CASES[case]
    try:
        code = main(args(tmp_path))
    except SystemExit as exc:  # argparse's own usage errors
        code = exc.code  # type: ignore[assignment]
    assert code == 2
    err = capsys.readouterr().err
    problems = [line for line in err.splitlines() if "error:" in line or "skipped:" in line]
    assert len(problems) == 1 and hint in problems[0], err
    assert "Traceback" not in err
