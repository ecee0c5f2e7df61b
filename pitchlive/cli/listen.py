"""`pitchlive listen`: live pitch in the terminal, from the microphone or a recording.

On a terminal it redraws one status line (note, cents bar, Hz, confidence, level); otherwise, or
with --csv, it prints one CSV row per frame with the analyze command's columns. Ctrl-C stops
cleanly with exit status 0. With --record DIR the whole run is also saved as one take (WAV and
pitch CSV) when it ends, however it ends.
"""

from __future__ import annotations

import argparse
import math
import queue
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from pitchlive.frames import InputLevel, PitchFrame

BAR_HALF_WIDTH = 10              # characters per 50 cents on each side of the centre
DISPLAY_INTERVAL_S = 0.05        # terminal redraws at most 20 times a second
STALL_GRACE_S = 3.0              # --seconds: stop by the wall clock this long after S at the latest
LOADER_JOIN_S = 2.0              # at exit, wait this long for a model still loading


def register(subparsers) -> None:
    """Add the listen command."""
    from pitchlive.cli import add_model_options, add_naming_options

    parser = subparsers.add_parser(
        "listen", help="show live pitch in the terminal (or print it as CSV)",
        description="Track pitch live from the microphone (or a recording played in real time). "
                    "On a terminal one line shows note, cents, Hz, confidence and input level; "
                    "with --csv, or when the output is not a terminal, one CSV row per frame "
                    "(time,frequency,confidence,voiced,note,cents as in `pitchlive analyze`).",
        epilog="Ctrl-C stops (exit status 0). Exit status 1 when the device or model fails, or "
               "the --record take could not be saved (its recording is then kept and its path "
               "printed).")
    add_source_options(parser)
    parser.add_argument("--play", action="store_true",
                        help="with --input: also play the recording on the output device")
    parser.add_argument("--seconds", type=float, metavar="S",
                        help="stop after S seconds (default: until Ctrl-C or the end of --input)")
    parser.add_argument("--record", type=Path, metavar="DIR",
                        help="also record the run and save it in DIR when it ends (Ctrl-C, "
                             "--seconds or the end of --input) as take-DATE-TIME.wav and "
                             "take-DATE-TIME.pitch.csv; DIR is created if missing")
    parser.add_argument("--csv", action="store_true",
                        help="print CSV rows even on a terminal")
    parser.add_argument("--smoothing", action="store_true",
                        help="add the steady-note median (off by default: with the refinement "
                             "stage it only delays vibrato and glides)")
    add_naming_options(parser)
    add_model_options(parser)
    parser.set_defaults(func=run)


def add_source_options(parser) -> None:
    """--device, --channel, --rate and --input: what open_engine reads (listen and tune)."""
    parser.add_argument("--device", metavar="INDEX_OR_NAME",
                        help="input device by index or name substring (see `pitchlive devices`); "
                             "default: the system default input")
    parser.add_argument("--channel", type=int, metavar="N",
                        help="analyse input channel N (from 0) instead of the mix")
    parser.add_argument("--rate", type=float, metavar="HZ",
                        help="ask the device for this sample rate (default: its own; another "
                             "is used if it refuses)")
    parser.add_argument("--input", metavar="FILE",
                        help="track a recording in real time instead of the microphone")
    parser.add_argument("--low-latency", action="store_true",
                        help="show each frame sooner (about 20 ms) at some accuracy: a shorter "
                             "look past the frame (see the README's latency study)")


def cents_bar(cents: float | None, half_width: int = BAR_HALF_WIDTH) -> str:
    """An ASCII tuning bar: '[----------|----------]' with '*' at the deviation (None: empty)."""
    cells = ["-"] * (2 * half_width + 1)
    cells[half_width] = "|"
    if cents is not None and math.isfinite(cents):
        position = half_width + int(round(max(-50.0, min(50.0, cents)) / 50.0 * half_width))
        cells[position] = "*"
    return "[" + "".join(cells) + "]"


def status_line(frame: PitchFrame) -> str:
    """The terminal display for one frame (fixed width, so redraws leave no debris)."""
    level = f"{frame.level_dbfs:6.1f}" if math.isfinite(frame.level_dbfs) else "  -inf"
    if frame.voiced and frame.note is not None and frame.cents is not None:
        head = f"{frame.note:<4} {frame.cents:+4.0f} c {cents_bar(frame.cents)} " \
               f"{frame.frequency_hz:7.1f} Hz"
    else:
        head = f"{'--':<4} {'':>4}   {cents_bar(None)} {'':>7}   "
    return f"{head}  conf {frame.confidence:4.2f}  level {level} dBFS"


def check_record_dir(directory: Path) -> None:
    """Create the --record folder if needed and check that files can be written in it."""
    import tempfile

    from pitchlive.cli import CliError

    try:
        directory.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=directory):
            pass
    except OSError as exc:
        reason = ("a file of that name is in the way" if directory.exists()
                  and not directory.is_dir() else exc.strerror or str(exc))
        raise CliError(f"cannot record into {directory}: {reason}. Choose a folder you can "
                       "write to with --record DIR.") from exc


def save_recording(recorder, directory: Path, settings):
    """Stop the take, save it in directory and report where.

    Returns the SavedTake, or None (after saying why and where the recording still is).
    """
    from pitchlive.cli import error, warn
    from pitchlive.takes import TakeError, save_take

    take = recorder.stop()
    if take.problem:
        warn(take.problem)
    try:
        saved = save_take(take, directory, settings)
    except TakeError as exc:
        error(f"{exc}")
        error(f"the recording was not lost: it is in {take.audio_path}")
        return None
    take.discard()
    print(f"pitchlive: saved the take ({take.duration_s:.1f} s): {saved.wav_path} and "
          f"{saved.csv_path}", file=sys.stderr)
    return saved


class _Output:
    """Where frames go: CSV rows, or one status line redrawn at most every DISPLAY_INTERVAL_S."""

    def __init__(self, as_csv: bool, out=None) -> None:
        self.as_csv = as_csv
        self.out = out or sys.stdout
        self.shown_line = False
        self._last_draw = 0.0

    def header(self) -> None:
        from pitchlive.exports.csv import COLUMNS

        if self.as_csv:
            self.out.write(",".join(COLUMNS) + "\n")
            self.out.flush()

    def frame(self, frame: PitchFrame) -> None:
        from pitchlive.exports.csv import csv_row

        if self.as_csv:
            self.out.write(",".join(csv_row(frame.time_s, frame.frequency_hz, frame.confidence,
                                            frame.voiced, frame.note, frame.cents)) + "\n")
            self.out.flush()
        elif time.monotonic() - self._last_draw >= DISPLAY_INTERVAL_S:
            self._last_draw = time.monotonic()
            self.out.write("\r" + status_line(frame))
            self.out.flush()
            self.shown_line = True

    def level(self, level: InputLevel) -> None:
        """The input level while the model loads: the status line without a pitch."""
        if not self.as_csv:
            self.frame(level.as_unvoiced_frame())

    def end_line(self) -> None:
        """Leave the status line, so the next message starts on its own line."""
        if self.shown_line:
            self.out.write("\n")
            self.out.flush()
            self.shown_line = False


def start_recorder(engine, directory: Path | None):
    """A started TakeRecorder for --record, or None without it."""
    if directory is None:
        return None
    from pitchlive.cli import CliError
    from pitchlive.takes import TakeError, TakeRecorder

    recorder = TakeRecorder(engine)
    try:
        recorder.start()
    except TakeError as exc:
        raise CliError(str(exc)) from exc
    return recorder


def start_engine(engine, recorder) -> None:
    """Start the engine; if it cannot start, the recorder attached to it is discarded."""
    try:
        engine.start()
    except BaseException:
        if recorder is not None:
            recorder.stop().discard()
        raise


def open_engine(args: argparse.Namespace, settings, model_later: bool = False):
    """(engine, queue of its frames and events) on --input or the device, not started; shared
    by `listen`, `tune` and `practice`. The model is loaded and warm, or with model_later
    not loaded yet (start the engine, then load_model_meanwhile)."""
    from pitchlive.audio.sources import open_source
    from pitchlive.engine import Engine
    from pitchlive.model import load_warm_model

    source = open_source(settings, args.input, play=getattr(args, "play", False),
                         sample_rate_hz=getattr(args, "rate", None))
    engine = Engine(settings, None if model_later else load_warm_model(settings), source)
    items: queue.SimpleQueue = queue.SimpleQueue()
    engine.subscribe(items.put)
    engine.subscribe_events(items.put)
    return engine, items


@dataclass(frozen=True)
class ModelReady:
    """The model loaded while the engine listened: how long it took and what runs it."""

    load_s: float
    backend: str


def load_model_meanwhile(engine, settings, items: queue.SimpleQueue) -> threading.Thread:
    """Load the live model on a helper thread while the started engine listens, then hand it
    to the engine (which analyses what it heard meanwhile). A ModelReady goes into items; if
    the model cannot load, an 'error' event does and the engine stops."""
    from pitchlive.engine import EngineEvent
    from pitchlive.model import ModelError, load_warm_model

    def load() -> None:
        started = time.monotonic()
        try:
            model = load_warm_model(settings)
        except Exception as exc:  # noqa: BLE001 - every failure is said in words, then stop
            text = str(exc) if isinstance(exc, ModelError) else \
                f"The pitch model could not be loaded ({type(exc).__name__}: {exc})."
            items.put(EngineEvent("error", text))
            engine.stop()
            return
        describe = getattr(model, "describe_backend", None)
        items.put(ModelReady(time.monotonic() - started, describe() if describe else "model"))
        engine.set_model(model)

    # The name is how cli.entry() knows a load may still be inside TensorFlow at exit.
    thread = threading.Thread(target=load, name="pitchlive-model", daemon=True)
    thread.start()
    return thread


def follow_engine(items: queue.SimpleQueue, output, seconds: float | None) -> bool:
    """Show frames and events until the engine stops, seconds pass or Ctrl-C; True after an
    error. output has header(), frame(PitchFrame) and end_line(), as _Output (tune has its
    own)."""
    from pitchlive.cli import error, warn
    from pitchlive.engine import EngineEvent

    started = time.monotonic()
    failed = False
    heard_from = started
    output.header()
    while seconds is None or time.monotonic() - started <= seconds + STALL_GRACE_S:
        try:
            item = items.get(timeout=0.1)
        except queue.Empty:
            continue
        except KeyboardInterrupt:
            break
        if isinstance(item, InputLevel):
            output.level(item)
            continue
        if isinstance(item, ModelReady):
            # --seconds counts from here: the frames of what was heard meanwhile come now.
            print(f"pitchlive: the pitch model is ready ({item.backend}, {item.load_s:.1f} s); "
                  f"the {time.monotonic() - heard_from:.1f} s heard meanwhile is analysed now.",
                  file=sys.stderr)
            started = time.monotonic()
            continue
        if isinstance(item, EngineEvent):
            if item.kind == "started":
                heard_from = time.monotonic()
                print(f"pitchlive: {item.message} Ctrl-C stops.", file=sys.stderr)
            elif item.kind == "overflow":
                warn(item.message)
            elif item.kind == "error":
                output.end_line()
                error(item.message)
                failed = True
            elif item.kind == "stopped":
                break
            continue
        if seconds is not None and item.time_s >= seconds:
            break
        output.frame(item)
    return failed


def run(args: argparse.Namespace) -> int:
    """Listen until Ctrl-C, --seconds or the end of --input."""
    from pitchlive.cli import EXIT_FAILED, EXIT_OK, CliError, settings_from_args

    if args.play and not args.input:
        raise CliError("--play plays a recording: give it with --input FILE.")
    if args.seconds is not None and args.seconds <= 0:
        raise CliError(f"--seconds must be positive, got {args.seconds}.")
    if args.record is not None:
        check_record_dir(args.record)       # before the model loads: fail fast
    settings = settings_from_args(args, device=args.device, channel=args.channel,
                                  smoothing=args.smoothing)
    # The input opens at once; the model loads meanwhile and then analyses what it heard.
    engine, items = open_engine(args, settings, model_later=True)
    engine.subscribe_levels(items.put)
    recorder = start_recorder(engine, args.record)
    start_engine(engine, recorder)
    loader = load_model_meanwhile(engine, settings, items)
    output = _Output(args.csv or not sys.stdout.isatty())
    failed = False
    try:
        failed = follow_engine(items, output, args.seconds)
    except KeyboardInterrupt:
        pass     # between two frames: the take is still saved below
    finally:
        engine.stop()
        loader.join(LOADER_JOIN_S)
        output.end_line()
        if recorder is not None and save_recording(recorder, args.record, settings) is None:
            failed = True
    return EXIT_FAILED if failed else EXIT_OK
