"""Lookup tables kept between runs, so that a new process does not build them again.

A model's heads that read texts alike share merged n-gram lookup tables
(:class:`~govreport_nlp.inference.HeadGroup`); building them hashes every term
of every head (a few hundred thousand) and takes a good part of a cold start.
They depend only on the heads' vocabularies, so once built they are written,
as plain ``.npy`` arrays (no pickle), to the per-user cache directory
(``$GOVREPORT_NLP_CACHE`` or ``platformdirs.user_cache_dir("govreport_nlp")``,
where the jieba dictionary cache lives too) under a name that is a digest of
those vocabularies and of this library's version and code; a later process
maps them into memory instead (read-only, and shared by the forked workers of
one run). This is what jieba does with its dictionary.

An entry that cannot be written, read or trusted is never an error: the tables
are built as if there were no cache (an unreadable entry is removed). Set
``GOVREPORT_NLP_LOOKUP_CACHE=0`` to neither read nor write it. At most
:data:`KEEP` entries are kept; older ones are removed when a new one is written.

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

import logging
import os
import shutil
import tempfile
from pathlib import Path
from typing import Mapping

import numpy as np

from .segmentation import cache_dir

__all__ = ["KEEP", "enabled", "load", "save"]

logger = logging.getLogger("govreport_nlp")

#: entries kept in the cache directory (the most recently used; one per model version in use)
KEEP = 4
_PREFIX = "lookup-"


def enabled() -> bool:
    """Whether lookup tables are read from and written to the cache (``GOVREPORT_NLP_LOOKUP_CACHE=0``: not).

    Examples
    --------
    >>> isinstance(enabled(), bool)
    True
    """
    return os.environ.get("GOVREPORT_NLP_LOOKUP_CACHE", "1").strip().lower() not in ("0", "false", "no", "off")


def _path(key: str) -> Path | None:
    if not key.replace("-", "").isalnum():
        raise ValueError(f"not a cache key: {key!r}")
    try:
        return Path(cache_dir()) / f"{_PREFIX}{key}"
    except OSError:  # no cache directory can be made (read-only home): no cache
        return None


def _file(name: str) -> str:
    if not name.replace("/", "").replace("_", "").isalnum():
        raise ValueError(f"not an array name for the cache: {name!r}")
    return name.replace("/", ".") + ".npy"


def load(key: str) -> dict[str, np.ndarray] | None:
    """The arrays saved under ``key``, mapped read-only, or ``None`` (not saved, unreadable, or the
    cache is off)."""
    path = _path(key) if enabled() else None
    if path is None or not (path / "done").is_file():
        return None
    try:
        arrays = {f.name[:-4].replace(".", "/"): np.load(f, mmap_mode="r", allow_pickle=False)
                  for f in path.glob("*.npy")}
        os.utime(path / "done")  # recently used: kept when older entries are pruned
        return arrays
    except (OSError, ValueError, EOFError) as exc:
        logger.debug("lookup cache %s unreadable (%s): removed", path, exc)
        shutil.rmtree(path, ignore_errors=True)
        return None


def save(key: str, arrays: Mapping[str, np.ndarray]) -> None:
    """Write ``arrays`` under ``key`` (atomically: a reader sees the whole entry or none); never raises
    for want of space or permission."""
    path = _path(key) if enabled() else None
    if path is None:
        return
    tmp = None
    try:
        tmp = tempfile.mkdtemp(prefix=f".{path.name}.", dir=path.parent)
        for name, arr in arrays.items():
            np.save(os.path.join(tmp, _file(name)), np.ascontiguousarray(arr), allow_pickle=False)
        Path(tmp, "done").touch()
        os.rename(tmp, path)  # fails if another process got there first: its entry is as good
        tmp = None
        _prune(path.parent)
    except OSError as exc:
        logger.debug("lookup cache %s not written (%s)", path, exc)
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)


def _prune(folder: Path) -> None:
    def used(p: Path) -> float:
        try:
            return (p / "done").stat().st_mtime
        except OSError:
            return 0.0

    entries = sorted((p for p in folder.glob(f"{_PREFIX}*") if p.is_dir()), key=used, reverse=True)
    for old in entries[KEEP:]:
        shutil.rmtree(old, ignore_errors=True)
