"""`pitchlive info`: which model, version and calibration are used, and the software versions."""

from __future__ import annotations

import argparse
import platform

from pitchlive import __version__


def register(subparsers) -> None:
    """Add the info command."""
    parser = subparsers.add_parser(
        "info", help="show the model, its version and calibration, and software versions",
        description="Load the model as the live commands would and say which one it is and "
                    "which backend runs it (LiteRT or TensorFlow; $PITCHLIVE_BACKEND chooses).")
    from pitchlive.cli import add_model_options

    add_model_options(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Load the model and describe it."""
    from pitchlive.audio.files import supported_extensions
    from pitchlive.cli import settings_from_args
    from pitchlive.model import cache_dir, load_live_model, tensorflow_version
    from pitchlive.model.files import converted_cache_dir

    # The live backend, as `listen` and the window would use it: with a converted cache this
    # neither imports TensorFlow nor waits for it.
    model = load_live_model(settings_from_args(args), warm_up_samples=0)
    import numpy

    print(f"pitchlive {__version__} (Python {platform.python_version()}, TensorFlow "
          f"{tensorflow_version()}, NumPy {numpy.__version__})")
    print(model.info.describe())
    print(f"live backend: {model.describe_backend()}")
    print(f"model cache: {cache_dir()}")
    print(f"converted models: {converted_cache_dir()}")
    print(f"audio formats: {' '.join(supported_extensions())}")
    return 0
