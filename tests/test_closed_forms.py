"""Single-neuron behaviour against closed forms, on both backends."""
import math

import numpy as np
import pytest

from spikesim import (Network, NeuronGroup, SpikeGeneratorGroup, SpikeMonitor, StateMonitor, Synapses,
                      TimedArray)
from spikesim.units import mV, ms

DT = 0.1 * ms


def test_subthreshold_decay_is_exponential(backend):
    G = NeuronGroup(3, "lif_cuba", El=-70 * mV, tau_m=[12 * ms, 20 * ms, 30 * ms], v=-55 * mV, v_th=0.0)
    M = StateMonitor(G, "v")
    Network(G, M, dt=DT).run(50 * ms, backend=backend, progress=False)
    t = M.t
    expected = -70 * mV + 15 * mV * np.exp(-t[None, :] / np.array([12, 20, 30])[:, None] / ms)
    np.testing.assert_allclose(M.v, expected, rtol=1e-12, atol=0)


def test_equal_time_constants_integrate_exactly(backend):
    """tau_e == tau_m makes Brian2's closed form 0/0: spikesim compiles the coincident-constant solution."""
    tau, w = 10 * ms, 1 * mV
    src = SpikeGeneratorGroup(1, [0], [1 * ms])
    G = NeuronGroup(1, "lif_cuba", El=0.0, tau_m=tau, tau_e=tau, v=0.0, v_th=1.0, refractory=2 * ms)
    S = Synapses(src, G, "ge", weight=w).connect(i=[0], j=[0])
    M = StateMonitor(G, "v")
    net = Network(src, G, S, M, dt=DT)
    net.run(30 * ms, backend=backend, progress=False)
    s = M.t - (1 * ms + DT)
    analytic = np.where(s > 0, w * s / tau * np.exp(-s / tau), 0.0)    # the alpha-shaped PSP
    np.testing.assert_allclose(M.v[0], analytic, rtol=1e-9, atol=1e-18)
    assert G.tau_e[0] == tau
    G.tau_e = 5 * ms          # no longer equal: the general solution again
    net.run(1 * ms, backend=backend, progress=False)
    assert np.all(np.isfinite(G.v))


def test_psp_peak_time_and_amplitude(backend):
    tau_m, tau_e, w = 20 * ms, 5 * ms, 1 * mV
    src = SpikeGeneratorGroup(1, [0], [1 * ms])
    G = NeuronGroup(1, "lif_cuba", El=0.0, tau_m=tau_m, tau_e=tau_e, v=0.0, v_th=1.0)
    S = Synapses(src, G, "ge", weight=w).connect(i=[0], j=[0])
    M = StateMonitor(G, "v")
    Network(src, G, S, M, dt=DT).run(60 * ms, backend=backend, progress=False)
    # the spike at step 10 is delivered after step 10's integration, so v starts
    # to rise in step 11: in v's time frame the input arrives at t = 1 ms + dt
    s = M.t - (1 * ms + DT)
    analytic = np.where(s > 0, w * tau_e / (tau_e - tau_m) * (np.exp(-s / tau_e) - np.exp(-s / tau_m)), 0.0)
    np.testing.assert_allclose(M.v[0], analytic, rtol=1e-12, atol=1e-18)
    t_peak = tau_m * tau_e / (tau_m - tau_e) * math.log(tau_m / tau_e)
    assert abs(s[np.argmax(M.v[0])] - t_peak) <= DT / 2 + 1e-12
    v_peak = w * tau_e / (tau_e - tau_m) * (math.exp(-t_peak / tau_e) - math.exp(-t_peak / tau_m))
    assert M.v[0].max() == pytest.approx(v_peak, rel=1e-3)


@pytest.mark.parametrize("drive_mV", [16.0, 20.0, 40.0])
def test_lif_f_I_curve(backend, drive_mV):
    """Period under constant drive: discrete-time closed form, and the continuous one within a step."""
    El, vth, vr, tau, ref = -70 * mV, -55 * mV, -70 * mV, 20 * ms, 2 * ms
    I = drive_mV * mV
    G = NeuronGroup(1, "lif_cuba", El=El, tau_m=tau, v_th=vth, v_reset=vr, I=I, v=vr, refractory=ref)
    M = SpikeMonitor(G)
    Network(G, M, dt=DT).run(300 * ms, backend=backend, progress=False)
    steps = np.diff(M.step)
    assert steps.size > 3 and np.all(steps == steps[0])
    vinf, pm = El + I, math.exp(-DT / tau)
    # v_k = vinf + (vr - vinf) pm^k after k integrating steps; first k with v_k > vth
    k = 1
    while not vinf + (vr - vinf) * pm ** k > vth:
        k += 1
    R = int((ref + 1e-3 * DT) / DT)
    assert steps[0] == R + k - 1
    continuous = ref + tau * math.log((vinf - vr) / (vinf - vth))
    assert abs(steps[0] * DT - continuous) <= 2 * DT


@pytest.mark.parametrize("delay_ms", [0.0, 0.1, 1.0, 2.35, 5.0])
def test_delay_exact_to_the_step(backend, delay_ms):
    src = SpikeGeneratorGroup(1, [0, 0], [1 * ms, 3 * ms])
    G = NeuronGroup(1, "lif_cuba", El=0.0, v=0.0, v_th=1.0, tau_e=1e9)
    S = Synapses(src, G, "ge", weight=1 * mV, delay=delay_ms * ms).connect(i=[0], j=[0])
    M = StateMonitor(G, "ge")
    Network(src, G, S, M, dt=DT).run(12 * ms, backend=backend, progress=False)
    d = int(delay_ms * ms / DT + 0.5)
    ge = M.ge[0]
    # recorded at the start of step n: includes deliveries of steps < n
    first = np.flatnonzero(ge > 0)[0]
    assert first == 10 + d + 1
    second = np.flatnonzero(ge > 1.5 * mV)[0]
    assert second == 30 + d + 1


def test_zero_delay_shows_in_v_one_step_later(backend):
    src = SpikeGeneratorGroup(1, [0], [2 * ms])
    G = NeuronGroup(1, "izhikevich", v=-65 * mV, I=0.0)
    S = Synapses(src, G, "v", weight=5 * mV).connect(i=[0], j=[0])
    M = StateMonitor(G, "v")
    Network(src, G, S, M, dt=DT).run(3 * ms, backend=backend, progress=False)
    jump = np.diff(M.v[0])
    assert np.argmax(jump) == 20  # from v(step 20) to v(step 21)
    assert jump[20] > 4 * mV


def test_refractory_period_and_frozen_v(backend):
    G = NeuronGroup(1, "lif_cuba", El=0.0, tau_m=10 * ms, v_th=10 * mV, v_reset=0.0, I=100 * mV, v=0.0,
                    refractory=3 * ms)
    M = SpikeMonitor(G)
    S = StateMonitor(G, "v")
    Network(G, M, S, dt=DT).run(30 * ms, backend=backend, progress=False)
    first = M.step[0]
    v = S.v[0]
    # frozen at v_reset from the step after the spike until the refractory period ends
    assert np.all(v[first + 1:first + 31] == 0.0)
    assert v[first + 31] > 0.0
    assert np.all(np.diff(M.step) >= 30)


def test_reset_after_same_step_input(backend):
    """Input delivered in the spike's own step is wiped by the reset (synapses before resets)."""
    src2 = SpikeGeneratorGroup(1, [0], [0.0])
    H = NeuronGroup(1, "lif_cuba", El=0.0, v_th=10 * mV, v_reset=-5 * mV, v=20 * mV, tau_m=1e9)
    S2 = Synapses(src2, H, "v", weight=1 * mV).connect(i=[0], j=[0])
    M2 = StateMonitor(H, "v")
    M3 = SpikeMonitor(H)
    Network(src2, H, S2, M2, M3, dt=DT).run(0.3 * ms, backend=backend, progress=False)
    assert M3.step[0] == 0
    assert M2.v[0][1] == -5 * mV


def test_timed_array_input_sampled(backend):
    vals = np.array([0.0, 30 * mV, 0.0])
    G = NeuronGroup(1, "lif_cuba", El=0.0, tau_m=10 * ms, v_th=1.0, v=0.0, I=TimedArray(vals, dt=5 * ms))
    M = StateMonitor(G, "v")
    Network(G, M, dt=DT).run(15 * ms, backend=backend, progress=False)
    v = M.v[0]
    assert np.all(v[:51] == 0.0)
    t = np.arange(51, 101) * DT - 5 * ms
    np.testing.assert_allclose(v[51:101], 30 * mV * (1 - np.exp(-t / (10 * ms))), rtol=1e-12)
    assert np.all(np.diff(v[101:]) < 0)


@pytest.mark.parametrize("model, expected_v", [("if_subtract", 101 * 0.37 - 37), ("if", None)])
def test_if_neuron_rate_tracks_its_drive(backend, model, expected_v):
    """Non-leaky IF: with reset by subtraction, 101 steps of drive 0.37 give floor(37.37) = 37 spikes."""
    G = NeuronGroup(1, model, I=0.37)
    M = SpikeMonitor(G)
    Network(G, M, dt=DT).run(101 * DT, backend=backend, progress=False)
    if expected_v is not None:
        assert M.num_spikes == 37
        assert G.v[0] == pytest.approx(expected_v, abs=1e-9)
    else:   # reset to 0: a spike every ceil(1/0.37) = 3 steps
        assert M.num_spikes == 101 // 3
