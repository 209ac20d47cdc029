"""The documentation covers what users touch, and does not drift from the code.

- every public name (``govreport_nlp.__all__``) has a docstring with a runnable
  example (the examples themselves run as doctests: ``--doctest-modules``) and
  is mentioned in docs/api.md;
- every subcommand and option of ``govreport-nlp`` is in docs/cli.md;
- the pages the docs index promises exist, and relative links resolve.
"""

from __future__ import annotations

import argparse
import inspect
import re

import pytest

import govreport_nlp as gr
from govreport_nlp.cli import build_parser

from conftest import ROOT

DOCS = ROOT / "docs"
TOPICS = ["quickstart.md", "taxonomy.md", "api.md", "cli.md", "training.md", "reading.md", "segmentation.md",
          "performance.md", "limits.md", "classification.md", "structure.md"]


def _public() -> list[tuple[str, object]]:
    return [(n, getattr(gr, n)) for n in gr.__all__ if n != "__version__"]


@pytest.mark.parametrize("name", [n for n, o in _public() if inspect.isclass(o) or inspect.isfunction(o)])
def test_every_public_name_has_a_docstring_with_an_example(name: str) -> None:
    obj = getattr(gr, name)
    doc = inspect.getdoc(obj) or ""
    assert doc, f"{name} has no docstring"
    if not (inspect.isclass(obj) and issubclass(obj, Exception)):
        assert ">>>" in doc, f"{name}'s docstring has no example"


MODULES = ["reading", "htmltext", "cleaning", "structure", "sentences", "segmentation", "labels", "features",
           "featurizer", "inference", "reasons", "classifier", "model", "batch", "data", "weak", "training", "evaluation", "summary", "plots", "display",
           "document", "persistence", "cli"]


@pytest.mark.parametrize("module", MODULES)
def test_every_public_function_of_every_module_has_an_example(module: str) -> None:
    import importlib

    mod = importlib.import_module(f"govreport_nlp.{module}")
    missing = []
    for name in getattr(mod, "__all__", []):
        obj = getattr(mod, name)
        if not (inspect.isfunction(obj) or inspect.isclass(obj)) or obj.__module__ != mod.__name__:
            continue
        if inspect.isclass(obj) and issubclass(obj, Exception):
            continue
        if ">>>" not in (inspect.getdoc(obj) or ""):
            missing.append(name)
    assert not missing, f"govreport_nlp.{module}: no example in the docstring of {missing}"


def test_api_page_names_every_public_name() -> None:
    text = (DOCS / "api.md").read_text(encoding="utf-8")
    missing = [n for n, _ in _public() if not re.search(rf"\b{re.escape(n)}\b", text)]
    assert not missing, f"docs/api.md does not mention {missing}"


def test_cli_page_names_every_subcommand_and_option() -> None:
    text = (DOCS / "cli.md").read_text(encoding="utf-8")
    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    missing = []
    for command, p in sub.choices.items():
        if f"govreport-nlp {command}" not in text:
            missing.append(command)
        for action in p._actions:
            for opt in action.option_strings:
                if opt not in ("-h", "--help") and opt not in text:
                    missing.append(f"{command} {opt}")
    assert not missing, f"docs/cli.md does not mention {missing}"


def test_the_docs_index_and_links() -> None:
    index = (DOCS / "README.md").read_text(encoding="utf-8")
    for page in TOPICS:
        assert (DOCS / page).is_file(), page
        assert f"({page})" in index, f"docs/README.md does not link {page}"
    for page in [*DOCS.glob("*.md"), ROOT / "README.md", ROOT / "notebooks" / "README.md"]:
        for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", page.read_text(encoding="utf-8")):
            if "://" in target:
                continue
            assert (page.parent / target).exists(), f"{page.name} links to missing {target}"
