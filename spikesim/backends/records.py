"""Records: one object per group, synapse set or monitor, holding the arrays its kernels use.

A compiled function receives an object's arrays as one record and reads
them by name (``g.x``, ``s.post_index``).  On the cpu backend a record is a
numba StructRef (passing one costs a pointer: a step loop over many
objects compiles in seconds, where tuples of arrays took minutes); the
reference backend uses plain Python objects with the same attribute names.

Fields (see :mod:`spikesim.equations.neuron_code` and
:mod:`spikesim.equations.synapse_code` for what each generated function reads):

* group: ``x`` (per-neuron variables, rows), ``shared`` (group-wide
  parameters), ``last`` (step of the last spike), ``ref`` (refractory period
  in steps), ``notref``, ``hist``/``hist_n``/``hist_step`` (the spike-history
  ring: neuron indices, counts and steps per slot), ``key`` (random stream),
  ``timed`` (TimedArrays: (values, (epsilon, K)) pairs), ``extra`` (inputs: the
  Poisson calendar or the generator's events);
* synapses: ``post_index``, ``dptr``, ``udelay``, ``sx`` (per-synapse
  variables), ``shared``, ``lastupdate``, ``rev_ptr``/``rev_syn``/``rev_block``
  (post-side index), ``bx``/``blast`` (traces per source and delay),
  ``px``/``plast`` (traces per target), ``key``, ``rings`` (spike windows),
  ``timed``, ``cache`` (scratch: the other side's traces decayed to the
  current step, and the step each was computed at; reset every run; and the
  first target of each block whose targets are consecutive, else -1);
* monitors: their buffers (see :mod:`spikesim.backends.cpu.monitors`);
* presentations: ``state`` (phase, next change ...), ``params`` (gains, dt),
  ``rates`` (per pattern), ``order`` (pattern of each item), ``item``/``item_gain`` (per block), ``now`` (counts
  of the current showing), ``counts``/``tries`` (per item), ``scratch``
  (see :mod:`spikesim.backends.cpu.presentation`).
"""
from __future__ import annotations

import types as _pytypes

from numba import njit
from numba.core import types
from numba.experimental import structref

GROUP_FIELDS = ("x", "shared", "last", "ref", "notref", "hist", "hist_n", "hist_step", "key", "timed", "extra")
SYNAPSE_FIELDS = ("post_index", "dptr", "udelay", "sx", "shared", "lastupdate", "rev_ptr", "rev_syn", "rev_block",
                  "bx", "blast", "px", "plast", "key", "rings", "timed", "cache")
SPIKE_MONITOR_FIELDS = ("i", "step", "count")
STATE_MONITOR_FIELDS = ("rows", "idx", "every", "steps", "data", "count")
WEIGHT_MONITOR_FIELDS = ("pos", "every", "req", "cursor", "steps", "data", "count")
RATE_MONITOR_FIELDS = ("counts", "base")
PRESENTATION_FIELDS = ("state", "params", "rates", "order", "item", "item_gain", "now", "counts", "tries", "scratch")


class _RecordType(types.StructRef):
    """numba type of a record (its fields typed from the values it was made with)."""

    def preprocess_fields(self, fields):
        return tuple((name, types.unliteral(typ)) for name, typ in fields)


@structref.register
class GroupRecordType(_RecordType):
    pass


@structref.register
class SynapseRecordType(_RecordType):
    pass


@structref.register
class SpikeMonitorRecordType(_RecordType):
    pass


@structref.register
class StateMonitorRecordType(_RecordType):
    pass


@structref.register
class WeightMonitorRecordType(_RecordType):
    pass


@structref.register
class RateMonitorRecordType(_RecordType):
    pass


@structref.register
class PresentationRecordType(_RecordType):
    pass


def _proxy(name, fields):
    cls = type(name, (structref.StructRefProxy,), {"__doc__": f"Record of a {name[:-6].lower()}: {', '.join(fields)}.",
                                                    "__module__": __name__})
    structref.define_proxy(cls, globals()[name + "Type"], list(fields))
    return cls


GroupRecord = _proxy("GroupRecord", GROUP_FIELDS)
SynapseRecord = _proxy("SynapseRecord", SYNAPSE_FIELDS)
SpikeMonitorRecord = _proxy("SpikeMonitorRecord", SPIKE_MONITOR_FIELDS)
StateMonitorRecord = _proxy("StateMonitorRecord", STATE_MONITOR_FIELDS)
WeightMonitorRecord = _proxy("WeightMonitorRecord", WEIGHT_MONITOR_FIELDS)
RateMonitorRecord = _proxy("RateMonitorRecord", RATE_MONITOR_FIELDS)
PresentationRecord = _proxy("PresentationRecord", PRESENTATION_FIELDS)

# constructors compiled with cache=True: the proxies' own constructors would compile in every process


@njit(cache=True)
def _group(x, shared, last, ref, notref, hist, hist_n, hist_step, key, timed, extra):
    return GroupRecord(x, shared, last, ref, notref, hist, hist_n, hist_step, key, timed, extra)


@njit(cache=True)
def _synapses(post_index, dptr, udelay, sx, shared, lastupdate, rev_ptr, rev_syn, rev_block, bx, blast, px, plast,
              key, rings, timed, cache):
    return SynapseRecord(post_index, dptr, udelay, sx, shared, lastupdate, rev_ptr, rev_syn, rev_block, bx, blast,
                         px, plast, key, rings, timed, cache)


@njit(cache=True)
def _spike_monitor(i, step, count):
    return SpikeMonitorRecord(i, step, count)


@njit(cache=True)
def _state_monitor(rows, idx, every, steps, data, count):
    return StateMonitorRecord(rows, idx, every, steps, data, count)


@njit(cache=True)
def _weight_monitor(pos, every, req, cursor, steps, data, count):
    return WeightMonitorRecord(pos, every, req, cursor, steps, data, count)


@njit(cache=True)
def _rate_monitor(counts, base):
    return RateMonitorRecord(counts, base)


@njit(cache=True)
def _presentation(state, params, rates, order, item, item_gain, now, counts, tries, scratch):
    return PresentationRecord(state, params, rates, order, item, item_gain, now, counts, tries, scratch)


_CLASSES = {"group": (_group, GROUP_FIELDS), "synapses": (_synapses, SYNAPSE_FIELDS),
            "spike_monitor": (_spike_monitor, SPIKE_MONITOR_FIELDS),
            "state_monitor": (_state_monitor, STATE_MONITOR_FIELDS),
            "weight_monitor": (_weight_monitor, WEIGHT_MONITOR_FIELDS),
            "rate_monitor": (_rate_monitor, RATE_MONITOR_FIELDS),
            "presentation": (_presentation, PRESENTATION_FIELDS)}


def compiled(kind, fields):
    """A StructRef record of ``kind`` ("group", "synapses", ...) from a dict of its fields (cpu backend);
    with numba's JIT disabled (NUMBA_DISABLE_JIT=1) the Python record."""
    import numba
    if numba.config.DISABLE_JIT:
        return python(kind, fields)
    make, names = _CLASSES[kind]
    return make(*(fields[n] for n in names))


def python(kind, fields):
    """The same record as a plain Python object (reference backend)."""
    _, names = _CLASSES[kind]
    return _pytypes.SimpleNamespace(**{n: fields[n] for n in names})
