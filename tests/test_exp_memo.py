"""The one-entry exp memo of generated cpu loops (render.memoize_exp): same bits as calling exp every time."""
import math

import numpy as np
import pytest
from numba import njit

from spikesim.equations import functions as _F
from spikesim.equations.render import memoize_exp

BODY = ["a = x[_idx]",
        "if not flag[_idx]:",
        "    y = a",
        "else:",
        "    y = (_F.exp(a * 2.0) + _F.exp(_F.exp(a) - 1.0)) * b",
        "out[_idx] = y"]


def _compile(body, init):
    src = "\n".join(["def f(x, flag, b, out):"] + ["    " + ln for ln in init] + ["    for _idx in range(x.size):"]
                    + ["        " + ln for ln in body])
    ns = {"_F": _F, "math": math}
    exec(src, ns)
    return njit(ns["f"]), src


def test_memo_rewrites_every_call_site_and_keeps_branches():
    init, body = memoize_exp(BODY)
    text = "\n".join(body)
    assert "_F.exp(a * 2.0)" not in text and text.count("_F.exp(") == 3      # three call sites, each memoised
    assert len(init) == 6 and all(ln.endswith("= math.nan") for ln in init)
    assert body[:4] == BODY[:4] and body[-1] == BODY[-1]                      # the if/else lines are untouched
    assert all(ln.startswith("    ") for ln in body[4:-1])                    # the memo stays inside the else


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_memo_gives_the_same_bits_on_repeating_arguments(seed):
    rng = np.random.default_rng(seed)
    n = 4000
    # runs of equal arguments, values near under/overflow, NaN and inf: every branch of the memo
    pool = np.array([0.0, -1e-300, -0.5, 1.0, -708.5, -745.2, -746.0, 709.0, 710.0, np.nan, -np.inf, np.inf])
    x = np.where(rng.random(n) < 0.5, rng.choice(pool, n), np.repeat(rng.normal(size=n // 8) * 50, 8))
    flag = rng.random(n) < 0.8
    plain, _ = _compile(BODY, [])
    init, body = memoize_exp(BODY)
    memo, src = _compile(body, init)
    out1, out2 = np.empty(n), np.empty(n)
    with np.errstate(all="ignore"):
        plain(x, flag, 0.75, out1)
        memo(x, flag, 0.75, out2)
    assert np.array_equal(out1.view(np.int64), out2.view(np.int64))


def test_prune_unused_keeps_what_the_body_needs_through_chains():
    from spikesim.equations.render import prune_unused
    head = ["_udelay = _s.udelay", "_U = _udelay.size", "_rev_ptr = _s.rev_ptr", "tau = _shared[0]",
            "_lio_1 = 1.0 / tau", "_lio_2 = 2.0 / tau", "_a, _b = _s.cache"]
    body = ["for _u in range(_U):", "    y = _lio_1 * _a[_u]"]
    assert prune_unused(head, body) == ["_udelay = _s.udelay", "_U = _udelay.size", "tau = _shared[0]",
                                        "_lio_1 = 1.0 / tau", "_a, _b = _s.cache"]
