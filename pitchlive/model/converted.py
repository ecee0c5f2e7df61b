"""SavedModels converted to TFLite once, cached per user and keyed by the SavedModel's content.

Each entry is two files in files.converted_cache_dir(): ``KEY.tflite`` and ``KEY.json``. The JSON
holds the TFLite file's sha256 (so a damaged or truncated file is detected and rebuilt) and what
`pitchlive info` says about the model (its parameter count), so neither needs TensorFlow later.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from pitchlive.model.files import converted_cache_dir, file_digest

if TYPE_CHECKING:
    from pitchlive.model import SpiceModel

log = logging.getLogger(__name__)


class ConversionError(Exception):
    """TensorFlow could not convert the SavedModel, or the result could not be stored."""


@dataclass(frozen=True)
class ConvertedModel:
    """A cached TFLite file and what is known of the SavedModel it came from."""

    tflite_path: Path
    key: str
    parameter_count: int
    converted_from: str        # the SavedModel folder it was converted from (first time)


def entry_paths(key: str) -> tuple[Path, Path]:
    """(TFLite file, metadata JSON) of a cache entry."""
    folder = converted_cache_dir()
    return folder / f"{key}.tflite", folder / f"{key}.json"


def remove_entry(key: str) -> None:
    """Delete a cache entry (both files), ignoring files already gone or out of reach."""
    for path in entry_paths(key):
        with contextlib.suppress(OSError):
            path.unlink()


def find_converted(key: str) -> ConvertedModel | None:
    """The verified cache entry for a content key; None when missing or damaged (then removed).

    Never imports TensorFlow.
    """
    tflite_path, meta_path = entry_paths(key)
    if not tflite_path.exists() and not meta_path.exists():
        return None
    try:
        meta = json.loads(meta_path.read_text())
        sha256, size = str(meta["sha256"]), int(meta["size_bytes"])
        entry = ConvertedModel(tflite_path, key, int(meta["parameter_count"]),
                               str(meta.get("converted_from", "")))
        problem = None
        if tflite_path.stat().st_size != size:
            problem = f"its size is {tflite_path.stat().st_size} bytes, not {size}"
        elif file_digest(tflite_path) != sha256:
            problem = "its checksum does not match"
    except (OSError, ValueError, KeyError, TypeError) as exc:
        problem = f"{type(exc).__name__}: {exc}"
    if problem is None:
        return entry
    log.warning("the converted model %s is damaged (%s); converting it again", tflite_path,
                problem)
    remove_entry(key)
    return None


def _write_atomically(path: Path, data: bytes) -> None:
    descriptor, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.",
                                            suffix=".tmp")
    try:
        with os.fdopen(descriptor, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp_name, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp_name)
        raise


def convert_and_store(model: SpiceModel, key: str) -> ConvertedModel:
    """Convert a model loaded on TensorFlow to TFLite and cache it under key.

    Raises ConversionError when the converter fails or the file cannot be written.
    """
    started = time.monotonic()
    folder = Path(model.info.path)
    try:
        data = model.to_tflite()
    except Exception as exc:  # noqa: BLE001 - the converter raises many types
        detail = str(exc).splitlines()[0] if str(exc) else ""
        raise ConversionError(f"TensorFlow's TFLite converter failed on {folder} "
                              f"({type(exc).__name__}: {detail})") from exc
    tflite_path, meta_path = entry_paths(key)
    meta = {"sha256": hashlib.sha256(data).hexdigest(), "size_bytes": len(data),
            "parameter_count": model.info.parameter_count, "converted_from": str(folder),
            "converter": model.describe_backend(),
            "converted_at": time.strftime("%Y-%m-%dT%H:%M:%S%z")}
    try:
        tflite_path.parent.mkdir(parents=True, exist_ok=True)
        _write_atomically(tflite_path, data)
        _write_atomically(meta_path, json.dumps(meta, indent=1).encode())
    except OSError as exc:
        remove_entry(key)
        raise ConversionError(f"cannot write the converted model into {tflite_path.parent} "
                              f"({exc.strerror or exc}); set $PITCHLIVE_MODEL_CACHE to a "
                              "writable folder") from exc
    log.info("converted %s to TFLite in %.1f s: %s", folder, time.monotonic() - started,
             tflite_path)
    return ConvertedModel(tflite_path, key, model.info.parameter_count, str(folder))
