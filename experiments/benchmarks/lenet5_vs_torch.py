"""Benchmark: LeNet5 training time per epoch, spikesim (numpy/numba) vs PyTorch CPU, side by side.

Same network (61,706 parameters), same data (the 8,000 training images),
batch size 64, Adam (lr 1e-3), float32, no augmentation.  Each framework
trains ``--epochs`` epochs after one warm-up epoch; the table shows the
median seconds per epoch and the ratio.  Needs ``pip install spikesim[torch]``.

    spikesim bench lenet5_vs_torch --data ../shared/data/mnist
"""
from __future__ import annotations

import argparse
import json
import pathlib
import statistics
import time

import numpy as np


def torch_epochs(Xtr, ytr, epochs, batch_size, seed):
    import torch
    from spikesim.ann.torch_io import torch_lenet_class
    torch.manual_seed(seed)
    net = torch_lenet_class()()
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    X = torch.tensor(Xtr[:, None].astype(np.float32))
    y = torch.tensor(ytr)
    g = torch.Generator().manual_seed(seed)
    times = []
    for _ in range(epochs + 1):
        t0 = time.perf_counter()
        perm = torch.randperm(len(X), generator=g)
        for s in range(0, len(X), batch_size):
            b = perm[s:s + batch_size]
            opt.zero_grad()
            loss = torch.nn.functional.cross_entropy(net(X[b]), y[b])
            loss.backward()
            opt.step()
        times.append(time.perf_counter() - t0)
    return times[1:], torch.get_num_threads()


def ours_epochs(Xtr, ytr, epochs, batch_size, seed):
    from spikesim.ann import LeNet5
    m = LeNet5(epochs=epochs + 1, batch_size=batch_size, random_state=seed).fit(Xtr, ytr)
    return m.history_["epoch_seconds"][1:]


def main(argv=None):
    p = argparse.ArgumentParser(prog="spikesim bench lenet5_vs_torch", description=__doc__.splitlines()[0])
    p.add_argument("--data", type=pathlib.Path, default=pathlib.Path(__file__).resolve().parents[3] / "shared"
                   / "data" / "mnist")
    p.add_argument("--epochs", type=int, default=3)
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--out", type=pathlib.Path, default=pathlib.Path("out/bench_lenet5"))
    args = p.parse_args(argv)
    from spikesim.data import load_protocol
    Xtr, ytr, _, _ = load_protocol(args.data)
    ours = ours_epochs(Xtr, ytr, args.epochs, args.batch_size, 0)
    theirs, threads = torch_epochs(Xtr, ytr, args.epochs, args.batch_size, 0)
    mo, mt = statistics.median(ours), statistics.median(theirs)
    print(f"LeNet5, 8,000 images per epoch, batch {args.batch_size}, Adam, float32 (median of {args.epochs} epochs)")
    print(f"spikesim (numpy/numba): {mo:.2f} s/epoch   runs {', '.join(f'{t:.2f}' for t in ours)}")
    print(f"PyTorch CPU ({threads} threads): {mt:.2f} s/epoch   runs {', '.join(f'{t:.2f}' for t in theirs)}")
    print(f"spikesim / PyTorch: {mo / mt:.2f}")
    args.out.mkdir(parents=True, exist_ok=True)
    res = dict(spikesim_s_per_epoch=mo, torch_s_per_epoch=mt, ratio=mo / mt, spikesim_runs=ours, torch_runs=theirs,
               torch_threads=threads, batch_size=args.batch_size)
    (args.out / "result.json").write_text(json.dumps(res, indent=2) + "\n")
    return res


if __name__ == "__main__":
    main()
