"""Whole recordings through the model: inference, file analysis, spectrogram, recording view data.

Modules: inference (ChunkedInference, predict), file (analyze_file, FileAnalysis), spectrogram
(semitone_spectrogram), recording (analyse_recording for the Recording view).
"""
