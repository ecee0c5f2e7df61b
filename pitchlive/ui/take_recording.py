"""One take being recorded from the running engine, and where it sits on the live timeline."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from pitchlive.takes import Take, TakeRecorder


class LiveRecording:
    """A TakeRecorder on an engine, plus the stream position of the take's first block.

    start() and stop() raise TakeError like the recorder; the rest is only read.
    """

    def __init__(self, engine, spool_dir: Path | None) -> None:
        self._engine = engine
        self.recorder = TakeRecorder(engine, spool_dir)
        self._first_block: tuple[int, float] | None = None   # (sample, rate) of the take
        self._unsubscribe: Callable[[], None] | None = None

    @property
    def recording(self) -> bool:
        """True from start() until stop()."""
        return self.recorder.recording

    @property
    def elapsed_s(self) -> float:
        """Seconds recorded so far."""
        return self.recorder.elapsed_s

    def start(self) -> None:
        """Begin the take (creates its empty spool file; the audio comes on the engine's worker)."""
        self.recorder.start()
        engine = self._engine

        def on_audio(block, sample_rate_hz: float) -> None:   # engine worker thread
            # Where in the stream the take starts, to place its notes on the live timeline.
            if self._first_block is None:
                self._first_block = (engine.audio_position_samples, float(sample_rate_hz))

        self._unsubscribe = engine.subscribe_audio(on_audio)

    def stop(self) -> Take:
        """End the take (its spool header is a few bytes to update) and return it."""
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        return self.recorder.stop()

    def display_offset_s(self, live_offset_s: float | None) -> float:
        """Live-view time of the take's first sample (take times + this = trace times)."""
        if self._first_block is None or live_offset_s is None:
            return 0.0
        sample, rate_hz = self._first_block
        return sample / rate_hz + live_offset_s
