"""Issue 23, engine side: nothing silently wrong (save/load, ownership, in-place edits, absurd values)."""
import json
import zipfile

import numpy as np
import pytest

from spikesim import (Network, NeuronGroup, PoissonGroup, SpikeMonitor, StateMonitor, Synapses)
from spikesim.plasticity import STDP
from spikesim.units import mV, ms

B = "reference"          # tiny networks: the numpy backend needs no compilation


def _poisson_net(seed):
    P = PoissonGroup(20, rates=50.0)
    M = SpikeMonitor(P)
    return Network(P, M, seed=seed), M


def test_load_restores_the_seed_before_the_streams(tmp_path):
    a, Ma = _poisson_net(None)
    a.run(20 * ms, backend=B, progress=False)
    a.save(tmp_path / "a.npz")
    n_first = Ma.num_spikes
    a.run(20 * ms, backend=B, progress=False)
    for seed in (None, a.seed + 1):
        b, Mb = _poisson_net(seed)
        b.load(tmp_path / "a.npz")
        assert b.seed == a.seed
        b.run(20 * ms, backend=B, progress=False)
        np.testing.assert_array_equal(Mb.i, Ma.i)
        np.testing.assert_array_equal(Mb.step, Ma.step)
        assert Mb.num_spikes > n_first
    # a network that already ran with its own seed loads too (its streams are keyed again)
    c, Mc = _poisson_net(a.seed + 2)
    c.run(5 * ms, backend=B, progress=False)
    c.load(tmp_path / "a.npz")
    c.run(20 * ms, backend=B, progress=False)
    np.testing.assert_array_equal(Mc.i, Ma.i)


def test_seed_cannot_change_after_build():
    net, _ = _poisson_net(1)
    net.seed = 2
    net.build()
    with pytest.raises(RuntimeError, match="seed cannot change after the network was built"):
        net.seed = 3


def test_objects_belong_to_one_network():
    G = NeuronGroup(3)
    S = Synapses(G, G, weight=1 * mV).connect(p=0.5)
    M = SpikeMonitor(G)
    net = Network(G, S, M)
    net.run(1 * ms, backend=B, progress=False)
    for obj in (G, S, M):
        with pytest.raises(ValueError, match="already belongs to another Network"):
            Network(obj)
    del net                                   # run once: its state follows that network's clock for good
    with pytest.raises(ValueError, match="already belongs to another Network"):
        Network(G)
    H = NeuronGroup(2)
    Network(H).build()                        # a network that never ran and no longer exists ...
    Network(H)                                # ... lets its groups go
    T = Synapses(H, H, weight=1 * mV).connect()
    Network(H, T).build()                     # but not synapses it built (delays in steps of its dt)
    with pytest.raises(ValueError, match="already belongs to another Network"):
        Network(H, T, dt=0.05 * ms)
    with pytest.raises(ValueError, match="was added twice"):
        Network(NeuronGroup(2), *(2 * [NeuronGroup(1)]))
    K = NeuronGroup(1)
    with pytest.raises(TypeError):
        Network(K, "not an object")           # a refused call claims nothing
    Network(K)


def _plastic_net(seed):
    P = PoissonGroup(15, rates=80.0, name="inp")
    G = NeuronGroup(6, "lif_cuba", v=lambda r, n: r.uniform(-60, -50, n) * mV, name="exc")
    S = Synapses(P, G, "ge", weight=lambda r, n: r.uniform(0, 2, n) * mV, delay=lambda r, n: r.uniform(0, 2, n) * ms,
                 plasticity=STDP(A_plus=0.2 * mV, A_minus=-0.2 * mV, w_max=3 * mV), name="syn").connect(p=0.5)
    M = SpikeMonitor(G, name="spikes")
    V = StateMonitor(G, "v", record=[0, 3], name="v")
    return Network(P, G, S, M, V, seed=seed), S, M, V


def _state(net, S, M, V):
    return (net.step, S.w.copy(), M.i.copy(), M.step.copy(), V.v.copy(), net.seed)


def _damage(src, dst, edit):
    with np.load(src) as f:
        data = {k: f[k] for k in f.files}
    edit(data)
    with open(dst, "wb") as fh:
        np.savez(fh, **data)


@pytest.mark.parametrize("edit, match", [
    (lambda d: d.pop("o2.sx"), "entry 'o2.sx' is missing"),
    (lambda d: d.__setitem__("o2.sx", d["o2.sx"][:, :-1]), "entry 'o2.sx' has shape"),
    (lambda d: d.__setitem__("c2.post_index", d["c2.post_index"] + 100), "post_index must be in"),
    (lambda d: d.__setitem__("c2.dptr", d["c2.dptr"][:-1]), "dptr has"),
    (lambda d: d.__setitem__("m3.i", d["m3.i"][:-1]), "differ in length"),
    (lambda d: d.__setitem__("x.extra", np.zeros(2)), "belongs to no object"),
    (lambda d: d.__setitem__("h.hist0", np.zeros((1, 15), np.int32)), "entry 'h.hist0' has shape"),
])
def test_failed_load_leaves_the_network_as_it_was(tmp_path, edit, match):
    a = _plastic_net(3)
    a[0].run(10 * ms, backend=B, progress=False)
    a[0].save(tmp_path / "a.npz")
    b = _plastic_net(4)
    b[0].run(5 * ms, backend=B, progress=False)
    before = _state(*b)
    _damage(tmp_path / "a.npz", tmp_path / "bad.npz", edit)
    with pytest.raises(ValueError, match=match):
        b[0].load(tmp_path / "bad.npz")
    for x, y in zip(before, _state(*b)):
        np.testing.assert_array_equal(x, y)
    b[0].run(1 * ms, backend=B, progress=False)          # still runs on its own state
    assert b[0].step == before[0] + 10


def _write_zip(path, members):
    with zipfile.ZipFile(path, "w") as zf:
        for name, payload in members.items():
            zf.writestr(name, payload)


def test_load_of_damaged_or_foreign_files_names_the_file_and_problem(tmp_path):
    net = _plastic_net(1)[0]
    net.run(2 * ms, backend=B, progress=False)
    good = tmp_path / "good.npz"
    net.save(good)
    raw = good.read_bytes()
    cases = {}
    cases["truncated.npz"] = raw[: len(raw) // 2]
    cases["random.npz"] = np.random.default_rng(0).bytes(5000)
    cases["empty.npz"] = b""
    for name, payload in cases.items():
        (tmp_path / name).write_bytes(payload)
    _write_zip(tmp_path / "badjson.npz", {"meta.npy": _npy(np.array("{not json"))})
    _write_zip(tmp_path / "listmeta.npz", {"meta.npy": _npy(np.array("[1, 2]"))})
    _write_zip(tmp_path / "nometa.npz", {"x.npy": _npy(np.zeros(3))})
    meta = _npy(np.array(json.dumps({"version": 1, "dt": 1e-4, "seed": 1, "step": 0, "structure": []})))
    _write_zip(tmp_path / "object.npz", {"meta.npy": meta,
                                         "o0.x.npy": _npy(np.array([{"a": 1}], dtype=object))})
    _write_zip(tmp_path / "text.npz", {"notes.txt": b"hello"})
    _write_zip(tmp_path / "ann.npz", {"meta.npy": _npy(np.array(json.dumps({"version": 1, "kind": "MLP"})))})
    _write_zip(tmp_path / "huge.npz", {"meta.npy": meta, "o0.x.npy": _npy(np.zeros(4))[:-32] + b"\0" * 8})
    import io
    buf = io.BytesIO()
    np.lib.format.write_array_header_1_0(buf, {"descr": "<f8", "fortran_order": False, "shape": (10 ** 10,)})
    _write_zip(tmp_path / "liar.npz", {"meta.npy": meta, "o0.x.npy": buf.getvalue() + b"\0" * 16})
    expected = {"truncated.npz": "not an .npz", "random.npz": "not an .npz", "empty.npz": "not an .npz",
                "badjson.npz": "not valid JSON", "listmeta.npz": "not a JSON object", "nometa.npz": "no metadata",
                "object.npz": "would need pickle", "text.npz": "is not a .npy array", "ann.npz": "artificial model",
                "huge.npz": "truncated", "liar.npz": "truncated"}
    for name, match in expected.items():
        with pytest.raises(ValueError, match=match) as info:
            net.load(tmp_path / name)
        assert name in str(info.value)
    with pytest.raises(FileNotFoundError):
        net.load(tmp_path / "missing.npz")


def _npy(arr):
    import io
    buf = io.BytesIO()
    np.lib.format.write_array(buf, arr, allow_pickle=True)
    return buf.getvalue()


def test_in_place_edits_are_checked_at_the_next_run():
    G = NeuronGroup(4, "lif_cuba", tau_m=np.full(4, 20 * ms))
    P = PoissonGroup(3, rates=10.0)
    S = Synapses(P, G, weight=1 * mV).connect()
    net = Network(G, P, S)
    net.run(1 * ms, backend=B, progress=False)
    with pytest.raises(ValueError, match="read-only"):       # constants per neuron: set G.tau_m = ... instead
        G.tau_m[2] = -1.0
    E = NeuronGroup(3, "dv/dt = -v/tau : 1\ntau : second", tau=np.full(3, 10 * ms), name="eq")
    eq = Network(E)
    E.tau[1] = np.nan
    with pytest.raises(ValueError, match=r"NeuronGroup 'eq': tau\[1\] must be finite, got nan"):
        eq.run(1 * ms, backend=B, progress=False)
    P.rates[:] = np.nan
    with pytest.raises(ValueError, match=r"rates\[0\] must be finite and >= 0 Hz, got nan"):
        net.run(1 * ms, backend=B, progress=False)
    P.rates = 10.0
    S.weights[1] = np.inf
    with pytest.raises(ValueError, match=r"weight\[\d+\] must be finite, got inf"):
        net.run(1 * ms, backend=B, progress=False)
    S.w = 1 * mV
    G.v[0] = np.nan
    with pytest.raises(ValueError, match=r"v\[0\] must be finite"):
        net.run(1 * ms, backend=B, progress=False)
    G.v = -60 * mV
    net.run(1 * ms, backend=B, progress=False)
    with pytest.raises(ValueError, match="read-only"):       # copies refuse edits that would be lost
        S.w[0] = 0.0
    with pytest.raises(ValueError, match="read-only"):
        G.refractory[0] = 1.0
    with pytest.raises(ValueError, match="read-only"):
        G.tau_e[0] = 1.0                                     # a shared parameter: set G.tau_e = ...


def test_empty_network_and_absurd_values():
    with pytest.raises(ValueError, match="nothing to simulate"):
        Network().run(1 * ms, progress=False)
    G = NeuronGroup(2)
    net = Network(G)
    with pytest.raises(ValueError, match="duration must be less than"):
        net.run(1e300, progress=False)
    from spikesim.plasticity.homeostasis import Normalization
    H = NeuronGroup(2)
    S = Synapses(H, H, weight=1 * mV).connect()
    with pytest.raises(ValueError, match="interval must be less than"):
        Network(H, S, Normalization(S, total=1 * mV, interval=1e300)).build()
    with pytest.raises(ValueError, match="every must be <="):
        StateMonitor(G, "v", every=10 ** 30)
    K = NeuronGroup(2)
    T = Synapses(K, K, weight=1 * mV).connect()
    T.run_regularly("w = w", dt=1e300)
    with pytest.raises(ValueError, match="interval must be less than"):
        Network(K, T).run(1 * ms, backend=B, progress=False)
    L = NeuronGroup(2)
    U = Synapses(L, L, weight=1 * mV, delay=1e300).connect()
    with pytest.raises(ValueError, match="delay must be less than"):
        Network(L, U).build()


def test_memory_estimate_refuses_huge_connectivity(monkeypatch):
    G = NeuronGroup(30_000)
    S = Synapses(G, G, weight=1e-4).connect()
    with pytest.raises(MemoryError, match=r"about 9e\+08 synapses.*GB of memory, but .* are available"):
        Network(G, S).build()
    monkeypatch.setenv("SPIKESIM_MEMORY_LIMIT", "1M")
    H = NeuronGroup(200)
    T = Synapses(H, H, weight=1e-4).connect(p=0.5)
    with pytest.raises(MemoryError, match=r"SPIKESIM_MEMORY_LIMIT=1M"):
        Network(H, T).build()
    monkeypatch.setenv("SPIKESIM_MEMORY_LIMIT", "off")
    K = NeuronGroup(200)
    Network(K, Synapses(K, K, weight=1e-4).connect(p=0.5)).build()
    monkeypatch.setenv("SPIKESIM_MEMORY_LIMIT", "lots")
    with pytest.raises(ValueError, match="SPIKESIM_MEMORY_LIMIT must be a number of bytes"):
        Network(NeuronGroup(2), Synapses(K2 := NeuronGroup(2), K2).connect(), K2).build()
