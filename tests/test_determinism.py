"""Seeds, store/restore, save/load continuity."""
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from netfactory import random_network
from spikesim import Network, NeuronGroup
from spikesim.units import ms


def _spikes(seed):
    net, groups, syns, mons, *_ = random_network(1)
    net.seed = seed
    net.run(30 * ms, progress=False)
    return [(m.i.copy(), m.step.copy()) for m in mons], [s._sx.copy() for s in syns]


def test_same_seed_identical_different_seed_different():
    a, wa = _spikes(10)
    b, wb = _spikes(10)
    c, wc = _spikes(11)
    for (ia, sa), (ib, sb) in zip(a, b):
        np.testing.assert_array_equal(ia, ib)
        np.testing.assert_array_equal(sa, sb)
    for x, y in zip(wa, wb):
        np.testing.assert_array_equal(x, y)
    assert any(not np.array_equal(x[0], y[0]) or not np.array_equal(x[1], y[1]) for x, y in zip(a, c))


def test_store_restore_replays_exactly():
    net, groups, syns, mons, states, rates = random_network(2)
    net.run(10 * ms, progress=False)
    net.store("mid")
    net.run(20 * ms, progress=False)
    first = [(m.i.copy(), m.step.copy()) for m in mons]
    w_first = [s._sx.copy() for s in syns]
    net.restore("mid")
    assert net.t == pytest.approx(10 * ms)
    net.run(20 * ms, progress=False)
    for m, (i, s) in zip(mons, first):
        np.testing.assert_array_equal(m.i, i)
        np.testing.assert_array_equal(m.step, s)
    for s, w in zip(syns, w_first):
        np.testing.assert_array_equal(s._sx, w)
    with pytest.raises(ValueError, match="name must be one of"):
        net.restore("nope")


SCRIPT = textwrap.dedent("""
    import sys, numpy as np
    sys.path[:0] = [{tests!r}, {root!r}]          # the spikesim under test, not another installed copy
    from netfactory import random_network
    from spikesim.units import ms
    net, groups, syns, mons, *_ = random_network(3)
    mode, path = sys.argv[1], sys.argv[2]
    if mode == "save":
        net.run(25 * ms, progress=False)
        net.save(path)
    else:
        net.load(path)
        net.run(25 * ms, progress=False)
        np.savez(path + ".out.npz", *[m.step for m in mons], *[m.i for m in mons])
""")


def test_save_load_in_new_process_continues_bit_identically(tmp_path):
    import pathlib
    script = tmp_path / "continue.py"
    script.write_text(SCRIPT.format(tests=str(pathlib.Path(__file__).parent),
                                    root=str(pathlib.Path(__file__).parents[1])))
    state = str(tmp_path / "state.npz")
    subprocess.run([sys.executable, str(script), "save", state], check=True)
    subprocess.run([sys.executable, str(script), "load", state], check=True)
    out = np.load(state + ".out.npz")
    net, groups, syns, mons, *_ = random_network(3)
    net.run(50 * ms, progress=False)
    k = len(mons)
    for q, m in enumerate(mons):
        np.testing.assert_array_equal(out[f"arr_{q}"], m.step)
        np.testing.assert_array_equal(out[f"arr_{q + k}"], m.i)
    assert sum(m.num_spikes for m in mons) > 50


def test_load_rejects_other_network(tmp_path):
    net, *_ = random_network(3)
    net.run(1 * ms, progress=False)
    path = tmp_path / "s.npz"
    net.save(path)
    G = NeuronGroup(5)
    other = Network(G)
    with pytest.raises(ValueError, match="different network"):
        other.load(path)
    bad = tmp_path / "bad.npz"
    np.savez(bad, x=np.zeros(3))
    with pytest.raises(ValueError, match="not a spikesim network file"):
        net.load(bad)
