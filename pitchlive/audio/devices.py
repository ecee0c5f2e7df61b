"""Audio input devices: listing them and finding one by index or name substring."""

from __future__ import annotations

from dataclasses import dataclass


class DeviceError(Exception):
    """No usable audio device; the message says what to do."""


class NoInputDeviceError(DeviceError):
    """No microphone can be opened at all: none is connected or enabled, or PortAudio is missing.

    (Other DeviceErrors concern one device: a wrong name, a busy or failing device.)
    """


@dataclass(frozen=True)
class InputDevice:
    """An audio input as PortAudio reports it."""

    index: int
    name: str
    max_input_channels: int
    default_sample_rate_hz: float
    host_api: str
    is_default: bool


def import_sounddevice():
    """The sounddevice module, or DeviceError when the PortAudio library is missing."""
    try:
        import sounddevice
    except OSError as exc:
        raise NoInputDeviceError(
            "The PortAudio library is not installed, so no microphone can be opened "
            f"({exc}). On Debian/Ubuntu: `sudo apt-get install libportaudio2`; on Fedora: "
            "`sudo dnf install portaudio`; on macOS: `brew install portaudio`.") from exc
    return sounddevice


def rescan_devices() -> None:
    """Make PortAudio look for devices again; every open stream of this process must be closed.

    PortAudio enumerates devices once, when it initialises, so a microphone plugged in later
    stays invisible until it is terminated and initialised again.
    """
    sd = import_sounddevice()
    try:
        sd._terminate()
        sd._initialize()
    except Exception as exc:  # noqa: BLE001 - PortAudio errors have no common type
        raise DeviceError(f"The audio system could not look for devices again ({exc}). Restart "
                          "pitchlive to see newly connected devices.") from exc


def list_input_devices() -> list[InputDevice]:
    """Every device with at least one input channel, in PortAudio's order."""
    sd = import_sounddevice()
    try:
        devices = sd.query_devices()
        host_apis = sd.query_hostapis()
        default_input = sd.default.device[0]
    except Exception as exc:  # noqa: BLE001 - PortAudio errors have no common type
        raise DeviceError(f"The audio system could not list devices ({exc}). Check that "
                          "your sound server (PulseAudio/PipeWire/ALSA) is running.") from exc
    found = []
    for index, device in enumerate(devices):
        if device["max_input_channels"] > 0:
            found.append(InputDevice(
                index=index, name=device["name"],
                max_input_channels=int(device["max_input_channels"]),
                default_sample_rate_hz=float(device["default_samplerate"]),
                host_api=host_apis[device["hostapi"]]["name"],
                is_default=index == default_input))
    return found


def find_input_device(spec: int | str | None) -> InputDevice:
    """The device named by index or case-insensitive name substring; None = system default."""
    devices = list_input_devices()
    if not devices:
        raise NoInputDeviceError(
            "No audio input device found. Plug in or enable a microphone (check that it is not "
            "muted or disabled in the system sound settings), or analyse a file with "
            "`pitchlive analyze FILE` / `pitchlive listen --input FILE`.")
    if spec is None or spec == "":
        defaults = [d for d in devices if d.is_default]
        return defaults[0] if defaults else devices[0]
    index = pick_device(spec, [(d.index, d.name) for d in devices], "input",
                        " Run `pitchlive devices` to see them.")
    return next(d for d in devices if d.index == index)


def pick_device(spec: int | str, choices: list[tuple[int, str]], kind: str,
                hint: str = "") -> int:
    """The index of the device spec names among choices, (index, name) pairs.

    spec is an index, or a case-insensitive name substring (an exact name wins over a partial
    one). Raises DeviceError listing the choices, with hint appended, when none matches.
    """
    listing = "; ".join(f"{i}: {name}" for i, name in choices)
    text = str(spec).strip()
    if text.lstrip("-").isdigit():
        index = int(text)
        if any(i == index for i, _ in choices):
            return index
        raise DeviceError(f"There is no {kind} device with index {index}. "
                          f"{kind.capitalize()}s: {listing}.{hint}")
    matches = [i for i, name in choices if text.lower() in name.lower()]
    if not matches:
        raise DeviceError(f"No {kind} device name contains {text!r}. "
                          f"{kind.capitalize()}s: {listing}.{hint}")
    exact = [i for i, name in choices if name.lower() == text.lower()]
    return (exact or matches)[0]


def format_device_table(devices: list[InputDevice]) -> str:
    """A plain-text table for `pitchlive devices`."""
    if not devices:
        return "No audio input devices found."
    rows = [("", "index", "name", "channels", "default rate (Hz)", "host API")]
    for d in devices:
        rows.append(("*" if d.is_default else "", str(d.index), d.name,
                     str(d.max_input_channels), f"{d.default_sample_rate_hz:.0f}", d.host_api))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in rows]
    return "\n".join(lines) + "\n(* = system default input)"
