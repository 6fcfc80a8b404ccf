"""Benchmark: song2000 (1000 Poisson inputs, STDP, 100 s) in spikesim and Brian2 cpp_standalone.

Brian2 runs its own ``examples/synapses/STDP.py`` (PoissonGroup inputs) in a
subprocess with the cpp_standalone device; its simulation time is its own
measurement (last_run_info.txt).  spikesim runs ``experiments/song2000.py``'s
network with a warm JIT cache.  Also prints the memory per plastic synapse.

    spikesim bench song2000            # or: python experiments/benchmarks/song2000_vs_brian2.py
"""
from __future__ import annotations

import json
import pathlib
import subprocess
import sys
import tempfile
import time

from spikesim.argtypes import ArgumentParser, output_dir, positive_float

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

B2 = r'''
import json, sys
from spikesim.compare import brian2_reference
r = brian2_reference.song2000(None, None, 1000, None, float(sys.argv[1]), target="cpp_standalone",
                              workdir=sys.argv[2])
print(json.dumps(dict(sim_s=r["sim_s"], n_post=int(r["post_t"].size))))
'''


def main(argv=None):
    p = ArgumentParser(prog="spikesim bench song2000", description=__doc__.splitlines()[0])
    p.add_argument("--duration", type=positive_float, default=100.0)
    p.add_argument("--out", type=output_dir, default=pathlib.Path("out/bench_song2000"))
    args = p.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    import song2000
    from spikesim.units import ms, second
    net, inputs, neuron, S, M, _ = song2000.build(seed=1)
    net.build()
    net.store()
    net.run(1 * ms, progress=False)          # JIT warm-up
    net.restore()
    t0 = time.perf_counter()
    net.run(args.duration * second, progress=False)
    ours = time.perf_counter() - t0
    per_syn = S.memory_bytes() / len(S)
    work = tempfile.mkdtemp(prefix="spikesim_song_")
    print("running Brian2 cpp_standalone (compiling takes a minute) ...", flush=True)
    out = subprocess.run([sys.executable, "-c", B2, str(args.duration), work], capture_output=True, text=True,
                         check=True)
    b2 = json.loads(out.stdout.strip().splitlines()[-1])
    ratio = ours / b2["sim_s"]
    print(f"\nsong2000: 1000 inputs at 15 Hz, additive STDP, {args.duration:g} s biological time, dt 0.1 ms")
    print(f"{'engine':24s} {'sim time (s)':>12s} {'post spikes':>12s}")
    print(f"{'spikesim cpu':24s} {ours:12.3f} {M.num_spikes:12d}")
    print(f"{'Brian2 cpp_standalone':24s} {b2['sim_s']:12.3f} {b2['n_post']:12d}")
    print(f"spikesim / Brian2 standalone: {ratio:.2f}")
    print(f"memory: {per_syn:.1f} bytes per plastic synapse (weights, targets, post-side index, traces)")
    res = dict(duration_s=args.duration, spikesim_sim_s=ours, brian2_standalone_sim_s=b2["sim_s"], ratio=ratio,
               bytes_per_plastic_synapse=per_syn, post_spikes_spikesim=M.num_spikes, post_spikes_brian2=b2["n_post"])
    (args.out / "result.json").write_text(json.dumps(res, indent=2) + "\n")
    return res


if __name__ == "__main__":
    main()
