"""experiments/benchmarks/phase_profile.py: the instrumented step loop runs the network exactly as the normal one."""
import importlib.util
import pathlib
import sys

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parents[1]


def _script():
    spec = importlib.util.spec_from_file_location("phase_profile", ROOT / "experiments" / "benchmarks" /
                                                  "phase_profile.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_profiled_loop_gives_the_same_run_and_counts_every_phase(capsys):
    sys.path.insert(0, str(ROOT / "experiments"))
    import song2000
    from spikesim.units import second
    pp = _script()

    def run():
        net, inputs, neuron, S, M, _ = song2000.build(n_inputs=200, rate=20.0, seed=3)
        net.run(2 * second, progress=False)
        return M.t.copy(), S.w.copy()

    t_plain, w_plain = run()
    prof = pp.Profiler()
    try:
        t_prof, w_prof = run()
    finally:
        prof.close()
    np.testing.assert_array_equal(t_plain, t_prof)
    np.testing.assert_array_equal(w_plain, w_prof)
    assert t_plain.size > 0
    labels = dict(zip(prof.labels, prof.acc))
    assert {"thresholds", "update of group g1", "on_pre of synapses s0", "on_post of synapses s0"} <= set(labels)
    assert all(labels[k] > 0 for k in ("thresholds", "update of group g1", "on_pre of synapses s0"))
    prof.report(1.0, 1, "ms")
    out = capsys.readouterr().out
    assert "on_pre of synapses s0" in out and "%" in out
    from spikesim.backends.cpu.run import CpuEngine
    assert CpuEngine.__init__ is prof._init          # closed: later engines run the normal loop
