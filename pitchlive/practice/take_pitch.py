"""A recorded take as scoring reads it: the only module of practice/ that calls the analysis side."""

from __future__ import annotations

from pathlib import Path

from pitchlive.analysis.file import analyze_file
from pitchlive.frames import MODEL_SAMPLE_RATE_HZ
from pitchlive.practice.sung import SungPitch, level_envelope
from pitchlive.tracking.labels import label_track


def analyze_take(path: Path, model, settings) -> tuple[SungPitch, list[str]]:
    """Pitch, voicing and level envelope of a recorded take.

    Parameters
    ----------
    path : Path
        Any audio file pitchlive reads.
    model
        A loaded SPICE model (``pitchlive.model.load_model``).
    settings : pitchlive.settings.Settings
        Voicing threshold and A4.

    Returns
    -------
    sung : SungPitch
    problems : list of str
        Damage found while decoding, for the user.

    Raises
    ------
    pitchlive.audio.files.AudioFileError
        The file is missing or cannot be decoded.
    """
    result = analyze_file(Path(path), model, keep_audio=True)
    labels = label_track(result.track, settings, result.level_dbfs)
    audio = result.audio_16k if result.audio_16k is not None else []
    env_t, env_db = level_envelope(audio, MODEL_SAMPLE_RATE_HZ)
    sung = SungPitch(result.track.times_s, result.track.frequency_hz, labels.voiced, env_t, env_db)
    return sung, list(result.problems.summary())
