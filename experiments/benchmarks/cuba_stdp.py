"""Benchmark: the cost of STDP on all excitatory-to-excitatory synapses of CUBA (4000 neurons, 1 s).

Runs the static CUBA network and the same network with pair-based STDP
(additive, 20 ms windows) on the E->E synapses, side by side in one
process, and prints the ratio of simulation times and the memory per
plastic synapse.

    spikesim bench cuba_stdp
"""
from __future__ import annotations

import json
import pathlib
import sys
import time

from spikesim.argtypes import ArgumentParser, output_dir, positive_int

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))


def build(plastic, n=4000, seed=1):
    import cuba
    from spikesim import Network, NeuronGroup, SpikeMonitor, Synapses
    from spikesim.plasticity import STDP
    P = NeuronGroup(n, "lif_cuba", El=cuba.E_L, tau_m=cuba.TAU_M, tau_e=cuba.TAU_E, tau_i=cuba.TAU_I,
                    v_th=cuba.V_T, v_reset=cuba.V_R, refractory=cuba.REFRACTORY,
                    v=lambda rng, k: cuba.V_R + rng.random(k) * (cuba.V_T - cuba.V_R))
    ne = int(0.8 * n)
    p = cuba.IN_DEGREE / n
    # small amplitudes: the weights drift without changing the activity much in 1 s
    rule = STDP(A_plus=0.01 * cuba.W_E, A_minus=-0.0105 * cuba.W_E, w_max=2 * cuba.W_E) if plastic else None
    EE = Synapses(P, P, "ge", weight=cuba.W_E, plasticity=rule).connect(p=p, pre=slice(0, ne), post=slice(0, ne))
    EI = Synapses(P, P, "ge", weight=cuba.W_E).connect(p=p, pre=slice(0, ne), post=slice(ne, n))
    Ci = Synapses(P, P, "gi", weight=cuba.W_I).connect(p=p, pre=slice(ne, n))
    M = SpikeMonitor(P)
    return Network(P, EE, EI, Ci, M, seed=seed), EE, M


def main(argv=None):
    ap = ArgumentParser(prog="spikesim bench cuba_stdp", description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=positive_int, default=7)
    ap.add_argument("--out", type=output_dir, default=pathlib.Path("out/bench_cuba_stdp"))
    args = ap.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    from spikesim.units import ms, second
    res, nets = {}, {}
    for plastic in (False, True):
        net, EE, M = build(plastic)
        net.build()
        net.store()
        net.run(1 * ms, progress=False)
        nets["plastic" if plastic else "static"] = (net, EE, M, [])
    for _ in range(args.repeats):              # alternate, so that machine load hits both alike
        for key, (net, EE, M, times) in nets.items():
            net.restore()
            t0 = time.perf_counter()
            net.run(1 * second, progress=False)
            times.append(time.perf_counter() - t0)
    for key, (net, EE, M, times) in nets.items():
        res[key] = dict(sim_s=min(times), n_spikes=M.num_spikes, bytes_per_ee_synapse=EE.memory_bytes() / len(EE),
                        n_ee=len(EE), all_s=times)
    ratio = res["plastic"]["sim_s"] / res["static"]["sim_s"]
    print("CUBA 4000 neurons, 1 s, STDP on the E->E synapses (best of %d, runs alternated)" % args.repeats)
    for k, r in res.items():
        print(f"{k:8s} {r['sim_s']:8.3f} s  {r['n_spikes']:6d} spikes  {r['bytes_per_ee_synapse']:5.1f} bytes per "
              f"E->E synapse ({r['n_ee']} synapses)")
    print(f"plastic / static: {ratio:.2f}")
    res["ratio"] = ratio
    (args.out / "result.json").write_text(json.dumps(res, indent=2) + "\n")
    return res


if __name__ == "__main__":
    main()
