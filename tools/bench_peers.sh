#!/usr/bin/env bash
# The comparison peers for bench/accuracy.py, in their own virtual environment (never pitchlive's
# dependencies): pYIN (librosa), CREPE tiny (torchcrepe), PESTO (pesto-pitch), swift-f0, Praat.
# Spotify's Basic Pitch (bench/notes_vs_basic_pitch.py) runs its ONNX model with onnxruntime:
# installed without its dependencies, which pin TensorFlow < 2.15.1 (no wheel for this Python);
# its real runtime dependencies follow by hand.
# torch is pinned to the version whose CPU wheel the package index here has (any other spec
# pulls GBs of CUDA). pesto-pitch and torchcrepe
# declare torchaudio, which has no CPU build here and which they only use to load files, so they
# are installed without dependencies and their real dependencies by hand.
set -euo pipefail
PYTHON=${PYTHON:-python3}
VENV=${1:-.venv-bench}
[ -x "$VENV/bin/python" ] || "$PYTHON" -m venv "$VENV"
PIP=("$VENV/bin/python" -m pip install -q)
"${PIP[@]}" --upgrade pip
"${PIP[@]}" "torch==2.13.0"
"${PIP[@]}" numpy scipy soundfile mir_eval librosa praat-parselmouth swift-f0
"${PIP[@]}" --no-deps torchcrepe pesto-pitch
# torchcrepe's and pesto-pitch's own dependencies, less torchaudio.
"${PIP[@]}" resampy tqdm omegaconf
"${PIP[@]}" --no-deps basic-pitch
"${PIP[@]}" onnxruntime pretty_midi "resampy<0.4.3" mido
# resampy < 0.4.3 (torchcrepe's too) imports pkg_resources, which setuptools 81 removed.
"${PIP[@]}" "setuptools<81"
"$VENV/bin/python" -c 'import sys, types; sys.modules["torchaudio"] = types.ModuleType("torchaudio"); import librosa, parselmouth, torchcrepe, pesto, swift_f0, basic_pitch.inference, onnxruntime; print("peers ok")'
