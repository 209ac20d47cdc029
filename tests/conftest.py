"""Shared fixtures: the real corpus in ../shared/corpus, read at run time.

Tests that need the corpus skip with a reason on machines without it; CI sets
GOVREPORT_REQUIRE_CORPUS=1, which turns those skips into failures so that they
always run there. GOVREPORT_CORPUS points elsewhere if the corpus lives
somewhere else. Nothing from the corpus is copied into this repository.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
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
