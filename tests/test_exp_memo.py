"""The one-entry exp memo of generated cpu loops (exp_calls.memoize_exp): same bits as calling exp every time."""
import math

import numpy as np
import pytest
from numba import njit

from spikesim.equations import functions as _F
from spikesim.equations.exp_calls import memoize_exp

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


# ---------------------------------------------------------------- split_exp: exp calls in a loop of their own
SPLIT_BODY = ["a = x[_idx]",
              "c = a * 0.5",
              "if not flag[_idx]:",
              "    y = a",
              "else:",
              "    y = (_F.exp(a * 2.0) + _F.exp(c - 1.0)) * b",
              "z = y + 1.0",
              "out[_idx] = z",
              "w2[_idx] = _F.exp(c)",
              "_bad |= (z - z) != 0.0"]


def _compile_split(head, body):
    src = "\n".join(["def f(x, flag, b, out, w2):", "    _N = x.size", "    _bad = False"]
                    + ["    " + ln for ln in head] + ["        " + ln for ln in body] + ["    return _bad"])
    ns = {"_F": _F, "math": math, "np": np}
    exec(src, ns)
    return njit(ns["f"]), src


def test_split_puts_every_call_in_the_middle_loop():
    from spikesim.equations.exp_calls import split_exp
    head, body = split_exp(SPLIT_BODY)
    assert sum(ln.strip() == "for _idx in range(_N):" for ln in head) == 2
    assert not any("_F.exp(" in ln for ln in head + body)                  # every call went to the rows
    assert [ln for ln in head if "exp_row" in ln] == [f"_F.exp_row(_xs[{q}])" for q in range(3)]
    first = head[head.index("for _idx in range(_N):") + 1:head.index("_F.exp_row(_xs[0])")]
    assert not any(ln.strip().startswith(("out[", "w2[", "_bad")) for ln in first)  # loop 1 stores no state
    assert body[-3:] == ["out[_idx] = z", "w2[_idx] = _xs[2, _idx]", "_bad |= (z - z) != 0.0"]


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_split_gives_the_same_bits(seed):
    from spikesim.equations.exp_calls import split_exp
    rng = np.random.default_rng(seed)
    n = 4000
    pool = np.array([0.0, -1e-300, -0.5, 1.0, -708.5, -745.2, -1492.0, 709.0, 710.0, 1420.0, np.nan, -np.inf, np.inf])
    x = np.where(rng.random(n) < 0.5, rng.choice(pool, n), np.repeat(rng.normal(size=n // 8) * 50, 8))
    flag = rng.random(n) < 0.8
    plain, _ = _compile_split(["for _idx in range(_N):"], SPLIT_BODY)
    split, src = _compile_split(*split_exp(SPLIT_BODY))
    outs = [(np.empty(n), np.empty(n)) for _ in range(2)]
    with np.errstate(all="ignore"):
        bad = [f(x, flag, 0.75, *o) for f, o in zip((plain, split), outs)]
    assert bad[0] == bad[1]
    for a, b in zip(*outs):
        assert np.array_equal(a.view(np.int64), b.view(np.int64)), src


@pytest.mark.parametrize("body, why", [
    (["a = x[_idx]", "out[_idx] = _F.exp(_F.exp(a))"], "a call inside a call's argument"),
    (["a = _F.exp(x[_idx])", "out[_idx] = _F.exp(a)"], "an argument that needs another call's value"),
    (["a = _F.exp(x[_idx])", "if a > 1.0:", "    b = _F.exp(x[_idx])", "else:", "    b = 0.0", "out[_idx] = b"],
     "a branch that needs a call's value"),
    (["a = x[_idx + 1]", "out[_idx] = _F.exp(a)"], "a read of another element"),
    (["a = f(x[_idx])", "out[_idx] = _F.exp(a)"], "a call of an unknown function"),
    (["a = x[_idx]; c = a", "out[_idx] = _F.exp(c)"], "two statements on one line"),
    (["out[_idx] = x[_idx]"], "no exp at all"),
])
def test_split_refuses_what_it_cannot_split(body, why):
    from spikesim.equations.exp_calls import split_exp
    assert split_exp(body) is None, why


def test_generated_neuron_updates_split_where_they_call_exp():
    from spikesim import NeuronGroup
    g = NeuronGroup(3, "lif_coba", method="exponential_euler", name="E")
    src = g._layout["sources"]["cpu"]
    update = src[src.index("def update"):src.index("return -1")]
    loops = update[update.index("for _idx"):]
    assert loops.count("for _idx in range(_N):") == 2 and "_F.exp(" not in loops
    assert loops.count("_F.exp_row(_xs[0])") == 1                      # between the two loops
    h = NeuronGroup(3, "lif_coba", method="euler", name="E2")      # no exp in the loop: one loop
    src = h._layout["sources"]["cpu"]
    update = src[src.index("def update"):src.index("return -1")]
    assert update.count("for _idx in range(_N):") == 1
