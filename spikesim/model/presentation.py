"""Presentation: a sequence of input patterns shown one after another, inside the run.

Learning experiments show items (images, odours, tones coded as Poisson
rates) one at a time: ``show`` seconds with the item's rates, ``rest``
seconds of silence, the next item.  Written as two ``run()`` calls per item
in Python the run's own cost dominates short presentations; a
:class:`Presentation` added to a :class:`~spikesim.Network` does the same
inside the compiled step loop (cpu backend), so a whole epoch is one
``run()``.  On the reference and cuda backends the network runs one phase
at a time with the same transitions.
"""
from __future__ import annotations

import numpy as np

from .._validate import check_float, check_int
from .inputs import PoissonGroup
from .neurons import NeuronGroup

# state[] slots
PHASE, NEXT_CHANGE, NEXT_ITEM, N_ITEMS, BLOCKS, SHOW_STEPS, REST_STEPS, MIN_SPIKES = range(8)
NOT_STARTED, SHOWING, RESTING, DONE = 0, 1, 2, 3


class Presentation:
    """Show rows of input rates one after another, ``show`` seconds each, with ``rest`` seconds between.

    Parameters
    ----------
    inputs : PoissonGroup
        The input population; the presentation sets its rates.
    rates : array of float, shape (n_patterns, inputs.N // blocks)
        Rates in Hz of each pattern.
    order : array of int, shape (n_items,), optional
        The patterns shown, in order (e.g. several shuffled epochs of a data
        set); default each pattern once, in order.
    show, rest : float
        Seconds an item is shown and seconds of silence after each showing
        (whole numbers of steps).
    blocks : int
        The inputs (and ``counted``) split into ``blocks`` equal parts, one
        item per block: ``blocks`` independent copies of a network see
        ``blocks`` items at once (a new round starts when every block's item
        is accepted).
    counted : NeuronGroup, optional
        Group whose spikes during each showing are counted (per block); the
        counts of each item's accepted showing are in :attr:`counts`.
    min_spikes : int
        With ``counted``: a showing in which a block's part of ``counted``
        fires fewer spikes is repeated with the gain raised by
        ``gain_step``, up to ``max_gain`` (Diehl & Cook 2015); 0 repeats
        nothing.
    gain, gain_step, max_gain : float
        The rates shown are ``rates[item] * gain``, ``gain`` rising by
        ``gain_step`` at each repetition while it stays <= ``max_gain``
        (default: ``gain``, no repetition).  The last showing is accepted
        whatever its count.
    before_show : sequence of Normalization
        Weight normalisations applied at the start of every showing (they
        should have ``interval=None``).
    name : str, optional

    Attributes (after a run)
    ------------------------
    counts : ndarray of int, shape (n_items, counted.N // blocks)
        Spikes of each neuron of ``counted`` during each item's accepted
        showing (item ``k`` shows pattern ``order[k]``).
    tries : ndarray of int, shape (n_items,)
        Showings per item (1 when accepted at once).
    done : bool
        Every item has been shown.

    Notes
    -----
    A showing starts at the first step of the first run after the object
    was added, then every ``show + rest`` seconds (more with repetitions).
    At the start of a showing the normalisations in ``before_show`` run,
    then the inputs get their rates; at the start of a rest their rates
    become 0.  A change of rates draws every input's next spike afresh from
    that step, exactly as setting ``inputs.rates`` between two runs does,
    so one ``run()`` gives the same spikes, bit for bit, as a run per
    phase.  The run that shows the last item ends after its rest, before
    ``duration`` if that is longer (:attr:`max_duration` bounds it).

    Examples
    --------
    >>> import numpy as np
    >>> from spikesim import Network, NeuronGroup, PoissonGroup, Presentation, SpikeMonitor, Synapses
    >>> from spikesim.units import ms, mV
    >>> inp = PoissonGroup(20, rates=0.0)
    >>> G = NeuronGroup(1, "lif_cuba")
    >>> S = Synapses(inp, G, "ge", weight=3 * mV).connect()
    >>> P = Presentation(inp, np.array([[0.0] * 20, [400.0] * 20]), show=50 * ms, rest=20 * ms, counted=G)
    >>> net = Network(inp, G, S, P, seed=1)
    >>> net.run(P.max_duration, progress=False)
    >>> P.counts[0, 0], P.counts[1, 0] > 0
    (0, True)
    """

    def __init__(self, inputs, rates, show, rest=0.0, *, order=None, blocks=1, counted=None, min_spikes=0, gain=1.0,
                 gain_step=1.0, max_gain=None, before_show=(), name=None):
        from ..plasticity.homeostasis import Normalization
        if not isinstance(inputs, PoissonGroup):
            raise TypeError(f"inputs must be a PoissonGroup, got {type(inputs).__name__}")
        self.blocks = check_int("blocks", blocks, minimum=1)
        if inputs.N % self.blocks:
            raise ValueError(f"inputs.N ({inputs.N}) must be a multiple of blocks ({self.blocks})")
        rates = np.asarray(rates, dtype=np.float64)
        n_in = inputs.N // self.blocks
        if rates.ndim != 2 or rates.shape[1] != n_in or rates.shape[0] < 1:
            raise ValueError(f"rates must have shape (n_items, {n_in}) (inputs.N // blocks), got {rates.shape}")
        if not np.all(np.isfinite(rates)) or (rates < 0).any():
            raise ValueError("rates must be finite and >= 0 Hz")
        self.inputs, self.rates = inputs, np.ascontiguousarray(rates)
        if order is None:
            order = np.arange(rates.shape[0])
        order = np.asarray(order)
        if order.ndim != 1 or order.size < 1 or not np.issubdtype(order.dtype, np.integer):
            raise TypeError(f"order must be a non-empty 1-D array of pattern indices, got {order!r}")
        if order.min() < 0 or order.max() >= rates.shape[0]:
            raise ValueError(f"order must hold pattern indices in [0, {rates.shape[0]}), got {order.min()} .. "
                             f"{order.max()}")
        self.order = order.astype(np.int64)
        self.show = check_float("show", show, positive=True, unit="s")
        self.rest = check_float("rest", rest, nonnegative=True, unit="s")
        if counted is not None:
            if not isinstance(counted, NeuronGroup):
                raise TypeError(f"counted must be a NeuronGroup, got {type(counted).__name__}")
            if counted.N % self.blocks:
                raise ValueError(f"counted.N ({counted.N}) must be a multiple of blocks ({self.blocks})")
        self.counted = counted
        self.min_spikes = check_int("min_spikes", min_spikes, minimum=0)
        if self.min_spikes and counted is None:
            raise ValueError("min_spikes needs a counted group (counted=...)")
        self.gain = check_float("gain", gain, positive=True)
        self.gain_step = check_float("gain_step", gain_step, positive=True)
        self.max_gain = self.gain if max_gain is None else check_float("max_gain", max_gain, positive=True)
        if self.max_gain < self.gain:
            raise ValueError(f"max_gain must be >= gain ({self.gain}), got {self.max_gain}")
        self.before_show = tuple(before_show)
        for m in self.before_show:
            if not isinstance(m, Normalization):
                raise TypeError(f"before_show must hold Normalization objects, got {type(m).__name__}")
        self.name = name
        n_items = self.order.size
        n_c = counted.N // self.blocks if counted is not None else 0
        self.state = np.zeros(8, np.int64)
        self.state[[N_ITEMS, BLOCKS, MIN_SPIKES]] = n_items, self.blocks, self.min_spikes
        self.state[NEXT_CHANGE] = -1
        self.params = np.array([self.gain, self.gain_step, self.max_gain, 0.0])
        self.item = np.full(self.blocks, -1, np.int64)
        self.item_gain = np.zeros(self.blocks)
        self.now = np.zeros((self.blocks, n_c), np.int64)
        self._counts = np.zeros((n_items, n_c), np.int64)
        self._tries = np.zeros(n_items, np.int64)
        self.scratch = np.zeros(inputs.N)

    @property
    def counts(self):
        """Spike counts of ``counted`` in each item's accepted showing, shape (n_items, counted.N // blocks)."""
        return self._counts

    @property
    def tries(self):
        """Number of showings of each item, shape (n_items,); 0 for items not shown yet."""
        return self._tries

    @property
    def done(self):
        """Every item has been shown."""
        return int(self.state[PHASE]) == DONE

    @property
    def items_done(self):
        """Items shown and accepted so far."""
        active = self.item[self.item >= 0]
        return int(np.count_nonzero(self._tries)) - int(np.count_nonzero(self._tries[active]))

    @property
    def max_duration(self):
        """Seconds the whole presentation can take at most (every item repeated as often as allowed)."""
        rounds = -(-self.order.size // self.blocks)
        tries = int(np.floor((self.max_gain - self.gain) / self.gain_step + 1e-9)) + 1 if self.min_spikes else 1
        return rounds * tries * (self.show + self.rest)

    def _state_arrays(self):
        """Arrays that change during a run (for store/restore and save/load)."""
        return dict(state=self.state, item=self.item, item_gain=self.item_gain, now=self.now, counts=self._counts,
                    tries=self._tries)

    def _steps(self, dt):
        """Fix the phase lengths in steps (at build); a phase must be a whole number of steps."""
        from .._validate import steps_of
        self.state[SHOW_STEPS] = steps_of("show", self.show, dt)
        self.state[REST_STEPS] = steps_of("rest", self.rest, dt) if self.rest > 0 else 0
        self.params[3] = dt

    def __repr__(self):
        return (f"<Presentation {self.name!r}: {self.order.size} items on {self.inputs.name!r}, "
                f"{self.show:g} s + {self.rest:g} s>")
