"""Shared fixtures: the real corpus in ../shared/corpus, read at run time.

Tests that need the corpus skip with a reason on machines without it; CI sets
GOVREPORT_REQUIRE_CORPUS=1, which turns those skips into failures so that they
always run there. GOVREPORT_CORPUS points elsewhere if the corpus lives
somewhere else. Nothing from the corpus is copied into this repository.
"""

from __future__ import annotations

import importlib.util
import json
import os
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

# property tests (tests/test_properties.py): no per-example deadline (the first call may build a
# dictionary); derandomized under CI so a run is repeatable; HYPOTHESIS_PROFILE=deep hunts longer.
# The only function-scoped fixture they see is _private_cache below, which sets an env var.
_quiet = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
settings.register_profile("dev", deadline=None, max_examples=100, suppress_health_check=_quiet)
settings.register_profile("ci", deadline=None, max_examples=400, derandomize=True, suppress_health_check=_quiet,
                          print_blob=True)
settings.register_profile("deep", deadline=None, max_examples=3000, suppress_health_check=_quiet)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))

ROOT = Path(__file__).resolve().parent.parent

# Networking is off for the whole run, in this process and in every Python process it starts
# (tests/_offline/sitecustomize.py); attempts are logged and fail the session at its end.
_OFFLINE = Path(__file__).resolve().parent / "_offline"
os.environ["GOVREPORT_OFFLINE"] = "1"
os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (str(_OFFLINE), os.environ.get("PYTHONPATH")) if p)
# Everything the run writes through tempfile (pytest's tmp_path folders, doctests' mkdtemp, the network log,
# subprocesses via TMPDIR) goes into one folder that is removed when the run ends (pytest_unconfigure);
# GOVREPORT_KEEP_TMP=1 keeps it for a look.
import shutil
import tempfile

RUN_TMP = tempfile.mkdtemp(prefix="govreport-tests-")
os.environ["TMPDIR"] = RUN_TMP
tempfile.tempdir = RUN_TMP
if "GOVREPORT_NETLOG" not in os.environ:
    os.environ["GOVREPORT_NETLOG"] = os.path.join(RUN_TMP, "network-attempts.log")
# this process started before PYTHONPATH was set: install the guard here by hand
_spec = importlib.util.spec_from_file_location("_govreport_offline", _OFFLINE / "sitecustomize.py")
assert _spec is not None and _spec.loader is not None
_spec.loader.exec_module(importlib.util.module_from_spec(_spec))


def network_attempts() -> str:
    """What any process of this test run tried to reach outside this machine (empty: nothing)."""
    try:
        return Path(os.environ["GOVREPORT_NETLOG"]).read_text(encoding="utf-8")
    except FileNotFoundError:
        return ""


def pytest_unconfigure(config: pytest.Config) -> None:
    if os.environ.get("GOVREPORT_KEEP_TMP") != "1":
        shutil.rmtree(RUN_TMP, ignore_errors=True)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    attempts = network_attempts()
    if attempts:
        sys.stderr.write("\nnetwork access was attempted during the tests (it must not be):\n" + attempts)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
CORPUS = Path(os.environ.get("GOVREPORT_CORPUS", ROOT.parent / "shared" / "corpus"))
REQUIRE_CORPUS = os.environ.get("GOVREPORT_REQUIRE_CORPUS") == "1"
EXAMPLE = ROOT / "examples" / "qinghe_county_2024.txt"


def corpus_path(name: str) -> Path:
    path = CORPUS / name
    if not path.exists():
        msg = f"corpus file {path} not found (set GOVREPORT_CORPUS)"
        if REQUIRE_CORPUS:
            pytest.fail(msg + "; GOVREPORT_REQUIRE_CORPUS=1 forbids skipping")
        pytest.skip(msg)
    return path


def load_jsonl(name: str) -> list[dict[str, Any]]:
    with open(corpus_path(name), encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


@pytest.fixture(scope="session")
def seeds() -> list[dict[str, Any]]:
    return load_jsonl("seeds.jsonl")


@pytest.fixture(scope="session")
def seeds_by_id(seeds: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {d["id"]: d for d in seeds}


@pytest.fixture(scope="session")
def gold() -> list[dict[str, Any]]:
    return load_jsonl("seeds_gold.jsonl")


@pytest.fixture(scope="session")
def city_reports() -> list[dict[str, Any]]:
    return load_jsonl("work_reports_city.jsonl")


@pytest.fixture(scope="session")
def national_reports() -> list[dict[str, Any]]:
    return load_jsonl("work_reports_national.jsonl")


@pytest.fixture(scope="session")
def seeds_path() -> Path:
    return corpus_path("seeds.jsonl")


@pytest.fixture(autouse=True)
def _private_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep jieba's dictionary cache out of the developer's home during tests."""
    monkeypatch.setenv("GOVREPORT_NLP_CACHE", str(tmp_path_factory.getbasetemp() / "cache"))
