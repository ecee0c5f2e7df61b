"""Where a command's outputs go: folders, file names that never collide, plot formats.

Rules (the same for every command that writes one output per input):
- a target written with a trailing slash is always a folder, created when missing;
- inputs that would give the same output name in one folder get distinct names (take.wav and
  take.flac -> take.wav.*, take.flac.*; a/take.wav and b/take.wav -> a-take.wav.*,
  b-take.wav.*), so no output overwrites another;
- options are checked before any analysis, so a typo costs nothing.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path


def names_a_folder(target: str) -> bool:
    """True when an output target is a folder: written with a trailing slash, or one exists."""
    return target.endswith(("/", os.sep)) or Path(target).is_dir()


def _label(path: Path, level: int) -> str:
    """Output base name of an input at a disambiguation level: stem, name, then folders."""
    if level == 0:
        return path.with_suffix("").name
    if level == 1:
        return path.name
    folders = Path(os.path.abspath(path)).parent.parts[1:]
    return "-".join([*folders[max(0, len(folders) - (level - 1)):], path.name])


def distinct_names(paths: list[Path], suffix: str) -> dict[Path, str]:
    """An output file name (base + suffix) for each input, unique among inputs that differ.

    Each input gets the shortest label that no other input shares: its stem, else its name
    with the extension, else its name preceded by as many parent folders as it takes. The same
    file given twice keeps one name (its output is simply written again).
    """
    keys = {path: os.path.abspath(path) for path in paths}
    levels = {path: 0 for path in paths}
    max_level = 1 + max((len(Path(key).parts) for key in keys.values()), default=1)
    while True:
        owners: dict[str, set[str]] = {}
        for path in paths:
            owners.setdefault(_label(path, levels[path]), set()).add(keys[path])
        clashing = {path for path in paths if len(owners[_label(path, levels[path])]) > 1}
        if not clashing or all(levels[path] >= max_level for path in clashing):
            break
        for path in clashing:
            levels[path] = min(levels[path] + 1, max_level)
    names: dict[Path, str] = {}
    taken: dict[str, str] = {}
    for path in paths:
        base = _label(path, levels[path])
        name, number = base + suffix, 2
        while taken.setdefault(name, keys[path]) != keys[path]:   # last resort: number them
            name, number = f"{base}-{number}{suffix}", number + 1
        names[path] = name
    return names


def names_per_folder(paths: list[Path], suffix: str,
                     folder_of: Callable[[Path], str]) -> dict[Path, str]:
    """distinct_names, computed separately for the inputs whose outputs share a folder."""
    groups: dict[str, list[Path]] = {}
    for path in paths:
        groups.setdefault(folder_of(path), []).append(path)
    names: dict[Path, str] = {}
    for group in groups.values():
        names.update(distinct_names(group, suffix))
    return names


def make_folder(folder: Path, option: str) -> None:
    """Create an output folder (and its parents); CliError when it cannot be."""
    from pitchlive.cli import CliError

    if folder.exists() and not folder.is_dir():
        raise CliError(f"{folder} is a file, but {option} needs a folder there.")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CliError(f"cannot create the output folder {folder} ({exc.strerror}). Choose a "
                       f"writable place with {option}.") from exc


def check_plot_target(target: str, several: bool) -> None:
    """Refuse a --plot target whose format is unknown, before any analysis; CliError."""
    from pitchlive.cli import CliError
    from pitchlive.exports.plot import plot_format, plot_formats

    if names_a_folder(target):
        return
    suffix = Path(target).suffix
    known = ", ".join(f".{ext}" for ext in sorted(plot_formats()))
    if several and (not suffix or plot_format(Path(target)) is not None):
        if not suffix:
            return      # a new folder, named without an extension
        raise CliError(f"--plot {target} names one image, but several inputs make one plot "
                       f"each: give a folder, e.g. --plot plots/")
    if plot_format(Path(target)) is None:
        what = f"the extension {suffix}" if suffix else "no extension"
        raise CliError(f"--plot {target} has {what}, which is not an image format pitchlive can "
                       f"write. Use one of {known}; or end it with / for a folder.")
