"""`pitchlive transcribe FILE -o OUT`: notes and rests of a recording as MIDI, MusicXML or CSV."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

# The format table and the writers live in pitchlive.exports.transcription (shared with the GUI);
# they are re-exported here for callers that imported them from this module.
from pitchlive.exports.transcription import FORMATS, save_transcription, transcription_format

__all__ = ["FORMATS", "output_format", "register", "run", "save_transcription"]


def register(subparsers) -> None:
    """Add the transcribe command."""
    from pitchlive.cli import add_model_options, add_naming_options
    from pitchlive.tracking.notes import METHODS, TranscriptionOptions

    default = TranscriptionOptions()

    parser = subparsers.add_parser(
        "transcribe", help="turn a recording into notes (MIDI, MusicXML or CSV)",
        description="Track the pitch of a recording with SPICE, estimate the tuning offset and "
                    "the tempo, and write the notes and rests. The output format follows the "
                    "extension: .mid (standard MIDI file), .musicxml (score for MuseScore and "
                    "other notation programs), .csv (note list). Without -o the note list is "
                    "printed as CSV.",
        epilog="Exit status: 0 when every output was written (also when no notes were found: "
               "the files then hold only rests), 1 when the recording could not be read or had "
               "damage, or an output could not be written (the others are still written and "
               "the note list is printed); 130 / 143 when interrupted by Ctrl-C / SIGTERM "
               "(outputs already written are kept, none is left half-written).")
    parser.add_argument("file", type=Path, metavar="FILE",
                        help="WAV, FLAC, OGG or MP3 recording (any rate, any channel count)")
    parser.add_argument("-o", "--output", type=output_file, action="append", metavar="OUT",
                        help="output file; repeat for several formats; - prints the note list")
    group = parser.add_argument_group("transcription")
    group.add_argument("--tempo", type=float, metavar="BPM",
                       help="tempo in quarter notes per minute (default: estimated from the "
                            "note onsets)")
    group.add_argument("--time-signature", type=time_signature, metavar="N/D",
                       help="time signature, e.g. 4/4, 3/4, 2/4, 6/8 (default: estimated from "
                            "the rhythm; a pickup before the first downbeat is found either way)")
    group.add_argument("--beats-per-bar", type=int, default=default.beats_per_bar, metavar="N",
                       help="time signature N/4 (the same as --time-signature N/4)")
    group.add_argument("--key", type=key_signature, metavar="KEY",
                       help='key of the score, e.g. "D major", "F# minor", "Bb" (default: '
                            "estimated from the notes); sets the key signature and accidentals")
    group.add_argument("--quantize", action="store_true",
                       help="write MIDI on the score's grid from the first downbeat (for "
                            "notation programs) instead of at the notes' real times, which "
                            "line up with the recording in a DAW")
    group.add_argument("--no-offset-correction", action="store_true",
                       help="name and quantise notes on the A4 grid as it is, instead of "
                            "relative to the performer's own tuning offset")
    group.add_argument("--method", choices=METHODS, default=default.method,
                       help="segments (default): split on pitch changes and attacks; notebook: "
                            "the SPICE notebook's fixed-grid method, every note an eighth")
    group.add_argument("--channel", type=int, metavar="N",
                       help="transcribe channel N (from 0) instead of the mix of all channels")
    add_naming_options(parser)
    add_model_options(parser)
    parser.set_defaults(func=run)


def output_file(text: str) -> Path:
    """argparse type for -o: a file; a trailing slash means a folder, which is refused."""
    import os

    if text.endswith(("/", os.sep)):
        raise argparse.ArgumentTypeError(
            f"{text} is a folder (it ends with /); transcribe writes files: give a file name "
            f"such as {text}take.mid, {text}take.musicxml or {text}take.csv")
    return Path(text)


def time_signature(text: str):
    """argparse type for --time-signature: a TimeSignature, or a message saying what to write."""
    from pitchlive.notation.metre import parse_time_signature

    try:
        return parse_time_signature(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def key_signature(text: str):
    """argparse type for --key: a Key, or a message saying what to write."""
    from pitchlive.notation.key import parse_key

    try:
        return parse_key(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def output_format(path: Path) -> str:
    """The format name for an output path ("csv" for -); CliError for an unknown extension."""
    from pitchlive.cli import CliError

    if str(path) == "-":
        return "csv"
    kind = transcription_format(path)
    if kind is None:
        known = ", ".join(sorted(FORMATS))
        raise CliError(f"cannot tell the format of {path}: use one of the extensions {known} "
                       "(or - to print the note list).")
    return kind


def _check_outputs(args: argparse.Namespace, outputs: list[Path]) -> None:
    from pitchlive.cli import CliError

    for path in outputs:
        if str(path) != "-" and path.exists():
            if path.is_dir():
                raise CliError(f"{path} is a folder; give a file name such as "
                               f"{path / (args.file.stem + '.mid')}.")
            if args.file.exists() and path.resolve() == args.file.resolve():
                raise CliError(f"the output {path} is the input recording; refusing to "
                               "overwrite it. Choose another name with -o.")
        output_format(path)
    if args.channel is not None and args.channel < 0:
        raise CliError(f"--channel counts from 0, got {args.channel}.")
    if args.time_signature is not None and args.beats_per_bar is not None and \
            (args.time_signature.beats, args.time_signature.beat_type) != (args.beats_per_bar, 4):
        raise CliError(f"--time-signature {args.time_signature} and --beats-per-bar "
                       f"{args.beats_per_bar} disagree; give one of them.")


def no_notes_reason(result, transcription) -> str:
    """Why a recording gave no notes, in words."""
    from pitchlive.tracking.transcription import TranscriptionOptions

    shortest_s = TranscriptionOptions().min_note_s
    if result.duration_s < shortest_s:
        return (f"the recording is only {result.duration_s:.2f} s long; a note needs at least "
                f"{shortest_s:.2f} s")
    if not transcription.offset.valid:
        return ("no frame reached the confidence threshold (silence, noise, or pitch outside the "
                "model's range); try a lower --threshold")
    return "the voiced parts are all shorter than a note"


def run(args: argparse.Namespace) -> int:
    """Transcribe one recording and write every requested output."""
    from pitchlive.cli import Interrupted

    written: list[str] = []
    try:
        return _transcribe(args, written)
    except KeyboardInterrupt as exc:
        kept = f"kept {', '.join(written)}" if written else "no output was written"
        raise Interrupted.during(exc, f"{kept}; nothing is left half-written") from None


def _transcribe(args: argparse.Namespace, written: list[str]) -> int:
    """run's work; appends each output path to written as soon as it is complete."""
    from pitchlive.analysis.file import analyze_file
    from pitchlive.analysis.recording import MAX_KEPT_AUDIO_S
    from pitchlive.audio.files import open_info
    from pitchlive.cli import error, settings_from_args, warn
    from pitchlive.exports.notes_csv import notes_csv_string
    from pitchlive.model import load_model
    from pitchlive.tracking.transcription import TranscriptionOptions, transcribe

    settings = settings_from_args(args)
    outputs = list(args.output or [Path("-")])
    _check_outputs(args, outputs)
    options = TranscriptionOptions(method=args.method,
                                   correct_offset=not args.no_offset_correction,
                                   tempo_bpm=args.tempo, beats_per_bar=args.beats_per_bar,
                                   key=args.key, time_signature=args.time_signature)
    model = load_model(settings)
    print(f"pitchlive: SPICE {model.info.version} from {model.info.source} "
          f"({model.info.calibration_origin})", file=sys.stderr)
    # The audio refines note onsets; beyond MAX_KEPT_AUDIO_S (115 MB) it is not held, so memory
    # stays bounded, and the notes come from the pitch track and level alone.
    keep_audio = open_info(args.file).duration_s <= MAX_KEPT_AUDIO_S
    if not keep_audio:
        print(f"pitchlive: {args.file} is longer than {MAX_KEPT_AUDIO_S / 60:g} min: note "
              "onsets come from the pitch track and level (the audio is not kept in memory).",
              file=sys.stderr)
    result = analyze_file(args.file, model, channel=args.channel, keep_audio=keep_audio,
                          refine=settings.refine)
    for problem in result.problems.summary():
        warn(f"{args.file}: {problem}")
    transcription = transcribe(result.track, settings, options, audio_16k=result.audio_16k,
                               level_dbfs=result.level_dbfs)
    if not transcription.notes:
        warn(f"{args.file}: no notes found: {no_notes_reason(result, transcription)}. Any file "
             "written holds only rests.")

    failed, printed = [], False
    for path in outputs:
        if str(path) == "-":
            sys.stdout.write(notes_csv_string(transcription))
            printed = True
            continue
        try:
            save_transcription(path, transcription, title=args.file.stem,
                               quantize=args.quantize)
            written.append(str(path))
        except OSError as exc:
            error(f"cannot write {path} ({exc.strerror or exc}). Nothing was written there; "
                  "choose a writable place with -o.")
            failed.append(path)
    if failed and not printed:
        warn("the note list follows on standard output so the transcription is not lost.")
        sys.stdout.write(notes_csv_string(transcription))
    print(f"{args.file}: {result.duration_s:.1f} s, {transcription.summary()}"
          + (f" -> {', '.join(written)}" if written else ""), file=sys.stderr)
    return 1 if failed or result.problems.summary() else 0
