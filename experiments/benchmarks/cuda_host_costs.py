"""Host-side work of one cuda-backend run of the 1M-neuron CUBA network, old way against new way, side by side.

Needs no GPU: it times what the host does around the device steps.

1. Weights in.  Before, every run converted all static weights to the device
   dtype (float64 -> float32) and copied them over; now they are sent only
   when they were written on the host since the last run (``S.w = ...`` or a
   restore to other values), so an unchanged network sends nothing.  Timed:
   the conversion alone (the copy over PCIe comes on top on a GPU machine).
2. Spikes out.  The device buffer holds the chunk's spikes with the steps in
   order and each step's indices in arbitrary order.  Before: one numpy sort
   of the whole chunk by a (step, index) key; now: each step's indices sorted
   on their own by a radix sort over the bytes of the index, the steps
   spread over the host's cores (numba ``prange``).

    python experiments/benchmarks/cuda_host_costs.py [--n 1000000] [--synapses 80] [--rate 5.7]
"""
from __future__ import annotations

import time

import numpy as np

from spikesim.argtypes import ArgumentParser, nonnegative_float, positive_int
from spikesim.argtypes import seed as seed_type


def best_of(fn, repeat):
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main(argv=None):
    ap = ArgumentParser(prog="spikesim bench cuda_host_costs", description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=positive_int, default=1_000_000, help="neurons")
    ap.add_argument("--synapses", type=positive_int, default=80, help="synapses per neuron")
    ap.add_argument("--rate", type=nonnegative_float, default=5.7, help="mean firing rate (Hz); 1M CUBA fires ~5.7 M spikes/s")
    ap.add_argument("--steps", type=positive_int, default=10_000, help="steps in the chunk (1 s at dt = 0.1 ms)")
    ap.add_argument("--repeat", type=positive_int, default=5)
    ap.add_argument("--seed", type=seed_type, default=0)
    args = ap.parse_args(argv)
    import numba
    from spikesim.backends.cuda.spike_order import sort_spikes

    rng = np.random.default_rng(args.seed)
    w = rng.random(args.n * args.synapses)
    dev = np.empty(w.size, np.float32)
    t_conv = best_of(lambda: np.copyto(dev, w, casting="same_kind"), args.repeat)

    per_step = max(1, int(round(args.n * args.rate * 1e-4)))
    st = np.repeat(np.arange(args.steps, dtype=np.int64), per_step)
    i = np.concatenate([rng.choice(args.n, per_step, replace=False) for _ in range(min(args.steps, 200))])
    i = np.resize(i, st.size).astype(np.int32)       # unique within each step, arbitrary order
    sort_spikes(i[:1000].copy(), st[:1000].copy(), args.n)   # compile

    def old():
        key = np.sort(st * args.n + i)
        return np.divmod(key, args.n)

    t_old = best_of(old, args.repeat)
    t_new = best_of(lambda: sort_spikes(i.copy(), st, args.n), args.repeat)
    t_copy = best_of(lambda: i.copy(), args.repeat)      # part of the new way's timing; subtracted below
    s_old, i_old = old()
    i_new, s_new = sort_spikes(i.copy(), st, args.n)
    assert np.array_equal(i_new, i_old) and np.array_equal(s_new, s_old)
    print(f"host threads (numba): {numba.get_num_threads()}")
    print(f"weights in, {w.size:,} static weights: before {t_conv:.3f} s per run (float64 -> float32 "
          f"conversion only), now 0 s when unchanged")
    print(f"spikes out, {st.size:,} spikes in {args.steps} steps: one key sort {t_old:.3f} s, per-step sort "
          f"{t_new - t_copy:.3f} s ({t_old / max(t_new - t_copy, 1e-9):.1f}x)")


if __name__ == "__main__":
    main()
