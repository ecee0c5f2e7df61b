"""The one settings object: every tunable of analysis, tracking and display, validated.

Settings is immutable; change it with ``settings.replace(a4_hz=442)``, which validates again.
CLI options, environment variables and the GUI's QSettings all end up here.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, replace

from pitchlive.music import transposition_semitones

DEFAULT_MODEL_HANDLE = "https://tfhub.dev/google/spice/2"
# Low-latency mode's live window (window, right context in 16 kHz samples): a shorter right
# context for a sooner frame, at some live accuracy (README, "Latency study").
LOW_LATENCY_WINDOW = (1792, 256)
MODEL_ENV_VAR = "PITCHLIVE_MODEL"
CALIBRATION_ENV_VAR = "PITCHLIVE_CALIBRATION"


class SettingsError(ValueError):
    """A setting is out of range; the message says which and what is allowed."""


@dataclass(frozen=True)
class Settings:
    """User settings with their units in the names."""

    # model
    model_source: str | None = None        # --model / PITCHLIVE_MODEL / TF Hub SPICE v2
    calibration: str | None = None          # "v1"/"v2" to override detection
    # voicing and naming
    confidence_threshold: float = 0.9
    level_gate_dbfs: float = -60.0
    a4_hz: float = 440.0
    transposition: str = "C"                # music.TRANSPOSITIONS_SEMITONES key, or "+3", "-14"
    prefer_flats: bool = False
    # live engine
    device: str | None = None               # index or name substring; None = system default
    channel: int | None = None              # None = mix all channels
    # SPICE window at 16 kHz and the audio after the kept frame's centre within it: chosen with
    # the refinement stage on the accuracy corpus, low instruments included
    # (bench/accuracy_windows.py): one hop more right context than before (768, not 256) brings
    # live RPA to within 0.01 of whole-file analysis, for 32 ms more latency.
    window_samples: int = 2304
    right_context_samples: int = 768
    # Low-latency mode: the live path uses LOW_LATENCY_WINDOW instead of the two fields above.
    low_latency: bool = False
    # Fast note changes (tracking/note_change.py): the newest few periods of each live window
    # show a new note as soon as they clearly hold it, before the refinement's 64 ms frame does:
    # step latency 75 -> ~23 ms at no cost in live accuracy (README, "Latency study"). Off only
    # for comparison; always on in low-latency mode (live_note_changes).
    fast_note_changes: bool = True
    # The steady-note median (tracking/smoothing.py). Off: with the refinement stage a held note
    # already reads to hundredths of a cent, and the median delayed vibrato and glides by a frame
    # (live RPA 0.914 -> 0.903 on the accuracy corpus, bench/accuracy_windows.py).
    smoothing: bool = False
    # The refinement stage (tracking/refine.py): the signal fixes the model's pitch, octave and
    # voicing. Off = the model's raw output, for comparison (--raw).
    refine: bool = True
    # Name notes and cents relative to the singer's own running tuning offset (a choir that has
    # drifted 30 cents flat still reads "in tune") instead of the fixed A4 grid.
    correct_tuning_offset: bool = False
    # display
    history_s: float = 10.0

    def __post_init__(self) -> None:
        problems = []
        if not 0.0 <= self.confidence_threshold <= 1.0 or math.isnan(self.confidence_threshold):
            problems.append(f"confidence threshold must be between 0 and 1, got "
                            f"{self.confidence_threshold}")
        if not 400.0 <= self.a4_hz <= 480.0:
            problems.append(f"A4 reference must be between 400 and 480 Hz, got {self.a4_hz}")
        if not -120.0 <= self.level_gate_dbfs <= 0.0:
            problems.append(f"level gate must be between -120 and 0 dBFS, got "
                            f"{self.level_gate_dbfs}")
        try:
            transposition_semitones(self.transposition)
        except ValueError as exc:
            problems.append(str(exc))
        if self.calibration not in (None, "v1", "v2"):
            problems.append(f"calibration must be v1 or v2, got {self.calibration!r}")
        if not 1024 <= self.window_samples <= 65536 or self.window_samples % 256:
            problems.append(f"window must be a multiple of 256 samples between 1024 and 65536, "
                            f"got {self.window_samples}")
        elif not 0 <= self.right_context_samples < self.window_samples or \
                (self.window_samples - self.right_context_samples) % 512:
            problems.append(f"the kept frame must be a SPICE frame inside the window: window "
                            f"minus right context must be a positive multiple of 512 samples, got "
                            f"{self.window_samples} - {self.right_context_samples}")
        if self.channel is not None and self.channel < 0:
            problems.append(f"channel numbers start at 0, got {self.channel}")
        if not 1.0 <= self.history_s <= 600.0:
            problems.append(f"history must be between 1 and 600 s, got {self.history_s}")
        if problems:
            raise SettingsError("; ".join(problems) + ".")

    @property
    def transpose_semitones(self) -> int:
        """Semitones added to concert pitch to name notes for the chosen instrument."""
        return transposition_semitones(self.transposition)

    @property
    def live_window(self) -> tuple[int, int]:
        """(window, right context) in 16 kHz samples that the live engine uses."""
        if self.low_latency:
            return LOW_LATENCY_WINDOW
        return self.window_samples, self.right_context_samples

    @property
    def live_note_changes(self) -> bool:
        """Whether the live tracker lets the newest audio show a clear note change at once."""
        return self.refine and (self.fast_note_changes or self.low_latency)

    def replace(self, **changes) -> "Settings":
        """A copy with some fields changed (validated)."""
        return replace(self, **changes)

    def resolved_model_source(self) -> tuple[str, str]:
        """(source, where it came from): --model, then $PITCHLIVE_MODEL, then TF Hub SPICE v2."""
        if self.model_source:
            return self.model_source, "--model"
        env = os.environ.get(MODEL_ENV_VAR, "").strip()
        if env:
            return env, f"${MODEL_ENV_VAR}"
        return DEFAULT_MODEL_HANDLE, "default (TF Hub SPICE v2)"

    def resolved_calibration(self) -> str | None:
        """Explicit calibration override from settings or $PITCHLIVE_CALIBRATION, else None."""
        if self.calibration:
            return self.calibration
        env = os.environ.get(CALIBRATION_ENV_VAR, "").strip().lower()
        if env and env not in ("v1", "v2"):
            raise SettingsError(f"${CALIBRATION_ENV_VAR} must be v1 or v2, got {env!r}.")
        return env or None
