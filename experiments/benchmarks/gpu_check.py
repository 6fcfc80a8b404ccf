"""GPU check: the cuda backend against the cpu backend, then CUDA timings at growing sizes.

One script, a few minutes on a GPU machine:

1. Checks.  CUBA, 4000 neurons, 1 s: cuda float64 must give the cpu backend's
   spike train (each pathway has one weight, so the order of the atomic adds
   cannot change a sum), cuda float32 spike count within 2 % of float64.
   song2000 (1000 Poisson inputs, STDP), 10 s: cuda float64 against cpu
   (identical post spikes expected; atomic adds of different weights onto the
   one neuron may differ in the last bits, so the script reports the first
   divergence if any) with the output rate within 2 % and the weight
   statistics (mean, fractions below 0.1 and above 0.9 w_max) within 0.02;
   cuda float32 within the same tolerances.
2. Timings.  CUBA at 4k, 40k, 400k and 1M neurons (80 synapses per neuron,
   1 s): simulation time on cuda (float32) and cpu, their ratio, synaptic
   events per second; then CUBA 400k with pair STDP on every E->E synapse.
   COBAHH (4000 Hodgkin-Huxley neurons, an equation model), 0.1 s: cuda float64
   against cpu.  Diehl & Cook (400 neurons): training and evaluation time per
   image on cuda, and the full 8-epoch run extrapolated from them.
   Each time is one ``Network.run(1 s)`` after a 1 ms warm-up run that
   compiled the kernels and built the device engine, which the timed run
   reuses (it still copies states and changed weights in, and spikes out).
   The last columns split the cuda time: copying in, the steps themselves
   (launch to synchronisation), copying back and sorting the spikes; and
   how the steps were launched (recorded 16-step CUDA graphs / single steps).

    python experiments/benchmarks/gpu_check.py [--sizes 4000,40000,400000,1000000] [--cpu-max 1000000]
"""
from __future__ import annotations

import json
import pathlib
import sys
import time

from spikesim.argtypes import ArgumentParser, int_list, nonnegative_int, output_dir, positive_float, positive_int

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))


def timed(net, mon, backend, dtype="float32", duration=1.0):
    """Warm up (compile) on 1 ms, restore, then time ``duration``; the network is restored afterwards."""
    from spikesim.units import ms
    net.cuda_dtype = dtype
    net.store("gpu_check")
    net.run(1 * ms, backend=backend, progress=False)
    net.restore("gpu_check")
    t0 = time.perf_counter()
    net.run(duration, backend=backend, progress=False)
    sim = time.perf_counter() - t0
    out = dict(sim_s=sim, n_spikes=int(mon.num_spikes), i=mon.i.copy(), step=mon.step.copy())
    eng = getattr(net, "_cuda_engine", None) if backend == "cuda" else None
    if eng is not None:     # where the wall time went: copying in, the steps on the device, copying back
        out["phases"] = dict(eng.timing)
        out["launches"] = dict(eng.launches)
    net.restore("gpu_check")
    return out


def first_divergence(a, b, dt):
    m = min(a["step"].size, b["step"].size)
    diff = (a["step"][:m] != b["step"][:m]) | (a["i"][:m] != b["i"][:m])
    if diff.any():
        return float(a["step"][int(diff.argmax())] * dt)
    return float(min(a["step"][m:].min(initial=10 ** 12), b["step"][m:].min(initial=10 ** 12)) * dt) \
        if a["step"].size != b["step"].size else None


def check_cuba(res, n=4000, duration=1.0):
    import numpy as np
    import cuba
    net, P, M = cuba.build(n, 1)
    net.build()
    cpu = timed(net, M, "cpu", "float64", duration)
    g64 = timed(net, M, "cuda", "float64", duration)
    g32 = timed(net, M, "cuda", "float32", duration)
    same = np.array_equal(cpu["i"], g64["i"]) and np.array_equal(cpu["step"], g64["step"])
    rel32 = abs(g32["n_spikes"] - g64["n_spikes"]) / max(g64["n_spikes"], 1)
    ok = same and rel32 <= 0.02
    print(f"[{'PASS' if ok else 'FAIL'}] CUBA {n}, {duration:g} s: cpu {cpu['n_spikes']} spikes; cuda float64 "
          f"{g64['n_spikes']} (identical train: {same}"
          f"{'' if same else f', first divergence {first_divergence(cpu, g64, 1e-4)} s'}); cuda float32 "
          f"{g32['n_spikes']} ({100 * rel32:.2f} % from float64; tolerance 2 %)", flush=True)
    res["cuba_check"] = dict(ok=bool(ok), identical_float64=bool(same), n_cpu=cpu["n_spikes"],
                             n_cuda64=g64["n_spikes"], n_cuda32=g32["n_spikes"], float32_rel_diff=rel32)


def check_song2000(res, duration=20.0):
    import numpy as np
    import song2000
    out = {}
    for backend, dtype in (("cpu", "float64"), ("cuda", "float64"), ("cuda", "float32")):
        net, inputs, neuron, S, M, W = song2000.build()
        net.cuda_dtype = dtype
        net.build()
        net.run(1e-3, backend=backend, progress=False)      # compile
        t0 = time.perf_counter()
        net.run(duration, backend=backend, progress=False)
        sim = time.perf_counter() - t0
        summ = song2000.weight_summary(S.w.copy(), M.t, duration)
        out[backend + dtype] = dict(sim_s=sim, t=M.t.copy(), w=S.w.copy(), **summ)
    a = out["cpufloat64"]
    res["song2000_check"] = {"duration_s": duration}
    for key in ("cudafloat64", "cudafloat32"):
        b = out[key]
        same = a["t"].size == b["t"].size and np.allclose(a["t"], b["t"], atol=1e-9, rtol=0)
        if same:
            div = None
        else:
            m = min(a["t"].size, b["t"].size)
            k = int(np.argmax(np.abs(a["t"][:m] - b["t"][:m]) > 1e-9)) if m else 0
            div = float(min(a["t"][k] if k < a["t"].size else 1e9, b["t"][k] if k < b["t"].size else 1e9))
        rate_rel = abs(b["post_rate_hz"] - a["post_rate_hz"]) / max(a["post_rate_hz"], 1e-9)
        stats = max(abs(b[f] - a[f]) for f in ("mean_w_over_wmax", "frac_below_0_1_wmax", "frac_above_0_9_wmax"))
        ok = rate_rel <= 0.02 and stats <= 0.02
        wdiff = float(np.abs(a["w"] - b["w"]).max() / song2000.G_MAX)
        print(f"[{'PASS' if ok else 'FAIL'}] song2000 {duration:g} s, {key}: {b['t'].size} post spikes vs cpu "
              f"{a['t'].size} (identical: {same}{'' if same else f', first divergence {div:.4f} s'}); output "
              f"rate {b['post_rate_hz']:.2f} vs {a['post_rate_hz']:.2f} Hz; mean w {b['mean_w_over_wmax']:.4f} vs "
              f"{a['mean_w_over_wmax']:.4f} w_max; <0.1: {b['frac_below_0_1_wmax']:.3f} vs "
              f"{a['frac_below_0_1_wmax']:.3f}; >0.9: {b['frac_above_0_9_wmax']:.3f} vs "
              f"{a['frac_above_0_9_wmax']:.3f}; max |w diff| {wdiff:.2e} w_max; "
              f"{b['sim_s']:.2f} s vs cpu {a['sim_s']:.2f} s", flush=True)
        res["song2000_check"][key] = dict(ok=bool(ok), identical=bool(same), first_divergence_s=div,
                                          n_post=int(b["t"].size), n_post_cpu=int(a["t"].size),
                                          rate_rel_diff=rate_rel, max_stat_diff=stats, max_w_diff_wmax=wdiff,
                                          sim_s=b["sim_s"], cpu_sim_s=a["sim_s"])


def check_cobahh(res, n=4000, duration=0.1):
    """COBAHH (the hh preset, an equation model): cuda float64 against cpu, and both times."""
    import numpy as np
    import cobahh
    net, P, M = cobahh.build(n, 1)
    net.build()
    cpu = timed(net, M, "cpu", "float64", duration)
    g64 = timed(net, M, "cuda", "float64", duration)
    same = np.array_equal(cpu["i"], g64["i"]) and np.array_equal(cpu["step"], g64["step"])
    print(f"[{'PASS' if same else 'FAIL'}] COBAHH {n}, {duration:g} s: cpu {cpu['n_spikes']} spikes in "
          f"{cpu['sim_s']:.2f} s; cuda float64 {g64['n_spikes']} in {g64['sim_s']:.2f} s (identical train: {same}"
          f"{'' if same else f', first divergence {first_divergence(cpu, g64, 1e-4)} s'})", flush=True)
    res["cobahh_check"] = dict(ok=bool(same), n_cpu=cpu["n_spikes"], n_cuda64=g64["n_spikes"],
                               cpu_s=cpu["sim_s"], cuda_s=g64["sim_s"])


def time_diehl_cook(res, data, n_images, n_e=400):
    """Diehl & Cook on cuda: training and evaluation milliseconds per image (warm), and the labelling
    time of the paper's 64,000 presentations plus 2,000 evaluations extrapolated from them."""
    import diehl_cook
    from spikesim.data.mnist import load_protocol
    X = load_protocol(data)[0]
    X = X.reshape(len(X), -1)
    W, th = diehl_cook.train(X[:2], n_e=n_e, progress=False, backend="cuda")       # compile
    diehl_cook.responses(W, th, X[:2], progress=False, backend="cuda")
    t0 = time.perf_counter()
    W, th = diehl_cook.train(X[:n_images], n_e=n_e, progress=False, backend="cuda")
    train = (time.perf_counter() - t0) / n_images
    t0 = time.perf_counter()
    diehl_cook.responses(W, th, X[:n_images], progress=False, backend="cuda")
    evaluate = (time.perf_counter() - t0) / n_images
    full = 64000 * train + 10000 * evaluate
    print(f"Diehl & Cook {n_e} neurons on cuda: training {train * 1e3:.1f} ms/image, evaluation "
          f"{evaluate * 1e3:.1f} ms/image ({n_images} images); 8 epochs + evaluation about {full / 60:.1f} min",
          flush=True)
    res["diehl_cook_cuda"] = dict(train_ms=train * 1e3, eval_ms=evaluate * 1e3, full_run_min=full / 60)


def timings(res, sizes, cpu_max, stdp_n, duration=1.0):
    import cuba
    import cuba_stdp
    from spikesim.backends.cuda import run as cuda_run
    print(f"\n{'network':>18s} {'synapses':>11s} {'cuda f32 (s)':>13s} {'cpu (s)':>9s} {'cpu/cuda':>9s} "
          f"{'events/s (cuda)':>16s} {'build (s)':>10s} {'in (s)':>7s} {'steps (s)':>9s} {'out (s)':>7s} "
          f"{'graphs/single':>14s}",
          flush=True)
    rows = []
    cases = [("CUBA", n) for n in sizes] + ([("CUBA+STDP", stdp_n)] if stdp_n else [])
    for name, n in cases:
        t0 = time.perf_counter()
        if name == "CUBA":
            net, P, M = cuba.build(n, 1)
        else:
            net, EE, M = cuba_stdp.build(True, n=n)
        net.build()
        build_s = time.perf_counter() - t0
        n_syn = sum(len(s) for s in net.objects if type(s).__name__ == "Synapses")
        g = timed(net, M, "cuda", "float32", duration)
        c = timed(net, M, "cpu", "float64", duration) if n <= cpu_max else None
        events = g["n_spikes"] * n_syn / n
        ratio = c["sim_s"] / g["sim_s"] if c else float("nan")
        label = f"{name} {n // 1000}k"
        ph = g.get("phases", {})
        print(f"{label:>18s} {n_syn:11d} {g['sim_s']:13.3f} {c['sim_s'] if c else float('nan'):9.3f} {ratio:9.1f} "
              f"{events / g['sim_s']:16.3e} {build_s:10.1f} {ph.get('upload_s', float('nan')):7.3f} "
              f"{ph.get('device_s', float('nan')):9.3f} {ph.get('collect_s', float('nan')):7.3f} "
              f"{'{graph}/{single}'.format(**g.get('launches', dict(graph='?', single='?'))):>14s}", flush=True)
        rows.append(dict(network=name, n=n, n_syn=n_syn, cuda_s=g["sim_s"], cpu_s=c["sim_s"] if c else None,
                         ratio=ratio, events_per_s=events / g["sim_s"], n_spikes=g["n_spikes"],
                         n_spikes_cpu=c["n_spikes"] if c else None, cuda_phases_s=g.get("phases"),
                         cuda_launches=g.get("launches")))
        del net
    res["timing"] = rows
    print("launch mode:", getattr(cuda_run, "LAST_GRAPH_STATUS", "?"), flush=True)


def main(argv=None):
    ap = ArgumentParser(prog="spikesim bench gpu_check", description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int_list, default=[4000, 40000, 400000, 1000000])
    ap.add_argument("--cpu-max", type=nonnegative_int, default=1000000, help="largest size also run on the cpu backend")
    ap.add_argument("--stdp-n", type=nonnegative_int, default=400000, help="CUBA size with STDP on E->E (0: skip)")
    ap.add_argument("--song-duration", type=positive_float, default=10.0)
    ap.add_argument("--skip-checks", action="store_true")
    ap.add_argument("--check-n", type=positive_int, default=4000, help="CUBA size of the check")
    ap.add_argument("--duration", type=positive_float, default=1.0, help="seconds of biological time per timing and check")
    ap.add_argument("--cobahh-n", type=nonnegative_int, default=4000, help="COBAHH size of the check (0: skip)")
    ap.add_argument("--dc-images", type=nonnegative_int, default=300, help="Diehl & Cook images timed on cuda (0: skip)")
    ap.add_argument("--data", type=pathlib.Path, default=HERE.parents[2] / "shared" / "data" / "mnist")
    ap.add_argument("--out", type=output_dir, default=pathlib.Path("out/gpu_check"))
    args = ap.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    from numba import cuda
    name = getattr(cuda.get_current_device(), "name", "numba CUDA simulator")
    print("device:", name.decode() if hasattr(name, "decode") else name, flush=True)
    res = {}
    sections = [] if args.skip_checks else [(check_cuba, (res, args.check_n, args.duration)),
                                            (check_song2000, (res, args.song_duration))]
    if not args.skip_checks and args.cobahh_n:
        sections.append((check_cobahh, (res, args.cobahh_n, min(args.duration, 0.1))))
    if args.dc_images and args.data.is_dir():
        sections.append((time_diehl_cook, (res, args.data, args.dc_images)))
    sections.append((timings, (res, args.sizes, args.cpu_max, args.stdp_n,
                               args.duration)))
    for fn, fargs in sections:      # one failing section must not hide the others' results
        try:
            fn(*fargs)
        except Exception:
            import traceback
            traceback.print_exc()
            res.setdefault("errors", []).append(f"{fn.__name__}: {traceback.format_exc(limit=3)}")
    (args.out / "result.json").write_text(json.dumps(res, indent=2) + "\n")
    return res


if __name__ == "__main__":
    main()
