"""Keep TensorFlow's and LiteRT's native start-up log lines off the user's terminal.

Their C++ loggers write straight to file descriptor 2 (absl ignores TF_CPP_MIN_LOG_LEVEL while
TensorFlow imports; LiteRT announces its XNNPACK delegate at INFO). Redirecting fd 2 to a file
for the duration would also swallow whatever the rest of the process prints meanwhile (another
thread's warning, an error message), so fd 2 goes through a pipe instead: a reader thread drops
the lines that match a native logger's format and passes every other line on at once.
"""

from __future__ import annotations

import contextlib
import os
import re
import sys
import threading
from collections.abc import Iterator

# absl / TF C++ ("W0000 00:00:1796055252.819014   10931 port.cc:153] ..." or
# "2026-11-30 12:00:00.1: I tensorflow/..."), TF's CPU-feature notice, TFLite's "INFO: ..." lines.
NATIVE_LOG_LINE = re.compile(
    r"^(?:[IWEF]\d{4} [\d:.]+ +\d+ [^\]\s]+:\d+\] "
    r"|\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+: [IWEF] (?:tensorflow|external|third_party)/"
    r"|WARNING: All log messages before absl::InitializeLog\(\)"
    r"|To enable the following instructions:"
    r"|INFO: (?:Created TensorFlow Lite|Initialized TensorFlow Lite))")

ENV_SHOW_NATIVE_LOGS = "PITCHLIVE_TF_LOGS"


def is_native_log_line(line: str) -> bool:
    """True for a line printed by TensorFlow's or LiteRT's native logger."""
    return bool(NATIVE_LOG_LINE.match(line))


class _Filter:
    """Reads the pipe that replaced fd 2 and writes the lines users should see to the saved fd."""

    def __init__(self, read_fd: int, out_fd: int) -> None:
        self._read_fd = read_fd
        self._out_fd = out_fd
        self.dropped: list[str] = []
        self._thread = threading.Thread(target=self._run, name="pitchlive-stderr-filter",
                                        daemon=True)
        self._thread.start()

    def _run(self) -> None:
        pending = b""
        while True:
            try:
                chunk = os.read(self._read_fd, 65536)
            except OSError:
                chunk = b""
            if not chunk:
                break
            *lines, pending = (pending + chunk).split(b"\n")
            for line in lines:
                self._route(line + b"\n")
        if pending:
            self._route(pending)
        os.close(self._read_fd)

    def _route(self, raw: bytes) -> None:
        text = raw.decode(errors="replace")
        if is_native_log_line(text):
            self.dropped.append(text)
            return
        with contextlib.suppress(OSError):
            os.write(self._out_fd, raw)

    def join(self) -> None:
        self._thread.join()


class _Active:
    """The filter installed on fd 2, shared by every block inside it (any thread)."""

    def __init__(self, stderr_fd: int) -> None:
        self.stderr_fd = stderr_fd
        self.saved_fd = os.dup(stderr_fd)
        read_fd, write_fd = os.pipe()
        self.filter = _Filter(read_fd, self.saved_fd)
        os.dup2(write_fd, stderr_fd)
        os.close(write_fd)
        self.users = 0

    def remove(self) -> None:
        with contextlib.suppress(Exception):
            sys.stderr.flush()
        os.dup2(self.saved_fd, self.stderr_fd)  # closes the pipe's last write end: it drains
        self.filter.join()


_lock = threading.Lock()
_active: _Active | None = None


@contextlib.contextmanager
def filtered_native_stderr() -> Iterator[list[str]]:
    """Drop native log lines written to fd 2 inside the block; everything else still shows.

    Yields the list of dropped lines (filled when the block ends). If the block raises, the
    dropped lines are shown after all, since they may explain the failure. Blocks may nest and
    overlap across threads (a model loading while a recording is analysed): the filter stays
    until the last one ends. $PITCHLIVE_TF_LOGS=1 turns the filter off.
    """
    global _active
    dropped: list[str] = []
    if os.environ.get(ENV_SHOW_NATIVE_LOGS) or not hasattr(sys.stderr, "fileno"):
        yield dropped
        return
    try:
        stderr_fd = sys.stderr.fileno()
    except (OSError, ValueError):  # pytest capture or an embedded interpreter
        yield dropped
        return
    with _lock:
        if _active is None:
            sys.stderr.flush()
            _active = _Active(stderr_fd)
        active = _active
        active.users += 1
        first_line = len(active.filter.dropped)
    failed = False
    try:
        yield dropped
    except BaseException:
        failed = True
        raise
    finally:
        with _lock:
            active.users -= 1
            last = active.users == 0
            if last:
                active.remove()
                _active = None
            dropped.extend(active.filter.dropped[first_line:])
            if failed and dropped:
                with contextlib.suppress(OSError):
                    os.write(active.saved_fd, "".join(dropped).encode())
            if last:
                os.close(active.saved_fd)
