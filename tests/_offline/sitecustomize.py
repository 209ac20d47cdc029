"""Networking off for the test run and every Python process it starts.

``tests/conftest.py`` puts this directory on ``PYTHONPATH``, so the test process
and its subprocesses (the command line, worker processes, the notebook's kernel)
import it at start-up. A connection to anything but this machine, or a name
lookup of anything but ``localhost``, raises ``OSError`` and is appended to the
file named by ``GOVREPORT_NETLOG``; the test session fails if that file is not
empty at the end, even when the caller swallowed the error.
"""

from __future__ import annotations

import os
import socket
import traceback
from typing import Any

_LOCAL_NAMES = {"localhost", "127.0.0.1", "::1", "0.0.0.0", "", None}


def _local(host: Any) -> bool:
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    return host in _LOCAL_NAMES or (isinstance(host, str) and host.startswith("127."))


def _refuse(what: str) -> OSError:
    log = os.environ.get("GOVREPORT_NETLOG")
    if log:
        stack = "".join(traceback.format_stack(limit=12)[:-2])
        with open(log, "a", encoding="utf-8") as fh:
            fh.write(f"pid {os.getpid()}: {what}\n{stack}\n")
    return OSError(f"network access is disabled in the tests: {what}")


_connect, _connect_ex, _getaddrinfo = socket.socket.connect, socket.socket.connect_ex, socket.getaddrinfo


def _check(sock: socket.socket, address: Any) -> None:
    if sock.family in (socket.AF_INET, socket.AF_INET6) and not _local(address[0]):
        raise _refuse(f"connect to {address!r}")


def connect(self: socket.socket, address: Any) -> None:
    _check(self, address)
    return _connect(self, address)


def connect_ex(self: socket.socket, address: Any) -> int:
    _check(self, address)
    return _connect_ex(self, address)


def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
    if not _local(host):
        raise _refuse(f"look up {host!r}")
    return _getaddrinfo(host, *args, **kwargs)


if os.environ.get("GOVREPORT_OFFLINE") == "1":
    socket.socket.connect = connect  # type: ignore[method-assign]
    socket.socket.connect_ex = connect_ex  # type: ignore[method-assign]
    socket.getaddrinfo = getaddrinfo
