"""Finding devices by index or name (pitchlive.audio.devices), and the failures' types."""

import pytest

from pitchlive.audio import devices
from pitchlive.audio.devices import DeviceError, InputDevice, NoInputDeviceError, pick_device

CHOICES = [(0, "Built-in Microphone"), (3, "USB Mic"), (4, "USB Mic Pro")]


def test_pick_device_by_index_or_name():
    assert pick_device(3, CHOICES, "input") == 3
    assert pick_device("4", CHOICES, "input") == 4
    assert pick_device("built-in", CHOICES, "input") == 0
    assert pick_device("usb mic", CHOICES, "input") == 3          # the exact name wins
    assert pick_device("pro", CHOICES, "output") == 4


def test_pick_device_says_what_there_is():
    with pytest.raises(DeviceError, match=r"no output device with index 7\. Outputs: 0: Built"):
        pick_device("7", CHOICES, "output")
    with pytest.raises(DeviceError, match="No input device name contains 'zzz'.*Run `pitchlive"):
        pick_device("zzz", CHOICES, "input", " Run `pitchlive devices` to see them.")


def test_no_microphone_at_all_is_its_own_error_type(monkeypatch):
    monkeypatch.setattr(devices, "list_input_devices", lambda: [])
    with pytest.raises(NoInputDeviceError, match="No audio input device found"):
        devices.find_input_device(None)
    mic = InputDevice(2, "USB Mic", 1, 48000.0, "ALSA", False)
    monkeypatch.setattr(devices, "list_input_devices", lambda: [mic])
    assert devices.find_input_device(None) is mic
    with pytest.raises(DeviceError) as info:
        devices.find_input_device("nothing like it")
    assert not isinstance(info.value, NoInputDeviceError)


def test_a_missing_portaudio_means_no_microphone(monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_portaudio(name, *args, **kwargs):
        if name == "sounddevice":
            raise OSError("PortAudio library not found")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_portaudio)
    with pytest.raises(NoInputDeviceError, match="PortAudio library is not installed"):
        devices.import_sounddevice()
