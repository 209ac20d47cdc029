"""Offline: the library never reaches the network unless a user asks HanLP to download a model.

The whole test suite runs with networking disabled (tests/_offline/sitecustomize.py,
installed by conftest.py in this process and every Python subprocess); any
attempt fails the session. These tests check the guard itself, and run the
library's main paths in a fresh process to show they need no network.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import EXAMPLE, network_attempts


def test_the_guard_refuses_outside_connections_and_allows_this_machine() -> None:
    before = network_attempts()
    with pytest.raises(OSError, match="network access is disabled"):
        socket.create_connection(("pypi.org", 443), timeout=1)
    with pytest.raises(OSError, match="network access is disabled"):
        socket.socket().connect(("93.184.216.34", 80))
    # the attempts above are logged; take them back out so that the session does not fail on them
    _restore(before)
    with socket.socket() as server:  # loopback stays open: the notebook kernel talks over it
        server.bind(("127.0.0.1", 0))
        server.listen()
        with socket.create_connection(server.getsockname(), timeout=1):
            pass


def test_import_parse_classify_train_and_the_command_line_need_no_network() -> None:
    code = f"""
import socket
try:  # the guard is installed in this subprocess too (an attempt the test takes back below)
    socket.getaddrinfo("guard-check.invalid", 80)
    raise SystemExit("the network guard is missing in subprocesses")
except OSError:
    pass
import govreport_nlp as gr
report = gr.load_model().classify_report({str(EXAMPLE)!r})
assert report.body[0].prediction is not None
gr.cut("深化放管服改革"); gr.get_segmenter("jieba").cut("推行证照分离")
from govreport_nlp.cli import main
assert main(["parse", {str(EXAMPLE)!r}]) == 0
try:
    gr.get_segmenter("hanlp", model="FINE_ELECTRA_SMALL_ZH")   # a named model, not on disk, no download asked
except gr.GovReportError:
    pass
"""
    before = network_attempts()
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr[-2000:]
    attempts = [line for line in network_attempts()[len(before):].splitlines() if line.startswith("pid ")]
    assert len(attempts) == 1 and "guard-check.invalid" in attempts[0], attempts
    _restore(before)


def _restore(log: str) -> None:
    Path(os.environ["GOVREPORT_NETLOG"]).write_text(log, encoding="utf-8")
