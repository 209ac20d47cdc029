"""What a saved model builds when it is loaded, kept between runs, so that a new process does not build it again.

Two kinds of entry live in the per-user cache directory
(``$GOVREPORT_NLP_CACHE`` or ``platformdirs.user_cache_dir("govreport_nlp")``,
where the jieba dictionary cache lives too), each a folder of plain ``.npy``
arrays (no pickle):

- ``lookup-<key>``: the merged n-gram lookup tables of a model's heads
  (:class:`~govreport_nlp.inference.HeadGroup`; 45 MB for the default
  model). Building them hashes every term of every head. The key is a digest of
  the heads' vocabularies and of this library's version and code.
- ``model-<key>``: a model directory's weights as they are computed with (the
  saved arrays uncompressed, the float64 weights and their mean, the mask of
  features reasons may show; 51 MB for the default model). The key is a digest of ``model.json``, of the
  member checksums of ``weights.npz`` and of this library's version and code.

The process that builds an entry writes it in a background thread while it
goes on classifying (:func:`save` with ``background=True``; it waits for the
thread before it forks or exits). A later process maps them into memory instead (read-only, and shared by the
forked workers of one run). This is what jieba does with its dictionary. A new
entry is made for each model, and again whenever this library's version or the
code that builds it changes (an upgrade, another checkout); at most
:data:`KEEP` entries of each kind are kept, the most recently used.

An entry that cannot be written, read or trusted is never an error: it is built
as if there were no cache (an entry that cannot be read is removed, so that a
good one can take its place; a temporary folder left by a writer that died is
removed later). Set ``GOVREPORT_NLP_LOOKUP_CACHE=0`` to neither read nor write
it.

Examples
--------
>>> import numpy as np
>>> key = "doctest-" + "0" * 8
>>> save(key, {"a": np.arange(3)})
>>> load(key)["a"].tolist()
[0, 1, 2]
>>> load("never-written") is None
True
"""

from __future__ import annotations

import atexit
import logging
import os
import shutil
import tempfile
import threading
import time
from pathlib import Path
from typing import Callable, Mapping

import numpy as np

from .segmentation import cache_dir

__all__ = ["EXIT_WAIT", "KEEP", "discard", "enabled", "load", "save", "wait"]

logger = logging.getLogger("govreport_nlp")

#: entries of each kind kept in the cache directory (the most recently used)
KEEP = {"lookup": 4, "model": 2}
#: a temporary folder older than this (seconds) was left by a writer that died: removed when pruning
_STALE = 3600.0


#: entries being written by a background thread of this process (see :func:`save`), by folder
_WRITING: dict[Path, threading.Thread] = {}
_WRITING_LOCK = threading.Lock()


#: at exit, how long to wait for a background writer (a cache on a hung network share must not hang the
#: program; what it left half written is swept later)
EXIT_WAIT = 30.0


def wait(timeout: float | None = None) -> None:
    """Return once every entry this process writes in the background is written (or given up), or
    after ``timeout`` seconds.

    Called before this process forks (a child must not inherit a half-done write) and at exit (for at
    most :data:`EXIT_WAIT` seconds).

    Examples
    --------
    >>> wait()
    """
    with _WRITING_LOCK:
        pending = list(_WRITING.values())
    deadline = None if timeout is None else time.monotonic() + timeout
    for thread in pending:
        if thread is not threading.current_thread():
            thread.join(None if deadline is None else max(0.0, deadline - time.monotonic()))


def _wait_for(path: Path) -> None:
    with _WRITING_LOCK:
        thread = _WRITING.get(path)
    if thread is not None and thread is not threading.current_thread():
        thread.join()


def enabled() -> bool:
    """Whether entries are read from and written to the cache (``GOVREPORT_NLP_LOOKUP_CACHE=0``: not).

    Examples
    --------
    >>> isinstance(enabled(), bool)
    True
    """
    return os.environ.get("GOVREPORT_NLP_LOOKUP_CACHE", "1").strip().lower() not in ("0", "false", "no", "off")


def _path(key: str, kind: str) -> Path | None:
    if not key.replace("-", "").isalnum():
        raise ValueError(f"not a cache key: {key!r}")
    if kind not in KEEP:
        raise ValueError(f"not a kind of cache entry: {kind!r}")
    try:
        return Path(cache_dir()) / f"{kind}-{key}"
    except OSError:  # no cache directory can be made (read-only home): no cache
        return None


def _file(name: str) -> str:
    if not name.replace("/", "").replace("_", "").isalnum():
        raise ValueError(f"not an array name for the cache: {name!r}")
    return name.replace("/", ".") + ".npy"


def load(key: str, kind: str = "lookup") -> dict[str, np.ndarray] | None:
    """The arrays saved under ``key``, mapped read-only, or ``None`` (not saved, unreadable, or the
    cache is off)."""
    path = _path(key, kind) if enabled() else None
    if path is None:
        return None
    _wait_for(path)  # being written by this process: read once written
    try:
        if not (path / "done").is_file():
            if path.is_dir():  # a folder without its mark (a removal cut short) holds no entry: make room
                shutil.rmtree(path, ignore_errors=True)
            return None
        # plain ndarray views of the mappings: numpy's memmap subclass runs Python code on every index
        arrays = {f.name[:-4].replace(".", "/"): np.load(f, mmap_mode="r", allow_pickle=False).view(np.ndarray)
                  for f in path.glob("*.npy")}
    except (ValueError, EOFError) as exc:  # a damaged file: removed, so that it is written anew
        logger.debug("cache entry %s unreadable (%s): removed", path, exc)
        shutil.rmtree(path, ignore_errors=True)
        return None
    except OSError as exc:  # not ours to read (another user's cache): left as it is
        logger.debug("cache entry %s not read (%s)", path, exc)
        return None
    try:
        os.utime(path / "done")  # recently used: kept when older entries are pruned
    except OSError:  # a read-only cache is still read
        pass
    _sweep(path.parent, kind)
    return arrays


def discard(key: str, kind: str = "lookup") -> None:
    """Remove the entry saved under ``key`` (one whose arrays turned out not to fit): never raises."""
    path = _path(key, kind)
    if path is not None:
        shutil.rmtree(path, ignore_errors=True)


def save(key: str, arrays: Mapping[str, np.ndarray] | Callable[[], Mapping[str, np.ndarray]],
         kind: str = "lookup", background: bool = False) -> None:
    """Write ``arrays`` under ``key`` (atomically: a reader sees the whole entry or none); never raises
    for want of space or permission. ``arrays`` may be a function that makes them: it is called only
    when they can be written (the cache is on, and no such entry exists yet).

    ``background``: write in a thread of this process while it goes on (the arrays must not change
    meanwhile); :func:`load` of the same entry, a fork of this process and its exit wait for it. A
    first run then spends on the cache only what its own work leaves of the machine."""
    path = _path(key, kind) if enabled() else None
    if path is None:
        return
    if not background:
        _write(path, arrays, kind)
        return
    with _WRITING_LOCK:
        if path in _WRITING:  # already being written
            return
        # a daemon: the interpreter's exit does not wait for it beyond EXIT_WAIT (the atexit hook)
        thread = threading.Thread(target=_write_then_forget, args=(path, arrays, kind),
                                  name=f"govreport_nlp cache {path.name[:20]}", daemon=True)
        _WRITING[path] = thread
        thread.start()


def _write_then_forget(path: Path, arrays: Mapping[str, np.ndarray] | Callable[[], Mapping[str, np.ndarray]],
                       kind: str) -> None:
    try:
        _write(path, arrays, kind)
    except Exception as exc:  # noqa: BLE001 (a background writer must never raise: nothing would see it)
        logger.debug("cache entry %s not written (%s)", path, exc)
    finally:
        with _WRITING_LOCK:
            _WRITING.pop(path, None)


def _write(path: Path, arrays: Mapping[str, np.ndarray] | Callable[[], Mapping[str, np.ndarray]],
           kind: str) -> None:
    tmp = None
    try:
        if (path / "done").is_file():
            return
        made = arrays() if callable(arrays) else arrays
        names = {name: _file(name) for name in made}  # checked before anything is written
        tmp = tempfile.mkdtemp(prefix=f".{path.name}.", dir=path.parent)
        for name, arr in made.items():
            # as laid out (a Fortran-order array stays so): BLAS may sum in another order otherwise
            np.save(os.path.join(tmp, names[name]), np.asanyarray(arr), allow_pickle=False)
        Path(tmp, "done").touch()
        try:
            os.rename(tmp, path)
        except OSError:
            if (path / "done").is_file():  # another process got there first: its entry is as good
                return
            shutil.rmtree(path, ignore_errors=True)  # a folder that holds no entry: replaced
            os.rename(tmp, path)
        tmp = None
        _prune(path.parent, kind)
    except OSError as exc:
        logger.debug("cache entry %s not written (%s)", path, exc)
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)


def _prune(folder: Path, kind: str) -> None:
    def used(p: Path) -> float:
        try:
            return (p / "done").stat().st_mtime
        except OSError:
            return 0.0

    entries = sorted((p for p in folder.glob(f"{kind}-*") if p.is_dir()), key=used, reverse=True)
    for old in entries[KEEP[kind]:]:
        shutil.rmtree(old, ignore_errors=True)
    _sweep(folder, kind)


def _sweep(folder: Path, kind: str) -> None:
    """Remove the temporary folders that writers which died left (older than ``_STALE``)."""
    now = time.time()
    try:
        left = list(folder.glob(f".{kind}-*"))
    except OSError:
        return
    for tmp in left:
        try:
            stale = now - tmp.stat().st_mtime > _STALE
        except OSError:
            continue
        if stale:
            shutil.rmtree(tmp, ignore_errors=True)


# a console script leaves with os._exit after the atexit handlers, so threads are waited for here; a
# fork (worker processes) waits too, so that no child starts with a write half done
def _after_fork_in_child() -> None:
    # the writers are not in the child: their lock may have been held at the fork, their records are stale
    global _WRITING_LOCK
    _WRITING_LOCK = threading.Lock()
    _WRITING.clear()


atexit.register(wait, EXIT_WAIT)
if hasattr(os, "register_at_fork"):
    os.register_at_fork(before=wait, after_in_child=_after_fork_in_child)
