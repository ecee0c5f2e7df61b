"""pitchlive: live pitch tracking, tuning and transcription with Google's SPICE model.

The Python API: ``load_model``, ``predict`` and ``analyze_file``; imported on first use, so that
``import pitchlive`` (and ``pitchlive --help``) does not load TensorFlow or SciPy.
"""

__version__ = "0.1.0"
__all__ = ["analyze_file", "load_model", "predict"]

_PUBLIC = {"load_model": "pitchlive.model", "predict": "pitchlive.analysis.inference",
           "analyze_file": "pitchlive.analysis.file"}


def __getattr__(name: str):
    if name in _PUBLIC:
        import importlib

        return getattr(importlib.import_module(_PUBLIC[name]), name)
    raise AttributeError(f"module 'pitchlive' has no attribute {name!r}")
