"""A software microphone for tests and benchmarks: a private PulseAudio with a null sink.

The sink's monitor is the default source, so whatever is played into the sink comes out of the
'microphone' through the real stack: PulseAudio -> ALSA's pulse plugin -> PortAudio ->
sounddevice.InputStream, in real time. Nothing here needs root or a sound card; the packages are
Debian's pulseaudio, pulseaudio-utils and libasound2-plugins (`make test` installs them as root).

Pitfalls handled (measured on these machines):
- a null sink that nobody records at low latency renders up to 2 s ahead, so sound would arrive
  0-2 s late: a `parec --latency-msec=20` keep-alive plus a suspend/resume at start fixes it;
- `paplay --latency-msec=20` drops 15-40 ms gaps under CPU load, so play() uses 200 ms;
- PortAudio lists devices once, when it initialises: start() and stop() re-initialise it so the
  process sees (or stops seeing) the new server.

Use as a pytest plugin (``pytest_plugins = ["fakemic"]``) or import the fixtures.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pytest

SINK = "fakemic"
PLAY_LATENCY_MS = 200
KEEPALIVE_LATENCY_MS = 20
REQUIRED_PROGRAMS = ("pulseaudio", "pactl", "paplay", "parec")


def missing_programs() -> list[str]:
    """PulseAudio programs the software microphone needs that are not on PATH."""
    return [p for p in REQUIRED_PROGRAMS if shutil.which(p) is None]


def reinitialize_portaudio() -> None:
    """Make PortAudio list devices again (it reads the environment only when it initialises)."""
    sd = sys.modules.get("sounddevice")
    if sd is not None:
        sd._terminate()
        sd._initialize()


class FakeMic:
    """One private PulseAudio daemon whose default source is the monitor of a null sink."""

    def __init__(self, rate_hz: int = 48000, channels: int = 1, base_dir: Path | None = None
                 ) -> None:
        self.rate_hz = rate_hz
        self.channels = channels
        self._own_dir = base_dir is None
        self.base_dir = Path(base_dir) if base_dir else Path(tempfile.mkdtemp(prefix="fakemic-"))
        self._keepalive: subprocess.Popen | None = None
        self._saved_env: dict[str, str | None] = {}
        self.daemon_pid: int | None = None

    @property
    def env(self) -> dict[str, str]:
        """Environment variables a client process needs to reach this server."""
        return {
            "PULSE_SERVER": f"unix:{self.base_dir / 'native'}",
            "PULSE_COOKIE": str(self.base_dir / "cookie"),
            "PULSE_RUNTIME_PATH": str(self.base_dir),
            "PULSE_STATE_PATH": str(self.base_dir / "state"),
            "XDG_RUNTIME_DIR": str(self.base_dir),
        }

    def child_env(self) -> dict[str, str]:
        """os.environ plus this server's variables, for subprocesses."""
        return {**os.environ, **self.env}

    def _pactl(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return subprocess.run(["pactl", *args], env=self.child_env(), capture_output=True,
                              text=True, timeout=10, check=check)

    def running(self) -> bool:
        """True when the daemon answers."""
        if not (self.base_dir / "native").exists():
            return False
        return self._pactl("info", check=False).returncode == 0

    def start(self, set_environ: bool = True) -> "FakeMic":
        """Start the daemon and the keep-alive; with set_environ, point this process at it."""
        missing = missing_programs()
        if missing:
            raise RuntimeError(f"the software microphone needs {', '.join(missing)} (Debian: "
                               "pulseaudio pulseaudio-utils libasound2-plugins)")
        (self.base_dir / "state").mkdir(parents=True, exist_ok=True)
        self.base_dir.chmod(0o700)
        log = self.base_dir / "pulse.log"
        subprocess.run(
            ["pulseaudio", "--daemonize=yes", "-n", "--exit-idle-time=-1", "--use-pid-file=yes",
             f"--log-target=file:{log}", "--log-level=notice",
             "-L", f"module-native-protocol-unix auth-anonymous=1 "
                   f"auth-cookie={self.base_dir / 'cookie'} socket={self.base_dir / 'native'}",
             "-L", f"module-null-sink sink_name={SINK} rate={self.rate_hz} "
                   f"channels={self.channels} sink_properties=device.description=FakeMic"],
            env=self.child_env(), check=True, timeout=20, capture_output=True)
        deadline = time.monotonic() + 10
        while not self.running():
            if time.monotonic() > deadline:
                text = log.read_text() if log.exists() else "(no log)"
                raise RuntimeError(f"pulseaudio did not come up:\n{text[-2000:]}")
            time.sleep(0.05)
        pid_file = self.base_dir / "pid"
        self.daemon_pid = int(pid_file.read_text().split()[0]) if pid_file.exists() else None
        self._pactl("set-default-sink", SINK)
        self._pactl("set-default-source", f"{SINK}.monitor")
        self._keepalive = subprocess.Popen(
            ["parec", "-d", f"{SINK}.monitor", f"--latency-msec={KEEPALIVE_LATENCY_MS}", "--raw"],
            env=self.child_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 5
        while not self._pactl("list", "short", "source-outputs").stdout.strip():
            if time.monotonic() > deadline:
                break
            time.sleep(0.02)
        # Re-time the sink now that a low-latency reader exists (else it renders 2 s ahead).
        self._pactl("suspend-sink", SINK, "1")
        self._pactl("suspend-sink", SINK, "0")
        if set_environ:
            for key, value in self.env.items():
                self._saved_env[key] = os.environ.get(key)
                os.environ[key] = value
            reinitialize_portaudio()
        return self

    def play(self, audio: np.ndarray | Path, sample_rate_hz: int | None = None,
             wait: bool = True) -> subprocess.Popen:
        """Play a file, or a float array at sample_rate_hz, into the microphone (real time)."""
        if isinstance(audio, (str, Path)):
            path = Path(audio)
        else:
            import soundfile as sf

            handle, name = tempfile.mkstemp(suffix=".wav", dir=self.base_dir)
            os.close(handle)
            path = Path(name)
            sf.write(str(path), np.asarray(audio, dtype=np.float32), int(sample_rate_hz),
                     subtype="FLOAT")
        player = subprocess.Popen(
            ["paplay", "-d", SINK, f"--latency-msec={PLAY_LATENCY_MS}", str(path)],
            env=self.child_env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        if wait:
            _, err = player.communicate(timeout=600)
            if player.returncode:
                raise RuntimeError(f"paplay failed: {err.decode(errors='replace')}")
        return player

    def kill_daemon(self) -> None:
        """Kill the daemon abruptly (SIGKILL), as if the device vanished."""
        if self.daemon_pid:
            try:
                os.kill(self.daemon_pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

    def stop(self) -> None:
        """End the keep-alive and the daemon, restore the environment, remove the runtime dir."""
        if self._keepalive is not None:
            self._keepalive.terminate()
            try:
                self._keepalive.wait(5)
            except subprocess.TimeoutExpired:
                self._keepalive.kill()
            self._keepalive = None
        if self.daemon_pid:
            try:
                os.kill(self.daemon_pid, signal.SIGTERM)
                for _ in range(100):
                    os.kill(self.daemon_pid, 0)
                    if _is_zombie(self.daemon_pid):
                        break
                    time.sleep(0.05)
            except ProcessLookupError:
                pass
            self.daemon_pid = None
        if self._saved_env:
            for key, value in self._saved_env.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value
            self._saved_env = {}
            reinitialize_portaudio()
        if self._own_dir:
            shutil.rmtree(self.base_dir, ignore_errors=True)

    def __enter__(self) -> "FakeMic":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def _is_zombie(pid: int) -> bool:
    try:
        return "\nState:\tZ" in Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return True


def _require_pulseaudio() -> None:
    from conftest import require

    missing = missing_programs()
    require(not missing, f"needs the software microphone: {', '.join(missing)} not found "
                         "(Debian: pulseaudio pulseaudio-utils libasound2-plugins)")


@pytest.fixture(scope="session")
def fake_mic():
    """A running software microphone; this process's PortAudio sees it as the default input."""
    _require_pulseaudio()
    mic = FakeMic().start()
    try:
        yield mic
    finally:
        mic.stop()


@pytest.fixture
def private_fake_mic():
    """A software microphone of the test's own, not visible to this process (for subprocesses
    and for tests that kill the daemon)."""
    _require_pulseaudio()
    mic = FakeMic().start(set_environ=False)
    try:
        yield mic
    finally:
        mic.stop()
