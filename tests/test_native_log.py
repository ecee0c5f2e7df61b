"""Native log filtering: TensorFlow's and LiteRT's start-up lines are dropped, nothing else is.

These run in subprocesses: pytest replaces stderr, and the filter works on the real fd 2.
"""

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from pitchlive.model.native_log import is_native_log_line

ROOT = Path(__file__).resolve().parents[1]

NATIVE = [
    "I0000 00:00:1796055252.819014   10931 port.cc:153] oneDNN custom operations are on.",
    "E0000 00:00:1796055255.847337   10931 cuda_platform.cc:52] failed call to cuInit",
    "W0000 00:00:1700000000.100000    123 loader.cc:45] something",
    "2026-11-30 12:00:00.123456: I tensorflow/core/platform/cpu_feature_guard.cc:210] This TF",
    "WARNING: All log messages before absl::InitializeLog() is called are written to STDERR",
    "INFO: Created TensorFlow Lite XNNPACK delegate for CPU.",
]
USER = [
    "pitchlive: error: the model folder does not exist",
    "pitchlive: warning: live tracking runs on TensorFlow instead of LiteRT",
    "Traceback (most recent call last):",
    "INFO: a message of some other library",
    "I0000 is not a log line without its fields",
]


def run_python(code: str, **env) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], cwd=ROOT,
                          env={**os.environ, "PYTHONPATH": str(ROOT), **env},
                          capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("line", NATIVE)
def test_native_log_lines_are_recognised(line):
    assert is_native_log_line(line)


@pytest.mark.parametrize("line", USER)
def test_other_lines_are_not(line):
    assert not is_native_log_line(line)


FILTER_SCRIPT = """
    import os, sys, threading
    from pitchlive.model.native_log import filtered_native_stderr

    def other_thread():
        print("message from another thread", file=sys.stderr, flush=True)

    with filtered_native_stderr() as dropped:
        os.write(2, b"I0000 00:00:1796055252.8   10931 port.cc:153] oneDNN on\\n")
        print("message from this thread", file=sys.stderr, flush=True)
        thread = threading.Thread(target=other_thread)
        thread.start()
        thread.join()
        os.write(2, b"INFO: Created TensorFlow Lite XNNPACK delegate for CPU.\\n")
        os.write(2, b"last line without a newline")
    print(f"after: {len(dropped)} dropped", file=sys.stderr)
    """


def test_everything_but_native_lines_reaches_stderr_while_filtering():
    result = run_python(FILTER_SCRIPT)
    assert result.returncode == 0
    assert result.stderr.splitlines() == [
        "message from this thread", "message from another thread",
        "last line without a newline" + "after: 2 dropped"]


def test_pitchlive_tf_logs_turns_the_filter_off():
    result = run_python(FILTER_SCRIPT, PITCHLIVE_TF_LOGS="1")
    assert "port.cc:153] oneDNN on" in result.stderr and "after: 0 dropped" in result.stderr


def test_dropped_lines_are_shown_when_the_block_fails():
    result = run_python("""
        import os
        from pitchlive.model.native_log import filtered_native_stderr
        try:
            with filtered_native_stderr():
                os.write(2, b"E0000 00:00:1.2   1 loader.cc:9] could not open the file\\n")
                raise RuntimeError("load failed")
        except RuntimeError:
            pass
        """)
    assert "loader.cc:9] could not open the file" in result.stderr


@pytest.mark.slow
def test_messages_printed_while_tensorflow_imports_are_not_lost():
    # Issue 15: the window printed an error while TensorFlow imported on another thread, and it
    # vanished with TensorFlow's start-up lines.
    result = run_python("""
        import sys, threading, time
        from pitchlive.model import _import_tf

        def speak():
            for i in range(5):
                print(f"user message {i}", file=sys.stderr, flush=True)
                time.sleep(0.2)

        thread = threading.Thread(target=speak)
        thread.start()
        _import_tf()
        thread.join()
        """)
    assert result.returncode == 0, result.stderr
    lines = result.stderr.splitlines()
    assert [line for line in lines if line.startswith("user message")] == \
        [f"user message {i}" for i in range(5)]
    assert not any(is_native_log_line(line) for line in lines), lines


def test_overlapping_blocks_on_two_threads_share_one_filter():
    # The loader's block starts first and ends first, inside main's block: with one redirection
    # per block, the loader waited forever for its pipe to close and stderr stayed redirected.
    result = run_python("""
        import os, sys, threading
        from pitchlive.model.native_log import filtered_native_stderr

        inside, release = threading.Event(), threading.Event()

        def loader():
            with filtered_native_stderr():
                inside.set()
                release.wait()
                os.write(2, b"I0000 00:00:1.5   7 a.cc:1] from the loader\\n")

        thread = threading.Thread(target=loader, daemon=True)
        thread.start()
        inside.wait()
        with filtered_native_stderr():
            release.set()
            thread.join(timeout=5)
            print("loader finished" if not thread.is_alive() else "loader hangs",
                  file=sys.stderr, flush=True)
            os.write(2, b"W0000 00:00:1.5   7 b.cc:2] from main\\n")
        print("after both", file=sys.stderr, flush=True)
        os.write(2, b"W0000 00:00:1.5   7 c.cc:3] after the filter\\n")
        """)
    assert result.returncode == 0
    assert result.stderr.splitlines() == ["loader finished", "after both",
                                          "W0000 00:00:1.5   7 c.cc:3] after the filter"]
