"""Kernels of the convolution and pooling layers: numba loops plus matrix products.

Private: the layers in :mod:`spikesim.ann.layers` check shapes and dtypes
and call these.

A convolution is computed as ``im2col`` (a numba kernel that gathers every
k x k patch into a row) followed by one matrix product with the filters;
its backward pass is the transposed product and ``col2im`` (a numba kernel
that scatters patch gradients back, summing overlaps).  Max pooling keeps
the index of each window's maximum and routes the gradient to it.

Layout: images are (batch, channels, height, width), C order, as in PyTorch.
"""
from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True)
def im2col(x, k, pad):
    """(N, C, H, W) -> patch matrix of shape (C*k*k, N*Ho*Wo), zero padding ``pad``; Ho = H + 2 pad - k + 1.

    Row ``(c, a, b)`` holds, for every output position, the input pixel at
    offset (a, b) of channel c: the innermost loop copies contiguous runs.
    """
    N, C, H, W = x.shape
    Ho, Wo = H + 2 * pad - k + 1, W + 2 * pad - k + 1
    cols = np.zeros((C * k * k, N * Ho * Wo), dtype=x.dtype)
    for c in range(C):
        for a in range(k):
            for b in range(k):
                q = (c * k + a) * k + b
                j0, j1 = max(0, pad - b), min(Wo, W + pad - b)
                for n in range(N):
                    for i in range(Ho):
                        y = i + a - pad
                        if 0 <= y < H:
                            r = (n * Ho + i) * Wo
                            cols[q, r + j0:r + j1] = x[n, c, y, j0 + b - pad:j1 + b - pad]
    return cols


@njit(cache=True)
def col2im(cols, N, C, H, W, k, pad):
    """Adjoint of :func:`im2col`: scatter-add the patch matrix back into (N, C, H, W)."""
    Ho, Wo = H + 2 * pad - k + 1, W + 2 * pad - k + 1
    x = np.zeros((N, C, H, W), dtype=cols.dtype)
    for c in range(C):
        for a in range(k):
            for b in range(k):
                q = (c * k + a) * k + b
                j0, j1 = max(0, pad - b), min(Wo, W + pad - b)
                for n in range(N):
                    for i in range(Ho):
                        y = i + a - pad
                        if 0 <= y < H:
                            r = (n * Ho + i) * Wo
                            x[n, c, y, j0 + b - pad:j1 + b - pad] += cols[q, r + j0:r + j1]
    return x


@njit(cache=True)
def maxpool_forward(x, k):
    """k x k max pooling, stride k: (N, C, H, W) -> values (N, C, H//k, W//k) and the argmax in each window.

    The argmax is ``a*k + b`` for the offset (a, b) inside the window, the first
    maximum in row order on ties.  Rows and columns beyond the last whole window
    are dropped (PyTorch's floor mode).
    """
    N, C, H, W = x.shape
    Ho, Wo = H // k, W // k
    out = np.empty((N, C, Ho, Wo), dtype=x.dtype)
    arg = np.empty((N, C, Ho, Wo), dtype=np.int16)
    for n in range(N):
        for c in range(C):
            for i in range(Ho):
                for j in range(Wo):
                    best = x[n, c, k * i, k * j]
                    bi = 0
                    for a in range(k):
                        for b in range(k):
                            v = x[n, c, k * i + a, k * j + b]
                            if v > best:
                                best = v
                                bi = k * a + b
                    out[n, c, i, j] = best
                    arg[n, c, i, j] = bi
    return out, arg


@njit(cache=True)
def maxpool_backward(grad, arg, H, W, k):
    """Route each window's gradient to its maximum: (N, C, H//k, W//k) -> (N, C, H, W)."""
    N, C, Ho, Wo = grad.shape
    dx = np.zeros((N, C, H, W), dtype=grad.dtype)
    for n in range(N):
        for c in range(C):
            for i in range(Ho):
                for j in range(Wo):
                    a = arg[n, c, i, j]
                    dx[n, c, k * i + a // k, k * j + a % k] = grad[n, c, i, j]
    return dx


def conv2d_forward(x, Wt, b, pad):
    """Convolution (cross-correlation, as in PyTorch): x (N, C, H, W), Wt (F, C, k, k), b (F,) -> (N, F, Ho, Wo).

    Returns the output and the patch matrix needed by the backward pass.
    """
    N, C, H, W = x.shape
    F, _, k, _ = Wt.shape
    cols = im2col(x, k, pad)
    Ho, Wo = H + 2 * pad - k + 1, W + 2 * pad - k + 1
    out = Wt.reshape(F, -1) @ cols + b[:, None]                       # (F, N*Ho*Wo)
    return np.ascontiguousarray(out.reshape(F, N, Ho, Wo).transpose(1, 0, 2, 3)), cols


def conv2d_backward(dout, cols, x_shape, Wt, pad, need_dx=True):
    """Gradients (dx, dW, db) of :func:`conv2d_forward` given dLoss/dout of shape (N, F, Ho, Wo).

    ``need_dx=False`` skips the input gradient (for the first layer) and returns None for it.
    """
    N, C, H, W = x_shape
    F, _, k, _ = Wt.shape
    d = np.ascontiguousarray(dout.transpose(1, 0, 2, 3)).reshape(F, -1)  # (F, N*Ho*Wo)
    dW = (d @ cols.T).reshape(Wt.shape)
    db = d.sum(axis=1)
    if not need_dx:
        return None, dW, db
    dcols = Wt.reshape(F, -1).T @ d
    dx = col2im(dcols, N, C, H, W, k, pad)
    return dx, dW, db
