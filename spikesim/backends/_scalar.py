"""Per-element math shared by every backend.

Each function updates one neuron (or draws one random number) and is
compiled with ``numba.njit``.  The CPU loops call them per element; the
reference backend calls their pure-Python originals (``.py_func``) on whole
numpy arrays, which performs the same IEEE operations in the same order.

Integration methods for the non-linear models are chosen by integer code
(:data:`EULER`, :data:`RK2`, :data:`RK4`); linear models use their exact
propagators, precomputed on the host (see :mod:`spikesim.model.neuron_models`).
"""
import math

import numpy as np
from numba import njit

EXACT, EULER, RK2, RK4, EXP_EULER = 0, 1, 2, 3, 4
METHOD_CODES = {"exact": EXACT, "euler": EULER, "rk2": RK2, "rk4": RK4, "exponential_euler": EXP_EULER}


# ---------------------------------------------------------------- integrators
# ``move_x`` is 1.0, or 0.0 to hold x fixed (dx/dt = 0 in every stage): Brian2's
# treatment of a variable that is frozen while refractory.

@njit(cache=True)
def integrate2(method, f, x, y, p, dt, move_x):
    """Advance a 2-variable ODE ``(x, y)' = f(x, y, p)`` by ``dt`` seconds."""
    dx1, dy1 = f(x, y, p)
    dx1 = dx1 * move_x
    if method == EULER:
        return x + dt * dx1, y + dt * dy1
    h = 0.5 * dt
    dx2, dy2 = f(x + h * dx1, y + h * dy1, p)
    dx2 = dx2 * move_x
    if method == RK2:
        return x + dt * dx2, y + dt * dy2
    dx3, dy3 = f(x + h * dx2, y + h * dy2, p)
    dx3 = dx3 * move_x
    dx4, dy4 = f(x + dt * dx3, y + dt * dy3, p)
    dx4 = dx4 * move_x
    return (x + dt / 6.0 * (dx1 + 2.0 * dx2 + 2.0 * dx3 + dx4),
            y + dt / 6.0 * (dy1 + 2.0 * dy2 + 2.0 * dy3 + dy4))


@njit(cache=True)
def integrate3(method, f, x, y, z, p, dt, move_x):
    """Advance a 3-variable ODE ``(x, y, z)' = f(x, y, z, p)`` by ``dt`` seconds."""
    dx1, dy1, dz1 = f(x, y, z, p)
    dx1 = dx1 * move_x
    if method == EULER:
        return x + dt * dx1, y + dt * dy1, z + dt * dz1
    h = 0.5 * dt
    dx2, dy2, dz2 = f(x + h * dx1, y + h * dy1, z + h * dz1, p)
    dx2 = dx2 * move_x
    if method == RK2:
        return x + dt * dx2, y + dt * dy2, z + dt * dz2
    dx3, dy3, dz3 = f(x + h * dx2, y + h * dy2, z + h * dz2, p)
    dx3 = dx3 * move_x
    dx4, dy4, dz4 = f(x + dt * dx3, y + dt * dy3, z + dt * dz3, p)
    dx4 = dx4 * move_x
    return (x + dt / 6.0 * (dx1 + 2.0 * dx2 + 2.0 * dx3 + dx4),
            y + dt / 6.0 * (dy1 + 2.0 * dy2 + 2.0 * dy3 + dy4),
            z + dt / 6.0 * (dz1 + 2.0 * dz2 + 2.0 * dz3 + dz4))


# ---------------------------------------------------------------- neuron models
@njit(cache=True)
def lif_cuba_exact(v, ge, gi, El, I, p_m, p_e, p_i, c_e, c_i):
    """Exact one-step propagation of the current-based LIF (see LIF_CUBA).

    ``p_*`` are the decay factors ``exp(-dt/tau_*)`` and ``c_e, c_i`` the
    cross terms; the operation order is Brian2's generated ``exact`` code.
    """
    E = El + I
    v_new = (E - E * p_m) + ((c_e * ge + c_i * gi) + p_m * v)
    return v_new, p_e * ge, p_i * gi


@njit(cache=True)
def lif_coba_derivs(v, ge, gi, p):
    """Right-hand side of the conductance-based LIF; p = (El, Ee, Ei, gl, Cm, tau_e, tau_i, I)."""
    El, Ee, Ei, gl, Cm, tau_e, tau_i, I = p
    dv = (gl * (El - v) + ge * (Ee - v) + gi * (Ei - v) + I) / Cm
    return dv, -ge / tau_e, -gi / tau_i


@njit(cache=True)
def lif_coba_exponential_euler(v, ge, gi, p, dt, move_x):
    """One exponential-Euler step of the conductance-based LIF (Brian2's ``exponential_euler``).

    With the conductances held over the step, v relaxes exactly towards
    v_inf = -B/A with rate A = -(gl + ge + gi)/Cm, B = (gl El + ge Ee + gi Ei + I)/Cm;
    ge and gi decay exactly.  Stable for any conductance (Euler is not when
    dt (gl + ge + gi)/Cm > 2).  ``move_x`` 0 holds v (refractory).
    """
    El, Ee, Ei, gl, Cm, tau_e, tau_i, I = p
    A = -(gl + ge + gi) / Cm
    B = (gl * El + ge * Ee + gi * Ei + I) / Cm
    v_new = -B / A + (v + B / A) * math.exp(A * dt)
    if move_x == 0.0:
        v_new = v
    return v_new, ge * math.exp(-dt / tau_e), gi * math.exp(-dt / tau_i)


@njit(cache=True)
def izhikevich_derivs(v, u, p):
    """Izhikevich (2003) in SI units; p = (a, b, I).

    dv/dt = (0.04/mV v^2 + 5 v + 140 mV - u + I) / ms,  du/dt = a (b v - u).
    """
    a, b, I = p
    dv = (40.0 * v * v + 5.0 * v + 0.14 - u + I) / 0.001
    du = a * (b * v - u)
    return dv, du


@njit(cache=True)
def adex_derivs(v, w, p):
    """Adaptive exponential IF (Brette & Gerstner 2005); p = (C, gL, EL, VT, DeltaT, tau_w, a, I).

    Scalar only (``math.exp``: numpy ufuncs are not available in CUDA kernels);
    the reference backend maps it over arrays element by element.
    """
    C, gL, EL, VT, DeltaT, tau_w, a, I = p
    dv = (-gL * (v - EL) + gL * DeltaT * math.exp((v - VT) / DeltaT) - w + I) / C
    dw = (a * (v - EL) - w) / tau_w
    return dv, dw


@njit(cache=True)
def maxpool_gate(c0, c1, c2, c3, p0, p1, p2, p3):
    """1.0 if the input with the largest running count c (the first on ties) grew since p, else 0.0."""
    cb, pb = c0, p0
    if c1 > cb:
        cb, pb = c1, p1
    if c2 > cb:
        cb, pb = c2, p2
    if c3 > cb:
        cb, pb = c3, p3
    return 1.0 if cb > pb else 0.0


# ---------------------------------------------------------------- random numbers
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_S30 = np.uint64(30)
_S27 = np.uint64(27)
_S31 = np.uint64(31)
_S11 = np.uint64(11)
_INV53 = 1.0 / 9007199254740992.0  # 2**-53


@njit(cache=True)
def mix64(z):
    """splitmix64 finaliser: a bijective scramble of a uint64."""
    z = (z ^ (z >> _S30)) * _M1
    z = (z ^ (z >> _S27)) * _M2
    return z ^ (z >> _S31)


@njit(cache=True)
def uniform01(key, i, k):
    """Counter-based uniform draw in (0, 1] for stream ``key``, neuron ``i``, draw ``k``.

    The same (key, i, k) always gives the same number on every backend and
    regardless of how a run is split into chunks.
    """
    h = mix64(key ^ mix64(np.uint64(i) * _GOLDEN + np.uint64(k)))
    return (float(h >> _S11) + 1.0) * _INV53


@njit(cache=True)
def geometric_steps(u, log1mp):
    """Number of steps (>= 1) to the next success of a per-step Bernoulli(p).

    ``u`` is uniform in (0, 1]; ``log1mp = log(1 - p)`` (-inf when p = 1).
    Returns a float so that p = 0 (log1mp = 0) gives +inf.
    """
    if log1mp == 0.0:
        return math.inf
    q = math.log(u) / log1mp
    if q >= 1e18:          # p so small that the event lies beyond any run (also q = inf)
        return math.inf
    return math.floor(q) + 1.0


# ---------------------------------------------------------------- plasticity
@njit(cache=True)
def decayed(x, n, n_last, table, row, dt, tau):
    """Trace value ``x`` stored at step ``n_last``, decayed to step ``n``.

    ``table[row, k] = exp(-k*dt/tau)`` holds the factors for the usual gaps
    (a table lookup instead of an exp per synapse event); longer gaps call exp.
    """
    k = n - n_last
    if k < table.shape[1]:
        return x * table[row, k]
    return x * math.exp(-(k * dt) / tau)


@njit(cache=True)
def bounded_update(w, dw, w_min, w_max, mu):
    """w + dw with soft-bound scaling ((w_max-w)/w_max)^mu or (w/w_max)^mu, clipped to [w_min, w_max]."""
    if mu != 0.0:
        if dw > 0.0:
            dw = dw * ((w_max - w) / w_max) ** mu
        else:
            dw = dw * (w / w_max) ** mu
    return min(max(w + dw, w_min), w_max)


@njit(cache=True)
def ring_push(ring, pos, col, n, window_steps):
    """Record spike step ``n`` in column ``col`` of a ring of recent spike steps.

    Returns True if the entry it overwrote was still inside the window (the
    ring is too small for the firing rate).
    """
    R = ring.shape[0]
    k = pos[col]
    old = ring[k, col]
    ring[k, col] = n
    pos[col] = (k + 1) % R
    return old >= 0 and n - old <= window_steps


@njit(cache=True)
def ring_count(ring, col, n, lo, hi):
    """Number of recorded steps e in column ``col`` with lo <= n - e <= hi."""
    c = 0
    for k in range(ring.shape[0]):
        e = ring[k, col]
        if e >= 0 and lo <= n - e <= hi:
            c += 1
    return c
