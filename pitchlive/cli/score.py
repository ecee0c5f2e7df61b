"""`pitchlive score TAKE --target FILE`: grade a recorded take note by note against a target."""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path


def register(subparsers) -> None:
    """Add the score command."""
    from pitchlive.cli import add_model_options
    from pitchlive.practice.alignment import DEFAULT_MAX_OFFSET_S
    from pitchlive.practice.note_score import DEFAULT_BAND_CENTS

    parser = subparsers.add_parser(
        "score", help="score a sung take note by note against a melody",
        description="Align a recorded take with a target melody (MIDI, MusicXML or UltraStar "
                    ".txt) and print, per target note, the share of its time in tune, the mean "
                    "and vibrato-centred cents offsets and the onset timing, then a summary.",
        epilog="Exit status: 0 when the take was scored, 1 when the take or target could not "
               "be used (the message says why).")
    parser.add_argument("take", type=Path, metavar="TAKE",
                        help="the recording (WAV, FLAC, OGG or MP3; any rate and channels)")
    parser.add_argument("--target", type=Path, required=True, metavar="FILE",
                        help="the melody: .mid, .musicxml/.xml/.mxl or UltraStar .txt")
    parser.add_argument("--track", type=int, metavar="N",
                        help="MIDI track number from 1 (default: the first with notes)")
    parser.add_argument("--part", metavar="NAME",
                        help="MusicXML part name, id or number (default: the first with "
                             "notes); P1/P2 for UltraStar duets")
    parser.add_argument("--semitones", type=int, default=0, metavar="N",
                        help="transpose the target by N semitones before scoring (default 0)")
    timing = parser.add_mutually_exclusive_group()
    timing.add_argument("--offset-ms", type=float, metavar="MS",
                        help="the target starts MS milliseconds into the take (default: search "
                             "for the offset)")
    timing.add_argument("--max-offset", type=float, default=DEFAULT_MAX_OFFSET_S,
                        metavar="SECONDS",
                        help=f"search the offset within ±SECONDS (default "
                             f"{DEFAULT_MAX_OFFSET_S:g})")
    parser.add_argument("--band", type=float, default=DEFAULT_BAND_CENTS, metavar="CENTS",
                        help=f"a note is in tune within ±CENTS (default {DEFAULT_BAND_CENTS:g})")
    parser.add_argument("--threshold", type=float, default=0.9, metavar="CONF",
                        help="confidence (0-1) from which a frame counts as voiced (default 0.9)")
    parser.add_argument("--a4", type=float, default=440.0, metavar="HZ",
                        help="tuning reference of the target, 400-480 Hz (default 440)")
    parser.add_argument("-o", "--output", type=Path, metavar="REPORT",
                        help="also write the report as .csv (per-note rows) or .json (summary "
                             "and notes)")
    add_model_options(parser)
    parser.set_defaults(func=run)


def _check(args: argparse.Namespace) -> None:
    from pitchlive.cli import CliError
    from pitchlive.practice.loading import MIDI_SUFFIXES
    from pitchlive.practice.report import REPORT_SUFFIXES

    if not args.take.is_file():
        raise CliError(f"the take {args.take} does not exist or is not a file.")
    if args.output is not None:
        if args.output.suffix.lower() not in REPORT_SUFFIXES:
            raise CliError(f"-o must name a .csv or .json file, got {args.output}.")
        if args.output.exists() and args.output.resolve() in (args.take.resolve(),
                                                              args.target.resolve()):
            raise CliError(f"the report {args.output} would overwrite an input; choose another "
                           "name.")
    if not 1.0 <= args.band <= 100.0 or math.isnan(args.band):
        raise CliError(f"--band must be 1-100 cents, got {args.band:g}.")
    if args.offset_ms is None and not 0.0 <= args.max_offset <= 60.0:
        raise CliError(f"--max-offset must be 0-60 s, got {args.max_offset:g}.")
    suffix = args.target.suffix.lower()
    if args.track is not None and suffix not in MIDI_SUFFIXES:
        raise CliError("--track chooses a track of a MIDI target; use --part for MusicXML parts "
                       "and UltraStar duets.")
    if args.part is not None and suffix in MIDI_SUFFIXES:
        raise CliError("--part chooses a MusicXML part or UltraStar duet singer; use --track N "
                       "for a MIDI target.")
    if args.offset_ms is not None and not math.isfinite(args.offset_ms):
        raise CliError("--offset-ms must be a number of milliseconds.")


def run(args: argparse.Namespace) -> int:
    """Score the take and print the report."""
    from pitchlive.cli import CliError, settings_from_args, warn
    from pitchlive.model import load_model
    from pitchlive.practice.loading import load_target
    from pitchlive.practice.note_score import ScoringSettings
    from pitchlive.practice.report import format_report, save_report
    from pitchlive.practice.take_pitch import analyze_take
    from pitchlive.practice.take_score import score_take
    from pitchlive.practice.target import TargetError, transpose

    _check(args)
    settings = settings_from_args(args)
    try:
        target = load_target(args.target, track=args.track, part=args.part)
        if args.semitones:
            target = transpose(target, args.semitones)
        scoring = ScoringSettings(band_cents=args.band, a4_hz=settings.a4_hz)
    except (TargetError, ValueError) as exc:
        raise CliError(str(exc)) from None
    for message in target.warnings:
        warn(message)
    model = load_model(settings)
    sung, problems = analyze_take(args.take, model, settings)
    for problem in problems:
        warn(f"{args.take}: {problem}")
    if not sung.voiced.any():
        raise CliError(f"{args.take}: no voiced pitch was heard (silence, noise, or a pitch "
                       "outside the model's range); nothing to score.")
    offset_s = None if args.offset_ms is None else args.offset_ms / 1000.0
    score = score_take(target, sung, scoring, offset_s, args.max_offset)
    if score.alignment is not None and not score.alignment.reliable:
        warn(f"only {100 * score.alignment.match_share:.0f}% of the target matched the take at "
             f"the best offset ({score.offset_s * 1000:+.0f} ms); check that this is the right "
             "target, or give the offset with --offset-ms.")
    print(f"{target.title} ({target.source})")
    print(format_report(score))
    if args.output is not None:
        try:
            save_report(args.output, score)
        except OSError as exc:
            raise CliError(f"cannot write {args.output} ({exc.strerror}); choose a writable "
                           "place with -o.") from None
        print(f"pitchlive: report written to {args.output}", file=sys.stderr)
    return 0
