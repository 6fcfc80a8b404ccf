"""Benchmark: LeNet5 training time per epoch, spikesim (numpy/numba) vs PyTorch CPU, side by side.

Same network (61,706 parameters), same data (the 8,000 training images),
batch size 64, Adam (lr 1e-3), float32, no augmentation.  The two
frameworks train in turns, one epoch each (spikesim's ``partial_fit`` is
one epoch), so a change in the machine's load hits both alike; after one
warm-up epoch each, the table shows the median seconds per epoch and the
ratio.  Needs ``pip install spikesim[torch]``.

    spikesim bench lenet5_vs_torch --data ../shared/data/mnist

Measured 2026-11-30 on the 2-core project machine while other developers'
jobs kept its load average between 2 and 4.7 (so every epoch took about ten
times its quiet-machine time; the turns keep the comparison fair):

    spikesim bench lenet5_vs_torch --data ../shared/data/mnist
        spikesim 21.02 s/epoch, PyTorch 2.13.0 (2 threads) 15.44 s/epoch: ratio 1.36
    spikesim bench lenet5_vs_torch --data ../shared/data/mnist --epochs 5     (twice)
        17.40 vs 13.04 s/epoch: 1.33;   18.41 vs 15.98 s/epoch: 1.15
    OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 \
    spikesim bench lenet5_vs_torch --data ../shared/data/mnist --epochs 5
        one thread each: 2.58 vs 2.20 s/epoch (runs 2.24-2.81 and 1.93-2.40): 1.17

Target: at most 1.5.
"""
from __future__ import annotations

import json
import pathlib
import statistics
import time

import numpy as np

from spikesim.argtypes import ArgumentParser, existing_dir, output_dir, positive_int


class TorchTrainer:
    """The lecture's PyTorch LeNet with Adam, one epoch per call."""

    def __init__(self, Xtr, ytr, batch_size, seed):
        import torch
        from spikesim.ann.torch_io import torch_lenet_class
        torch.manual_seed(seed)
        self.torch = torch
        self.net = torch_lenet_class()()
        self.opt = torch.optim.Adam(self.net.parameters(), lr=1e-3)
        self.X = torch.tensor(Xtr[:, None].astype(np.float32))
        self.y = torch.tensor(ytr.astype(np.int64))
        self.g = torch.Generator().manual_seed(seed)
        self.batch_size = batch_size

    def epoch(self):
        torch = self.torch
        t0 = time.perf_counter()
        perm = torch.randperm(len(self.X), generator=self.g)
        for s in range(0, len(self.X), self.batch_size):
            b = perm[s:s + self.batch_size]
            self.opt.zero_grad()
            loss = torch.nn.functional.cross_entropy(self.net(self.X[b]), self.y[b])
            loss.backward()
            self.opt.step()
        return time.perf_counter() - t0


class OursTrainer:
    """spikesim's LeNet5, one epoch per ``partial_fit`` call (the epoch's own timing, not the accuracy pass)."""

    def __init__(self, Xtr, ytr, batch_size, seed):
        from spikesim.ann import LeNet5
        self.model = LeNet5(batch_size=batch_size, random_state=seed)
        self.X, self.y = Xtr, ytr

    def epoch(self):
        self.model.partial_fit(self.X, self.y, classes=np.arange(10))
        return self.model.history_["epoch_seconds"][-1]


def main(argv=None):
    p = ArgumentParser(prog="spikesim bench lenet5_vs_torch", description=__doc__.splitlines()[0])
    p.add_argument("--data", type=existing_dir, default=pathlib.Path(__file__).resolve().parents[3] / "shared"
                   / "data" / "mnist")
    p.add_argument("--epochs", type=positive_int, default=3, help="timed epochs per framework, after one warm-up epoch")
    p.add_argument("--batch-size", type=positive_int, default=64)
    p.add_argument("--out", type=output_dir, default=pathlib.Path("out/bench_lenet5"))
    args = p.parse_args(argv)
    if args.epochs < 1 or args.batch_size < 1:
        p.error("--epochs and --batch-size must be >= 1")
    import torch
    from spikesim.data import load_protocol
    Xtr, ytr, _, _ = load_protocol(args.data)
    ours, theirs = OursTrainer(Xtr, ytr, args.batch_size, 0), TorchTrainer(Xtr, ytr, args.batch_size, 0)
    times_ours, times_torch = [], []
    for _ in range(args.epochs + 1):
        times_ours.append(ours.epoch())
        times_torch.append(theirs.epoch())
    times_ours, times_torch = times_ours[1:], times_torch[1:]
    mo, mt = statistics.median(times_ours), statistics.median(times_torch)
    threads = torch.get_num_threads()
    print(f"LeNet5, 8,000 images per epoch, batch {args.batch_size}, Adam, float32, epochs in turns "
          f"(median of {args.epochs} after a warm-up epoch each)")
    print(f"spikesim (numpy/numba): {mo:.2f} s/epoch   runs {', '.join(f'{t:.2f}' for t in times_ours)}")
    print(f"PyTorch {torch.__version__} CPU ({threads} threads): {mt:.2f} s/epoch   "
          f"runs {', '.join(f'{t:.2f}' for t in times_torch)}")
    print(f"spikesim / PyTorch: {mo / mt:.2f}")
    args.out.mkdir(parents=True, exist_ok=True)
    res = dict(spikesim_s_per_epoch=mo, torch_s_per_epoch=mt, ratio=mo / mt, spikesim_runs=times_ours,
               torch_runs=times_torch, torch_threads=threads, torch_version=torch.__version__,
               batch_size=args.batch_size)
    (args.out / "result.json").write_text(json.dumps(res, indent=2) + "\n")
    return res


if __name__ == "__main__":
    main()
