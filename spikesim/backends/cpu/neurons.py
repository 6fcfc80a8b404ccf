"""CPU kernels: integrate one neuron group over one step; thresholds; resets."""
import math

from numba import njit

from ...model.neuron_models import IF_DISCRETE, IZHIKEVICH, LIF_COBA, LIF_CUBA, MAXPOOL
from .. import _scalar as S
from ..compiled import INFO_SUBTRACT, INFO_UNIFORM, INFO_I_ROW, INFO_INCR_ROW, INFO_INCR_VAR, INFO_METHOD, INFO_MODEL, INFO_VRESET, INFO_VTH


@njit(cache=True)
def _first_non_finite(x):
    for i in range(x.shape[1]):
        for k in range(x.shape[0]):
            if not math.isfinite(x[k, i]):
                return i
    return -1


@njit(cache=True)
def integrate_group(info, x, par, coef, last, ref, cur, cur_div, n, dt):
    """Advance every neuron of one group from step n to n+1 in place.

    Returns the index of the first neuron whose state became NaN/inf, or -1.
    Each model has its own loop (no branch per neuron); groups whose
    parameters are all shared use scalars.  Finiteness of the new ``v``
    (which every model computes from all its variables) is accumulated as a
    flag so that the loops can vectorise; the offending neuron is searched
    for only when the flag is set.
    """
    model, method, i_row = info[INFO_MODEL], info[INFO_METHOD], info[INFO_I_ROW]
    row = min(n // cur_div, cur.shape[0] - 1)
    c = cur[row]
    cs = 0 if c.size == 1 else 1       # column stride: shared or per-neuron input
    N = x.shape[1]
    bad = False
    if model == LIF_CUBA:
        v, ge, gi = x[0], x[1], x[2]
        if info[INFO_UNIFORM] == 1 and cs == 0:   # shared parameters: scalars in registers
            El, I, pm, pe, pi, ce, ci = par[0, 0], par[i_row, 0] + c[0], coef[0, 0], coef[1, 0], coef[2, 0], \
                coef[3, 0], coef[4, 0]
            r = ref[0]
            for i in range(N):
                nv, nge, ngi = S.lif_cuba_exact(v[i], ge[i], gi[i], El, I, pm, pe, pi, ce, ci)
                v[i] = nv if (n - last[i]) >= r else v[i]
                ge[i] = nge
                gi[i] = ngi
                bad |= (nv - nv) != 0.0
        else:
            El, I0 = par[0], par[i_row]
            pm, pe, pi, ce, ci = coef[0], coef[1], coef[2], coef[3], coef[4]
            for i in range(N):
                nv, nge, ngi = S.lif_cuba_exact(v[i], ge[i], gi[i], El[i], I0[i] + c[i * cs],
                                                pm[i], pe[i], pi[i], ce[i], ci[i])
                v[i] = nv if (n - last[i]) >= ref[i] else v[i]
                ge[i] = nge
                gi[i] = ngi
                bad |= (nv - nv) != 0.0
    elif model == IF_DISCRETE:
        v, I0 = x[0], par[i_row]
        for i in range(N):
            nv = v[i] + (I0[i] + c[i * cs])
            v[i] = nv if (n - last[i]) >= ref[i] else v[i]
            bad |= (nv - nv) != 0.0
    elif model == MAXPOOL:
        for i in range(N):
            x[0, i] = S.maxpool_gate(x[1, i], x[2, i], x[3, i], x[4, i], x[5, i], x[6, i], x[7, i], x[8, i])
            for k in range(4):
                x[5 + k, i] = x[1 + k, i]
    elif model == LIF_COBA:
        for i in range(N):
            p = (par[0, i], par[1, i], par[2, i], par[3, i], par[4, i], par[5, i], par[6, i],
                 par[i_row, i] + c[i * cs])
            move = 1.0 if (n - last[i]) >= ref[i] else 0.0
            if method == S.EXP_EULER:
                a, b, d = S.lif_coba_exponential_euler(x[0, i], x[1, i], x[2, i], p, dt, move)
            else:
                a, b, d = S.integrate3(method, S.lif_coba_derivs, x[0, i], x[1, i], x[2, i], p, dt, move)
            x[0, i], x[1, i], x[2, i] = a, b, d
            bad |= (a - a) != 0.0
    elif model == IZHIKEVICH:
        for i in range(N):
            move = 1.0 if (n - last[i]) >= ref[i] else 0.0
            a, b = S.integrate2(method, S.izhikevich_derivs, x[0, i], x[1, i],
                                (par[0, i], par[1, i], par[i_row, i] + c[i * cs]), dt, move)
            x[0, i], x[1, i] = a, b
            bad |= (a - a) != 0.0
    else:  # ADEX
        for i in range(N):
            p = (par[0, i], par[1, i], par[2, i], par[3, i], par[4, i], par[5, i], par[6, i],
                 par[i_row, i] + c[i * cs])
            move = 1.0 if (n - last[i]) >= ref[i] else 0.0
            a, b = S.integrate2(method, S.adex_derivs, x[0, i], x[1, i], p, dt, move)
            x[0, i], x[1, i] = a, b
            bad |= (a - a) != 0.0
    if bad:
        return _first_non_finite(x)
    return -1


@njit(cache=True)
def threshold_group(info, x, par, last, ref, n, out, theta):
    """Write the indices of neurons with v > v_th (+ theta) and not refractory into ``out``; return the count."""
    v, vth = x[0], par[info[INFO_VTH]]
    k = 0
    if theta.size:
        for i in range(x.shape[1]):
            if v[i] > vth[i] + theta[i] and (n - last[i]) >= ref[i]:
                out[k] = i
                k += 1
                last[i] = n
        return k
    for i in range(x.shape[1]):
        if v[i] > vth[i] and (n - last[i]) >= ref[i]:
            out[k] = i
            k += 1
            last[i] = n
    return k


@njit(cache=True)
def decay_theta(theta, factor):
    """Adaptive thresholds decay by one step: theta *= exp(-dt/tau_theta)."""
    for i in range(theta.size):
        theta[i] *= factor


@njit(cache=True)
def reset_one(x, par, i, r_row, vth_row, subtract, incr_var, incr_row, theta, theta_plus):
    """The model's reset of neuron i (and its threshold increment)."""
    if subtract:
        x[0, i] -= par[vth_row, i]
    else:
        x[0, i] = par[r_row, i]
    if incr_var >= 0:
        x[incr_var, i] += par[incr_row, i]
    if theta.size:
        theta[i] += theta_plus


@njit(cache=True)
def reset_group(info, x, par, spikes, count, theta, theta_plus):
    """Apply the model's reset (and the threshold increment) to the ``count`` neurons in ``spikes``."""
    subtract = info[INFO_SUBTRACT] == 1
    for k in range(count):
        reset_one(x, par, spikes[k], info[INFO_VRESET], info[INFO_VTH], subtract, info[INFO_INCR_VAR],
                  info[INFO_INCR_ROW], theta, theta_plus)
