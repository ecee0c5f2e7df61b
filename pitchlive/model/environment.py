"""The environment variables that loading a model adds, created before any thread starts.

glibc's setenv() is not thread-safe: adding a variable reallocates the `environ` array and frees
the old one, so a getenv() that runs meanwhile on another thread walks freed memory and may
crash (SIGSEGV in getenv; issue 15: the window's exit stress, 3 runs in 400). The window loads
the model on a worker thread, and importing TensorFlow adds variables there (TF2_BEHAVIOR,
TPU_ML_PLATFORM...) while PortAudio lists devices on another thread and Qt runs on the GUI
thread, all of them calling getenv().

prepare_environment() adds every variable that the model side would add later, on the calling
thread, which must be the only one. Later writes of the same names replace a value in place
(glibc never frees the strings), which is safe. tests/test_model_environment.py checks that
loading and running the model then adds nothing, so a TensorFlow upgrade that sets a new
variable fails there, not in users' hands.
"""

from __future__ import annotations

import os
import threading

from pitchlive.model import limit_threads_for_streaming, tensorflow_version
from pitchlive.model.files import TFHUB_CACHE_ENV_VAR, hub_cache_dir

# What TensorFlow 2.21's import sets, with its values (tensorflow/__init__.py,
# tensorflow/python/tpu/__init__.py, tensorflow/python/keras/saving/*.py).
TENSORFLOW_SETS = {
    "TF_CPP_MIN_LOG_LEVEL": "2",                 # ours (model._import_tf), before the import
    "TF_ENABLE_ONEDNN_OPTS": "0",                # ours (model._import_tf), before the import
    "ENABLE_RUNTIME_UPTIME_TELEMETRY": "1",
    "TF2_BEHAVIOR": "1",
    "TPU_ML_PLATFORM": "Tensorflow",
    "HDF5_PLUGIN_PATH": "disable",
}
TF_VERSION_VAR = "TPU_ML_PLATFORM_VERSION"      # TensorFlow's version


def prepare_environment(streaming: bool = True) -> bool:
    """Create the variables that loading or running the model would add; call it first.

    streaming: the live model will be loaded (load_live_model limits TensorFlow's threads, which
    adds two more variables); False for whole-file commands, which keep TensorFlow's default
    thread pools.

    Meant for the main thread before any other thread has started: the one moment when adding
    a variable cannot race a getenv(). Values the user set are kept. Returns False when other
    threads were already running (the variables are created all the same: now is no worse
    than in the middle of loading the model).
    """
    alone = threading.active_count() == 1
    for name, value in TENSORFLOW_SETS.items():
        os.environ.setdefault(name, value)
    if TF_VERSION_VAR not in os.environ:
        # From the package metadata; TensorFlow is imported only on an install without it.
        os.environ[TF_VERSION_VAR] = tensorflow_version()
    os.environ.setdefault(TFHUB_CACHE_ENV_VAR, str(hub_cache_dir()))
    if streaming:
        limit_threads_for_streaming()
    return alone
