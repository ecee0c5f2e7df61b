"""SPICE on LiteRT (PyPI ai-edge-litert): the live backend, with no TensorFlow import.

A TFLite interpreter has fixed tensor shapes, so each input length gets its own interpreter
(resized and allocated once). The live engine calls with one length (its window), so in practice
one interpreter runs; a few others are kept for occasional lengths. Long inputs are slow and
memory-hungry on LiteRT (one 16 s call: 3.2 s and 1.1 GB, against ~30 ms on TensorFlow), so
whole-file analysis stays on TensorFlow (pitchlive.model.load_model).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from pathlib import Path

import numpy as np

from pitchlive.model import (INPUT_NAME, PITCH_OUTPUT, SIGNATURE, UNCERTAINTY_OUTPUT, ModelError,
                             ModelInfo, frames_from_outputs, prepare_input)
from pitchlive.model.native_log import filtered_native_stderr

# Interpreters kept for distinct input lengths (least recently used dropped first).
MAX_INTERPRETERS = 3
DISTRIBUTION = "ai-edge-litert"


class LiteRTUnavailable(Exception):
    """LiteRT is not installed or cannot run this TFLite file."""


def litert_version() -> str:
    """Installed ai-edge-litert version ('' when it is not installed); imports nothing heavy."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(DISTRIBUTION)
    except PackageNotFoundError:
        return ""


def import_litert():
    """LiteRT's Interpreter class; raises LiteRTUnavailable when it cannot be imported."""
    try:
        from ai_edge_litert.interpreter import Interpreter
    except Exception as exc:  # noqa: BLE001 - ImportError, or a broken native library
        raise LiteRTUnavailable(f"LiteRT cannot be imported ({type(exc).__name__}: {exc})") \
            from exc
    return Interpreter


def _tensor_indices(interpreter) -> tuple[int, int, int]:
    """(input, pitch, uncertainty) tensor indices, read by name from the model's signature.

    A converted SavedModel keeps its signature's names; files without one are read by tensor
    names ('pitch:0'). Output order differs between conversions, so never by position.
    """
    signatures = interpreter.get_signature_list()
    if SIGNATURE in signatures:
        runner = interpreter.get_signature_runner(SIGNATURE)
        inputs = {name: d["index"] for name, d in runner.get_input_details().items()}
        outputs = {name: d["index"] for name, d in runner.get_output_details().items()}
        del runner   # it holds references that forbid resizing the interpreter
    else:
        inputs = {d["name"].split(":")[0]: d["index"] for d in interpreter.get_input_details()}
        outputs = {d["name"].split(":")[0]: d["index"] for d in interpreter.get_output_details()}
        if len(inputs) == 1:
            inputs = {INPUT_NAME: next(iter(inputs.values()))}
    missing = [n for n in (INPUT_NAME,) if n not in inputs] + \
        [n for n in (PITCH_OUTPUT, UNCERTAINTY_OUTPUT) if n not in outputs]
    if missing:
        raise LiteRTUnavailable(f"the TFLite model lacks {', '.join(missing)} (inputs: "
                                f"{', '.join(inputs)}; outputs: {', '.join(outputs)})")
    return inputs[INPUT_NAME], outputs[PITCH_OUTPUT], outputs[UNCERTAINTY_OUTPUT]


class LiteRTModel:
    """A SPICE TFLite file run by LiteRT on the calling thread; infer() as SpiceModel's."""

    backend = "LiteRT"

    def __init__(self, tflite_path: Path, info: ModelInfo, num_threads: int = 1) -> None:
        """Load the file and check its inputs and outputs; raises LiteRTUnavailable."""
        self.info = info
        self.tflite_path = Path(tflite_path)
        self._num_threads = num_threads
        self._interpreter_cls = import_litert()
        try:
            self._content = self.tflite_path.read_bytes()
        except OSError as exc:
            raise LiteRTUnavailable(f"cannot read {self.tflite_path} ({exc})") from exc
        self._interpreters: OrderedDict[int, tuple] = OrderedDict()
        self._lock = threading.Lock()
        # The first interpreter prints LiteRT's delegate notice; keep it off the terminal.
        with filtered_native_stderr():
            self._interpreter_for(prepare_input(np.zeros(0, np.float32))[0].size)

    @property
    def calibration(self):
        """How pitch outputs map to Hz for this model."""
        return self.info.calibration

    def describe_backend(self) -> str:
        """One line for `pitchlive info`."""
        return (f"LiteRT {litert_version() or '(unknown version)'}, {self._num_threads} thread "
                f"(TFLite file {self.tflite_path})")

    def _interpreter_for(self, n_samples: int) -> tuple:
        entry = self._interpreters.get(n_samples)
        if entry is not None:
            self._interpreters.move_to_end(n_samples)
            return entry
        try:
            interpreter = self._interpreter_cls(model_content=self._content,
                                                num_threads=self._num_threads)
            input_index, pitch_index, uncertainty_index = _tensor_indices(interpreter)
            interpreter.resize_tensor_input(input_index, [n_samples], strict=False)
            interpreter.allocate_tensors()
        except LiteRTUnavailable:
            raise
        except Exception as exc:  # noqa: BLE001 - LiteRT raises ValueError/RuntimeError
            raise LiteRTUnavailable(f"LiteRT cannot run {self.tflite_path} "
                                    f"({type(exc).__name__}: {exc})") from exc
        entry = (interpreter, input_index, pitch_index, uncertainty_index)
        self._interpreters[n_samples] = entry
        while len(self._interpreters) > MAX_INTERPRETERS:
            self._interpreters.popitem(last=False)
        return entry

    def infer(self, audio_16k: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Frequency (Hz) and confidence (0-1) for 16 kHz mono audio (n,), each (n//512 + 1,).

        Frame k is centred on input sample 512 * k.
        """
        x, n_frames = prepare_input(audio_16k)
        with self._lock:
            try:
                interpreter, input_index, pitch_index, uncertainty_index = \
                    self._interpreter_for(x.size)
                interpreter.set_tensor(input_index, x)
                interpreter.invoke()
                pitch = interpreter.get_tensor(pitch_index).reshape(-1)
                uncertainty = interpreter.get_tensor(uncertainty_index).reshape(-1)
            except Exception as exc:  # noqa: BLE001
                raise ModelError(f"SPICE failed while running on LiteRT ({type(exc).__name__}: "
                                 f"{str(exc).splitlines()[0] if str(exc) else ''}). Set "
                                 "PITCHLIVE_BACKEND=tensorflow to run it on TensorFlow.") from exc
        return frames_from_outputs(pitch, uncertainty, n_frames, self.info.calibration)
