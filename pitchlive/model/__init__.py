"""SPICE: finding, loading, calibrating and running the model. Only this package imports
TensorFlow or LiteRT.

Resolution order: --model, then $PITCHLIVE_MODEL, then TF Hub's SPICE v2. Each may be a TF Hub
handle/URL or a local SavedModel folder. Downloads are cached per user (platformdirs, or
$PITCHLIVE_MODEL_CACHE), not in TF Hub's temp-dir default, so they survive reboots.

    load_model()       the SavedModel on TensorFlow: whole recordings (fast on long inputs)
    load_live_model()  live tracking: LiteRT on a cached TFLite conversion (live.py), no
                       TensorFlow import once converted; TensorFlow as the fallback
"""

from __future__ import annotations

import logging
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from pitchlive.calibration import CALIBRATIONS, Calibration, calibration_for_parameter_count
from pitchlive.frames import HOP_SAMPLES
from pitchlive.model.files import hub_cache_dir, is_remote, is_saved_model_folder
from pitchlive.model.native_log import filtered_native_stderr
from pitchlive.settings import Settings

if TYPE_CHECKING:
    from pitchlive.model.litert_backend import LiteRTModel

log = logging.getLogger(__name__)

SIGNATURE = "serving_default"
INPUT_NAME = "input"
PITCH_OUTPUT = "pitch"
UNCERTAINTY_OUTPUT = "uncertainty"
# SPICE fails on inputs of a few samples; shorter inputs are zero-padded to this.
MIN_INPUT_SAMPLES = 1024


class ModelError(Exception):
    """The model cannot be found, loaded or run; the message says what to do."""


@dataclass(frozen=True)
class ModelInfo:
    """Where the model came from and how its output is read."""

    source: str
    source_origin: str
    version: str
    calibration: Calibration
    calibration_origin: str
    parameter_count: int
    path: str

    def describe(self) -> str:
        """A few lines for logs and `pitchlive info`."""
        return (f"model: SPICE {self.version} from {self.source} ({self.source_origin})\n"
                f"  files: {self.path}\n"
                f"  parameters in checkpoint: {self.parameter_count:,}\n"
                f"  {self.calibration.describe()} ({self.calibration_origin})")


def cache_dir() -> Path:
    """Per-user folder where TF Hub downloads are kept ($TFHUB_CACHE_DIR wins if set)."""
    return hub_cache_dir()


# TensorFlow's oneDNN kernels pay ~5x a call's CPU on the first call at each new input length
# (SPICE v1, 2 cores: +120-270 ms for 121,536-256,801 samples, every file of a new length), and
# its standard kernels run repeated calls as fast; frames differ by < 0.004 cents and 2e-6 of
# confidence (README "File analysis speed and memory"). Set before the import; a user's value
# is kept.
ONEDNN_ENV_VAR = "TF_ENABLE_ONEDNN_OPTS"


def _import_tf():
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    os.environ.setdefault(ONEDNN_ENV_VAR, "0")
    try:
        with filtered_native_stderr():
            import tensorflow as tf
            import tensorflow_hub as hub
            tf.constant(0.0).numpy()  # first device use prints the CUDA probe lines
        # SPICE v1 is a TF1 export: loading it warns once per reference variable.
        tf.get_logger().setLevel(logging.ERROR)
    except ImportError as exc:  # pragma: no cover - only on a broken install
        raise ModelError(
            f"TensorFlow could not be imported ({exc}). Reinstall pitchlive's dependencies: "
            "`make run` does it, or `pip install tensorflow tensorflow-hub`.") from exc
    return tf, hub


def _resolve_files(source: str, hub) -> Path:
    """Local SavedModel folder for a source, downloading into the cache if needed."""
    if not is_remote(source):
        path = Path(source).expanduser()
        if not path.exists():
            raise ModelError(
                f"The model folder {path} does not exist. Point --model or $PITCHLIVE_MODEL at a "
                "SPICE SavedModel folder (it contains saved_model.pb), or unset them to use "
                "SPICE v2 from TF Hub.")
        if not is_saved_model_folder(path):
            raise ModelError(
                f"{path} is not a TensorFlow SavedModel: it has no saved_model.pb. Point --model "
                "or $PITCHLIVE_MODEL at the folder that holds saved_model.pb and variables/ "
                "(for example an unpacked SPICE download from TF Hub).")
        return path
    cache = cache_dir()
    os.environ["TFHUB_CACHE_DIR"] = str(cache)
    try:
        cache.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ModelError(f"Cannot create the model cache folder {cache} ({exc}). Set "
                         "$TFHUB_CACHE_DIR to a writable folder.") from exc
    try:
        return Path(hub.resolve(source))
    except Exception as exc:  # noqa: BLE001 - TF Hub raises many unrelated types offline
        raise ModelError(
            f"Could not download the SPICE model from {source} ({type(exc).__name__}: "
            f"{str(exc).splitlines()[0] if str(exc) else 'no detail'}). pitchlive downloads it "
            f"once (a few MB) and keeps it in {cache}; there is no cached copy yet. Connect to "
            "the internet and try again, or point --model / $PITCHLIVE_MODEL at a local SPICE "
            "SavedModel folder.") from exc


def _parameter_count(tf, path: Path) -> int:
    prefix = path / "variables" / "variables"
    try:
        return sum(int(np.prod(shape)) for _, shape in tf.train.list_variables(str(prefix)))
    except Exception as exc:  # noqa: BLE001
        raise ModelError(f"{path} has no readable variables ({exc}); it is not a complete "
                         "SavedModel. Download the model again or point --model at another "
                         "folder.") from exc


class SpiceModel:
    """A loaded SPICE model on TensorFlow: call infer() on 16 kHz mono audio."""

    backend = "TensorFlow"

    def __init__(self, signature, info: ModelInfo, tf_module) -> None:
        self._signature = signature
        self._tf = tf_module
        self.info = info
        self._lock = threading.Lock()

    @property
    def calibration(self) -> Calibration:
        """How pitch outputs map to Hz for this model."""
        return self.info.calibration

    def infer(self, audio_16k: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Frequency (Hz) and confidence (0-1) for 16 kHz mono audio (n,), each (n//512 + 1,).

        Frame k is centred on input sample 512 * k.
        """
        x, n_frames = prepare_input(audio_16k)
        with self._lock:
            try:
                outputs = self._signature(**{INPUT_NAME: self._tf.constant(x)})
                pitch = outputs[PITCH_OUTPUT].numpy().reshape(-1)
                uncertainty = outputs[UNCERTAINTY_OUTPUT].numpy().reshape(-1)
            except Exception as exc:  # noqa: BLE001
                raise ModelError(f"SPICE failed while running ({type(exc).__name__}: "
                                 f"{str(exc).splitlines()[0] if str(exc) else ''}). The model "
                                 "files may be damaged: download them again or choose another "
                                 "with --model.") from exc
        return frames_from_outputs(pitch, uncertainty, n_frames, self.info.calibration)

    def describe_backend(self) -> str:
        """One line for `pitchlive info`."""
        return f"TensorFlow {self._tf.__version__} (SavedModel signature '{SIGNATURE}')"

    def to_tflite(self) -> bytes:
        """This SavedModel's serving signature converted by TensorFlow's TFLite converter.

        Builtin operators suffice for SPICE; the converter's errors propagate.
        """
        with filtered_native_stderr():
            converter = self._tf.lite.TFLiteConverter.from_saved_model(
                self.info.path, signature_keys=[SIGNATURE])
            return converter.convert()


def prepare_input(audio_16k: np.ndarray) -> tuple[np.ndarray, int]:
    """(model input, frame count) for 16 kHz mono audio (n,): float32 (max(n, 1024),), n//512 + 1.

    Inputs shorter than MIN_INPUT_SAMPLES are zero-padded at the end.
    """
    x = np.ascontiguousarray(audio_16k, dtype=np.float32).reshape(-1)
    n_frames = x.size // HOP_SAMPLES + 1
    if x.size < MIN_INPUT_SAMPLES:
        x = np.pad(x, (0, MIN_INPUT_SAMPLES - x.size))
    return x, n_frames


def frames_from_outputs(pitch: np.ndarray, uncertainty: np.ndarray, n_frames: int,
                        calibration: Calibration) -> tuple[np.ndarray, np.ndarray]:
    """Frequency (Hz) and confidence (0-1), each (n_frames,), from SPICE's raw outputs (m,)."""
    # Some builds return one frame more or fewer than n//512 + 1; keep the defined count.
    pitch, uncertainty = _fit_length(pitch, n_frames), _fit_length(uncertainty, n_frames)
    frequency_hz = calibration.pitch_to_hz(pitch)
    confidence = np.clip(1.0 - uncertainty.astype(np.float64), 0.0, 1.0)
    return frequency_hz, confidence


def _fit_length(values: np.ndarray, n: int) -> np.ndarray:
    if values.size >= n:
        return values[:n]
    return np.pad(values, (0, n - values.size), mode="edge")


def _check_signature(loaded, path: Path):
    signatures = getattr(loaded, "signatures", {})
    if SIGNATURE not in signatures:
        raise ModelError(
            f"The SavedModel in {path} has no '{SIGNATURE}' signature (it has: "
            f"{', '.join(signatures.keys()) or 'none'}), so it is not SPICE. Point --model or "
            "$PITCHLIVE_MODEL at a SPICE SavedModel, or unset them to use TF Hub's SPICE v2.")
    signature = signatures[SIGNATURE]
    inputs = signature.structured_input_signature[1]
    outputs = signature.structured_outputs
    missing = ([f"input '{INPUT_NAME}'"] if INPUT_NAME not in inputs else []) + [
        f"output '{name}'" for name in (PITCH_OUTPUT, UNCERTAINTY_OUTPUT) if name not in outputs]
    if missing:
        raise ModelError(
            f"The SavedModel in {path} has a '{SIGNATURE}' signature without {', '.join(missing)} "
            f"(inputs: {', '.join(inputs) or 'none'}; outputs: {', '.join(outputs) or 'none'}), "
            "so it is not SPICE. Point --model or $PITCHLIVE_MODEL at a SPICE SavedModel.")
    return signature


def model_info(source: str, origin: str, calibration_override: str | None,
               parameter_count: int, path: Path) -> ModelInfo:
    """What is known of a model: its calibration is the override, else detected from its size."""
    detected = calibration_for_parameter_count(parameter_count)
    if calibration_override:
        calibration = CALIBRATIONS[calibration_override]
        calibration_origin = (f"set explicitly; the checkpoint size suggests {detected.version}")
    else:
        calibration = detected
        calibration_origin = f"detected from {parameter_count:,} checkpoint parameters"
    return ModelInfo(source=source, source_origin=origin, version=calibration.version,
                     calibration=calibration, calibration_origin=calibration_origin,
                     parameter_count=parameter_count, path=str(path))


def load_model(settings: Settings | None = None) -> SpiceModel:
    """Find, load and check SPICE on TensorFlow as the settings say; raises ModelError.

    For whole recordings (TensorFlow is fast on long inputs); live tracking uses
    load_live_model.
    """
    settings = settings or Settings()
    source, origin = settings.resolved_model_source()
    override = settings.resolved_calibration()
    tf, hub = _import_tf()
    path = _resolve_files(source, hub)
    try:
        loaded = hub.load(str(path))
    except Exception as exc:  # noqa: BLE001
        raise ModelError(f"TensorFlow could not load the SavedModel in {path} "
                         f"({type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''})"
                         ". The files may be incomplete: download them again, or point --model "
                         "at another folder.") from exc
    signature = _check_signature(loaded, path)
    info = model_info(source, origin, override, _parameter_count(tf, path), path)
    # Keep the loaded object alive: the signature's variables belong to it.
    model = SpiceModel(signature, info, tf)
    model._loaded = loaded
    log.info("loaded %s", info.describe())
    return model


def limit_threads_for_streaming() -> None:
    """Run SPICE on the calling thread only (unless the user set TensorFlow's thread counts).

    Live calls are tiny (2304 samples every 32 ms); TensorFlow's default thread pools spend more
    CPU waking and spinning than computing: 0.25 -> 0.13 CPU s per s of 48 kHz input measured
    (bench/engine_cpu.py). Only effective before TensorFlow is imported.
    """
    os.environ.setdefault("TF_NUM_INTRAOP_THREADS", "1")
    os.environ.setdefault("TF_NUM_INTEROP_THREADS", "1")


def warm_up(model, n_samples: int) -> None:
    """Run a model once on n_samples of silence (the live window's length).

    TensorFlow's first call on a new input length traces its graph (0.1-0.5 s); paid here, it
    stays off the first live frame. Errors of the model propagate.
    """
    model.infer(np.zeros(n_samples, dtype=np.float32))


def load_warm_model(settings: Settings) -> SpiceModel | LiteRTModel:
    """Load SPICE for live tracking and run it once; call it off the GUI thread.

    The live backend (load_live_model: LiteRT on a cached conversion, TensorFlow with its
    threads limited for streaming otherwise), warmed up on the live window. Then garbage is
    collected once and the survivors frozen: TensorFlow leaves ~430k Python objects, and one
    full collection over them (~220 ms here) would stall the GUI and the engine alike.
    """
    import gc

    model = load_live_model(settings, warm_up_samples=settings.live_window[0])
    gc.collect()
    gc.freeze()
    return model


def tensorflow_version() -> str:
    """Version of the installed TensorFlow, from its package metadata (imports nothing)."""
    from importlib.metadata import PackageNotFoundError, version

    for distribution in ("tensorflow", "tensorflow-cpu"):
        try:
            return version(distribution)
        except PackageNotFoundError:
            continue
    tf, _ = _import_tf()
    return tf.__version__


def load_live_model(settings: Settings | None = None, backend: str | None = None,
                    warm_up_samples: int | None = None) -> SpiceModel | LiteRTModel:
    """SPICE for live tracking: LiteRT on a cached TFLite conversion, else TensorFlow.

    backend: "auto" (default: $PITCHLIVE_BACKEND, else auto), "litert" or "tensorflow". On
    auto, the first use of a model converts it (TensorFlow) and caches the file; later runs never
    import TensorFlow. When LiteRT cannot be used, TensorFlow runs it and one warning says why.
    warm_up_samples: run the model once on that many samples (default: the settings' window;
    0: not at all).
    The returned object has infer(), info, calibration, backend and describe_backend().
    Raises ModelError as load_model does.
    """
    from pitchlive.model.live import load_live

    return load_live(settings or Settings(), backend, warm_up_samples)
