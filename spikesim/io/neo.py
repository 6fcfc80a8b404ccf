"""Monitors to Neo, for Elephant; Neo spike trains back into a SpikeGeneratorGroup.

Neo (``pip install neo``) is the data model of the Python electrophysiology
tools: a ``Block`` holds ``Segment`` s (one stretch of recording each), a
segment holds ``SpikeTrain`` s and ``AnalogSignal`` s with units, and
Elephant analyses them.  :func:`to_neo` adds one segment per call, covering
the time since the last segment of the block (or since 0) up to the
network's current time, so calling it after each :meth:`Network.run` gives
one segment per run:

* a ``SpikeTrain`` per neuron of every SpikeMonitor, in seconds, with
  ``t_start``/``t_stop`` of the segment and annotations ``group``,
  ``neuron`` (index), ``model``, ``monitor`` and ``parameters`` (the
  neuron's parameter values, SI floats) with ``units_of_parameters``;
* an ``AnalogSignal`` per variable of every StateMonitor, shape
  (n_times, n_recorded), in the variable's unit (``mV`` arrive as volts),
  sampled every ``every * dt`` from the first record in the segment, with
  ``array_annotations["neuron"]`` the recorded indices and annotations
  ``group``, ``variable``, ``model``, ``monitor``.

:func:`spike_generator` turns spike trains (a block, segment, group or list)
into a :class:`~spikesim.SpikeGeneratorGroup`; spike times written by
:func:`to_neo` are ``step * dt`` exactly, so the generator replays the
recorded spikes in the same steps.
"""
from __future__ import annotations

import re

import numpy as np

try:
    import neo
    import quantities as pq
    from neo.core.spiketrainlist import SpikeTrainList
except ImportError as exc:  # pragma: no cover - exercised only without the extra
    raise ImportError("spikesim.io.neo needs the 'neo' package: pip install 'spikesim[io]' (or pip install neo)") \
        from exc

from .. import __version__
from ..model.inputs import PoissonGroup, SpikeGeneratorGroup
from ..model.network import Network
from ..model.neurons import NeuronGroup
from ..monitors.spikes import SpikeMonitor
from ..monitors.state import StateMonitor

#: Brian2's unit names (as in ``NeuronGroup.units``) and their quantities
_UNITS = {"volt": pq.V, "amp": pq.A, "ampere": pq.A, "siemens": pq.S, "second": pq.s, "hertz": pq.Hz,
          "farad": pq.F, "ohm": pq.ohm, "metre": pq.m, "meter": pq.m, "kilogram": pq.kg, "gram": pq.g,
          "mole": pq.mol, "kelvin": pq.K, "candela": pq.cd, "coulomb": pq.C, "watt": pq.W, "joule": pq.J,
          "newton": pq.N, "weber": pq.Wb, "tesla": pq.T, "henry": pq.H, "radian": pq.rad, "molar": pq.M,
          "liter": pq.L, "litre": pq.L}


def quantity_unit(unit: str) -> pq.Quantity:
    """The ``quantities`` unit of a Brian2 unit expression (``"volt"``, ``"1"``, ``"amp/metre**2"``).

    spikesim stores every value in SI units, so only the dimension counts: names outside the common SI
    units (``mV`` in an equation is Brian2's volt dimension) are reduced to SI base units through Brian2.

    Parameters
    ----------
    unit : str
        A Brian2 unit expression, as a model's ``units`` table holds it.

    Returns
    -------
    quantities.Quantity
        The unit (magnitude 1) in SI; ``pq.dimensionless`` for ``"1"``.
    """
    expr = str(unit).strip()
    if expr in ("1", "", "Unit(1)"):
        return pq.dimensionless
    names = set(re.findall(r"[A-Za-z_]\w*", expr))
    if re.fullmatch(r"[\w\s*/().\-+]+", expr) and names <= set(_UNITS):
        return eval(expr, {"__builtins__": {}}, dict(_UNITS))       # names and arithmetic only (checked above)
    from ..equations.sandbox import import_brian2
    brian2 = import_brian2()
    dims = eval(expr, {"__builtins__": {}}, vars(brian2.units)).dim._dims       # Brian2's own unit names
    out = pq.dimensionless
    for base, p in zip((pq.m, pq.kg, pq.s, pq.A, pq.K, pq.mol, pq.cd), dims):
        if p:
            out = out * base ** p
    return out


def _model(group):
    if isinstance(group, NeuronGroup):
        return group.model_name
    return type(group).__name__


def _parameters(group, k):
    """Parameter values of neuron ``k`` (SI floats, state variables left out) and their units."""
    if isinstance(group, PoissonGroup):
        return {"rates": float(group.rates[k])}, {"rates": "hertz"}
    if not isinstance(group, NeuronGroup):
        return {}, {}
    units = group.units
    state = set(group._layout["state"])
    names = list(group._shared_names) + [n for n in group.variables if n in group._values and n not in state]
    values = {}
    for n in names:
        try:
            v = getattr(group, n)
        except (AttributeError, RuntimeError):
            continue
        values[n] = float(np.asarray(v)[k])
    return values, {n: units.get(n, "1") for n in values}


def to_neo(network: Network, monitors=None, *, block: "neo.Block | None" = None, t_start: float | None = None,
           name: str | None = None) -> "neo.Block":
    """Add a Segment with the monitors' records since ``t_start`` to ``block`` (a new Block by default).

    Parameters
    ----------
    network : Network
        The network the monitors belong to; the segment ends at its current
        time ``network.t`` (seconds).
    monitors : sequence of SpikeMonitor or StateMonitor, optional
        Default: every SpikeMonitor and StateMonitor of the network.
    block : neo.Block, optional
        Append the segment to this block (one segment per call).
    t_start : float, optional
        Start of the segment in seconds (default: the end of the block's last
        segment, or 0).
    name : str, optional
        Segment name (default ``"run k"``).

    Returns
    -------
    neo.Block
        The block; ``block.segments[-1]`` is the new segment.
    """
    if not isinstance(network, Network):
        raise TypeError(f"network must be a spikesim Network, got {type(network).__name__}")
    if monitors is None:
        monitors = [m for m in network.objects if isinstance(m, (SpikeMonitor, StateMonitor))]
    for m in monitors:
        if not isinstance(m, (SpikeMonitor, StateMonitor)):
            raise TypeError(f"monitors must be SpikeMonitors or StateMonitors, got {type(m).__name__}")
        if not any(m is o for o in network.objects):
            raise ValueError(f"monitor {m.name!r} is not part of the network")
    dt = network.dt
    if block is None:
        block = neo.Block(name="spikesim", simulator="spikesim", version=__version__, seed=int(network.seed),
                          dt=float(dt))
    if t_start is None:
        last = block.segments[-1] if block.segments else None
        if last is None:
            t_start = 0.0
        elif "t_stop_step" in last.annotations:
            t_start = int(last.annotations["t_stop_step"]) * dt
        else:
            t_start = float(last.t_stop.rescale(pq.s).magnitude)
    s0, s1 = int(round(t_start / dt)), int(network.step)
    if s0 > s1:
        raise ValueError(f"t_start must be <= the network's time {network.t} s, got {t_start}")
    t0, t1 = s0 * dt, s1 * dt
    seg = neo.Segment(name=name or f"run {len(block.segments)}", t_start_step=s0, t_stop_step=s1, dt=float(dt))
    trains = []
    for m in monitors:
        g = m.group
        steps = m.step
        keep = (steps >= s0) & (steps < s1)
        if isinstance(m, SpikeMonitor):
            i, t = m.i[keep], m.t[keep]
            order = np.argsort(i, kind="stable")
            bounds = np.searchsorted(i[order], np.arange(g.N + 1))
            ts = t[order]
            for k in range(g.N):
                values, units = _parameters(g, k)
                st = neo.SpikeTrain(ts[bounds[k]:bounds[k + 1]], units=pq.s, t_start=t0 * pq.s, t_stop=t1 * pq.s,
                                    name=f"{g.name}[{k}]", group=g.name, neuron=k, model=_model(g),
                                    parameters=values, units_of_parameters=units, monitor=m.name)
                st.segment = seg
                trains.append(st)
        else:
            if not keep.any():
                continue
            period = dt * m.every
            for var in m.variables:
                data = m.values(var)[:, keep].T
                sig = neo.AnalogSignal(np.array(data), units=quantity_unit(g.units.get(var, "1")),
                                       sampling_period=period * pq.s, t_start=float(steps[keep][0] * dt) * pq.s,
                                       name=f"{g.name}.{var}",
                                       array_annotations=dict(neuron=np.array(m.record)), group=g.name,
                                       variable=var, model=_model(g), monitor=m.name)
                seg.analogsignals.append(sig)
    # one list at once: appending train by train checks every train already there (quadratic in neo 0.14)
    seg.spiketrains = SpikeTrainList(items=trains, parent=seg)
    block.segments.append(seg)
    seg.block = block
    return block


def _trains(source, group):
    if isinstance(source, neo.Block):
        trains = [st for seg in source.segments for st in seg.spiketrains]
    elif isinstance(source, (neo.Segment, neo.Group)):
        trains = list(source.spiketrains)
    else:
        trains = list(source)
    for st in trains:
        if not isinstance(st, neo.SpikeTrain):
            raise TypeError(f"source must hold neo.SpikeTrains, got {type(st).__name__}")
    if group is not None:
        trains = [st for st in trains if st.annotations.get("group") == group]
        if not trains:
            raise ValueError(f"no spike train has the annotation group={group!r}")
    return trains


def spike_generator(source, *, group: str | None = None, N: int | None = None, shift: float = 0.0,
                    name: str | None = None) -> SpikeGeneratorGroup:
    """A SpikeGeneratorGroup that replays Neo spike trains.

    Parameters
    ----------
    source : neo.Block, neo.Segment, neo.Group or sequence of neo.SpikeTrain
        A block contributes the trains of all its segments (their times are
        absolute, so successive runs follow each other).
    group : str, optional
        Only the trains annotated ``group=...`` (one spikesim group of a
        :func:`to_neo` block).
    N : int, optional
        Size of the generator (default: the largest neuron index + 1).
    shift : float
        Seconds added to every spike time (e.g. ``-t_start`` of a segment to
        replay it from 0); times must stay >= 0.
    name : str, optional

    Returns
    -------
    SpikeGeneratorGroup
        Neuron ``k`` fires at the times of the train annotated ``neuron=k``
        (trains without that annotation are numbered in order).
    """
    trains = _trains(source, group)
    idx, times = [], []
    for pos, st in enumerate(trains):
        k = int(st.annotations.get("neuron", pos))
        t = np.asarray(st.times.rescale(pq.s).magnitude, dtype=np.float64) + float(shift)
        idx.append(np.full(t.size, k, dtype=np.int64))
        times.append(t)
    idx = np.concatenate(idx) if idx else np.zeros(0, np.int64)
    times = np.concatenate(times) if times else np.zeros(0)
    n = int(idx.max()) + 1 if idx.size else 1
    if N is not None:
        if N < n:
            raise ValueError(f"N must be at least {n} (the largest neuron index + 1), got {N}")
        n = N
    elif trains and all("neuron" in st.annotations for st in trains):
        n = max(n, max(int(st.annotations["neuron"]) for st in trains) + 1)
    order = np.lexsort((idx, times))
    return SpikeGeneratorGroup(n, idx[order], times[order], name=name)
