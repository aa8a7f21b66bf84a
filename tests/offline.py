"""Keep the test run off the network: loopback and local sockets only, here and in subprocesses.

The project's bar is "no network at build time, in tests, or in the built site"; a test that
downloads passes on a machine with a network and fails (or changes) on one without. In this
process an audit hook refuses every connection and name lookup that is not to this machine;
subprocesses (pip, MkDocs, the CLI) inherit proxy variables that lead nowhere, with loopback
exempt, so their HTTP clients fail at once instead of reaching out.
"""

from __future__ import annotations

import ipaddress
import os
import socket
import sys
from typing import Any

# A proxy nobody listens on (port 9, discard): pip, requests, urllib and curl honour these.
DEAD_PROXY = "http://127.0.0.1:9"
PROXY_VARIABLES = ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy", "ALL_PROXY")
LOCAL_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost", ""})
LOOPBACK = "localhost,127.0.0.1,::1"


class NetworkUse(OSError):
    """A test tried to reach another machine."""


def is_local(host: object) -> bool:
    if host is None:
        return True
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    if not isinstance(host, str):
        return False
    if host.lower() in LOCAL_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.split("%", 1)[0]).is_loopback
    except ValueError:
        return False


def _audit(event: str, args: tuple[Any, ...]) -> None:
    if event == "socket.connect":
        sock, address = args
        if sock.family in (socket.AF_INET, socket.AF_INET6) and not is_local(address[0]):
            raise NetworkUse(f"a test tried to connect to {address!r}: tests never reach the network")
    elif event in ("socket.getaddrinfo", "socket.gethostbyname", "socket.gethostbyname_ex") and not is_local(args[0]):
        raise NetworkUse(f"a test tried to look up {args[0]!r}: tests never reach the network")


_installed = False


def install() -> None:
    """Refuse non-local sockets in this process from now on; point subprocesses' proxies nowhere."""
    global _installed
    if not _installed:
        sys.addaudithook(_audit)  # audit hooks cannot be removed: once per process
        _installed = True
    for name in PROXY_VARIABLES:
        os.environ[name] = DEAD_PROXY
    os.environ["no_proxy"] = os.environ["NO_PROXY"] = LOOPBACK
