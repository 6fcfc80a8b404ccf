"""A short song2000 run in Brian2 (numpy target) and spikesim with the same input spikes."""
import importlib.util
import pathlib

import numpy as np
import pytest

from spikesim import SpikeMonitor
from spikesim.units import second

pytestmark = pytest.mark.brian2
pytest.importorskip("brian2")

EXPERIMENTS = pathlib.Path(__file__).resolve().parents[1] / "experiments"


def test_song2000_matches_brian2():
    spec = importlib.util.spec_from_file_location("song2000", EXPERIMENTS / "song2000.py")
    song = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(song)
    from spikesim.compare import brian2_reference
    duration = 1.5
    net, inputs, neuron, S, M, _ = song.build(seed=7)
    Min = SpikeMonitor(inputs)
    net.add(Min)
    net.build()
    w0 = S.w
    net.run(duration * second, progress=False)
    ref = brian2_reference.song2000(Min.i, Min.t, song.N_INPUTS, w0, duration, target="numpy")
    assert M.num_spikes > 20
    np.testing.assert_allclose(M.t, ref["post_t"], atol=1e-12)
    assert M.t.size == ref["post_t"].size
    assert np.max(np.abs(S.w - ref["w"])) <= 1e-12 * song.G_MAX
    assert np.any(S.w != w0)
