"""`pitchlive analyze FILE...`: SPICE pitch track of recordings as CSV (and optional plots)."""

from __future__ import annotations

import argparse
import io
import os
import sys
from pathlib import Path

import numpy as np

PROGRESS_MIN_DURATION_S = 30.0


def register(subparsers) -> None:
    """Add the analyze command."""
    from pitchlive.cli import add_model_options, add_naming_options

    parser = subparsers.add_parser(
        "analyze", help="write the pitch track of recordings as CSV",
        description="Run SPICE over recordings and write one CSV per file with the columns "
                    "time,frequency,confidence (as CREPE writes them), then voiced,note,cents.",
        epilog="Exit status: 0 when every file was analysed cleanly, 1 when any file could not "
               "be read or had damage (its CSV is still written when audio could be read; the "
               "other files are still analysed), 130 / 143 when interrupted by Ctrl-C / SIGTERM "
               "(finished outputs are kept, the unfinished file leaves none).")
    parser.add_argument("files", nargs="+", type=Path, metavar="FILE",
                        help="WAV, FLAC, OGG or MP3 recordings (any rate, any channel count)")
    # Targets stay strings: a trailing slash (a folder) must survive until it is read.
    parser.add_argument("-o", "--output", metavar="OUT",
                        help="CSV file (one input), folder (any number; a trailing / always "
                             "means a folder, created if missing), or - for stdout; default: "
                             "FILE.pitch.csv beside each input")
    parser.add_argument("--plot", metavar="OUT.png",
                        help="also save the spectrogram with the confident pitch on top "
                             "(.png, .pdf, .svg...; a folder when several files are given)")
    parser.add_argument("--channel", type=int, metavar="N",
                        help="analyse channel N (from 0) instead of the mix of all channels")
    parser.add_argument("--live", action="store_true",
                        help="run the file through the live path (the windows and causal stages "
                             "the pitch window uses), as fast as the machine allows: the CSV "
                             "shows what the window would have shown")
    add_naming_options(parser)
    add_model_options(parser)
    parser.set_defaults(func=run)


def output_names(paths: list[Path], suffix: str, target: str | None) -> dict[Path, str]:
    """File name of each input's output; distinct among the inputs that share a folder."""
    from pitchlive.cli.outputs import distinct_names, names_per_folder

    if target is None:
        return names_per_folder(paths, suffix, lambda path: os.path.abspath(path.parent))
    return distinct_names(paths, suffix)


def csv_destination(audio_path: Path, output: str | None, several: bool, name: str
                    ) -> Path | None:
    """Where one file's CSV goes; None means stdout."""
    from pitchlive.cli.outputs import names_a_folder

    if output is None:
        return audio_path.with_name(name)
    if output == "-":
        return None
    if several or names_a_folder(output):
        return Path(output) / name
    return Path(output)


def plot_destination(audio_path: Path, plot: str, several: bool, name: str) -> Path:
    """Where one file's plot goes."""
    from pitchlive.cli.outputs import names_a_folder

    return Path(plot) / name if several or names_a_folder(plot) else Path(plot)


def _check_outputs(args: argparse.Namespace) -> None:
    from pitchlive.cli import CliError
    from pitchlive.cli.outputs import check_plot_target, make_folder, names_a_folder

    several = len(args.files) > 1
    if args.output == "-" and several:
        raise CliError("-o - (standard output) takes one input file; give a folder with -o DIR "
                       "for several.")
    if args.plot is not None:
        check_plot_target(args.plot, several)
    for target, option in ((args.output, "-o"), (args.plot, "--plot")):
        if target is not None and target != "-" and (several or names_a_folder(target)):
            make_folder(Path(target), option)
    inputs = {os.path.realpath(p) for p in args.files}     # realpath: no error on link loops
    csv_names = output_names(args.files, ".pitch.csv", args.output)
    plot_names = output_names(args.files, ".pitch.png", args.plot)
    for path in args.files:
        for out in (csv_destination(path, args.output, several, csv_names[path]),
                    plot_destination(path, args.plot, several, plot_names[path])
                    if args.plot else None):
            if out is not None and os.path.realpath(out) in inputs:
                raise CliError(f"the output {out} is one of the input recordings; refusing to "
                               "overwrite it. Choose another name with -o/--plot.")


def _progress(total_frames: int, duration_s: float, name: str):
    """A tqdm bar on a terminal for long files; a no-op callable otherwise."""
    if duration_s < PROGRESS_MIN_DURATION_S or not sys.stderr.isatty():
        return None
    from tqdm import tqdm

    return tqdm(total=total_frames, unit="sample", unit_scale=True, desc=name, leave=False,
                file=sys.stderr)


def summarize(result, labels) -> str:
    """One line about a finished file."""
    from pitchlive.music import note_name

    n = result.track.n_frames
    voiced = int(np.count_nonzero(labels.voiced))
    text = (f"{result.path}: {result.duration_s:.1f} s, {result.sample_rate_hz} Hz, "
            f"{result.channels} ch, {n} frames, {100 * voiced / max(n, 1):.0f}% voiced")
    if voiced:
        midi = labels.midi[labels.voiced]
        low, high = int(np.nanmin(midi)), int(np.nanmax(midi))
        text += f", range {note_name(low)}-{note_name(high)}"
    return text


def analyze_one(path: Path, args: argparse.Namespace, model, settings,
                names: tuple[dict[Path, str], dict[Path, str]]) -> bool:
    """Analyse one file and write its outputs; True when it went cleanly."""
    from pitchlive.analysis.file import analyze_file
    from pitchlive.analysis.live import analyze_file_live
    from pitchlive.analysis.spectrogram import StreamingSpectrogram
    from pitchlive.audio.files import AudioFileError, open_info
    from pitchlive.cli import error, warn
    from pitchlive.exports.csv import save_track_csv, write_track_csv
    from pitchlive.exports.plot import PLOT_COLUMNS
    from pitchlive.frames import MODEL_SAMPLE_RATE_HZ
    from pitchlive.tracking.labels import label_track

    try:
        info = open_info(path)
        bar = _progress(info.frames, info.duration_s, path.name)
        spectrogram = StreamingSpectrogram(int(info.duration_s * MODEL_SAMPLE_RATE_HZ),
                                           PLOT_COLUMNS) if args.plot else None
        try:
            on_audio_16k = spectrogram.push if spectrogram else None
            if args.live:
                result = analyze_file_live(path, model, settings, channel=args.channel,
                                           on_audio_16k=on_audio_16k)
            else:
                result = analyze_file(path, model, channel=args.channel,
                                      on_progress=bar.update if bar else None,
                                      on_audio_16k=on_audio_16k, refine=settings.refine)
        finally:
            if bar:
                bar.close()
    except AudioFileError as exc:
        error(str(exc))
        return False
    labels = label_track(result.track, settings, result.level_dbfs)
    clean = True
    several = len(args.files) > 1
    destination = csv_destination(path, args.output, several, names[0][path])
    try:
        if destination is None:
            buffer = io.StringIO()
            write_track_csv(buffer, result.track, labels)
            sys.stdout.write(buffer.getvalue())
        else:
            save_track_csv(destination, result.track, labels)
        if args.plot:
            from pitchlive.exports.plot import save_pitch_plot

            save_pitch_plot(plot_destination(path, args.plot, several, names[1][path]),
                            spectrogram.finish(), result.track, labels.voiced, title=path.name,
                            duration_s=result.duration_s, a4_hz=settings.a4_hz)
    except OSError as exc:
        error(f"{path}: cannot write {exc.filename or destination} ({exc.strerror}). Choose a "
              "writable place with -o/--plot.")
        return False
    for problem in result.problems.summary():
        warn(f"{path}: {problem}")
        clean = False
    if not labels.voiced.any():
        warn(f"{path}: no voiced frames (silence, noise, or pitch outside the model's range); "
             "every row is marked unvoiced.")
    print(summarize(result, labels) + (f" -> {destination}" if destination else ""),
          file=sys.stderr)
    return clean


def run(args: argparse.Namespace) -> int:
    """Analyse every file; other files still run when one fails (even on an internal error)."""
    from pitchlive.cli import CliError, Interrupted, internal_error, settings_from_args
    from pitchlive.model import load_model

    settings = settings_from_args(args)
    if args.channel is not None and args.channel < 0:
        raise CliError(f"--channel counts from 0, got {args.channel}.")
    _check_outputs(args)
    model = load_model(settings)
    print(f"pitchlive: SPICE {model.info.version} from {model.info.source} "
          f"({model.info.calibration_origin})", file=sys.stderr)
    names = (output_names(args.files, ".pitch.csv", args.output),
             output_names(args.files, ".pitch.png", args.plot))
    results = []
    for path in args.files:
        try:
            results.append(analyze_one(path, args, model, settings, names))
        except KeyboardInterrupt as exc:
            raise Interrupted.during(exc, f"{len(results)} of {len(args.files)} files finished "
                                     f"(outputs kept); {path} left no partial file") from None
        except Exception as exc:  # noqa: BLE001 - one file's bug must not cost the others
            internal_error(exc, f"{path}: ")
            results.append(False)
    return 0 if all(results) else 1
