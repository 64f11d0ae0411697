"""Which process runs a turn, and whether that process is still alive.

A turn records its owner in the store (``RunningTurn.owner``) so that another process reading
the same store (two notebooks share the default file; ``serve`` runs several workers) can tell
a reply still streaming elsewhere from one whose process died. The owner is JSON naming the
host, the pid and, where the system says, when that process started (a pid is reused).

- Same host and process namespace: the pid's process exists and started when the owner says;
  a live process is never judged dead, however long its event loop is blocked.
- Another host, another container's process namespace, or Windows (no safe way to ask): the
  owner's heartbeat, refreshed while it streams, is older than ``DEAD_AFTER`` seconds. A turn
  whose event loop is blocked that long there (a synchronous tool) is taken for dead.
"""

from __future__ import annotations

import functools
import json
import os
import socket
import sys
import time
from pathlib import Path

#: A turn on another host whose heartbeat is older than this (seconds) is dead.
DEAD_AFTER = 60.0


@functools.cache
def this_process() -> str:
    """This process as a turn owner: ``{"host", "pid", "start"}`` as compact JSON."""
    pid = os.getpid()
    return json.dumps(
        {"host": socket.gethostname(), "ns": _pid_namespace(), "pid": pid, "start": _started(pid)},
        separators=(",", ":"),
    )


def is_alive(owner: str, beat: float, now: float | None = None) -> bool:
    """Whether the process ``owner`` names may still be running its turn.

    An owner that cannot be read is treated as dead once its heartbeat is stale.
    """
    stale = (time.time() if now is None else now) - beat > DEAD_AFTER
    try:
        data = json.loads(owner)
        host, pid, ns = str(data["host"]), int(data["pid"]), data.get("ns")
        start = None if data.get("start") is None else str(data["start"])
    except (ValueError, KeyError, TypeError):
        return not stale
    if host != socket.gethostname() or ns != _pid_namespace() or sys.platform == "win32":
        # Its pid means nothing here (or, on Windows, os.kill(pid, 0) would terminate it).
        return not stale
    if pid == os.getpid():
        return start == _started(pid)
    started = _started(pid)
    if start is not None and started is not None:
        return started == start  # a reused pid started later
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: it exists
        return True
    return True


def _pid_namespace() -> int | None:
    """This process's pid namespace (Linux): containers on one host each have their own."""
    try:
        return os.stat("/proc/self/ns/pid").st_ino
    except OSError:
        return None


def _started(pid: int) -> str | None:
    """When process ``pid`` started, as ``boot id:clock ticks since boot`` (Linux), or None."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        boot = Path("/proc/sys/kernel/random/boot_id").read_text().strip()
    except OSError:
        return None
    # The command name (field 2) is in parentheses and may hold spaces: split after it.
    fields = stat[stat.rindex(")") + 2 :].split()
    return f"{boot}:{fields[19]}"  # field 22, the start time
