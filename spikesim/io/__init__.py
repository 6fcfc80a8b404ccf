"""Results and networks in the field's exchange formats.

* :mod:`spikesim.io.neo` — monitors to a ``neo.Block`` (spike trains and
  analog signals with units, for Elephant), and spike trains back into a
  :class:`~spikesim.SpikeGeneratorGroup`; needs ``pip install spikesim[io]``.
* :mod:`spikesim.io.nir` — networks to and from a NIR graph (the
  Neuromorphic Intermediate Representation read and written by snnTorch,
  Norse, sinabs, SpikingJelly, Lava and Rockpool); needs ``pip install
  spikesim[io]``.

Neither module is imported here, so ``import spikesim`` never needs them.
"""
