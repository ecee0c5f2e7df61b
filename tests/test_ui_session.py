"""How the window tells failures apart (pitchlive.ui.session.failure_for): by type, not text."""

from pathlib import Path

from pitchlive.audio.devices import DeviceError, NoInputDeviceError
from pitchlive.audio.files import AudioFileError
from pitchlive.ui.session import (DEVICE_FAILED, FILE_FAILED, NO_DEVICE, SourceSpec,
                                  failure_for)

MIC = SourceSpec()
FILE = SourceSpec(Path("take.wav"), play=True)


def test_failures_are_classified_by_exception_type():
    assert failure_for(NoInputDeviceError("anything at all"), MIC).kind == NO_DEVICE
    # The same words in a plain DeviceError are not "no microphone".
    plain = failure_for(DeviceError("No audio input device found."), MIC)
    assert plain.kind == DEVICE_FAILED and plain.title == "The input device cannot be opened"
    assert failure_for(NoInputDeviceError("x"), FILE).title == \
        "The recording cannot be played aloud"
    assert failure_for(AudioFileError("bad file"), FILE).kind == FILE_FAILED
    other = failure_for(RuntimeError("boom"), MIC)
    assert other.kind == DEVICE_FAILED and "RuntimeError: boom" in other.message
