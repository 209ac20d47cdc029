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


def test_an_entry_without_its_done_mark_is_not_read_and_is_replaced(cache: Path) -> None:
    lookup_cache.save("k2", {"a": np.arange(3)})
    (cache / "lookup-k2" / "done").unlink()  # as if a removal had been cut short
    assert lookup_cache.load("k2") is None
    lookup_cache.save("k2", {"a": np.arange(4)})  # written anew, not stuck behind the old folder
    got = lookup_cache.load("k2")
    assert got is not None and got["a"].tolist() == [0, 1, 2, 3]


def test_a_folder_in_the_way_of_a_new_entry_is_replaced(cache: Path) -> None:
    (cache / "lookup-k8").mkdir(parents=True)
    (cache / "lookup-k8" / "a.npy").write_bytes(b"half written")
    lookup_cache.save("k8", {"a": np.arange(2)})
    got = lookup_cache.load("k8")
    assert got is not None and got["a"].tolist() == [0, 1]


def test_save_makes_the_arrays_only_when_they_can_be_written(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    made = []
    lookup_cache.save("k9", lambda: made.append(1) or {"a": np.arange(2)})
    lookup_cache.save("k9", lambda: made.append(2) or {"a": np.arange(2)})  # there already: not made again
    monkeypatch.setenv("GOVREPORT_NLP_LOOKUP_CACHE", "0")
    lookup_cache.save("k10", lambda: made.append(3) or {"a": np.arange(2)})
    assert made == [1]


def test_an_entry_it_may_not_read_is_left_alone(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    lookup_cache.save("k11", {"a": np.arange(2)})
    real_load = np.load

    def refused(*args: object, **kwargs: object) -> object:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(np, "load", refused)  # another user's cache (the tests run as root: chmod is no test)
    assert lookup_cache.load("k11") is None
    monkeypatch.setattr(np, "load", real_load)
    assert (cache / "lookup-k11" / "a.npy").is_file()  # not removed


def test_a_read_only_entry_is_still_read(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    lookup_cache.save("k12", {"a": np.arange(2)})

    def refused(*args: object, **kwargs: object) -> None:
        raise PermissionError(30, "Read-only file system")

    monkeypatch.setattr(os, "utime", refused)
    got = lookup_cache.load("k12")
    assert got is not None and got["a"].tolist() == [0, 1]


def test_a_temporary_folder_left_by_a_dead_writer_is_removed_later(cache: Path) -> None:
    lookup_cache.save("k13", {"a": np.arange(2)})
    left = cache / ".lookup-k14.dead"
    left.mkdir()
    recent = cache / ".lookup-k15.busy"  # another writer at work now: left alone
    recent.mkdir()
    os.utime(left, (1_000_000, 1_000_000))
    lookup_cache.save("k16", {"a": np.arange(2)})
    assert not left.exists() and recent.exists()
    again = cache / ".lookup-k18.dead"  # found when an entry is read, too (no write may come again)
    again.mkdir()
    os.utime(again, (1_000_000, 1_000_000))
    assert lookup_cache.load("k16") is not None and not again.exists() and recent.exists()


def test_a_discarded_entry_is_gone(cache: Path) -> None:
    lookup_cache.save("k17", {"a": np.arange(2)}, kind="model")
    assert lookup_cache.load("k17", kind="model") is not None and lookup_cache.load("k17") is None
    lookup_cache.discard("k17", kind="model")
    assert lookup_cache.load("k17", kind="model") is None


def test_an_unreadable_entry_is_removed(cache: Path) -> None:
    lookup_cache.save("k3", {"a": np.arange(3)})
    (cache / "lookup-k3" / "a.npy").write_bytes(b"garbage")
    assert lookup_cache.load("k3") is None
    assert not (cache / "lookup-k3").exists()


@pytest.mark.parametrize("kind", ["lookup", "model"])
def test_only_the_most_recently_used_entries_of_a_kind_are_kept(cache: Path, kind: str) -> None:
    other = "model" if kind == "lookup" else "lookup"
    lookup_cache.save("other", {"a": np.arange(2)}, kind=other)
    for i in range(lookup_cache.KEEP[kind] + 2):
        lookup_cache.save(f"old{i}", {"a": np.arange(2)}, kind=kind)
        os.utime(cache / f"{kind}-old{i}" / "done", (1_000_000 + i, 1_000_000 + i))
    lookup_cache.save("new", {"a": np.arange(2)}, kind=kind)
    kept = sorted(p.name for p in cache.glob(f"{kind}-*"))
    assert len(kept) == lookup_cache.KEEP[kind] and f"{kind}-new" in kept and f"{kind}-old0" not in kept
    assert (cache / f"{other}-other").is_dir()  # each kind pruned on its own


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
    assert not list(cache.glob(".lookup-k7*"))  # refused before anything was written
    with pytest.raises(ValueError):
        lookup_cache.load("k7", kind="../x")


def test_a_background_write_is_waited_for_by_a_load_a_fork_and_wait(cache: Path) -> None:
    import threading

    release = threading.Event()
    made: list[str] = []

    def slow() -> dict[str, np.ndarray]:  # runs in the writer thread: held until released
        release.wait(10)
        made.append(threading.current_thread().name)
        return {"a": np.arange(4)}

    lookup_cache.save("bg1", slow, background=True)
    lookup_cache.save("bg1", slow, background=True)  # already being written: not a second writer
    assert not (cache / "lookup-bg1").exists()  # this thread went on
    threading.Timer(0.2, release.set).start()
    got = lookup_cache.load("bg1")  # waits for the writer, then reads what it wrote
    assert got is not None and got["a"].tolist() == [0, 1, 2, 3]
    assert len(made) == 1 and made[0] != threading.current_thread().name

    release.clear()
    lookup_cache.save("bg2", slow, background=True)
    threading.Timer(0.2, release.set).start()
    pid = os.fork()  # the fork hook waits for the writer: the child starts with the entry written
    if pid == 0:
        os._exit(0 if (cache / "lookup-bg2" / "done").is_file() else 1)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0

    def failing() -> dict[str, np.ndarray]:
        raise RuntimeError("a bug in what makes the arrays")

    lookup_cache.save("bg3", failing, background=True)  # never raises, in this thread or that one
    lookup_cache.wait()
    assert lookup_cache.load("bg3") is None and not list(cache.glob(".lookup-bg3*"))


def test_a_first_runs_cache_writer_does_not_make_workers_spawn(cache: Path) -> None:
    import time

    from govreport_nlp import batch

    def slow() -> dict[str, np.ndarray]:
        time.sleep(0.3)
        return {"a": np.arange(2)}

    without = batch._start_method()  # whatever other threads this test process runs
    lookup_cache.save("bg4", slow, background=True)
    assert batch._start_method() == without  # it waited for the writer before counting threads
    assert (cache / "lookup-bg4" / "done").is_file()
