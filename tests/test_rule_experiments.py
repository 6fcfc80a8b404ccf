"""The experiments of the wave-2 rule presets reproduce their papers' qualitative results (short runs).

Each test runs an experiment's ``main()`` with a shortened protocol into ``tmp_path`` and checks the
paper's qualitative result in its ``summary.json`` and that the figures were written.  The full runs
and their numbers are in docs/plasticity.md.
"""
import importlib.util
import json
import pathlib
import re

import numpy as np
import pytest

EXPERIMENTS = pathlib.Path(__file__).resolve().parents[1] / "experiments"
DOCS = pathlib.Path(__file__).resolve().parents[1] / "docs"


def _load(name):
    spec = importlib.util.spec_from_file_location(f"experiment_{name}", EXPERIMENTS / f"{name}.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _run(name, tmp_path, *argv):
    out = tmp_path / name
    summary = _load(name).main([*argv, "--out", str(out), "--quiet"])
    on_disk = json.loads((out / "summary.json").read_text())
    assert on_disk == json.loads(json.dumps(summary))
    for fig in ("raster.png", f"{name}.png"):
        assert (out / fig).stat().st_size > 10_000, fig
    return summary


# ---------------------------------------------------------------- Tsodyks & Markram 1998
def test_tsodyks_markram_depression_deepens_and_facilitation_grows(tmp_path):
    s = _run("tsodyks_markram", tmp_path, "--freqs", "10,20,50")
    dep = [s["ratio_last_first"]["depressing"][f] for f in ("10", "20", "50")]
    fac = [s["ratio_last_first"]["facilitating"][f] for f in ("10", "20", "50")]
    assert dep[0] < 1 and np.all(np.diff(dep) < 0)
    assert min(fac) > 1
    # Markram et al. 1998 Fig. 1: within a train the depressing EPSCs shrink and the facilitating ones grow;
    # the paired-pulse ratio EPSC2/EPSC1 falls with the rate (depressing) and rises with it (facilitating)
    amp = s["amplitudes_over_first"]
    for f in ("10", "20", "50"):
        assert np.all(np.diff(amp["depressing"][f][:8]) < 0) and np.all(np.diff(amp["facilitating"][f][:8]) > 0)
    ppr = {kind: [amp[kind][f][1] for f in ("10", "20", "50")] for kind in amp}
    assert np.all(np.diff(ppr["depressing"]) < 0) and np.all(np.diff(ppr["facilitating"]) > 0)
    assert s["depression_deepens_with_rate"] and s["facilitation_above_1_at_max_rate"]
    assert s["max_dev_from_recurrence"] < 1e-9          # the simulated EPSCs follow the closed form
    for kind in ("depressing", "facilitating"):         # the recovery spike: resources refill in 500 ms
        rec = s["ratio_recovery_first"][kind]["50"]
        assert s["ratio_last_first"][kind]["50"] != pytest.approx(rec, rel=0.05)


def test_tsodyks_markram_rejects_a_duration_shorter_than_the_trains(tmp_path):
    with pytest.raises(SystemExit):
        _load("tsodyks_markram").main(["--duration", "0.5", "--out", str(tmp_path), "--quiet"])


# ---------------------------------------------------------------- Vogels et al. 2011
def test_vogels2011_rate_settles_to_rho0_and_inhibition_balances(tmp_path):
    s = _run("vogels2011", tmp_path, "--duration", "20", "--window", "8")
    rho0 = s["rho0_hz"]
    assert s["rate_first_2s_hz"] > 4 * rho0                      # far off at the start
    assert 0.5 * rho0 < s["rate_last_window_hz"] < 1.6 * rho0    # near the target after learning
    assert s["settling_time_s"] is not None and s["settling_time_s"] < 15
    assert s["inh_over_exc_current_last_window"] > 2 * s["inh_over_exc_current_first_2s"]
    assert s["current_correlation_last_window"] > s["current_correlation_first_2s"]
    assert s["tuning_correlation"] > 0.8                         # inhibition mirrors the excitatory tuning


# ---------------------------------------------------------------- Clopath et al. 2010
def test_clopath2010_frequency_dependence(tmp_path):
    s = _run("clopath2010", tmp_path, "--freqs", "0.1,50", "--bursts", "1")
    dw = s["relative_change"]
    assert dw["post_pre_-10ms"]["0.1"] < 0                                   # low frequency: post-pre depresses
    assert abs(dw["pre_post_+10ms"]["0.1"]) < 0.2 * abs(dw["post_pre_-10ms"]["0.1"])   # pre-post: little
    assert dw["pre_post_+10ms"]["50"] > 0 and dw["post_pre_-10ms"]["50"] > 0  # high frequency: both potentiate
    assert s["low_freq_post_pre_depresses"] and s["low_freq_pre_post_small"] and s["high_freq_both_potentiate"]


# ---------------------------------------------------------------- Izhikevich 2007
def test_reward_loop_schedules_one_reward_1_to_3_s_after_a_pairing():
    from spikesim import Network, NeuronGroup, SpikeGeneratorGroup, SpikeMonitor, StateMonitor
    from spikesim.units import ms, second
    rs = _load("reward_stdp")
    # n1 = 0 fires at 0.1 s (arrives 5 ms later) and n2 = 1 fires 12 ms later: a pairing; the second n2 spike
    # pairs too but a reward is pending; n2 at 5.2 s comes 40 ms after n1's spike at 5.16 s: no pairing
    src = SpikeGeneratorGroup(2, [0, 1, 1, 0, 1], [0.1, 0.117, 0.12, 5.16, 5.2], name="cells")
    G = NeuronGroup(3, "dDA/dt = -DA/tau_DA : 1", tau_DA=200 * ms, name="G")
    D, loop = rs.reward_loop(src, 0, 1, 5 * ms, target=G)
    R, V = SpikeMonitor(D), StateMonitor(G, "DA", record=[0, 2])
    net = Network(src, G, D, *loop, R, V, dt=0.1 * ms, seed=3)
    net.run(9 * second, progress=False)
    assert R.num_spikes == 1
    assert 0.117 + 1.0 <= R.t[0] <= 0.117 + 3.0 + 1e-4
    k = int(round(R.t[0] / (0.1 * ms)))
    np.testing.assert_allclose(V.DA[:, k + 1] - V.DA[:, k] * np.exp(-0.1 / 200), 0.5, rtol=1e-9)


def test_reward_stdp_short_run_writes_its_outputs(tmp_path):
    s = _run("reward_stdp", tmp_path, "--duration", "5", "--eligibility", "event")
    assert s["n_neurons"] == 1001 and s["n_synapses"] == 80_000 + 20_000 + 2 + 1000
    assert 0.3 < s["exc_rate_hz"] < 5
    assert 0 <= s["rewarded_w_over_wmax"] <= 1 and 0 < s["others_mean_over_wmax"] < 0.5


@pytest.mark.slow
def test_reward_stdp_preset_and_hand_written_rule_agree(tmp_path):
    a = _run("reward_stdp", tmp_path / "clock", "--duration", "3", "--eligibility", "clock")
    b = _run("reward_stdp", tmp_path / "event", "--duration", "3", "--eligibility", "event")
    assert a["n_spikes"] == b["n_spikes"]
    assert a["others_mean_over_wmax"] == pytest.approx(b["others_mean_over_wmax"], rel=1e-9)


@pytest.mark.slow
def test_reward_stdp_rewarded_synapse_wins(tmp_path):
    # the default run: 1800 s, about 4 minutes (docs/plasticity.md has its numbers)
    s = _run("reward_stdp", tmp_path)
    assert s["rewarded_w_over_wmax"] > 0.9 and s["time_to_0_9_wmax_s"] < 1800
    assert s["others_median_over_wmax"] < 0.15 and s["others_frac_above_0_9_wmax"] < 0.05
    assert s["others_frac_at_or_above_rewarded"] < 0.03


# ---------------------------------------------------------------- docs/plasticity.md
def test_plasticity_doc_examples_run():
    text = (DOCS / "plasticity.md").read_text()
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.S)
    assert len(blocks) >= 3
    ns = {}
    for block in blocks:
        exec(compile(block, "plasticity.md", "exec"), ns)
