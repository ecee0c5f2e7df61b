"""`pitchlive tune`: a tuner in the terminal, from the microphone or a recording.

One line, redrawn in place: the target (nearest string of the instrument, or nearest note of the
temperament), the reading to 0.1 cent, which way to turn, the damped needle, a strobe bar that
drifts right when sharp and left when flat and stands still in tune, and LOCKED once the pitch
has held within +-1 cent for half a second. When the output is not a terminal every frame (32 ms)
gets its own line. With --reference it plays a reference tone instead of listening.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path

from pitchlive.frames import PitchFrame
from pitchlive.tuner.instruments import INSTRUMENT_NAMES
from pitchlive.tuner.reference_tone import TIMBRES
from pitchlive.tuner.strobe import DISPLAY_BAND_HZ
from pitchlive.tuner.temperaments import TEMPERAMENT_NAMES

CHROMATIC = "chromatic"
STROBE_WIDTH = 24                  # characters of the strobe bar
STROBE_PERIOD = 6                  # characters per stripe pair of the pattern
# The strobe's band (pitchlive.tuner.strobe.DISPLAY_BAND_HZ): +-20 cents drifts ~8 characters a
# second, slow enough to follow at 20 redraws a second.
STROBE_BAND_HZ = DISPLAY_BAND_HZ
DISPLAY_INTERVAL_S = 0.05          # redraw at most 20 times a second
REFERENCE_DEFAULT_S = 4.0
REFERENCE_RATE_HZ = 44100
PLAYBACK_GRACE_S = 2.0             # --reference: stop waiting this long after the tone should end


def register(subparsers) -> None:
    """Add the tune command."""
    from pitchlive.cli import add_model_options, add_naming_options
    from pitchlive.cli.listen import add_source_options

    parser = subparsers.add_parser(
        "tune", help="tune an instrument in the terminal: nearest string, cents, strobe, lock",
        description="A tuner in the terminal. One line shows the nearest string (or note), its "
                    "deviation to 0.1 cent and which way to turn, a needle, a strobe bar that "
                    "drifts right when sharp and left when flat, and LOCKED when the pitch holds "
                    "within +-1 cent for half a second.",
        epilog="Ctrl-C stops (exit status 0). Temperaments: "
               f"{', '.join(TEMPERAMENT_NAMES)}, or a Scala .scl file. Exit status 2 for a bad "
               "option, 1 for a bad scale file, device or model.")
    target = parser.add_argument_group("what to tune to")
    target.add_argument("--instrument", choices=(CHROMATIC,) + INSTRUMENT_NAMES,
                        default=CHROMATIC, type=str.lower,
                        help="string targets of an instrument; 'custom' takes --strings; "
                             "default: chromatic (the nearest note)")
    target.add_argument("--strings", metavar='"E2 A2 ..."',
                        help="with --instrument custom: the open strings, low to high")
    target.add_argument("--temperament", default="equal", metavar="NAME_OR_FILE.scl",
                        help=f"{', '.join(TEMPERAMENT_NAMES)} or a Scala .scl file "
                             "(default equal)")
    target.add_argument("--tonic", type=_tonic_arg, default=0, metavar="NOTE",
                        help="tonic of the temperament or scale, e.g. C, F#, Bb (default C)")
    source = parser.add_argument_group("input")
    add_source_options(source)
    source.add_argument("--seconds", type=float, metavar="S",
                        help="stop after S seconds (with --reference: the tone's length, "
                             f"default {REFERENCE_DEFAULT_S:g})")
    reference = parser.add_argument_group("reference tone")
    reference.add_argument("--reference", metavar="NOTE_OR_STRING",
                           help="play a reference tone instead of listening: a note (A4) or a "
                                "string number of --instrument (1 = the first string)")
    reference.add_argument("--timbre", choices=TIMBRES, default="sine",
                           help="reference tone: pure sine or with harmonics (default sine)")
    reference.add_argument("--output-device", metavar="INDEX_OR_NAME",
                           help="reference tone output device (default: the system default)")
    add_naming_options(parser)
    add_model_options(parser)
    parser.set_defaults(func=run)


def _tonic_arg(text: str) -> int:
    from pitchlive.tuner.temperament import parse_pitch_class

    try:
        return parse_pitch_class(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def load_tuning(spec: str, tonic_pc: int):
    """The temperament named by spec, or read from the Scala file spec; CliError if neither."""
    from pitchlive.cli import CliError
    from pitchlive.tuner.scala import ScalaError, read_scala, scale_to_temperament
    from pitchlive.tuner.temperaments import temperament

    path = Path(spec).expanduser()
    if spec.lower().endswith(".scl") or path.exists():
        try:
            return scale_to_temperament(read_scala(path), tonic_pc)
        except ScalaError as exc:
            raise CliError(str(exc)) from None
    try:
        return temperament(spec, tonic_pc)
    except ValueError as exc:
        raise CliError(f"{exc}.") from None


def tuner_config(args: argparse.Namespace):
    """(TunerConfig, Instrument or None) from the options; CliError for inconsistent ones."""
    from pitchlive.cli import CliError
    from pitchlive.music import transposition_semitones
    from pitchlive.tuner.instruments import custom_instrument, preset
    from pitchlive.tuner.meter import TunerConfig

    if args.strings is not None and args.instrument != "custom":
        raise CliError("--strings sets the strings of --instrument custom; add "
                       "--instrument custom (or leave --strings out).")
    instrument = None
    if args.instrument == "custom":
        if args.strings is None:
            raise CliError('--instrument custom needs its strings, e.g. --strings "E2 A2 D3 G3 '
                           'B3 E4".')
        try:
            instrument = custom_instrument(args.strings)
        except ValueError as exc:
            raise CliError(f"--strings: {exc}.") from None
    elif args.instrument != CHROMATIC:
        instrument = preset(args.instrument)
    if not 400.0 <= args.a4 <= 480.0:
        raise CliError(f"A4 reference must be between 400 and 480 Hz, got {args.a4}.")
    config = TunerConfig(tuning=load_tuning(args.temperament, args.tonic), a4_hz=args.a4,
                         strings_midi=instrument.strings_midi if instrument else (),
                         strobe_band_hz=STROBE_BAND_HZ, prefer_flats=args.flats,
                         transpose_semitones=transposition_semitones(args.transpose))
    return config, instrument


def strobe_bar(phase: float | None, width: int = STROBE_WIDTH, period: int = STROBE_PERIOD) -> str:
    """Stripes shifted by the strobe phase (0..1 of a period); blank when there is no pitch."""
    if phase is None:
        return "[" + " " * width + "]"
    shift = int(math.floor(phase * period)) % period
    cells = "".join("#" if (i - shift) % period < period // 2 else " " for i in range(width))
    return "[" + cells + "]"


def tune_line(reading, instrument=None) -> str:
    """The terminal display of one TunerReading (fixed width, so redraws leave no debris)."""
    from pitchlive.cli.listen import cents_bar

    count = len(instrument.strings_midi) if instrument else 0
    where_width = len(f" string {count}/{count}") if instrument else 0
    if reading is None or reading.cents is None or reading.target is None:
        name, where, cents, direction = "--", "", "", ""
        needle, strobe, hz, lock = cents_bar(None), strobe_bar(None), "", ""
    else:
        target = reading.target
        name = target.name
        where = f" string {target.string_index + 1}/{count}" if instrument else ""
        cents, direction = f"{reading.cents:+.1f} c", reading.direction
        needle, strobe = cents_bar(reading.needle_cents), strobe_bar(reading.strobe_phase)
        hz, lock = f"{reading.frequency_hz:.2f} Hz", "LOCKED" if reading.locked else ""
    return (f"{name:<4}{where:<{where_width}} {cents:>9} {direction:<9} {needle} {strobe} "
            f"{hz:>11} {lock:6}")


def run(args: argparse.Namespace) -> int:
    """Tune until Ctrl-C, --seconds or the end of --input (or play --reference)."""
    from pitchlive.cli import CliError

    if args.seconds is not None and args.seconds <= 0:
        raise CliError(f"--seconds must be positive, got {args.seconds}.")
    config, instrument = tuner_config(args)
    if args.reference is not None:
        return play_reference(args, config, instrument)
    return listen_and_tune(args, config, instrument)


def reference_target_hz(spec: str, config, instrument) -> tuple[str, float]:
    """(name, Hz) of --reference: a string number of the instrument or a note name."""
    from pitchlive.cli import CliError
    from pitchlive.music import note_name, parse_note_name
    from pitchlive.tuner.temperament import note_target_hz

    text = spec.strip()
    if text.isdigit():
        if instrument is None:
            raise CliError(f"--reference {text} names a string: choose an --instrument too, or "
                           "give a note such as A4.")
        count = len(instrument.strings_midi)
        if not 1 <= int(text) <= count:
            raise CliError(f"--reference: choose a string from 1 to {count} ({instrument.label}).")
        midi = instrument.strings_midi[int(text) - 1]
    else:
        try:
            midi = parse_note_name(text)
        except ValueError as exc:
            raise CliError(f"--reference: {exc}.") from None
    name = note_name(midi, config.prefer_flats, config.transpose_semitones)
    return name, note_target_hz(config.tuning, midi, config.a4_hz)


def play_reference(args: argparse.Namespace, config, instrument) -> int:
    """Play the --reference tone on the output device for --seconds."""
    from pitchlive.audio.playback import Player
    from pitchlive.cli import EXIT_OK
    from pitchlive.tuner.reference_tone import reference_tone

    name, target_hz = reference_target_hz(args.reference, config, instrument)
    seconds = args.seconds or REFERENCE_DEFAULT_S
    tone = reference_tone(target_hz, seconds, REFERENCE_RATE_HZ, args.timbre)
    player = Player(args.output_device)
    print(f"pitchlive: playing {name} ({target_hz:.2f} Hz, {config.tuning.name}) for "
          f"{seconds:g} s. Ctrl-C stops.", file=sys.stderr)
    player.play_array(tone, REFERENCE_RATE_HZ)
    try:
        deadline = time.monotonic() + seconds + PLAYBACK_GRACE_S
        while player.playing and time.monotonic() < deadline:
            time.sleep(0.05)
    except KeyboardInterrupt:
        pass
    finally:
        player.stop()
    return EXIT_OK


class _TunerOutput:
    """The tuner line for each frame: redrawn in place on a terminal, else one line per frame."""

    def __init__(self, config, instrument, out=None) -> None:
        self.config = config
        self.instrument = instrument
        self.out = out or sys.stdout
        self.on_terminal = self.out.isatty()
        self.reading = None
        self.shown_line = False
        self._last_draw = 0.0

    def header(self) -> None:
        """Nothing precedes the lines."""

    def frame(self, frame: PitchFrame) -> None:
        from pitchlive.tuner.meter import step_tuner

        self.reading = step_tuner(self.reading, self.config, frame.time_s,
                                  frame.frequency_hz if frame.is_pitch else None)
        if self.on_terminal and time.monotonic() - self._last_draw < DISPLAY_INTERVAL_S:
            return
        self._last_draw = time.monotonic()
        line = tune_line(self.reading, self.instrument)
        self.out.write("\r" + line if self.on_terminal else line + "\n")
        self.out.flush()
        self.shown_line = self.on_terminal

    def end_line(self) -> None:
        """Leave the redrawn line, so the next message starts on its own line."""
        if self.shown_line:
            self.out.write("\n")
            self.out.flush()
            self.shown_line = False


def listen_and_tune(args: argparse.Namespace, config, instrument) -> int:
    """Run the engine and show the tuner reading for every frame."""
    from pitchlive.cli import EXIT_FAILED, EXIT_OK, settings_from_args
    from pitchlive.cli.listen import follow_engine, open_engine

    settings = settings_from_args(args, device=args.device, channel=args.channel)
    engine, items = open_engine(args, settings)
    target = instrument.label if instrument else "the nearest note"
    print(f"pitchlive: tuning to {target}, {config.tuning.name}, A4 = {config.a4_hz:g} Hz.",
          file=sys.stderr)
    output = _TunerOutput(config, instrument)
    failed = False
    engine.start()
    try:
        failed = follow_engine(items, output, args.seconds)
    except KeyboardInterrupt:
        pass
    finally:
        engine.stop()
        output.end_line()
    return EXIT_FAILED if failed else EXIT_OK
