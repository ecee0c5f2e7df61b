"""Notation: key and metre of a transcription (pure functions, no audio)."""
