"""tests/offline.py, installed for the whole run by conftest.py: no test reaches the network.

Addresses are from TEST-NET-1 (192.0.2.0/24, never routed) and names under .invalid, so even a
guard that failed would not reach anybody.
"""

from __future__ import annotations

import http.server
import os
import socket
import subprocess
import sys
import threading
import urllib.request
from collections.abc import Iterator

import pytest

from tests.offline import DEAD_PROXY, NetworkUse


@pytest.fixture
def local_server() -> Iterator[str]:
    class Hello(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"hello")

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Hello)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def test_a_connection_to_another_machine_is_refused_in_this_process() -> None:
    with socket.socket() as sock, pytest.raises(NetworkUse):
        sock.settimeout(2)
        sock.connect(("192.0.2.1", 80))


def test_a_name_lookup_is_refused_in_this_process() -> None:
    with pytest.raises(NetworkUse):
        socket.getaddrinfo("agent-catalog.invalid", 443)


def test_this_machine_stays_reachable(local_server: str) -> None:
    with urllib.request.urlopen(local_server, timeout=5) as response:
        assert response.read() == b"hello"
    with socket.socket(socket.AF_UNIX) as sock:  # unix sockets are local by nature
        with pytest.raises(OSError) as refused:
            sock.connect("/nonexistent/agent-catalog.sock")
        assert not isinstance(refused.value, NetworkUse)


def test_subprocesses_get_a_proxy_that_leads_nowhere(local_server: str) -> None:
    """pip, MkDocs and the CLI run as subprocesses, where the audit hook is not: their HTTP
    clients go through a proxy nobody listens on, except to this machine."""
    assert os.environ["https_proxy"] == os.environ["HTTP_PROXY"] == DEAD_PROXY
    code = (
        "import sys, urllib.request\n"
        "print(urllib.request.urlopen(sys.argv[1], timeout=5).read().decode())\n"
        "try:\n"
        "    urllib.request.urlopen('http://192.0.2.1/', timeout=5)\n"
        "except OSError as error:\n"
        "    print('refused', error)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, local_server], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    first, second = done.stdout.splitlines()[:2]
    assert first == "hello"
    assert second.startswith("refused") and "Connection refused" in second
