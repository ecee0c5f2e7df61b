"""Note segmentation (pitchlive.tracking.segmentation): the Viterbi path over semitones."""

import numpy as np

from pitchlive.tracking.segmentation import viterbi_semitones


def test_viterbi_path_needs_a_real_change():
    midi = np.concatenate([np.full(10, 60.2), np.full(10, 60.55), np.full(10, 62.0)])
    assert list(viterbi_semitones(midi)) == [60] * 20 + [62] * 10
    # A lasting change wins even when the frames sit near the boundary.
    midi = np.concatenate([np.full(10, 60.0), np.full(10, 60.7)])
    assert list(viterbi_semitones(midi)) == [60] * 10 + [61] * 10
