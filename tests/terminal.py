"""Running `pitchlive ...` on a pseudo-terminal, as a user at a shell would see it."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run_on_terminal(args: list[str], env: dict[str, str], timeout_s: float = 120.0
                    ) -> tuple[int, str]:
    """Run `python -m pitchlive *args` with stdout on a pty; (exit status, what it wrote)."""
    leader, follower = pty.openpty()
    process = subprocess.Popen([sys.executable, "-m", "pitchlive", *args], env=env, cwd=ROOT,
                               stdin=follower, stdout=follower, stderr=subprocess.PIPE)
    os.close(follower)
    output = b""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        ready, _, _ = select.select([leader], [], [], 0.5)
        if ready:
            try:
                chunk = os.read(leader, 4096)
            except OSError:
                break
            if not chunk:
                break
            output += chunk
        elif process.poll() is not None:
            break
    process.wait(10)
    process.stderr.close()
    os.close(leader)
    return process.returncode, output.decode()
