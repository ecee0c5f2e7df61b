"""Where model files live, found without importing TensorFlow.

Layout of the per-user cache (platformdirs' user cache folder for "pitchlive", or
$PITCHLIVE_MODEL_CACHE):

    tfhub/    TF Hub downloads, one folder per handle named sha1(handle) as tensorflow_hub names
              it ($TFHUB_CACHE_DIR moves this one)
    litert/   SavedModels converted to TFLite, named by the SavedModel's content (content_key)
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

MODEL_CACHE_ENV_VAR = "PITCHLIVE_MODEL_CACHE"
TFHUB_CACHE_ENV_VAR = "TFHUB_CACHE_DIR"
SAVED_MODEL_FILES = ("saved_model.pb", "saved_model.pbtxt")
# The parts of a SavedModel folder that define the model; other files (a README, SOURCE.md)
# do not change what it computes.
CONTENT_FOLDERS = ("variables", "assets")
# Bump when the conversion changes, so files converted by an older pitchlive are rebuilt.
CONVERSION_FORMAT = 1


def model_cache_root() -> Path:
    """Per-user folder for everything pitchlive caches about models."""
    env = os.environ.get(MODEL_CACHE_ENV_VAR, "").strip()
    if env:
        return Path(env).expanduser()
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("pitchlive"))


def hub_cache_dir() -> Path:
    """Folder where TF Hub downloads are kept ($TFHUB_CACHE_DIR wins if set)."""
    env = os.environ.get(TFHUB_CACHE_ENV_VAR, "").strip()
    if env:
        return Path(env).expanduser()
    return model_cache_root() / "tfhub"


def converted_cache_dir() -> Path:
    """Folder of the TFLite files converted from SavedModels."""
    return model_cache_root() / "litert"


def is_remote(source: str) -> bool:
    """True for TF Hub / Kaggle handles and URLs, False for local paths."""
    return "://" in source


def is_saved_model_folder(path: Path) -> bool:
    """True when path is a folder holding saved_model.pb (or .pbtxt)."""
    return path.is_dir() and any((path / name).is_file() for name in SAVED_MODEL_FILES)


def downloaded_folder(handle: str) -> Path:
    """Where tensorflow_hub keeps (or will keep) the download of a handle: sha1 of the handle."""
    return hub_cache_dir() / hashlib.sha1(handle.encode("utf8")).hexdigest()


def local_folder(source: str) -> Path | None:
    """The SavedModel folder of a model source if it is on disk already, else None.

    A local path is itself; a TF Hub handle is its download folder, complete once it exists
    (tensorflow_hub renames a finished download into place).
    """
    path = downloaded_folder(source) if is_remote(source) else Path(source).expanduser()
    return path if is_saved_model_folder(path) else None


def model_files(folder: Path) -> list[Path]:
    """The files that define a SavedModel, in a stable order."""
    files = [folder / name for name in SAVED_MODEL_FILES if (folder / name).is_file()]
    for sub in CONTENT_FOLDERS:
        if (folder / sub).is_dir():
            files.extend(sorted(p for p in (folder / sub).rglob("*") if p.is_file()))
    return files


def content_key(folder: Path) -> str:
    """A hex digest of a SavedModel's files (names and bytes), independent of where it lies.

    Raises OSError when a file cannot be read.
    """
    digest = hashlib.sha256(f"pitchlive-tflite-{CONVERSION_FORMAT}\n".encode())
    for path in model_files(folder):
        digest.update(path.relative_to(folder).as_posix().encode() + b"\0")
        digest.update(str(path.stat().st_size).encode() + b"\0")
        with path.open("rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()[:32]


def file_digest(path: Path) -> str:
    """sha256 of one file's bytes."""
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
