"""Free TCP ports on loopback, for the processes `up` starts (and the tests and benchmarks)."""

from __future__ import annotations

import socket


def free_port(avoid: frozenset[int] = frozenset()) -> int:
    """A TCP port on loopback that nothing listens on right now, and not one of `avoid`:
    ports already promised to another process that may not have bound them yet (the kernel
    hands a port just released by a probe like this one out again)."""
    while True:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = int(s.getsockname()[1])
        if port not in avoid:
            return port
