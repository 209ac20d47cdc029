"""The per-user cache of lookup tables: entries written whole or not at all, never an error."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from govreport_nlp import lookup_cache


@pytest.fixture()
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("GOVREPORT_NLP_CACHE", str(tmp_path / "cache"))
    monkeypatch.delenv("GOVREPORT_NLP_LOOKUP_CACHE", raising=False)
    return tmp_path / "cache"


def test_arrays_come_back_as_saved_and_read_only(cache: Path) -> None:
    arrays = {"a/table": np.arange(5, dtype=np.int64), "terms": np.frombuffer("[\"证照\"]".encode(), dtype=np.uint8)}
    lookup_cache.save("k1", arrays)
    got = lookup_cache.load("k1")
    assert got is not None and set(got) == set(arrays)
    assert all(np.array_equal(got[k], v) and got[k].dtype == v.dtype for k, v in arrays.items())
    with pytest.raises(ValueError):
        got["a/table"][0] = 1  # mapped read-only: shared by the forked workers of a run
    assert not [p for p in cache.iterdir() if p.name.startswith(".")]  # no temporary left behind


def test_an_entry_without_its_done_mark_is_not_read(cache: Path) -> None:
    lookup_cache.save("k2", {"a": np.arange(3)})
    (cache / "lookup-k2" / "done").unlink()  # as if the writer had died before finishing
    assert lookup_cache.load("k2") is None


def test_an_unreadable_entry_is_removed(cache: Path) -> None:
    lookup_cache.save("k3", {"a": np.arange(3)})
    (cache / "lookup-k3" / "a.npy").write_bytes(b"garbage")
    assert lookup_cache.load("k3") is None
    assert not (cache / "lookup-k3").exists()


def test_only_the_most_recently_used_entries_are_kept(cache: Path) -> None:
    for i in range(lookup_cache.KEEP + 2):
        lookup_cache.save(f"old{i}", {"a": np.arange(2)})
        os.utime(cache / f"lookup-old{i}" / "done", (1_000_000 + i, 1_000_000 + i))
    lookup_cache.save("new", {"a": np.arange(2)})
    kept = sorted(p.name for p in cache.glob("lookup-*"))
    assert len(kept) == lookup_cache.KEEP and "lookup-new" in kept and "lookup-old0" not in kept


def test_switched_off_it_neither_reads_nor_writes(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    lookup_cache.save("k4", {"a": np.arange(2)})
    monkeypatch.setenv("GOVREPORT_NLP_LOOKUP_CACHE", "0")
    assert lookup_cache.load("k4") is None
    lookup_cache.save("k5", {"a": np.arange(2)})
    assert not (cache / "lookup-k5").exists()


def test_an_unwritable_cache_is_no_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("not a directory")
    monkeypatch.setenv("GOVREPORT_NLP_CACHE", str(blocked / "cache"))
    lookup_cache.save("k6", {"a": np.arange(2)})  # nothing written, nothing raised
    assert lookup_cache.load("k6") is None


def test_keys_and_names_cannot_leave_the_cache_directory(cache: Path) -> None:
    with pytest.raises(ValueError):
        lookup_cache.load("../escape")
    with pytest.raises(ValueError):
        lookup_cache.save("k7", {"../a": np.arange(2)})
