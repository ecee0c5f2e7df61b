"""pitchlive: live pitch tracking, tuning and transcription with Google's SPICE model."""

__version__ = "0.1.0"
