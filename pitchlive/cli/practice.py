"""`pitchlive practice TARGET`: sing against a melody or exercise in the terminal, live.

A count-in at the target's tempo, then one redrawn line with the target note, the sung note and
its cents; each note's score as it ends; the per-note report and summary at the end, saved to the
practice history.
"""

from __future__ import annotations

import argparse
import math
import queue
import sys
import time
from pathlib import Path

DISPLAY_INTERVAL_S = 0.05
STALL_S = 5.0     # stop if no frame arrives for this long (device gone quiet)


def register(subparsers) -> None:
    """Add the practice command."""
    from pitchlive.cli import add_model_options, add_naming_options
    from pitchlive.cli.listen import add_source_options
    from pitchlive.practice.exercises import EXERCISES

    parser = subparsers.add_parser(
        "practice", help="sing against a melody or exercise and get scored note by note",
        description="Practise singing live against a target: a MIDI, MusicXML or UltraStar "
                    f"file, or a built-in exercise ({', '.join(EXERCISES)}). After a count-in "
                    "the terminal shows the target note and the sung note with its cents; at "
                    "the end, the per-note scores, which are also saved to the practice history.",
        epilog="Ctrl-C ends early (the notes so far are scored). Exit status 1 when the target, "
               "device or model cannot be used.")
    parser.add_argument("target", metavar="TARGET",
                        help="a .mid/.musicxml/.xml/.mxl/.txt file, or an exercise name")
    parser.add_argument("--track", type=int, metavar="N", help="MIDI track number from 1")
    parser.add_argument("--part", metavar="NAME", help="MusicXML part, or P1/P2 of a duet")
    exercise = parser.add_argument_group("exercises")
    exercise.add_argument("--key", default="C", help="tonic, e.g. C, F#, Bb (default C)")
    exercise.add_argument("--mode", choices=("major", "minor"), default="major")
    exercise.add_argument("--tempo", type=float, default=80.0, metavar="BPM",
                          help="beats per minute (default 80)")
    exercise.add_argument("--low", default="C4", metavar="NOTE",
                          help="lowest note of the exercise range (default C4)")
    exercise.add_argument("--high", default="C5", metavar="NOTE",
                          help="highest note of the exercise range (default C5)")
    key = parser.add_mutually_exclusive_group()
    key.add_argument("--semitones", type=int, default=0, metavar="N",
                     help="transpose the target by N semitones")
    key.add_argument("--range", metavar="LOW-HIGH",
                     help="your comfortable range, e.g. A2-E4: the target is transposed to fit")
    parser.add_argument("--count-in", type=int, default=4, metavar="BEATS",
                        help="beats counted before the first note (default 4)")
    parser.add_argument("--band", type=float, default=25.0, metavar="CENTS",
                        help="a note is in tune within ±CENTS (default 25)")
    add_source_options(parser)
    parser.add_argument("--record", type=Path, metavar="DIR",
                        help="save the take in DIR: WAV, pitch CSV and the scores as JSON "
                             "(DATE-TIME.wav, .pitch.csv, .scores.json); DIR is created")
    parser.add_argument("--no-history", action="store_true",
                        help="do not save the session to the practice history")
    parser.add_argument("-o", "--output", type=Path, metavar="REPORT",
                        help="also write the report as .csv or .json")
    add_naming_options(parser)
    add_model_options(parser)
    parser.set_defaults(func=run)


def build_target(args: argparse.Namespace):
    """The target the options describe (file or exercise), transposed as asked."""
    from pitchlive.music import parse_note_name
    from pitchlive.practice.exercises import EXERCISES, ExerciseSpec, build_exercise
    from pitchlive.practice.loading import load_target
    from pitchlive.practice.range_fit import suggest_transposition
    from pitchlive.practice.target import TargetError, transpose

    if args.target in EXERCISES:
        target = build_exercise(ExerciseSpec(args.target, args.key, args.mode, args.tempo,
                                             args.low, args.high))
    elif not Path(args.target).exists() and not Path(args.target).suffix:
        raise TargetError(f"{args.target!r} is neither a file nor an exercise; exercises are "
                          f"{', '.join(EXERCISES)}.")
    else:
        target = load_target(Path(args.target), track=args.track, part=args.part)
    messages = list(target.warnings)
    if args.range:
        low, sep, high = args.range.partition("-")
        if not sep:
            raise TargetError("--range needs two notes, e.g. A2-E4.")
        try:
            low_midi, high_midi = parse_note_name(low), parse_note_name(high)
        except ValueError as exc:
            raise TargetError(f"--range: {exc}; write it like A2-E4.") from None
        fit = suggest_transposition(target, low_midi, high_midi)
        messages.append(fit.message)
        target = transpose(target, fit.semitones)
    elif args.semitones:
        target = transpose(target, args.semitones)
    return target, messages


def feedback_line(feedback, target, count_in_beat: int | None) -> str:
    """The redrawn terminal line (fixed width)."""
    from pitchlive.cli.listen import cents_bar
    from pitchlive.music import note_name
    from pitchlive.practice.report import target_name

    if count_in_beat is not None:
        return f"count-in {count_in_beat} of the {len(target.notes)}-note target ...".ljust(70)
    if feedback is None or feedback.note_index is None:
        return f"{'':>7} {'--':<9} sung {'--':<4} {'':>6} {cents_bar(None)}".ljust(70)
    note = target.notes[feedback.note_index]
    sung = note_name(int(round(feedback.sung_midi))) if feedback.sung_midi is not None else "--"
    cents = f"{feedback.cents:+5.0f}c" if feedback.cents is not None else ""
    share = "" if feedback.note_in_tune_share is None else \
        f"in tune {100 * feedback.note_in_tune_share:3.0f}%"
    return (f"#{feedback.note_index + 1:>3}/{len(target.notes):<3} {target_name(note):<9} sung "
            f"{sung:<4} {cents:>6} {cents_bar(feedback.cents)} {share}").ljust(70)


def note_done_line(score) -> str:
    """One line about a finished note."""
    from pitchlive.practice.report import target_name

    parts = [f"note {score.index + 1} {target_name(score.note)}:"]
    parts.append("not sung" if not score.sung else
                 f"{100 * score.in_tune_share:.0f}% in tune"
                 if math.isfinite(score.in_tune_share) else "not scored")
    if math.isfinite(score.mean_cents):
        parts.append(f"{score.mean_cents:+.0f} cents")
    if math.isfinite(score.onset_ms):
        parts.append(f"onset {score.onset_ms:+.0f} ms")
    return " ".join(parts)


def save_practice_take(recorder, directory: Path, settings, result) -> dict[str, Path]:
    """Save the recorded take and its scores; {kind: path} of what was written (empty after
    saying why, when the take could not be saved: its recording is then kept and named)."""
    from pitchlive.cli import error
    from pitchlive.cli.listen import save_recording
    from pitchlive.practice.report import save_report

    saved = save_recording(recorder, directory, settings)
    if saved is None:
        return {}
    files = {"wav": saved.wav_path, "pitch_csv": saved.csv_path}
    scores = saved.wav_path.with_suffix(".scores.json")
    try:
        save_report(scores, result)
        files["scores_json"] = scores
    except OSError as exc:
        error(f"cannot write {scores} ({exc.strerror}).")
        return files
    print(f"pitchlive: saved the scores: {scores}", file=sys.stderr)
    return files


def run(args: argparse.Namespace) -> int:
    """Count in, listen and score until the target is over (or Ctrl-C)."""
    from pitchlive.cli import CliError, error, settings_from_args, warn
    from pitchlive.cli.listen import open_engine, start_engine, start_recorder
    from pitchlive.engine import EngineEvent
    from pitchlive.practice.history import History, HistoryError
    from pitchlive.practice.note_score import ScoringSettings
    from pitchlive.practice.report import REPORT_SUFFIXES, format_report, save_report
    from pitchlive.practice.session import PracticeSession
    from pitchlive.practice.target import TargetError

    if args.output is not None and args.output.suffix.lower() not in REPORT_SUFFIXES:
        raise CliError(f"-o must name a .csv or .json file, got {args.output}.")
    try:
        target, messages = build_target(args)
        scoring = ScoringSettings(band_cents=args.band, a4_hz=args.a4)
        PracticeSession(target, scoring, args.count_in)   # validates the count-in
    except (TargetError, ValueError) as exc:
        raise CliError(str(exc)) from None
    for message in messages:
        warn(message)
    if args.record is not None:
        from pitchlive.cli.listen import check_record_dir

        check_record_dir(args.record)     # before the model loads: fail fast
    # Raw frames: the display smoothing (a median on steady notes) would bend vibrato.
    settings = settings_from_args(args, device=args.device, channel=args.channel,
                                  smoothing=False)
    engine, items = open_engine(args, settings)     # the live backend, as `listen` loads it
    # Audio goes through the same queue so the session is only touched on this thread; its
    # 2 ms level envelope times onsets better than the 32 ms frames.
    engine.subscribe_audio(lambda block, rate: items.put((block.copy(), rate)))
    tty = sys.stdout.isatty()
    # The count-in starts with the stream (time 0 = its first sample).
    session = PracticeSession(target, scoring, args.count_in, stream_start_s=0.0)
    heard = False
    failed = False
    recorder = start_recorder(engine, args.record)
    print(f"{target.title} ({target.source}); {args.count_in} beats count-in", file=sys.stderr)
    start_engine(engine, recorder)
    last_draw, last_item = 0.0, time.monotonic()
    try:
        while True:
            try:
                item = items.get(timeout=0.1)
            except queue.Empty:
                if time.monotonic() - last_item > STALL_S:
                    warn("no audio for a while; stopping.")
                    break
                continue
            last_item = time.monotonic()
            if isinstance(item, EngineEvent):
                if item.kind == "error":
                    error(item.message)
                    failed = True
                elif item.kind == "stopped":
                    break
                continue
            if isinstance(item, tuple):
                session.push_audio(*item)
                continue
            heard = True
            feedback = session.push(item)
            for done in feedback.finished:
                if tty:
                    sys.stdout.write("\r" + " " * 72 + "\r")
                print(note_done_line(done))
            if tty and time.monotonic() - last_draw >= DISPLAY_INTERVAL_S:
                last_draw = time.monotonic()
                sys.stdout.write("\r" + feedback_line(feedback, target,
                                                      session.count_in_beat(item.time_s)))
                sys.stdout.flush()
            if session.is_over(item.time_s):
                break
    except KeyboardInterrupt:
        pass
    finally:
        engine.stop()
        if tty:
            sys.stdout.write("\n")
    if not heard:
        if recorder is not None:
            recorder.stop().discard()
        raise CliError("no audio arrived from the input; check the device with "
                       "`pitchlive devices`.")
    result = session.result()
    take_files = {}
    print(format_report(result))
    if args.output is not None:
        try:
            save_report(args.output, result)
        except OSError as exc:
            error(f"cannot write {args.output} ({exc.strerror}).")
            failed = True
    if recorder is not None:
        take_files = save_practice_take(recorder, args.record, settings, result)
        failed = failed or not take_files
    if not args.no_history:
        try:
            history = History()
            session_id = history.add_session(result, take_files=take_files)
            if history.recovered_from is not None:
                warn(f"the practice history was damaged; it was kept as "
                     f"{history.recovered_from} and a new one started.")
            print(f"pitchlive: saved to the practice history ({history.path}, session "
                  f"{session_id})", file=sys.stderr)
        except HistoryError as exc:
            warn(f"{exc} The scores above were not saved to the history.")
    return 1 if failed else 0
