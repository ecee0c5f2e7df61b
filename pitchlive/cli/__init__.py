"""The `pitchlive` command: subcommands for files and terminal use; no subcommand opens the window.

Every error a user can cause is printed as a message that says what to do, never a traceback.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import logging
import math
import signal
import sys
import threading
import traceback
from pathlib import Path

from pitchlive import __version__

# Subcommand modules under pitchlive.cli; each has register(subparsers) and run(args) -> int.
COMMANDS = ("analyze", "devices", "info", "listen", "practice", "score", "transcribe", "tune")

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
# Batch commands: an interrupted run exits 128 + the signal, so a script can tell it from a
# finished one. (listen and the window stop on Ctrl-C as their normal end: exit 0.)
INTERRUPTIBLE_COMMANDS = ("analyze", "transcribe")
MODEL_THREAD_NAME = "pitchlive-model"      # cli/listen.py's loader, which may outlive a command
# Commands that load the model: the environment variables it adds are created before their
# first thread (pitchlive/model/environment.py; the live ones open the input first).
LIVE_MODEL_COMMANDS = ("listen", "practice", "tune")
FILE_MODEL_COMMANDS = ("analyze", "transcribe", "score")


class CliError(Exception):
    """A user-facing failure of a command; printed without a traceback."""


class Interrupted(KeyboardInterrupt):
    """SIGINT or SIGTERM stopped a command; note says what was kept."""

    def __init__(self, signum: int = signal.SIGINT, note: str = "") -> None:
        super().__init__(note)
        self.signum, self.note = int(signum), note

    @classmethod
    def during(cls, exc: KeyboardInterrupt, note: str) -> "Interrupted":
        """The same interruption as exc (Ctrl-C unless it carries a signal), with a note."""
        return cls(getattr(exc, "signum", signal.SIGINT), note)

    @property
    def exit_status(self) -> int:
        """128 + the signal number, as a shell reports a process killed by it."""
        return 128 + self.signum


def _raise_interrupted(signum: int, _frame) -> None:
    raise Interrupted(signum)


def user_errors() -> tuple[type[BaseException], ...]:
    """Exception types whose message is meant for the user."""
    from pitchlive.audio.devices import DeviceError
    from pitchlive.audio.files import AudioFileError
    from pitchlive.model import ModelError
    from pitchlive.settings import SettingsError
    from pitchlive.takes import TakeError

    return (CliError, ModelError, AudioFileError, DeviceError, SettingsError, TakeError)


def add_model_options(parser: argparse.ArgumentParser) -> None:
    """--model and --calibration, shared by every command that runs SPICE."""
    from pitchlive.calibration import CALIBRATIONS

    group = parser.add_argument_group("model")
    group.add_argument("--model", metavar="HANDLE_OR_DIR",
                       help="TF Hub handle/URL or local SavedModel folder (default: "
                            "$PITCHLIVE_MODEL, else TF Hub SPICE v2)")
    group.add_argument("--calibration", choices=tuple(CALIBRATIONS),
                       help="force the calibration of this SPICE version instead of detecting it")
    group.add_argument("--raw", action="store_true",
                       help="the model's raw output: skip the refinement stage that fixes pitch, "
                            "octave and voicing from the signal (for comparison)")


def add_naming_options(parser: argparse.ArgumentParser) -> None:
    """Voicing (threshold, level gate) and note naming options, with the Settings defaults."""
    from pitchlive.music import TRANSPOSITIONS_SEMITONES
    from pitchlive.settings import Settings

    default = Settings()
    group = parser.add_argument_group("voicing and note names")
    group.add_argument("--threshold", type=float, default=default.confidence_threshold,
                       metavar="CONF",
                       help=f"confidence (0-1) from which a frame counts as voiced (default "
                            f"{default.confidence_threshold:g})")
    group.add_argument("--gate", type=float, default=default.level_gate_dbfs, metavar="DBFS",
                       help=f"input below this level counts as unvoiced (default "
                            f"{default.level_gate_dbfs:g} dBFS)")
    group.add_argument("--a4", type=float, default=default.a4_hz, metavar="HZ",
                       help=f"tuning reference, 400-480 Hz (default {default.a4_hz:g})")
    group.add_argument("--transpose", type=transposition_arg, default=default.transposition,
                       metavar="KEY",
                       help=f"name notes as written for a transposing instrument: "
                            f"{', '.join(TRANSPOSITIONS_SEMITONES)}, or semitones such as +3 "
                            f"(default {default.transposition})")
    group.add_argument("--flats", action="store_true", help="name notes with flats (Db, not C#)")



def transposition_arg(text: str) -> str:
    """argparse type of --transpose: a transposition key or a signed semitone count."""
    from pitchlive.music import transposition_semitones

    try:
        transposition_semitones(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return text


# Settings field <- command-line option (dest), for the options a command has.
_SETTINGS_OPTIONS = {"model_source": "model", "calibration": "calibration",
                     "confidence_threshold": "threshold", "level_gate_dbfs": "gate",
                     "a4_hz": "a4", "transposition": "transpose", "prefer_flats": "flats",
                     "low_latency": "low_latency"}


def settings_from_args(args: argparse.Namespace, **extra):
    """The Settings object for parsed command-line options (validated); extra fields win."""
    from pitchlive.settings import Settings

    values = {field: getattr(args, option) for field, option in _SETTINGS_OPTIONS.items()
              if hasattr(args, option)}
    if getattr(args, "raw", False):
        values["refine"] = False
    values.update(extra)
    return Settings(**values)


def error(message: str) -> None:
    """Print a user-facing error to stderr."""
    print(f"pitchlive: error: {message}", file=sys.stderr)


def warn(message: str) -> None:
    """Print a user-facing warning to stderr."""
    print(f"pitchlive: warning: {message}", file=sys.stderr)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand registered."""
    parser = argparse.ArgumentParser(
        prog="pitchlive",
        description="Live pitch tracking, tuning and transcription with Google's SPICE model. "
                    "Without a command, opens the live pitch window.")
    parser.add_argument("--version", action="version", version=f"pitchlive {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log details to stderr")
    gui = parser.add_argument_group("window (no command)")
    gui.add_argument("--input", metavar="FILE",
                     help="track a recording in real time instead of the microphone")
    gui.add_argument("--device", metavar="INDEX_OR_NAME", help="input device (see `devices`)")
    gui.add_argument("--screenshot", metavar="OUT.png", help="save a picture of the window")
    gui.add_argument("--quit-after", type=seconds_option, metavar="SECONDS",
                     help="close the window after this many seconds (with --screenshot: "
                          "take the picture then)")
    gui.add_argument("--theme", choices=("dark", "light"),
                     help="colour theme (default: the last one chosen, else dark)")
    gui.add_argument("--large-type", action="store_true",
                     help="start with the note panel filling the window")
    gui.add_argument("--view", choices=("live", "recording"), default="live",
                     help="which view to show first; 'recording' shows --input's whole track")
    gui.add_argument("--transcribe", action="store_true",
                     help="transcribe --input into notes once its whole track is shown (the "
                          "notes appear as bars in the Recording view)")
    add_model_options(parser)
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        importlib.import_module(f"pitchlive.cli.{name}").register(subparsers)
    return parser


def seconds_option(text: str) -> float:
    """argparse type: a finite, non-negative number of seconds."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of seconds, got {text!r}") from None
    if not math.isfinite(value) or value < 0:
        raise argparse.ArgumentTypeError(
            f"expected a finite number of seconds (0 or more), got {text!r}; leave the option "
            "out to keep running until stopped")
    return value


def internal_error(exc: BaseException, prefix: str = "") -> None:
    """Report a real bug without a traceback; the details go to the crash log."""
    error(f"{prefix}unexpected internal error ({type(exc).__name__}: {exc}). The details were "
          f"saved to {_crash_report(exc)}; please report it with that file.")


def _crash_report(exc: BaseException) -> str:
    """Write the traceback of an unexpected error to a file and return its path."""
    from platformdirs import user_log_dir

    folder = Path(user_log_dir("pitchlive"))
    try:
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / "crash.log"
        path.write_text("".join(traceback.format_exception(exc)))
        return str(path)
    except OSError:
        return "(could not be saved)"


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `pitchlive` command; returns the exit status."""
    try:
        parser = build_parser()
        args = parser.parse_args(argv)
    except KeyboardInterrupt:
        # Ctrl-C before the command runs (while its modules import): nothing was written yet.
        return _interrupted_before_start(sys.argv[1:] if argv is None else argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="pitchlive: %(message)s")
    interruptible = args.command in INTERRUPTIBLE_COMMANDS
    with _sigterm_interrupts(interruptible):
        return _run_command(args, interruptible)


def entry() -> None:
    """The `pitchlive` program: main(), then exit with its status.

    A command stopped while its model still loads (Ctrl-C during `listen`'s first seconds) leaves
    that thread inside TensorFlow, where interpreter finalisation would kill it and abort the
    process (SIGABRT, issue 15). Once TensorFlow is loaded its own threads can do the same with
    no Python thread left: `bench/exit_stress.py --kinds listen --backend tensorflow` aborted 2
    runs in 55 ("terminate called after throwing an instance of ''", only the main thread
    alive, in finalisation). By then every output is written and closed, so the process leaves
    without finalising in both cases. main() itself never does this: tests call it in-process.
    """
    status = main()
    # The command is over and its outputs are closed: a Ctrl-C now has nothing left to stop,
    # and would only turn the exit into a KeyboardInterrupt traceback with status 1 (1 listen
    # in 50 of bench/exit_stress.py, its SIGINT landing as the run ended by itself).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if "tensorflow" in sys.modules or any(t.name == MODEL_THREAD_NAME and t.is_alive()
                                          for t in threading.enumerate()):
        from pitchlive.shutdown import leave_now

        leave_now(status)
    sys.exit(status)


def _interrupted_before_start(argv: list[str]) -> int:
    """Exit status for a Ctrl-C that came before the command started: the batch commands say
    so and exit 130 as they would later; the others (listen, the window...) exit 0."""
    command = next((word for word in argv if word in COMMANDS), None)
    if command not in INTERRUPTIBLE_COMMANDS:
        return EXIT_OK
    print("pitchlive: interrupted by SIGINT before it started; no output was written.",
          file=sys.stderr)
    return Interrupted().exit_status


@contextlib.contextmanager
def _sigterm_interrupts(active: bool):
    """While active (and on the main thread), SIGTERM raises Interrupted like Ctrl-C does."""
    if not active or threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _raise_interrupted)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _run_command(args: argparse.Namespace, interruptible: bool) -> int:
    """Run the parsed command; every failure becomes a message and an exit status."""
    try:
        if args.command is None:
            from pitchlive.ui.app import main_gui

            return main_gui(args)
        if args.command in LIVE_MODEL_COMMANDS + FILE_MODEL_COMMANDS:
            from pitchlive.model.environment import prepare_environment

            prepare_environment(streaming=args.command in LIVE_MODEL_COMMANDS
                                or bool(getattr(args, "live", False)))
        return args.func(args)
    except KeyboardInterrupt as exc:
        if not interruptible:
            return EXIT_OK
        stopped = exc if isinstance(exc, Interrupted) else Interrupted()
        name = signal.Signals(stopped.signum).name
        print(f"pitchlive: interrupted by {name}" + (f": {stopped.note}." if stopped.note
                                                      else "; no output was written."),
              file=sys.stderr)
        return stopped.exit_status
    except user_errors() as exc:
        error(str(exc))
        return EXIT_FAILED
    except BrokenPipeError:
        return EXIT_OK
    except Exception as exc:  # noqa: BLE001 - last resort: never show users a traceback
        internal_error(exc)
        return EXIT_FAILED
