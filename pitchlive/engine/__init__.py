"""The real-time engine: a source's stream through the model, frames to subscribers."""

from pitchlive.engine.core import Engine
from pitchlive.engine.events import EngineEvent, EngineStats, PitchModel

__all__ = ["Engine", "EngineEvent", "EngineStats", "PitchModel"]
