"""`pitchlive info`: which model, version and calibration are used, and the software versions."""

from __future__ import annotations

import argparse
import platform

from pitchlive import __version__


def register(subparsers) -> None:
    """Add the info command."""
    parser = subparsers.add_parser(
        "info", help="show the model, its version and calibration, and software versions",
        description="Load the model as the other commands would and say which one it is.")
    from pitchlive.cli import add_model_options

    add_model_options(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Load the model and describe it."""
    from pitchlive.audio.files import supported_extensions
    from pitchlive.cli import settings_from_args
    from pitchlive.model import cache_dir, load_model, tensorflow_version

    model = load_model(settings_from_args(args))
    import numpy

    print(f"pitchlive {__version__} (Python {platform.python_version()}, TensorFlow "
          f"{tensorflow_version()}, NumPy {numpy.__version__})")
    print(model.info.describe())
    print(f"model cache: {cache_dir()}")
    print(f"audio formats: {' '.join(supported_extensions())}")
    return 0
