"""Names for the processes that hold leases (scheduler, inbox claims), and whether one is gone."""

from __future__ import annotations

import os
import socket
import uuid


def holder_id() -> str:
    """Name this process for logs and lease rows: host, pid and a random suffix."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def holder_gone(holder: str, me: str = "") -> bool:
    """A holder "host:pid:suffix" of this host whose process no longer runs.

    The same pid with another suffix is an earlier process too (containers reuse pid 1).
    Holders on other hosts cannot be checked: their leases expire instead.
    """
    host, _, rest = holder.partition(":")
    pid_text = rest.partition(":")[0]
    if holder == me or host != socket.gethostname() or not pid_text.isdigit():
        return False
    pid = int(pid_text)
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


PROCESS = holder_id()  # this process, for claims that outlive one call (comment writes)
