"""The window is as robust as the CLI: each hostile file, opened through File → Open, gives a
banner that says what is wrong, and the window still opens the next recording."""

from __future__ import annotations

import pytest

pytest.importorskip("pytestqt")

import hostile  # noqa: E402
from test_ui_window import FixedPitchModel, make_window, store  # noqa: E402,F401 - fixtures

CASES = [
    (hostile.huge_rate_wav, "2,147,483,647 Hz"),
    (hostile.one_hz_wav, "the header says 1 Hz"),
    (hostile.raw_pcm, "raw PCM has no header"),
    (hostile.id3_only_mp3, "no audio frames"),
    (hostile.symlink_loop, "symbolic link loop"),
    (hostile.fifo_with_wav, "pipe"),
]


@pytest.mark.parametrize("make_file, phrase", CASES, ids=[c[0].__name__ for c in CASES])
def test_a_hostile_file_gives_a_banner_and_the_window_stays_usable(qtbot, make_window, tmp_path,
                                                                   make_file, phrase):
    window = make_window()
    window.set_model(FixedPitchModel())
    window.open_recording(make_file(tmp_path))
    qtbot.waitUntil(lambda: window.banner.kind == "error", timeout=10000)
    assert window.banner.title_text() == "This recording cannot be opened"
    assert phrase in window.banner.message_text()
    window.open_recording(hostile.good_wav(tmp_path, duration_s=2.0))
    qtbot.waitUntil(lambda: window.file_view.result is not None, timeout=20000)
    assert window.banner.kind != "error"


def test_a_1024_channel_file_opens_in_the_recording_view(qtbot, make_window, tmp_path):
    window = make_window()
    window.set_model(FixedPitchModel())
    window.open_recording(hostile.many_channels_wav(tmp_path))
    qtbot.waitUntil(lambda: window.file_view.result is not None, timeout=20000)
    assert window.file_view.result.analysis.channels == 1024
