"""Choosing the live backend: LiteRT on a cached TFLite conversion, TensorFlow as the fallback.

    model source --(files: local folder or TF Hub download folder, no TensorFlow)--> content key
      cached TFLite entry for the key?  yes -> LiteRT   (TensorFlow never imported)
                                        no  -> TensorFlow loads and checks the SavedModel,
                                               converts it, caches it -> LiteRT
      LiteRT missing or failing, conversion failing -> the TensorFlow model, with one warning

$PITCHLIVE_BACKEND (auto, litert, tensorflow) or the backend argument chooses; "litert" fails
with a ModelError instead of falling back.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from pitchlive.model import (ModelError, SpiceModel, limit_threads_for_streaming, load_model,
                             model_info, warm_up)
from pitchlive.model.converted import ConversionError, convert_and_store, find_converted
from pitchlive.model.files import content_key, local_folder
from pitchlive.model.litert_backend import LiteRTModel, LiteRTUnavailable, import_litert
from pitchlive.settings import Settings

log = logging.getLogger(__name__)

BACKEND_ENV_VAR = "PITCHLIVE_BACKEND"
AUTO, LITERT, TENSORFLOW = "auto", "litert", "tensorflow"
BACKENDS = (AUTO, LITERT, TENSORFLOW)

_fallback_reported = False


def resolve_backend(backend: str | None = None) -> str:
    """The backend asked for: the argument, else $PITCHLIVE_BACKEND, else auto."""
    value = (backend or os.environ.get(BACKEND_ENV_VAR, "") or AUTO).strip().lower()
    if value not in BACKENDS:
        raise ModelError(f"${BACKEND_ENV_VAR} must be one of {', '.join(BACKENDS)}, got "
                         f"{value!r}. Unset it to let pitchlive choose.")
    return value


def _fall_back(tf_model: SpiceModel, reason: str, strict: bool, hint: str = "") -> SpiceModel:
    """The TensorFlow model after LiteRT failed; says so once per process (or raises if strict)."""
    global _fallback_reported
    if strict:
        raise ModelError(f"LiteRT was asked for (${BACKEND_ENV_VAR}=litert) but cannot run SPICE:"
                         f" {reason}.{hint} Unset ${BACKEND_ENV_VAR} to fall back to TensorFlow.")
    if not _fallback_reported:
        _fallback_reported = True
        log.warning("live tracking runs on TensorFlow instead of LiteRT (it starts slower and "
                    "uses more CPU): %s.%s", reason, hint)
    return tf_model


def _load_litert(settings: Settings, strict: bool) -> SpiceModel | LiteRTModel:
    source, origin = settings.resolved_model_source()
    override = settings.resolved_calibration()
    try:
        import_litert()
    except LiteRTUnavailable as exc:
        return _fall_back(load_model(settings), str(exc), strict,
                          " Install it with `pip install ai-edge-litert`.")
    folder = local_folder(source)
    entry = None
    if folder is not None:
        try:
            entry = find_converted(content_key(folder))
        except OSError as exc:       # unreadable model files: TensorFlow explains below
            log.info("cannot hash %s (%s)", folder, exc)
    tf_model = None
    if entry is None:
        tf_model = load_model(settings)       # imports TensorFlow, downloads, checks
        folder = Path(tf_model.info.path)
        try:
            entry = convert_and_store(tf_model, content_key(folder))
        except (ConversionError, OSError) as exc:
            return _fall_back(tf_model, f"the model could not be converted to TFLite ({exc})",
                              strict)
    info = model_info(source, origin, override, entry.parameter_count, folder)
    try:
        return LiteRTModel(entry.tflite_path, info)
    except LiteRTUnavailable as exc:
        return _fall_back(tf_model or load_model(settings), str(exc), strict)


def load_live(settings: Settings, backend: str | None = None,
              warm_up_samples: int | None = None) -> SpiceModel | LiteRTModel:
    """See pitchlive.model.load_live_model."""
    choice = resolve_backend(backend)
    limit_threads_for_streaming()       # for TensorFlow, if it ends up running the model
    if choice == TENSORFLOW:
        model = load_model(settings)
    else:
        model = _load_litert(settings, strict=choice == LITERT)
    # The first call allocates (LiteRT) or traces the graph (TensorFlow): pay it here, not on
    # the first live frame.
    n_samples = settings.window_samples if warm_up_samples is None else warm_up_samples
    if n_samples > 0:
        warm_up(model, n_samples)
    return model
