"""Convolution and max-pooling for LeNet5: numba kernels plus matrix products.

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
    """(N, C, H, W) -> (N*Ho*Wo, C*k*k) patches, zero padding ``pad``; Ho = H + 2 pad - k + 1."""
    N, C, H, W = x.shape
    Ho, Wo = H + 2 * pad - k + 1, W + 2 * pad - k + 1
    cols = np.zeros((N * Ho * Wo, C * k * k), dtype=x.dtype)
    for n in range(N):
        for i in range(Ho):
            for j in range(Wo):
                r = (n * Ho + i) * Wo + j
                q = 0
                for c in range(C):
                    for a in range(k):
                        y = i + a - pad
                        for b in range(k):
                            xx = j + b - pad
                            if 0 <= y < H and 0 <= xx < W:
                                cols[r, q] = x[n, c, y, xx]
                            q += 1
    return cols


@njit(cache=True)
def col2im(cols, N, C, H, W, k, pad):
    """Adjoint of :func:`im2col`: scatter-add patch rows back into (N, C, H, W)."""
    Ho, Wo = H + 2 * pad - k + 1, W + 2 * pad - k + 1
    x = np.zeros((N, C, H, W), dtype=cols.dtype)
    for n in range(N):
        for i in range(Ho):
            for j in range(Wo):
                r = (n * Ho + i) * Wo + j
                q = 0
                for c in range(C):
                    for a in range(k):
                        y = i + a - pad
                        for b in range(k):
                            xx = j + b - pad
                            if 0 <= y < H and 0 <= xx < W:
                                x[n, c, y, xx] += cols[r, q]
                            q += 1
    return x


@njit(cache=True)
def maxpool2_forward(x):
    """2x2 max pooling, stride 2: (N, C, H, W) -> values (N, C, H/2, W/2) and flat argmax in each window."""
    N, C, H, W = x.shape
    Ho, Wo = H // 2, W // 2
    out = np.empty((N, C, Ho, Wo), dtype=x.dtype)
    arg = np.empty((N, C, Ho, Wo), dtype=np.int8)
    for n in range(N):
        for c in range(C):
            for i in range(Ho):
                for j in range(Wo):
                    best = x[n, c, 2 * i, 2 * j]
                    bi = 0
                    for a in range(2):
                        for b in range(2):
                            v = x[n, c, 2 * i + a, 2 * j + b]
                            if v > best:
                                best = v
                                bi = 2 * a + b
                    out[n, c, i, j] = best
                    arg[n, c, i, j] = bi
    return out, arg


@njit(cache=True)
def maxpool2_backward(grad, arg, H, W):
    """Route each window's gradient to its maximum: (N, C, H/2, W/2) -> (N, C, H, W)."""
    N, C, Ho, Wo = grad.shape
    dx = np.zeros((N, C, H, W), dtype=grad.dtype)
    for n in range(N):
        for c in range(C):
            for i in range(Ho):
                for j in range(Wo):
                    a = arg[n, c, i, j]
                    dx[n, c, 2 * i + a // 2, 2 * j + a % 2] = grad[n, c, i, j]
    return dx


def conv2d_forward(x, Wt, b, pad):
    """Convolution (cross-correlation, as in PyTorch): x (N, C, H, W), Wt (F, C, k, k), b (F,) -> (N, F, Ho, Wo).

    Returns the output and the patch matrix needed by the backward pass.
    """
    N, C, H, W = x.shape
    F, _, k, _ = Wt.shape
    cols = im2col(x, k, pad)
    Ho, Wo = H + 2 * pad - k + 1, W + 2 * pad - k + 1
    out = cols @ Wt.reshape(F, -1).T + b
    return np.ascontiguousarray(out.reshape(N, Ho, Wo, F).transpose(0, 3, 1, 2)), cols


def conv2d_backward(dout, cols, x_shape, Wt, pad):
    """Gradients (dx, dW, db) of :func:`conv2d_forward` given dLoss/dout of shape (N, F, Ho, Wo)."""
    N, C, H, W = x_shape
    F, _, k, _ = Wt.shape
    d = dout.transpose(0, 2, 3, 1).reshape(-1, F)
    dW = (d.T @ cols).reshape(Wt.shape)
    db = d.sum(axis=0)
    dcols = d @ Wt.reshape(F, -1)
    dx = col2im(np.ascontiguousarray(dcols), N, C, H, W, k, pad)
    return dx, dW, db
