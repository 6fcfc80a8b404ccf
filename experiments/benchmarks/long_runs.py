"""Benchmark: the long plasticity runs of issue 19, per step and per presentation.

* song2000 (1000 Poisson inputs, one neuron, pair STDP) for ``--song-duration``
  seconds at 15 Hz, and the same network with its inputs silent (rate 0):
  the second figure is the fixed cost of a step;
* Diehl & Cook, ``--dc-n`` excitatory neurons: training time per image
  (``train`` on ``--dc-images`` images, after a 2-image warm-up) and
  evaluation time per image (``responses``, the frozen network);

each with a warm JIT cache.  The script only uses the experiments' public
functions, so the same file measures an older checkout too:

    python experiments/benchmarks/long_runs.py                        # this checkout
    PYTHONPATH=OLD python OLD_OR_THIS/experiments/benchmarks/long_runs.py --experiments OLD/experiments

Prints one line per figure and writes ``--out/result.json``.
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import pathlib
import sys
import time

HERE = pathlib.Path(__file__).resolve().parent


def _module(folder: pathlib.Path, name: str):
    spec = importlib.util.spec_from_file_location(f"bench_{name}", folder / f"{name}.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def song2000_seconds(song2000, duration: float, rate: float | None) -> tuple[float, int]:
    """Wall seconds of ``duration`` s of song2000 (inputs at ``rate`` Hz, default the experiment's), post spikes."""
    from spikesim.units import ms, second
    kw = {} if rate is None else {"rate": rate}
    net, inputs, neuron, S, M, _ = song2000.build(seed=1, **kw)
    net.build()
    net.store()
    net.run(1 * ms, progress=False)          # JIT warm-up
    net.restore()
    t0 = time.perf_counter()
    net.run(duration * second, progress=False)
    return time.perf_counter() - t0, int(M.num_spikes)


def diehl_cook_ms(dc, data: pathlib.Path, n_images: int, n_e: int) -> tuple[float, float]:
    """Milliseconds per image of Diehl & Cook training and of its evaluation (warm cache)."""
    from spikesim.data.mnist import load_protocol
    X = load_protocol(data)[0]
    X = X.reshape(len(X), -1)
    W, th = dc.train(X[:2], n_e=n_e, progress=False)              # warm-up (compiles)
    dc.responses(W, th, X[:2], progress=False)
    t0 = time.perf_counter()
    W, th = dc.train(X[:n_images], n_e=n_e, progress=False)
    train = (time.perf_counter() - t0) / n_images * 1e3
    t0 = time.perf_counter()
    dc.responses(W, th, X[:n_images], progress=False)
    evaluate = (time.perf_counter() - t0) / n_images * 1e3
    return train, evaluate


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--experiments", type=pathlib.Path, default=HERE.parent,
                    help="experiments folder of the checkout to measure (default: this one)")
    ap.add_argument("--song-duration", type=float, default=100.0, help="seconds of song2000 (default 100)")
    ap.add_argument("--dc-images", type=int, default=200, help="Diehl & Cook images timed (default 200)")
    ap.add_argument("--dc-n", type=int, default=400, help="Diehl & Cook excitatory neurons (default 400)")
    ap.add_argument("--data", type=pathlib.Path, default=HERE.parents[2] / "shared" / "data" / "mnist")
    ap.add_argument("--out", type=pathlib.Path, default=pathlib.Path("out/bench_long_runs"))
    args = ap.parse_args(argv)
    for name, value in (("--song-duration", args.song_duration), ("--dc-images", args.dc_images),
                        ("--dc-n", args.dc_n)):
        if not value > 0:
            ap.error(f"{name} must be positive, got {value}")
    song2000 = _module(args.experiments, "song2000")
    res = {}
    s, n = song2000_seconds(song2000, args.song_duration, None)
    res["song2000_s"] = s
    print(f"song2000 {args.song_duration:g} s, inputs at 15 Hz: {s:.3f} s ({n} post spikes)", flush=True)
    s, n = song2000_seconds(song2000, args.song_duration, 0.0)
    res["song2000_silent_s"] = s
    print(f"song2000 {args.song_duration:g} s, inputs silent:   {s:.3f} s "
          f"({s / (args.song_duration / 1e-4) * 1e9:.0f} ns per step)", flush=True)
    if args.data.is_dir():
        dc = _module(args.experiments, "diehl_cook")
        train, evaluate = diehl_cook_ms(dc, args.data, args.dc_images, args.dc_n)
        res.update(dc_train_ms_per_image=train, dc_eval_ms_per_image=evaluate)
        print(f"Diehl & Cook {args.dc_n} neurons: training {train:.1f} ms/image, evaluation {evaluate:.1f} "
              f"ms/image ({args.dc_images} images)", flush=True)
    else:
        print(f"Diehl & Cook skipped: no MNIST folder at {args.data}", flush=True)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "result.json").write_text(json.dumps(res, indent=2) + "\n")
    return res


if __name__ == "__main__":
    main()
