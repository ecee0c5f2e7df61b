"""BackgroundJobs: results on the GUI thread, waiting, and the join on shutdown (issue 15)."""

from __future__ import annotations

import os
import threading
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest

pytest.importorskip("pytestqt")

from pitchlive.ui.background import BackgroundJobs, wait_for_all

pytestmark = pytest.mark.gui


def test_a_job_result_and_failure_arrive_on_the_gui_thread(qtbot):
    jobs = BackgroundJobs()
    got = []
    where = []

    def work():
        where.append(threading.current_thread().name)
        return 42

    jobs.run(work, "pitchlive-test", lambda r: got.append((r, threading.current_thread())))
    jobs.run(lambda: 1 / 0, "pitchlive-test-fail", None, lambda exc: got.append(type(exc)))
    qtbot.waitUntil(lambda: len(got) == 2, timeout=3000)
    assert (42, threading.main_thread()) in got and ZeroDivisionError in got
    assert where == ["pitchlive-test"]


def test_jobs_are_not_daemons_and_shutdown_joins_them_and_drops_their_results(qtbot):
    jobs = BackgroundJobs()
    release = threading.Event()
    delivered = []
    task = jobs.run(lambda: release.wait(5) and "done", "pitchlive-slow", delivered.append)
    assert not task._thread.daemon       # Python joins it before finalising, whatever happens
    threading.Timer(0.3, release.set).start()
    started = time.monotonic()
    assert jobs.shutdown(5.0)
    assert time.monotonic() - started >= 0.25 and not task.running
    qtbot.wait(50)
    assert delivered == []               # the owner is gone: the result is dropped
    assert jobs.run(lambda: 1, "pitchlive-late") is None    # nothing starts after shutdown


def test_shutdown_reports_a_job_that_outlives_its_timeout(qtbot):
    jobs = BackgroundJobs()
    release = threading.Event()
    jobs.run(lambda: release.wait(5), "pitchlive-stuck")
    assert not jobs.shutdown(0.1) and jobs.running() == ["pitchlive-stuck"]
    assert not wait_for_all(0.1)
    release.set()
    assert wait_for_all(5.0) and jobs.running() == []


def test_wait_blocks_until_every_job_has_ended(qtbot):
    jobs = BackgroundJobs()
    ended = []
    for k in range(3):
        jobs.run(lambda k=k: (time.sleep(0.05 * k), ended.append(k)), f"pitchlive-{k}")
    assert jobs.wait(5.0) and sorted(ended) == [0, 1, 2]
