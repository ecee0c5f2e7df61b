"""Leaving the process without interpreter finalisation, once everything is saved.

Finalisation kills threads that are still running; one killed inside TensorFlow aborts the
process (SIGABRT, issue 15), and so can TensorFlow's own threads once it is loaded. The window
(after joining its jobs), the `pitchlive` program (when `listen`'s model thread is still loading,
or TensorFlow was loaded) and the test process (tests/conftest.py) leave this way instead.
"""

from __future__ import annotations

import logging
import os
import sys


def leave_now(status: int) -> None:
    """Flush the log and the standard streams, then exit at once with `status` (never returns)."""
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(status)
