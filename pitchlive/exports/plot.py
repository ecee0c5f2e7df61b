"""The SPICE notebook's key figure: a log-frequency spectrogram with the confident pitch on top.

Rendered with matplotlib's Agg backend, so it needs no display. The spectrogram comes streamed
and decimated (pitchlive.analysis.spectrogram.StreamingSpectrogram), so a 3-hour file plots in
the same memory as a 3-minute one.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from pitchlive.analysis.spectrogram import SemitoneSpectrogram
from pitchlive.exports.atomic import open_atomically
from pitchlive.frames import PitchTrack
from pitchlive.music import hz_to_midi, midi_to_hz, note_name

FMIN_HZ = 40.0
FMAX_HZ = 2000.0
PLOT_COLUMNS = 3000     # the figure is 1,320 pixels wide: more columns only cost memory
PLOT_POINTS = 40000     # pitch dots drawn at most (~30 per pixel column); longer tracks are thinned
DYNAMIC_RANGE_DB = 80.0


def plot_formats() -> dict[str, str]:
    """Image formats a plot can be saved in: extension without the dot -> description."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    return dict(FigureCanvasAgg.get_supported_filetypes())


def plot_format(path: Path) -> str | None:
    """The format of a plot path by its extension, or None when it has no supported one."""
    suffix = Path(path).suffix.lower().lstrip(".")
    return suffix if suffix in plot_formats() else None


def save_pitch_plot(path: Path, spectrogram: SemitoneSpectrogram | None, track: PitchTrack,
                    voiced: np.ndarray, title: str, duration_s: float,
                    a4_hz: float = 440.0) -> None:
    """Save spectrogram + confident pitch as an image, atomically (format by suffix).

    The y axis is in semitones (MIDI at A4 = 440 Hz), which is a log-frequency axis labelled in
    notes and Hz: the semitone spectrogram is then a plain image, drawn at screen resolution
    whatever its size (a mesh of its cells took ~100 MB).

    Parameters
    ----------
    path : Path
        Destination; its extension is one of plot_formats().
    spectrogram : SemitoneSpectrogram or None
        The recording's streamed spectrogram (None: too short for one; only the pitch shows).
    track : PitchTrack
        The model's frames, (n_frames,) each.
    voiced : np.ndarray, shape (n_frames,), bool
        Frames drawn as confident pitch.
    duration_s : float
        Length of the recording in seconds (the x range).
    """
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    path = Path(path)
    fig, ax = plt.subplots(figsize=(12, 5), dpi=110)
    try:
        if spectrogram is not None:
            _draw_spectrogram(ax, spectrogram)
        ax.set_ylim(hz_to_midi(FMIN_HZ), hz_to_midi(FMAX_HZ))
        ax.set_xlim(0, max(duration_s, 1e-3))
        ticks = [m for m in range(24, 108, 12) if FMIN_HZ <= midi_to_hz(m, a4_hz) <= FMAX_HZ]
        ax.set_yticks([hz_to_midi(midi_to_hz(m, a4_hz)) for m in ticks])
        ax.set_yticklabels([f"{note_name(m)}\n{midi_to_hz(m, a4_hz):.0f} Hz" for m in ticks])
        ax.minorticks_off()
        frames = np.flatnonzero(voiced)
        frames = frames[::max(1, -(-frames.size // PLOT_POINTS))]
        ax.plot(track.times_s[frames], hz_to_midi(track.frequency_hz[frames]), ".",
                color="#3df5ff", markersize=3, label="SPICE pitch (confident frames)")
        ax.set_xlabel("time (s)")
        ax.set_ylabel("frequency")
        ax.set_title(title)
        ax.legend(loc="upper right")
        fig.tight_layout()
        with open_atomically(path) as handle:
            fig.savefig(handle, format=plot_format(path) or "png")
    finally:
        plt.close(fig)


def _draw_spectrogram(ax, spectrogram: SemitoneSpectrogram) -> None:
    """The image on the semitone axis: row r is centred on midi_lo + r * midi_step."""
    level_db = spectrogram.level_db
    half_row = spectrogram.midi_step / 2
    shown = np.maximum(level_db, level_db.max() - DYNAMIC_RANGE_DB)
    ax.imshow(shown, origin="lower", aspect="auto", cmap="magma", interpolation="nearest",
              extent=(spectrogram.start_s, spectrogram.start_s + spectrogram.duration_s,
                      spectrogram.midi_lo - half_row,
                      spectrogram.midi_lo + (level_db.shape[0] - 1) * spectrogram.midi_step
                      + half_row))
